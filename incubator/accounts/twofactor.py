"""TOTP two-factor login (RFC 6238), with replay protection."""
from __future__ import annotations

import io

import pyotp
import segno
from markupsafe import Markup
from flask_babel import lazy_gettext as _l

from incubator.accounts.models import User
from incubator.accounts.passwords import verify_password
from incubator.core.errors import RuleViolation
from incubator.core.timeutil import utcnow
from incubator.extensions import db

ISSUER = "Incubator"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> Markup:
    """The setup link as an SVG QR code (drawn with presentation attributes only: no inline style,
    so the strict CSP holds), titled for screen readers."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True,
                                    title=str(title), nl=False, svgclass="qr-code")
    return Markup(out.getvalue().decode("utf-8").replace("<svg ", '<svg role="img" ', 1))


def _matching_step(secret: str, code: str) -> int | None:
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = utcnow()
    for drift in (-1, 0, 1):  # one step of clock drift either way
        step = totp.timecode(now) + drift
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def check_code(user: User, code: str, field: str = "otp") -> None:
    """Raises RuleViolation unless the code is right and not used before."""
    if not user.totp_secret:
        return
    step = _matching_step(user.totp_secret, code)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        raise RuleViolation(field, _l("That code is not right or was already used. Enter the current "
                                      "6-digit code from your authenticator app."))
    user.totp_last_step = step
    db.session.flush()


def enable_2fa(user: User, *, secret: str, code: str) -> None:
    step = _matching_step(secret, code)
    if step is None:
        raise RuleViolation("code", _l("That code is not right. Check the clock of your phone and try the "
                                       "current code."))
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    db.session.flush()


def disable_2fa(user: User, *, password: str, code: str) -> None:
    if not verify_password(user.password_hash, password or ""):
        raise RuleViolation("password", _l("Your password is not right."))
    check_code(user, code, field="code")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.flush()
