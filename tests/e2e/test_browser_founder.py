"""End to end, in a real browser: a founder creates a startup, starts an application, types answers
(autosaved by htmx), reloads, uploads a PDF deck, submits, receives the confirmation e-mail from a
real worker over real SMTP, and reads the timeline."""
from __future__ import annotations


import pytest
from sqlalchemy import select

from incubator.applications.models import Answer, Application, Attachment
from incubator.programs.models import QuestionType
from tests.e2e.test_browser_register import CHROMIUM, CHROMIUM_ARGS, UI_TIMEOUT_MS, wait_until
from tests.support import broker
from tests.support import factories as f
from tests.support.live_server import LiveServer
from tests.support.processes import WorkerProcess
from tests.support.smtp import body_text

pytestmark = [pytest.mark.browser, pytest.mark.slow]
try:
    from playwright.sync_api import expect, sync_playwright
except Exception as exc:  # noqa: BLE001
    pytestmark.append(pytest.mark.skip(reason=f"playwright cannot be imported: {exc!r}"))

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.fixture
def season(app):
    program = f.ProgramFactory(name="InnoX")
    season = f.SeasonFactory(program=program, name="Season 3")
    f.QuestionFactory(season=season, key="pitch", type=QuestionType.SHORT_TEXT, required=True, max_chars=120,
                      label={"en": "One-line pitch"})
    f.QuestionFactory(season=season, key="problem", type=QuestionType.LONG_TEXT, required=True, max_words=100,
                      label={"en": "The problem you solve"})
    f.QuestionFactory(season=season, key="deck", type=QuestionType.FILE, required=True, label={"en": "Pitch deck"})
    return season


def test_founder_goes_from_startup_to_submitted_application(app, db, founder, password, season, worker_env,
                                                            smtp_sink, tmp_path):
    broker.purge()
    deck = tmp_path / "Paxta deck.pdf"
    deck.write_bytes(PDF)
    with LiveServer(app) as server, WorkerProcess(dict(worker_env, PUBLIC_BASE_URL=server.url),
                                                  log_path=tmp_path / "worker.log"), sync_playwright() as pw:
        app.config["PUBLIC_BASE_URL"] = server.url
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="en-US").new_page()
            page.set_default_timeout(UI_TIMEOUT_MS)
            page.goto(f"{server.url}/auth/login")
            page.get_by_label("E-mail").fill(founder.email)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("link", name="My startups")).to_be_visible()
            # The startup profile.
            page.goto(f"{server.url}/my/startups/new")
            page.get_by_label("Startup name").fill("Paxta AI")
            page.get_by_label("One-line pitch").fill("Drones that count cotton bolls")
            page.get_by_label("Sector").select_option("agritech")
            page.get_by_label("Region of Uzbekistan").select_option("andijan")
            page.get_by_role("button", name="Save the startup").click()
            expect(page.locator("body")).to_contain_text("Paxta AI")
            # Apply to the open season.
            page.goto(f"{server.url}/seasons/{season.id}")
            page.get_by_role("link", name="Apply now").click()
            page.get_by_role("button", name="Start the application").click()
            expect(page.get_by_label("One-line pitch")).to_be_visible()
            page.get_by_label("One-line pitch").fill("Yield estimates from the sky")
            page.get_by_label("The problem you solve").fill("Farmers in Andijan guess their cotton yield.")
            expect(page.locator("#status-problem")).to_contain_text("Saved")
            expect(page.locator("#status-pitch")).to_contain_text("Saved")
            expect(page.locator("#counter-problem")).to_contain_text("7 of 100 words")
            page.reload()
            expect(page.get_by_label("One-line pitch")).to_have_value("Yield estimates from the sky")
            # The deck.
            page.locator("#q_deck").set_input_files(str(deck))
            page.get_by_role("button", name="Upload").click()
            expect(page.locator("#attachment-deck")).to_contain_text("Paxta deck.pdf")
            page.get_by_role("link", name="Review and submit").click()
            page.get_by_role("button", name="Submit now").click()
            expect(page.locator("#application-status")).to_contain_text("Submitted")
            expect(page.locator("#timeline")).to_contain_text("Draft started")
            expect(page.locator("#timeline")).to_contain_text("File attached")
            page.screenshot(path=str(tmp_path / "submitted.png"), full_page=True)
        finally:
            browser.close()
        messages = wait_until(lambda: smtp_sink.to(founder.email), timeout=30)
    assert messages, (tmp_path / "worker.log").read_text()[-2000:]
    text = body_text(messages[0])
    assert "Yield estimates from the sky" in text and "Paxta deck.pdf" in text
    db.session.expire_all()
    application = db.session.scalar(select(Application))
    assert application.status == "submitted"
    assert {a.value for a in db.session.scalars(select(Answer))} == {
        "Yield estimates from the sky", "Farmers in Andijan guess their cotton yield."}
    assert db.session.scalar(select(Attachment.original_name)) == "Paxta deck.pdf"
    assert (tmp_path / "submitted.png").stat().st_size > 10_000
