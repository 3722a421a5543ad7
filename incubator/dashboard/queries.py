"""The program dashboard's reads: grouped aggregates over all the program's seasons at once, so the
number of queries does not grow with the seasons, the applications or the outcomes."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import and_, case, exists, func, or_, select

from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.extensions import db
from incubator.outcomes.models import Outcome
from incubator.programs.models import Season
from incubator.selection.models import Offer, OfferStatus
from incubator.startups.models import Gender, Startup, TeamMember

_CONFIRMED = and_(Application.status == Status.ACCEPTED,
                  or_(Offer.id.is_(None), Offer.status == OfferStatus.CONFIRMED))


def program_seasons(program_id: int) -> list[Season]:
    """Every season of the program, drafts included, oldest opening first."""
    return list(db.session.scalars(select(Season).where(Season.program_id == program_id)
                                   .order_by(Season.opens_at, Season.id)).unique())


def funnel_counts(season_ids: list[int]) -> dict[int, tuple[int, int, int, int]]:
    """season id -> (applications, submitted, selected, confirmed): one grouped query."""
    if not season_ids:
        return {}
    stmt = (select(Application.season_id, func.count(Application.id), func.count(Application.submitted_at),
                   func.sum(case((Application.status == Status.ACCEPTED, 1), else_=0)),
                   func.sum(case((_CONFIRMED, 1), else_=0)))
            .outerjoin(Offer, Offer.application_id == Application.id)
            .where(Application.season_id.in_(season_ids))
            .group_by(Application.season_id))
    return {season_id: (int(a or 0), int(s or 0), int(sel or 0), int(c or 0))
            for season_id, a, s, sel, c in db.session.execute(stmt)}


def confirmed_applications(season_ids: list[int]) -> dict[int, int]:
    """The startups the seasons took in: application id -> season id (one query)."""
    if not season_ids:
        return {}
    stmt = (select(Application.id, Application.season_id)
            .outerjoin(Offer, Offer.application_id == Application.id)
            .where(Application.season_id.in_(season_ids), _CONFIRMED))
    return dict(db.session.execute(stmt).all())


def outcome_rows(season_ids: list[int]) -> dict[int, list[tuple]]:
    """season id -> outcome rows as incubator.outcomes.totals.figures_from reads them (one query)."""
    by_season: dict[int, list[tuple]] = defaultdict(list)
    if not season_ids:
        return by_season
    stmt = select(Outcome.season_id, Outcome.application_id, Outcome.kind, Outcome.amount, Outcome.currency,
                  Outcome.occurred_on, Outcome.jobs).where(Outcome.season_id.in_(season_ids))
    for season_id, *row in db.session.execute(stmt):
        by_season[season_id].append(tuple(row))
    return by_season


def share_counts(season_ids: list[int]) -> list[tuple[str | None, str, bool, int, int]]:
    """(region, country, women-led, submitted applications, accepted applications), grouped (one query).
    Women-led: at least one woman in the team, as the programs' eligibility rule says."""
    if not season_ids:
        return []
    women_led = exists().where(TeamMember.startup_id == Startup.id, TeamMember.gender == Gender.FEMALE)
    inner = (select(Startup.region.label("region"), Startup.country.label("country"),
                    women_led.label("women_led"),
                    case((Application.status == Status.ACCEPTED, 1), else_=0).label("selected"))
             .select_from(Application).join(Startup, Startup.id == Application.startup_id)
             .where(Application.season_id.in_(season_ids), Application.submitted_at.is_not(None))
             .subquery())
    stmt = (select(inner.c.region, inner.c.country, inner.c.women_led, func.count(), func.sum(inner.c.selected))
            .group_by(inner.c.region, inner.c.country, inner.c.women_led))
    return [(region, country or "UZ", bool(women), int(applied or 0), int(selected or 0))
            for region, country, women, applied, selected in db.session.execute(stmt)]
