"""Ranking leaderboard rows and drawing the quota line ("top N") over them. The rows come from
incubator.reviews.scoring.compute_leaderboard."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from incubator.reviews.scoring import Row

SORT_KEYS = ("normalised_score", "weighted_score", "spread", "review_count")
_CRITERION_PREFIX = "criterion:"


def rank(rows: Iterable[Row], key: str = "normalised_score", descending: bool = True) -> list[Row]:
    """Rows sorted by `key`: one of SORT_KEYS, or "criterion:<key>" for a criterion mean.

    Ties are broken by the weighted score (in the same direction), then by application id
    (ascending), so the order is total and deterministic. Rows without reviews, and rows without a
    value for `key`, always come last, whatever the direction.
    """
    rows = list(rows)
    if key.startswith(_CRITERION_PREFIX):
        criterion = key[len(_CRITERION_PREFIX):]
        if rows and criterion not in rows[0].criterion_means:
            raise ValueError(f"unknown criterion {criterion!r}")

        def value(row: Row):
            return row.criterion_means[criterion]
    elif key in SORT_KEYS:
        def value(row: Row):
            return getattr(row, key)
    else:
        raise ValueError(f"cannot sort by {key!r}; use one of {SORT_KEYS} or 'criterion:<key>'")

    sign = -1 if descending else 1

    def order(row: Row):
        v, w = value(row), row.weighted_score
        return (not row.is_scored, v is None, 0 if v is None else sign * v,
                w is None, 0 if w is None else sign * w, row.application_id)

    return sorted(rows, key=order)


def cut_line(ranked_rows: Sequence[Row], quota: int) -> int:
    """Index of the first row below the quota line: ranked_rows[:index] take the seats.

    The quota, but never more than the rows that have reviews (an application nobody has reviewed
    cannot earn a seat on its score). Move it freely while the manager tries "top N".
    """
    if quota < 0:
        raise ValueError("quota must not be negative")
    return min(quota, sum(1 for row in ranked_rows if row.is_scored))


def top_n(ranked_rows: Sequence[Row], n: int) -> list[Row]:
    """The rows above a cut line at `n` (see `cut_line`)."""
    return list(ranked_rows[:cut_line(ranked_rows, n)])
