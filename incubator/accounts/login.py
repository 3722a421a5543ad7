"""Flask-Login wiring: the login id carries the user's session token, so rotating the token
(logout, password change) ends every other session."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from incubator.core.i18n import flash
from incubator.accounts.models import User
from incubator.accounts.policies import must_enrol_2fa
from incubator.extensions import db, login_manager

TWO_FA_EXEMPT_ENDPOINTS = {"account.two_factor", "account.two_factor_enable", "auth.logout", "static",
                           "public.set_language", "public.healthz"}


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    user_id, _, token = (login_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token or not user.is_active_account:
        return None
    return user


def init_login(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = str  # translate now, never store a lazy string in the session
    login_manager.session_protection = "basic"

    @app.before_request
    def _staff_must_enrol_2fa():
        if request.path.startswith(("/api/", "/static/", "/healthz")):
            return None
        if request.endpoint in TWO_FA_EXEMPT_ENDPOINTS:
            return None
        if current_user.is_authenticated and must_enrol_2fa(current_user):
            flash(_l("Managers and administrators must turn on two-factor login before going on."), "warning")
            return redirect(url_for("account.two_factor"))
        return None
