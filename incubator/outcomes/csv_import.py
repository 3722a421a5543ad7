"""Importing a season's outcomes from a CSV file: a dry run lists every row's errors (row, field,
message) and writes nothing; the import itself checks everything again and writes all rows or none.

The file: UTF-8 (a byte-order mark is fine; Excel's "CSV UTF-8"), comma- or semicolon-separated, at
most MAX_BYTES and MAX_ROWS rows, one header row naming exactly these columns in any order and any
case:

    application_id  the application's number (see the season's outcomes page); a startup the season took in
    kind            product, investment, grant or jobs
    date            YYYY-MM-DD, not before the season started, not in the future
                    (required for product, investment and jobs; optional for grant)
    link            product: its web address (http:// or https://), optional
    investor        investment: who invested (required)
    amount          investment (required) or grant (optional): digits with a dot, like 20000.00
    currency        with an amount: UZS or USD
    round           investment: e.g. pre-seed, seed (optional)
    name            grant: the grant or competition (required)
    result          grant: e.g. won, finalist (required)
    jobs            jobs: the number of jobs created (required)
    note            any kind, optional

Cells a kind does not use stay empty. A text cell starting with =, +, - or @ is refused: a
spreadsheet would run it as a formula. Rows are numbered as a spreadsheet shows them (the header is
row 1); blank rows are skipped. The same outcome twice (in the file, or recorded already) is refused.

Checking is bulk: one query for the season's applications and their offers, one for the outcomes
recorded already; the import is one multi-row insert."""
from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from incubator.applications.models import Application
from incubator.core.errors import RuleViolation
from incubator.extensions import db
from incubator.outcomes.models import Outcome
from incubator.outcomes.services import not_confirmed_reason, outcome_values
from incubator.outcomes.validators import TEXT_FIELDS, Window, check_outcome, identity
from incubator.programs.models import Season
from incubator.selection.models import Offer
from incubator.startups.models import Startup

COLUMNS = ("application_id", "kind", "date", "link", "investor", "amount", "currency", "round", "name", "result",
           "jobs", "note")
MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024
FORMULA_STARTS = ("=", "+", "-", "@")
TEMPLATE = ",".join(COLUMNS) + "\r\n"
EXAMPLE = (TEMPLATE
           + "1042,product,2025-03-14,https://paxta.example.uz,,,,,,,,Mobile app in the stores\r\n"
           + "1042,investment,2025-05-20,,Investor Day fund,20000.00,USD,pre-seed,,,,\r\n"
           + "1042,grant,,,,50000000,UZS,,IT Park grant,won,,\r\n"
           + "1042,jobs,2025-06-30,,,,,,,,7,\r\n")


@dataclass
class RowResult:
    number: int                      # as a spreadsheet shows it: the header is row 1
    cells: dict[str, str]
    startup_name: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    values: dict | None = None       # the outcome's columns when the row is valid

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    rows: list[RowResult]
    dry_run: bool
    created: int = 0

    @property
    def error_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]

    @property
    def error_count(self) -> int:
        return sum(len(r.errors) for r in self.rows)

    @property
    def valid_count(self) -> int:
        return sum(1 for r in self.rows if r.ok)

    @property
    def ok(self) -> bool:
        return not self.error_count

    def field_errors(self) -> dict[str, list[str]]:
        """"rows.<n>.<column>" -> messages: the problem+json errors of an import refused."""
        errors: dict[str, list[str]] = {}
        for row in self.rows:
            for column, message in row.errors:
                errors.setdefault(f"rows.{row.number}.{column}", []).append(message)
        return errors


# --- Reading the file -----------------------------------------------------------------------------

def file_error(message) -> RuleViolation:
    return RuleViolation("file", message)


