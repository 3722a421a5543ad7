"""Season reports, compiled in-process: every file stored with its SHA-256, the fixture season's
figures (worked out by hand in tests/support/report_fixture.py) in the HTML text and in the PDF text
read back with pypdf, in English, Russian and Uzbek; small cells never shown; a failure half-way
leaves nothing behind and is retried as a new report; the pages, the API and the downloads are for
the managers of the season's program only."""
from __future__ import annotations

import hashlib
import io
import re
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from pypdf import PdfReader
from sqlalchemy import func, select

from incubator.accounts.models import Role, User
from incubator.extensions import db
from incubator.jobs.models import Job
from incubator.reports import formatting as fmt
from incubator.reports.models import ReportStatus, SeasonReport
from incubator.reports.pipeline import compile_report, retry_report
from incubator.reports.services import request_report
from incubator.startups.labels import REGION_LABELS
from incubator.storage import BACKENDS, StorageError, get_storage
from incubator.storage.local import LocalStorage, upload_folder
from tests.support import broker
from tests.support import factories as f
from tests.support.factories_fixtures import bearer
from tests.support.report_fixture import build_report_season

HEADINGS = ["Funnel", "Scores", "Reviewers", "Who applied and who was selected", "Outcomes",
            "Provisional: the season is not closed."]


