"""A stage's assignments over the API (managers): list them, assign by hand or automatically, take one
away. The same services as the manager's page; another program's stage is a 404."""
from __future__ import annotations

from flask import jsonify
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from incubator.api.auth import auth_required, current_api_user
from incubator.api.schemas import PageArgs, dump_page, page_of
from incubator.core.pagination import paginate
from incubator.extensions import db
from incubator.programs.queries import stage_for_manager
from incubator.reviews import assigning
from incubator.reviews import queries_manager as queries
from incubator.reviews.models import AssignmentStatus

blp = Blueprint("api_stage_assignments", __name__, description="Assigning reviewers at a stage (managers)")
SECURITY = [{"bearerAuth": []}]
ID = validate.Range(min=1, max=2**31 - 1)


class StageAssignIn(Schema):
    auto = fields.Boolean(load_default=False, metadata={"description": "true: assign automatically."})
    reviews_per_application = fields.Integer(strict=True, validate=validate.Range(min=1, max=assigning.MAX_K),
                                             metadata={"description": "With auto: k, the reviewers each "
                                                                      "application should have (default: the "
                                                                      "stage's reviews_required)."})
    application_id = fields.Integer(strict=True, validate=ID, metadata={"description": "Without auto."})
    reviewer_id = fields.Integer(strict=True, validate=ID, metadata={"description": "Without auto: a user id "
                                                                                    "of the program's pool."})

    @validates_schema
    def _one_kind(self, data, **kwargs):
        if not data.get("auto"):
            missing = {name: ["Required without auto."] for name in ("application_id", "reviewer_id")
                       if data.get(name) is None}
            if missing:
                raise ValidationError(missing)


class StageAssignmentArgs(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in AssignmentStatus]))
    application_id = fields.Integer(validate=ID)
    reviewer_id = fields.Integer(validate=ID)


class StageReviewBrief(Schema):
    status = fields.String()
    submitted_at = fields.DateTime(allow_none=True)


class StageAssignmentOut(Schema):
    id = fields.Integer(required=True)
    stage_id = fields.Integer(required=True)
    application_id = fields.Integer(required=True)
    reviewer_id = fields.Integer(required=True)
    reviewer_name = fields.Function(lambda a: a.reviewer.name)
    status = fields.String(metadata={"enum": [s.value for s in AssignmentStatus]})
    is_auto = fields.Boolean()
    reason = fields.String(metadata={"description": "Why this reviewer, e.g. 'sector match: agritech; load 12/15'."})
    reason_key = fields.String()
    reason_params = fields.Dict()
    created_at = fields.DateTime()
    released_at = fields.DateTime(allow_none=True)
    review = fields.Nested(StageReviewBrief, allow_none=True)


class AssignmentGapOut(Schema):
    application_id = fields.Integer(required=True)
    startup_name = fields.String()
    missing = fields.Integer(required=True)
    reason = fields.String(required=True)
    reason_key = fields.String()
    params = fields.Dict()


class AutoAssignResultOut(Schema):
    k = fields.Integer(required=True)
    applications = fields.Integer(metadata={"description": "Under review at the stage."})
    reviewers = fields.Integer(metadata={"description": "In the program's pool."})
    created = fields.List(fields.Nested(StageAssignmentOut), required=True)
    created_count = fields.Integer(metadata={"description": "How many assignments the run added."})
    unfilled = fields.List(fields.Nested(AssignmentGapOut), required=True,
                           metadata={"description": "Applications left short of k, with why."})
    loads = fields.Dict(keys=fields.String(), values=fields.Integer(),
                        metadata={"description": "Reviewer id -> load at the stage after the run."})
    conflicted_existing = fields.List(fields.Dict(), metadata={
        "description": "Earlier assignments whose reviewer is now conflicted: [{reviewer_id, application_id}]."})


def auto_result_body(result: assigning.AutoResult) -> dict:
    """The answer to an automatic run (AutoAssignResultOut). The new assignments are written out as
    plain dicts, the shape StageAssignmentOut gives them: marshmallow took seconds for the 58,000 of a
    run at 20,000 applications."""
    body = AutoAssignResultOut().dump({
        "k": result.k, "applications": result.applications, "reviewers": result.reviewers,
        "created": [], "unfilled": result.unfilled,
        "loads": {str(rid): n for rid, n in result.loads.items()},
        "conflicted_existing": [{"reviewer_id": r, "application_id": a} for r, a in result.conflicted_existing],
    })
    when = fields.DateTime()  # a run writes its rows at one time: formatted once
    stamps = {t: when.serialize("t", {"t": t}) for t in {a.created_at for a in result.created}}
    body["created"] = [{
        "id": a.id, "stage_id": a.stage_id, "application_id": a.application_id, "reviewer_id": a.reviewer_id,
        "reviewer_name": a.reviewer.name if a.reviewer is not None else None, "status": a.status,
        "is_auto": a.is_auto, "reason": a.reason, "reason_key": a.reason_key, "reason_params": a.reason_params,
        "created_at": stamps[a.created_at],
        "released_at": None, "review": None,
    } for a in result.created]
    body["created_count"] = len(body["created"])
    return body


@blp.route("/stages/<id:stage_id>/assignments", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.arguments(StageAssignmentArgs, location="query")
@blp.response(200, page_of(StageAssignmentOut, "StageAssignmentPage"))
@auth_required
def list_assignments(args, stage_id: int):
    """The stage's assignments (active and released), by application; filter by status, application,
    reviewer."""
    stage = stage_for_manager(current_api_user(), stage_id)
    stmt = queries.stage_assignments_stmt(stage, status=args.get("status"),
                                          application_id=args.get("application_id"),
                                          reviewer_id=args.get("reviewer_id"))
    return dump_page(paginate(stmt, args["page"], args["per_page"]))


@blp.route("/stages/<id:stage_id>/assignments", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(StageAssignIn)
@blp.alt_response(200, schema=AutoAssignResultOut, description="auto: what was assigned and what is still missing")
@blp.alt_response(201, schema=StageAssignmentOut, description="the manual assignment")
@auth_required
def create_assignments(data, stage_id: int):
    """Assign by hand (`application_id`, `reviewer_id`: 201 with the assignment; 422 naming why it is
    refused: conflicted, already assigned, at their maximum, not in the pool, not under review here),
    or automatically (`{"auto": true, "reviews_per_application": 3}`: 200 with the new assignments and
    the applications left short, each with why). Automatic runs are incremental and deterministic:
    existing assignments and submitted reviews are kept, only gaps are filled."""
    user = current_api_user()
    stage = stage_for_manager(user, stage_id)
    if data.get("auto"):
        result = assigning.auto_assign(stage, actor=user, k=data.get("reviews_per_application"))
        body = auto_result_body(result)
        db.session.commit()
        return jsonify(body), 200
    application = assigning.application_in_stage(stage, data["application_id"])
    reviewer = assigning.pool_member(stage, data["reviewer_id"])
    row = assigning.assign_manually(stage, application, reviewer, actor=user)
    body = StageAssignmentOut().dump(row)
    db.session.commit()
    return jsonify(body), 201


@blp.route("/stages/<id:stage_id>/assignments/<id:assignment_id>", methods=["DELETE"])
@blp.doc(security=SECURITY)
@blp.response(204)
@auth_required
def delete_assignment(stage_id: int, assignment_id: int):
    """Take an assignment away (it is kept as released). 409 once its review is submitted."""
    user = current_api_user()
    stage = stage_for_manager(user, stage_id)
    assigning.remove_assignment(assigning.assignment_for_manager(user, stage, assignment_id), actor=user)
    db.session.commit()
