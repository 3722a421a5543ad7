"""The season builder over the API (managers): create a season from a whole document, change some
of it, copy it, read it (drafts too), and list the seasons I manage.

The schemas check shape; the builder's rules answer 422 with each broken rule under its field path
("questions.2.max_chars", "stages.1.criteria.0.weight"), and nothing is stored. A season of a program
that is not yours is a 404, whatever the verb."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from incubator.accounts.models import Role
from incubator.api.auth import auth_required, current_api_user
from incubator.api.programs import DECIMAL_DOC, CriterionOut, QuestionOut, SeasonOut, StageOut
from incubator.api.schemas import PageArgs, Text, dump_page, page_of
from incubator.applications.models import Application
from incubator.core.converters import MAX_ID
from incubator.core.pagination import paginate
from incubator.extensions import db
from incubator.programs import builder
from incubator.programs.builder_stored import answered_question_ids
from incubator.programs.models import QuestionType, Season, SeasonStatus
from incubator.programs.queries import program_for_manager, season_for_manager

blp = Blueprint("api_manager_seasons", __name__, description="Season builder (managers)")
SECURITY = [{"bearerAuth": []}]
INT32 = validate.Range(min=-(2**31), max=2**31 - 1)
MOMENT_DOC = {"format": "date-time", "example": "2026-03-01T18:00:00+05:00",
              "description": "ISO 8601 with its offset"}
DECIMAL_IN_DOC = {"type": "string", "format": "decimal", "example": "1.5",
                  "description": "A decimal, as a string (a JSON number is taken too)"}
Translations = fields.Dict(keys=Text(validate=validate.Length(max=8)), values=Text(),
                           metadata={"description": 'Per language: {"en": "…", "ru": "…", "uz": "…"}'})


def _int(**kwargs):
    return fields.Integer(strict=True, validate=INT32, **kwargs)


class OptionIn(Schema):
    value = Text(required=True)
    label = Translations


class QuestionIn(Schema):
    key = Text(required=True, metadata={"description": "Matches the stored question; lower-case, digits, _ and -"})
    type = Text(required=True, validate=validate.OneOf([t.value for t in QuestionType]))
    required = fields.Boolean()
    label = Translations
    help_text = Translations
    options = fields.List(fields.Nested(OptionIn), metadata={"description": "For choice and multi_choice"})
    max_chars = _int(allow_none=True)
    max_words = _int(allow_none=True)
    min_value = fields.Decimal(allow_none=True, metadata=DECIMAL_IN_DOC)
    max_value = fields.Decimal(allow_none=True, metadata=DECIMAL_IN_DOC)
    shown_in_blind = fields.Boolean(metadata={"description": "Shown to reviewers at blind stages (default true)"})
    position = _int(metadata={"description": "Read-only: the order is the list's"})
    has_answers = fields.Boolean(metadata={"description": "Read-only"})


class CriterionIn(Schema):
    key = Text(required=True)
    label = Translations
    description = Translations
    weight = fields.Decimal(metadata=DECIMAL_IN_DOC | {"description": "Above 0 (default 1)"})
    scale_min = _int()
    scale_max = _int()
    scale_labels = fields.Dict(keys=fields.String(), values=fields.Raw(), metadata={
        "description": "Words for points of the scale, by point: {\"1\": {\"en\": \"Weak\", \"ru\": \"Слабо\"}}"})
    position = _int(metadata={"description": "Read-only: the order is the list's"})


class StageIn(Schema):
    id = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=MAX_ID),
                        metadata={"description": "An existing stage of this season; without it, matched by position"})
    position = _int(metadata={"description": "Order of the stages (default: the list's)"})
    name = Translations
    reviews_required = _int()
    is_blind = fields.Boolean()
    review_deadline = Text(allow_none=True, metadata=MOMENT_DOC)
    reviewers_see_others = fields.Boolean(metadata={"description": "After submitting their own review"})
    disagreement_threshold = fields.Decimal(metadata=DECIMAL_IN_DOC)
    criteria = fields.List(fields.Nested(CriterionIn), metadata={"description": "The rubric"})


class SeasonIn(Schema):
    name = Text(required=True)
    slug = Text(metadata={"description": "Short name for links, unique in the program (default: from the name)"})
    description = Translations
    opens_at = Text(required=True, metadata=MOMENT_DOC)
    closes_at = Text(required=True, metadata=MOMENT_DOC)
    timezone = Text(metadata={"description": "An IANA zone (default Asia/Tashkent)", "example": "Asia/Tashkent"})
    grace_minutes = _int()
    quota = _int(allow_none=True, metadata={"description": "Seats; null for no quota"})
    offer_confirmation_days = _int()
    status = Text(validate=validate.OneOf([SeasonStatus.DRAFT.value, SeasonStatus.OPEN.value]),
                  metadata={"description": "draft (default) or open"})
    questions = fields.List(fields.Nested(QuestionIn))
    stages = fields.List(fields.Nested(StageIn))


class SeasonPatch(SeasonIn):
    name = Text()
    opens_at = Text(metadata=MOMENT_DOC)
    closes_at = Text(metadata=MOMENT_DOC)
    status = Text(validate=validate.OneOf([s.value for s in SeasonStatus if s != SeasonStatus.CLOSED]),
                  metadata={"description": "draft -> open -> reviewing -> decided (open -> draft before anyone "
                                           "applied); closing is POST /seasons/{id}/close"})


class CopyIn(Schema):
    name = Text(required=True)
    slug = Text()
    opens_at = Text(required=True, metadata=MOMENT_DOC)
    closes_at = Text(required=True, metadata=MOMENT_DOC)


class ManagerQuestionOut(QuestionOut):
    shown_in_blind = fields.Boolean()
    has_answers = fields.Boolean(metadata={"description": "Answered: cannot be removed or retyped"})


class ManagerCriterionOut(CriterionOut):
    position = fields.Integer()


class ManagerStageOut(StageOut):
    reviewers_see_others = fields.Boolean()
    disagreement_threshold = fields.Decimal(as_string=True, metadata=DECIMAL_DOC)
    criteria = fields.List(fields.Nested(ManagerCriterionOut))


class ManagerSeasonSummary(SeasonOut):
    slug = fields.String(required=True)
    offer_confirmation_days = fields.Integer()
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    application_counts = fields.Dict(keys=fields.String(), values=fields.Integer(),
                                     metadata={"description": "Applications by status"})


class ManagerSeasonOut(ManagerSeasonSummary):
    questions = fields.List(fields.Nested(ManagerQuestionOut))
    stages = fields.List(fields.Nested(ManagerStageOut))


class ManageSeasonArgs(PageArgs):
    program_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    status = fields.String(validate=validate.OneOf([s.value for s in SeasonStatus]))


def _counts(season_ids) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {i: {} for i in season_ids}
    if season_ids:
        rows = db.session.execute(select(Application.season_id, Application.status, func.count())
                                  .where(Application.season_id.in_(season_ids))
                                  .group_by(Application.season_id, Application.status))
        for season_id, status, n in rows:
            counts[season_id][str(status.value if hasattr(status, "value") else status)] = n
    return counts


def document(season: Season) -> Season:
    """The season annotated for ManagerSeasonOut: which questions have answers, counts by status."""
    answered = answered_question_ids([q.id for q in season.questions])
    for question in season.questions:
        question.has_answers = question.id in answered
    season.application_counts = _counts([season.id])[season.id]
    return season


@blp.route("/programs/<id:program_id>/seasons", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(SeasonIn)
@blp.response(201, ManagerSeasonOut)
@auth_required
def create_season(data, program_id: int):
    """Create a season of a program I manage: window, time zone, grace, quota, offer confirmation,
    questions, stages and rubrics in one document. Starts as a draft (or `status: "open"`)."""
    user = current_api_user()
    program = program_for_manager(user, program_id)
    season = builder.create_season(program, actor=user, data=data)
    db.session.commit()
    return document(season_for_manager(user, season.id))


@blp.route("/seasons/<id:season_id>", methods=["PATCH"])
@blp.doc(security=SECURITY)
@blp.arguments(SeasonPatch)
@blp.response(200, ManagerSeasonOut)
@auth_required
def patch_season(data, season_id: int):
    """Change the keys given, nothing else. A `questions` or `stages` list replaces the whole list:
    questions and criteria are matched by key, stages by id (else by position); what is left out is
    removed where allowed (an answered question cannot be removed or retyped, only relabelled; an
    option used in answers stays; a stage with work at it stays). `status` moves the season."""
    user = current_api_user()
    season = season_for_manager(user, season_id)
    builder.update_season(season, actor=user, data=data)
    db.session.commit()
    return document(season_for_manager(user, season_id))


@blp.route("/seasons/<id:season_id>/copy", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(CopyIn)
@blp.response(201, ManagerSeasonOut)
@auth_required
def copy_season(data, season_id: int):
    """A new draft season from this one: settings, questions, stages and rubrics (no applications);
    review deadlines move by as much as the closing time."""
    user = current_api_user()
    source = season_for_manager(user, season_id)
    season = builder.copy_season(source, actor=user, **data)
    db.session.commit()
    return document(season_for_manager(user, season.id))


@blp.route("/manage/seasons/<id:season_id>", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.response(200, ManagerSeasonOut)
@auth_required
def get_season(season_id: int):
    """The whole season as its managers see it, drafts included."""
    return document(season_for_manager(current_api_user(), season_id))


@blp.route("/manage/seasons", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.arguments(ManageSeasonArgs, location="query")
@blp.response(200, page_of(ManagerSeasonSummary, "ManagerSeasonPage"))
@auth_required
def list_seasons(args):
    """The seasons of the programs I manage (drafts included), newest first, with application counts."""
    user = current_api_user()
    stmt = select(Season).order_by(Season.opens_at.desc(), Season.id.desc())
    if not user.is_admin:
        stmt = stmt.where(Season.program_id.in_(user.program_ids(Role.MANAGER) or {0}))
    if args.get("program_id"):
        stmt = stmt.where(Season.program_id == args["program_id"])
    if args.get("status"):
        stmt = stmt.where(Season.status == args["status"])
    page = paginate(stmt, args["page"], args["per_page"])
    counts = _counts([s.id for s in page.items])
    for season in page.items:
        season.application_counts = counts[season.id]
    return dump_page(page)
