"""The reviewer's assignments over the API: list, read (as the stage lets the reviewer see it), review,
declare a conflict, download a file.

Every assignment is fetched through reviewer_queries.assignment_for_reviewer: 404 unless it is
active, the caller's, and the caller is not conflicted with the startup. Blind stages hide the
startup's and the team's identity here exactly as on the pages (reviews.visibility)."""
from __future__ import annotations

from flask import url_for
from flask_babel import get_locale
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from incubator.api.auth import auth_required, current_api_user
from incubator.api.schemas import PageArgs, Text, dump_page, page_of
from incubator.applications.filecheck import MIMES
from incubator.core.pagination import paginate
from incubator.extensions import db
from incubator.programs.models import Stage
from incubator.reviews import reviewer_queries as queries
from incubator.reviews.models import Assignment
from incubator.reviews.reviewing import RECOMMENDATIONS, record_review
from incubator.reviews.visibility import assignment_label, open_for_reviewer, reviewer_view
from incubator.storage import send_download

blp = Blueprint("api_assignments", __name__, description="A reviewer's assignments and reviews")
SECURITY = [{"bearerAuth": []}]
STATES = ("none", "draft", "submitted")
NULLABLE_STRING = {"type": "string", "nullable": True}
DECIMAL_DOC = {"type": "string", "description": "A decimal number, as a string"}


class ListArgs(PageArgs):
    season_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    stage_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    state = fields.String(validate=validate.OneOf(queries.FILTERS[1:]), metadata={
        "description": "todo: not submitted yet (no review or a draft); draft; submitted"})


class AssignmentOut(Schema):
    id = fields.Integer(required=True)
    label = fields.Method("get_label", metadata={"type": "string", "description":
                                                 "The startup's name, or a neutral reference in a blind stage"})
    is_blind = fields.Function(lambda a: a.stage.is_blind, metadata={"type": "boolean"})
    stage_id = fields.Integer(required=True)
    stage_name = fields.Function(lambda a: a.stage.name_in(str(get_locale())), metadata={"type": "string"})
    season_id = fields.Function(lambda a: a.stage.season_id, metadata={"type": "integer"})
    review_deadline = fields.Function(lambda a: a.stage.review_deadline.isoformat() if a.stage.review_deadline
                                      else None, metadata={**NULLABLE_STRING, "format": "date-time"})
    review_state = fields.Function(lambda a: str(a.review.status) if a.review else "none",
                                   metadata={"type": "string", "enum": list(STATES)})
    total = fields.Function(lambda a: a.review.total if a.review else None,
                            metadata={"type": "number", "nullable": True})

    def get_label(self, obj):
        return assignment_label(obj)


class ProgressOut(Schema):
    total = fields.Integer(required=True)
    submitted = fields.Integer(required=True)
    drafts = fields.Integer(required=True)


class AssignmentPage(page_of(AssignmentOut, "AssignmentPageBase")):
    progress = fields.Nested(ProgressOut, allow_none=True, metadata={
        "description": "With stage_id: how many of the stage's assignments are submitted"})
    next_unreviewed_id = fields.Integer(allow_none=True, metadata={
        "description": "With stage_id: the first assignment without a submitted review"})


class ReviewerStageOut(Schema):
    id = fields.Integer()
    name = fields.String()
    review_deadline = fields.DateTime(allow_none=True)
    reviews_required = fields.Integer()
    reviewers_see_others = fields.Boolean()


class ReviewerSeasonOut(Schema):
    id = fields.Integer()
    name = fields.String()
    program = fields.String()
    timezone = fields.String()


class ReviewerApplicationOut(Schema):
    id = fields.Integer(allow_none=True, metadata={"description": "null in a blind stage"})
    status = fields.String()
    submitted_at = fields.DateTime(allow_none=True)


class ReviewerTeamMemberOut(Schema):
    name = fields.String()
    role = fields.String()
    gender = fields.String()


