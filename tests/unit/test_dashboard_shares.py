"""Small-cell suppression on the dashboard's shares: no count from fewer than 5 people is shown, and a
column never has a single hidden count that its total would give away."""
from __future__ import annotations

from incubator.dashboard.shares import share_tables, suppress
from incubator.reports.figures_types import SUPPRESS_BELOW


def _shown(cells):
    return [None if c.suppressed else c.count for c in cells]


def test_counts_below_five_are_hidden():
    assert SUPPRESS_BELOW == 5
    assert _shown(suppress([10, 4, 0, 7, 5])) == [10, None, None, 7, 5]
    cells = suppress([10, 4, 0, 7, 5])
    assert cells[1].share is None and cells[0].share == 10 / 26


def test_a_single_hidden_count_takes_the_next_smallest_with_it():
    # 4 alone could be worked out as total - 10 - 7 - 6: the 6 is hidden too.
    assert _shown(suppress([10, 4, 7, 6])) == [10, None, 7, None]
    # A single hidden 0 gives nobody away.
    assert _shown(suppress([10, 0, 7])) == [10, None, 7]
    assert _shown(suppress([3])) == [None]


def test_tables_from_grouped_counts():
    regions, women = share_tables([
        ("andijan", "UZ", True, 12, 5), ("andijan", "UZ", False, 20, 6), ("bukhara", "UZ", False, 4, 1),
        (None, "KZ", True, 6, 0), (None, "UZ", False, 2, 0),
    ])
    rows = {r.key: r for r in regions.rows}
    assert list(rows)[:14] == ["andijan", "bukhara", "fergana", "jizzakh", "kashkadarya", "khorezm", "namangan",
                               "navoiy", "samarkand", "surkhandarya", "syrdarya", "tashkent_region", "tashkent_city",
                               "karakalpakstan"]
    assert rows["andijan"].applied.count == 32 and rows["andijan"].selected.count == 11
    assert rows["bukhara"].applied.suppressed and rows["country:KZ"].applied.count == 6
    assert rows["unknown"].applied.suppressed
    assert (regions.applied_total, regions.selected_total) == (44, 12)
    by_key = {r.key: r for r in women.rows}
    assert by_key["women_led"].applied.count == 18 and by_key["not_women_led"].applied.count == 26
    assert by_key["women_led"].selected.count == 5 and by_key["not_women_led"].selected.count == 7
