"""Region and women-led shares of the program's applicants and selected startups, with small cells
suppressed by the season report's rule (incubator.reports.figures_suppression): no count from fewer
than 5 people, and none that a shown total would give away by subtraction."""
from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _

from incubator.reports.figures_suppression import suppress
from incubator.dashboard.types import ShareRow, ShareTable
from incubator.startups.labels import COUNTRY_LABELS, REGION_LABELS
from incubator.startups.models import REGIONS


def _table(key: str, title: str, rows: list[tuple[str, str, int, int]]) -> ShareTable:
    cells = suppress([r[2] for r in rows], [r[3] for r in rows])
    return ShareTable(key=key, title=title,
                      rows=[ShareRow(k, label, a, s) for (k, label, _a, _s), (a, s) in zip(rows, cells, strict=True)],
                      applied_total=sum(r[2] for r in rows), selected_total=sum(r[3] for r in rows))


def share_tables(counts: list[tuple[str | None, str, bool, int, int]]) -> tuple[ShareTable, ShareTable]:
    """From (region, country, women-led, applied, selected) groups: the region table (the 14 regions
    always, then other countries and "not given" when present) and the women-led table."""
    by_place: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_women: dict[bool, list[int]] = defaultdict(lambda: [0, 0])
    for region, country, women, applied, selected in counts:
        place = region if region in REGIONS else (f"country:{country}" if country != "UZ" else "unknown")
        by_place[place][0] += applied
        by_place[place][1] += selected
        by_women[women][0] += applied
        by_women[women][1] += selected
    others = sorted(k for k in by_place if k not in REGIONS)
    rows = []
    for key in [*REGIONS, *others]:
        if key in REGIONS:
            label = str(REGION_LABELS[key])
        elif key.startswith("country:"):
            code = key.split(":", 1)[1]
            label = str(COUNTRY_LABELS.get(code, code))
        else:
            label = _("Not given")
        rows.append((key, label, *by_place.get(key, (0, 0))))
    regions = _table("region", _("Region"), rows)
    women = _table("women_led", _("Women-led teams"), [
        ("women_led", _("Women-led (at least one woman in the team)"), *by_women.get(True, (0, 0))),
        ("not_women_led", _("Not women-led"), *by_women.get(False, (0, 0))),
    ])
    return regions, women