class ReviewerStartupOut(Schema):
    sector = fields.String()
    region = fields.String(allow_none=True)
    country = fields.String()
    stage = fields.String()
    team_size = fields.Integer()
    name = fields.String(metadata={"description": "open stages only"})
    pitch = fields.String(metadata={"description": "open stages only"})
    description = fields.String(metadata={"description": "open stages only"})
    website = fields.String(allow_none=True, metadata={"description": "open stages only"})
    founded_on = fields.Date(allow_none=True, metadata={"description": "open stages only"})
    has_logo = fields.Boolean(metadata={"description": "open stages only"})
    team = fields.List(fields.Nested(ReviewerTeamMemberOut), metadata={"description": "open stages only; no e-mails"})


class ReviewerAnswerOut(Schema):
    key = fields.String()
    label = fields.String()
    type = fields.String()
    text = fields.String()
    items = fields.List(fields.String())


class ReviewerAttachmentOut(Schema):
    id = fields.Integer()
    question = fields.String()
    question_label = fields.String()
    name = fields.String(metadata={"description": "neutral (\"deck-<assignment id>.pdf\") in a blind stage"})
    content_type = fields.String()
    size = fields.Integer()
    download_url = fields.String(metadata={"format": "uri"})


class ReviewerCriterionOut(Schema):
    key = fields.String()
    label = fields.String()
    description = fields.String()
    weight = fields.Decimal(as_string=True, metadata=DECIMAL_DOC)
    scale_min = fields.Integer()
    scale_max = fields.Integer()
    scale_labels = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "The word for each labelled point, in your language"})


SCORES = fields.Dict(keys=fields.String(), values=fields.Integer())


class ReviewOut(Schema):
    status = fields.String(metadata={"enum": list(STATES[1:])})
    scores = SCORES
    total = fields.Float(allow_none=True, metadata={"description": "The weighted mean, once every criterion is scored"})
    recommendation = fields.String(allow_none=True)
    feedback = fields.String(metadata={"description": "For the founder"})
    private_note = fields.String(metadata={"description": "For the program's managers only"})
    submitted_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)


class OtherReviewOut(Schema):
    label = fields.String()
    scores = fields.Dict(keys=fields.String(), values=fields.Integer())
    total = fields.Float(allow_none=True)
    recommendation = fields.String(allow_none=True)
    feedback = fields.String()


class AssignmentDetailOut(Schema):
    id = fields.Integer(required=True)
    label = fields.String()
    is_blind = fields.Boolean()
    stage = fields.Nested(ReviewerStageOut)
    season = fields.Nested(ReviewerSeasonOut)
    application = fields.Nested(ReviewerApplicationOut)
    startup = fields.Nested(ReviewerStartupOut)
    answers = fields.List(fields.Nested(ReviewerAnswerOut))
    attachments = fields.List(fields.Nested(ReviewerAttachmentOut))
    criteria = fields.List(fields.Nested(ReviewerCriterionOut))
    review = fields.Nested(ReviewOut, allow_none=True)
    other_reviews = fields.List(fields.Nested(OtherReviewOut), metadata={
        "description": "Other reviewers' submitted reviews, once yours is submitted, where the stage allows"})
    can_edit = fields.Boolean()
    locked_reason = fields.String(allow_none=True)


class ReviewIn(Schema):
    scores = fields.Dict(keys=Text(validate=validate.Length(max=64)),
                         values=fields.Raw(allow_none=True, metadata={"type": "integer"}), metadata={
        "description": "Scores by criterion key: whole numbers on each criterion's scale (null: not scored). "
                       "Replaces the saved scores as a whole."})
    recommendation = fields.String(allow_none=True, validate=validate.OneOf(RECOMMENDATIONS))
    feedback = Text(validate=validate.Length(max=10_000), metadata={"description": "For the founder"})
    private_note = Text(validate=validate.Length(max=10_000), metadata={"description": "For the managers only"})
    submit = fields.Boolean(load_default=False, metadata={
        "description": "Submit the review (every criterion scored). A submitted review stays submitted and "
                       "can be changed until the stage's review deadline."})


class ConflictIn(Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=2000), metadata={
        "description": "Why (for the managers only)"})


class ConflictOut(Schema):
    assignment_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "released: the assignment is no longer yours"})


FILE_RESPONSE = {
    "description": "The file, as an attachment (neutral name in a blind stage).",
    "content": {mime: {"schema": {"type": "string", "format": "binary"}} for mime in MIMES},
}


