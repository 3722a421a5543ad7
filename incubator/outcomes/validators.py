"""The rules of an outcome, shared by the form, the API and the CSV import.

`check_outcome` reads one outcome (a mapping of raw values: text from a form or a CSV cell, or JSON
values) and returns the cleaned column values with every broken rule by field, without raising, so
the import can check ten thousand rows in one pass. `clean_outcome` raises them as one RuleViolation.

Per kind (a field another kind uses must stay empty):
- product:    occurred_on (required), link (optional, http or https)
- investment: investor, amount > 0, currency (UZS or USD), occurred_on (all required); round (optional)
- grant:      name, result (required); amount with currency, occurred_on (optional)
- jobs:       jobs (a whole number >= 0), occurred_on (required)
Every kind takes a note. Dates are YYYY-MM-DD, not before the season opened (its first day in its own
time zone) and not in the future; amounts are decimals with at most 2 places, never negative."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from incubator.core.errors import RuleViolation
from incubator.core.timeutil import utcnow
from incubator.outcomes.models import CURRENCIES, OutcomeKind

LIMITS = {"link": 300, "investor": 200, "round": 60, "name": 200, "result": 200, "note": 2000}
TEXT_FIELDS = ("link", "investor", "round", "name", "result", "note")
FIELDS = ("kind", "occurred_on", "link", "investor", "amount", "currency", "round", "name", "result", "jobs", "note")
AMOUNT_MAX = Decimal("1e16")  # Numeric(20, 2) holds 18 digits before the point; no outcome comes close
JOBS_MAX = 1_000_000
AMOUNT_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SPACES = dict.fromkeys(map(ord, " \u00a0\u202f\u2009'_"), None)  # thousands separators people type

REQUIRED, OPTIONAL = "required", "optional"
KIND_FIELDS: dict[OutcomeKind, dict[str, str]] = {
    OutcomeKind.PRODUCT: {"occurred_on": REQUIRED, "link": OPTIONAL},
    OutcomeKind.INVESTMENT: {"investor": REQUIRED, "amount": REQUIRED, "currency": REQUIRED,
                             "occurred_on": REQUIRED, "round": OPTIONAL},
    OutcomeKind.GRANT: {"name": REQUIRED, "result": REQUIRED, "amount": OPTIONAL, "currency": OPTIONAL,
                        "occurred_on": OPTIONAL},
    OutcomeKind.JOBS: {"jobs": REQUIRED, "occurred_on": REQUIRED},
}
KIND_LABELS = {OutcomeKind.PRODUCT: _l("Product developed"), OutcomeKind.INVESTMENT: _l("Investment"),
               OutcomeKind.GRANT: _l("Grant or competition"), OutcomeKind.JOBS: _l("Jobs created")}
FIELD_LABELS = {"kind": _l("Kind"), "occurred_on": _l("Date"), "link": _l("Link"), "investor": _l("Investor"),
                "amount": _l("Amount"), "currency": _l("Currency"), "round": _l("Round"),
                "name": _l("Grant or competition"), "result": _l("Result"), "jobs": _l("Jobs created"),
                "note": _l("Note")}


@dataclass(frozen=True)
class Window:
    """The dates an outcome of a season may carry: from the season's first day to today (its zone)."""

    first: date
    today: date

    @classmethod
    def of(cls, season) -> Window:
        tz = season.tz
        return cls(first=season.opens_at.astimezone(tz).date(), today=utcnow().astimezone(tz).date())


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_kind(value) -> OutcomeKind | None:
    if isinstance(value, OutcomeKind):
        return value
    if isinstance(value, str) and value.strip().lower() in set(OutcomeKind):
        return OutcomeKind(value.strip().lower())
    return None


