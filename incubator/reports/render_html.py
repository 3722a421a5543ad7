"""A season report as HTML: one standalone document (templates/reports/report.html, with its own
style) used for the downloadable file and, with a print style, as the source of the PDF.

The in-app page shows the part of the stored file between the report-body markers (`report_body`),
so the page and the download are the same text. Everything is rendered in the report's language;
Jinja escapes every label and name (the only markup passed through is the charts' serialized SVG)."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from markupsafe import Markup

from incubator.core.i18n import format_in_zone
from incubator.reports import formatting
from incubator.reports.charts import ReportCharts, report_charts, suppression_note

TEMPLATE = "reports/report.html"
BODY_START = "<!-- report-body -->"
BODY_END = "<!-- /report-body -->"
RANKING_ROWS = 100  # per stage in the HTML; the XLSX and the CSVs have every row
PDF_RANKING_ROWS = 50  # per stage in the PDF (laying out a table row costs WeasyPrint ~10 ms)
PDF_REVIEWER_ROWS = 25  # per stage in the PDF (by name); the HTML, the XLSX and the CSVs list every reviewer
CONTENT_TYPE = "text/html; charset=utf-8"


def render_html(figures, *, charts: ReportCharts | None = None, timezone: str | None = None,
                report_id: int | None = None, for_pdf: bool = False) -> str:
    """The report document in `figures.locale`. Pass `charts` (report_charts(figures), drawn in the
    same language) to reuse them between the HTML and the PDF."""
    with force_locale(figures.locale):
        if charts is None:
            charts = report_charts(figures)
        template = current_app.jinja_env.get_template(TEMPLATE)
        return template.render(
            figures=figures, charts=charts, fmt=formatting, report_id=report_id, for_pdf=for_pdf,
            generated=format_in_zone(figures.generated_at, timezone),
            ranking_rows=PDF_RANKING_ROWS if for_pdf else RANKING_ROWS,
            reviewer_rows=first_of_each_stage(figures.reviewers, PDF_REVIEWER_ROWS) if for_pdf else figures.reviewers,
            reviewer_cap=PDF_REVIEWER_ROWS,
            suppression_note=suppression_note(),
        )


def first_of_each_stage(reviewers: list, limit: int) -> list:
    """The first `limit` reviewer rows of each stage, in their order (by stage, then by name)."""
    seen: dict[int, int] = {}
    shown = []
    for row in reviewers:
        seen[row.stage_id] = seen.get(row.stage_id, 0) + 1
        if seen[row.stage_id] <= limit:
            shown.append(row)
    return shown


def report_body(document: str | bytes) -> Markup:
    """The body of a stored report document (between the markers), for the in-app page. The
    document is our own rendering (every text escaped when it was made); names in it cannot forge a
    marker, since their `<` was escaped."""
    if isinstance(document, bytes):
        document = document.decode("utf-8")
    start = document.find(BODY_START)
    end = document.find(BODY_END, start + 1)
    if start < 0 or end < 0:
        return Markup("")
    return Markup(document[start + len(BODY_START):end])  # noqa: S704 (our own escaped rendering)
