"""End to end, in a real browser: sign up, get the verification e-mail from a real worker over real
SMTP, confirm, log in, switch to Uzbek, see the open InnoX season.

Pieces: the test app served over HTTP from a thread (werkzeug), a real Celery worker process that
delivers the outbox to the aiosmtpd sink, and Debian's Chromium driven by Playwright (sync API).
"""
from __future__ import annotations

import os
import re
import shutil
import time

import pytest

from tests.support import broker
from tests.support import factories as f
from tests.support.live_server import LiveServer
from tests.support.processes import WorkerProcess
from tests.support.smtp import body_text

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MAIL_TIMEOUT = 30.0  # seconds for the worker to start, pick up the task and deliver the message
UI_TIMEOUT_MS = 15_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)),
                       reason=f"no Chromium at {CHROMIUM} (set E2E_CHROMIUM to another binary)"),
]

try:
    from playwright.sync_api import expect, sync_playwright
except Exception as exc:  # noqa: BLE001  (not installed, or a broken install)
    pytestmark.append(pytest.mark.skip(reason=f"playwright cannot be imported: {exc!r} "
                                              "(pip install -e '.[browser]')"))

SUMMARY_UZ = "InnoX — Toshkentdagi texnologik startaplar uchun akselerator dasturi"
DESCRIPTION_UZ = "Uchinchi qabul: arizalar kuzgacha qabul qilinadi"


@pytest.fixture
def innox_open_season(app):
    program = f.ProgramFactory(
        name="InnoX",
        summary={"en": "InnoX: an accelerator for tech startups in Tashkent",
                 "ru": "InnoX — акселератор для технологических стартапов Ташкента",
                 "uz": SUMMARY_UZ},
    )
    return f.SeasonFactory(  # status open, window from 10 days ago to 10 days ahead
        program=program, name="Season 3",
        description={"en": "The third call: applications are open until autumn",
                     "ru": "Третий набор: заявки принимаются до осени",
                     "uz": DESCRIPTION_UZ},
    )


def uzbek(message: str) -> str:
    """The compiled Uzbek translation of `message` (the message itself while there is none)."""
    from flask_babel import force_locale, gettext

    with force_locale("uz"):
        return gettext(message)


def wait_until(predicate, timeout: float, interval: float = 0.1):
    """Poll `predicate` until it returns something truthy (returned) or `timeout` passes (None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value or None
        time.sleep(interval)


def worker_alive(worker: WorkerProcess) -> bool:
    return worker.proc is not None and worker.proc.poll() is None


def worker_output(worker: WorkerProcess) -> str:
    try:
        return worker.log_path.read_text(errors="replace")[-4000:]
    except OSError:
        return ""


def _diagnose(worker: WorkerProcess, email: str) -> str:
    from sqlalchemy import select

    from incubator.extensions import db
    from incubator.notifications.models import Notification

    rows = db.session.execute(
        select(Notification.id, Notification.kind, Notification.status, Notification.attempts,
               Notification.last_error).where(Notification.to_email == email)
    ).all()
    return (f"outbox rows for {email}: {rows}\nworker alive: {worker_alive(worker)}\n"
            f"--- worker output ---\n{worker_output(worker)}")


def test_register_verify_login_and_read_in_uzbek(app, smtp_sink, worker_env, tmp_path, innox_open_season):
    email, name, password = "dilnoza@example.org", "Dilnoza Karimova", "Samarqand-Non-2026"
    broker.purge()  # tasks left by earlier tests point at rows that are gone

    with LiveServer(app) as server:
        # The verification e-mail is rendered in the web request (when it is queued), so the
        # links must point at the live server before anyone registers.
        app.config["PUBLIC_BASE_URL"] = server.url
        worker = WorkerProcess({**worker_env, "PUBLIC_BASE_URL": server.url},
                               log_path=tmp_path / "worker.log").start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                try:
                    context = browser.new_context(base_url=server.url, locale="en-US")
                    context.set_default_timeout(UI_TIMEOUT_MS)
                    _journey(context.new_page(), server, worker, smtp_sink, tmp_path, email, name, password)
                finally:
                    browser.close()
            assert worker_alive(worker), "the worker died during the test\n" + worker_output(worker)
        except BaseException:
            worker.kill()  # no warm shutdown after a failure
            raise
        finally:
            worker.stop()


def _journey(page, server, worker, smtp_sink, tmp_path, email, name, password) -> None:
    from sqlalchemy import select

    from incubator.accounts.models import User
    from incubator.extensions import db

    # 1. Sign up.
    page.goto("/auth/register")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    form = page.locator("main form")
    form.locator("#name").fill(name)
    form.locator("#email").fill(email)
    form.locator("#password").fill(password)
    form.locator("[type=submit]").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    # 2. The worker delivers the verification e-mail to the SMTP sink.
    messages = wait_until(lambda: smtp_sink.to(email), timeout=MAIL_TIMEOUT)
    assert messages, f"no e-mail for {email} within {MAIL_TIMEOUT:.0f} s\n" + _diagnose(worker, email)
    assert len(messages) == 1, [m["Subject"] for m in messages]
    assert messages[0]["Subject"] == "Confirm your e-mail address"
    text = body_text(messages[0])
    links = re.findall(re.escape(server.url) + r"/auth/verify/\S+", text)
    assert len(links) == 1, f"expected one verification link to {server.url} in:\n{text}"

    # 3. Open the link: the address is confirmed.
    page.goto(links[0])
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect(page.get_by_text(f"Thank you, {name}: your e-mail address is confirmed.")).to_be_visible()

    # 4. Log in.
    form = page.locator("main form")
    form.locator("#email").fill(email)
    form.locator("#password").fill(password)
    form.locator("[type=submit]").click()
    expect(page).to_have_url(server.url + "/")
    expect(page.get_by_text(f"Welcome, {name}.")).to_be_visible()
    expect(page.get_by_role("link", name="InnoX: Season 3", exact=True)).to_be_visible()

    # 5. Switch to Uzbek with the header button.
    header = page.locator("header")
    header.get_by_role("button", name="Oʻzbekcha").click()
    expect(page.locator("html")).to_have_attribute("lang", "uz")
    expect(header.get_by_role("button", name="Oʻzbekcha")).to_have_attribute("aria-current", "true")
    open_calls = uzbek("Open calls")
    # TODO: the Uzbek catalog (incubator/translations/uz) is being written in parallel; once it is
    # committed and compiled, drop this `if` and assert the Uzbek "Open calls" unconditionally.
    if open_calls != "Open calls":
        expect(header.get_by_role("link", name=open_calls, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="InnoX: Season 3", exact=True)).to_be_visible()
    expect(page.get_by_text(SUMMARY_UZ)).to_be_visible()

    shot = tmp_path / "home-uz.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.is_file() and shot.stat().st_size > 0
    if os.environ.get("E2E_ARTIFACTS"):  # keep it, e.g. as a CI artifact
        os.makedirs(os.environ["E2E_ARTIFACTS"], exist_ok=True)
        shutil.copy(shot, os.environ["E2E_ARTIFACTS"])

    # 6. The season page speaks Uzbek too, and the choice is saved on the account.
    page.get_by_role("link", name="InnoX: Season 3", exact=True).click()
    expect(page.get_by_role("heading", name="InnoX: Season 3")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "uz")
    expect(page.get_by_text(DESCRIPTION_UZ)).to_be_visible()
    assert db.session.scalar(select(User.locale).where(User.email == email)) == "uz"
    assert db.session.scalar(select(User.email_verified_at).where(User.email == email)) is not None
