"""CSV and XLSX exports of a stage's leaderboard: every row that passes the filters, in the order
the manager chose, with the same numbers as the page (see incubator.selection.leaderboard).

Spreadsheet formulas are neutralised: a text cell that starts with =, +, -, @, a tab or a carriage
return gets a leading apostrophe in CSV, and is written as a plain string cell (never a formula) in
XLSX. Numbers stay numbers. Who may export is decided by the caller (managers of the program only:
the same right as reading the page); nothing here is more than the page shows (no private notes).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.utils import secure_filename

from incubator.core import xlsx
from incubator.core.timeutil import utcnow
from incubator.reviews import scoring
from incubator.selection.leaderboard import (
    BIAS_LABELS, FLAG_LABELS, RECOMMENDATION_LABELS, STATUS_LABELS, StageBoard,
)
from incubator.startups import labels

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEETS = ("applications", "reviewers", "stage")
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise(value):
    """For CSV: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if is_formula_like(value) else value


def file_name(board: StageBoard, extension: str, sheet: str = "applications") -> str:
    season = board.stage.season
    suffix = "" if sheet == "applications" else f"-{sheet}"
    name = secure_filename(f"leaderboard-{season.program.slug}-{season.slug}-stage-{board.stage.position}{suffix}")
    return f"{name or 'leaderboard'}.{extension}"


# --- The tables -------------------------------------------------------------------------------------


def _text(value) -> str:
    return str(value) if value is not None else ""


def applications_table(board: StageBoard) -> tuple[list[str], Iterator[list]]:
    """The header and the rows of the applications sheet (numbers as numbers, None as empty)."""
    locale = str(get_locale())
    criteria = board.criteria
    recs = [r.value for r in scoring.Recommendation]
    yes, no = str(_l("yes")), str(_l("no"))
    header = [str(_l("Rank")), str(_l("Application")), str(_l("Startup")), str(_l("Region")), str(_l("Country")),
              str(_l("Sector")), str(_l("Startup stage")), str(_l("Women-led")), str(_l("Status")),
              str(_l("Weighted score")), str(_l("Normalised score")), str(_l("Spread")),
              str(_l("Reviews done")), str(_l("Reviews required")),
              *(str(_l("Mean: %(criterion)s", criterion=c.label_in(locale) or c.key)) for c in criteria),
              *(str(RECOMMENDATION_LABELS[r]) for r in recs), str(_l("Flags"))]
    if board.cut is not None:
        header.append(str(_l("In the top %(n)d", n=board.top)))
    # Labels are translated once per export, not once per row.
    region = {code: str(text) for code, text in labels.REGION_LABELS.items()}
    country = {code: str(text) for code, text in labels.COUNTRY_LABELS.items()}
    sector = {code: str(text) for code, text in labels.SECTOR_LABELS.items()}
    stage = {code: str(text) for code, text in labels.STAGE_LABELS.items()}
    status = {code: str(text) for code, text in STATUS_LABELS.items()}
    flag = {code: str(text) for code, text in FLAG_LABELS.items()}

    def rows() -> Iterator[list]:
        for row in board.rows:
            facts, score = row.facts, row.score
            line = [row.rank, facts.application_id, facts.startup_name,
                    region.get(facts.region, _text(facts.region)), country.get(facts.country, facts.country),
                    sector.get(facts.sector, facts.sector), stage.get(facts.startup_stage, facts.startup_stage),
                    yes if facts.women_led else no, status.get(facts.status, facts.status),
                    score.weighted_score, score.normalised_score, score.spread, score.review_count,
                    score.reviews_required,
                    *(score.criterion_means.get(c.key) for c in criteria),
                    *(score.recommendations.get(r, 0) for r in recs),
                    "; ".join(flag.get(f, f) for f in row.flags)]
            if board.cut is not None:
                line.append(yes if row.above_cut_line else no)
            yield line

    return header, rows()


def reviewers_table(board: StageBoard) -> tuple[list[str], Iterator[list]]:
    header = [str(_l("Reviewer")), str(_l("Name")), str(_l("Reviews")), str(_l("Mean")), str(_l("Standard deviation")),
              str(_l("Difference from the stage mean")), str(_l("Indicator")), str(_l("Normalised against"))]
    own, stage = str(_l("their own reviews")), str(_l("the whole stage"))
    bias = {code: str(text) for code, text in BIAS_LABELS.items()}

    def rows() -> Iterator[list]:
        for line in board.reviewers:
            s = line.stat
            yield [s.reviewer_id, line.name, s.count, s.mean, s.sd, s.delta_vs_stage, bias.get(s.label, str(s.label)),
                   own if s.own_norm else stage]

    return header, rows()


def stage_table(board: StageBoard) -> tuple[list[str], Iterator[list]]:
    locale = str(get_locale())
    stage, season = board.stage, board.stage.season
    stats = board.stats
    filters = ", ".join(f"{k}={v}" for k, v in board.filters.as_args().items()) or str(_l("none"))
    lines = [
        [str(_l("Program")), season.program.name],
        [str(_l("Season")), season.name],
        [str(_l("Stage")), stage.name_in(locale)],
        [str(_l("Reviews required per application")), stage.reviews_required],
        [str(_l("Disagreement threshold (scale points)")), float(stage.disagreement_threshold)],
        [str(_l("Submitted reviews")), stats.review_count],
        [str(_l("Reviewers")), stats.reviewer_count],
        [str(_l("Stage mean")), stats.mean],
        [str(_l("Stage standard deviation")), stats.sd],
        [str(_l("Lowest possible score")), stats.scale_min],
        [str(_l("Highest possible score")), stats.scale_max],
        [str(_l("Top N (cut line)")), board.top],
        [str(_l("Filters")), filters],
        [str(_l("Applications listed")), len(board.rows)],
        [str(_l("Reviews left out (they no longer fit the rubric)")), board.skipped_reviews],
        [str(_l("Exported at (UTC)")), utcnow().strftime("%Y-%m-%d %H:%M:%S")],
    ]
    return [str(_l("What")), str(_l("Value"))], iter(lines)


TABLES = {"applications": applications_table, "reviewers": reviewers_table, "stage": stage_table}


# --- Writers ----------------------------------------------------------------------------------------


def to_csv(board: StageBoard, sheet: str = "applications") -> bytes:
    """One sheet as CSV (UTF-8 with a byte-order mark, so spreadsheets read Cyrillic right)."""
    header, rows = TABLES[sheet](board)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(v) for v in header])
    writer.writerows([neutralise(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


# XLSX: the shared streaming writer (incubator.core.xlsx). Every text cell is an inline string, so
# never a formula, whatever it starts with; numbers are numeric cells; the header row is bold and
# frozen. tests/integration/test_leaderboard.py reads the files back with openpyxl.


def to_xlsx(board: StageBoard) -> bytes:
    """Three sheets (applications, reviewers, stage) in one workbook."""
    titles = {"applications": str(_l("Applications")), "reviewers": str(_l("Reviewers")), "stage": str(_l("Stage"))}
    names = xlsx.sheet_titles([titles[sheet] for sheet in SHEETS], SHEETS)
    sheets = []
    for name, sheet in zip(names, SHEETS, strict=True):
        header, rows = TABLES[sheet](board)
        sheets.append(xlsx.Sheet(name, header, rows))
    return xlsx.write_xlsx(sheets)
