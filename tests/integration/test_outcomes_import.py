"""Importing outcomes from CSV (API and page): the dry run lists each row's errors and writes nothing;
the import re-checks and writes all or nothing; a wrong header names what is missing and unknown; a
wrong encoding (Windows-1251, UTF-16) is named; 10,000 rows import in seconds with a handful of
queries, 10,001 are refused; formula cells are refused per row; the size limit is named; the page
flow (upload -> check -> import) and its signed token."""
from __future__ import annotations

import codecs
import csv
import io
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from incubator.outcomes import csv_import
from incubator.outcomes.models import Outcome, OutcomeKind
from tests.integration.test_outcomes import days_ago, make_cohort, outcome_count, season_start
from tests.support.factories_fixtures import bearer
from tests.support.queries import count_queries

HEADER = ",".join(csv_import.COLUMNS)


@pytest.fixture
def cohort(db, program):
    return make_cohort(db, program)


@pytest.fixture
def headers(api_token, manager):
    return bearer(api_token(manager))


def line(application_id, kind, date="", link="", investor="", amount="", currency="", round_="", name="", result="",
         jobs="", note=""):
    cells = [str(application_id), kind, date, link, investor, amount, currency, round_, name, result, str(jobs), note]
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()


def csv_bytes(*lines, header=HEADER, encoding="utf-8") -> bytes:
    return ("\r\n".join([header, *lines]) + "\r\n").encode(encoding)


def upload(client, headers, season, raw: bytes, dry_run: bool, filename="outcomes.csv"):
    return client.post(f"/api/v1/seasons/{season.id}/outcomes/import", headers=headers,
                       data={"file": (io.BytesIO(raw), filename), "dry_run": "true" if dry_run else "false"},
                       content_type="multipart/form-data")


def good_lines(apps):
    a, b = apps["confirmed"].id, apps["no_offer"].id
    return [line(a, "product", days_ago(60), link="https://paxta.example.uz", note="In the stores"),
            line(a, "investment", days_ago(30), investor="Investor Day fund", amount="20000.00", currency="USD",
                 round_="pre-seed"),
            line(b, "grant", name="IT Park grant", result="won", amount="50000000", currency="UZS"),
            line(b, "jobs", days_ago(2), jobs=7)]


# --- Dry run and import -----------------------------------------------------------------------------

def test_dry_run_lists_every_rows_errors_and_writes_nothing(app, db, client, cohort, headers):
    season, apps = cohort
    a = apps["confirmed"].id
    before = season.opens_at.astimezone(season.tz).date() - timedelta(days=1)
    raw = csv_bytes(
        *good_lines(apps),                                                                 # rows 2-5
        line(a, "investment", days_ago(3), investor="Fund", amount="-500", currency="USD"),  # 6
        line(a, "investment", days_ago(3), investor="Fund", amount="500", currency="EUR"),   # 7
        line(a, "jobs", before.isoformat(), jobs=3),                                         # 8
        line(apps["open"].id, "jobs", days_ago(3), jobs=3),                                  # 9
        line(999999, "jobs", days_ago(3), jobs=3),                                           # 10
        "",                                                                                  # 11 blank: skipped
        line(a, "rocket", days_ago(3)),                                                      # 12
        line(a, "product", days_ago(3), investor="Nobody"),                                  # 13
        good_lines(apps)[0],                                                                 # 14: repeats row 2
    )
    response = upload(client, headers, season, raw, dry_run=True)
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["dry_run"], body["rows"], body["valid_rows"], body["created"]) == (True, 12, 4, 0)
    errors = {(e["row"], e["field"]): e["message"] for e in body["errors"]}
    assert "cannot be negative" in errors[(6, "amount")]
    assert "Unknown currency “EUR”: use UZS or USD" in errors[(7, "currency")]
    assert f"before the season started on {season_start(season)}" in errors[(8, "date")]
    assert "has not confirmed its place yet" in errors[(9, "application_id")]
    assert "No application 999999 in this season" in errors[(10, "application_id")]
    assert "Unknown kind “rocket”" in errors[(12, "kind")]
    assert "leave it empty" in errors[(13, "investor")]
    assert "repeats row 2" in errors[(14, "row")]
    assert body["error_count"] == len(body["errors"]) == 8
    assert outcome_count(db) == 0

    # The import itself refuses the same file, all or nothing, naming rows and columns.
    response = upload(client, headers, season, raw, dry_run=False)
    assert response.status_code == 422
    assert "Nothing was imported" in response.json["detail"]
    assert "cannot be negative" in response.json["errors"]["rows.6.amount"][0]
    assert outcome_count(db) == 0


