"""`is_eligible` (the season report counts eligible applications with it) agrees with
`check_eligibility` (what founders are shown) on every rule and every kind of team."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import product
from zoneinfo import ZoneInfo

from incubator.applications.eligibility import check_eligibility, is_eligible
from incubator.startups.models import Gender


@dataclass
class Member:
    name: str
    gender: Gender
    birth_year: int | None


@dataclass
class Startup:
    region: str | None
    country: str
    members: list[Member] = field(default_factory=list)


@dataclass
class Program:
    eligibility_rules: list


class Season:
    opens_at = datetime(2024, 12, 31, 20, 0, tzinfo=UTC)  # already 2025 in Tashkent
    tz = ZoneInfo("Asia/Tashkent")


RULES = [
    [],
    [{"rule": "women_led"}],
    [{"rule": "founder_age", "min": 18, "max": 30}],
    [{"rule": "founder_age"}],
    [{"rule": "regions", "allowed": ["andijan", "bukhara"]}],
    [{"rule": "countries", "allowed": ["UZ"]}],
    [{"rule": "women_led"}, {"rule": "founder_age", "min": 14, "max": 35}, {"rule": "countries", "allowed": ["UZ"]}],
    [{"rule": "unknown"}],
]
TEAMS = [
    [],
    [Member("A", Gender.FEMALE, 2000)],
    [Member("B", Gender.MALE, 1995), Member("C", Gender.UNDISCLOSED, 2007)],
    [Member("D", Gender.MALE, None)],
    [Member("E", Gender.FEMALE, 1994), Member("F", Gender.MALE, 1990)],
    [Member("G", Gender.FEMALE, 0)],
]


def test_is_eligible_agrees_with_the_checks(app):
    season = Season()
    for rules, team, region, country in product(RULES, TEAMS, ["andijan", "fergana", None], ["UZ", "KZ"]):
        startup = Startup(region, country, team)
        program = Program(rules)
        expected = all(result.passed for result in check_eligibility(program, startup, season))
        assert is_eligible(program, startup, season) is expected, (rules, team, region, country)
