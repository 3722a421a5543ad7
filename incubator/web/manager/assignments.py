"""Manager pages for a stage's assignments: per application its reviewers with the reason for each,
per reviewer the load; the automatic assignment with k (its result names the applications left
short and why); assigning and removing by hand. Stages are fetched with stage_for_manager (404 for
anyone else)."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField

from incubator.core.errors import DomainError, RuleViolation
from incubator.core.pagination import clamp
from incubator.extensions import db
from incubator.programs.queries import stage_for_manager
from incubator.reviews import assigning
from incubator.reviews import queries_manager as queries
from incubator.startups import labels
from incubator.web.helpers import apply_errors, flash
from incubator.web.manager import bp


class AutoForm(FlaskForm):
    reviews_per_application = StringField(
        _l("Reviews per application"), render_kw={"type": "number", "min": 1, "max": assigning.MAX_K,
                                                   "inputmode": "numeric"},
        description=_l("Existing assignments and submitted reviews are kept; only the gaps are filled."))
    submit = SubmitField(_l("Assign automatically"))


class ManualForm(FlaskForm):
    application_id = StringField(_l("Application"))
    reviewer_id = SelectField(_l("Reviewer"), validate_choice=False)
    submit = SubmitField(_l("Assign"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))


def _page_url(stage_id: int, **kwargs) -> str:
    return url_for("manager.assignments", stage_id=stage_id, **kwargs)


def _render(stage, *, auto_form=None, status: int = 200, result=None):
    page, per_page = clamp(request.args.get("page"), request.args.get("per_page"), 50)
    matrix = queries.assignment_matrix(stage, page, per_page)
    if auto_form is None:
        auto_form = AutoForm(formdata=None)
        auto_form.reviews_per_application.data = str(stage.reviews_required)
    return render_template(
        "manager/assignments.html", stage=stage, season=stage.season, program=stage.season.program, matrix=matrix,
        auto_form=auto_form, confirm=ConfirmForm(formdata=None), result=result, reason_text=assigning.reason_text,
        sector_label=labels.sector_label), status


@bp.get("/stages/<id:stage_id>/assignments")
@login_required
def assignments(stage_id: int):
    stage = stage_for_manager(current_user, stage_id)
    return _render(stage)


@bp.post("/stages/<id:stage_id>/assignments/auto")
@login_required
def assignments_auto(stage_id: int):
    stage = stage_for_manager(current_user, stage_id)
    form = AutoForm()
    if not form.validate_on_submit():
        return _render(stage, auto_form=form, status=400)
    try:
        result = assigning.auto_assign(stage, actor=current_user, k=form.reviews_per_application.data)
        summary = {"k": result.k, "created": len(result.created), "applications": result.applications,
                   "reviewers": result.reviewers, "unfilled": result.unfilled,
                   "conflicted_existing": len(result.conflicted_existing)}
        db.session.commit()
    except DomainError as exc:
        apply_errors(form, exc)
        return _render(stage, auto_form=form, status=422)
    flash(lazy_ngettext("%(num)d new assignment.", "%(num)d new assignments.", summary["created"]), "success")
    return render_template("manager/assignments_result.html", stage=stage, season=stage.season,
                           program=stage.season.program, result=summary)


@bp.post("/stages/<id:stage_id>/assignments/manual")
@login_required
def assignments_manual(stage_id: int):
    stage = stage_for_manager(current_user, stage_id)
    form = ManualForm()
    back = _page_url(stage.id, page=request.args.get("page"))
    if not form.validate_on_submit():
        flash(_l("This form has expired. Reload the page and try again."), "warning")
        return redirect(back)
    application = assigning.application_in_stage(stage, form.application_id.data)
    reviewer = assigning.pool_member(stage, form.reviewer_id.data)
    try:
        if not form.reviewer_id.data:
            raise RuleViolation("reviewer_id", _l("Choose a reviewer."))
        row = assigning.assign_manually(stage, application, reviewer, actor=current_user)
        names = (row.reviewer.name, application.startup.name)
        db.session.commit()
    except DomainError as exc:
        apply_errors(None, exc)
    else:
        flash(_l("%(reviewer)s now reviews %(startup)s.", reviewer=names[0], startup=names[1]), "success")
    return redirect(f"{back}#application-{form.application_id.data}")


@bp.post("/stages/<id:stage_id>/assignments/<id:assignment_id>/remove")
@login_required
def assignments_remove(stage_id: int, assignment_id: int):
    stage = stage_for_manager(current_user, stage_id)
    row = assigning.assignment_for_manager(current_user, stage, assignment_id)
    back = _page_url(stage.id, page=request.args.get("page"))
    if ConfirmForm().validate_on_submit():
        names = (row.reviewer.name, row.application.startup.name)
        try:
            assigning.remove_assignment(row, actor=current_user)
            db.session.commit()
        except DomainError as exc:
            apply_errors(None, exc)
        else:
            flash(_l("%(reviewer)s no longer reviews %(startup)s.", reviewer=names[0], startup=names[1]), "info")
    return redirect(f"{back}#application-{row.application_id}")
