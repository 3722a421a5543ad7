"""Site administration: users, organisations, programs, per-program roles."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from incubator.accounts import roles, services
from incubator.accounts.forms import GrantRoleForm
from incubator.accounts.models import ProgramRole, User
from incubator.accounts.policies import can_administer
from incubator.core.errors import DomainError
from incubator.core.pagination import clamp, paginate
from incubator.extensions import db
from incubator.programs import queries
from incubator.programs import services as program_services
from incubator.programs.forms import OrganisationForm, ProgramForm
from incubator.programs.models import Organisation, Program
from incubator.web.helpers import apply_errors, flash, get_or_404

bp = Blueprint("admin", __name__)


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can_administer(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.get("/")
@admin_required
def index():
    return redirect(url_for("admin.users"))


@bp.get("/users")
@admin_required
def users():
    page, per_page = clamp(request.args.get("page"), request.args.get("per_page"), 25)
    q = (request.args.get("q") or "").strip()[:100]
    stmt = select(User).order_by(User.id)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(User.email).like(like), func.lower(User.name).like(like)))
    return render_template("admin/user_list.html", page=paginate(stmt, page, per_page), q=q)


@bp.post("/users/<id:user_id>/toggle")
@admin_required
def toggle_user(user_id: int):
    user = get_or_404(User, user_id)
    what = request.form.get("what")
    if user.id == current_user.id:
        flash(_l("You cannot change your own administrator or active flag."), "warning")
    elif what == "admin":
        user.is_admin = not user.is_admin
        db.session.commit()
        flash(_l("Saved."), "success")
    elif what == "active":
        user.is_active_account = not user.is_active_account
        if not user.is_active_account:
            services.revoke_sessions(user)
        db.session.commit()
        flash(_l("Saved."), "success")
    else:
        abort(400)
    return redirect(url_for("admin.users", q=request.args.get("q") or None))


@bp.route("/organisations", methods=["GET", "POST"])
@admin_required
def organisations():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            program_services.create_organisation(actor=current_user, name=form.name.data, slug=form.slug.data,
                                                 country=form.country.data, website=form.website.data)
            db.session.commit()
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            flash(_l("The organisation is created."), "success")
            return redirect(url_for("admin.organisations"))
    orgs = db.session.scalars(queries.organisations()).all()
    return render_template("admin/organisation_list.html", form=form, organisations=orgs)


@bp.route("/programs", methods=["GET", "POST"])
@admin_required
def programs():
    form = ProgramForm()
    orgs = db.session.scalars(queries.organisations()).all()
    form.organisation_id.choices = [(o.id, o.name) for o in orgs]
    if form.validate_on_submit():
        org = get_or_404(Organisation, form.organisation_id.data)
        try:
            program = program_services.create_program(actor=current_user, organisation=org, name=form.name.data,
                                                      slug=form.slug.data, summary=form.summary.data or "")
            db.session.commit()
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            flash(_l("The program is created."), "success")
            return redirect(url_for("admin.program_roles", program_id=program.id))
    all_programs = db.session.scalars(select(Program).order_by(Program.name)).unique().all()
    return render_template("admin/program_list.html", form=form, programs=all_programs)


@bp.route("/programs/<id:program_id>/roles", methods=["GET", "POST"])
@admin_required
def program_roles(program_id: int):
    program = get_or_404(Program, program_id)
    form = GrantRoleForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data)
        if user is None:
            form.email.errors = list(form.email.errors) + [str(_l("No account uses this e-mail address."))]
        else:
            try:
                roles.grant_role(user, program, form.role.data, actor=current_user)
                db.session.commit()
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                flash(_l("%(name)s is now %(role)s of %(program)s.", name=user.name, role=form.role.data,
                         program=program.name), "success")
                return redirect(url_for("admin.program_roles", program_id=program.id))
    grants = db.session.scalars(
        select(ProgramRole).where(ProgramRole.program_id == program.id).order_by(ProgramRole.role, ProgramRole.id)
    ).unique().all()
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({g.user_id for g in grants})))}
    return render_template("admin/program_roles.html", program=program, form=form, grants=grants, users=users)


@bp.post("/roles/<id:grant_id>/revoke")
@admin_required
def revoke_role(grant_id: int):
    grant = get_or_404(ProgramRole, grant_id)
    program_id = grant.program_id
    roles.revoke_role(grant.id, actor=current_user)
    db.session.commit()
    flash(_l("The role is removed."), "info")
    return redirect(url_for("admin.program_roles", program_id=program_id))
