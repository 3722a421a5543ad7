"""The `letters.send_batch` task writes the letters a request recorded: once, all or nothing, after
the letters queued by other batches meanwhile, in bulk; the request itself stays cheap; a lost
message is sent again; the e-mail around each letter is the one the templates render."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from incubator.applications.states import Status
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.jobs.models import Job
from incubator.letters.models import LetterBatchItem
from incubator.letters.progress import batch_progress
from incubator.letters.queueing import prepare_batch, send_batch, send_letters
from incubator.notifications.models import Notification
from tests.support import broker
from tests.support import factories as f
from tests.support.factories_fixtures import bearer
from tests.support.journey import add_cofounder
from tests.support.letters import (
    application_in_review, decide, offer_for, rejected_applications, run_send_batches, season_with_stages,
)
from tests.support.queries import count_queries, count_rows


@pytest.fixture(autouse=True)
def _empty_broker(app):
    broker.purge()  # the tasks earlier tests published


@pytest.fixture
def season_setup(program):
    return season_with_stages(program)



def test_the_request_only_records_the_choice_and_the_task_writes_the_letters_once(app, manager, season_setup):
    season, screening, _ = season_setup
    pairs = rejected_applications(season, screening, 3)
    add_cofounder(pairs[0][0].startup, f.UserFactory(name="Second", locale="ru"))
    with count_queries() as counter:
        batch, job = send_letters(season, actor=manager, application_ids=[a.id for a, _ in pairs[:2]],
                                  include_feedback=True)
        db.session.commit()
    assert counter.count <= 12, counter.statements  # a handful, whatever the number of letters
    assert not [q for q in counter.statements if "notifications (" in q], counter.statements  # no outbox row yet
    assert (batch.application_ids, batch.event_ids, batch.all_unsent, batch.include_feedback) == (
        [pairs[0][0].id, pairs[1][0].id], None, False, True)
    assert batch.prepared_at is None and (job.status, job.total, job.message) == ("queued", 3, "3 letters to send.")
    assert count_rows(Notification) == 0 and count_rows(LetterBatchItem) == 0

    assert run_send_batches(dispatch=False) == [batch.id]
    db.session.expire_all()
    assert batch.prepared_at is not None and count_rows(Notification) == 3 and count_rows(LetterBatchItem) == 3
    keys = set(db.session.scalars(select(Notification.dedupe_key)))
    # A redelivered message: prepared once, nothing queued twice, dispatching again sends no task twice.
    assert prepare_batch(batch.id).id == batch.id
    assert send_batch(batch.id)["dispatched"] == 3
    assert send_batch(batch.id)["dispatched"] == 3  # the same rows lined up again; delivery claims each once
    broker.purge()
    assert set(db.session.scalars(select(Notification.dedupe_key))) == keys and count_rows(LetterBatchItem) == 3
    notes = list(db.session.scalars(select(Notification)))
    assert len({n.message_id for n in notes}) == 3 and all(n.body_html.startswith("<!doctype html>") for n in notes)
    assert {n.locale for n in notes} == {"en", "ru"}


def test_a_letter_queued_by_another_batch_meanwhile_is_skipped(app, manager, season_setup, monkeypatch):
    from incubator.letters import queueing

    season, screening, _ = season_setup
    rejected_applications(season, screening, 2)
    first, first_job = send_letters(season, actor=manager, all_unsent=True)
    second, second_job = send_letters(season, actor=manager, all_unsent=True)
    db.session.commit()
    assert first_job.total == second_job.total == 2
    render = queueing.render_batch
    calls = []

    def render_then_race(batch):
        found = render(batch)
        if not calls:  # the first batch writes its letters while the second is being rendered
            calls.append(batch.id)
            queueing.prepare_batch(first.id)
        return found

    monkeypatch.setattr(queueing, "render_batch", render_then_race)
    assert queueing.prepare_batch(second.id).id == second.id
    db.session.expire_all()
    assert count_rows(Notification) == 2
    assert batch_progress(first.id).total == 2 and batch_progress(second.id).total == 0
    job = db.session.get(Job, second_job.id)
    assert (job.status, job.total, job.message) == ("done", 0, "Nothing new to send: these letters were sent before.")


def test_a_letter_that_cannot_be_written_fails_the_job_and_nothing_is_queued(client, api_token, manager, program,
                                                                               season_setup, login):
    from incubator.letters.models import LetterTemplate

    season, screening, _ = season_setup
    rejected_applications(season, screening, 2)
    accepted = application_in_review(season, screening, name="Accepted")
    decide(accepted, Status.ACCEPTED, stage=screening)
    offer_for(accepted)
    # Saved before the check existed (saving refuses it now): a placeholder a letter does not have.
    db.session.add(LetterTemplate(program_id=program.id, kind="rejected", locale="en", subject="Hello",
                                  body="Dear {{ founder_name }}, {{ offer_deadline }}"))
    db.session.commit()
    headers = bearer(api_token(manager))
    response = client.post(f"/api/v1/seasons/{season.id}/letters", json={"all_unsent": True}, headers=headers)
    assert response.status_code == 202 and response.json["job"]["total"] == 3
    assert response.json["job"]["result"]["queued"] == 3
    assert run_send_batches() == [response.json["batch_id"]]
    assert count_rows(Notification) == 0 and count_rows(LetterBatchItem) == 0
    job = client.get(f"/api/v1/jobs/{response.json['job']['id']}", headers=headers).json
    assert job["status"] == "failed" and job["message"].startswith("2 letters could not be written, so nothing")
    assert job["error"].splitlines() == [
        f"Startup {i:03d} (Not selected, en): Line 1: The placeholder “offer_deadline” is not available in this "
        "letter. Available: application_link, feedback, founder_name, program_name, season_name, stage_name, "
        "startup_name." for i in range(2)]
    assert send_batch(response.json["batch_id"])["dispatched"] == 0  # redelivered: still nothing
    assert count_rows(Notification) == 0
    login(manager)
    page = client.get(f"/manage/letter-batches/{response.json['batch_id']}").get_data(as_text=True)
    assert "2 letters could not be written" in page and "Startup 001 (Not selected, en): Line 1:" in page
    assert "hx-trigger" not in page


def test_a_season_closed_before_the_task_runs_sends_nothing(app, manager, season_setup):
    from incubator.programs.models import SeasonStatus

    season, screening, _ = season_setup
    rejected_applications(season, screening, 1)
    batch, job = send_letters(season, actor=manager, all_unsent=True)
    db.session.commit()
    season.status = SeasonStatus.CLOSED
    db.session.commit()
    run_send_batches()
    job = db.session.get(Job, job.id)
    assert job.status == "failed" and "its decision letters can no longer be sent" in job.error
    assert count_rows(Notification) == 0


def test_a_lost_task_message_is_sent_again_by_the_sweep(app, manager, season_setup):
    from incubator.letters.queueing import requeue_unprepared

    season, screening, _ = season_setup
    rejected_applications(season, screening, 2)
    batch, job = send_letters(season, actor=manager, all_unsent=True)
    db.session.commit()
    broker.purge()  # the message is lost
    assert requeue_unprepared() == {"letter_batches_requeued": 0}  # not yet: its task may be running
    assert run_send_batches() == []
    later = utcnow() + timedelta(minutes=11)
    assert requeue_unprepared(later) == {"letter_batches_requeued": 1}
    assert run_send_batches() == [batch.id] and count_rows(Notification) == 2
    assert requeue_unprepared(later) == {"letter_batches_requeued": 0}  # prepared: left alone


def test_batches_sent_before_the_migration_count_as_prepared(tmp_path):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from incubator import create_app
    from incubator.extensions import db as _db

    other = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.db'}")
    with other.app_context():
        upgrade(revision="0006")
        with _db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # a batch alone: its season is not needed here
            conn.execute(text("INSERT INTO letter_batches (id, season_id, include_feedback, created_at) "
                              "VALUES (1, 1, 0, '2026-01-02 10:00:00')"))
            conn.commit()
        upgrade(revision="0007")
        with _db.engine.connect() as conn:
            row = conn.execute(text("SELECT prepared_at, all_unsent, event_ids FROM letter_batches")).one()
        assert row[0] is not None and str(row[0]).startswith("2026-01-02 10:00:00") and row[1:] == (0, None)
        downgrade(revision="0006")
        with _db.engine.connect() as conn:
            assert "prepared_at" not in conn.execute(text("SELECT * FROM letter_batches")).keys()
        _db.engine.dispose()


def test_the_e_mail_around_each_letter_is_the_one_the_templates_render(app):
    """The task renders the e-mail once per language and fills each letter in: the same bytes."""
    from flask_babel import force_locale

    from incubator.letters.queueing import _Frames
    from incubator.letters.templating import RenderedLetter, text_to_html
    from incubator.notifications.services import render_bodies

    frames = _Frames()
    for locale in ("ru", "en", "ru", "en", "uz"):
        for name in ("Plain", 'Tom & "Jerry" <script>alert(1)</script>', "Ёлка S{0}S"):
            text = f"Dear {name},\n\nhttps://example.org/a?b=1&c=2\n\n— {locale}"
            letter = RenderedLetter(subject=f"{name}: a decision", text=text, html=text_to_html(text))
            with force_locale(locale):
                expected = render_bodies("decision_letter", {"link": "https://x.test/1", "letter": letter,
                                                             "subject": letter.subject})
            assert frames.bodies(locale, letter, "https://x.test/1") == expected
    assert set(frames._frames) == {"ru", "en", "uz"} and all(frames._frames.values())