def decode(raw: bytes) -> str:
    """The file's text; anything but UTF-8 is refused, naming the encoding it looks like."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise file_error(_wrong_encoding("UTF-32"))
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in raw[:4096]:
        raise file_error(_wrong_encoding("UTF-16"))
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise file_error(_l("%(problem)s The first character that is not UTF-8 is on line %(line)d.",
                            problem=_wrong_encoding(_guess_legacy(raw)), line=line)) from None


def _wrong_encoding(name: str) -> str:
    return str(_l("The file is not UTF-8: it looks like %(encoding)s. Save it as “CSV UTF-8” (in Excel: Save As, "
                  "then “CSV UTF-8 (Comma delimited)”; in LibreOffice: tick “Edit filter settings” and choose "
                  "“Unicode (UTF-8)”) and upload it again.", encoding=name))


def _guess_legacy(raw: bytes) -> str:
    """Windows-1251 when the non-ASCII bytes come in runs (Cyrillic words), else a Western code page."""
    high = [i for i, b in enumerate(raw[:65536]) if b >= 0x80]
    if not high:
        return str(_l("an 8-bit code page"))
    positions = set(high)
    in_runs = sum(1 for i in high if i - 1 in positions or i + 1 in positions)
    if in_runs * 2 >= len(high) and all(b >= 0xC0 or b in (0xA8, 0xB8) for b in raw[:65536] if b >= 0x80):
        return "Windows-1251 (Cyrillic)"
    if in_runs * 2 >= len(high):
        return str(_l("an 8-bit Cyrillic code page (Windows-1251, KOI8-R or similar)"))
    return "Windows-1252 (Latin-1)"


def too_big(size: int) -> RuleViolation:
    return file_error(_l("The file is %(size).1f MB: the limit is %(limit)d MB. Split it into smaller files.",
                         size=size / 1024 / 1024, limit=MAX_BYTES // (1024 * 1024)))


def read_upload(stream) -> bytes:
    """An uploaded file's bytes, refused (naming its size) past MAX_BYTES without reading it all."""
    try:
        stream.seek(0, io.SEEK_END)
        size = stream.tell()
        stream.seek(0)
    except (AttributeError, OSError, ValueError):
        size = None
    raw = stream.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise too_big(size or len(raw))
    return raw


