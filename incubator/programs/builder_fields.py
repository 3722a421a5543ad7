"""Reading the builder's fields: text, translations, whole numbers, decimals, flags, moments, keys.
Each reader records what is wrong under the field's path in an `Errors` and goes on, so that a
document's every broken rule is reported at once."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import available_timezones

from flask import current_app
from flask_babel import lazy_gettext as _l

from incubator.core.errors import RuleViolation

KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(?:-[a-z0-9_]+)*$")
KEY_MAX = 64
NUMBER_BOUND = Decimal("1e16")  # Numeric(20, 4)


class Errors:
    """Collects field path -> messages, raised together as one RuleViolation."""

    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, path: str, message) -> None:
        self.errors.setdefault(path, []).append(str(message))

    def has(self, path: str) -> bool:
        return path in self.errors

    def raise_if_any(self) -> None:
        if self.errors:
            raise RuleViolation(errors=self.errors)


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    return frozenset(z for z in available_timezones() if "/" in z or z == "UTC")


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text_field(value, path: str, errors: Errors, *, limit: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(path, _l("Write text here."))
        return ""
    value = value.strip().replace("\r\n", "\n")
    if "\x00" in value:
        errors.add(path, _l("This text contains a NUL character, which is not allowed."))
    elif required and not value:
        errors.add(path, _l("This field is required."))
    elif len(value) > limit:
        errors.add(path, _l("Use at most %(n)d characters.", n=limit))
    return value


def translations(value, path: str, errors: Errors, *, limit: int, required: bool = False) -> dict:
    """{"en": ..., "ru": ..., "uz": ...}: known languages only, blanks dropped; required means one at least."""
    if value is None:
        value = {}
    if isinstance(value, str):  # a plain text is the default language's
        value = {"en": value}
    if not isinstance(value, dict):
        errors.add(path, _l("Give the text per language, e.g. {\"en\": \"…\", \"ru\": \"…\", \"uz\": \"…\"}."))
        return {}
    languages = current_app.config["LANGUAGES"]
    clean = {}
    for code, text in value.items():
        if code not in languages:
            errors.add(f"{path}.{code}", _l("Unknown language: use %(codes)s.", codes=", ".join(languages)))
            continue
        text = text_field(text, f"{path}.{code}", errors, limit=limit)
        if text:
            clean[code] = text
    if required and not clean and not any(k.startswith(path + ".") for k in errors.errors):
        errors.add(path, _l("Write it in one language at least."))
    return clean


def int_field(value, path: str, errors: Errors, *, low: int, high: int, default=None, optional: bool = False):
    if blank(value):
        if optional or default is not None:
            return default
        errors.add(path, _l("This field is required."))
        return None
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        number = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError, OverflowError):
        errors.add(path, _l("Enter a whole number."))
        return None
    if not low <= number <= high:
        errors.add(path, _l("Enter a number from %(low)d to %(high)d.", low=low, high=high))
        return None
    return number


def decimal_field(value, path: str, errors: Errors, *, optional: bool = True, places: int = 4):
    if blank(value):
        if not optional:
            errors.add(path, _l("This field is required."))
        return None
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        errors.add(path, _l("Enter a number, like 12 or 3.5."))
        return None
    if not number.is_finite() or abs(number) >= NUMBER_BOUND:
        errors.add(path, _l("Enter a number, like 12 or 3.5."))
        return None
    if number != number.quantize(Decimal(1).scaleb(-places)):
        errors.add(path, _l("Use at most %(n)d decimal places.", n=places))
        return None
    return number


def bool_field(value, path: str, errors: Errors, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on", "false", "0", "no", "off", ""):
        return value.strip().lower() in ("true", "1", "yes", "on")
    errors.add(path, _l("Give true or false."))
    return default


def parse_moment(value, path: str, errors: Errors, *, optional: bool = False) -> datetime | None:
    """An aware datetime, from a datetime or an ISO 8601 text with its offset ("2026-03-01T18:00:00+05:00")."""
    if blank(value):
        if not optional:
            errors.add(path, _l("This field is required."))
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            errors.add(path, _l("Give a date and time in ISO 8601 with its offset, like 2026-03-01T18:00:00+05:00."))
            return None
    if not isinstance(value, datetime):
        errors.add(path, _l("Give a date and time in ISO 8601 with its offset, like 2026-03-01T18:00:00+05:00."))
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        errors.add(path, _l("Give the time zone offset too, like 2026-03-01T18:00:00+05:00."))
        return None
    if not 2000 <= value.year <= 2200:
        errors.add(path, _l("Give a date between the years 2000 and 2200."))
        return None
    return value.astimezone(UTC)


def key_field(value, path: str, errors: Errors) -> str:
    key = value.strip() if isinstance(value, str) else value
    if not isinstance(key, str) or not key or len(key) > KEY_MAX or not KEY_RE.match(key):
        errors.add(path, _l("Use a short key: lower-case letters, digits, “_” and “-”, starting with a letter, "
                            "%(n)d characters at most.", n=KEY_MAX))
        return ""
    return key


def list_field(value, path: str, errors: Errors, limit: int) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.add(path, _l("Give a list."))
        return []
    if len(value) > limit:
        errors.add(path, _l("At most %(n)d items.", n=limit))
        return []
    return value


def mapping_field(value, path: str, errors: Errors) -> dict | None:
    if not isinstance(value, dict):
        errors.add(path, _l("Give an object."))
        return None
    return value
