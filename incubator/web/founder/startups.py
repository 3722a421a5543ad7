"""Startup profiles, teams and co-founder invitations (pages): the founder's dashboard, the startup
form with its team, and the page an invitation link opens."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_login import current_user, login_required

from incubator.applications.queries import my_applications
from incubator.core.errors import DomainError, RuleViolation
from incubator.extensions import db
from incubator.startups import labels, logo, services
from incubator.startups.forms import ConfirmForm, InviteForm, MemberForm, StartupForm
from incubator.startups.models import Startup
from incubator.startups.policies import can_invite_cofounder, can_remove_collaborator
from incubator.startups.queries import my_startups, startup_for_editor
from incubator.web.founder import bp
from incubator.web.helpers import apply_errors, flash, safe_next


def _edit_url(startup_id: int, anchor: str | None = None) -> str:
    return url_for("founder.startup_edit", startup_id=startup_id, _anchor=anchor)


def _render_edit(startup, *, form=None, member_form=None, invite_form=None, logo_errors=None, status: int = 200):
    form = form or StartupForm(obj=startup, formdata=None)
    return render_template(
        "founder/startup_form.html", startup=startup, form=form,
        logo_errors=[str(m) for m in logo_errors or []], logo_max_mb=logo.logo_max_mb(),
        logo_accept=logo.ACCEPT, logo_version=logo.logo_version(startup),
        member_form=member_form or MemberForm(formdata=None),
        invite_form=invite_form or InviteForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None), labels=labels,
        can_invite=can_invite_cofounder(current_user, startup),
        can_remove_collaborator=can_remove_collaborator,
        invite_days=services.invite_valid_days(),
    ), status


@bp.get("/")
@login_required
def dashboard():
    startups = db.session.scalars(my_startups(current_user)).all()
    applications = db.session.scalars(my_applications(current_user)).all()
    return render_template("founder/dashboard.html", startups=startups, applications=applications, labels=labels)


@bp.route("/startups/new", methods=["GET", "POST"])
@login_required
def startup_new():
    form = StartupForm()
    if form.validate_on_submit():
        try:
            startup = services.create_startup(actor=current_user, **form.fields_data())
            db.session.commit()
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            flash(_l("%(name)s is saved. Add your team below.", name=startup.name), "success")
            return redirect(safe_next(_edit_url(startup.id, "team")))
    status = 422 if request.method == "POST" else 200
    return render_template("founder/startup_form.html", startup=None, form=form, labels=labels), status


@bp.route("/startups/<id:startup_id>", methods=["GET", "POST"])
@login_required
def startup_edit(startup_id: int):
    startup = startup_for_editor(current_user, startup_id)
    if request.method == "GET":
        return _render_edit(startup)
    form = StartupForm()
    if form.validate_on_submit():
        try:
            services.update_startup(startup, actor=current_user, **form.fields_data())
            db.session.commit()
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            flash(_l("The changes to %(name)s are saved.", name=startup.name), "success")
            return redirect(_edit_url(startup.id))
    return _render_edit(startup, form=form, status=422)


@bp.post("/startups/<id:startup_id>/members")
@login_required
def member_add(startup_id: int):
    startup = startup_for_editor(current_user, startup_id)
    member_form = MemberForm()
    if member_form.validate_on_submit():
        try:
            member = services.add_member(startup, actor=current_user, **member_form.fields_data())
            db.session.commit()
        except DomainError as exc:
            apply_errors(member_form, exc)
        else:
            flash(_l("%(name)s is on the team.", name=member.name), "success")
            return redirect(_edit_url(startup.id, "team"))
    return _render_edit(startup, member_form=member_form, status=422)


@bp.post("/startups/<id:startup_id>/members/<id:member_id>/delete")
@login_required
def member_delete(startup_id: int, member_id: int):
    startup = startup_for_editor(current_user, startup_id)
    member = services.member_of(startup, member_id)
    if ConfirmForm().validate_on_submit():
        name = member.name
        services.remove_member(member, actor=current_user)
        db.session.commit()
        flash(_l("%(name)s is no longer on the team.", name=name), "info")
    return redirect(_edit_url(startup.id, "team"))


@bp.post("/startups/<id:startup_id>/invite")
@login_required
def cofounder_invite(startup_id: int):
    startup = startup_for_editor(current_user, startup_id)
    invite_form = InviteForm()
    status = 422
    if invite_form.validate_on_submit():
        email = invite_form.email.data
        try:
            note = services.invite_cofounder(startup, actor=current_user, email=email)
            db.session.commit()
        except DomainError as exc:
            status = exc.status
            apply_errors(invite_form, exc)
        else:
            flash(lazy_ngettext("The invitation is on its way to %(email)s. The link works for %(num)d day.",
                                "The invitation is on its way to %(email)s. The link works for %(num)d days.",
                                services.invite_valid_days(), email=note.to_email), "success")
            return redirect(_edit_url(startup.id, "cofounders"))
    return _render_edit(startup, invite_form=invite_form, status=status)


@bp.post("/startups/<id:startup_id>/cofounders/<id:collaborator_id>/delete")
@login_required
def collaborator_remove(startup_id: int, collaborator_id: int):
    startup = startup_for_editor(current_user, startup_id)
    collaborator = services.collaborator_of(startup, collaborator_id)
    if ConfirmForm().validate_on_submit():
        leaving = collaborator.user_id == current_user.id
        name = collaborator.user.name
        try:
            services.remove_collaborator(collaborator, actor=current_user)
            db.session.commit()
        except DomainError as exc:
            apply_errors(None, exc)
        else:
            if leaving:
                flash(_l("You no longer edit %(startup)s.", startup=startup.name), "info")
                return redirect(url_for("founder.dashboard"))
            flash(_l("%(name)s can no longer edit %(startup)s.", name=name, startup=startup.name), "info")
    return redirect(_edit_url(startup_id, "cofounders"))


# --- The logo (its own multipart form on the edit page, outside the profile form) -------------------

def _messages(exc: DomainError) -> list[str]:
    if isinstance(exc, RuleViolation) and exc.errors:
        return [str(m) for messages in exc.errors.values() for m in messages]
    return [str(exc.message)]


@bp.post("/startups/<id:startup_id>/logo")
@login_required
def startup_logo_upload(startup_id: int):
    """Upload the logo (the file part `logo`), or replace it. A refusal shows the edit page again
    with the reason next to the logo, and the status of the error (413 over the limit, 422 otherwise)."""
    startup = startup_for_editor(current_user, startup_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(_edit_url(startup.id, "logo"))
    upload = request.files.get("logo")
    replacing = startup.logo_key is not None
    try:
        if upload is None or not upload.filename:
            raise RuleViolation("logo", _l("Choose a PNG or JPEG image to upload."))
        logo.set_logo(startup, upload.stream, upload.filename, actor=current_user)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _render_edit(startup, logo_errors=_messages(exc), status=exc.status)
    flash(_l("The new logo of %(name)s is saved.", name=startup.name) if replacing
          else _l("The logo of %(name)s is saved.", name=startup.name), "success")
    return redirect(_edit_url(startup.id, "logo"))


@bp.post("/startups/<id:startup_id>/logo/delete")
@login_required
def startup_logo_delete(startup_id: int):
    startup = startup_for_editor(current_user, startup_id)
    if ConfirmForm().validate_on_submit():
        logo.remove_logo(startup, actor=current_user)
        db.session.commit()
        flash(_l("%(name)s no longer has a logo.", name=startup.name), "info")
    return redirect(_edit_url(startup.id, "logo"))


@bp.get("/startups/<id:startup_id>/logo")
@login_required
def startup_logo(startup_id: int):
    """The logo image, for anyone who may see the startup (404 for anyone else, or when there is none)."""
    return logo.send_logo(logo.open_logo(db.session.get(Startup, startup_id), actor=current_user))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """What the link invites to. Anonymous visitors are offered to log in or sign up (and come back);
    a logged-in visitor with the invited address accepts with a POST."""
    if request.method == "POST" and not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    try:
        invite = services.read_invitation(token)
    except RuleViolation as exc:
        db.session.rollback()
        return render_template("founder/invitation.html", invitation=None, problem=exc.errors["token"][0],
                               form=None), 400
    if not current_user.is_authenticated:
        return render_template(
            "founder/invitation.html", invitation=invite, problem=None, form=None,
            login_url=url_for("auth.login", next=request.path),
            register_url=url_for("auth.register", email=invite.email, next=request.path),
        )
    form = ConfirmForm()
    try:
        services.check_invitation(token, actor=current_user)
        if request.method == "POST" and form.validate_on_submit():
            services.accept_invitation(token, actor=current_user)
            startup_id, name = invite.startup.id, invite.startup.name
            db.session.commit()
            flash(_l("Welcome to the team of %(startup)s: you can now edit it and its applications.",
                     startup=name), "success")
            return redirect(_edit_url(startup_id))
    except RuleViolation as exc:
        db.session.rollback()
        can_open = current_user.id in invite.startup.editor_ids()
        return render_template("founder/invitation.html", invitation=invite, problem=exc.errors["token"][0],
                               form=None, can_open=can_open), 400
    return render_template("founder/invitation.html", invitation=invite, problem=None, form=form)
