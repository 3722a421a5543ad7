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

import logging
import time

from flask_babel import force_locale
from flask_babel import gettext as _

from incubator.applications.pdf import css_content
from incubator.reports.charts import ReportCharts
from incubator.reports.render_html import render_html

CONTENT_TYPE = "application/pdf"
log = logging.getLogger(__name__)
_preloaded: dict[str, float] = {}


def _warm_up_figures(locale: str):
    """A tiny report with one of everything a real one has: the funnel, a stage with its charts and
    tables, a reviewer, a demographic table with a hidden cell."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from incubator.reports import figures_types as t

    cell = t.Cell(12, 0.6)
    stage = t.StageFigures(1, 1, "Stage", False, 20, 40, 3.1, {1: 2, 2: 9, 3: 14, 4: 11, 5: 4}, [
        t.CriterionFigures("team", "Team", Decimal("1.5"), 1, 5, 3.2, {1: 2, 2: 9, 3: 14, 4: 11, 5: 4})], [
        t.RankedApplication(1, 1, "Startup", "Region", "Sector", True, "In review", 4.25, 4.1, 0.5, 3, 3)])
    return t.SeasonFigures(
        season_id=0, program_name="Program", season_name="Season", locale=locale, provisional=True,
        generated_at=datetime(2025, 1, 1, tzinfo=UTC),
        funnel=[t.FunnelStep("started", "Started", 20, None), t.FunnelStep("submitted", "Submitted", 18, 0.9)],
        median_days_to_decision=12.5, stages=[stage],
        reviewers=[t.ReviewerFigures(1, "Reviewer", 1, "Stage", 10, 9, 0.9, 0.8, 3.0, 3.1, -0.1, 0.4)],
        demographics=[t.DemographicTable("region", "Region", [
            t.DemographicRow("a", "A", cell, t.Cell(None, None, True)), t.DemographicRow("b", "B", cell, cell)],
            24, 6)],
        outcomes=None, notes=["Note"])


def preload() -> float:
    """Load WeasyPrint and lay out a tiny report once in each language (in an app context), so that a
    report's PDF step does not pay for loading Pango, the fonts' configuration, fontTools'
    subsetter, the hyphenation dictionaries, the report's template and the languages' number
    formats (about a second, 0.6 s of it the import). Called when a worker that compiles reports
    starts (workers/app.py); idempotent; returns the seconds it took (0 after the first call). Never
    raises: the PDF step would then load all this itself, or fail with its own error."""
    if "seconds" in _preloaded:
        return 0.0
    started = time.perf_counter()
    try:
        for locale in ("en", "ru", "uz"):
            render_pdf(_warm_up_figures(locale))
    except Exception:  # a missing library shows up, with its message, in the report that needs it
        log.exception("could not preload WeasyPrint")
    _preloaded["seconds"] = time.perf_counter() - started
    return _preloaded["seconds"]


def _fetcher():
    try:
        return _url_fetcher()
    except ImportError:  # WeasyPrint before 68: a plain function
        return _refuse


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
    fetcher = _fetcher()
    return HTML(string=document, base_url=None, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=pages, url_fetcher=fetcher)])
