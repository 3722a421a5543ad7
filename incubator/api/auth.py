"""Bearer-token authentication for the API. Session cookies are never read here."""
from __future__ import annotations

from functools import wraps

from flask import abort, g, request
from flask_babel import lazy_gettext as _l

from incubator.accounts.api_tokens import user_for_token
from incubator.accounts.policies import must_enrol_2fa


class Unauthorized(Exception):
    def __init__(self, detail):
        self.detail = detail


def load_api_user() -> None:
    g.api_user = None
    g.api_token = None
    header = request.headers.get("Authorization", "")
    if not header:
        return
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        g.api_auth_error = _l("Use the header “Authorization: Bearer <token>”.")
        return
    found = user_for_token(value.strip())
    if found is None:
        g.api_auth_error = _l("This token is not valid: it may be mistyped, expired or revoked.")
        return
    g.api_user, g.api_token = found


def current_api_user():
    return getattr(g, "api_user", None)


def auth_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        user = current_api_user()
        if user is None:
            raise Unauthorized(getattr(g, "api_auth_error", None) or _l("Log in: send a bearer token."))
        if must_enrol_2fa(user):
            abort(403, description=str(_l("Managers and administrators must turn on two-factor login first.")))
        return view(*args, **kwargs)

    return wrapped
