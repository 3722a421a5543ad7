"""The founder's applications over the API: start, read, answer, submit, withdraw, timeline."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from incubator.api.auth import auth_required, current_api_user
from incubator.api.schemas import PageArgs, Text, dump_page, page_of
from incubator.applications import services
from incubator.applications.eligibility import check_eligibility
from incubator.applications.queries import application_for_founder, my_applications
from incubator.applications.states import Status
from incubator.core.errors import NotFound
from incubator.core.pagination import paginate
from incubator.extensions import db
from incubator.programs import queries as program_queries
from incubator.startups.models import Startup
from incubator.startups.policies import can_edit_startup

blp = Blueprint("api_applications", __name__, description="Applications (founder side)")
SECURITY = [{"bearerAuth": []}]
MANAGER_ONLY_REASONS = {"advanced", "decision", "promoted", "review_started", "offer_made", "offer_expired"}
ANSWER_DOC = {"description": "The answer: a string, a number as a string, a list of option values, or null"}


class EligibilityOut(Schema):
    rule = fields.String(required=True)
    passed = fields.Boolean(required=True)
    label = fields.String()
    reason = fields.String()


class AttachmentRef(Schema):
    id = fields.Integer(required=True)
    question = fields.Method("get_question")
    original_name = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    is_anonymised = fields.Boolean()

    def get_question(self, obj):
        return next((q.key for q in obj.application.season.questions if q.id == obj.question_id), None)


class ApplicationOut(Schema):
    id = fields.Integer(required=True)
    season_id = fields.Integer(required=True)
    season_name = fields.Function(lambda a: a.season.name)
    program_name = fields.Function(lambda a: a.season.program.name)
    startup_id = fields.Integer(required=True)
    startup_name = fields.Function(lambda a: a.startup.name)
    status = fields.String(validate=validate.OneOf([s.value for s in Status]))
    created_at = fields.DateTime()
    updated_at = fields.DateTime(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    withdrawn_at = fields.DateTime(allow_none=True)
    deadline = fields.Function(lambda a: a.season.closes_at.isoformat())


class ApplicationDetailOut(ApplicationOut):
    answers = fields.Method("get_answers", metadata={"type": "object", "additionalProperties": ANSWER_DOC})
    attachments = fields.List(fields.Nested(AttachmentRef))
    eligibility = fields.Method("get_eligibility", metadata={"type": "array", "items": {"type": "object"}})

    def get_answers(self, obj):
        keys = {q.id: q.key for q in obj.season.questions}
        return {keys[a.question_id]: a.value for a in obj.answers if a.question_id in keys}

    def get_eligibility(self, obj):
        return [r.as_dict() for r in check_eligibility(obj.season.program, obj.startup, obj.season)]


class StartIn(Schema):
    startup_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    copy_from = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1),
                               metadata={"description": "An earlier application of the same startup to copy answers from"})


class AnswersIn(Schema):
    answers = fields.Dict(keys=Text(validate=validate.Length(max=64)), values=fields.Raw(allow_none=True, metadata=ANSWER_DOC),
                          required=True)


class WithdrawIn(Schema):
    reason = Text(load_default="", validate=validate.Length(max=2000))


class EventOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    reason = fields.Method("get_reason", metadata={"type": "string"})
    created_at = fields.DateTime(required=True)
    by = fields.Method("get_by", allow_none=True, metadata={"type": "string", "nullable": True})

    def get_reason(self, obj):
        # A manager's reason for a decision is for the committee; the founder's own reasons (a withdrawal) show.
        return "" if obj.kind in MANAGER_ONLY_REASONS else (obj.reason or "")

    def get_by(self, obj):
        # Founders see who of their own team acted; anyone else is "the program" (no reviewer identities).
        startup = obj.application.startup
        if obj.actor_id and obj.actor_id in startup.editor_ids():
            user = startup.owner if obj.actor_id == startup.owner_id else next(
                (c.user for c in startup.collaborators if c.user_id == obj.actor_id), None)
            return user.name if user else None
        return None


def _startup_of(user, startup_id: int) -> Startup:
    startup = db.session.get(Startup, startup_id)
    if startup is None or not can_edit_startup(user, startup):
        raise NotFound("No such startup.")
    return startup


@blp.route("/applications", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ApplicationOut, "ApplicationPage"))
@auth_required
def list_applications(args):
    """My applications (of every startup I own or co-edit)."""
    return dump_page(paginate(my_applications(current_api_user()), args["page"], args["per_page"]))


@blp.route("/seasons/<id:season_id>/applications", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(StartIn)
@blp.response(201, ApplicationDetailOut)
@auth_required
def start_application(data, season_id: int):
    """Start a draft for one of my startups; 409 after the deadline or when one is already live."""
    user = current_api_user()
    season = program_queries.public_season(season_id)
    if season is None:
        raise NotFound("No such season.")
    startup = _startup_of(user, data["startup_id"])
    source = application_for_founder(user, data["copy_from"]) if data.get("copy_from") else None
    application = services.start_application(startup, season, actor=user, copy_from=source)
    db.session.commit()
    return application_for_founder(user, application.id)


@blp.route("/applications/<id:application_id>", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.response(200, ApplicationDetailOut)
@auth_required
def get_application(application_id: int):
    return application_for_founder(current_api_user(), application_id)


@blp.route("/applications/<id:application_id>", methods=["PATCH"])
@blp.doc(security=SECURITY)
@blp.arguments(AnswersIn)
@blp.response(200, ApplicationDetailOut)
@auth_required
def patch_application(data, application_id: int):
    """Save answers keyed by question key (null clears one). Only while the draft is editable."""
    user = current_api_user()
    application = application_for_founder(user, application_id)
    services.save_answers(application, data["answers"], actor=user)
    db.session.commit()
    return application_for_founder(user, application_id)


@blp.route("/applications/<id:application_id>/submit", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.response(200, ApplicationDetailOut)
@auth_required
def submit(application_id: int):
    """Submit: every required answer, every eligibility rule, before the deadline (server clock)."""
    user = current_api_user()
    application = application_for_founder(user, application_id)
    services.submit_application(application, actor=user)
    db.session.commit()
    return application_for_founder(user, application_id)


@blp.route("/applications/<id:application_id>/withdraw", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(WithdrawIn)
@blp.response(200, ApplicationDetailOut)
@auth_required
def withdraw(data, application_id: int):
    user = current_api_user()
    application = application_for_founder(user, application_id)
    services.withdraw_application(application, actor=user, reason=data.get("reason") or "")
    db.session.commit()
    return application_for_founder(user, application_id)


@blp.route("/applications/<id:application_id>/timeline", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.response(200, EventOut(many=True))
@auth_required
def timeline(application_id: int):
    """What happened, when: reviewer identities and private notes never appear."""
    application = application_for_founder(current_api_user(), application_id)
    return application.events
