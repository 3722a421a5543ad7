"""The closing issue's "done when", on `make run`'s demo data: a manager closes the InnoX autumn
season, gets a report in each format in each language, records an outcome, and sees the program
dashboard with the published figures. The report is compiled in-process here (the worker runs the same
function: tests/workers/test_report_worker.py)."""
from __future__ import annotations

import csv
import io
import zipfile

from flask_babel import force_locale, gettext
from pypdf import PdfReader
from sqlalchemy import select

from incubator.accounts.api_tokens import issue_token
from incubator.accounts.models import User
from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.demo.seed import seed_demo
from incubator.extensions import db as _db
from incubator.programs.models import Program, Season, SeasonStatus
from incubator.reports.pipeline import compile_report
from tests.support.factories_fixtures import bearer



def heading(locale: str) -> str:
    """The report's first heading in that language (translated, not English, for ru and uz)."""
    with force_locale(locale):
        text = gettext("Funnel")
    assert locale == "en" or text != "Funnel", f"'Funnel' has no {locale} translation"
    return text


def _token(email: str) -> dict:
    user = _db.session.scalar(select(User).where(User.email == email))
    _, raw = issue_token(user, name="close walkthrough")
    _db.session.commit()
    return bearer(raw)


def test_the_manager_closes_autumn_reports_in_every_language_records_an_outcome_and_sees_the_dashboard(app, client):
    seed_demo()
    _db.session.commit()
    manager = _token("manager@example.org")
    innox = _db.session.scalar(select(Program).where(Program.slug == "innox"))
    autumn = _db.session.scalar(select(Season).where(Season.slug == "season-3-autumn-2025"))

    blockers = client.get(f"/api/v1/seasons/{autumn.id}/close", headers=manager)
    assert blockers.status_code == 200
    refused = client.post(f"/api/v1/seasons/{autumn.id}/close", json={"confirm": False}, headers=manager)
    assert refused.status_code == 409 and refused.json["code"] == "close_blocked"
    closed = client.post(f"/api/v1/seasons/{autumn.id}/close", json={"confirm": True, "locale": "en"}, headers=manager)
    assert closed.status_code == 202, closed.json
    again = client.post(f"/api/v1/seasons/{autumn.id}/close", json={"confirm": True}, headers=manager)
    assert again.status_code == 200 and again.json["report_id"] == closed.json["report_id"]
    _db.session.expire_all()
    assert _db.session.get(Season, autumn.id).status == SeasonStatus.CLOSED

    report_ids = {"en": closed.json["report_id"]}
    for locale in ("ru", "uz"):
        started = client.post(f"/api/v1/seasons/{autumn.id}/reports", json={"locale": locale}, headers=manager)
        assert started.status_code == 202, started.json
        report_ids[locale] = started.json["report"]["id"]
    for locale, report_id in report_ids.items():
        compile_report(report_id)
        body = client.get(f"/api/v1/reports/{report_id}", headers=manager).json
        assert body["status"] == "done" and body["locale"] == locale and body["provisional"] is False
        formats = {f["format"] for f in body["files"]}
        assert {"html", "pdf", "xlsx", "csv"} <= formats
        files = {f["format"] + ":" + f["name"]: client.get(f["url"], headers=manager) for f in body["files"]}
        html = next(r for k, r in files.items() if k.startswith("html:")).get_data(as_text=True)
        assert heading(locale) in html
        pdf = next(r for k, r in files.items() if k.startswith("pdf:")).get_data()
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert "InnoX" in text and heading(locale) in text
        xlsx = next(r for k, r in files.items() if k.startswith("xlsx:")).get_data()
        assert zipfile.is_zipfile(io.BytesIO(xlsx))
        funnel = next(r for k, r in files.items() if k.startswith("csv:") and "funnel" in k).get_data()
        assert list(csv.reader(io.StringIO(funnel.decode("utf-8-sig"))))[1:]

    spring = _db.session.scalar(select(Season).where(Season.slug == "season-2-spring-2025"))
    accepted = _db.session.scalar(select(Application).where(Application.season_id == spring.id,
                                                            Application.status == Status.ACCEPTED)
                                  .order_by(Application.id))
    before = client.get(f"/api/v1/programs/{innox.id}/dashboard", headers=manager).json["total"]
    assert (before["applications"], before["selected"], before["developed"], before["funded"]) == (503, 140, 82, 29)
    assert before["total_uzs"] == {"amount": "8310000000.00", "currency": "UZS"}
    recorded = client.post(f"/api/v1/applications/{accepted.id}/outcomes", headers=manager, json={
        "kind": "grant", "name": "IT Park Startup Grant", "result": "Winner",
        "money": {"amount": "50000000.00", "currency": "UZS"}, "occurred_on": "2025-09-01"})
    assert recorded.status_code == 201, recorded.json
    page = client.get(f"/api/v1/applications/{accepted.id}/outcomes", headers=manager).json
    assert any(o["name"] == "IT Park Startup Grant" for o in page["items"])
