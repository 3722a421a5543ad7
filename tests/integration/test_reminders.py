"""Deadline reminders: 72 h and 24 h before closes_at, to each founder of an unsubmitted draft, once each,
in their language, with a link to the draft. The clock is passed in (frozen), never waited for."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from incubator.applications.models import Application
from incubator.applications.reminders import send_deadline_reminders
from incubator.applications.states import Status
from incubator.core.timeutil import utcnow
from incubator.notifications.models import DeliveryStatus, Notification
from incubator.programs.models import SeasonStatus
from incubator.startups.models import Startup, StartupCollaborator
from tests.support import factories as f
from tests.support.queries import count_queries


def _season(hours_left: float = 100, **kwargs):
    closes_at = utcnow().replace(microsecond=0) + timedelta(hours=hours_left)
    return f.SeasonFactory(program=kwargs.pop("program", None) or f.ProgramFactory(name="InnoX"),
                           name=kwargs.pop("name", "Autumn 2026"), closes_at=closes_at, **kwargs)


def _draft(db, season, owner, *, cofounders=(), status=Status.DRAFT, name="Paxta AI"):
    startup = Startup(owner_id=owner.id, name=name, sector="agritech", region="andijan")
    db.session.add(startup)
    db.session.flush()
    for user in cofounders:
        db.session.add(StartupCollaborator(startup_id=startup.id, user_id=user.id))
    application = Application(season_id=season.id, startup_id=startup.id, status=status)
    db.session.add(application)
    db.session.commit()
    return application


def _before(season, hours: float):
    """The moment `hours` before the season closes."""
    return season.closes_at - timedelta(hours=hours)


def _reminders(db):
    db.session.expire_all()
    return db.session.scalars(select(Notification).where(Notification.kind == "deadline_reminder")
                              .order_by(Notification.id)).all()


def _keys(db):
    return sorted(n.dedupe_key for n in _reminders(db))


def test_a_draft_71_hours_before_gets_one_72_hour_reminder(app, db, founder, make_user):
    cofounder = make_user(email="aziz@example.org", name="Aziz")
    season = _season()
    application = _draft(db, season, founder, cofounders=[cofounder])
    result = send_deadline_reminders(now=_before(season, 71))
    assert result == {"drafts": 1, "queued": 2, "already_sent": 0}
    assert _keys(db) == sorted([f"reminder:{application.id}:{founder.id}:72",
                                f"reminder:{application.id}:{cofounder.id}:72"])
    note = next(n for n in _reminders(db) if n.to_email == founder.email)
    assert note.status == DeliveryStatus.PENDING and note.via_email
    assert note.subject == "The deadline is near: your application is not submitted yet"
    assert "71 hours left" in note.body_text
    assert "InnoX: Autumn 2026" in note.body_text and "Paxta AI" in note.body_text
    assert note.link.endswith(f"/applications/{application.id}/form")
    assert note.link in note.body_text and note.link in note.body_html


def test_running_twice_sends_one_reminder_per_draft_per_threshold(app, db, founder, make_user):
    season = _season()
    first = _draft(db, season, founder)
    second = _draft(db, season, make_user(), name="Suv Tech")
    now = _before(season, 71)
    assert send_deadline_reminders(now=now)["queued"] == 2
    assert send_deadline_reminders(now=now) == {"drafts": 2, "queued": 0, "already_sent": 2}
    # Later runs inside the same window add nothing either.
    assert send_deadline_reminders(now=_before(season, 30))["queued"] == 0
    assert len(_reminders(db)) == 2
    # At 23 hours the 24-hour one goes, once.
    assert send_deadline_reminders(now=_before(season, 23))["queued"] == 2
    assert send_deadline_reminders(now=_before(season, 22))["queued"] == 0
    assert _keys(db) == sorted(f"reminder:{a.id}:{a.startup.owner_id}:{t}" for a in (first, second) for t in (72, 24))
    assert "23 hours left" in _reminders(db)[-1].body_text


def test_not_yet_inside_a_window_nothing_is_sent(app, db, founder):
    season = _season()
    _draft(db, season, founder)
    assert send_deadline_reminders(now=_before(season, 73))["queued"] == 0
    assert _reminders(db) == []


def test_a_draft_first_seen_inside_24_hours_gets_only_the_24_hour_reminder(app, db, founder):
    season = _season()
    application = _draft(db, season, founder)
    send_deadline_reminders(now=_before(season, 20))
    send_deadline_reminders(now=_before(season, 10))
    assert _keys(db) == [f"reminder:{application.id}:{founder.id}:24"]


def test_last_hour_says_less_than_an_hour(app, db, founder):
    season = _season()
    _draft(db, season, founder)
    send_deadline_reminders(now=_before(season, 0.5))
    assert "Less than an hour left" in _reminders(db)[0].body_text


def test_submitted_and_withdrawn_applications_get_none(app, db, founder, make_user):
    season = _season()
    _draft(db, season, founder, status=Status.SUBMITTED)
    _draft(db, season, make_user(), status=Status.WITHDRAWN, name="Gone")
    assert send_deadline_reminders(now=_before(season, 23)) == {"drafts": 0, "queued": 0, "already_sent": 0}
    assert _reminders(db) == []


@pytest.mark.parametrize("status", [SeasonStatus.CLOSED, SeasonStatus.REVIEWING, SeasonStatus.DRAFT])
def test_a_season_that_is_not_open_gets_none(app, db, founder, status):
    season = _season(status=status)
    _draft(db, season, founder)
    assert send_deadline_reminders(now=_before(season, 23))["queued"] == 0
    assert _reminders(db) == []


def test_after_the_deadline_nothing_is_sent(app, db, founder):
    season = _season()
    _draft(db, season, founder)
    assert send_deadline_reminders(now=_before(season, -1))["queued"] == 0
    assert _reminders(db) == []


def test_deactivated_accounts_get_none(app, db, founder, make_user):
    gone = make_user(email="gone@example.org", is_active_account=False)
    season = _season()
    _draft(db, season, founder, cofounders=[gone])
    send_deadline_reminders(now=_before(season, 23))
    assert [n.to_email for n in _reminders(db)] == [founder.email]


def test_the_reminder_is_in_the_recipients_language_and_time_zones(app, db, founder, make_user):
    moscow = make_user(email="olga@example.org", name="Ольга", locale="ru", timezone="Europe/Moscow")
    season = _season(timezone="Asia/Tashkent")
    _draft(db, season, founder, cofounders=[moscow])
    send_deadline_reminders(now=_before(season, 23))
    notes = {n.to_email: n for n in _reminders(db)}
    russian = notes["olga@example.org"]
    assert russian.locale == "ru"
    assert "Ольга" in russian.body_text
    # The deadline in the season's zone, named, and in her own zone, which differs.
    assert "Asia/Tashkent (UTC+05:00)" in russian.body_text
    assert "Europe/Moscow (UTC+03:00)" in russian.body_text
    assert "Asia/Tashkent (UTC+05:00)" in russian.body_html
    # The founder lives in the season's zone: one time is enough.
    english = notes[founder.email]
    assert english.locale == "en"
    assert "Asia/Tashkent (UTC+05:00)" in english.body_text and "Europe/Moscow" not in english.body_text


def test_the_task_is_registered_and_scheduled(app):
    import workers.tasks  # noqa: F401  (registers the tasks)

    celery = app.extensions["celery"]
    assert "applications.send_reminders" in celery.tasks
    entry = next(e for e in celery.conf.beat_schedule.values() if e["task"] == "applications.send_reminders")
    assert entry["schedule"] == float(app.config["REMINDER_EVERY_SECONDS"]) == 900.0


def test_the_task_runs_the_service_and_commits(app, db, founder):
    from workers.tasks import send_reminders

    season = _season(hours_left=23)
    _draft(db, season, founder)
    assert send_reminders.run()["queued"] == 1  # the real clock: 23 h before closes_at
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


@pytest.mark.slow
def test_beat_and_a_real_worker_deliver_the_reminder(app, db, founder, worker_env, smtp_sink, tmp_path):
    from tests.support import broker
    from tests.support.processes import WorkerProcess
    from tests.support.smtp import body_text

    broker.purge()
    season = _season(hours_left=23)
    application = _draft(db, season, founder)
    log = tmp_path / "worker.log"
    env = dict(worker_env, REMINDER_EVERY_SECONDS="1")
    with WorkerProcess(env, beat=True, log_path=log):
        messages = smtp_sink.wait_for(1, timeout=45)
        time.sleep(2.5)  # a few more beats: still one e-mail
    assert len(smtp_sink.messages) == 1, log.read_text()[-3000:]
    msg = messages[0]
    assert msg["To"] == founder.email
    assert msg["Subject"] == "The deadline is near: your application is not submitted yet"
    assert f"/applications/{application.id}/form" in body_text(msg)


def _not_outbox(statements):
    """The statements that are not the outbox's own per-message work (its dedupe check and insert)."""
    return [s for s in statements if "notifications" not in s]


