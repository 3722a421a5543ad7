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


# --- Whether a rule passes (no text: cheap enough to run over a whole season) ----------------------


def _age_range(rule) -> tuple[int, int]:
    return int(rule.get("min", 0)), int(rule.get("max", 200))


def _women_led_passes(rule, startup, season) -> bool:
    return any(m.gender == Gender.FEMALE for m in startup.members)


def _founder_age_passes(rule, startup, season) -> bool:
    low, high = _age_range(rule)
    year = season.opens_at.astimezone(season.tz).year
    return bool(startup.members) and all(m.birth_year and low <= year - m.birth_year <= high
                                         for m in startup.members)


def _regions_passes(rule, startup, season) -> bool:
    return startup.region in list(rule.get("allowed") or [])


def _countries_passes(rule, startup, season) -> bool:
    return startup.country in list(rule.get("allowed") or [])


PASSES = {"women_led": _women_led_passes, "founder_age": _founder_age_passes, "regions": _regions_passes,
          "countries": _countries_passes}


def is_eligible(program, startup, season) -> bool:
    """Whether the startup meets every rule of the program: exactly when every result of
    `check_eligibility` has passed, without writing out the texts (for counting a whole season)."""
    return all(PASSES[rule.get("rule")](rule, startup, season)
               for rule in program.eligibility_rules or [] if rule.get("rule") in PASSES)


# --- The results, with their texts ---------------------------------------------------------------


def _women_led(rule, startup, season) -> RuleResult:
    ok = _women_led_passes(rule, startup, season)
    return RuleResult("women_led", ok, str(_l("At least one woman founder in the team")),
                      "" if ok else str(_l("Add the women on your team with their gender in the team list.")))


def _founder_age(rule, startup, season) -> RuleResult:
    low, high = _age_range(rule)
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
    ok = _regions_passes(rule, startup, season)
    names = ", ".join(region_label(code) for code in allowed)
    return RuleResult("regions", ok, str(_l("Startups from: %(list)s", list=names)),
                      "" if ok else str(_l("Your startup's region is not one of them.")))


def _countries(rule, startup, season) -> RuleResult:
    allowed = list(rule.get("allowed") or [])
    ok = _countries_passes(rule, startup, season)
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
