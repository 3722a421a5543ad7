"""Season reports over the API: compile one (202 with the report and its job to poll), follow its
progress, list a season's reports, download a file, and try a failed report again (a new report).
Only managers of the season's program see a report (404 for anyone else)."""
from __future__ import annotations

from flask import abort, url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from incubator.api.auth import auth_required, current_api_user
from incubator.api.jobs import JobOut
from incubator.api.schemas import PageArgs, page_of
from incubator.core.pagination import paginate
from incubator.extensions import db
from incubator.programs.queries import season_for_manager
from incubator.reports import queries
from incubator.reports.models import ReportStatus
from incubator.reports.pipeline import CONTENT_TYPES, retry_report, step_label
from incubator.reports.services import LOCALES, request_report
from incubator.storage import StorageError, get_storage, send_download

blp = Blueprint("api_reports", __name__, description="Season reports: compile, follow, download")
SECURITY = [{"bearerAuth": []}]


class ReportIn(Schema):
    locale = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LOCALES),
                           metadata={"description": "The report's language; the program's language by default."})


class ReportFileOut(Schema):
    format = fields.String(required=True, validate=validate.OneOf(sorted(CONTENT_TYPES)))
    name = fields.String(required=True, metadata={"description": "The file's name (program, season, report id, "
                                                                 "language), unique within the report."})
    content_type = fields.String(required=True)
    size = fields.Integer(required=True, metadata={"description": "In bytes."})
    sha256 = fields.String(required=True, metadata={"description": "Hex SHA-256 of the file's content."})
    url = fields.String(required=True, metadata={"format": "uri"})


class ReportOut(Schema):
    id = fields.Integer(required=True)
    season_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in ReportStatus]))
    locale = fields.String(required=True)
    provisional = fields.Boolean(required=True, metadata={"description": "The season was not closed when the "
                                                                         "report was compiled."})
    progress = fields.Integer(required=True, metadata={"description": "0..100 (from the report's job)."})
    step = fields.String(required=True, metadata={"description": "What the worker is doing, in words."})
    error = fields.String(allow_none=True, metadata={"description": "Why the report failed."})
    job_id = fields.Integer(allow_none=True)
    requested_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(allow_none=True)
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    files = fields.List(fields.Nested(ReportFileOut), required=True,
                        metadata={"description": "Listed only once the report is done (never half-written)."})
    summary = fields.Dict(required=True, metadata={"description": "Headline figures (funnel counts, stages, "
                                                                  "reviewers, outcomes) once done."})
    url = fields.String(required=True, metadata={"format": "uri"})


class ReportStarted(Schema):
    report = fields.Nested(ReportOut, required=True)
    job = fields.Nested(JobOut, required=True)


ReportPage = page_of(ReportOut, "ReportPage")

FILE_RESPONSE = {
    "description": "The file, as an attachment, with its SHA-256 as the ETag.",
    "content": {mime.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                for mime in CONTENT_TYPES.values()},
    "headers": {"Content-Disposition": {"schema": {"type": "string"},
                                        "description": "attachment; filename=\"...\"; filename*=UTF-8''..."}},
}


def report_out(report, job=None) -> dict:
    job = job if job is not None else queries.report_job(report)
    done = report.status == ReportStatus.DONE
    return {
        "id": report.id, "season_id": report.season_id, "status": str(report.status), "locale": report.locale,
        "provisional": report.provisional, "progress": queries.progress_of(report, job),
        "step": step_label("done" if done else "failed" if report.status == ReportStatus.FAILED
                           else (job.result or {}).get("step") if job else None),
        "error": report.error, "job_id": report.job_id, "requested_by_id": report.requested_by_id,
        "created_at": report.created_at, "started_at": report.started_at, "finished_at": report.finished_at,
        "files": [{"format": f["format"], "name": f["name"], "content_type": f["content_type"], "size": f["size"],
                   "sha256": f["sha256"],
                   "url": url_for("api_reports.get_file", report_id=report.id, name=f["name"], _external=True)}
                  for f in (report.files or [])] if done else [],
        "summary": (report.summary or {}) if done else {},
        "url": url_for("api_reports.get_report", report_id=report.id, _external=True),
    }


def _started(report):
    job = queries.report_job(report)
    return ({"report": report_out(report, job), "job": job}, 202,
            {"Location": url_for("api_reports.get_report", report_id=report.id)})


@blp.route("/seasons/<id:season_id>/reports", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(ReportIn)
@blp.response(202, ReportStarted, headers={"Location": {"description": "The report to poll",
                                                        "schema": {"type": "string"}}})
@auth_required
def create(data, season_id: int):
    """Compile a report of the season (provisional unless the season is closed), in `locale`. Answers
    202 with the report and its job; poll the report for its progress and, once done, its files."""
    user = current_api_user()
    season = season_for_manager(user, season_id)
    report = request_report(season, actor=user, locale=data.get("locale"))
    db.session.commit()
    return _started(report)


@blp.route("/seasons/<id:season_id>/reports", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.arguments(PageArgs, location="query")
@blp.response(200, ReportPage)
@auth_required
def list_reports(args, season_id: int):
    """The season's reports, newest first."""
    season = season_for_manager(current_api_user(), season_id)
    page = paginate(queries.season_reports(season), args["page"], args["per_page"])
    rows = queries.report_rows(page.items)
    return {"items": [report_out(row.report, row.job) for row in rows], "page": page.page,
            "per_page": page.per_page, "total": page.total, "pages": page.pages}


@blp.route("/reports/<id:report_id>", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.response(200, ReportOut)
@auth_required
def get_report(report_id: int):
    """A report: its status and progress while it is compiled; its files (with SHA-256) and headline
    figures once done; the error if it failed."""
    return report_out(queries.report_for_manager(current_api_user(), report_id))


@blp.route("/reports/<id:report_id>/files/<name>", methods=["GET"])
@blp.doc(security=SECURITY, responses={"200": FILE_RESPONSE})
@auth_required
def get_file(report_id: int, name: str):
    """Download one file of a finished report (as an attachment)."""
    report = queries.report_for_manager(current_api_user(), report_id)
    entry = queries.report_file(report, name)
    if entry is None:
        abort(404, "No such file in this report.")
    try:
        stream = get_storage().open(entry["key"])
    except (FileNotFoundError, StorageError, OSError):
        abort(404, "The file is no longer stored.")
    return send_download(stream, download_name=entry["name"], mimetype=entry["content_type"],
                         etag=entry.get("sha256"), size=entry.get("size"))


@blp.route("/reports/<id:report_id>/retry", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.response(202, ReportStarted, headers={"Location": {"description": "The new report to poll",
                                                        "schema": {"type": "string"}}})
@auth_required
def retry(report_id: int):
    """Try a failed report again: a NEW report of the same season in the same language (the failed one
    stays as it was). 409 for a report that did not fail."""
    user = current_api_user()
    report = retry_report(queries.report_for_manager(user, report_id), actor=user)
    db.session.commit()
    return _started(report)
