"""Who applied and who was selected: by region (the 14 regions in their fixed order), sector, stage of
the startup, women-led, and founders' age band; every table passes through small-cell suppression
(incubator.reports.figures_suppression).

Applied = submitted applications (withdrawn after submission included); selected = accepted ones.
Age bands count founders (team members) of those applications instead: a person's age is a fact of a
person, and a team has several. Everything is read from the startups' profiles as they are now."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from flask_babel import gettext as _

from incubator.applications.states import Status
from incubator.reports.figures_common import AppFacts, SeasonData
from incubator.reports.figures_suppression import suppress
from incubator.reports.figures_types import DemographicRow, DemographicTable
from incubator.startups.labels import REGION_LABELS, SECTOR_LABELS, STAGE_LABELS
from incubator.startups.models import REGIONS, SECTORS, StartupStage

OTHER = "other"
# (key, lowest age, highest age); None = open-ended.
AGE_BANDS = (("under_18", None, 17), ("18-24", 18, 24), ("25-29", 25, 29), ("30-34", 30, 34),
             ("35-44", 35, 44), ("45_plus", 45, None))
UNKNOWN_AGE = "unknown"


def age_band(age: int | None) -> str:
    if age is None:
        return UNKNOWN_AGE
    for key, low, high in AGE_BANDS:
        if (low is None or age >= low) and (high is None or age <= high):
            return key
    return UNKNOWN_AGE


def age_label(key: str) -> str:
    return {"under_18": _("Under 18"), "45_plus": _("45 and over"), UNKNOWN_AGE: _("Not given")}.get(key, key)


def is_women_led(app: AppFacts) -> bool:
    return app.startup.women_led


def _table(key: str, title: str, order: list[tuple[str, str]], applied: Iterable[str], selected: Iterable[str],
           *, keep_other: bool = True) -> DemographicTable:
    """Count the keys into the rows of `order` (anything unknown into an "other" row, listed only
    when it is not empty), then suppress small cells."""
    known = {k for k, _label in order}
    counts_a: dict[str, int] = {}
    counts_s: dict[str, int] = {}
    for value in applied:
        value = value if value in known else OTHER
        counts_a[value] = counts_a.get(value, 0) + 1
    for value in selected:
        value = value if value in known else OTHER
        counts_s[value] = counts_s.get(value, 0) + 1
    rows = list(order)
    if keep_other and (counts_a.get(OTHER) or counts_s.get(OTHER)):
        rows.append((OTHER, _("Other or not given")))
    cells = suppress([counts_a.get(k, 0) for k, _l in rows], [counts_s.get(k, 0) for k, _l in rows])
    return DemographicTable(
        key=key, title=title,
        rows=[DemographicRow(key=k, label=label, applied=a, selected=s) for (k, label), (a, s) in zip(rows, cells, strict=True)],
        applied_total=sum(counts_a.values()), selected_total=sum(counts_s.values()))


def demographics(data: SeasonData) -> list[DemographicTable]:
    applied = [app for app in data.apps if app.submitted_at is not None]
    selected = [app for app in applied if app.status == Status.ACCEPTED]

    def by(attr: Callable[[AppFacts], str | None]):
        return [attr(a) for a in applied], [attr(a) for a in selected]

    tables = []
    regions = [(code, str(REGION_LABELS[code])) for code in REGIONS]
    tables.append(_table("region", _("Region"), regions, *by(lambda a: a.startup.region)))
    sectors = [(code, str(SECTOR_LABELS[code])) for code in SECTORS]
    tables.append(_table("sector", _("Sector"), sectors, *by(lambda a: a.startup.sector)))
    stages = [(s.value, str(STAGE_LABELS[s.value])) for s in StartupStage]
    tables.append(_table("startup_stage", _("Stage of the startup"), stages, *by(lambda a: a.startup.stage)))
    women = [("women_led", _("Women-led")), ("not_women_led", _("Not women-led"))]
    tables.append(_table("women_led", _("Women-led teams"), women,
                         *by(lambda a: "women_led" if is_women_led(a) else "not_women_led"), keep_other=False))

    year = data.season.opens_at.astimezone(data.season.tz).year

    def founders(apps: list[AppFacts]) -> list[str]:
        return [age_band(year - m.birth_year if m.birth_year else None) for a in apps for m in a.startup.members]

    bands = [(key, age_label(key)) for key, _low, _high in AGE_BANDS] + [(UNKNOWN_AGE, age_label(UNKNOWN_AGE))]
    tables.append(_table("age_band", _("Founders by age in %(year)d", year=year), bands,
                         founders(applied), founders(selected), keep_other=False))
    return tables
