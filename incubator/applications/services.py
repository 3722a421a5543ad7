"""The founder's side of an application: start a draft, save answers, submit, withdraw, re-apply."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from incubator.applications.deadlines import ensure_before_deadline
from incubator.applications.eligibility import check_eligibility, failures
from incubator.applications.models import Answer, Application
from incubator.applications.policies import (
    can_edit_application, can_submit_application, can_withdraw_application, is_applicant,
)
from incubator.applications.states import LIVE, Status
from incubator.applications.timeline import add_event
from incubator.applications.transitions import transition
from incubator.applications.validators import clean_answer, missing_required
from incubator.core.errors import Conflict, NotFound, RuleViolation
from incubator.core.timeutil import utcnow
from incubator.core.urls import public_url
from incubator.extensions import db
from incubator.notifications.services import queue_notification
from incubator.programs.guards import ensure_not_closed
from incubator.programs.models import QuestionType
from incubator.startups.policies import can_edit_startup


def _live_application(startup, season) -> Application | None:
    return db.session.scalar(select(Application).where(
        Application.startup_id == startup.id, Application.season_id == season.id,
        Application.status.in_(list(LIVE))))


def start_application(startup, season, *, actor, copy_from: Application | None = None) -> Application:
    """A draft for one of the actor's startups in an open season (answers copied from an earlier one)."""
    if not can_edit_startup(actor, startup):
        raise NotFound()
    ensure_not_closed(season, "apply")
    ensure_before_deadline(season, viewer_tz=actor.timezone)
    if _live_application(startup, season) is not None:
        raise Conflict(_l("%(startup)s already has an application in this season.", startup=startup.name),
                       code="already_applied")
    application = Application(season_id=season.id, startup_id=startup.id, created_by_id=actor.id,
                              status=Status.DRAFT, updated_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(application)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_l("%(startup)s already has an application in this season.", startup=startup.name),
                       code="already_applied") from None
    add_event(application, kind="created", actor=actor, to_status=Status.DRAFT)
    if copy_from is not None:
        copy_answers(copy_from, application, actor=actor)
    db.session.flush()
    return application


def copy_answers(source: Application, target: Application, *, actor) -> int:
    """Copy the answers of questions with the same key and type (files are not copied)."""
    if not is_applicant(actor, source) or source.startup_id != target.startup_id:
        raise NotFound()
    by_key = {q.key: q for q in target.season.questions}
    copied = 0
    now = utcnow()
    for answer in source.answers:
        old_q = next((q for q in source.season.questions if q.id == answer.question_id), None)
        new_q = by_key.get(old_q.key) if old_q else None
        if new_q is None or new_q.type != old_q.type or new_q.type == QuestionType.FILE:
            continue
        try:
            value = clean_answer(new_q, answer.value)
        except RuleViolation:
            continue  # no longer valid under the new question's rules: leave it for the founder
        if value is not None:
            db.session.add(Answer(application_id=target.id, question_id=new_q.id, value=value,
                                  updated_at=now, updated_by_id=actor.id))
            copied += 1
    if copied:
        add_event(target, kind="copied", actor=actor, reason=str(source.id))
    return copied


def ensure_editable(application: Application, *, actor) -> None:
    if not is_applicant(actor, application):
        raise NotFound()
    ensure_not_closed(application.season, "applications")
    if not can_edit_application(actor, application):
        raise Conflict(_l("This application was submitted: its answers are frozen."), code="frozen")
    ensure_before_deadline(application.season, viewer_tz=actor.timezone)


def save_answers(application: Application, answers: dict, *, actor) -> dict[str, Answer]:
    """Save answers keyed by question key. Each question is its own row: the last write wins per
    question, so two people editing different questions never overwrite each other. All or nothing:
    one invalid answer saves none and names every invalid one."""
    ensure_editable(application, actor=actor)
    questions = {q.key: q for q in application.season.questions}
    errors: dict[str, list[str]] = {}
    clean: dict[str, object] = {}
    for key, value in (answers or {}).items():
        question = questions.get(key)
        if question is None:
            errors[key] = [str(_l("There is no question “%(key)s” in this season.", key=str(key)[:64]))]
            continue
        try:
            clean[key] = clean_answer(question, value)
        except RuleViolation as exc:
            errors.update(exc.errors)
    if errors:
        raise RuleViolation(errors=errors)
    existing = {a.question_id: a for a in application.answers}
    now = utcnow()
    saved = {}
    for key, value in clean.items():
        question = questions[key]
        row = existing.get(question.id)
        if row is None:
            row = Answer(application_id=application.id, question_id=question.id)
            db.session.add(row)
            application.answers.append(row)
        row.value, row.updated_at, row.updated_by_id = value, now, actor.id
        saved[key] = row
    application.updated_at = now
    db.session.flush()
    return saved


def submission_problems(application: Application) -> dict[str, list[str]]:
    season = application.season
    answers = {a.question_id: a.value for a in application.answers}
    errors = missing_required(season.questions, answers, {a.question_id for a in application.attachments})
    errors.update(failures(check_eligibility(season.program, application.startup, season)))
    return errors


def submit_application(application: Application, *, actor) -> Application:
    if not is_applicant(actor, application):
        raise NotFound()
    ensure_not_closed(application.season, "applications")
    if not can_submit_application(actor, application):
        raise Conflict(_l("This application was already submitted."), code="already_submitted")
    ensure_before_deadline(application.season, viewer_tz=actor.timezone)
    problems = submission_problems(application)
    if problems:
        raise RuleViolation(errors=problems)
    transition(application, Status.SUBMITTED, actor=actor, kind="submitted")
    _notify_submitted(application, actor)
    return application


def _notify_submitted(application: Application, actor) -> None:
    startup = application.startup
    recipients = {startup.owner_id: startup.owner} | {c.user_id: c.user for c in startup.collaborators}
    link = public_url("founder.application_detail", application_id=application.id)
    for user in recipients.values():
        queue_notification(user=user, kind="application_submitted",
                           dedupe_key=f"submitted:{application.id}:{user.id}", link=link,
                           context={"application": application, "season": application.season,
                                    "startup": startup, "submitted_by": actor})


def withdraw_application(application: Application, *, actor, reason: str = "") -> Application:
    if not is_applicant(actor, application):
        raise NotFound()
    ensure_not_closed(application.season, "applications")
    if not can_withdraw_application(actor, application):
        raise Conflict(_l("This application has a final decision and can no longer be withdrawn."),
                       code="final")
    transition(application, Status.WITHDRAWN, actor=actor, kind="withdrawn", reason=(reason or "")[:2000])
    return application
