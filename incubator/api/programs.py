"""Programs and seasons: their public facts."""
from __future__ import annotations

from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from incubator.api.schemas import PageArgs, Translations, dump_page, page_of
from incubator.core.pagination import paginate
from incubator.programs import queries
from incubator.programs.models import QuestionType, SeasonStatus

DECIMAL_DOC = {"type": "string", "format": "decimal", "example": "1.5"}
blp = Blueprint("api_programs", __name__, description="Programs and seasons (public)")


class OrganisationOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    country = fields.String()
    website = fields.String(allow_none=True)


class ProgramOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    slug = fields.String(required=True)
    summary = Translations
    website = fields.String(allow_none=True)
    languages = fields.List(fields.String())
    eligibility_rules = fields.List(fields.Dict())
    organisation = fields.Nested(OrganisationOut)


class OptionOut(Schema):
    value = fields.String(required=True)
    label = Translations


class QuestionOut(Schema):
    key = fields.String(required=True)
    position = fields.Integer()
    type = fields.String(validate=validate.OneOf([t.value for t in QuestionType]))
    required = fields.Boolean()
    label = Translations
    help_text = Translations
    options = fields.List(fields.Nested(OptionOut))
    max_chars = fields.Integer(allow_none=True)
    max_words = fields.Integer(allow_none=True)
    min_value = fields.Decimal(as_string=True, allow_none=True, metadata=DECIMAL_DOC)
    max_value = fields.Decimal(as_string=True, allow_none=True, metadata=DECIMAL_DOC)


class CriterionOut(Schema):
    key = fields.String(required=True)
    label = Translations
    description = Translations
    weight = fields.Decimal(as_string=True, metadata=DECIMAL_DOC)
    scale_min = fields.Integer()
    scale_max = fields.Integer()
    scale_labels = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.String()), metadata={
        "description": "Words for points of the scale, by point"})


class StageOut(Schema):
    id = fields.Integer(required=True)
    position = fields.Integer()
    name = Translations
    reviews_required = fields.Integer()
    is_blind = fields.Boolean()
    review_deadline = fields.DateTime(allow_none=True)
    criteria = fields.List(fields.Nested(CriterionOut))


class SeasonOut(Schema):
    id = fields.Integer(required=True)
    program_id = fields.Integer(required=True)
    program_name = fields.Function(lambda s: s.program.name)
    name = fields.String(required=True)
    status = fields.String(validate=validate.OneOf([s.value for s in SeasonStatus]))
    opens_at = fields.DateTime(required=True)
    closes_at = fields.DateTime(required=True)
    timezone = fields.String()
    grace_minutes = fields.Integer()
    quota = fields.Integer(allow_none=True)
    accepting_applications = fields.Function(lambda s: s.is_accepting())
    description = Translations


class SeasonDetailOut(SeasonOut):
    questions = fields.List(fields.Nested(QuestionOut))
    stages = fields.List(fields.Nested(StageOut))


class SeasonArgs(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in SeasonStatus if s != SeasonStatus.DRAFT]))
    program_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


@blp.route("/programs", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ProgramOut, "ProgramPage"))
def list_programs(args):
    """Public programs."""
    return dump_page(paginate(queries.public_programs(), args["page"], args["per_page"]))


@blp.route("/programs/<id:program_id>", methods=["GET"])
@blp.response(200, ProgramOut)
def get_program(program_id: int):
    program = queries.public_program(program_id)
    if program is None:
        abort(404, message="No such program.")
    return program


@blp.route("/seasons", methods=["GET"])
@blp.arguments(SeasonArgs, location="query")
@blp.response(200, page_of(SeasonOut, "SeasonPage"))
def list_seasons(args):
    """Public seasons; `status=open` lists those taking applications."""
    stmt = queries.public_seasons(status=args.get("status"), program_id=args.get("program_id"))
    return dump_page(paginate(stmt, args["page"], args["per_page"]))


@blp.route("/seasons/<id:season_id>", methods=["GET"])
@blp.response(200, SeasonDetailOut)
def get_season(season_id: int):
    """A season with its window, questions and stages (public parts)."""
    season = queries.public_season(season_id)
    if season is None:
        abort(404, message="No such season.")
    return season
