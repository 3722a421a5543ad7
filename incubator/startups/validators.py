"""Domain rules for startup profiles and team members. Each check raises RuleViolation(field, message);
the clean_* functions run them all and report every broken field at once."""
from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from incubator.accounts.validators import validate_email_address
from incubator.core.errors import RuleViolation
from incubator.core.timeutil import utcnow
from incubator.startups.models import COUNTRIES, REGIONS, SECTORS, Gender, StartupStage

NAME_MAX = 200
PITCH_MAX = 300
DESCRIPTION_MAX = 10_000
WEBSITE_MAX = 300
FOUNDED_MIN_YEAR = 1990
MEMBER_NAME_MAX = 120
ROLE_MAX = 80
BIRTH_YEAR_MIN = 1900  # exclusive: the column's CHECK wants birth_year > 1900

STARTUP_FIELDS = ("name", "pitch", "description", "sector", "region", "country", "stage", "founded_on", "website")
MEMBER_FIELDS = ("name", "email", "role", "gender", "birth_year")

NUL_MESSAGE = _l("This text contains a NUL character, which is not allowed.")


def _text(value, field: str, *, max_len: int, required_message=None, one_line: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise RuleViolation(field, _l("Enter text here."))
    if "\x00" in value:
        raise RuleViolation(field, NUL_MESSAGE)
    value = value.strip()
    if required_message is not None and not value:
        raise RuleViolation(field, required_message)
    if one_line and ("\n" in value or "\r" in value):
        raise RuleViolation(field, _l("Write this on one line."))
    if len(value) > max_len:
        raise RuleViolation(field, _l("Use at most %(n)d characters (this has %(len)d).", n=max_len, len=len(value)))
    return value


def _code(value, field: str) -> str:
    """A coded value as sent (select option, JSON string): stripped, NUL refused."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = getattr(value, "value", str(value))
    if "\x00" in value:
        raise RuleViolation(field, NUL_MESSAGE)
    return value.strip()


def validate_startup_name(value, field: str = "name") -> str:
    return _text(value, field, max_len=NAME_MAX, required_message=_l("Enter the startup's name."))


def validate_pitch(value, field: str = "pitch") -> str:
    return _text(value, field, max_len=PITCH_MAX, one_line=True)


def validate_description(value, field: str = "description") -> str:
    return _text(value, field, max_len=DESCRIPTION_MAX)


def validate_sector(value, field: str = "sector") -> str:
    value = _code(value, field)
    if not value:
        raise RuleViolation(field, _l("Choose the startup's sector."))
    if value not in SECTORS:
        raise RuleViolation(field, _l("Choose a sector from the list."))
    return value


def validate_country(value, field: str = "country") -> str:
    value = _code(value, field).upper() or "UZ"
    if value not in COUNTRIES:
        raise RuleViolation(field, _l("Choose a country from the list: Uzbekistan, Kazakhstan, Kyrgyzstan, "
                                      "Tajikistan or Turkmenistan."))
    return value


def validate_region(value, country: str, field: str = "region") -> str | None:
    """One of the 14 regions for a startup in Uzbekistan; nothing for one elsewhere."""
    value = _code(value, field)
    if country == "UZ":
        if not value:
            raise RuleViolation(field, _l("Choose the region of Uzbekistan where the startup works."))
        if value not in REGIONS:
            raise RuleViolation(field, _l("Choose one of the 14 regions of Uzbekistan from the list."))
        return value
    if value:
        raise RuleViolation(field, _l("Leave the region empty for a startup outside Uzbekistan: "
                                      "the country is enough."))
    return None


def validate_stage(value, field: str = "stage") -> StartupStage:
    value = _code(value, field) or StartupStage.IDEA.value
    try:
        return StartupStage(value)
    except ValueError:
        raise RuleViolation(field, _l("Choose a stage: idea, prototype, MVP or revenue.")) from None


def latest_today() -> date:
    """Today somewhere on Earth (UTC+14): a date a founder anywhere may call "today"."""
    return (utcnow() + timedelta(hours=14)).date()


def validate_founded_on(value, field: str = "founded_on") -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        if "\x00" in value:
            raise RuleViolation(field, NUL_MESSAGE)
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise RuleViolation(field, _l("Enter the date as YYYY-MM-DD, e.g. 2024-03-01.")) from None
    if not isinstance(value, date):
        raise RuleViolation(field, _l("Enter the date as YYYY-MM-DD, e.g. 2024-03-01."))
    if value > latest_today():
        raise RuleViolation(field, _l("The founding date cannot be in the future."))
    if value.year < FOUNDED_MIN_YEAR:
        raise RuleViolation(field, _l("The founding date cannot be before %(year)d.", year=FOUNDED_MIN_YEAR))
    return value


def validate_website(value, field: str = "website") -> str | None:
    """An http(s) address. A bare domain ("paxta.uz") is read as https://paxta.uz."""
    value = _code(value, field)
    if not value:
        return None
    if "://" not in value and ":" not in value.split("/", 1)[0]:
        value = "https://" + value
    bad = _l("Enter the website as a full address starting with http:// or https://, e.g. https://example.uz.")
    if len(value) > WEBSITE_MAX:
        raise RuleViolation(field, _l("Use at most %(n)d characters (this has %(len)d).", n=WEBSITE_MAX,
                                      len=len(value)))
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise RuleViolation(field, bad)
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises ValueError on a malformed port)
    except ValueError:
        raise RuleViolation(field, bad) from None
    if parts.scheme.lower() not in ("http", "https") or not host or "@" in parts.netloc:
        raise RuleViolation(field, bad)
    return value


