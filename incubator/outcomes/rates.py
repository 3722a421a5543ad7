"""Exchange rates a program's managers enter so that totals can be shown in UZS: 1 unit of a currency
(USD) = `rate` UZS for outcomes dated valid_from..valid_to, both days included. Periods of one
currency never overlap, so every date has at most one rate. Callers commit."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from incubator.accounts.policies import can_manage_program
from incubator.core.errors import NotFound, RuleViolation
from incubator.extensions import db
from incubator.outcomes.models import CURRENCIES, ExchangeRate
from incubator.programs.queries import object_for_manager
from incubator.outcomes.validators import blank, parse_amount, parse_currency, parse_date
from incubator.programs.models import Program

BASE = "UZS"
RATE_CURRENCIES = tuple(c for c in CURRENCIES if c != BASE)
RATE_PLACES = 6
RATE_MAX = Decimal("1e12")


def rate_for_manager(user, rate_id) -> ExchangeRate:
    return object_for_manager(user, ExchangeRate, rate_id, lambda r: db.session.get(Program, r.program_id))


def program_rates(program: Program) -> list[ExchangeRate]:
    return list(db.session.scalars(select(ExchangeRate).where(ExchangeRate.program_id == program.id)
                                   .order_by(ExchangeRate.currency, ExchangeRate.valid_from.desc())))


def clean_rate(data) -> dict:
    """currency, rate (UZS per unit, > 0, up to 6 decimals), valid_from <= valid_to; every error at once."""
    errors: dict[str, list[str]] = {}
    values = {}
    if blank(data.get("currency")):
        errors["currency"] = [str(_l("Choose the currency: %(codes)s.", codes=", ".join(RATE_CURRENCIES)))]
    elif isinstance(data.get("currency"), str) and data["currency"].strip().upper() == BASE:
        errors["currency"] = [str(_l("A rate converts another currency into UZS: choose %(codes)s.",
                                     codes=", ".join(RATE_CURRENCIES)))]
    else:
        values["currency"] = parse_currency(data.get("currency"), errors, allowed=RATE_CURRENCIES)
    for name in ("rate", "valid_from", "valid_to"):
        if blank(data.get(name)):
            errors.setdefault(name, []).append(str(_l("This field is required.")))
    if "rate" not in errors:
        values["rate"] = parse_amount(data.get("rate"), errors, "rate", places=RATE_PLACES, bound=RATE_MAX,
                                      positive=_l("A rate is above zero: the UZS one unit of the currency buys."))
    for name in ("valid_from", "valid_to"):
        if name not in errors:
            values[name] = parse_date(data.get(name), None, errors, name)
    if values.get("valid_from") and values.get("valid_to") and values["valid_to"] < values["valid_from"]:
        errors.setdefault("valid_to", []).append(str(_l(
            "The period ends before it starts: choose a last day on or after %(day)s.",
            day=values["valid_from"].isoformat())))
    if errors:
        raise RuleViolation(errors=errors)
    return values


def create_rate(program: Program, data, *, actor) -> ExchangeRate:
    if not can_manage_program(actor, program):
        raise NotFound()
    values = clean_rate(data)
    # One writer per program at a time, so two overlapping periods cannot both pass the check.
    db.session.execute(select(Program.id).where(Program.id == program.id).with_for_update())
    overlapping = db.session.scalar(
        select(ExchangeRate).where(ExchangeRate.program_id == program.id,
                                   ExchangeRate.currency == values["currency"],
                                   ExchangeRate.valid_from <= values["valid_to"],
                                   ExchangeRate.valid_to >= values["valid_from"])
        .order_by(ExchangeRate.valid_from).limit(1))
    if overlapping is not None:
        raise RuleViolation("valid_from", _l(
            "This period overlaps the %(currency)s rate for %(start)s – %(end)s (%(rate)s UZS): change that "
            "period's dates by deleting it, or choose days outside it.",
            currency=overlapping.currency, start=overlapping.valid_from.isoformat(),
            end=overlapping.valid_to.isoformat(), rate=plain_rate(overlapping.rate)))
    rate = ExchangeRate(program_id=program.id, created_by_id=getattr(actor, "id", None), **values)
    db.session.add(rate)
    db.session.flush()
    return rate


def delete_rate(rate: ExchangeRate, *, actor) -> None:
    if not can_manage_program(actor, db.session.get(Program, rate.program_id)):
        raise NotFound()
    db.session.delete(rate)
    db.session.flush()


def plain_rate(value: Decimal) -> str:
    """12650.500000 -> 12650.5"""
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