def _detail(assignment) -> dict:
    view = reviewer_view(assignment)
    for item in view["attachments"]:
        item["download_url"] = url_for("api_assignments.download", assignment_id=assignment.id,
                                       attachment_id=item["id"], _external=True)
    return view


@blp.route("/assignments", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.arguments(ListArgs, location="query")
@blp.response(200, AssignmentPage)
@auth_required
def list_assignments(args):
    """My assignments (only those I may see), filtered by season, stage and review state. With
    stage_id, also my progress at that stage and the next one to review."""
    user = current_api_user()
    stmt = queries.assignments_for(user, stage_id=args.get("stage_id"), season_id=args.get("season_id"),
                                   state=args.get("state"))
    body = dump_page(paginate(stmt, args["page"], args["per_page"]))
    body["progress"] = body["next_unreviewed_id"] = None
    if args.get("stage_id"):
        stage = db.session.get(Stage, args["stage_id"])
        if stage is not None:
            progress = queries.stage_progress(user, stage)
            body["progress"] = {"total": progress.total, "submitted": progress.submitted, "drafts": progress.drafts}
            following = queries.next_unreviewed(user, stage)
            body["next_unreviewed_id"] = following.id if following else None
    return body


@blp.route("/assignments/<id:assignment_id>", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.response(200, AssignmentDetailOut)
@auth_required
def get_assignment(assignment_id: int):
    """The application as this stage lets me see it (a blind stage hides the identity), the rubric,
    and my review."""
    return _detail(queries.assignment_for_reviewer(current_api_user(), assignment_id))


@blp.route("/assignments/<id:assignment_id>/review", methods=["PUT"])
@blp.doc(security=SECURITY)
@blp.arguments(ReviewIn)
@blp.response(200, AssignmentDetailOut)
@auth_required
def put_review(data, assignment_id: int):
    """Save my review as a draft, or submit it (`submit: true`). Fields left out keep their saved
    values. 422 for an unknown criterion, a score off its scale, or (to submit) a criterion left
    unscored; 409 after the stage's review deadline."""
    user = current_api_user()
    assignment = queries.assignment_for_reviewer(user, assignment_id)
    saved = assignment.review
    record_review(
        assignment, actor=user,
        scores=data["scores"] if "scores" in data else (dict(saved.scores) if saved else {}),
        recommendation=data["recommendation"] if "recommendation" in data else (saved.recommendation if saved else None),
        feedback=data["feedback"] if "feedback" in data else (saved.feedback if saved else ""),
        private_note=data["private_note"] if "private_note" in data else (saved.private_note if saved else ""),
        submit=data["submit"],
    )
    db.session.commit()
    return _detail(queries.assignment_for_reviewer(user, assignment_id))


@blp.route("/assignments/<id:assignment_id>/conflict", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(ConflictIn)
@blp.response(200, ConflictOut)
@auth_required
def declare(data, assignment_id: int):
    """Declare a conflict of interest: the assignment is released (and re-assigned by the program);
    afterwards the application is gone from my lists, and its pages answer 404."""
    from incubator.reviews.conflicts import declare_conflict

    user = current_api_user()
    assignment = queries.assignment_for_reviewer(user, assignment_id)
    declare_conflict(assignment, actor=user, reason=data["reason"])
    db.session.commit()
    status = db.session.scalar(select(Assignment.status).where(Assignment.id == assignment_id))
    return {"assignment_id": assignment_id, "status": str(status or "released")}


@blp.route("/assignments/<id:assignment_id>/attachments/<id:attachment_id>", methods=["GET"])
@blp.doc(security=SECURITY, responses={"200": FILE_RESPONSE})
@auth_required
def download(assignment_id: int, attachment_id: int):
    """Download a file of the application, as an attachment; in a blind stage only the anonymised
    files, under a neutral name."""
    assignment = queries.assignment_for_reviewer(current_api_user(), assignment_id)
    stream, name, mime, attachment = open_for_reviewer(assignment, attachment_id)
    return send_download(stream, download_name=name, mimetype=mime, etag=attachment.sha256, size=attachment.size)
