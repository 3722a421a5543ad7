"""Uploading, replacing, deleting and downloading attachments (pages).

Every action works without JavaScript (a POST, then a redirect back to the application form, with a
flash) and with htmx (the request carries HX-Request: the answer is the file field's partial,
swapped in place, errors shown inside it).

The partial sits inside the application form's own <form> (forms cannot nest), so its buttons name
their target with `formaction`; the outer form supplies the CSRF token. Field names carry the
question key (`file_<key>`, `anonymised_<key>`) so several file questions on one page do not mix.
"""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from incubator.applications import attachments as service
from incubator.applications.policies import can_edit_application
from incubator.applications.queries import application_for_founder
from incubator.core.errors import DomainError, RuleViolation
from incubator.extensions import db
from incubator.storage import send_download
from incubator.web.founder import bp
from incubator.web.helpers import flash

PARTIAL = "founder/_attachment_field.html"

# The no-JavaScript confirmation page: the partial in its confirming state, in the site layout.


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _form_url(application_id: int, question_key: str | None = None) -> str:
    try:
        url = url_for("founder.application_form", application_id=application_id)
    except BuildError:  # the form page not registered (yet): its address is fixed
        url = url_for("founder.application_detail", application_id=application_id) + "/form"
    return f"{url}#question-{question_key}" if question_key else url


def _render_field(application, question, *, errors=None, notice=None, status: int = 200):
    attachment = service.attachment_for_question(application, question)
    return render_template(PARTIAL, application=application, question=question, attachment=attachment,
                           can_edit=can_edit_application(current_user, application),
                           attachment_errors=[str(m) for m in errors or []], attachment_notice=notice), status


def _messages(exc: DomainError) -> list[str]:
    if isinstance(exc, RuleViolation) and exc.errors:
        return [str(m) for messages in exc.errors.values() for m in messages]
    return [str(exc.message)]


def _failed(application_id: int, question_key: str, exc: DomainError):
    """Roll back, then show the reason: in the partial (htmx) or as a flash on the form page."""
    db.session.rollback()
    if _is_htmx():
        application = application_for_founder(current_user, application_id)
        question = next((q for q in application.season.questions if q.key == question_key), None)
        if question is not None:
            return _render_field(application, question, errors=_messages(exc))
    for message in _messages(exc):
        flash(message, "danger")
    return redirect(_form_url(application_id, question_key))


def _done(application_id: int, question_key: str, message):
    if _is_htmx():
        application = application_for_founder(current_user, application_id)
        question = next(q for q in application.season.questions if q.key == question_key)
        return _render_field(application, question, notice=str(message))
    flash(message, "success")
    return redirect(_form_url(application_id, question_key))


def _flag(name: str) -> bool:
    return (request.form.get(name) or "").lower() in {"1", "true", "on", "yes"}


@bp.post("/applications/<id:application_id>/files/<question_key>")
@login_required
def attachment_upload(application_id: int, question_key: str):
    """Upload a file for a file question, or replace the one there."""
    application = application_for_founder(current_user, application_id)
    question_key = question_key[:64]
    try:
        question = service.file_question(application, question_key)
        upload = request.files.get(f"file_{question_key}") or request.files.get("file")
        if upload is None or not upload.filename:
            raise RuleViolation("file", _l("Choose a file to upload."))
        replacing = service.attachment_for_question(application, question) is not None
        attachment = service.upload_attachment(
            application, question, upload.stream, upload.filename, actor=current_user,
            anonymised=_flag(f"anonymised_{question_key}") or _flag("anonymised"))
        db.session.commit()
    except DomainError as exc:
        return _failed(application_id, question_key, exc)
    message = (_l("“%(name)s” replaced the earlier file.", name=attachment.original_name) if replacing
               else _l("“%(name)s” is uploaded.", name=attachment.original_name))
    return _done(application_id, question_key, message)


def _attachment(application_id: int, attachment_id: int):
    application = application_for_founder(current_user, application_id)
    attachment = service.attachment_of(application, attachment_id)
    question = next(q for q in application.season.questions if q.id == attachment.question_id)
    return application, attachment, question


@bp.route("/applications/<id:application_id>/files/<id:attachment_id>/delete", methods=["GET", "POST"])
@login_required
def attachment_delete(application_id: int, attachment_id: int):
    """GET: ask to confirm (works without JavaScript). POST: delete."""
    application, attachment, question = _attachment(application_id, attachment_id)
    if request.method == "GET":
        context = {"application": application, "question": question, "attachment": attachment,
                   "can_edit": can_edit_application(current_user, application), "confirm_delete": True,
                   "inside_form": _is_htmx(), "form_url": _form_url(application_id, question.key)}
        if _is_htmx():
            return render_template(PARTIAL, **context)
        return render_template("founder/attachment_delete.html", **context)
    name = attachment.original_name
    try:
        service.delete_attachment(attachment, actor=current_user)
        db.session.commit()
    except DomainError as exc:
        return _failed(application_id, question.key, exc)
    return _done(application_id, question.key, _l("“%(name)s” is deleted.", name=name))


@bp.post("/applications/<id:application_id>/files/<id:attachment_id>/anonymised")
@login_required
def attachment_anonymised(application_id: int, attachment_id: int):
    """Mark the file as anonymised for blind review, or not (the checkbox's value)."""
    application, attachment, question = _attachment(application_id, attachment_id)
    value = _flag(f"anonymised_{question.key}") or _flag("anonymised")
    try:
        service.set_anonymised(attachment, value, actor=current_user)
        db.session.commit()
    except DomainError as exc:
        return _failed(application_id, question.key, exc)
    message = (_l("“%(name)s” is marked as anonymised: blind review stages may show it.", name=attachment.original_name)
               if value else
               _l("“%(name)s” is no longer marked as anonymised: blind review stages will not show it.",
                  name=attachment.original_name))
    return _done(application_id, question.key, message)


@bp.get("/applications/<id:application_id>/files/<id:attachment_id>")
@login_required
def attachment_download(application_id: int, attachment_id: int):
    """The file, as a download (never shown inline)."""
    _application, attachment, _question = _attachment(application_id, attachment_id)
    stream, name, mime = service.open_attachment(attachment, actor=current_user)
    return send_download(stream, download_name=name, mimetype=mime, etag=attachment.sha256,
                         size=attachment.size)
