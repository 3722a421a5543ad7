"""Money and counts over recorded outcomes: per currency as entered, and in UZS where the program's
exchange rates cover the investment's date. Shared by the season report and the program dashboard."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select

from incubator.extensions import db
from incubator.outcomes.models import ExchangeRate, Outcome, OutcomeKind
from incubator.reports.figures_types import MoneyTotal, OutcomeFigures, RateUsed

UZS = "UZS"


def outcome_figures(program_id: int, season_ids: list[int], confirmed: int) -> OutcomeFigures | None:
    """Outcomes of the given seasons of one program; None when none is recorded."""
    if not season_ids:
        return None
    rows = db.session.execute(select(
        Outcome.application_id, Outcome.kind, Outcome.amount, Outcome.currency, Outcome.occurred_on, Outcome.jobs,
    ).where(Outcome.season_id.in_(season_ids))).all()
    if not rows:
        return None
    return figures_from(rows, program_rates(program_id), confirmed)


def program_rates(program_id: int) -> list[ExchangeRate]:
    return list(db.session.scalars(select(ExchangeRate).where(ExchangeRate.program_id == program_id)
                                   .order_by(ExchangeRate.currency, ExchangeRate.valid_from)))


def figures_from(rows, rates: list[ExchangeRate], confirmed: int) -> OutcomeFigures:
    """The figures of outcome rows (application_id, kind, amount, currency, occurred_on, jobs) with
    the program's rates, without touching the database (the dashboard groups one query's rows by season)."""
    developed, funded = set(), set()
    investments = grants = jobs = 0
    totals: dict[str, Decimal] = defaultdict(Decimal)
    total_uzs = Decimal("0")
    unconverted: set[str] = set()
    used: dict[int, ExchangeRate] = {}
    for app_id, kind, amount, currency, occurred_on, job_count in rows:
        if kind == OutcomeKind.PRODUCT:
            developed.add(app_id)
        elif kind == OutcomeKind.GRANT:
            grants += 1
        elif kind == OutcomeKind.JOBS:
            jobs += job_count or 0
        if kind != OutcomeKind.INVESTMENT or amount is None or not currency:
            continue
        investments += 1
        funded.add(app_id)
        totals[currency] += amount
        if currency == UZS:
            total_uzs += amount
            continue
        rate = _rate_for(rates, currency, occurred_on)
        if rate is None:
            unconverted.add(currency)
        else:
            used[rate.id] = rate
            total_uzs += (amount * rate.rate).quantize(Decimal("0.01"))
    return OutcomeFigures(
        confirmed=confirmed, developed=len(developed), funded=len(funded), investments=investments,
        totals=[MoneyTotal(currency=c, amount=totals[c]) for c in sorted(totals, key=lambda c: (c != UZS, c))],
        total_uzs=None if unconverted else total_uzs, unconverted=sorted(unconverted),
        rates_used=[RateUsed(currency=r.currency, rate=r.rate, valid_from=r.valid_from.isoformat(),
                             valid_to=r.valid_to.isoformat()) for r in sorted(used.values(), key=lambda r: r.valid_from)],
        grants=grants, jobs=jobs)


def _rate_for(rates, currency: str, on) -> ExchangeRate | None:
    """The rate covering the date (the latest-starting one when periods overlap)."""
    if on is None:
        return None
    best = None
    for rate in rates:
        if rate.currency == currency and rate.valid_from <= on <= rate.valid_to:
            if best is None or rate.valid_from >= best.valid_from:
                best = rate
    return best


def recorded_application_ids(season_ids: list[int]) -> set[int]:
    return set(db.session.scalars(select(func.distinct(Outcome.application_id))
                                  .where(Outcome.season_id.in_(season_ids))).all()) if season_ids else set()
