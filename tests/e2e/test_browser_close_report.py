"""End to end, in a real browser: a manager closes a fully decided season (the page says nothing
blocks it, the manager ticks "I understand" and closes), lands on the report's page, watches the
progress bar (htmx polls it every 2 s) while a real Celery worker compiles the report, sees the report
with its files and their SHA-256, and downloads the PDF (it is a PDF).

The worker is started only once the progress page shows the report waiting, so the test sees the
bar move from "waiting" to done rather than a report finished before the page loaded."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.core.timeutil import utcnow
from incubator.programs.models import SeasonStatus
from incubator.reports.models import ReportStatus, SeasonReport
from incubator.reviews.models import Assignment, Review, ReviewStatus
from incubator.selection.models import Offer, OfferStatus
from tests.e2e.test_browser_register import (
    CHROMIUM, CHROMIUM_ARGS, UI_TIMEOUT_MS, pytestmark as _register_marks, worker_alive, worker_output,
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

COMPILE_TIMEOUT_MS = 180_000  # a cold worker: figures, charts, WeasyPrint
# name -> (final status, score, offer)
STARTUPS = {"Anor Labs": (Status.ACCEPTED, 5, OfferStatus.CONFIRMED),
            "Bulut AI": (Status.ACCEPTED, 4, OfferStatus.CONFIRMED),
            "Chinor Tech": (Status.ACCEPTED, 4, OfferStatus.DECLINED),
            "Dala Soft": (Status.REJECTED, 2, None),
            "Eshik Pay": (Status.REJECTED, 1, None),
            "Farg'ona Go": (Status.WITHDRAWN, None, None)}


@pytest.fixture
def decided_season(app, db, program):
    """A season whose every application has a final state (decided), with submitted reviews."""
    now = utcnow()
    season = f.SeasonFactory(program=program, name="Autumn 2025", status=SeasonStatus.DECIDED,
                             opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=30), quota=3,
                             timezone="Asia/Tashkent")
    f.QuestionFactory(season=season, key="pitch")
    stage = f.StageFactory(season=season, position=1, name={"en": "Demo Day"}, reviews_required=1)
    f.CriterionFactory(stage=stage, key="team", scale_min=1, scale_max=5)
    reviewer = f.UserFactory(name="Reviewer One")
    for i, (name, (status, score, offer)) in enumerate(STARTUPS.items()):
        owner = f.UserFactory(name=f"{name} Founder", email=f"founder{i}@example.org")
        startup = startup_of(owner, name=name, women=i % 2 == 0)
        application = Application(season_id=season.id, startup_id=startup.id, created_by_id=owner.id, status=status,
                                   current_stage_id=stage.id, submitted_at=now - timedelta(days=40 - i),
                                   decided_at=now - timedelta(days=10) if status != Status.WITHDRAWN else None,
                                   withdrawn_at=now - timedelta(days=20) if status == Status.WITHDRAWN else None)
        db.session.add(application)
        db.session.flush()
        if score is not None:
            assignment = Assignment(stage_id=stage.id, application_id=application.id, reviewer_id=reviewer.id)
            db.session.add(assignment)
            db.session.flush()
            db.session.add(Review(assignment_id=assignment.id, scores={"team": score}, total=float(score),
                                  status=ReviewStatus.SUBMITTED, submitted_at=now - timedelta(days=15)))
        if offer is not None:
            db.session.add(Offer(application_id=application.id, season_id=season.id, status=offer,
                                 deadline_at=now - timedelta(days=3), responded_at=now - timedelta(days=5)))
        db.session.commit()
    return season


def test_manager_closes_the_season_and_downloads_the_report(app, db, manager, password, decided_season, worker_env,
                                                            tmp_path):
    season = decided_season
    broker.purge()  # tasks left by earlier tests point at rows that are gone
    with LiveServer(app) as server:
        app.config["PUBLIC_BASE_URL"] = server.url
        worker = WorkerProcess({**worker_env, "PUBLIC_BASE_URL": server.url}, log_path=tmp_path / "worker.log")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                try:
                    context = browser.new_context(base_url=server.url, locale="en-US", accept_downloads=True)
                    context.set_default_timeout(UI_TIMEOUT_MS)
                    pdf = _journey(context.new_page(), season, manager, password, worker, tmp_path)
                finally:
                    browser.close()
            assert worker_alive(worker), "the worker died during the test\n" + worker_output(worker)
        except BaseException:
            worker.kill()
            raise
        finally:
            worker.stop()

    assert pdf.startswith(b"%PDF"), pdf[:40]
    db.session.expire_all()
    report = db.session.scalar(select(SeasonReport).where(SeasonReport.season_id == season.id))
    assert report.status == ReportStatus.DONE and report.provisional is False
    assert db.session.get(type(season), season.id).status == SeasonStatus.CLOSED
    assert (tmp_path / "report-done.png").stat().st_size > 10_000


def _journey(page, season, manager, password, worker, tmp_path) -> bytes:
    page.goto("/auth/login")
    page.get_by_label("E-mail").fill(manager.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)

    # From the season's page to the closing page: nothing blocks, closing is final.
    page.goto(f"/manage/seasons/{season.id}")
    page.get_by_role("link", name="Close the season").click()
    expect(page.get_by_role("heading", name=re.compile("Close the season: Autumn 2025"))).to_be_visible()
    expect(page.locator("#nothing-blocks")).to_contain_text("Nothing blocks closing")
    expect(page.locator("body")).to_contain_text("Closing is final.")
    page.get_by_label("Language of the season report").select_option("en")
    page.get_by_label(re.compile("I understand: nothing of the season can change afterwards")).check()
    page.get_by_role("button", name="Close the season for good").click()

    # The report's page: the progress bar, waiting for a worker.
    page.wait_for_url(re.compile(r"/manage/reports/\d+$"))
    expect(page.locator("body")).to_contain_text("Autumn 2025” is closed. Its report is being compiled.")
    progress = page.locator("#report-progress progress")
    expect(progress).to_be_visible()
    assert int(progress.get_attribute("value")) < 100
    page.screenshot(path=str(tmp_path / "report-waiting.png"), full_page=True)

    # A worker picks the report up; htmx polls the bar until the page reloads with the report.
    worker.start()
    seen = set()

    def track():
        if page.locator("#report-progress progress").count():
            try:
                seen.add(int(page.locator("#report-progress progress").get_attribute("value", timeout=1000)))
            except Exception:  # noqa: BLE001  (swapped out between the two calls)
                pass

    download_heading = page.get_by_role("heading", name="Download the report")
    deadline = COMPILE_TIMEOUT_MS / 1000
    waited = 0.0
    while not download_heading.count() and waited < deadline:
        track()
        if page.locator(".alert-danger").count():
            raise AssertionError("the report failed: " + page.locator(".alert-danger").inner_text()
                                 + "\n" + worker_output(worker))
        page.wait_for_timeout(500)
        waited += 0.5
    expect(download_heading).to_be_visible(timeout=1000)
    assert seen, "the progress bar was never seen"
    page.screenshot(path=str(tmp_path / "report-done.png"), full_page=True)
    # Each file with its SHA-256.
    expect(page.locator("code.report-sha").first).to_have_text(re.compile(r"^[0-9a-f]{64}$"))

    # Download the PDF.
    link = page.get_by_role("link", name=re.compile(r"\.pdf$"))
    expect(link).to_have_count(1)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    return open(download.path(), "rb").read()
