"""Manager pages for a program's reviewers: the pool with the invitation form, pending invitations,
a reviewer's expertise, languages and maximum load, taking a reviewer out, and the conflicts of
interest (stored ones with add and remove; detected ones listed). Every program is fetched with
program_for_manager: 404 for anyone else. Also the page a reviewer's invitation link opens."""
from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from werkzeug.routing import BuildError
from wtforms.widgets import CheckboxInput, ListWidget

from incubator.accounts.models import User
from incubator.core.errors import DomainError, RuleViolation
from incubator.core.pagination import clamp, paginate
from incubator.extensions import db
from incubator.programs.queries import program_for_manager
from incubator.reviews import conflicts as conflict_services
from incubator.reviews import pools
from incubator.reviews import queries_manager as queries
from incubator.startups import labels
from incubator.web.helpers import apply_errors, flash
from incubator.web.manager import bp
from incubator.web.reviewer import bp as reviewer_bp


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):  # the service names unknown codes
        return None


class ProfileForm(FlaskForm):
    expertise = CheckboxesField(_l("Sectors of expertise"))
    languages = CheckboxesField(_l("Languages they review in"))
    max_load = StringField(_l("Most reviews per stage"), default=str(pools.DEFAULT_MAX_LOAD),
                           render_kw={"inputmode": "numeric", "type": "number", "min": 0,
                                      "max": pools.MAX_LOAD_LIMIT},
                           description=_l("The automatic assignment never gives them more at one stage."))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.expertise.choices = labels.choices(labels.SECTOR_LABELS)
        self.languages.choices = list(current_app.config["LANGUAGES"].items())


class InviteForm(ProfileForm):
    email = EmailField(_l("Reviewer's e-mail"), render_kw={"maxlength": 254, "autocomplete": "off"},
                       description=_l("They get a link to accept, and can create an account with this address."))
    submit = SubmitField(_l("Send the invitation"))


class ConflictForm(FlaskForm):
    reviewer_id = SelectField(_l("Reviewer"), validate_choice=False)
    application_id = SelectField(_l("Application"), validate_choice=False)
    reason = TextAreaField(_l("Reason (managers only)"), render_kw={"rows": 2, "maxlength": 1000})
    submit = SubmitField(_l("Record the conflict"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))


