"""The dashboard's shares use the season report's small-cell rule (tested on its own in
tests/unit/test_report_suppression.py): no count from fewer than 5 people, none that a total gives away."""
from __future__ import annotations

from incubator.dashboard.shares import share_tables
from incubator.reports.figures_suppression import suppress


def test_tables_from_grouped_counts():
    regions, women = share_tables([
        ("andijan", "UZ", True, 12, 5), ("andijan", "UZ", False, 20, 6), ("bukhara", "UZ", False, 4, 1),
        (None, "KZ", True, 6, 0), (None, "UZ", False, 2, 0),
    ])
    rows = {r.key: r for r in regions.rows}
    assert list(rows)[:14] == ["andijan", "bukhara", "fergana", "jizzakh", "kashkadarya", "khorezm", "namangan",
                               "navoiy", "samarkand", "surkhandarya", "syrdarya", "tashkent_region", "tashkent_city",
                               "karakalpakstan"]
    assert rows["andijan"].applied.count == 32 and rows["country:KZ"].applied.count == 6
    assert rows["bukhara"].applied.suppressed and rows["unknown"].applied.suppressed
    # Bukhara's 1 selected (and Unknown's 0, from 2 people) would follow from the total 12 minus
    # Andijan's 11: Andijan's selected count is hidden too.
    assert rows["bukhara"].selected.suppressed and rows["unknown"].selected.suppressed
    assert rows["andijan"].selected.suppressed and rows["andijan"].selected.share is None
    assert rows["fergana"].applied.count == 0  # nobody: nothing to give away
    assert (regions.applied_total, regions.selected_total) == (44, 12)
    by_key = {r.key: r for r in women.rows}
    assert by_key["women_led"].applied.count == 18 and by_key["not_women_led"].applied.count == 26
    assert by_key["women_led"].selected.count == 5 and by_key["not_women_led"].selected.count == 7
    assert by_key["women_led"].applied.share == round(18 / 44, 4)


def test_the_same_rule_as_the_report():
    applied, selected = [32, 4, 0, 6, 2], [11, 1, 0, 0, 0]
    regions, _ = share_tables([(key, "UZ", False, a, s) for key, a, s in zip(
        ["andijan", "bukhara", "fergana", "jizzakh", "khorezm"], applied, selected, strict=True)])
    counts = {key: (a, s) for key, a, s in zip(["andijan", "bukhara", "fergana", "jizzakh", "khorezm"], applied,
                                                selected, strict=True)}
    column = [counts.get(r.key, (0, 0)) for r in regions.rows]
    assert [(r.applied, r.selected) for r in regions.rows] == suppress([a for a, _ in column], [s for _, s in column])
    assert regions.rows[1].applied.suppressed and regions.rows[0].selected.suppressed
