"""The founder's applications: start (with eligibility), the form with autosave, submit, withdraw,
the timeline and the PDF (pages)."""
from __future__ import annotations


from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from incubator.applications import services
from incubator.applications.deadlines import deadline_text, hard_deadline
from incubator.applications.eligibility import check_eligibility
from incubator.applications.models import Application
from incubator.applications.policies import can_edit_application, can_withdraw_application
from incubator.applications.queries import application_for_founder
from incubator.applications.states import Status
from incubator.core.errors import Conflict, DomainError, RuleViolation
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.programs import queries as program_queries
from incubator.programs.models import QuestionType
from incubator.startups.models import Startup
from incubator.startups.policies import can_edit_startup
from incubator.web.founder import bp
from incubator.web.helpers import flash


def _my_startups():
    from incubator.startups.queries import editable_startup_ids

    return db.session.scalars(select(Startup).where(Startup.id.in_(editable_startup_ids(current_user)))
                              .order_by(Startup.name)).all()


@bp.route("/seasons/<id:season_id>/apply", methods=["GET", "POST"])
@login_required
def apply(season_id: int):
    season = program_queries.public_season(season_id)
    if season is None:
        abort(404)
    startups = _my_startups()
    existing = {a.startup_id: a for a in db.session.scalars(select(Application).where(
        Application.season_id == season.id, Application.startup_id.in_([s.id for s in startups]),
        Application.status != Status.WITHDRAWN))}
    earlier = {}
    for app_row in db.session.scalars(select(Application).where(
            Application.startup_id.in_([s.id for s in startups]), Application.season_id != season.id)
            .order_by(Application.id.desc())):
        earlier.setdefault(app_row.startup_id, []).append(app_row)
    if request.method == "POST":
        startup = next((s for s in startups if str(s.id) == request.form.get("startup_id")), None)
        if startup is None or not can_edit_startup(current_user, startup):
            flash(_l("Choose one of your startups."), "warning")
        else:
            source = None
            if request.form.get("copy_from"):
                try:
                    source = application_for_founder(current_user, request.form["copy_from"])
                except DomainError:
                    source = None
            try:
                application = services.start_application(startup, season, actor=current_user, copy_from=source)
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "danger")
            else:
                flash(_l("Your draft is ready. Answers save as you type."), "success")
                return redirect(url_for("founder.application_form", application_id=application.id))
    checks = {s.id: check_eligibility(season.program, s, season) for s in startups}
    return render_template("founder/apply.html", season=season, startups=startups, checks=checks,
                           existing=existing, earlier=earlier, accepting=season.is_accepting(),
                           deadline=deadline_text(season, current_user.timezone))


def _form_context(application, errors=None, values=None):
    answers = {a.question_id: a for a in application.answers}
    attachments = {a.question_id: a for a in application.attachments}
    return {
        "application": application, "season": application.season, "answers": answers,
        "attachments": attachments, "errors": errors or {}, "values": values or {},
        "can_edit": can_edit_application(current_user, application),
        "deadline": deadline_text(application.season, current_user.timezone),
        "deadline_iso": hard_deadline(application.season).isoformat(),
        "eligibility": check_eligibility(application.season.program, application.startup, application.season),
        "QuestionType": QuestionType,
    }


def _form_values(application) -> dict:
    """The answers posted by the no-JavaScript form, as the services take them."""
    values = {}
    for q in application.season.questions:
        if q.type == QuestionType.FILE:
            continue
        name = f"q_{q.key}"
        if q.type == QuestionType.MULTI_CHOICE:
            if f"{name}__present" in request.form:
                values[q.key] = request.form.getlist(name)
        elif name in request.form:
            values[q.key] = request.form.get(name)
    return values


@bp.route("/applications/<id:application_id>/form", methods=["GET", "POST"])
@login_required
def application_form(application_id: int):
    application = application_for_founder(current_user, application_id)
    if request.method == "POST":
        values = _form_values(application)
        try:
            services.save_answers(application, values, actor=current_user)
            db.session.commit()
        except RuleViolation as exc:
            db.session.rollback()
            application = application_for_founder(current_user, application_id)
            flash(_l("Some answers were not saved: see the marked questions."), "danger")
            return render_template("founder/application_form.html",
                                   **_form_context(application, exc.errors, values)), 422
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            flash(_l("Your answers are saved."), "success")
        return redirect(url_for("founder.application_form", application_id=application_id))
    if not can_edit_application(current_user, application):
        return redirect(url_for("founder.application_detail", application_id=application_id))
    return render_template("founder/application_form.html", **_form_context(application))


def _parse_version(text):
    """The updated_at of the answer the page last showed (so a later write by someone else is noticed)."""
    try:
        from datetime import datetime

        value = datetime.fromisoformat((text or "").strip())
        return value if value.tzinfo else None
    except ValueError:
        return None