class NewAccountForm(FlaskForm):
    name = StringField(_l("Your name"), render_kw={"maxlength": 120, "autocomplete": "name"})
    password = PasswordField(_l("Choose a password"), render_kw={"autocomplete": "new-password"},
                             description=_l("At least 10 characters."))
    locale = SelectField(_l("Language"), validate_choice=False)
    submit = SubmitField(_l("Create my account and accept"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = list(current_app.config["LANGUAGES"].items())


def _pool_url(program_id: int):
    return url_for("manager.reviewers", program_id=program_id)


def _render_pool(program, form, status: int = 200):
    page, per_page = clamp(request.args.get("page"), request.args.get("per_page"), 50)
    pool, loads = queries.pool_page(program, page, per_page)
    pending = paginate(queries.pending_invitations_stmt(program, pools.invite_max_age()), 1, 5)
    return render_template("manager/reviewers.html", program=program, form=form, page=pool, loads=loads,
                           pending=pending, without_profile=queries.reviewers_without_profile(program),
                           sector_label=labels.sector_label, languages=current_app.config["LANGUAGES"],
                           confirm=ConfirmForm(formdata=None), days=pools.invite_valid_days(),
                           expires_at=pools.invitation_expires_at), status


@bp.route("/programs/<id:program_id>/reviewers", methods=["GET", "POST"])
@login_required
def reviewers(program_id: int):
    program = program_for_manager(current_user, program_id)
    form = InviteForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                invitation = pools.invite_reviewer(program, actor=current_user, email=form.email.data,
                                                   expertise=form.expertise.data, languages=form.languages.data,
                                                   max_load=form.max_load.data)
                email = invitation.email
                db.session.commit()
            except DomainError as exc:
                apply_errors(form, exc)
                status = 422
            else:
                flash(lazy_ngettext("The invitation is on its way to %(email)s. The link works for %(num)d day.",
                                    "The invitation is on its way to %(email)s. The link works for %(num)d days.",
                                    pools.invite_valid_days(), email=email), "success")
                return redirect(_pool_url(program.id))
        else:
            status = 400
    return _render_pool(program, form, status)


@bp.get("/programs/<id:program_id>/reviewers/invitations")
@login_required
def reviewer_invitations(program_id: int):
    program = program_for_manager(current_user, program_id)
    page, per_page = clamp(request.args.get("page"), request.args.get("per_page"), 50)
    pending = paginate(queries.pending_invitations_stmt(program, pools.invite_max_age()), page, per_page)
    return render_template("manager/reviewers_invitations.html", program=program, page=pending,
                           sector_label=labels.sector_label, confirm=ConfirmForm(formdata=None),
                           expires_at=pools.invitation_expires_at)


@bp.post("/programs/<id:program_id>/reviewers/invitations/<id:invitation_id>/revoke")
@login_required
def reviewer_invitation_revoke(program_id: int, invitation_id: int):
    program = program_for_manager(current_user, program_id)
    invitation = pools.invitation_for_manager(current_user, program, invitation_id)
    if ConfirmForm().validate_on_submit():
        email = invitation.email
        try:
            pools.revoke_invitation(invitation, actor=current_user)
            db.session.commit()
        except DomainError as exc:
            apply_errors(None, exc)
        else:
            flash(_l("The invitation to %(email)s was withdrawn: its link no longer works.", email=email), "info")
    return redirect(request.form.get("back") == "list" and url_for("manager.reviewer_invitations",
                                                                   program_id=program.id) or _pool_url(program.id))


@bp.route("/programs/<id:program_id>/reviewers/<id:user_id>", methods=["GET", "POST"])
@login_required
def reviewer_edit(program_id: int, user_id: int):
    program = program_for_manager(current_user, program_id)
    profile = pools.profile_for_manager(current_user, program, user_id)
    form = ProfileForm(obj=None if request.method == "POST" else profile)
    if request.method == "GET":
        form.max_load.data = str(profile.max_load)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                pools.update_reviewer_profile(profile, actor=current_user, expertise=form.expertise.data or [],
                                              languages=form.languages.data or [], max_load=form.max_load.data)
                name = profile.user.name
                db.session.commit()
            except DomainError as exc:
                apply_errors(form, exc)
                status = 422
            else:
                flash(_l("Saved: %(name)s's expertise, languages and maximum load.", name=name), "success")
                return redirect(_pool_url(program.id))
        else:
            status = 400
    return render_template("manager/reviewers_edit.html", program=program, profile=profile, form=form,
                           confirm=ConfirmForm(formdata=None)), status


@bp.post("/programs/<id:program_id>/reviewers/<id:user_id>/remove")
@login_required
def reviewer_remove(program_id: int, user_id: int):
    program = program_for_manager(current_user, program_id)
    profile = pools.profile_for_manager(current_user, program, user_id)
    if ConfirmForm().validate_on_submit():
        name = profile.user.name
        try:
            released = pools.remove_reviewer(profile, actor=current_user)
            db.session.commit()
        except DomainError as exc:
            apply_errors(None, exc)
        else:
            flash(lazy_ngettext(
                "%(name)s no longer reviews for this program. %(num)d assignment was released: run the automatic "
                "assignment to fill the gap.",
                "%(name)s no longer reviews for this program. %(num)d assignments were released: run the automatic "
                "assignment to fill the gaps.", released, name=name) if released else
                _l("%(name)s no longer reviews for this program.", name=name), "info")
    return redirect(_pool_url(program.id))


@bp.post("/programs/<id:program_id>/reviewers/<id:user_id>/add")
@login_required
def reviewer_add(program_id: int, user_id: int):
    program = program_for_manager(current_user, program_id)
    if ConfirmForm().validate_on_submit():
        try:
            profile = pools.add_to_pool(program, db.session.get(User, user_id), actor=current_user)
            name = profile.user.name
            db.session.commit()
        except DomainError as exc:
            apply_errors(None, exc)
        else:
            flash(_l("%(name)s is in the pool: set their expertise and languages.", name=name), "success")
            return redirect(url_for("manager.reviewer_edit", program_id=program.id, user_id=user_id))
    return redirect(_pool_url(program.id))


# --- Conflicts of interest ---------------------------------------------------------------------

@bp.route("/programs/<id:program_id>/conflicts", methods=["GET", "POST"])
@login_required
def conflicts(program_id: int):
    program = program_for_manager(current_user, program_id)
    form = ConflictForm()
    pool = list(db.session.scalars(queries.pool_stmt(program)))
    form.reviewer_id.choices = [("", _l("Choose a reviewer"))] + [(str(p.user_id), p.user.name) for p in pool]
    form.application_id.choices = [("", _l("Choose an application"))] + [
        (str(app_id), f"{name} — {season} (#{app_id})")
        for app_id, name, season in queries.program_applications_for_choice(program)]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                row = conflict_services.add_conflict_by_manager(
                    program, actor=current_user, reviewer_id=form.reviewer_id.data,
                    application_id=form.application_id.data, reason=form.reason.data)
                db.session.commit()
            except DomainError as exc:
                apply_errors(form, exc)
                status = 422
            else:
                flash(_l("Recorded. The reviewer will not be assigned to this startup; their assignments to it "
                         "were released and refilled."), "success")
                return redirect(url_for("manager.conflicts", program_id=program.id, _anchor=f"conflict-{row.id}"))
        else:
            status = 400
    page, per_page = clamp(request.args.get("page"), request.args.get("per_page"), 50)
    detected = _detected_in_review(program, pool)
    return render_template("manager/reviewers_conflicts.html", program=program, form=form,
                           page=queries.conflicts_page(program, page, per_page), detected=detected[:200],
                           detected_total=len(detected), reason_text=conflict_services.reason_text,
                           confirm=ConfirmForm(formdata=None)), status


def _detected_in_review(program, pool):
    """Detected conflicts with the applications now under review in the program (a few queries)."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from incubator.applications.models import Application
    from incubator.applications.states import Status
    from incubator.programs.models import Season

    apps = list(db.session.scalars(
        select(Application).join(Season, Season.id == Application.season_id)
        .where(Season.program_id == program.id, Application.status == Status.IN_REVIEW)
        .options(selectinload(Application.startup), selectinload(Application.season))))
    if not apps or not pool:
        return []
    users = {p.user_id: p.user for p in pool}
    by_id = {a.id: a for a in apps}
    found = conflict_services.detect_conflicts(apps, reviewers=list(users.values()))
    startups = {a.startup_id: a.startup for a in apps} if found else {}
    return [(users[rid], by_id[app_id], startups.get(by_id[app_id].startup_id), why) for rid, app_id, why in found]


@bp.post("/programs/<id:program_id>/conflicts/<id:conflict_id>/remove")
@login_required
def conflict_remove(program_id: int, conflict_id: int):
    program = program_for_manager(current_user, program_id)
    row = conflict_services.conflict_for_program(program, conflict_id)
    if ConfirmForm().validate_on_submit():
        try:
            conflict_services.remove_conflict_by_manager(row, actor=current_user, program=program)
            db.session.commit()
        except DomainError as exc:
            apply_errors(None, exc)
        else:
            flash(_l("The conflict was removed."), "info")
    return redirect(url_for("manager.conflicts", program_id=program.id))


# --- The page a reviewer's invitation link opens (on the reviewer blueprint) -----------------------

@reviewer_bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """Anonymous visitors log in, or create their account here with the invited address; a
    logged-in visitor with that address accepts with a POST."""
    try:
        invite = pools.read_reviewer_invitation(token)
    except RuleViolation as exc:
        db.session.rollback()
        return render_template("reviewer/invitation.html", invitation=None, problem=exc.errors["token"][0]), 400
    program = invite.program
    if not current_user.is_authenticated:
        return _anonymous(token, invite, program)
    form = ConfirmForm()
    try:
        pools.check_reviewer_invitation(token, actor=current_user)
        if request.method == "POST" and form.validate_on_submit():
            pools.accept_reviewer_invitation(token, actor=current_user)
            db.session.commit()
            flash(_l("Welcome to the reviewers of %(program)s.", program=program.name), "success")
            return redirect(_after_accept(program))
    except RuleViolation as exc:
        db.session.rollback()
        return render_template("reviewer/invitation.html", invitation=invite, program=program,
                               problem=exc.errors["token"][0]), 400
    return render_template("reviewer/invitation.html", invitation=invite, program=program, problem=None,
                           form=form)


def _after_accept(program) -> str:
    """The reviewer's queue when the reviewer pages have one, else the program's page."""
    for endpoint in ("reviewer.queue", "reviewer.index", "reviewer.assignments"):
        if endpoint in current_app.view_functions:
            try:
                return url_for(endpoint)
            except BuildError:
                continue
    return url_for("public.program_detail", program_id=program.id)


def _anonymous(token, invite, program):
    has_account = pools._find_user(invite.email) is not None
    form = NewAccountForm()
    if request.method == "GET":
        form.locale.data = program.default_locale
    status = 200
    if request.method == "POST" and not has_account:
        if form.validate_on_submit():
            try:
                user, _ = pools.accept_with_new_account(token, name=form.name.data, password=form.password.data,
                                                        locale=form.locale.data)
                db.session.commit()
            except DomainError as exc:
                apply_errors(form, exc)
                status = 422
            else:
                login_user(user)
                session["lang"] = user.locale
                flash(_l("Welcome to the reviewers of %(program)s.", program=program.name), "success")
                return redirect(_after_accept(program))
        else:
            status = 400
    elif request.method == "POST":
        return redirect(url_for("auth.login", next=request.path))
    return render_template(
        "reviewer/invitation.html", invitation=invite, program=program, problem=None, account_form=form,
        has_account=has_account, login_url=url_for("auth.login", next=request.path),
        register_url=url_for("auth.register", email=invite.email, next=request.path)), status