class _Text(HTMLParser):
    """The text a reader sees: no style sheet, and no SVG <title>/<desc> (the charts' alternatives)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "title", "desc"):
            self.skip += 1
        elif tag in ("td", "th", "p", "li", "dd", "dt", "h1", "h2", "h3", "tr", "figcaption", "text"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("style", "title", "desc"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ").replace("\u202f", " ")).strip()


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return _squash(" ".join(parser.parts))


def pdf_lines(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [_squash(line) for page in reader.pages for line in page.extract_text().splitlines()]


def _read(report: SeasonReport, fmt_: str) -> bytes:
    entry = next(x for x in report.files if x["format"] == fmt_)
    with get_storage().open(entry["key"]) as stream:
        return stream.read()


@pytest.fixture
def fixture_season(app):
    season, expected = build_report_season()
    manager = db.session.scalar(select(User).where(User.email == expected["manager_email"]))
    return season, expected, manager


def _compiled(season, manager, locale="en") -> SeasonReport:
    report = request_report(season, actor=manager, locale=locale)
    db.session.commit()
    broker.purge()
    result = compile_report(report.id)
    assert result["status"] == "done", result
    db.session.expire_all()
    return db.session.get(SeasonReport, report.id)


# --- The pipeline ------------------------------------------------------------------------------------


def test_a_report_stores_every_file_with_its_checksum_once(fixture_season):
    season, expected, manager = fixture_season
    report = _compiled(season, manager)
    stem = f"report-program-spring-2024-report-{report.id}-en"
    assert report.status == ReportStatus.DONE and report.provisional is True and report.error is None
    assert {x["format"] for x in report.files} == {"html", "pdf", "xlsx", "csv"}
    names = [x["name"] for x in report.files]
    assert f"{stem}.pdf" in names and f"{stem}.html" in names and f"{stem}.xlsx" in names
    assert len(set(names)) == len(names) and all(n.startswith(stem) for n in names)
    assert sum(1 for x in report.files if x["format"] == "csv") >= 2
    storage = get_storage()
    for entry in report.files:
        assert re.fullmatch(r"[0-9a-f]{32}", entry["key"]) and storage.exists(entry["key"])
        with storage.open(entry["key"]) as stream:
            data = stream.read()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["size"] > 0
    assert _read(report, "pdf").startswith(b"%PDF") and _read(report, "xlsx").startswith(b"PK")
    assert [(s["key"], s["count"]) for s in report.summary["funnel"]] == [(k, n) for k, n, _r in expected["funnel"]]
    job = db.session.get(Job, report.job_id)
    assert (job.status, job.progress, job.result["step"]) == ("done", 100, "done")

    # The task delivered twice (acks_late) does nothing the second time.
    files = list(report.files)
    assert compile_report(report.id) == {"report_id": report.id, "skipped": True, "status": "done"}
    db.session.expire_all()
    assert db.session.get(SeasonReport, report.id).files == files
    assert compile_report(10**6)["status"] == "missing"


def _expected_lines(expected: dict, labels: dict[str, str], locale: str) -> list[str]:
    """Rows of the report as a reader sees them (label then numbers), from the hand-computed figures."""
    with force_locale(locale):
        rows = [f"{labels[key]} {fmt.count(n)}" + (f" {fmt.share(rate)}" if rate is not None else "")
                for key, n, rate in expected["funnel"]]
        rows.append(_("%(days)s days", days=fmt.days(expected["median_days_to_decision"])))
        s1, s2 = expected["stages"][1], expected["stages"][2]
        rows.append(f"{_('Applications at this stage')} {fmt.count(s1['applications'])} {_('Submitted reviews')} "
                    f"{fmt.count(s1['reviews_submitted'])} {_('Mean weighted total')} {fmt.score(s1['mean_total'])}")
        for criterion in list(s1["criteria"].values()):
            rows.append(f"{fmt.score(criterion['weight'])} 1–5 {fmt.score(criterion['mean'])}")
        for rank, name, weighted, normalised, spread in s2["ranking"]:
            rows.append(f"{rank} {name}")
            rows.append(f"{fmt.score(weighted)} {fmt.score(normalised)} {fmt.score(spread)} 2/2")
        hank = expected["reviewers"][(1, "Hank")]
        rows.append(f"{fmt.count(hank['assigned'])} {fmt.count(hank['submitted'])} {fmt.share(hank['completion'])} "
                    f"{fmt.share(hank['on_time_rate'])} {fmt.score(hank['mean_given'])} {fmt.score(hank['stage_mean'])} "
                    f"{fmt.signed(hank['bias'])}")
        rows.append(f"{REGION_LABELS['tashkent_city']} 5 {fmt.share(0.3571)}")
        rows.append(fmt.money(expected["outcomes"]["total_uzs"], "UZS"))
    return rows


@pytest.mark.parametrize("locale", ["en", "ru", "uz"])
def test_the_html_and_the_pdf_show_the_fixture_figures_in_the_report_language(fixture_season, locale):
    season, expected, manager = fixture_season
    report = _compiled(season, manager, locale)
    html = _read(report, "html").decode("utf-8")
    text = html_text(html)
    pdf = " ".join(pdf_lines(_read(report, "pdf")))
    labels = {s["key"]: s["label"] for s in report.summary["funnel"]}
    for row in _expected_lines(expected, labels, locale):
        assert _squash(row) in text, (row, text[:3000])
        assert _squash(row) in pdf, (row, pdf[:3000])
    with force_locale(locale):
        headings = [_(h) for h in HEADINGS] + [_("Season report: %(season)s", season=expected["season_name"])]
        generated = _("Generated on %(when)s", when="")
    for heading in headings:
        assert heading in text and heading in pdf, heading
    if locale != "en":  # translated, not the English text (these are in the catalogs already)
        assert "Reviewers" not in text and "Region" not in text.split()
    assert expected["program_name"] in pdf and generated.strip() in pdf
    reader = PdfReader(io.BytesIO(_read(report, "pdf")))
    assert [round(float(x)) for x in reader.pages[0].mediabox.upper_right] == [595, 842]  # A4
    for page in reader.pages:  # the program's name and the generation date on every page
        page_text = _squash(page.extract_text())
        assert expected["program_name"] in page_text and generated.strip() in page_text
    assert f'<html lang="{locale}">' in html and "<script" not in html


def test_a_region_with_four_applicants_shows_no_count_in_html_or_pdf(fixture_season):
    season, expected, manager = fixture_season
    report = _compiled(season, manager, "ru")
    with force_locale("ru"):
        label = str(REGION_LABELS[expected["suppressed_region"]])
    html = _read(report, "html").decode("utf-8")
    rows = re.findall(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', html, flags=re.S)
    assert rows, "the region table lists the region"
    for row in rows:
        cells = html_text(row)
        assert fmt.SUPPRESSED in cells and not re.search(r"\d", cells), cells
    descriptions = re.findall(rf"{re.escape(label)}: ([^;.]*)", html)
    assert descriptions and all(not re.search(r"\d", d) for d in descriptions), descriptions
    lines = [line for line in pdf_lines(_read(report, "pdf")) if label in line]
    assert lines and all(not re.search(r"\d", line) for line in lines), lines


def test_a_failure_half_way_keeps_no_file_and_a_retry_is_a_new_report(app, fixture_season, monkeypatch):
    season, expected, manager = fixture_season
    saved: list[str] = []

    class FullDisk(LocalStorage):
        """Stores the HTML and the PDF, then the disk is full."""

        def save(self, stream):
            if len(saved) == 2:
                raise StorageError("No space left on the device")
            key = super().save(stream)
            saved.append(key)
            return key

    monkeypatch.setitem(BACKENDS, "full-disk", lambda a: FullDisk(upload_folder(a)))
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "full-disk")
    report = request_report(season, actor=manager, locale="uz")
    db.session.commit()
    result = compile_report(report.id)
    db.session.expire_all()
    report = db.session.get(SeasonReport, report.id)
    assert result["status"] == "failed" and result["step"] == "xlsx"
    assert report.status == ReportStatus.FAILED and report.files == [] and report.finished_at
    assert "No space left on the device" in report.error
    job = db.session.get(Job, report.job_id)
    assert job.status == "failed" and "No space left on the device" in job.error
    assert len(saved) == 2 and not any(LocalStorage(upload_folder(app)).exists(k) for k in saved)
    assert compile_report(report.id)["skipped"] is True  # a failed report is not compiled again

    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "local")
    failed_error = report.error
    again = retry_report(report, actor=manager)
    db.session.commit()
    assert again.id != report.id and (again.season_id, again.locale, again.status) == (season.id, "uz", "queued")
    assert compile_report(again.id)["status"] == "done"
    db.session.expire_all()
    old, new = db.session.get(SeasonReport, report.id), db.session.get(SeasonReport, again.id)
    assert (old.status, old.error, old.files) == (ReportStatus.FAILED, failed_error, [])
    assert new.status == ReportStatus.DONE and new.files
    assert all(f"-report-{again.id}-uz" in x["name"] for x in new.files)
    with pytest.raises(Exception) as refused:
        retry_report(new, actor=manager)
    assert getattr(refused.value, "status", None) == 409


# --- Pages -------------------------------------------------------------------------------------------


def test_a_manager_compiles_follows_and_downloads_a_report_on_the_pages(client, login, post_form, fixture_season):
    season, expected, manager = fixture_season
    login(manager)
    page = client.get(f"/manage/seasons/{season.id}/reports")
    assert page.status_code == 200 and "No report of this season yet." in page.get_data(as_text=True)
    response = post_form(f"/manage/seasons/{season.id}/reports", {"locale": "ru"},
                         token_from=f"/manage/seasons/{season.id}/reports")
    assert response.status_code == 302
    report = db.session.scalar(select(SeasonReport).order_by(SeasonReport.id.desc()))
    assert response.headers["Location"].endswith(f"/manage/reports/{report.id}") and report.locale == "ru"
    broker.purge()

    waiting = client.get(f"/manage/reports/{report.id}").get_data(as_text=True)
    assert "<progress" in waiting and 'hx-trigger="every 2s"' in waiting and 'aria-live="polite"' in waiting
    partial = client.get(f"/manage/reports/{report.id}", headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "HX-Refresh" not in partial.headers and "<progress" in partial.get_data(True)

    assert compile_report(report.id)["status"] == "done"
    db.session.expire_all()
    report = db.session.get(SeasonReport, report.id)
    finished = client.get(f"/manage/reports/{report.id}", headers={"HX-Request": "true"})
    assert finished.headers.get("HX-Refresh") == "true"
    done = client.get(f"/manage/reports/{report.id}")
    body = done.get_data(as_text=True)
    assert done.status_code == 200 and 'class="season-report"' in body and "<svg" in body
    assert "style=" not in body.split('class="report-in-app"')[1] and "<style" not in body
    for entry in report.files:
        assert entry["sha256"] in body and entry["name"] in body
    pdf = next(x for x in report.files if x["format"] == "pdf")
    download = client.get(f"/manage/reports/{report.id}/files/{pdf['name']}")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert hashlib.sha256(download.data).hexdigest() == pdf["sha256"]
    assert client.get(f"/manage/reports/{report.id}/files/other.pdf").status_code == 404
    listing = client.get(f"/manage/seasons/{season.id}/reports").get_data(as_text=True)
    assert f"/manage/reports/{report.id}" in listing and "Report Manager" in listing
    assert post_form(f"/manage/seasons/{season.id}/reports", {"locale": "xx"},
                     token_from=f"/manage/seasons/{season.id}/reports").status_code == 422


def test_a_failed_report_shows_its_error_and_try_again_makes_a_new_one(client, login, post_form, fixture_season):
    season, expected, manager = fixture_season
    report = request_report(season, actor=manager, locale="en")
    report.status, report.error = ReportStatus.FAILED, "The PDF could not be made: no fonts"
    db.session.commit()
    login(manager)
    page = client.get(f"/manage/reports/{report.id}").get_data(as_text=True)
    assert "The PDF could not be made: no fonts" in page and "Try again" in page and "<progress" not in page
    response = post_form(f"/manage/reports/{report.id}/retry", token_from=f"/manage/reports/{report.id}")
    newest = db.session.scalar(select(func.max(SeasonReport.id)))
    assert response.status_code == 302 and newest != report.id
    assert response.headers["Location"].endswith(f"/manage/reports/{newest}")
    assert db.session.get(SeasonReport, report.id).status == ReportStatus.FAILED


# --- API ---------------------------------------------------------------------------------------------


def test_the_api_compiles_a_report_and_lists_its_files(client, api_token, fixture_season):
    season, expected, manager = fixture_season
    headers = bearer(api_token(manager))
    bad = client.post(f"/api/v1/seasons/{season.id}/reports", json={"locale": "fr"}, headers=headers)
    assert bad.status_code == 422 and "locale" in bad.json["errors"]
    started = client.post(f"/api/v1/seasons/{season.id}/reports", json={}, headers=headers)
    assert started.status_code == 202, started.json
    report_id = started.json["report"]["id"]
    assert started.headers["Location"].endswith(f"/api/v1/reports/{report_id}")
    assert (started.json["report"]["status"], started.json["report"]["locale"]) == ("queued", "en")
    assert started.json["report"]["files"] == [] and started.json["job"]["kind"] == "season_report"
    broker.purge()
    compile_report(report_id)
    got = client.get(f"/api/v1/reports/{report_id}", headers=headers).json
    assert (got["status"], got["progress"], got["provisional"], got["error"]) == ("done", 100, True, None)
    assert got["summary"]["funnel"][0]["count"] == expected["funnel"][0][1]
    for entry in got["files"]:
        download = client.get(entry["url"], headers=headers)
        assert download.status_code == 200 and hashlib.sha256(download.data).hexdigest() == entry["sha256"]
        assert len(download.data) == entry["size"]
    assert client.get(f"/api/v1/reports/{report_id}/files/nope.csv", headers=headers).status_code == 404
    listed = client.get(f"/api/v1/seasons/{season.id}/reports?per_page=1", headers=headers).json
    assert listed["total"] == 1 and listed["items"][0]["id"] == report_id
    refused = client.post(f"/api/v1/reports/{report_id}/retry", headers=headers)
    assert refused.status_code == 409


def test_another_programs_manager_gets_404_everywhere(client, login, post_form, api_token, fixture_season):
    season, expected, manager = fixture_season
    report = _compiled(season, manager)
    name = report.files[0]["name"]
    other = f.UserFactory(email="other-manager@example.org")
    f.grant(other, f.ProgramFactory(name="Other Program"), Role.MANAGER)
    headers = bearer(api_token(other))
    for path in (f"/api/v1/reports/{report.id}", f"/api/v1/reports/{report.id}/files/{name}",
                 f"/api/v1/seasons/{season.id}/reports"):
        assert client.get(path, headers=headers).status_code == 404, path
    assert client.post(f"/api/v1/seasons/{season.id}/reports", json={}, headers=headers).status_code == 404
    assert client.post(f"/api/v1/reports/{report.id}/retry", headers=headers).status_code == 404
    login(other)
    for path in (f"/manage/reports/{report.id}", f"/manage/reports/{report.id}/files/{name}",
                 f"/manage/seasons/{season.id}/reports"):
        assert client.get(path).status_code == 404, path
    assert post_form(f"/manage/reports/{report.id}/retry").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(SeasonReport)) == 1
