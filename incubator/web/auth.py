"""Register, verify, log in (with a second step where 2FA is on), log out, reset a password."""
from __future__ import annotations

import time

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from incubator.accounts import services
from incubator.accounts.forms import EmailOnlyForm, LoginForm, NewPasswordForm, OtpForm, RegisterForm
from incubator.accounts.models import User
from incubator.accounts.twofactor import check_code
from incubator.core.errors import DomainError, NotAllowed, RuleViolation
from incubator.core.i18n import select_locale
from incubator.extensions import db, limiter
from incubator.web.helpers import apply_errors, flash, safe_next

bp = Blueprint("auth", __name__)
PENDING_2FA = "pending_2fa"
PENDING_2FA_SECONDS = 300


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("public.index"))
    form = RegisterForm()
    if request.method == "GET":
        form.locale.data = select_locale()
        form.email.data = (request.args.get("email") or "")[:254] or None
    if form.validate_on_submit():
        try:
            user = services.register_user(email=form.email.data, password=form.password.data,
                                          name=form.name.data, locale=form.locale.data)
            db.session.commit()
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            session["lang"] = user.locale
            return render_template("auth/register_done.html", email=user.email)
    return render_template("auth/register.html", form=form)


@bp.get("/verify/<token>")
def verify(token: str):
    try:
        user = services.verify_email(token)
        db.session.commit()
    except RuleViolation as exc:
        db.session.rollback()
        return render_template("auth/verify_failed.html", message=exc.errors["token"][0],
                               form=EmailOnlyForm()), 400
    flash(_l("Thank you, %(name)s: your e-mail address is confirmed. You can log in now.", name=user.name),
          "success")
    return redirect(url_for("auth.login"))


@bp.route("/verify/resend", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def resend_verification():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data)
        if user is not None and not user.is_verified:
            services.send_verification(user)
            db.session.commit()
        flash(_l("If an unconfirmed account uses this address, a new link is on its way."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/resend.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("public.index"))
    form = LoginForm()
    unverified = False
    if form.validate_on_submit():
        try:
            user = services.check_credentials(form.email.data, form.password.data)
        except NotAllowed as exc:
            db.session.commit()  # a rehash may have happened
            unverified = exc.extra.get("code") == "unverified"
            flash(str(exc.message), "warning")
        except RuleViolation as exc:
            db.session.rollback()
            form.password.errors = list(form.password.errors) + exc.errors["password"]
        else:
            if user.has_2fa:
                session[PENDING_2FA] = {"uid": user.id, "until": time.time() + PENDING_2FA_SECONDS,
                                        "remember": bool(form.remember.data),
                                        "next": safe_next(url_for("public.index"))}
                db.session.commit()
                return redirect(url_for("auth.login_2fa"))
            return _finish_login(user, remember=bool(form.remember.data),
                                 target=safe_next(url_for("public.index")))
    return render_template("auth/login.html", form=form, unverified=unverified)


def _finish_login(user: User, *, remember: bool, target: str):
    services.record_login(user)
    db.session.commit()
    session.pop(PENDING_2FA, None)
    login_user(user, remember=remember)
    session["lang"] = user.locale
    flash(_l("Welcome, %(name)s.", name=user.name), "success")
    return redirect(target)


@bp.route("/login/2fa", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login_2fa():
    pending = session.get(PENDING_2FA)
    if not pending or pending.get("until", 0) < time.time():
        session.pop(PENDING_2FA, None)
        flash(_l("Your login took too long. Please start again."), "warning")
        return redirect(url_for("auth.login"))
    user = db.session.get(User, pending["uid"])
    if user is None:
        return redirect(url_for("auth.login"))
    form = OtpForm()
    if form.validate_on_submit():
        try:
            check_code(user, form.code.data, field="code")
        except RuleViolation as exc:
            apply_errors(form, exc)
        else:
            return _finish_login(user, remember=pending.get("remember", False), target=pending.get("next") or "/")
    return render_template("auth/login_2fa.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        user = db.session.get(User, current_user.id)
        services.revoke_sessions(user)  # ends this user's sessions on every device
        db.session.commit()
    logout_user()
    session.pop(PENDING_2FA, None)
    flash(_l("You are logged out."), "info")
    return redirect(url_for("public.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("auth/reset_sent.html")
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    try:
        services.check_reset_token(token)
    except RuleViolation as exc:
        return render_template("auth/verify_failed.html", message=exc.errors["token"][0],
                               form=EmailOnlyForm(), reset=True), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
            db.session.commit()
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            logout_user()
            flash(_l("Your password is changed. Log in with the new one."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_form.html", form=form, token=token)
