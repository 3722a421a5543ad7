"""The submitted application as a PDF (A4), rendered from templates/founder/application_pdf.html by
WeasyPrint. Nothing is fetched while rendering: no network, no files, only the system fonts
(DejaVu covers Latin, Cyrillic and the Uzbek ʻ)."""
from __future__ import annotations

import re

from flask import render_template
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from incubator.applications.display import answer_rows
from incubator.core.i18n import format_in_zone
from incubator.core.timeutil import utcnow


def css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes, line breaks and `<` (no `</style>`) escaped."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
               .replace("\n", "\\A ").replace("\r", ""))
    return f'"{escaped}"'


_COUNTER = re.compile(r"%\((page|pages)\)s")


def css_content(template: str) -> str:
    """'Page %(page)s of %(pages)s' (translated) as a CSS `content` value with live page counters."""
    parts, pos = [], 0
    for match in _COUNTER.finditer(template):
        if match.start() > pos:
            parts.append(css_string(template[pos:match.start()]))
        parts.append(f"counter({match.group(1)})")
        pos = match.end()
    if pos < len(template):
        parts.append(css_string(template[pos:]))
    return " ".join(parts) or '""'


def _url_fetcher():
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=())  # refuse every URL: the document is self-contained


def render_application_pdf(application, *, locale: str | None = None) -> bytes:
    """The application as an A4 PDF, in `locale` (default: the current request's language)."""
    from weasyprint import HTML  # imported here: loading pango is slow, and only this needs it

    with force_locale(locale or str(get_locale())):
        locale = str(get_locale())
        season = application.season
        html = render_template(
            "founder/application_pdf.html",
            application=application,
            season=season,
            program=season.program,
            startup=application.startup,
            rows=answer_rows(application, locale),
            submitted=format_in_zone(application.submitted_at, season.timezone),
            footer_left=css_string(_("Generated on %(when)s", when=format_in_zone(utcnow(), season.timezone))),
            footer_right=css_content(_("Page %(page)s of %(pages)s")),
        )
    return HTML(string=html, base_url=None, url_fetcher=_url_fetcher()).write_pdf()