def _collect(checks) -> tuple[dict, dict[str, list[str]]]:
    clean: dict = {}
    errors: dict[str, list[str]] = {}
    for field, check in checks:
        try:
            clean[field] = check()
        except RuleViolation as exc:
            errors.update(exc.errors)
    return clean, errors


def clean_startup(fields: dict) -> dict:
    """Every field of a startup profile, checked together; RuleViolation names every bad one."""
    unknown = set(fields) - set(STARTUP_FIELDS)
    if unknown:
        raise TypeError(f"unknown startup fields: {sorted(unknown)}")
    clean, errors = _collect([
        ("name", lambda: validate_startup_name(fields.get("name"))),
        ("pitch", lambda: validate_pitch(fields.get("pitch"))),
        ("description", lambda: validate_description(fields.get("description"))),
        ("sector", lambda: validate_sector(fields.get("sector"))),
        ("country", lambda: validate_country(fields.get("country"))),
        ("stage", lambda: validate_stage(fields.get("stage"))),
        ("founded_on", lambda: validate_founded_on(fields.get("founded_on"))),
        ("website", lambda: validate_website(fields.get("website"))),
    ])
    if "country" in clean:
        more, region_errors = _collect([("region", lambda: validate_region(fields.get("region"), clean["country"]))])
        clean.update(more)
        errors.update(region_errors)
    if errors:
        raise RuleViolation(errors=errors)
    return clean


def validate_member_name(value, field: str = "name") -> str:
    return _text(value, field, max_len=MEMBER_NAME_MAX, required_message=_l("Enter the team member's name."))


def validate_member_email(value, field: str = "email") -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise RuleViolation(field, _l("Enter text here."))
    return validate_email_address(value, field)


def validate_role(value, field: str = "role") -> str:
    return _text(value, field, max_len=ROLE_MAX, one_line=True)


def validate_gender(value, field: str = "gender") -> Gender:
    value = _code(value, field) or Gender.UNDISCLOSED.value
    try:
        return Gender(value)
    except ValueError:
        raise RuleViolation(field, _l("Choose female, male or “prefer not to say”.")) from None


def validate_birth_year(value, field: str = "birth_year") -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    this_year = utcnow().year
    message = _l("Enter a year of birth after %(min)d and not later than %(max)d.", min=BIRTH_YEAR_MIN, max=this_year)
    if isinstance(value, bool):
        raise RuleViolation(field, message)
    if isinstance(value, str):
        if "\x00" in value:
            raise RuleViolation(field, NUL_MESSAGE)
        try:
            value = int(value.strip())
        except ValueError:
            raise RuleViolation(field, message) from None
    if not isinstance(value, int) or not BIRTH_YEAR_MIN < value <= this_year:
        raise RuleViolation(field, message)
    return value


def clean_member(fields: dict) -> dict:
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"unknown team member fields: {sorted(unknown)}")
    clean, errors = _collect([
        ("name", lambda: validate_member_name(fields.get("name"))),
        ("email", lambda: validate_member_email(fields.get("email"))),
        ("role", lambda: validate_role(fields.get("role"))),
        ("gender", lambda: validate_gender(fields.get("gender"))),
        ("birth_year", lambda: validate_birth_year(fields.get("birth_year"))),
    ])
    if errors:
        raise RuleViolation(errors=errors)
    return clean
