"""What every part of the season report's figures reads: the season's applications with their
startup facts and team members, loaded once in two queries, and the rounding rules.

Rounding: ratios (conversion rates, shares, completion, on-time rates) to 4 decimals, scores to 3
(the leaderboard's precision), days to 1; always half away from zero, as spreadsheets do."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from incubator.applications.models import Application
from incubator.extensions import db
from incubator.programs.models import Season, Stage
from incubator.startups.models import Gender, Startup, TeamMember


def rounded(value: float | None, places: int) -> float | None:
    if value is None:
        return None
    return float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def ratio(part: int, whole: int) -> float | None:
    """part / whole to 4 decimals; None when there is nothing to divide by."""
    return rounded(part / whole, 4) if whole else None


def score(value: float | None) -> float | None:
    return rounded(value, 3)


def nearest_point(value: float) -> int:
    """A score rounded to the nearest whole point, halves up."""
    return int(Decimal(repr(float(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class Member:
    """A team member as the eligibility checks and the age bands read one."""

    name: str
    gender: object
    birth_year: int | None


@dataclass(slots=True)
class StartupFacts:
    """Duck-types a Startup for incubator.applications.eligibility.check_eligibility."""

    id: int
    name: str
    region: str | None
    country: str
    sector: str
    stage: str
    members: list[Member]
    women_led: bool = False  # at least one woman in the team


@dataclass(frozen=True, slots=True)
class AppFacts:
    id: int
    status: str
    current_stage_id: int | None
    submitted_at: datetime | None
    decided_at: datetime | None
    startup: StartupFacts


@dataclass
class SeasonData:
    season: Season
    stages: list[Stage]          # by position
    apps: list[AppFacts]         # by id

    @property
    def stage_position(self) -> dict[int, int]:
        return {stage.id: stage.position for stage in self.stages}


def load_season(season: Season) -> SeasonData:
    """Every application of the season with its startup and team, and the stages with their
    criteria: four queries."""
    stmt = (select(Application.id, Application.status, Application.current_stage_id, Application.submitted_at,
                   Application.decided_at, Startup.id, Startup.name, Startup.region, Startup.country,
                   Startup.sector, Startup.stage)
            .join(Startup, Startup.id == Application.startup_id)
            .where(Application.season_id == season.id).order_by(Application.id))
    connection = db.session.connection()  # plain rows: no ORM bookkeeping for tens of thousands of them
    rows = connection.execute(stmt).all()
    startup_ids = select(Application.startup_id).where(Application.season_id == season.id)
    members: dict[int, list[Member]] = {}
    for startup_id, name, gender, birth_year in connection.execute(
            select(TeamMember.startup_id, TeamMember.name, TeamMember.gender, TeamMember.birth_year)
            .where(TeamMember.startup_id.in_(startup_ids)).order_by(TeamMember.id)).all():
        members.setdefault(startup_id, []).append(Member(name, gender, birth_year))
    startups: dict[int, StartupFacts] = {}
    apps = []
    for app_id, status, stage_id, submitted, decided, s_id, name, region, country, sector, st_stage in rows:
        startup = startups.get(s_id)
        if startup is None:
            team = members.get(s_id, [])
            startup = startups[s_id] = StartupFacts(s_id, name, region, country, sector,
                                                    getattr(st_stage, "value", st_stage), team,
                                                    any(m.gender == Gender.FEMALE for m in team))
        apps.append(AppFacts(app_id, getattr(status, "value", status), stage_id, submitted, decided, startup))
    stages = list(db.session.scalars(select(Stage).where(Stage.season_id == season.id)
                                     .options(selectinload(Stage.criteria)).order_by(Stage.position)))
    return SeasonData(season=season, stages=stages, apps=apps)