def _measure(db, make_user, count: int, hours_left: float):
    """Run the reminders for a season of `count` drafts (each with a co-founder), then run them again."""
    season = _season(hours_left=hours_left)
    for i in range(count):
        _draft(db, season, make_user(), cofounders=[make_user()], name=f"Startup {i}")
    db.session.expire_all()
    now = _before(season, 71)  # any other season is then either closed or not yet inside a window
    with count_queries() as sending:
        assert send_deadline_reminders(now=now)["queued"] == 2 * count
    with count_queries() as rerun:
        assert send_deadline_reminders(now=now) == {"drafts": count, "queued": 0, "already_sent": 2 * count}
    return sending.statements, rerun.statements


def test_bounded_queries_whatever_the_number_of_drafts(app, db, make_user):
    few_sending, few_rerun = _measure(db, make_user, 2, hours_left=100)
    many_sending, many_rerun = _measure(db, make_user, 20, hours_left=400)
    # Loading the drafts with their season, program, startup, owner and co-founders: one statement,
    # for 2 drafts as for 20. The outbox adds one look-up of the keys it has seen, then its own
    # check and insert per message.
    assert len(_not_outbox(few_sending)) == len(_not_outbox(many_sending)) == 1, _not_outbox(many_sending)
    assert len(many_sending) - len(_not_outbox(many_sending)) == 1 + 2 * (2 * 20)
    # A rerun (every beat, everything already sent) costs the same whatever the count: the drafts and
    # the keys already seen.
    assert len(few_rerun) == len(many_rerun) == 2, many_rerun
