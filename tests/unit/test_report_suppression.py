"""Small-cell suppression of the report's demographic tables (incubator.reports.figures_suppression):
no count from 1 to 4 is shown, and none can be worked out from a shown total."""
from __future__ import annotations

import random

from incubator.reports.figures_suppression import hide_column, suppress


def counts(cells):
    return [None if c.suppressed else c.count for c in cells]


def test_nothing_small_nothing_hidden():
    assert hide_column([0, 5, 12, 0]) == set()
    rows = suppress([0, 5, 12], [0, 5, 0])
    assert [counts(pair) for pair in zip(*rows, strict=True)] == [[0, 5, 12], [0, 5, 0]]
    assert rows[1][0].share == round(5 / 17, 4)


def test_one_small_cell_hides_the_next_smallest_too():
    # 4 alone could be read off as 21 - 5 - 12; the smallest other non-zero cell (5) goes too
    assert hide_column([4, 5, 12, 0]) == {0, 1}
    # ties: the first in row order
    assert hide_column([5, 4, 5]) == {0, 1}


def test_hidden_cells_that_must_all_be_one_are_not_enough():
    # two hidden cells summing to 2 can only be 1 and 1: hide another
    assert hide_column([1, 1, 9, 7]) == {0, 1, 3}
    assert hide_column([1, 3, 9]) == {0, 1}


def test_zeros_are_hidden_when_nothing_else_is_left():
    assert hide_column([3, 0, 0]) == {0, 1}


def test_the_row_follows_its_applied_cell():
    rows = suppress([4, 6, 7], [0, 2, 5])
    assert counts([a for a, _ in rows]) == [None, None, 7]
    # selected: row 0 hidden with its applied cell (even though it is 0), row 1 is small
    assert counts([s for _, s in rows]) == [None, None, 5]
    assert all(s.share is None for _, s in rows[:2])


def test_random_tables_never_show_a_small_or_derivable_count():
    rng = random.Random(5)
    for _ in range(2000):
        n = rng.randint(1, 8)
        applied = [rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 20]) for _ in range(n)]
        selected = [rng.randint(0, a) for a in applied]
        rows = suppress(applied, selected)
        for column, values in ((0, applied), (1, selected)):
            cells = [pair[column] for pair in rows]
            shown = [c.count for c in cells if not c.suppressed]
            assert all(c == 0 or c >= 5 for c in shown)
            hidden = [i for i, c in enumerate(cells) if c.suppressed]
            if not hidden:
                continue
            # more than one way to fill the hidden cells with non-negative counts adding up to the total
            # less the shown cells, unless the whole column is hidden or nothing small is in it
            remainder = sum(values) - sum(shown)
            small = any(1 <= values[i] <= 4 for i in hidden)
            if small and len(hidden) < len(cells):
                assert len(hidden) >= 2
                assert remainder > len([i for i in hidden if values[i] > 0]) or any(values[i] == 0 for i in hidden)
        for (a, s), count in zip(rows, applied, strict=True):
            if 1 <= count <= 4:
                assert a.suppressed and s.suppressed
