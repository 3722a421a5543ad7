"""Manager pages: a season's reports (list, and compiling a new one in a chosen language), one report
(its progress while the worker compiles it, polled by htmx every 2 s; the report itself with its
files, their SHA-256 and sizes once done; the error and "Try again" if it failed) and downloading
its files as attachments. Every report is fetched scoped to the managers of its season's program
(404 for anyone else)."""
from __future__ import annotations

from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from incubator.core.errors import DomainError
from incubator.core.pagination import clamp, paginate
from incubator.extensions import db
from incubator.programs.queries import season_for_manager
from incubator.reports import queries
from incubator.reports.models import ReportStatus
from incubator.reports.pipeline import retry_report, status_label, step_label
from incubator.reports.render_html import report_body
from incubator.reports.services import LOCALES, request_report
from incubator.storage import StorageError, get_storage, send_download
from incubator.web.helpers import flash
from incubator.web.manager import bp

PER_PAGE = 20
FORMAT_LABELS = {"pdf": "PDF", "html": "HTML", "xlsx": "XLSX", "csv": "CSV"}
FORMAT_ORDER = {"pdf": 0, "xlsx": 1, "html": 2, "csv": 3}


def size_label(size: int | None) -> str:
    size = int(size or 0)
    if size < 1024 * 1024:
        return _("%(n)s KB", n=format_decimal(max(1, round(size / 1024))))
    return _("%(n)s MB", n=format_decimal(round(size / (1024 * 1024), 1)))


def _languages() -> dict[str, str]:
    names = current_app.config["LANGUAGES"]
    return {code: names.get(code, code) for code in LOCALES}


def _default_locale(season) -> str:
    return season.program.default_locale if season.program.default_locale in LOCALES else "en"


def _list_page(season, *, chosen: str | None = None, status: int = 200):
    page_n, per_page = clamp(request.args.get("page"), request.args.get("per_page"), PER_PAGE)
    page = paginate(queries.season_reports(season), page_n, per_page)
    rows = queries.report_rows(page.items)
    return render_template("manager/season_reports.html", season=season, page=page, rows=rows,
                           languages=_languages(), chosen=chosen or _default_locale(season),
                           status_label=status_label), status


@bp.get("/seasons/<id:season_id>/reports")
@login_required
def season_reports(season_id: int):
    return _list_page(season_for_manager(current_user, season_id))


@bp.post("/seasons/<id:season_id>/reports")
@login_required
def season_report_new(season_id: int):
    season = season_for_manager(current_user, season_id)
    locale = request.form.get("locale") or _default_locale(season)
    if locale not in LOCALES:
        flash(_l("Choose the report's language: English, Russian or Uzbek."), "danger")
        return _list_page(season, status=422)
    report = request_report(season, actor=current_user, locale=locale)
    db.session.commit()
    flash(_l("The report is being compiled. You can leave this page and come back."), "success")
    return redirect(url_for("manager.report", report_id=report.id))


def _files(report) -> list[dict]:
    files = sorted(report.files or [], key=lambda f: (FORMAT_ORDER.get(f.get("format"), 9), f.get("name", "")))
    return [dict(f, label=FORMAT_LABELS.get(f.get("format"), f.get("format", "").upper()),
                 size_label=size_label(f.get("size"))) for f in files]


def _stored_body(report):
    """The body of the report's stored HTML file: the page shows what the download holds."""
    html = next((f for f in report.files or [] if f.get("format") == "html"), None)
    if html is None:
        return None
    try:
        with get_storage().open(html["key"]) as stream:
            return report_body(stream.read())
    except (FileNotFoundError, StorageError, OSError):
        return None


@bp.get("/reports/<id:report_id>")
@login_required
def report(report_id: int):
    report = queries.report_for_manager(current_user, report_id)
    season = report.season
    job = queries.report_job(report)
    running = report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)
    context = {"report": report, "season": season, "job": job, "running": running,
               "percent": queries.progress_of(report, job),
               "step": step_label((job.result or {}).get("step") if job else None),
               "language": _languages().get(report.locale, report.locale), "status_label": status_label}
    if request.headers.get("HX-Request"):
        response = make_response(render_template("manager/_report_progress.html", **context))
        if not running:
            response.headers["HX-Refresh"] = "true"  # finished: show the report (or the error) in full
        return response
    body = _stored_body(report) if report.status == ReportStatus.DONE else None
    return render_template("manager/report.html", files=_files(report) if report.status == ReportStatus.DONE else [],
                           body=body, **context)


@bp.post("/reports/<id:report_id>/retry")
@login_required
def report_retry(report_id: int):
    report = queries.report_for_manager(current_user, report_id)
    try:
        new = retry_report(report, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("manager.report", report_id=report.id))
    db.session.commit()
    flash(_l("A new report is being compiled."), "success")
    return redirect(url_for("manager.report", report_id=new.id))


@bp.get("/reports/<id:report_id>/files/<name>")
@login_required
def report_file(report_id: int, name: str):
    report = queries.report_for_manager(current_user, report_id)
    entry = queries.report_file(report, name)
    if entry is None:
        abort(404)
    try:
        stream = get_storage().open(entry["key"])
    except (FileNotFoundError, StorageError, OSError):
        abort(404)
    return send_download(stream, download_name=entry["name"], mimetype=entry["content_type"],
                         etag=entry.get("sha256"), size=entry.get("size"))
