"""Signed, expiring, single-use links for e-mail verification and password reset.

Single use without a table: each link carries a fingerprint of the state it changes (the address
being verified and whether it already is; a piece of the current password hash). Once used, that
state has changed and the link no longer matches."""
from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from incubator.core.errors import RuleViolation
from flask_babel import lazy_gettext as _l


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"incubator.{purpose}")


def fingerprint(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def make_link_token(purpose: str, user_id: int, state: str) -> str:
    return _serializer(purpose).dumps({"u": user_id, "f": state})


def read_link_token(purpose: str, token: str, max_age: int) -> dict:
    """Returns the payload, or raises RuleViolation('token', ...) naming what is wrong."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise RuleViolation("token", _l("This link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise RuleViolation("token", _l("This link is not valid. Check that you copied all of it.")) from None
    if not isinstance(payload, dict) or "u" not in payload or "f" not in payload:
        raise RuleViolation("token", _l("This link is not valid. Check that you copied all of it."))
    return payload