def parse_date(value, window: Window | None, errors: dict, field: str = "occurred_on") -> date | None:
    if isinstance(value, date) and not hasattr(value, "hour"):
        day = value
    elif isinstance(value, str) and DATE_RE.match(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            return _fail(errors, field, _l("This day does not exist: check the month and the day."))
    else:
        return _fail(errors, field, _l("Give the date as YYYY-MM-DD, like 2025-06-30."))
    if window is not None and day < window.first:
        return _fail(errors, field, _l("The date is before the season started on %(day)s: outcomes count from "
                                       "the season's start.", day=window.first.isoformat()))
    if window is not None and day > window.today:
        return _fail(errors, field, _l("The date is in the future: record an outcome once it has happened "
                                       "(today is %(day)s).", day=window.today.isoformat()))
    if window is None and not 2000 <= day.year <= 2100:
        return _fail(errors, field, _l("Give a date between the years 2000 and 2100."))
    return day


def parse_amount(value, errors: dict, field: str = "amount", *, places: int = 2,
                 bound: Decimal = AMOUNT_MAX, positive=None) -> Decimal | None:
    """A positive decimal from a decimal string (or a whole number); floats are refused (money is exact)."""
    if isinstance(value, bool) or isinstance(value, float):
        return _fail(errors, field, _l("Give the amount as a decimal string, like \"20000.00\"."))
    if isinstance(value, (int, Decimal)):
        text = format(value, "f") if isinstance(value, Decimal) else str(value)
    elif isinstance(value, str):
        text = value.strip().translate(SPACES)
    else:
        return _fail(errors, field, _l("Give the amount as a decimal string, like \"20000.00\"."))
    if "," in text:
        return _fail(errors, field, _l("Write the amount with a dot for decimals and no commas, like 20000.00."))
    if not AMOUNT_RE.match(text):
        return _fail(errors, field, _l("Enter an amount in digits, like 20000.00."))
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern lets through only what Decimal reads
        return _fail(errors, field, _l("Enter an amount in digits, like 20000.00."))
    if positive is not None and number <= 0:
        return _fail(errors, field, positive)
    if number < 0:
        return _fail(errors, field, _l("The amount cannot be negative."))
    if number == 0:
        return _fail(errors, field, _l("Enter an amount above zero."))
    if number >= bound:
        return _fail(errors, field, _l("This amount is too large."))
    if number != number.quantize(Decimal(1).scaleb(-places)):
        return _fail(errors, field, _l("Use at most %(n)d decimal places.", n=places))
    return number.quantize(Decimal(1).scaleb(-places))


def parse_currency(value, errors: dict, field: str = "currency", allowed=CURRENCIES) -> str | None:
    code = value.strip().upper() if isinstance(value, str) else None
    if code not in allowed:
        shown = value.strip()[:12] if isinstance(value, str) else str(value)[:12]
        return _fail(errors, field, _l("Unknown currency “%(code)s”: use %(codes)s.", code=shown,
                                       codes=_or(allowed)))
    return code


def parse_jobs(value, errors: dict, field: str = "jobs") -> int | None:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        return _fail(errors, field, _l("Enter a whole number of jobs, like 12."))
    try:
        number = int(value.strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError, OverflowError):
        return _fail(errors, field, _l("Enter a whole number of jobs, like 12."))
    if number < 0:
        return _fail(errors, field, _l("The number of jobs cannot be negative."))
    if number > JOBS_MAX:
        return _fail(errors, field, _l("Enter at most %(n)d jobs.", n=JOBS_MAX))
    return number


def parse_text(value, errors: dict, field: str) -> str | None:
    if not isinstance(value, str):
        return _fail(errors, field, _l("Write text here."))
    text = value.strip().replace("\r\n", "\n")
    if "\x00" in text:
        return _fail(errors, field, _l("This text contains a NUL character, which is not allowed."))
    if len(text) > LIMITS[field]:
        return _fail(errors, field, _l("Use at most %(n)d characters.", n=LIMITS[field]))
    if field == "link":
        parts = urlsplit(text)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in text):
            return _fail(errors, field, _l("Give a web address starting with http:// or https://."))
    return text


def check_outcome(data, window: Window | None) -> tuple[dict, dict[str, list[str]]]:
    """(column values, errors by field) for one outcome; a None window skips the season's dates."""
    errors: dict[str, list[str]] = {}
    raw_kind = data.get("kind")
    kind = parse_kind(raw_kind)
    values: dict = {name: None for name in FIELDS}
    values["note"] = ""
    if kind is None:
        if blank(raw_kind):
            _fail(errors, "kind", _l("Choose the kind: %(kinds)s.", kinds=", ".join(OutcomeKind)))
        else:
            _fail(errors, "kind", _l("Unknown kind “%(kind)s”: use %(kinds)s.", kind=str(raw_kind)[:40],
                                     kinds=", ".join(OutcomeKind)))
        return values, errors
    values["kind"] = kind
    rules = KIND_FIELDS[kind]
    for name in FIELDS[1:]:
        value = data.get(name)
        rule = rules.get(name, OPTIONAL if name == "note" else None)
        if blank(value):
            if rule == REQUIRED:
                _fail(errors, name, _l("This field is required for %(kind)s.", kind=_kind_name(kind)))
            continue
        if rule is None:
            _fail(errors, name, _l("%(kind)s has no %(field)s: leave it empty.", kind=KIND_LABELS[kind],
                                   field=str(FIELD_LABELS[name]).lower()))
            continue
        values[name] = _parse(name, value, window, errors)
    if kind == OutcomeKind.GRANT and "amount" not in errors and "currency" not in errors:
        if values["amount"] is not None and values["currency"] is None:
            _fail(errors, "currency", _l("Choose the currency of the amount: %(codes)s.", codes=_or(CURRENCIES)))
        elif values["currency"] is not None and values["amount"] is None:
            _fail(errors, "amount", _l("Give the amount too, or leave the currency empty."))
    if values["note"] is None:
        values["note"] = ""
    return values, errors


def clean_outcome(data, window: Window | None) -> dict:
    values, errors = check_outcome(data, window)
    if errors:
        raise RuleViolation(errors=errors)
    return values


def identity(values: dict) -> tuple:
    """What makes two outcomes the same one (a duplicate recorded twice, e.g. a file imported again)."""
    amount = values.get("amount")
    return (values.get("kind"), values.get("occurred_on"), values.get("link"), values.get("investor"),
            None if amount is None else Decimal(amount).quantize(Decimal("0.01")), values.get("currency"),
            values.get("round"), values.get("name"), values.get("result"), values.get("jobs"),
            values.get("note") or "")


def _parse(name: str, value, window: Window | None, errors: dict):
    if name == "occurred_on":
        return parse_date(value, window, errors)
    if name == "amount":
        return parse_amount(value, errors)
    if name == "currency":
        return parse_currency(value, errors)
    if name == "jobs":
        return parse_jobs(value, errors)
    return parse_text(value, errors, name)


def _kind_name(kind: OutcomeKind) -> str:
    return str(KIND_LABELS[kind]).lower()


def _or(codes) -> str:
    codes = list(codes)
    return codes[0] if len(codes) == 1 else ", ".join(codes[:-1]) + " " + str(_l("or")) + " " + codes[-1]


def _fail(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(str(message))
    return None
