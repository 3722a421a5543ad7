"""Accounts: registration, verification, login, password reset and change, profile."""
from __future__ import annotations

import uuid

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from incubator.accounts.links import fingerprint, make_link_token, read_link_token
from incubator.accounts.models import User, new_session_token
from incubator.accounts.passwords import hash_password, needs_rehash, verify_password
from incubator.accounts.validators import (
    normalise_email, validate_email_address, validate_locale, validate_name, validate_password_strength,
    validate_timezone,
)
from incubator.core.errors import NotAllowed, RuleViolation
from incubator.core.timeutil import utcnow
from incubator.core.urls import public_url
from incubator.extensions import db
from incubator.notifications.services import queue_notification

LOGIN_FAILED = _l("Invalid e-mail or password.")


def find_user_by_email(email: str) -> User | None:
    email = normalise_email(email)
    if not email:
        return None
    return db.session.scalar(select(User).where(func.lower(User.email) == email))


def register_user(*, email: str, password: str, name: str, locale: str = "en",
                  timezone: str | None = None, verified: bool = False) -> User:
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    for field, check in (
        ("email", lambda: validate_email_address(email)),
        ("name", lambda: validate_name(name)),
        ("locale", lambda: validate_locale(locale)),
        ("timezone", lambda: validate_timezone(timezone or current_app.config["DEFAULT_SEASON_TIMEZONE"])),
    ):
        try:
            clean[field] = check()
        except RuleViolation as exc:
            errors.update(exc.errors)
    try:
        validate_password_strength(password, email=clean.get("email", ""), name=clean.get("name", ""))
    except RuleViolation as exc:
        errors.update(exc.errors)
    if not errors and find_user_by_email(clean["email"]) is not None:
        errors["email"] = [str(_l("An account with this e-mail address already exists. "
                                  "Log in, or reset your password if you forgot it."))]
    if errors:
        raise RuleViolation(errors=errors)
    user = User(
        email=clean["email"], name=clean["name"], locale=clean["locale"], timezone=clean["timezone"],
        password_hash=hash_password(password), email_verified_at=utcnow() if verified else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        raise RuleViolation("email", _l("An account with this e-mail address already exists. "
                                        "Log in, or reset your password if you forgot it.")) from None
    if not verified:
        send_verification(user, dedupe="initial")
    return user


def _verify_state(user: User) -> str:
    return fingerprint("verify", user.email)


def send_verification(user: User, *, dedupe: str | None = None) -> None:
    token = make_link_token("verify", user.id, _verify_state(user))
    queue_notification(
        user=user, kind="verify_email",
        dedupe_key=f"verify:{user.id}:{dedupe or uuid.uuid4().hex}",
        link=public_url("auth.verify", token=token),
        via_inapp=False,
    )


def verify_email(token: str) -> User:
    payload = read_link_token("verify", token, current_app.config["VERIFY_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload["u"])
    if user is None:
        raise RuleViolation("token", _l("This link is not valid. Check that you copied all of it."))
    if payload["f"] != _verify_state(user):
        raise RuleViolation("token", _l("This link was sent to another e-mail address. Use the newest link we sent you."))
    if user.email_verified_at is not None:
        raise RuleViolation("token", _l("This link has already been used: your address is confirmed. You can log in."))
    user.email_verified_at = utcnow()
    db.session.flush()
    return user


def check_credentials(email: str, password: str) -> User:
    """The password step of login. One generic message, whatever went wrong."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password or "") or not user.is_active_account:
        raise RuleViolation("password", LOGIN_FAILED)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if not user.is_verified:
        raise NotAllowed(_l("Confirm your e-mail address first: open the link we sent you, "
                            "or ask for a new one below."), code="unverified")
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    db.session.flush()


def _reset_state(user: User) -> str:
    return fingerprint("reset", user.password_hash, user.session_token)


def request_password_reset(email: str) -> None:
    """Sends a link if the account exists; says nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_active_account:
        return
    token = make_link_token("reset", user.id, _reset_state(user))
    queue_notification(
        user=user, kind="password_reset", dedupe_key=f"reset:{user.id}:{uuid.uuid4().hex}",
        link=public_url("auth.reset_password", token=token), via_inapp=False,
    )


def check_reset_token(token: str) -> User:
    payload = read_link_token("reset", token, current_app.config["RESET_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload["u"])
    if user is None or payload["f"] != _reset_state(user):
        raise RuleViolation("token", _l("This link has already been used or replaced by a newer one. "
                                        "Ask for a new one."))
    return user


def reset_password(token: str, new_password: str) -> User:
    user = check_reset_token(token)
    validate_password_strength(new_password, email=user.email, name=user.name)
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    if user.email_verified_at is None:  # they proved they read the mailbox
        user.email_verified_at = utcnow()
    db.session.flush()
    return user


def change_password(user: User, *, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current or ""):
        raise RuleViolation("current_password", _l("Your current password is not right."))
    validate_password_strength(new, email=user.email, name=user.name, field="new_password")
    user.password_hash = hash_password(new)
    revoke_sessions(user)


def revoke_sessions(user: User) -> None:
    """Ends every session and remember-me cookie of this user (the caller logs the current one back in)."""
    user.session_token = new_session_token()
    db.session.flush()


def update_profile(user: User, *, name: str | None = None, locale: str | None = None,
                   timezone: str | None = None) -> User:
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    for field, value, check in (("name", name, validate_name), ("locale", locale, validate_locale),
                                ("timezone", timezone, validate_timezone)):
        if value is None:
            continue
        try:
            clean[field] = check(value)
        except RuleViolation as exc:
            errors.update(exc.errors)
    if errors:
        raise RuleViolation(errors=errors)
    for field, value in clean.items():
        setattr(user, field, value)
    db.session.flush()
    return user
