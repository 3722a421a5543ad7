"""Small-cell suppression for a demographic table: two columns of counts (applied, selected) whose
totals are always shown. Pure functions, no database.

The rule (SUPPRESS_BELOW = 5):

1. Primary: a count from 1 to 4 is hidden. Zero is shown (nobody can be singled out of nobody).
2. The row follows its applied cell: when the applied count of a row is hidden by rule 1, the
   selected count of that row is hidden too, even when it is 0 ("none of the 3 from X was
   selected" says something about each of the 3).
3. Secondary, per column: the shown total minus the shown cells gives the sum of the hidden cells.
   If that sum pins down the hidden cells, i.e. there is exactly one hidden cell, or the sum equals
   the least the hidden cells could hold (1 for a primary cell, 0 for a cell hidden by rule 2 or a
   hidden zero, 5 for a secondary cell), another cell is hidden: the smallest shown non-zero count
   (the first in row order on a tie), or, when none is left, the first shown zero. Repeat until the
   hidden cells cannot be worked out, or the whole column is hidden.
4. A hidden cell has neither count nor share. Shares of shown cells are of the column total.

The totals are not hidden: they are the season's submitted and accepted counts, printed in the
funnel anyway, so hiding them here would protect nothing."""
from __future__ import annotations

from collections.abc import Sequence

from incubator.reports.figures_common import ratio
from incubator.reports.figures_types import SUPPRESS_BELOW, Cell


def primary(count: int) -> bool:
    return 1 <= count < SUPPRESS_BELOW


def hide_column(counts: Sequence[int], linked: set[int] = frozenset()) -> set[int]:
    """Indexes of the cells to hide in one column (rules 1 to 3); `linked` are rows hidden by rule 2."""
    floor: dict[int, int] = {i: 1 for i, count in enumerate(counts) if primary(count)}
    for i in linked:
        floor.setdefault(i, 0)
    if not floor:
        return set()

    def pinned() -> bool:
        return len(floor) == 1 or sum(counts[i] for i in floor) == sum(floor.values())

    while pinned():
        shown = [i for i in range(len(counts)) if i not in floor]
        if not shown:
            break
        nonzero = sorted((counts[i], i) for i in shown if counts[i] > 0)
        if nonzero:
            floor[nonzero[0][1]] = SUPPRESS_BELOW
        else:
            floor[shown[0]] = 0
    return set(floor)


def suppress(applied: Sequence[int], selected: Sequence[int]) -> list[tuple[Cell, Cell]]:
    """(applied, selected) cells for each row, with the column totals taken as sum(column)."""
    hidden_applied = hide_column(applied)
    primary_rows = {i for i, count in enumerate(applied) if primary(count)}
    hidden_selected = hide_column(selected, primary_rows)
    total_applied, total_selected = sum(applied), sum(selected)

    def cell(count: int, total: int, hidden: bool) -> Cell:
        if hidden:
            return Cell(count=None, share=None, suppressed=True)
        return Cell(count=count, share=ratio(count, total), suppressed=False)

    return [(cell(a, total_applied, i in hidden_applied), cell(s, total_selected, i in hidden_selected))
            for i, (a, s) in enumerate(zip(applied, selected, strict=True))]
