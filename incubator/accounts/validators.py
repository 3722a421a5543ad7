"""Domain rules for accounts; each raises RuleViolation(field, message)."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email as _validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l

from incubator.core.errors import RuleViolation
from incubator.core.timeutil import is_valid_zone

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
COMMON_PASSWORDS = frozenset({
    "password", "password1", "password12", "password123", "1234567890", "12345678910", "qwertyuiop",
    "qwerty1234", "qwerty12345", "iloveyou12", "letmein123", "welcome123", "admin12345", "parol12345",
    "1q2w3e4r5t", "abcdefghij", "incubator1", "0123456789", "1111111111", "uzbekistan", "tashkent123",
})


def normalise_email(value: str) -> str:
    """The one form an address is stored and looked up in (so registration and login agree, for
    internationalised domains too). Text that cannot be an address comes back as ""."""
    value = (value or "").strip()
    if not value or "\x00" in value or len(value) > 254:
        return ""
    try:
        return _validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return value.lower()


def validate_email_address(value: str, field: str = "email") -> str:
    raw = (value or "").strip()
    if not raw:
        raise RuleViolation(field, _l("Enter your e-mail address."))
    if "\x00" in raw:
        raise RuleViolation(field, _l("This is not a valid e-mail address: it contains a NUL character."))
    value = raw.lower()
    if len(value) > 254:
        raise RuleViolation(field, _l("This e-mail address is too long (254 characters at most)."))
    try:
        result = _validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise RuleViolation(field, _l("This is not a valid e-mail address: %(reason)s", reason=str(exc))) from None
    return result.normalized.lower()


def validate_password_strength(password: str, *, email: str = "", name: str = "", field: str = "password") -> None:
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise RuleViolation(field, _l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise RuleViolation(field, _l("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH))
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        raise RuleViolation(field, _l("This password is too easy to guess. Mix words, numbers and symbols."))
    local = email.split("@", 1)[0].lower() if email else ""
    if (local and len(local) >= 4 and local in lowered) or (name and name.strip().lower() == lowered):
        raise RuleViolation(field, _l("The password must not contain your e-mail address or name."))


def validate_locale(code: str | None, field: str = "locale") -> str:
    if code not in current_app.config["LANGUAGES"]:
        raise RuleViolation(
            field,
            _l("Unknown language “%(code)s”. Choose one of: %(choices)s.",
               code=str(code)[:20], choices=", ".join(current_app.config["LANGUAGES"])),
        )
    return code


def validate_timezone(name: str | None, field: str = "timezone") -> str:
    if not name or not is_valid_zone(name):
        raise RuleViolation(field, _l("Unknown time zone “%(name)s”.", name=str(name)[:64]))
    return name


def validate_name(name: str | None, field: str = "name") -> str:
    name = (name or "").strip()
    if "\x00" in name:
        raise RuleViolation(field, _l("This text contains a NUL character, which is not allowed."))
    if not name:
        raise RuleViolation(field, _l("Enter your name."))
    if len(name) > 120:
        raise RuleViolation(field, _l("Use at most %(n)d characters.", n=120))
    return name
