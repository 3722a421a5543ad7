"""The report's CSV files and XLSX workbook, read back (csv module, openpyxl), say exactly what the
hand-computed fixture season says; the region with 4 applicants shows no count anywhere; a startup
named like a formula is neutralised; Cyrillic survives."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from incubator.reports.figures import season_figures
from incubator.reports.render_csv import FILES, render_csvs
from incubator.reports.render_xlsx import render_xlsx
from tests.support.report_fixture import build_report_season

DASH = "—"


@pytest.fixture
def fixture_season(app):
    return build_report_season()


@pytest.fixture
def figures(fixture_season):
    season, _expected = fixture_season
    return season_figures(season, "en")


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # a BOM, for Excel
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


@pytest.fixture
def csvs(figures):
    files = render_csvs(figures)
    assert tuple(files) == FILES
    return {name: read_csv(content) for name, content in files.items()}


@pytest.fixture
def book(figures):
    return load_workbook(io.BytesIO(render_xlsx(figures)))  # not read-only: data types and formats


def sheet_rows(sheet) -> list[tuple]:
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def pct(rate):
    return "" if rate is None else f"{rate * 100:.2f}"


# --- CSV --------------------------------------------------------------------------------------------


def test_csv_funnel_and_summary(csvs, fixture_season, figures):
    _season, expected = fixture_season
    header, *rows = csvs["funnel.csv"]
    assert header == ["Step", "Applications", "Rate from the previous step (%)"]
    assert [(int(count), rate) for _label, count, rate in rows] == [
        (count, pct(rate)) for _key, count, rate in expected["funnel"]]
    assert [label for label, *_ in rows] == [s.label for s in figures.funnel]
    summary = dict((row[0], row[1]) for row in csvs["summary.csv"][1:] if row[0] != "Note")
    assert summary["Program"] == expected["program_name"]
    assert summary["Provisional (the season is not closed)"] == "Yes"
    assert float(summary["Median days from submission to decision"]) == expected["median_days_to_decision"]
    assert summary["Invested in total (UZS)"] == "302000000.00"
    assert summary["Invested (USD)"] == "20000.00"
    assert summary["Startups taken in"] == "2" and summary["Jobs created"] == "7"
    assert summary["Exchange rate used"] == "1 USD = 12600 UZS, 2024-09-01 to 2024-09-30"


def test_csv_scores_ranking_reviewers(csvs, fixture_season):
    _season, expected = fixture_season
    header, *rows = csvs["scores.csv"]
    assert header[:6] == ["Stage", "Criterion", "Weight", "Scale", "Mean", "Reviews"]
    by_name = {(r[0], r[1]): r for r in rows}
    team = by_name[("Screening", "Team")]
    assert float(team[2]) == 2 and float(team[4]) == 2.667 and int(team[5]) == 24
    assert [int(v) for v in team[6:11]] == [8, 4, 3, 6, 3]
    total = by_name[("Demo Day", "Weighted total (rounded to a point)")]
    assert float(total[4]) == 3.5 and [int(v) for v in total[6:11]] == [0, 1, 2, 2, 1]

    header, *rows = csvs["ranking.csv"]
    assert "Region" not in header and "Women-led" not in header  # rows would give away suppressed cells
    demo = [(int(r[1]), r[3], float(r[5]), float(r[6]), float(r[7])) for r in rows if r[0] == "Demo Day"]
    assert demo == expected["stages"][2]["ranking"]
    screening = [r for r in rows if r[0] == "Screening"]
    assert {r[3]: (float(r[5]) if r[5] else None) for r in screening} == \
        {(("'" + k) if k.startswith("=") else k): v for k, v in expected["stages"][1]["weighted"].items()}
    assert screening[-1][1] == "" and screening[-1][3] == "Elder Labs"  # unranked: no rank, last

    header, *rows = csvs["reviewers.csv"]
    hank = next(r for r in rows if r[:2] == ["Screening", "Hank"])
    want = expected["reviewers"][(1, "Hank")]
    assert [int(hank[2]), int(hank[3]), hank[4], hank[5], float(hank[6]), float(hank[7]), float(hank[8]),
            float(hank[9])] == [want["assigned"], want["submitted"], pct(want["completion"]),
                                pct(want["on_time_rate"]), want["mean_given"], want["stage_mean"], want["bias"],
                                want["agreement"]]
    assert hank[8] == "-1.375"  # a negative number stays a number, not neutralised text


def test_csv_demographics(csvs, fixture_season):
    _season, expected = fixture_season
    header, *rows = csvs["demographics.csv"]
    assert header == ["Table", "Category", "Applied", "Applied (%)", "Selected", "Selected (%)"]
    region = {r[1]: r for r in rows if r[0] == "Region"}
    assert region["Tashkent city"][2:] == ["5", "35.71", DASH, DASH]
    assert region["Samarkand"][2:] == [DASH, DASH, DASH, DASH]
    assert region["Fergana"][2:] == [DASH, DASH, DASH, DASH]
    assert region["Andijan"][2:] == ["0", "0.00", "0", "0.00"]
    assert region["Total"][2:] == ["14", "", "3", ""]
    assert len(region) == 14 + 1
    ages = {r[1]: r for r in rows if r[0] == "Founders by age in 2024"}
    assert ages["18-24"][2:] == ["6", "40.00", DASH, DASH] and ages["Total"][2] == "15"
    assert rows[-1][0] == "Note" and DASH in rows[-1][1]


# --- XLSX -------------------------------------------------------------------------------------------


def test_xlsx_sheets_and_summary(book, fixture_season, figures):
    _season, expected = fixture_season
    assert book.sheetnames == ["Summary", "Applications", "Scores", "Reviewers", "Demographics"]
    rows = sheet_rows(book["Summary"])
    summary = {r[0]: r[1] for r in rows[1:] if r[0] and r[0] != "Note"}
    assert summary["Program"] == expected["program_name"]
    assert summary["Median days from submission to decision"] == 26
    assert summary["Invested in total (UZS)"] == 302000000
    assert summary["Jobs created"] == 7
    funnel_at = rows.index(("Step", "Applications", "Rate from the previous step (%)"))
    funnel = rows[funnel_at + 1: funnel_at + 1 + len(expected["funnel"])]
    assert [(count, rate) for _label, count, rate in funnel] == [
        (count, rate) for _key, count, rate in expected["funnel"]]
    rate_cell = book["Summary"].cell(row=funnel_at + 3, column=3)
    assert rate_cell.data_type == "n" and rate_cell.number_format == "0.00%"


def test_xlsx_applications_scores_reviewers(book, fixture_season):
    _season, expected = fixture_season
    rows = sheet_rows(book["Applications"])
    assert rows[0][:4] == ("Stage", "Rank", "Application", "Startup")
    demo = [(r[1], r[3], r[5], r[6], r[7]) for r in rows[1:] if r[0] == "Demo Day"]
    assert demo == expected["stages"][2]["ranking"]
    assert all(isinstance(r[5], int | float) for r in rows[1:] if r[5] is not None)
    scores = {(r[0], r[1]): r for r in sheet_rows(book["Scores"])[1:]}
    assert scores[("Screening", "Market")][4:11] == (2.542, 24, 9, 4, 3, 5, 3)
    reviewers = {(r[0], r[1]): r for r in sheet_rows(book["Reviewers"])[1:]}
    bob = expected["reviewers"][(2, "Bob")]
    assert reviewers[("Demo Day", "Bob")][2:] == (bob["assigned"], bob["submitted"], bob["completion"],
                                                   bob["on_time_rate"], bob["mean_given"], bob["stage_mean"],
                                                   bob["bias"], bob["agreement"])


def test_xlsx_demographics(book, fixture_season):
    _season, expected = fixture_season
    rows = sheet_rows(book["Demographics"])
    region = {r[1]: r for r in rows[1:] if r[0] == "Region"}
    assert region["Tashkent city"][2:] == (5, pytest.approx(0.3571), DASH, DASH)
    assert region["Andijan"][2:] == (0, 0, 0, 0)
    stage = {r[1]: r for r in rows[1:] if r[0] == "Stage of the startup"}
    assert stage["MVP (first product in use)"][2] == 5
    assert stage["Idea"][2:] == (DASH,) * 4


# --- Small cells and formulas, in both formats ------------------------------------------------------


def _digits(value) -> bool:
    return value is not None and bool(re.search(r"\d", str(value)))


def test_the_region_with_four_applicants_shows_no_count_anywhere(csvs, book, fixture_season, figures):
    _season, expected = fixture_season
    label = "Samarkand"
    csv_rows = [row for row in csvs["demographics.csv"] if label in row]
    xlsx_rows = [row for row in sheet_rows(book["Demographics"]) if label in row]
    assert len(csv_rows) == len(xlsx_rows) == 1
    for row in csv_rows + xlsx_rows:
        cells = [v for v in row if v != label and v != "Region"]
        assert not any(_digits(v) for v in cells), row
        assert str(expected["suppressed_region_applicants"]) not in " ".join(str(v) for v in row)
    # and it cannot be worked out from the total: only one other region shows a count
    shown = [r for r in csvs["demographics.csv"] if r[0] == "Region" and r[1] != "Total" and r[2] not in ("0", DASH)]
    assert [r[1] for r in shown] == ["Tashkent city"]


def test_formula_like_text_is_neutralised(csvs, book, fixture_season):
    _season, expected = fixture_season
    name = expected["formula_name"]
    for rows in csvs.values():
        for row in rows:
            for value in row:
                assert not value.startswith(("=", "+", "@")), value
                if value.startswith("-"):
                    float(value)  # only negative numbers start with a minus
    ranking = csvs["ranking.csv"]
    assert any("'" + name in row for row in ranking)
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert not cell.value.startswith("="), cell.value
                    if name in cell.value:
                        found.append(cell)
    assert found and all(c.value == "'" + name and c.data_type == "s" for c in found)


def test_cyrillic_in_both(fixture_season):
    season, _expected = fixture_season
    figures = season_figures(season, "ru")
    rows = read_csv(render_csvs(figures)["demographics.csv"])
    assert any("Самарканд" in row for row in rows)
    book = load_workbook(io.BytesIO(render_xlsx(figures)))
    assert len(book.sheetnames) == 5
    assert any("Самарканд" in row for row in sheet_rows(book.worksheets[-1]))
