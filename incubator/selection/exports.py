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
import math
import re
import zipfile
from collections.abc import Iterable, Iterator

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.utils import secure_filename

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


# XLSX: a small streaming writer (an Office Open XML package: a zip of a few XML parts). openpyxl,
# even in write-only mode, spends ~20 us per cell building Cell objects: ~10 s for the 20,000 x 27
# cells of a large stage, where this writes them in well under a second. Every text cell is an
# inline string (t="inlineStr"): it can never be a formula, whatever it starts with; numbers are
# numeric cells; the header row is bold and frozen. tests/integration/test_leaderboard.py reads the
# files back with openpyxl.

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Characters XML 1.0 cannot carry (a startup name could hold one): dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_STYLES = (
    f'{_XML_HEAD}<styleSheet xmlns="{_NS}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def _column(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _escape(text: str) -> str:
    text = _NOT_XML.sub("", text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\r", "&#13;"))


def _cell(ref: str, value, style: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float) and math.isfinite(value):
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{_escape(str(value))}</t></is></c>'


def _write_sheet(out, header: list, rows: Iterable[list]) -> None:
    columns = [_column(i) for i in range(max(len(header), 1))]
    out.write((f'{_XML_HEAD}<worksheet xmlns="{_NS}"><sheetViews><sheetView workbookViewId="0">'
               '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
               '<sheetData>').encode())
    bold = ' s="1"'
    out.write(('<row r="1">' + "".join(_cell(f"{columns[i]}1", v, bold) for i, v in enumerate(header))
               + "</row>").encode())
    chunk = []
    for number, row in enumerate(rows, start=2):
        while len(columns) < len(row):
            columns.append(_column(len(columns)))
        chunk.append(f'<row r="{number}">' + "".join(_cell(f"{columns[i]}{number}", v) for i, v in enumerate(row))
                     + "</row>")
        if len(chunk) >= 1000:
            out.write("".join(chunk).encode())
            chunk = []
    out.write(("".join(chunk) + "</sheetData></worksheet>").encode())


def to_xlsx(board: StageBoard) -> bytes:
    """Three sheets (applications, reviewers, stage) in one workbook."""
    titles = {"applications": str(_l("Applications")), "reviewers": str(_l("Reviewers")), "stage": str(_l("Stage"))}
    names = []
    for sheet in SHEETS:  # Excel's rules: at most 31 characters, none of []:*?/\, distinct
        name = re.sub(r"[\[\]:*?/\\]", "", titles[sheet])[:31] or sheet
        names.append(name if name not in names else sheet)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        sheet_parts = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(SHEETS) + 1))
        package.writestr("[Content_Types].xml", (
            f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f'{sheet_parts}</Types>'))
        package.writestr("_rels/.rels", (
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
            f'Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        package.writestr("xl/workbook.xml", (
            f'{_XML_HEAD}<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}"><sheets>'
            + "".join(f'<sheet name="{_escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, 1))
            + "</sheets></workbook>"))
        package.writestr("xl/_rels/workbook.xml.rels", (
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, len(SHEETS) + 1))
            + f'<Relationship Id="rId{len(SHEETS) + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/>'
            "</Relationships>"))
        package.writestr("xl/styles.xml", _STYLES)
        for i, sheet in enumerate(SHEETS, 1):
            header, rows = TABLES[sheet](board)
            with package.open(f"xl/worksheets/sheet{i}.xml", "w") as out:
                _write_sheet(out, header, rows)
    return buffer.getvalue()
