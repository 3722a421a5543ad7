"""Decision letters over the API: a program's templates (per kind and language), and previewing or
sending a season's letters (202 with a job to poll). The same services as the manager's pages."""
from __future__ import annotations

from flask import jsonify, url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from incubator.api.auth import auth_required, current_api_user
from incubator.api.jobs import JobOut
from incubator.api.schemas import Text
from incubator.core.converters import MAX_ID
from incubator.extensions import db
from incubator.jobs.services import job_state
from incubator.letters import queueing, services
from incubator.letters.placeholders import LetterKind, placeholders_for
from incubator.letters.templating import MAX_BODY_CHARS, MAX_SUBJECT_CHARS
from incubator.programs.queries import program_for_manager, season_for_manager

blp = Blueprint("api_letters", __name__, description="Decision letters: templates, previews, sending")
SECURITY = [{"bearerAuth": []}]
KINDS = [k.value for k in LetterKind]
Id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


class LettersIn(Schema):
    dry_run = fields.Boolean(load_default=False, metadata={"description": "Preview only: nothing is sent (200)."})
    event_ids = fields.List(Id, validate=validate.Length(max=10000),
                            metadata={"description": "Decision events to announce (see the season's timeline)."})
    application_ids = fields.List(Id, validate=validate.Length(max=10000),
                                  metadata={"description": "Applications whose current decision to announce."})
    all_unsent = fields.Boolean(load_default=False,
                                metadata={"description": "Every decision of the season not announced yet."})
    include_feedback = fields.Boolean(load_default=False,
                                      metadata={"description": "Add the reviewers' feedback for the founder "
                                                               "(never their names or private notes)."})
    preview_limit = fields.Integer(load_default=5, validate=validate.Range(min=0, max=50),
                                   metadata={"description": "dry_run: how many sample letters to render."})


class RecipientOut(Schema):
    user_id = fields.Integer(required=True)
    name = fields.String(required=True)
    locale = fields.String(required=True)


class SampleOut(Schema):
    application_id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    startup_name = fields.String(required=True)
    recipient = fields.Nested(RecipientOut, required=True)
    locale = fields.String(required=True, metadata={"description": "The language of the letter."})
    subject = fields.String(required=True)
    text = fields.String(required=True)
    html = fields.String(required=True)


class DecisionOut(Schema):
    application_id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    startup_name = fields.String(required=True)
    recipients = fields.Integer(required=True)
    already_sent = fields.Boolean(required=True)


class PreviewOut(Schema):
    decisions = fields.List(fields.Nested(DecisionOut), required=True)
    letters = fields.Integer(required=True, metadata={"description": "Letters a send would queue (not sent before)."})
    samples = fields.List(fields.Nested(SampleOut), required=True)


class SendOut(Schema):
    job = fields.Nested(JobOut, required=True)
    batch_id = fields.Integer(required=True)


class TemplateOut(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    locale = fields.String(required=True)
    subject = fields.String(required=True)
    body = fields.String(required=True)
    is_default = fields.Boolean(required=True, metadata={"description": "True: the default letter (no template of "
                                                                        "the program's own)."})
    updated_at = fields.DateTime(allow_none=True)
    placeholders = fields.List(fields.String(), required=True)


class TemplateIn(Schema):
    subject = Text(required=True, validate=validate.Length(min=1, max=MAX_SUBJECT_CHARS))
    body = Text(required=True, validate=validate.Length(min=1, max=MAX_BODY_CHARS))


def _template_out(template) -> dict:
    return {"kind": template.kind.value, "locale": template.locale, "subject": template.subject, "body": template.body,
            "is_default": template.is_default, "updated_at": template.row.updated_at if template.row else None,
            "placeholders": [p.name for p in placeholders_for(template.kind)]}


def _selection(data) -> dict:
    return {"event_ids": data.get("event_ids"), "application_ids": data.get("application_ids"),
            "all_unsent": data["all_unsent"], "include_feedback": data["include_feedback"]}


@blp.route("/seasons/<id:season_id>/letters", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(LettersIn)
@blp.response(202, SendOut, headers={"Location": {"description": "The job to poll", "schema": {"type": "string"}}})
@blp.alt_response(200, schema=PreviewOut, description="dry_run: what would be sent, with sample letters",
                  success=True)
@auth_required
def send(data, season_id: int):
    """Preview (`dry_run: true`) or send the decision letters of a season: choose `event_ids`,
    `application_ids` or `all_unsent: true`. Sending answers 202 with the job to poll (its total: the
    letters not sent before; 0 and done when there are none); letters sent before are not sent again.
    The letters are written by a worker: the job fails, and nothing is sent, if one cannot be (its
    error lists them)."""
    user = current_api_user()
    season = season_for_manager(user, season_id)
    if data["dry_run"]:
        plan = services.plan_letters(season, actor=user, limit=data["preview_limit"], **_selection(data))
        return jsonify(PreviewOut().dump({
            "decisions": [{"application_id": d.application.id, "event_id": d.event.id, "kind": d.kind.value,
                           "startup_name": d.application.startup.name, "recipients": len(d.recipients),
                           "already_sent": d.is_sent} for d in plan.decisions],
            "letters": plan.letters,
            "samples": [{"application_id": d.application.id, "event_id": d.event.id, "kind": d.kind.value,
                         "startup_name": d.application.startup.name, "locale": lang,
                         "recipient": {"user_id": r.id, "name": r.name, "locale": r.locale},
                         "subject": letter.subject, "text": letter.text, "html": str(letter.html)}
                        for d, r, lang, letter in plan.samples],
        }))
    batch, job = queueing.send_letters(season, actor=user, **_selection(data))
    db.session.commit()
    return ({"job": job_state(job), "batch_id": batch.id}, 202,
            {"Location": url_for("api_jobs.get_job", job_id=job.id)})


@blp.route("/programs/<id:program_id>/letter-templates", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.response(200, TemplateOut(many=True))
@auth_required
def list_templates(program_id: int):
    """Every kind of letter in every language of the program: its own template or the default."""
    program = program_for_manager(current_api_user(), program_id)
    rows = services.program_templates(program)
    return [_template_out(services.template_for_editor(program, kind, locale, rows))
            for kind in LetterKind for locale in services.program_languages(program)]


@blp.route("/programs/<id:program_id>/letter-templates/<kind>/<locale>", methods=["PUT"])
@blp.doc(security=SECURITY)
@blp.arguments(TemplateIn)
@blp.response(200, TemplateOut)
@auth_required
def put_template(data, program_id: int, kind: str, locale: str):
    """Save a template. One that would not render is refused (422) with the line of the error."""
    user = current_api_user()
    program = program_for_manager(user, program_id)
    services.save_template(program, actor=user, kind=kind, locale=locale, subject=data["subject"], body=data["body"])
    db.session.commit()
    return _template_out(services.template_for_editor(program, kind, locale))


@blp.route("/programs/<id:program_id>/letter-templates/<kind>/<locale>", methods=["DELETE"])
@blp.doc(security=SECURITY)
@blp.response(204)
@auth_required
def delete_template(program_id: int, kind: str, locale: str):
    """Go back to the default letter for this kind and language."""
    user = current_api_user()
    program = program_for_manager(user, program_id)
    services.delete_template(program, actor=user, kind=kind, locale=locale)
    db.session.commit()