def test_import_writes_every_row_and_the_same_file_twice_is_refused(app, db, client, cohort, headers, manager):
    season, apps = cohort
    raw = csv_bytes(*good_lines(apps))
    response = upload(client, headers, season, raw, dry_run=False)
    assert response.status_code == 201, response.json
    assert (response.json["created"], response.json["error_count"]) == (4, 0)
    rows = db.session.scalars(select(Outcome).order_by(Outcome.id)).all()
    assert [(r.application_id, r.kind, r.recorded_by_id, r.season_id) for r in rows] == [
        (apps["confirmed"].id, OutcomeKind.PRODUCT, manager.id, season.id),
        (apps["confirmed"].id, OutcomeKind.INVESTMENT, manager.id, season.id),
        (apps["no_offer"].id, OutcomeKind.GRANT, manager.id, season.id),
        (apps["no_offer"].id, OutcomeKind.JOBS, manager.id, season.id)]
    assert rows[1].amount == 20000 and rows[1].currency == "USD" and rows[1].created_at is not None
    assert rows[0].note == "In the stores" and rows[3].jobs == 7

    again = upload(client, headers, season, raw, dry_run=False)
    assert again.status_code == 422
    assert "recorded already" in again.json["errors"]["rows.2.row"][0]
    assert outcome_count(db) == 4


def test_header_is_order_free_and_case_insensitive_and_semicolons_work(app, db, client, cohort, headers):
    season, apps = cohort
    header = "NOTE;Jobs;result;name;round;currency;amount;investor;link;Date;KIND;Application_ID"
    row = f"Counted in June;7;;;;;;;;{days_ago(2)};jobs;{apps['confirmed'].id}"
    response = upload(client, headers, season, (header + "\n" + row + "\n").encode(), dry_run=False)
    assert response.status_code == 201, response.json
    outcome = db.session.scalar(select(Outcome))
    assert (outcome.kind, outcome.jobs, outcome.note) == (OutcomeKind.JOBS, 7, "Counted in June")


@pytest.mark.parametrize(("header", "expected"), [
    ("application_id,kind,date,amount,currency", "Missing: link, investor, round, name, result, jobs, note."),
    (HEADER + ",startup,comment", "Unknown: startup, comment."),
    (HEADER.replace("amount", "summa"), "Missing: amount. Unknown: summa."),
    (HEADER + ",kind", "Named twice: kind."),
])
def test_a_wrong_header_names_what_is_missing_and_unknown(app, db, client, cohort, headers, header, expected):
    season, apps = cohort
    for dry_run in (True, False):
        response = upload(client, headers, season, csv_bytes(good_lines(apps)[3], header=header), dry_run=dry_run)
        assert response.status_code == 422
        (message,) = response.json["errors"]["file"]
        assert message.startswith("The header row must name exactly these columns (in any order): application_id, kind")
        assert expected in message
    assert outcome_count(db) == 0


