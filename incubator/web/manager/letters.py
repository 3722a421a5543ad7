"""Manager pages: decision-letter templates (per kind and language, with a preview for a real
application), announcing a season's decisions (choose, preview a sample, confirm, send) and the
progress of a batch of letters (polled by htmx every 2 s; a reload link without JavaScript)."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.core.errors import DomainError, RuleViolation
from incubator.core.pagination import clamp, paginate
from incubator.extensions import db
from incubator.jobs.models import Job
from incubator.letters import queueing, services
from incubator.letters.forms import LetterTemplateForm
from incubator.letters.models import LetterBatch, LetterBatchItem
from incubator.letters.placeholders import LetterKind, placeholders_for
from incubator.letters.progress import batch_progress
from incubator.letters.templating import ALLOWED_FILTERS
from incubator.letters.queries import decision_events, load_decisions
from incubator.notifications.models import DeliveryStatus, Notification
from incubator.programs.models import Season
from incubator.programs.queries import program_for_manager, season_for_manager
from incubator.web.helpers import apply_errors, flash, get_or_404
from incubator.web.manager import bp

PREVIEW_CHOICES = 100
STATUS_LABELS = {"submitted": _l("Submitted"), "in_review": _l("In review"), "waitlisted": _l("Waitlisted"),
                 "accepted": _l("Accepted"), "rejected": _l("Not selected"), "withdrawn": _l("Withdrawn")}


# --- Templates ------------------------------------------------------------------------------------


@bp.get("/programs/<id:program_id>/letters")
@login_required
def letter_templates(program_id: int):
    program = program_for_manager(current_user, program_id)
    rows = services.program_templates(program)
    languages = services.program_languages(program)
    grid = {(kind, lang): services.template_for_editor(program, kind, lang, rows) for kind in LetterKind
            for lang in languages}
    seasons = db.session.scalars(select(Season).where(Season.program_id == program.id)
                                 .order_by(Season.opens_at.desc())).all()
    return render_template("manager/letter_templates.html", program=program, kinds=list(LetterKind),
                           languages=languages, grid=grid, seasons=seasons)


def _preview_choices(program) -> list[Application]:
    return list(db.session.scalars(
        select(Application).join(Season, Season.id == Application.season_id)
        .where(Season.program_id == program.id, Application.status != Status.DRAFT)
        .options(selectinload(Application.startup), selectinload(Application.season))
        .order_by(Application.id.desc()).limit(PREVIEW_CHOICES)
    ))


@bp.route("/programs/<id:program_id>/letters/<kind>/<locale>", methods=["GET", "POST"])
@login_required
def letter_template_edit(program_id: int, kind: str, locale: str):
    program = program_for_manager(current_user, program_id)
    try:
        current = services.template_for_editor(program, kind, locale)
    except DomainError:
        abort(404)
    choices = _preview_choices(program)
    form = LetterTemplateForm(data={"subject": current.subject, "body": current.body,
                                    "application_id": choices[0].id if choices else 0})
    form.application_id.choices = [
        (a.id, f"{a.startup.name} · {a.season.name} · {STATUS_LABELS.get(a.status.value, a.status.value)}")
        for a in choices]
    letter = None
    status = 200
    if form.validate_on_submit():
        action = request.form.get("action")
        if action == "save":
            try:
                services.save_template(program, actor=current_user, kind=current.kind, locale=current.locale,
                                       subject=form.subject.data, body=form.body.data)
                db.session.commit()
            except DomainError as exc:
                apply_errors(form, exc)
                status = 422
            else:
                flash(_l("The letter is saved."), "success")
                return redirect(url_for("manager.letter_template_edit", program_id=program.id, kind=current.kind.value,
                                        locale=current.locale))
        chosen = next((a for a in choices if a.id == form.application_id.data), None)
        if status == 200 and chosen is not None:
            try:
                letter = services.preview(chosen.season, chosen, actor=current_user, kind=current.kind,
                                          locale=current.locale, include_feedback=True,
                                          subject=form.subject.data, body=form.body.data)
            except RuleViolation as exc:
                apply_errors(form, exc)
                status = 422
        elif status == 200:
            flash(_l("The program has no application to preview the letter with yet."), "info")
    elif request.method == "POST":
        status = 422
    return render_template("manager/letter_template_form.html", program=program, template=current, form=form,
                           placeholders=placeholders_for(current.kind), preview=letter,
                           filters=ALLOWED_FILTERS), status


@bp.post("/programs/<id:program_id>/letters/<kind>/<locale>/reset")
@login_required
def letter_template_reset(program_id: int, kind: str, locale: str):
    program = program_for_manager(current_user, program_id)
    try:
        had = services.delete_template(program, actor=current_user, kind=kind, locale=locale)
    except DomainError:
        abort(404)
    db.session.commit()
    if had:
        flash(_l("The default letter is used again."), "success")
    return redirect(url_for("manager.letter_template_edit", program_id=program.id, kind=kind, locale=locale))


# --- Announcing a season's decisions --------------------------------------------------------------


def _chosen() -> dict:
    ids = []
    for raw in request.form.getlist("event_ids"):
        try:
            ids.append(int(raw))
        except ValueError:
            continue
    return {"event_ids": ids, "all_unsent": request.form.get("all_unsent") == "yes",
            "include_feedback": request.form.get("include_feedback") == "yes"}


def _season_page(season, *, chosen: dict | None = None, sample=None, status: int = 200):
    page_n, per_page = clamp(request.args.get("page"), request.args.get("per_page"), 100)
    page = paginate(decision_events(season), page_n, per_page, scalars=False)
    page.items = load_decisions(season, page.items)
    batches = db.session.scalars(select(LetterBatch).where(LetterBatch.season_id == season.id)
                                 .order_by(LetterBatch.id.desc()).limit(10)).all()
    chosen = chosen or {"event_ids": [], "all_unsent": False, "include_feedback": False}
    return render_template("manager/letters_season.html", season=season, page=page, batches=batches,
                           chosen=chosen, sample=sample), status


@bp.route("/seasons/<id:season_id>/letters", methods=["GET", "POST"])
@login_required
def season_letters(season_id: int):
    season = season_for_manager(current_user, season_id)
    if request.method == "GET":
        return _season_page(season)
    chosen = _chosen()
    action = request.form.get("action")
    try:
        if action == "send":
            batch, job = queueing.send_letters(season, actor=current_user, **chosen)
            db.session.commit()
            if job.total:
                flash(ngettext("%(num)d letter is on its way.", "%(num)d letters are on their way.", job.total),
                      "success")
            else:
                flash(_l("Nothing new to send: these letters were sent before."), "info")
            return redirect(url_for("manager.letter_batch", batch_id=batch.id))
        plan = services.plan_letters(season, actor=current_user, limit=1, **chosen)
    except RuleViolation as exc:
        db.session.rollback()
        for messages in exc.errors.values():
            for message in messages:
                flash(message, "danger")
        return _season_page(season, chosen=chosen, status=422)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _season_page(season, chosen=chosen, status=exc.status)
    sample = plan.samples[0] if plan.samples else None
    if action == "confirm":
        return render_template("manager/letters_confirm.html", season=season, plan=plan, chosen=chosen,
                               sample=sample)
    return _season_page(season, chosen=chosen, sample=sample)


# --- A batch's progress ---------------------------------------------------------------------------


@bp.get("/letter-batches/<id:batch_id>")
@login_required
def letter_batch(batch_id: int):
    batch = get_or_404(LetterBatch, batch_id)
    season = season_for_manager(current_user, batch.season_id)
    counts = batch_progress(batch.id)
    job = db.session.get(Job, batch.job_id) if batch.job_id else None
    if request.headers.get("HX-Request"):
        return render_template("manager/_letter_progress.html", batch=batch, counts=counts, job=job)
    failed = db.session.execute(
        select(Notification, Application)
        .join(LetterBatchItem, LetterBatchItem.notification_id == Notification.id)
        .join(Application, Application.id == LetterBatchItem.application_id)
        .where(LetterBatchItem.batch_id == batch.id, Notification.status == DeliveryStatus.FAILED)
        .options(selectinload(Application.startup))
        .order_by(Notification.id).limit(50)
    ).all()
    return render_template("manager/letter_batch.html", batch=batch, season=season, counts=counts, failed=failed,
                           job=job)
