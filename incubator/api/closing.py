"""Closing a season over the API: what blocks it (GET) and closing it (POST, 202 with the report's job).
The same service as the manager's page (incubator.selection.closing)."""
from __future__ import annotations

from flask import url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from incubator.api.auth import auth_required, current_api_user
from incubator.api.jobs import JobOut
from incubator.api.problems import problem
from incubator.extensions import db
from incubator.jobs.models import Job
from incubator.jobs.services import job_state
from incubator.programs.models import SeasonStatus
from incubator.programs.queries import season_for_manager
from incubator.reports.services import LOCALES
from incubator.selection import closing

blp = Blueprint("api_closing", __name__, description="Closing a season: blockers, closing, the report it starts")
SECURITY = [{"bearerAuth": []}]


class CloseIn(Schema):
    confirm = fields.Boolean(load_default=False, metadata={
        "description": "Resolve what blocks closing: undecided and waitlisted applications become rejected, open "
                       "offers expire. Without it, a season with blockers is not closed (409 close_blocked)."})
    locale = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LOCALES), metadata={
        "description": "The language of the season report (default: the program's)."})


class IdGroupOut(Schema):
    count = fields.Integer(required=True)
    application_ids = fields.List(fields.Integer(), required=True)


class OfferGroupOut(IdGroupOut):
    offer_ids = fields.List(fields.Integer(), required=True)


class BlockersOut(Schema):
    blocking = fields.Boolean(required=True, metadata={"description": "True: closing needs `confirm: true`."})
    undecided = fields.Nested(IdGroupOut, required=True, metadata={"description": "Submitted or in review."})
    waitlisted = fields.Nested(IdGroupOut, required=True)
    open_offers = fields.Nested(OfferGroupOut, required=True, metadata={"description": "Not answered yet."})
    unfinished_drafts = fields.Nested(IdGroupOut, required=True, metadata={
        "description": "For information: drafts never submitted do not block closing."})


class CloseStateOut(Schema):
    season_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in SeasonStatus]))
    closed_at = fields.DateTime(allow_none=True)
    closed_by_id = fields.Integer(allow_none=True)
    blockers = fields.Nested(BlockersOut, required=True)
    messages = fields.List(fields.String(), required=True, metadata={"description": "The blockers, in words."})


class SeasonBriefOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    closed_at = fields.DateTime(allow_none=True)
    closed_by_id = fields.Integer(allow_none=True)


class CloseOut(Schema):
    season_id = fields.Integer(required=True)
    status = fields.String(required=True)
    closed_at = fields.DateTime(allow_none=True)
    season = fields.Nested(SeasonBriefOut, required=True)
    report_id = fields.Integer(allow_none=True, metadata={"description": "The report started on close (or the "
                                                                         "latest, when it was closed already)."})
    job = fields.Nested(JobOut, allow_none=True, metadata={"description": "The report's job, to poll."})


def _close_out(season, report) -> dict:
    job = db.session.get(Job, report.job_id) if report is not None and report.job_id else None
    return {"season_id": season.id, "status": SeasonStatus(season.status).value, "closed_at": season.closed_at,
            "season": {"id": season.id, "name": season.name, "status": SeasonStatus(season.status).value,
                       "closed_at": season.closed_at, "closed_by_id": season.closed_by_id},
            "report_id": report.id if report is not None else None,
            "job": job_state(job) if job is not None else None}


@blp.route("/seasons/<id:season_id>/close", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.response(200, CloseStateOut)
@auth_required
def close_state(season_id: int):
    """What still blocks closing the season (a manager of its program; 404 for anyone else)."""
    season = season_for_manager(current_api_user(), season_id)
    blockers = closing.close_blockers(season) if season.status != SeasonStatus.CLOSED else closing.Blockers()
    return {"season_id": season.id, "status": SeasonStatus(season.status).value, "closed_at": season.closed_at,
            "closed_by_id": season.closed_by_id, "blockers": blockers.as_dict(),
            "messages": closing.blocker_lines(blockers)}


@blp.route("/seasons/<id:season_id>/close", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(CloseIn)
@blp.response(202, CloseOut, headers={"Location": {"description": "The report's job to poll",
                                                   "schema": {"type": "string"}}})
@blp.alt_response(200, schema=CloseOut, description="Closed already: nothing changed, the latest report",
                  success=True)
@blp.alt_response(409, description="Blocked (code close_blocked, with `blockers`), a draft season "
                                   "(season_draft), or a lost race")
@auth_required
def close(data, season_id: int):
    """Close the season: final, idempotent. Starts the season report in the background (202 with its
    job). Closed already: 200 with the latest report, nothing changed. Undecided or waitlisted
    applications, or open offers, block closing unless `confirm: true` (409 `close_blocked`, each
    listed in `blockers`)."""
    user = current_api_user()
    try:
        result = closing.close_season_or_read(season_id, actor=user, confirm=data["confirm"], locale=data["locale"])
    except closing.CloseBlocked as exc:
        db.session.rollback()
        return problem(409, exc.message, code="close_blocked", blockers=exc.blockers.as_dict())
    body = _close_out(result.season, result.report)
    if not result.closed_now:
        return body, 200
    headers = {"Location": url_for("api_jobs.get_job", job_id=body["job"].id)} if body["job"] else {}
    return body, 202, headers