def test_encodings(app, db, client, cohort, headers):
    season, apps = cohort
    cyrillic = line(apps["confirmed"].id, "jobs", days_ago(2), jobs=3, note="Наняли трёх разработчиков")

    response = upload(client, headers, season, csv_bytes(cyrillic, encoding="cp1251"), dry_run=True)
    assert response.status_code == 422
    (message,) = response.json["errors"]["file"]
    assert "The file is not UTF-8: it looks like Windows-1251 (Cyrillic)" in message
    assert "CSV UTF-8" in message and "on line 2" in message

    for encoding in ("utf-16", "utf-16-le"):
        response = upload(client, headers, season, csv_bytes(cyrillic, encoding=encoding), dry_run=True)
        assert response.status_code == 422 and "it looks like UTF-16" in response.json["errors"]["file"][0]

    latin = line(apps["confirmed"].id, "jobs", days_ago(2), jobs=3, note="Café opened")
    response = upload(client, headers, season, csv_bytes(latin, encoding="cp1252"), dry_run=True)
    assert "Windows-1252" in response.json["errors"]["file"][0]

    # UTF-8 with a byte-order mark (Excel's "CSV UTF-8") is fine, Cyrillic kept.
    response = upload(client, headers, season, codecs.BOM_UTF8 + csv_bytes(cyrillic), dry_run=False)
    assert response.status_code == 201, response.json
    assert db.session.scalar(select(Outcome.note)) == "Наняли трёх разработчиков"


@pytest.mark.parametrize(("column", "value"), [
    ("note", "=HYPERLINK(\"http://evil.example\",\"click\")"),
    ("investor", "+998 90 123 45 67"),
    ("round", "-1+2"),
    ("investor", "@SUM(A1:A2)"),
])
def test_formula_cells_are_refused_per_row(app, db, client, cohort, headers, column, value):
    season, apps = cohort
    cells = dict(application_id=apps["confirmed"].id, kind="investment", date=days_ago(3), investor="Fund",
                 amount="100", currency="USD")
    cells[column if column != "round" else "round_"] = value
    raw = csv_bytes(good_lines(apps)[0], line(**cells))
    response = upload(client, headers, season, raw, dry_run=True)
    assert response.status_code == 200
    (error,) = response.json["errors"]
    assert (error["row"], error["field"]) == (3, column)
    assert f"starts with “{value[0]}”, which a spreadsheet would run as a formula" in error["message"]
    assert upload(client, headers, season, raw, dry_run=False).status_code == 422
    assert outcome_count(db) == 0


def test_ten_thousand_rows_import_in_seconds_with_a_handful_of_queries(app, db, client, cohort, headers):
    season, apps = cohort
    ids = (apps["confirmed"].id, apps["no_offer"].id)
    lines = [line(ids[i % 2], "jobs", days_ago(i % 90), jobs=i % 50, note=f"Batch {i}") for i in range(10_000)]
    raw = csv_bytes(*lines)
    started = time.perf_counter()
    with count_queries() as counter:
        response = upload(client, headers, season, raw, dry_run=False)
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.json
    assert response.json["created"] == 10_000 and outcome_count(db) == 10_000
    assert elapsed < 10, f"10,000 rows took {elapsed:.1f} s"
    reads = [s for s in counter.statements if not s.lstrip().upper().startswith("INSERT")]
    assert len(reads) <= 12, reads

    # One more row than the limit is refused, naming it; nothing more is written.
    raw = csv_bytes(*lines, line(ids[0], "jobs", days_ago(1), jobs=1, note="one too many"))
    response = upload(client, headers, season, raw, dry_run=True)
    assert response.status_code == 422
    assert "more than 10,000 rows" in response.json["errors"]["file"][0]
    assert outcome_count(db) == 10_000