def read_rows(raw: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header columns, [(row number, cells)]) with the file-level rules checked."""
    if len(raw) > MAX_BYTES:
        raise too_big(len(raw))
    text = decode(raw)
    if not text.strip():
        raise file_error(_l("The file is empty: it needs a header row and one row per outcome."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    number = 0
    try:
        header = next(reader)
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise file_error(_l("The file has more than %(limit)s rows: import at most %(limit)s at a time "
                                    "(split the file).", limit=f"{MAX_ROWS:,}"))
            rows.append((number, cells))
    except csv.Error as exc:
        raise file_error(_l("The file is not valid CSV near row %(row)d: %(error)s", row=number + 1,
                            error=str(exc))) from None
    columns = check_header(header)
    if not rows:
        raise file_error(_l("The file has a header but no rows: add one row per outcome."))
    return columns, rows


def check_header(header: list[str]) -> list[str]:
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    unknown = [h.strip() for h in header if h.strip().lower() not in COLUMNS and h.strip()]
    repeated = sorted({n for n in names if n in COLUMNS and names.count(n) > 1})
    problems = []
    if missing:
        problems.append(str(_l("Missing: %(names)s.", names=", ".join(missing))))
    if unknown:
        problems.append(str(_l("Unknown: %(names)s.", names=", ".join(u[:40] for u in unknown[:20]))))
    if repeated:
        problems.append(str(_l("Named twice: %(names)s.", names=", ".join(repeated))))
    if "" in names and not problems:
        problems.append(str(_l("A column has no name.")))
    if problems:
        raise file_error(_l("The header row must name exactly these columns (in any order): %(columns)s. "
                            "%(problems)s", columns=", ".join(COLUMNS), problems=" ".join(problems)))
    return names


# --- Checking the rows ----------------------------------------------------------------------------

def check_file(season: Season, raw: bytes, *, dry_run: bool = True) -> ImportResult:
    """Every row checked against the rules and the season, in bulk; nothing written."""
    columns, raw_rows = read_rows(raw)
    window = Window.of(season)
    known = {app_id: (status, offer_status, name) for app_id, status, offer_status, name in db.session.execute(
        select(Application.id, Application.status, Offer.status, Startup.name)
        .outerjoin(Offer, Offer.application_id == Application.id)
        .join(Startup, Startup.id == Application.startup_id)
        .where(Application.season_id == season.id))}
    seen = {(o.application_id, identity(outcome_values(o))) for o in db.session.scalars(
        select(Outcome).where(Outcome.season_id == season.id))}
    in_file: dict[tuple, int] = {}
    results = []
    width = len(columns)
    for number, cells in raw_rows:
        row = RowResult(number=number, cells={})
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            row.errors.append(("row", str(_l("This row has %(n)d cells but the header has %(width)d.",
                                             n=len(cells), width=width))))
        cells = (cells + [""] * width)[:width]
        row.cells = {name: cell.strip() for name, cell in zip(columns, cells, strict=True)}
        _check_row(row, known, window)
        if row.values is not None:
            key = (row.values["application_id"], identity(row.values))
            if key in seen:
                row.errors.append(("row", str(_l("This outcome is recorded already: nothing would change."))))
            elif key in in_file:
                row.errors.append(("row", str(_l("This row repeats row %(n)d.", n=in_file[key]))))
            else:
                in_file[key] = number
            if row.errors:
                row.values = None
        results.append(row)
    return ImportResult(rows=results, dry_run=dry_run)


def _check_row(row: RowResult, known: dict, window: Window) -> None:
    cells = row.cells
    for name in TEXT_FIELDS:
        if cells[name].startswith(FORMULA_STARTS):
            row.errors.append((name, str(_l(
                "This cell starts with “%(sign)s”, which a spreadsheet would run as a formula: remove the sign "
                "or start the text with a letter.", sign=cells[name][0]))))
    app_id = _application_id(cells["application_id"], row)
    if app_id is not None:
        if app_id not in known:
            row.errors.append(("application_id", str(_l("No application %(id)d in this season.", id=app_id))))
        else:
            status, offer_status, name = known[app_id]
            row.startup_name = name
            reason = not_confirmed_reason(status, offer_status)
            if reason:
                row.errors.append(("application_id", reason))
    data = {name: cells[name] for name in TEXT_FIELDS + ("kind", "amount", "currency", "jobs")}
    data["occurred_on"] = cells["date"]
    values, errors = check_outcome(data, window)
    for name, messages in errors.items():
        column = "date" if name == "occurred_on" else name
        if any(c == column for c, _ in row.errors):
            continue  # the formula message says it already
        row.errors.extend((column, m) for m in messages)
    if not row.errors:
        row.values = {**values, "application_id": app_id}


def _application_id(text: str, row: RowResult) -> int | None:
    if not text:
        row.errors.append(("application_id", str(_l("This field is required."))))
        return None
    if not text.isdigit() or not 1 <= int(text) <= 2**31 - 1:
        row.errors.append(("application_id", str(_l("Give the application's number, like 1042."))))
        return None
    return int(text)


# --- Importing ------------------------------------------------------------------------------------

def import_outcomes(season: Season, raw: bytes, *, actor, dry_run: bool = False) -> ImportResult:
    """The dry run returns what it found; the import re-checks everything and writes every row or none
    (a RuleViolation with "rows.<n>.<column>" errors when a row is wrong). The caller commits."""
    if not dry_run:
        # One import per season at a time, so the same file sent twice at once is not written twice.
        db.session.execute(select(Season.id).where(Season.id == season.id).with_for_update())
    result = check_file(season, raw, dry_run=dry_run)
    if dry_run:
        return result
    if not result.ok:
        raise RuleViolation(message=str(_l("Nothing was imported: %(n)d rows have errors. Fix them and import "
                                           "the file again.", n=len(result.error_rows))),
                            errors=result.field_errors())
    actor_id = getattr(actor, "id", None)
    db.session.execute(insert(Outcome), [
        {**row.values, "season_id": season.id, "recorded_by_id": actor_id} for row in result.rows])
    result.created = len(result.rows)
    return result
