"""A season report as a PDF (A4) by WeasyPrint, from the same document as the HTML file with a print
style: charts (inline SVG, text kept as text) and tables, the program's name and the season at the
top of every page, the generation date and the page number at the bottom.

The margin boxes take the program's name, the season and the date from the document itself
(CSS `string-set`), so no name is ever written into a style sheet; the only style built here is the
translated "Page N of M". Nothing is fetched while rendering (no network, no files).

Speed: WeasyPrint spends about a millisecond on every table cell and on every letter of a chart's
text, so the PDF lists the first rows of the long tables (render_html.PDF_RANKING_ROWS of each
stage's ranking, PDF_REVIEWER_ROWS reviewers of each stage, and says so under each table; the
HTML, the XLSX and the CSVs have the rest), its tables have fixed column widths
(templates/reports/_report_print.css) and the charts are plain SVG (charts_svg) drawn once and
shared with the HTML file."""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from incubator.applications.pdf import css_content
from incubator.reports.charts import ReportCharts
from incubator.reports.render_html import render_html

CONTENT_TYPE = "application/pdf"


def _url_fetcher():
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=())  # refuse every URL: the document is self-contained


def _refuse(url, *args, **kwargs):
    raise ValueError(f"The report does not load anything from outside: {url[:80]}")


def page_style() -> str:
    """The page-number box, in the current language."""
    return ("@page { @bottom-right { content: " + css_content(_("Page %(page)s of %(pages)s")) +
            '; font-family: "DejaVu Sans", sans-serif; font-size: 7.5pt; color: #495057; } }')


def render_pdf(figures, *, charts: ReportCharts | None = None, timezone: str | None = None,
               report_id: int | None = None) -> bytes:
    from weasyprint import CSS, HTML  # imported here: loading pango is slow, and only this needs it

    document = render_html(figures, charts=charts, timezone=timezone, report_id=report_id, for_pdf=True)
    with force_locale(figures.locale):
        pages = page_style()
    try:
        fetcher = _url_fetcher()
    except ImportError:  # WeasyPrint before 68: a plain function
        fetcher = _refuse
    return HTML(string=document, base_url=None, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=pages, url_fetcher=fetcher)])