def test_size_empty_and_broken_files(app, db, client, cohort, headers):
    season, apps = cohort
    big = csv_bytes(*[line(apps["confirmed"].id, "jobs", days_ago(1), jobs=1, note="x" * 1900)] * 2900)
    assert len(big) > csv_import.MAX_BYTES
    response = upload(client, headers, season, big, dry_run=True)
    assert response.status_code == 422
    assert re.match(r"The file is 5\.\d MB: the limit is 5 MB", response.json["errors"]["file"][0])
    response = upload(client, headers, season, b"", dry_run=True)
    assert "The file is empty" in response.json["errors"]["file"][0]
    response = upload(client, headers, season, csv_bytes(), dry_run=True)
    assert "has a header but no rows" in response.json["errors"]["file"][0]
    response = upload(client, headers, season, csv_bytes(good_lines(apps)[3] + ",extra,cells"), dry_run=True)
    assert response.status_code == 200
    assert "This row has 14 cells but the header has 12" in response.json["errors"][0]["message"]
    response = client.post(f"/api/v1/seasons/{season.id}/outcomes/import", headers=headers,
                           data={"file": "not a file", "dry_run": "true"}, content_type="multipart/form-data")
    assert response.status_code == 422 and "file" in response.json["errors"]
    assert outcome_count(db) == 0


def test_another_programs_manager_cannot_import(app, db, client, cohort, api_token, make_user):
    from incubator.accounts.models import Role
    from tests.support import factories as f

    season, apps = cohort
    other = make_user(email="other@example.org")
    f.grant(other, f.ProgramFactory(name="Tumaris.Tech"), Role.MANAGER)
    response = upload(client, bearer(api_token(other)), season, csv_bytes(*good_lines(apps)), dry_run=False)
    assert response.status_code == 404 and outcome_count(db) == 0


# --- The page -------------------------------------------------------------------------------------

def csrf(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)


def test_the_page_checks_then_imports(app, db, client, cohort, manager, login):
    season, apps = cohort
    login(manager)
    path = f"/manage/seasons/{season.id}/outcomes/import"
    page = client.get(path).get_data(as_text=True)
    for column in csv_import.COLUMNS:
        assert f"<code>{column}</code>" in page
    template = client.get(f"/manage/seasons/{season.id}/outcomes/template.csv")
    assert template.headers["Content-Disposition"].startswith("attachment")
    assert template.get_data(as_text=True).lstrip("\ufeff").strip() == HEADER

    bad = csv_bytes(good_lines(apps)[0], line(apps["confirmed"].id, "investment", days_ago(3), investor="Fund",
                                              amount="-5", currency="USD"))
    response = client.post(path, data={"csrf_token": csrf(client, path), "action": "check",
                                       "file": (io.BytesIO(bad), "outcomes.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "1 row has errors." in page and "The amount cannot be negative." in page
    assert 'name="token"' not in page and outcome_count(db) == 0

    response = client.post(path, data={"csrf_token": csrf(client, path), "action": "check",
                                       "file": (io.BytesIO(csv_bytes(*good_lines(apps))), "outcomes.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "4 rows are ready to import. Nothing is written yet." in page and "Paxta AI" in page
    assert outcome_count(db) == 0
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)

    tampered = client.post(path, data={"csrf_token": csrf(client, path), "action": "import", "token": token[:-2] + "xx"})
    assert tampered.status_code == 302 and outcome_count(db) == 0

    response = client.post(path, data={"csrf_token": csrf(client, path), "action": "import", "token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/manage/seasons/{season.id}/outcomes")
    assert outcome_count(db) == 4
    assert "4 outcomes are imported." in client.get(response.headers["Location"]).get_data(as_text=True)
    # The stored file is gone: the same confirmation cannot import twice.
    client.post(path, data={"csrf_token": csrf(client, path), "action": "import", "token": token})
    assert outcome_count(db) == 4


def test_the_page_names_a_wrong_encoding_on_the_file_field(app, db, client, cohort, manager, login):
    season, apps = cohort
    login(manager)
    path = f"/manage/seasons/{season.id}/outcomes/import"
    raw = csv_bytes(line(apps["confirmed"].id, "jobs", days_ago(2), jobs=3, note="Наняли"), encoding="cp1251")
    response = client.post(path, data={"csrf_token": csrf(client, path), "action": "check",
                                       "file": (io.BytesIO(raw), "outcomes.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="file-error"[^>]*>The file is not UTF-8: it looks like Windows-1251', page)
    assert 'aria-describedby="file-help file-error"' in page
