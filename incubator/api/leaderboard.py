"""API: a stage's leaderboard for its managers (GET /api/v1/stages/{id}/leaderboard).

The same board as the manager's page (incubator.selection.leaderboard): the maths over the whole
stage, then the filters, the merit rank and the quota cut line, then the sort and the page."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from incubator.api.auth import auth_required, current_api_user
from incubator.api.schemas import PageSchema
from incubator.core.pagination import MAX_PER_PAGE
from incubator.programs.queries import stage_for_manager
from incubator.reviews import scoring
from incubator.selection.leaderboard import (
    DEFAULT_PER_PAGE, FLAG_FILTERS, MAX_TOP, STARTUP_STAGES, STATUS_FILTERS, Filters, stage_leaderboard,
)
from incubator.startups.models import REGIONS, SECTORS

blp = Blueprint("api_leaderboard", __name__, description="Leaderboard of a stage (managers)")
SECURITY = [{"bearerAuth": []}]
SCORE = {"description": "rounded to 3 decimals; null without a submitted review"}


class LeaderboardArgs(Schema):
    sort = fields.String(load_default="rank", validate=validate.Length(max=80), metadata={
        "description": "rank (default), name, region, sector, startup_stage, status, women_led, normalised_score, "
                       "weighted_score, spread, review_count, or criterion:<key>"})
    dir = fields.String(load_default=None, validate=validate.OneOf(["asc", "desc"]),
                        metadata={"description": "default: desc for scores, asc otherwise"})
    region = fields.String(validate=validate.OneOf(REGIONS))
    sector = fields.String(validate=validate.OneOf(SECTORS))
    startup_stage = fields.String(validate=validate.OneOf(STARTUP_STAGES))
    women_led = fields.Boolean()
    flag = fields.String(validate=validate.OneOf(FLAG_FILTERS),
                         metadata={"description": "a flag, or any (some flag) or none (no flag)"})
    status = fields.String(validate=validate.OneOf(STATUS_FILTERS))
    top = fields.Integer(validate=validate.Range(min=0, max=MAX_TOP),
                         metadata={"description": "where to draw the cut line; default: the season's quota"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10**6))
    per_page = fields.Integer(load_default=DEFAULT_PER_PAGE, validate=validate.Range(min=1, max=MAX_PER_PAGE))


def _num(value):
    return None if value is None else round(value, 3)


class LeaderboardRowOut(Schema):
    application_id = fields.Function(lambda r: r.facts.application_id, metadata={"type": "integer"})
    startup_id = fields.Function(lambda r: r.facts.startup_id, metadata={"type": "integer"})
    startup_name = fields.Function(lambda r: r.facts.startup_name, metadata={"type": "string"})
    region = fields.Function(lambda r: r.facts.region, metadata={"type": "string", "nullable": True})
    country = fields.Function(lambda r: r.facts.country, metadata={"type": "string"})
    sector = fields.Function(lambda r: r.facts.sector, metadata={"type": "string"})
    startup_stage = fields.Function(lambda r: r.facts.startup_stage, metadata={"type": "string"})
    women_led = fields.Function(lambda r: r.facts.women_led, metadata={"type": "boolean"})
    status = fields.Function(lambda r: r.facts.status, metadata={"type": "string"})
    weighted_score = fields.Function(lambda r: _num(r.score.weighted_score),
                                     metadata={"type": "number", "nullable": True, **SCORE})
    normalised_score = fields.Function(lambda r: _num(r.score.normalised_score),
                                       metadata={"type": "number", "nullable": True, **SCORE})
    spread = fields.Function(lambda r: _num(r.score.spread), metadata={"type": "number", "nullable": True, **SCORE})
    review_count = fields.Function(lambda r: r.score.review_count, metadata={"type": "integer"})
    reviews_required = fields.Function(lambda r: r.score.reviews_required, metadata={"type": "integer"})
    criterion_means = fields.Function(
        lambda r: {k: _num(v) for k, v in r.score.criterion_means.items()},
        metadata={"type": "object", "additionalProperties": {"type": "number", "nullable": True}})
    recommendations = fields.Function(lambda r: dict(r.score.recommendations),
                                      metadata={"type": "object", "additionalProperties": {"type": "integer"}})
    flags = fields.Function(lambda r: r.flags, metadata={"type": "array", "items": {
        "type": "string", "enum": [f.value for f in scoring.RowFlag]}})
    rank = fields.Function(lambda r: r.rank, metadata={
        "type": "integer", "nullable": True,
        "description": "position by normalised score among the rows that pass the filters; null without a review"})
    above_cut_line = fields.Function(lambda r: r.above_cut_line, metadata={
        "type": "boolean", "nullable": True, "description": "null when there is no cut line"})


class LeaderboardReviewerOut(Schema):
    id = fields.Function(lambda line: line.stat.reviewer_id, metadata={"type": "integer"})
    name = fields.Function(lambda line: line.name, metadata={"type": "string"})
    count = fields.Function(lambda line: line.stat.count, metadata={"type": "integer"})
    mean = fields.Function(lambda line: _num(line.stat.mean), metadata={"type": "number"})
    sd = fields.Function(lambda line: _num(line.stat.sd), metadata={"type": "number"})
    delta = fields.Function(lambda line: _num(line.stat.delta_vs_stage), metadata={
        "type": "number", "description": "the reviewer's mean minus the stage mean"})
    label = fields.Function(lambda line: str(line.stat.label), metadata={
        "type": "string", "enum": [b.value for b in scoring.Bias]})
    own_norm = fields.Function(lambda line: line.stat.own_norm, metadata={"type": "boolean"})


class LeaderboardStageOut(Schema):
    id = fields.Integer()
    mean = fields.Float(allow_none=True)
    sd = fields.Float(allow_none=True)
    review_count = fields.Integer()
    reviewer_count = fields.Integer()
    scale_min = fields.Float()
    scale_max = fields.Float()
    reviews_required = fields.Integer()
    disagreement_threshold = fields.Float()
    skipped_reviews = fields.Integer(metadata={"description": "submitted reviews left out: they no longer fit the rubric"})


class LeaderboardCriterionOut(Schema):
    key = fields.String()
    label = fields.Dict(keys=fields.String(), values=fields.String())
    weight = fields.Float()
    scale_min = fields.Integer()
    scale_max = fields.Integer()


class LeaderboardOut(PageSchema):
    items = fields.List(fields.Nested(LeaderboardRowOut), required=True)
    listed = fields.Integer(metadata={"description": "applications at the stage before the filters"})
    sort = fields.String()
    dir = fields.String()
    top = fields.Integer(allow_none=True)
    cut_line = fields.Integer(allow_none=True, metadata={
        "description": "how many rows take the seats (above the line); null without a cut line"})
    stage = fields.Nested(LeaderboardStageOut)
    criteria = fields.List(fields.Nested(LeaderboardCriterionOut))
    reviewers = fields.List(fields.Nested(LeaderboardReviewerOut))


@blp.route("/stages/<id:stage_id>/leaderboard", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.arguments(LeaderboardArgs, location="query")
@blp.response(200, LeaderboardOut)
@auth_required
def get_leaderboard(args, stage_id: int):
    """A stage's ranked applications: weighted and normalised scores, spread, reviews done and required,
    per-criterion means, flags, the cut line for the quota (or ?top=N), and each reviewer's indicator.
    Managers of the program only (404 for anyone else)."""
    stage = stage_for_manager(current_api_user(), stage_id)
    filters = Filters(region=args.get("region"), sector=args.get("sector"), startup_stage=args.get("startup_stage"),
                      women_led=args.get("women_led"), flag=args.get("flag"), status=args.get("status"))
    board = stage_leaderboard(stage, sort=args["sort"], direction=args.get("dir"), filters=filters,
                              top=args.get("top"), strict=True, commit=True)
    page = board.page(args["page"], args["per_page"])
    stats = board.stats
    return {
        "items": page.items, "page": page.page, "per_page": page.per_page, "total": page.total, "pages": page.pages,
        "listed": board.listed, "sort": board.sort, "dir": board.direction, "top": board.top, "cut_line": board.cut,
        "stage": {"id": stage.id, "mean": stats.mean, "sd": stats.sd, "review_count": stats.review_count,
                  "reviewer_count": stats.reviewer_count, "scale_min": stats.scale_min, "scale_max": stats.scale_max,
                  "reviews_required": stage.reviews_required,
                  "disagreement_threshold": float(stage.disagreement_threshold),
                  "skipped_reviews": board.skipped_reviews},
        "criteria": board.criteria,
        "reviewers": board.reviewers,
    }
