"""Manager pages: the manager's home, the season builder (window and settings here; questions and
stages in season_parts), copying a season, and moving it draft -> open -> reviewing -> decided.

Every season and program is fetched scoped to the manager (404 for anyone else); the forms check
shape, the builder's services check the rules and name the field of each broken one."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select

from incubator.accounts.models import Role
from incubator.applications.models import Application
from incubator.core.errors import DomainError, RuleViolation
from incubator.core.pagination import clamp, paginate
from incubator.extensions import db
from incubator.programs import builder
from incubator.programs.builder_stored import SEASON_TRANSITIONS, answered_question_ids
from incubator.programs.models import Program, Season, SeasonStatus
from incubator.programs.queries import program_for_manager, season_for_manager
from incubator.web.helpers import flash
from incubator.web.manager import bp
from incubator.web.manager.season_forms import (
    APP_LABELS, COMMON_ZONES, STATUS_ACTIONS, STATUS_LABELS, TYPE_LABELS, CopyForm, SeasonForm, fill_season, place_errors,
    season_data, to_aware,
)

HOME_PER_PAGE = 10


def managed_programs():
    """The programs the user manages (every program for an administrator), by name."""
    stmt = select(Program).order_by(Program.name, Program.id)
    if not current_user.is_admin:
        stmt = stmt.where(Program.id.in_(current_user.program_ids(Role.MANAGER) or {0}))
    return stmt


def counts_by_season(season_ids) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {i: {} for i in season_ids}
    if season_ids:
        for season_id, status, n in db.session.execute(
                select(Application.season_id, Application.status, func.count())
                .where(Application.season_id.in_(season_ids))
                .group_by(Application.season_id, Application.status)):
            counts[season_id][str(status)] = n
    return counts


@bp.get("/")
@login_required
def home():
    """The programs I manage, their seasons, and how many applications each season has, by status."""
    if not current_user.is_admin and not current_user.program_ids(Role.MANAGER):
        abort(403)
    page_n, _ = clamp(request.args.get("page"), HOME_PER_PAGE, HOME_PER_PAGE)
    page = paginate(managed_programs(), page_n, HOME_PER_PAGE)
    seasons = db.session.scalars(select(Season).where(Season.program_id.in_([p.id for p in page.items] or [0]))
                                 .order_by(Season.opens_at.desc(), Season.id.desc())).unique().all()
    by_program: dict[int, list[Season]] = {p.id: [] for p in page.items}
    for season in seasons:
        by_program[season.program_id].append(season)
    return render_template("manager/home.html", page=page, by_program=by_program,
                           counts=counts_by_season([s.id for s in seasons]), STATUS_LABELS=STATUS_LABELS,
                           APP_LABELS=APP_LABELS)


def _form_errors(form, exc: DomainError) -> None:
    db.session.rollback()
    if isinstance(exc, RuleViolation):
        for message in place_errors(form, exc.errors):
            flash(message, "danger")
    else:
        flash(exc.message, "danger")


@bp.route("/programs/<id:program_id>/seasons/new", methods=["GET", "POST"])
@login_required
def season_new(program_id: int):
    program = program_for_manager(current_user, program_id)
    form = SeasonForm()
    if form.validate_on_submit():
        try:
            season = builder.create_season(program, actor=current_user, data=season_data(form))
            db.session.commit()
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            flash(_l("The season is created as a draft. Add its questions and stages."), "success")
            return redirect(url_for("manager.season_edit", season_id=season.id))
    elif request.method == "GET":
        form.timezone.data = form.timezone.data or "Asia/Tashkent"
    status = 422 if request.method == "POST" else 200
    return render_template("manager/season_new.html", program=program, form=form, zones=COMMON_ZONES), status


def edit_context(season: Season, **forms) -> dict:
    """What the season page shows: the settings, the questions (which are answered), the stages and
    rubrics, the moves of its status, the copy form."""
    if "form" not in forms:
        forms["form"] = SeasonForm(formdata=None)
        fill_season(forms["form"], builder.season_document(season))
    if "copy_form" not in forms:
        copy_form = CopyForm(formdata=None, prefix="copy")
        copy_form.name.data = _l("%(name)s (copy)", name=season.name)
        forms["copy_form"] = copy_form
    counts = counts_by_season([season.id])[season.id]
    return {
        "season": season, "program": season.program, "zones": COMMON_ZONES,
        "answered": answered_question_ids([q.id for q in season.questions]),
        "counts": counts, "total": sum(counts.values()),
        "moves": [s for s in (SeasonStatus.OPEN, SeasonStatus.REVIEWING, SeasonStatus.DECIDED, SeasonStatus.DRAFT)
                  if s in SEASON_TRANSITIONS[SeasonStatus(season.status)]
                  and not (s == SeasonStatus.DRAFT and counts)],
        "STATUS_LABELS": STATUS_LABELS, "APP_LABELS": APP_LABELS, "STATUS_ACTIONS": STATUS_ACTIONS, "TYPE_LABELS": TYPE_LABELS,
        "editable": season.status != SeasonStatus.CLOSED, **forms,
    }


@bp.route("/seasons/<id:season_id>", methods=["GET", "POST"])
@login_required
def season_edit(season_id: int):
    """The season page; a POST saves the window and settings."""
    season = season_for_manager(current_user, season_id)
    if request.method == "GET":
        return render_template("manager/season_edit.html", **edit_context(season))
    form = SeasonForm()
    if form.validate_on_submit():
        try:
            builder.update_season(season, actor=current_user, data=season_data(form))
            db.session.commit()
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            flash(_l("The season is saved."), "success")
            return redirect(url_for("manager.season_edit", season_id=season_id))
    season = season_for_manager(current_user, season_id)
    return render_template("manager/season_edit.html", **edit_context(season, form=form)), 422


@bp.post("/seasons/<id:season_id>/copy")
@login_required
def season_copy(season_id: int):
    """A new draft from this season: settings, questions, stages and rubrics, not applications."""
    source = season_for_manager(current_user, season_id)
    form = CopyForm(prefix="copy")
    if form.validate_on_submit():
        tz = source.timezone
        try:
            season = builder.copy_season(source, actor=current_user, name=form.name.data, slug=form.slug.data,
                                         opens_at=to_aware(form.opens_at.data, tz),
                                         closes_at=to_aware(form.closes_at.data, tz))
            db.session.commit()
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            flash(_l("The season is copied as a draft: check its dates and deadlines."), "success")
            return redirect(url_for("manager.season_edit", season_id=season.id))
    source = season_for_manager(current_user, season_id)
    return render_template("manager/season_edit.html", **edit_context(source, copy_form=form)), 422


@bp.post("/seasons/<id:season_id>/status")
@login_required
def season_status(season_id: int):
    season = season_for_manager(current_user, season_id)
    wanted = request.form.get("status", "")
    try:
        builder.change_season_status(season, actor=current_user, status=wanted)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        for messages in (exc.errors.values() if isinstance(exc, RuleViolation) else [[exc.message]]):
            for message in messages:
                flash(message, "danger")
    else:
        flash(_l("The season is now: %(status)s.", status=STATUS_LABELS[SeasonStatus(wanted)]), "success")
    return redirect(url_for("manager.season_edit", season_id=season_id))


from incubator.web.manager import season_parts  # noqa: E402,F401  (the questions and stages pages)
