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


INVALID_INVITATION = _l("This invitation link is not valid. Check that you copied all of it from the e-mail.")


def read_invitation_token(serializer: URLSafeTimedSerializer, token, *, max_age: int, expired_message):
    """(payload, issued_at) of a signed invitation link, or RuleViolation('token', why): malformed,
    altered (INVALID_INVITATION) or expired (`expired_message`, which says whom to ask for a new one)."""
    if not isinstance(token, str) or not token or len(token) > 1000 or "\x00" in token:
        raise RuleViolation("token", INVALID_INVITATION)
    try:
        payload, issued = serializer.loads(token, max_age=max_age, return_timestamp=True)
    except SignatureExpired:
        raise RuleViolation("token", expired_message) from None
    except BadSignature:
        raise RuleViolation("token", INVALID_INVITATION) from None
    if not isinstance(payload, dict):
        raise RuleViolation("token", INVALID_INVITATION)
    return payload, issued
