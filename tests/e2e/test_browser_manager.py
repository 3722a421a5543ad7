"""End to end, in a real browser: at the last stage of a season in review, with submitted reviews, a
manager advances the top 2 (accepted, each with an offer), then announces those decisions: preview,
confirm, send; a real worker delivers one letter per recipient to the aiosmtpd sink while the batch
page (polled by htmx) counts them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.core.timeutil import utcnow
from incubator.letters.models import LetterBatch
from incubator.notifications.models import DeliveryStatus, Notification
from incubator.programs.models import SeasonStatus
from incubator.reviews.models import Assignment, Review, ReviewStatus
from incubator.selection.models import Offer
from tests.e2e.test_browser_register import (
    CHROMIUM, CHROMIUM_ARGS, UI_TIMEOUT_MS, pytestmark as _register_marks, wait_until, worker_alive, worker_output,
)
from tests.support import broker
from tests.support import factories as f
from tests.support.journey import startup_of
from tests.support.live_server import LiveServer
from tests.support.processes import WorkerProcess

pytestmark = list(_register_marks)  # browser, slow, and the skips when Chromium or Playwright is missing
try:
    from playwright.sync_api import expect, sync_playwright
except Exception as exc:  # noqa: BLE001
    pytestmark.append(pytest.mark.skip(reason=f"playwright cannot be imported: {exc!r}"))

SEND_TIMEOUT = 30.0
# Two reviewers score every application; the names sort differently from the scores on purpose.
SCORES = {"Anor Labs": (2, 3), "Bulut AI": (5, 5), "Chinor Tech": (1, 1), "Paxta AI": (4, 4)}
TOP_TWO = ("Bulut AI", "Paxta AI")


@pytest.fixture
def scenario(app, db, program):
    """A season past its window, in review, with one stage (so the last); four applications scored."""
    now = utcnow()
    season = f.SeasonFactory(program=program, name="Season 3", status=SeasonStatus.REVIEWING,
                             opens_at=now - timedelta(days=40), closes_at=now - timedelta(days=2), quota=10,
                             timezone="Asia/Tashkent")
    stage = f.StageFactory(season=season, position=1, name={"en": "Demo Day"}, reviews_required=2)
    f.CriterionFactory(stage=stage, key="team", scale_min=1, scale_max=5)
    reviewers = [f.UserFactory(name="Reviewer One"), f.UserFactory(name="Reviewer Two")]
    apps = {}
    for name, scores in SCORES.items():
        owner = f.UserFactory(name=f"{name} Founder", email=f"{name.split()[0].lower()}@example.org")
        startup = startup_of(owner, name=name)
        application = Application(season_id=season.id, startup_id=startup.id, created_by_id=owner.id,
                                  status=Status.IN_REVIEW, current_stage_id=stage.id,
                                  submitted_at=now - timedelta(days=5))
        db.session.add(application)
        db.session.flush()
        for reviewer, value in zip(reviewers, scores, strict=True):
            assignment = Assignment(stage_id=stage.id, application_id=application.id, reviewer_id=reviewer.id)
            db.session.add(assignment)
            db.session.flush()
            db.session.add(Review(assignment_id=assignment.id, scores={"team": value}, total=float(value),
                                  status=ReviewStatus.SUBMITTED, submitted_at=now - timedelta(hours=1)))
        db.session.commit()
        apps[name] = application
    return season, stage, apps


def test_manager_accepts_the_top_two_and_sends_the_letters(app, db, manager, password, scenario, worker_env,
                                                           smtp_sink, tmp_path):
    season, stage, apps = scenario
    owners = {name: a.startup.owner.email for name, a in apps.items()}
    broker.purge()  # tasks left by earlier tests point at rows that are gone
    with LiveServer(app) as server:
        app.config["PUBLIC_BASE_URL"] = server.url
        worker = WorkerProcess({**worker_env, "PUBLIC_BASE_URL": server.url, "LETTER_RATE_PER_SECOND": "50"},
                               log_path=tmp_path / "worker.log").start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                try:
                    context = browser.new_context(base_url=server.url, locale="en-US")
                    context.set_default_timeout(UI_TIMEOUT_MS)
                    _journey(context.new_page(), season, stage, manager, password, tmp_path)
                finally:
                    browser.close()
            db.session.expire_all()
            letters = wait_until(lambda: _delivered_letters(db, smtp_sink, season), timeout=SEND_TIMEOUT)
            assert letters, _diagnose(db, worker)
            assert worker_alive(worker), "the worker died during the test\n" + worker_output(worker)
        except BaseException:
            worker.kill()
            raise
        finally:
            worker.stop()

    # The decisions: the two best accepted with an offer, the others untouched.
    db.session.expire_all()
    rows = {name: db.session.get(Application, a.id) for name, a in apps.items()}
    for name, row in rows.items():
        if name in TOP_TWO:
            assert row.status == Status.ACCEPTED, name
        else:
            assert (row.status, row.current_stage_id) == (Status.IN_REVIEW, stage.id), name
    offers = db.session.scalars(select(Offer)).all()
    assert sorted(o.application_id for o in offers) == sorted(apps[name].id for name in TOP_TWO)

    # The letters: one per recipient (each startup's owner), each delivered exactly once.
    notes = db.session.scalars(select(Notification).where(Notification.kind == "decision_letter")).all()
    assert sorted(n.to_email for n in notes) == sorted(owners[name] for name in TOP_TWO)
    assert all(n.status == DeliveryStatus.SENT for n in notes), [(n.to_email, n.status, n.last_error) for n in notes]
    for note in notes:
        received = [m for m in smtp_sink.to(note.to_email) if str(m["Subject"]) == note.subject]
        assert len(received) == 1, (note.to_email, note.subject, [str(m["Subject"]) for m in smtp_sink.messages])
    for name in SCORES:
        if name not in TOP_TWO:
            assert smtp_sink.to(owners[name]) == [], name
    assert (tmp_path / "letters-sent.png").stat().st_size > 10_000


def _journey(page, season, stage, manager, password, tmp_path) -> None:
    page.goto("/auth/login")
    page.get_by_label("E-mail").fill(manager.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)

    # The stage's leaderboard, best first; decide for the top 2: the last stage accepts with an offer.
    page.goto(f"/manage/stages/{stage.id}/decisions")
    expect(page.locator("body")).to_contain_text("This is the last stage")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("Bulut AI")
    expect(rows.nth(1)).to_contain_text("Paxta AI")
    page.get_by_label("Advance", exact=True).check()
    page.get_by_label("Why (on each application's timeline)").fill("Demo Day jury, top two")
    page.get_by_label("or the top N in review").fill("2")
    page.get_by_role("button", name="Decide for the top N").click()
    expect(page.locator("body")).to_contain_text(
        "Done: 0 advanced, 2 accepted with an offer, 0 rejected, 0 waitlisted.")
    expect(rows).to_have_count(2)  # the accepted ones leave the stage's table
    for name in TOP_TWO:
        expect(page.locator("table")).not_to_contain_text(name)

    # Announce them: tick both decisions, preview a sample, confirm, send.
    page.goto(f"/manage/seasons/{season.id}/letters")
    letters = page.locator("table tbody tr")
    expect(letters).to_have_count(2)
    for name in TOP_TWO:
        expect(page.locator("table")).to_contain_text(name)
        page.get_by_label(name, exact=True).check()
    page.get_by_role("button", name="Preview a sample").click()
    expect(page.locator("#sample-h")).to_contain_text("A sample:")
    expect(page.locator("body")).to_contain_text("Nothing was sent.")
    expect(page.get_by_role("checkbox", checked=True)).to_have_count(2)  # the choice is kept
    page.get_by_role("button", name="Review and send").click()
    expect(page.get_by_role("heading", name="Send the letters?")).to_be_visible()
    expect(page.locator("body")).to_contain_text("2 letters will be sent")
    page.get_by_role("button", name="Send 2 letters").click()

    # The batch page: htmx polls the progress until everything is handled.
    expect(page.get_by_role("heading", name="Letters sent")).to_be_visible()
    expect(page.locator("body")).to_contain_text("2 letters are on their way.")
    progress = page.locator("#letter-progress")
    expect(progress).to_contain_text("Finished.", timeout=SEND_TIMEOUT * 1000)
    expect(progress).to_contain_text("2 of 2 handled")
    expect(page.locator("#count-sent")).to_have_text("2")
    expect(page.locator("#count-failed")).to_have_text("0")
    page.screenshot(path=str(tmp_path / "letters-sent.png"), full_page=True)


def _delivered_letters(db, smtp_sink, season):
    """The decision letters' outbox rows once each is sent and in the sink (None before)."""
    db.session.expire_all()
    batch = db.session.scalar(select(LetterBatch).where(LetterBatch.season_id == season.id))
    if batch is None:
        return None
    notes = db.session.scalars(select(Notification).where(Notification.kind == "decision_letter")).all()
    if not notes or any(n.status != DeliveryStatus.SENT for n in notes):
        return None
    if not all(any(str(m["Subject"]) == n.subject for m in smtp_sink.to(n.to_email)) for n in notes):
        return None
    return notes


def _diagnose(db, worker) -> str:
    db.session.expire_all()
    rows = db.session.execute(select(Notification.id, Notification.kind, Notification.to_email, Notification.status,
                                     Notification.attempts, Notification.last_error)).all()
    return (f"outbox rows: {rows}\nworker alive: {worker_alive(worker)}\n"
            f"--- worker output ---\n{worker_output(worker)}")