@bp.post("/applications/<id:application_id>/answers/<key>")
@login_required
def autosave(application_id: int, key: str):
    """One question saved (htmx, debounced): answers with a small status the page shows."""
    application = application_for_founder(current_user, application_id)
    question = next((q for q in application.season.questions if q.key == key), None)
    if question is None or question.type == QuestionType.FILE:
        abort(404)
    name = f"q_{key}"
    value = request.form.getlist(name) if question.type == QuestionType.MULTI_CHOICE else request.form.get(name)
    seen = _parse_version(request.form.get(f"version_{key}"))
    previous = next((a for a in application.answers if a.question_id == question.id), None)
    overwritten = None
    if previous is not None and previous.updated_at and seen and previous.updated_at > seen \
            and previous.updated_by_id is not None:
        overwritten = previous
    overwritten_by = None
    if overwritten is not None:
        from incubator.accounts.models import User

        overwritten_by = db.session.get(User, overwritten.updated_by_id)
    try:
        saved = services.save_answers(application, {key: value}, actor=current_user)
        db.session.commit()
    except RuleViolation as exc:
        db.session.rollback()
        return render_template("founder/_save_status.html", question=question, error=exc.errors.get(key, [""])[0],
                               answer=None), 422
    except Conflict as exc:
        db.session.rollback()
        return render_template("founder/_save_status.html", question=question, error=exc.message, answer=None), 409
    return render_template("founder/_save_status.html", question=question, answer=saved[key], error=None,
                           overwritten_at=overwritten.updated_at if overwritten else None,
                           overwritten_by=overwritten_by)


@bp.route("/applications/<id:application_id>/submit", methods=["GET", "POST"])
@login_required
def submit(application_id: int):
    application = application_for_founder(current_user, application_id)
    if application.status != Status.DRAFT:
        return redirect(url_for("founder.application_detail", application_id=application_id))
    problems = services.submission_problems(application)
    now = utcnow()
    late = now > hard_deadline(application.season)
    if request.method == "POST":
        try:
            services.submit_application(application, actor=current_user)
            db.session.commit()
        except RuleViolation as exc:
            db.session.rollback()
            problems = exc.errors
        except DomainError as exc:
            db.session.rollback()
            application = application_for_founder(current_user, application_id)
            return render_template("founder/submit.html", application=application, problems=problems,
                                   late=True, message=exc.message,
                                   deadline=deadline_text(application.season, current_user.timezone)), 409
        else:
            flash(_l("Your application is submitted. A confirmation is on its way to your e-mail."), "success")
            return redirect(url_for("founder.application_detail", application_id=application_id))
    return render_template("founder/submit.html", application=application, problems=problems, late=late,
                           message=None, deadline=deadline_text(application.season, current_user.timezone)), \
        (422 if request.method == "POST" else 200)


@bp.route("/applications/<id:application_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(application_id: int):
    application = application_for_founder(current_user, application_id)
    if not can_withdraw_application(current_user, application):
        flash(_l("This application has a final decision and can no longer be withdrawn."), "warning")
        return redirect(url_for("founder.application_detail", application_id=application_id))
    if request.method == "POST":
        if request.form.get("confirm") != "yes":
            flash(_l("Tick the box to confirm that you want to withdraw."), "warning")
        else:
            try:
                services.withdraw_application(application, actor=current_user, reason=request.form.get("reason", ""))
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "danger")
            else:
                flash(_l("Your application is withdrawn."), "info")
            return redirect(url_for("founder.application_detail", application_id=application_id))
    return render_template("founder/withdraw.html", application=application)


@bp.get("/applications/<id:application_id>")
@login_required
def application_detail(application_id: int):
    application = application_for_founder(current_user, application_id)
    answers = {a.question_id: a for a in application.answers}
    attachments = {a.question_id: a for a in application.attachments}
    return render_template("founder/application_detail.html", application=application, answers=answers,
                           attachments=attachments, season=application.season,
                           can_edit=can_edit_application(current_user, application),
                           can_withdraw=can_withdraw_application(current_user, application),
                           QuestionType=QuestionType)


@bp.get("/applications/<id:application_id>/pdf")
@login_required
def application_pdf(application_id: int):
    application = application_for_founder(current_user, application_id)
    if application.status == Status.DRAFT:
        abort(404)
    from incubator.applications.pdf import render_application_pdf

    try:
        data = render_application_pdf(application)
    except (ImportError, OSError):  # WeasyPrint without its system libraries (Pango)
        current_app.logger.exception("PDF rendering is not available")
        flash(_l("The PDF cannot be made on this server right now (its PDF library is missing). "
                 "Your application is safe; please try again later."), "warning")
        return redirect(url_for("founder.application_detail", application_id=application_id))
    name = f"application-{application.id}.pdf"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"})


