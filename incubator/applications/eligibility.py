"""A program's eligibility rules are data; here they are checked against a startup, with reasons.

Rules: {"rule": "women_led"}, {"rule": "founder_age", "min": 14, "max": 30},
{"rule": "regions", "allowed": [...]}, {"rule": "countries", "allowed": ["UZ", "KZ"]}."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from incubator.startups.labels import country_label, region_label
from incubator.startups.models import Gender


@dataclass
class RuleResult:
    rule: str
    passed: bool
    label: str
    reason: str

    def as_dict(self) -> dict:
        return {"rule": self.rule, "passed": self.passed, "label": self.label, "reason": self.reason}


def _women_led(rule, startup, season) -> RuleResult:
    ok = any(m.gender == Gender.FEMALE for m in startup.members)
    return RuleResult("women_led", ok, str(_l("At least one woman founder in the team")),
                      "" if ok else str(_l("Add the women on your team with their gender in the team list.")))


def _founder_age(rule, startup, season) -> RuleResult:
    low, high = int(rule.get("min", 0)), int(rule.get("max", 200))
    year = season.opens_at.astimezone(season.tz).year
    label = str(_l("Founders aged %(min)d to %(max)d", min=low, max=high))
    if not startup.members:
        return RuleResult("founder_age", False, label, str(_l("Add your team members with their year of birth.")))
    unknown = [m.name for m in startup.members if not m.birth_year]
    if unknown:
        return RuleResult("founder_age", False, label,
                          str(_l("Add the year of birth of: %(names)s.", names=", ".join(unknown))))
    outside = [f"{m.name} ({year - m.birth_year})" for m in startup.members if not low <= year - m.birth_year <= high]
    if outside:
        return RuleResult("founder_age", False, label,
                          str(_l("Outside the age range in %(year)d: %(names)s.", year=year, names=", ".join(outside))))
    return RuleResult("founder_age", True, label, "")


def _regions(rule, startup, season) -> RuleResult:
    allowed = list(rule.get("allowed") or [])
    ok = startup.region in allowed
    names = ", ".join(region_label(code) for code in allowed)
    return RuleResult("regions", ok, str(_l("Startups from: %(list)s", list=names)),
                      "" if ok else str(_l("Your startup's region is not one of them.")))


def _countries(rule, startup, season) -> RuleResult:
    allowed = list(rule.get("allowed") or [])
    ok = startup.country in allowed
    names = ", ".join(country_label(code) for code in allowed)
    return RuleResult("countries", ok, str(_l("Startups from: %(list)s", list=names)),
                      "" if ok else str(_l("Your startup's country is not one of them.")))


CHECKS = {"women_led": _women_led, "founder_age": _founder_age, "regions": _regions, "countries": _countries}


def check_eligibility(program, startup, season) -> list[RuleResult]:
    results = []
    for rule in program.eligibility_rules or []:
        check = CHECKS.get(rule.get("rule"))
        if check is not None:
            results.append(check(rule, startup, season))
    return results


def failures(results: list[RuleResult]) -> dict[str, list[str]]:
    return {f"eligibility.{r.rule}": [f"{r.label}: {r.reason}"] for r in results if not r.passed}
