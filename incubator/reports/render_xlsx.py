"""The season report as one XLSX workbook (the shared streaming writer, incubator.core.xlsx): Summary
(headline, outcomes, notes and the funnel), Applications (the ranking of every stage with its
scores), Scores (criteria and histograms), Reviewers and Demographics.

Numbers are numeric cells (percentages are ratios with the "0.00%" format); text cells are always
inline strings, never formulas, and text a spreadsheet could read as a formula also gets the leading
apostrophe of incubator.selection.exports.neutralise, as in the CSV files. A suppressed cell is "—".
Rows are converted as they are written: the workbook of 20,000 applications never exists as cell
objects."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from incubator.core import xlsx
from incubator.reports.figures_types import SeasonFigures
from incubator.reports.render_tables import HIDDEN, HIDDEN_MARK, Pct, Table, all_tables, in_language
from incubator.selection.exports import FORMULA_STARTS, neutralise

PERCENT = "0.00%"  # Excel's built-in format 10, as incubator.core.xlsx writes percentages
_AS_IS = frozenset({type(None), bool, int, float, Decimal})


def _value(value):
    if type(value) is str:  # the usual cell first
        return "'" + value if value.startswith(FORMULA_STARTS) else value  # as neutralise does
    if type(value) in _AS_IS:
        return value
    if isinstance(value, Pct):
        return xlsx.Styled(value.value, percent=True)
    if value is HIDDEN:
        return HIDDEN_MARK
    return neutralise(str(value))


def _rows(rows: Iterable[list]) -> Iterator[list]:
    for row in rows:
        yield [_value(v) for v in row]


def render_xlsx(figures: SeasonFigures, tables: list[Table] | None = None) -> bytes:
    """The workbook; `tables` (render_tables.all_tables of these figures, in their language) may be
    passed to share them with the CSV files."""
    with in_language(figures):
        tables = {table.name: table for table in (tables if tables is not None else all_tables(figures))}
        order = [tables[name] for name in ("summary", "ranking", "scores", "reviewers", "demographics")]
        titles = xlsx.sheet_titles([table.title for table in order], [table.name for table in order])
        summary, funnel = tables["summary"], tables["funnel"]
        first = [*_rows(summary.rows), [], xlsx.bold(_value(v) for v in funnel.header), *_rows(funnel.rows)]
        sheets = [xlsx.Sheet(titles[0], [_value(v) for v in summary.header], first)]
        sheets += [xlsx.Sheet(title, [_value(v) for v in table.header], _rows(table.rows))
                   for title, table in zip(titles[1:], order[1:], strict=True)]
        return xlsx.write_xlsx(sheets)
