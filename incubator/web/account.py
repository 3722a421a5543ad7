"""The signed-in user's own settings: profile and language, password, two-factor login, API tokens."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user

from incubator.accounts import api_tokens, services, twofactor
from incubator.accounts.forms import (
    ChangePasswordForm, DisableTwoFactorForm, EnableTwoFactorForm, NewTokenForm, ProfileForm,
)
from incubator.core.errors import DomainError
from incubator.extensions import db
from incubator.web.helpers import apply_errors, flash

bp = Blueprint("account", __name__)
ENROL_SECRET = "totp_enrol_secret"


@bp.route("/", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    password_form = ChangePasswordForm(prefix="pw")
    if form.submit.data and form.validate_on_submit():
        try:
            services.update_profile(current_user, name=form.name.data, locale=form.locale.data,
                                    timezone=form.timezone.data)
            db.session.commit()
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            session["lang"] = current_user.locale
            flash(_l("Your settings are saved."), "success")
            return redirect(url_for("account.profile"))
    return render_template("account/profile.html", form=form, password_form=password_form)


@bp.post("/password")
@login_required
def change_password():
    form = ProfileForm(obj=current_user)
    password_form = ChangePasswordForm(prefix="pw")
    if password_form.validate_on_submit():
        try:
            services.change_password(current_user, current=password_form.current_password.data,
                                     new=password_form.new_password.data)
            db.session.commit()
        except DomainError as exc:
            apply_errors(password_form, exc)
        else:
            login_user(current_user._get_current_object())  # this session goes on with the new token
            flash(_l("Your password is changed. You were logged out everywhere else."), "success")
            return redirect(url_for("account.profile"))
    return render_template("account/profile.html", form=form, password_form=password_form), 422


@bp.route("/two-factor", methods=["GET"])
@login_required
def two_factor():
    enable_form, disable_form = EnableTwoFactorForm(), DisableTwoFactorForm()
    secret = uri = None
    if not current_user.has_2fa:
        secret = session.get(ENROL_SECRET) or twofactor.new_secret()
        session[ENROL_SECRET] = secret
        uri = twofactor.provisioning_uri(current_user, secret)
    return render_template("account/two_factor.html", enable_form=enable_form, disable_form=disable_form,
                           secret=secret, uri=uri, qr=_qr(uri))


def _qr(uri: str | None):
    return twofactor.qr_svg(uri, _l("QR code to add this account to your authenticator app")) if uri else None


@bp.post("/two-factor/enable")
@login_required
def two_factor_enable():
    form = EnableTwoFactorForm()
    secret = session.get(ENROL_SECRET)
    if secret and form.validate_on_submit():
        try:
            twofactor.enable_2fa(current_user, secret=secret, code=form.code.data)
            db.session.commit()
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            session.pop(ENROL_SECRET, None)
            flash(_l("Two-factor login is on. You will be asked for a code each time you log in."), "success")
            return redirect(url_for("account.two_factor"))
    return render_template("account/two_factor.html", enable_form=form, disable_form=DisableTwoFactorForm(),
                           secret=secret, uri=(uri := twofactor.provisioning_uri(current_user, secret) if secret else None),
                           qr=_qr(uri)), 422


@bp.post("/two-factor/disable")
@login_required
def two_factor_disable():
    form = DisableTwoFactorForm()
    if form.validate_on_submit():
        try:
            twofactor.disable_2fa(current_user, password=form.password.data, code=form.code.data)
            db.session.commit()
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            flash(_l("Two-factor login is off."), "info")
            return redirect(url_for("account.two_factor"))
    return render_template("account/two_factor.html", enable_form=EnableTwoFactorForm(), disable_form=form,
                           secret=None, uri=None), 422


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = NewTokenForm()
    new_token = None
    if form.validate_on_submit():
        _, new_token = api_tokens.issue_token(current_user, name=form.name.data or "")
        db.session.commit()
        form = NewTokenForm(formdata=None)
    return render_template("account/tokens.html", form=form, tokens=api_tokens.tokens_of(current_user),
                           new_token=new_token)


@bp.post("/tokens/<id:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    try:
        api_tokens.revoke_token(token_id, actor=current_user)
        db.session.commit()
        flash(_l("The token is revoked."), "info")
    except DomainError:
        db.session.rollback()
        flash(_l("No such token."), "warning")
    return redirect(url_for("account.tokens"))
