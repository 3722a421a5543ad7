"""The season report as CSV files, one per table (see incubator.reports.render_tables): summary.csv,
funnel.csv, scores.csv, ranking.csv, reviewers.csv, demographics.csv.

UTF-8 with a byte-order mark (so spreadsheets read Cyrillic right), CRLF line ends. Every text cell
goes through incubator.selection.exports.neutralise (a leading apostrophe before =, +, -, @, tab or
carriage return); numbers are written as numbers; percentages as numbers of percent (82.35);
a suppressed cell is "—" and demographics.csv ends with a note saying what it means."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from incubator.reports.figures_types import SeasonFigures
from incubator.reports.render_tables import HIDDEN, HIDDEN_MARK, Pct, Table, all_tables, in_language
from incubator.selection.exports import FORMULA_STARTS, neutralise

FILES = ("summary.csv", "funnel.csv", "scores.csv", "ranking.csv", "reviewers.csv", "demographics.csv")


_NUMBERS = frozenset({int, float, Decimal})


def _value(value):
    kind = type(value)  # the usual cells first: text and numbers
    if kind is str:
        return "'" + value if value.startswith(FORMULA_STARTS) else value  # as neutralise does
    if kind in _NUMBERS:
        return value
    if value is None:
        return ""
    if value is HIDDEN:
        return HIDDEN_MARK
    if isinstance(value, Pct):
        return f"{value.value * 100:.2f}"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    return neutralise(str(value))


def _csv(header: list, rows: list[list]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_value(v) for v in header])
    writer.writerows([_value(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def render_csvs(figures: SeasonFigures, tables: list[Table] | None = None) -> dict[str, bytes]:
    """File name -> content, for every table of the report (`tables`: as for render_xlsx)."""
    with in_language(figures):
        return {f"{table.name}.csv": _csv(table.header, table.rows)
                for table in (tables if tables is not None else all_tables(figures))}
