"""The season's funnel and the time from submission to decision (see incubator.reports.figures for
the definitions of each step)."""
from __future__ import annotations

import statistics

from flask_babel import gettext as _
from sqlalchemy import func, select

from incubator.applications.eligibility import is_eligible
from incubator.applications.states import Status
from incubator.extensions import db
from incubator.reports.figures_common import AppFacts, SeasonData, ratio, rounded
from incubator.reports.figures_types import FunnelStep
from incubator.selection.models import Offer, OfferStatus, WaitlistEntry

SIDE_BRANCHES = ("waitlisted",)  # steps beside the main line: no rate, and not the next step's base


def eligible_count(data: SeasonData, apps: list[AppFacts]) -> int:
    """How many of these applications' startups meet the program's rules now (the same rules as
    incubator.applications.eligibility.check_eligibility, checked without writing out their texts)."""
    program, season = data.season.program, data.season
    if not program.eligibility_rules:
        return len(apps)
    return sum(1 for app in apps if is_eligible(program, app.startup, season))


def offer_counts(season_id: int) -> tuple[int, int, set[int]]:
    """(offers made, offers confirmed, application ids with an offer)."""
    rows = db.session.execute(select(Offer.application_id, Offer.status).where(Offer.season_id == season_id)).all()
    confirmed = sum(1 for _app, status in rows if status == OfferStatus.CONFIRMED)
    return len(rows), confirmed, {app_id for app_id, _status in rows}


def waitlisted_count(season_id: int) -> int:
    return db.session.scalar(select(func.count(func.distinct(WaitlistEntry.application_id)))
                             .where(WaitlistEntry.season_id == season_id)) or 0


def confirmed_count(data: SeasonData, confirmed_offers: int, offered_ids: set[int]) -> int:
    """Startups the season took in: confirmed offers, plus accepted applications without an offer."""
    return confirmed_offers + sum(1 for app in data.apps
                                  if app.status == Status.ACCEPTED and app.id not in offered_ids)


def funnel(data: SeasonData, reviewed: dict[int, set[int]], locale: str) -> tuple[list[FunnelStep], int]:
    """The steps in order, and the number of startups confirmed (for the outcomes). `reviewed`: stage
    id -> applications with at least one submitted review (of an active assignment) there."""
    apps = data.apps
    submitted = [app for app in apps if app.submitted_at is not None]
    eligible = eligible_count(data, submitted)
    position = data.stage_position
    offered, confirmed_offers, offered_ids = offer_counts(data.season.id)
    confirmed = confirmed_count(data, confirmed_offers, offered_ids)

    counts: list[tuple[str, str, int]] = [
        ("started", _("Applications started"), len(apps)),
        ("submitted", _("Submitted"), len(submitted)),
        ("eligible", _("Eligible"), eligible),
    ]
    for i, stage in enumerate(data.stages):
        name = stage.name_in(locale)
        counts.append((f"reviewed:{stage.position}", _("Reviewed at %(stage)s", stage=name), len(reviewed.get(stage.id, ()))))
        if i + 1 < len(data.stages):
            following = data.stages[i + 1].position
            advanced = sum(1 for app in apps if position.get(app.current_stage_id, -1) >= following)
            counts.append((f"advanced:{stage.position}", _("Advanced from %(stage)s", stage=name), advanced))
        else:
            advanced = sum(1 for app in apps
                           if app.status == Status.ACCEPTED and app.current_stage_id == stage.id)
            counts.append((f"advanced:{stage.position}", _("Selected at %(stage)s", stage=name), advanced))
    counts += [
        ("waitlisted", _("Waitlisted"), waitlisted_count(data.season.id)),
        ("offered", _("Offered a place"), offered),
        ("confirmed", _("Confirmed their place"), confirmed),
    ]

    steps = []
    base: int | None = None
    for key, label, count in counts:
        if key in SIDE_BRANCHES:
            steps.append(FunnelStep(key=key, label=label, count=count, rate_from_previous=None))
            continue
        steps.append(FunnelStep(key=key, label=label, count=count,
                                rate_from_previous=None if base is None else ratio(count, base)))
        base = count
    return steps, confirmed


def median_days_to_decision(data: SeasonData) -> float | None:
    """Median days from submission to the final decision (accepted or rejected)."""
    days = [(app.decided_at - app.submitted_at).total_seconds() / 86400 for app in data.apps
            if app.submitted_at and app.decided_at and app.status in (Status.ACCEPTED, Status.REJECTED)]
    return rounded(statistics.median(days), 1) if days else None
