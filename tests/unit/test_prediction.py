"""What predicted success: the rank statistics checked against values worked out by hand.

The hand example (five startups, A and B funded):

    startup  score  funded   rank of score
    A        3.0    yes      4
    B        2.0    yes      2.5   (tied with C: ranks 2 and 3 share 2.5)
    C        2.0    no       2.5
    D        1.0    no       1
    E        4.0    no       5

Mann-Whitney U of the funded = rank sum 6.5 - 2*3/2 = 3.5; pair by pair: A beats C and D, loses to
E (2); B ties C (0.5), beats D (1), loses to E (0): 3.5 again. AUC = 3.5 / (2*3) = 0.58333.

Spearman: ranks x = [4, 2.5, 2.5, 1, 5], funded as ranks y = [4.5, 4.5, 2, 2, 2] (the three 0s share
1..3, the two 1s share 4..5); both means 3; sum dx*dy = 1.5 - 0.75 + 0.5 + 2 - 2 = 1.25;
sum dx^2 = 9.5; sum dy^2 = 7.5; rho = 1.25 / sqrt(71.25) = 0.148087.

p: tie correction sum(t^3 - t) = 6 (one pair); variance = 2*3/12 * (6 - 6/20) = 2.85;
z = (3.5 - 3) / sqrt(2.85) = 0.29617; two-sided p = erfc(z / sqrt 2) = 0.7671."""
from __future__ import annotations

import math

import pytest

from incubator.dashboard.prediction import (
    MIN_WITH_OUTCOMES, Series, assess, auc, average_ranks, describe, mann_whitney, predict, spearman,
)

SCORES = {1: 3.0, 2: 2.0, 3: 2.0, 4: 1.0, 5: 4.0}  # A..E
FUNDED = {1, 2}


def test_average_ranks_share_ties():
    assert average_ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]
    assert average_ranks([5, 5, 5]) == [2, 2, 2]
    assert average_ranks([3.0, 2.0, 2.0, 1.0, 4.0]) == [4, 2.5, 2.5, 1, 5]


def test_the_hand_example():
    scores = [SCORES[i] for i in sorted(SCORES)]
    labels = [i in FUNDED for i in sorted(SCORES)]
    u, n1, n0, p = mann_whitney(scores, labels)
    assert (u, n1, n0) == (3.5, 2, 3)
    assert auc(scores, labels) == pytest.approx(3.5 / 6)
    assert spearman(scores, [1.0 if f else 0.0 for f in labels]) == pytest.approx(1.25 / math.sqrt(71.25))
    assert 1.25 / math.sqrt(71.25) == pytest.approx(0.148087, abs=1e-6)
    assert p == pytest.approx(0.7671, abs=1e-4)

    row = assess(Series(3, "Demo Day", "normalised_score", "Normalised score", SCORES), FUNDED)
    assert (row.n, row.funded, row.not_funded) == (5, 2, 3)
    assert row.auc == 0.583 and row.spearman == 0.148
    assert "too few startups" in row.note


def test_perfect_and_reversed_separation():
    scores = [1, 2, 3, 4, 5, 6]
    assert auc(scores, [False, False, False, True, True, True]) == 1.0
    assert auc(scores, [True, True, True, False, False, False]) == 0.0
    assert spearman(scores, [0, 0, 0, 1, 1, 1]) == pytest.approx(math.sqrt(27 / 35))  # 0.878


def test_nothing_to_compare():
    assert auc([1, 2, 3], [True, True, True]) is None
    assert spearman([2, 2, 2], [0, 1, 1]) is None
    assert mann_whitney([2, 2, 2, 2], [True, False, True, False])[3] is None  # all tied: no variance
    assert describe(None, None, 3, 0).startswith("Nothing to compare")


@pytest.mark.parametrize("value, p, words", [
    (0.52, 0.8, "No real link: funded startups scored about the same as the others; a link this small could be chance."),
    (0.58, 0.2, "A weak link: funded startups tended to score higher; a link this small could be chance."),
    (0.35, 0.01, "A moderate link: funded startups tended to score lower; unlikely to be chance alone."),
    (0.75, 0.0001, "A strong link: funded startups tended to score higher; unlikely to be chance alone."),
])
def test_plain_words(value, p, words):
    assert describe(value, p, 29, 111) == words


def test_not_ready_says_how_many_more():
    result = predict(with_outcomes=MIN_WITH_OUTCOMES - 3, population=list(range(40)), funded_ids={1},
                     seasons=1, series=[])
    assert not result.ready and result.needed == 3 and result.rows == []
    assert "So far 17 have: record outcomes for 3 more." in result.message
    one = predict(with_outcomes=1, population=[1], funded_ids=set(), seasons=1, series=[])
    assert "So far 1 has: record outcomes for 19 more." in one.message


def test_ready_with_its_basis():
    population = list(range(1, 41))
    funded = set(range(1, 11))
    scores = {i: float(i % 7) + (2 if i in funded else 0) for i in population}
    result = predict(with_outcomes=25, population=population, funded_ids=funded, seasons=2,
                     series=[Series(1, "Screening", "normalised_score", "Normalised score", scores),
                             Series(1, "Screening", "criterion:team", "Team", {})])
    assert result.ready and result.needed == 0
    assert result.message == "Based on 10 funded and 30 not funded startups from 2 seasons."
    assert [r.key for r in result.rows] == ["normalised_score"]  # a series scoring nobody is left out
    assert result.rows[0].n == 40 and result.rows[0].auc > 0.5
    assert result.notes

    nobody_funded = predict(with_outcomes=25, population=population, funded_ids=set(), seasons=1, series=[])
    assert nobody_funded.rows == [] and "Nothing to compare yet" in nobody_funded.message
    no_scores = predict(with_outcomes=25, population=population, funded_ids=funded, seasons=1, series=[])
    assert "no submitted review scores" in no_scores.message
