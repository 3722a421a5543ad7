"""Leaderboard maths: a hand-computed stage, the edge cases, and properties over random stages.

All standard deviations are population sds (divide by n), as documented in incubator/reviews/scoring.py.
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incubator.reviews.scoring import (
    Bias,
    Criterion,
    Recommendation,
    Review,
    RowFlag,
    compute_leaderboard,
    review_total,
    weighted_scale,
)
from incubator.reviews.ranking import SORT_KEYS, cut_line, rank, top_n
from incubator.reviews.scoring import _round  # the fast path of the output rounding

# --- The hand-computed stage ----------------------------------------------------------------------
#
# Criteria: team (w=2), market (w=1), product (w=1), all on 1..5.
# Review total = (2*team + market + product) / 4.   Weighted scale = (2*1+1+1)/4 .. (2*5+5+5)/4 = 1 .. 5.
# Reviews required: 3.  Reviewers R1 (5 reviews) and R2 (4) are normalised against themselves;
# R3 (2) and R4 (1) have fewer than 3 reviews and are normalised against the stage.
#
#   app  reviewer  team market product  2t+m+p  total  recommendation
#   A1   R1          3     2      4       12    3.00   no
#   A1   R2          5     4      4       18    4.50   yes
#   A1   R3          4     5      4       17    4.25   strong_yes
#   A2   R1          2     4      2       10    2.50   maybe
#   A2   R2          5     4      4       18    4.50   yes
#   A2   R4          5     5      5       20    5.00   strong_yes
#   A3   R1          2     2      2        8    2.00   no
#   A3   R2          3     4      4       14    3.50   maybe
#   A4   R1          4     2      4       14    3.50   maybe
#   A4   R3          1     1      2        5    1.25   strong_no
#   A5   R1          1     2      2        6    1.50   strong_no
#   A5   R2          4     2      4       14    3.50   (none)
#
# Stage: sum of the 12 totals = 12.5 (R1) + 16 (R2) + 5.5 (R3) + 5 (R4) = 39;  mean = 39/12 = 3.25.
#   deviations from 3.25, squared:
#     R1: -0.25 -0.75 -1.25 +0.25 -1.75 -> 0.0625 + 0.5625 + 1.5625 + 0.0625 + 3.0625 = 5.3125
#     R2: +1.25 +1.25 +0.25 +0.25       -> 1.5625 + 1.5625 + 0.0625 + 0.0625          = 3.25
#     R3: +1.00 -2.00                   -> 1 + 4                                      = 5
#     R4: +1.75                         -> 3.0625
#   variance = (5.3125 + 3.25 + 5 + 3.0625) / 12 = 16.625 / 12 = 1.385417;  stage sd = sqrt(1.385417) = 1.177037
#
# Reviewers (mean, population sd, delta = mean - 3.25, label with threshold 0.5, strict):
#   R1: (3 + 2.5 + 2 + 3.5 + 1.5)/5 = 2.5;  deviations .5 0 -.5 1 -1 -> (.25+0+.25+1+1)/5 = 0.5;  sd = 0.707107
#       delta = -0.75 -> harsh
#   R2: (4.5 + 4.5 + 3.5 + 3.5)/4 = 4.0;   deviations .5 .5 -.5 -.5 -> 1/4 = 0.25;          sd = 0.5
#       delta = +0.75 -> lenient
#   R3: (4.25 + 1.25)/2 = 2.75;  deviations 1.5 -1.5 -> 2.25;  sd = 1.5;  delta = -0.50 -> neutral (not < -0.5)
#   R4: 5.0;  sd = 0;  delta = +1.75 -> lenient
#
# z-scores:
#   R1 (own: mean 2.5, sd 0.707107): A1 (3-2.5)/.707107 = +0.707107   A2 0   A3 -0.707107   A4 +1.414214   A5 -1.414214
#   R2 (own: mean 4.0, sd 0.5):      A1 +1   A2 +1   A3 -1   A5 -1
#   R3 (stage: 3.25, 1.177037):      A1 (4.25-3.25)/1.177037 = +0.849591   A4 (1.25-3.25)/1.177037 = -1.699182
#   R4 (stage):                      A2 (5-3.25)/1.177037 = +1.486784
#
# Applications: z = mean of the z's; normalised = 3.25 + z * 1.177037 (within 1..5, so no clamping)
#   A1: z = (0.707107 + 1 + 0.849591)/3 = 2.556698/3 = 0.852233 -> 3.25 + 1.003110 = 4.253110 -> 4.253
#   A2: z = (0 + 1 + 1.486784)/3        = 2.486784/3 = 0.828928 -> 3.25 + 0.975679 = 4.225679 -> 4.226
#   A3: z = (-0.707107 - 1)/2                        = -0.853553 -> 3.25 - 1.004664 = 2.245336 -> 2.245
#   A4: z = (1.414214 - 1.699182)/2                  = -0.142484 -> 3.25 - 0.167709 = 3.082291 -> 3.082
#   A5: z = (-1.414214 - 1)/2                        = -1.207107 -> 3.25 - 1.420810 = 1.829190 -> 1.829
# Weighted scores (mean of totals):
#   A1 (3 + 4.5 + 4.25)/3 = 3.916667   A2 (2.5 + 4.5 + 5)/3 = 4.0   A3 (2 + 3.5)/2 = 2.75
#   A4 (3.5 + 1.25)/2 = 2.375          A5 (1.5 + 3.5)/2 = 2.5
# Spread (population sd of the totals):
#   A1: deviations from 3.916667: -0.916667 +0.583333 +0.333333 -> (0.840278 + 0.340278 + 0.111111)/3 = 0.430556
#       -> sd 0.656167 -> 0.656
#   A2: deviations from 4: -1.5 +0.5 +1 -> (2.25 + 0.25 + 1)/3 = 1.166667 -> sd 1.080123 -> 1.080  (> 1: disagreement)
#   A3: |2 - 3.5|/2 = 0.75      A4: |3.5 - 1.25|/2 = 1.125 (> 1: disagreement)
#   A5: |1.5 - 3.5|/2 = 1.0 (not strictly above 1: no flag)
# Flags (threshold 1.0, 3 reviews required):
#   A1: no + yes + strong_yes split -> split_recommendation, disagreement;  3 reviews: complete
#   A2: spread 1.080 -> disagreement;  A3: incomplete;  A4: disagreement, incomplete;  A5: incomplete
# Criterion means (team / market / product):
#   A1: (3+5+4)/3 = 4.0     (2+4+5)/3 = 3.667   (4+4+4)/3 = 4.0
#   A2: (2+5+5)/3 = 4.0     (4+4+5)/3 = 4.333   (2+4+5)/3 = 3.667
#   A3: (2+3)/2 = 2.5       (2+4)/2 = 3.0       (2+4)/2 = 3.0
#   A4: (4+1)/2 = 2.5       (2+1)/2 = 1.5       (4+2)/2 = 3.0
#   A5: (1+4)/2 = 2.5       (2+2)/2 = 2.0       (2+4)/2 = 3.0

CRITERIA = [
    Criterion("team", Decimal("2"), 1, 5),
    Criterion("market", Decimal("1"), 1, 5),
    Criterion("product", Decimal("1"), 1, 5),
]
A1, A2, A3, A4, A5 = 1, 2, 3, 4, 5
R1, R2, R3, R4 = 11, 12, 13, 14
_TABLE = [
    (A1, R1, 3, 2, 4, "no"), (A1, R2, 5, 4, 4, "yes"), (A1, R3, 4, 5, 4, "strong_yes"),
    (A2, R1, 2, 4, 2, "maybe"), (A2, R2, 5, 4, 4, "yes"), (A2, R4, 5, 5, 5, "strong_yes"),
    (A3, R1, 2, 2, 2, "no"), (A3, R2, 3, 4, 4, "maybe"),
    (A4, R1, 4, 2, 4, "maybe"), (A4, R3, 1, 1, 2, "strong_no"),
    (A5, R1, 1, 2, 2, "strong_no"), (A5, R2, 4, 2, 4, None),
]
REVIEWS = [Review(a, r, {"team": t, "market": m, "product": p}, rec) for a, r, t, m, p, rec in _TABLE]


@pytest.fixture(scope="module")
def board():
    return compute_leaderboard(REVIEWS, CRITERIA, reviews_required=3)


def test_review_total_is_the_weighted_mean_of_the_criterion_scores():
    assert [review_total(r, CRITERIA) for r in REVIEWS] == [3.0, 4.5, 4.25, 2.5, 4.5, 5.0, 2.0, 3.5, 3.5, 1.25, 1.5, 3.5]
    assert weighted_scale(CRITERIA) == (1.0, 5.0)


def test_stage_stats_match_the_hand_computation(board):
    s = board.stage
    assert (s.mean, s.sd, s.review_count, s.reviewer_count, s.scale_min, s.scale_max) == (3.25, 1.177, 12, 4, 1.0, 5.0)


def test_reviewer_stats_match_the_hand_computation(board):
    got = [(r.reviewer_id, r.count, r.mean, r.sd, r.delta_vs_stage, r.label, r.own_norm) for r in board.reviewers]
    assert got == [
        (R1, 5, 2.5, 0.707, -0.75, Bias.HARSH, True),
        (R2, 4, 4.0, 0.5, 0.75, Bias.LENIENT, True),
        (R3, 2, 2.75, 1.5, -0.5, Bias.NEUTRAL, False),  # exactly at the threshold: neutral
        (R4, 1, 5.0, 0.0, 1.75, Bias.LENIENT, False),
    ]


def test_application_scores_match_the_hand_computation(board):
    got = {row.application_id: (row.weighted_score, row.normalised_score, row.spread, row.review_count)
           for row in board.rows}
    assert got == {
        A1: (3.917, 4.253, 0.656, 3),
        A2: (4.0, 4.226, 1.08, 3),
        A3: (2.75, 2.245, 0.75, 2),
        A4: (2.375, 3.082, 1.125, 2),
        A5: (2.5, 1.829, 1.0, 2),
    }
    assert all(row.reviews_required == 3 for row in board.rows)


def test_flags_match_the_hand_computation(board):
    dis, split, inc = RowFlag.DISAGREEMENT, RowFlag.SPLIT_RECOMMENDATION, RowFlag.INCOMPLETE
    assert {row.application_id: row.flags for row in board.rows} == {
        A1: {dis, split}, A2: {dis}, A3: {inc}, A4: {dis, inc}, A5: {inc},
    }
    assert "disagreement" in board.row(A1).flags  # flags are plain strings too


def test_criterion_means_and_recommendation_counts(board):
    assert {row.application_id: row.criterion_means for row in board.rows} == {
        A1: {"team": 4.0, "market": 3.667, "product": 4.0},
        A2: {"team": 4.0, "market": 4.333, "product": 3.667},
        A3: {"team": 2.5, "market": 3.0, "product": 3.0},
        A4: {"team": 2.5, "market": 1.5, "product": 3.0},
        A5: {"team": 2.5, "market": 2.0, "product": 3.0},
    }
    assert board.row(A1).recommendations == {"strong_yes": 1, "yes": 1, "maybe": 0, "no": 1, "strong_no": 0}
    assert board.row(A5).recommendations == {"strong_yes": 0, "yes": 0, "maybe": 0, "no": 0, "strong_no": 1}


def test_ranking_by_normalised_and_weighted_score_and_the_cut_line(board):
    # Normalisation lifts A4 (the harsh R1's best) from last to third, and A1 above A2.
    by_norm = rank(board.rows)
    assert [r.application_id for r in by_norm] == [A1, A2, A4, A3, A5]
    assert [r.application_id for r in rank(board.rows, "weighted_score")] == [A2, A1, A3, A5, A4]
    assert [r.application_id for r in rank(board.rows, descending=False)] == [A5, A3, A4, A2, A1]
    assert cut_line(by_norm, 2) == 2
    assert [r.application_id for r in top_n(by_norm, 3)] == [A1, A2, A4]
    assert cut_line(by_norm, 9) == 5 and len(top_n(by_norm, 9)) == 5


def test_ties_are_broken_by_weighted_score_in_the_same_direction(board):
    # product means: A1 4.0, A2 3.667, then A3/A4/A5 all 3.0 -> weighted A3 2.75 > A5 2.5 > A4 2.375
    assert [r.application_id for r in rank(board.rows, "criterion:product")] == [A1, A2, A3, A5, A4]
    # team means: A1 = A2 = 4.0 (weighted A2 4.0 > A1 3.917), A3 = A4 = A5 = 2.5; ascending reverses both
    assert [r.application_id for r in rank(board.rows, "criterion:team")] == [A2, A1, A3, A5, A4]
    assert [r.application_id for r in rank(board.rows, "criterion:team", descending=False)] == [A4, A5, A3, A1, A2]


def test_ties_on_every_score_are_broken_by_application_id():
    same = {"team": 3, "market": 3, "product": 3}
    board = compute_leaderboard([Review(7, 1, same), Review(3, 1, same), Review(5, 2, same)], CRITERIA, reviews_required=1)
    assert [r.application_id for r in rank(board.rows)] == [3, 5, 7]
    assert [r.application_id for r in rank(board.rows, descending=False)] == [3, 5, 7]


def test_disagreement_threshold_is_configurable_and_strict():
    # spreads: A1 0.656, A2 1.080, A3 0.75, A4 1.125, A5 1.0
    board = compute_leaderboard(REVIEWS, CRITERIA, reviews_required=2, disagreement_threshold=0.75)
    assert {r.application_id for r in board.rows if RowFlag.DISAGREEMENT in r.flags} == {A1, A2, A4, A5}  # A1: split
    assert not any(RowFlag.INCOMPLETE in r.flags for r in board.rows)


def test_min_reviews_for_own_norm_is_configurable():
    # With 2, R3 is normalised against itself (mean 2.75, sd 1.5): A1 (4.25-2.75)/1.5 = +1, A4 -1.
    #   A1: z = (0.707107 + 1 + 1)/3 = 0.902369 -> 3.25 + 0.902369 * 1.177037 = 4.312122 -> 4.312
    #   A4: z = (1.414214 - 1)/2 = 0.207107     -> 3.25 + 0.207107 * 1.177037 = 3.493772 -> 3.494
    board = compute_leaderboard(REVIEWS, CRITERIA, reviews_required=3, min_reviews_for_own_norm=2)
    assert (board.row(A1).normalised_score, board.row(A4).normalised_score) == (4.312, 3.494)
    assert board.row(A2).normalised_score == 4.226  # unchanged: R4 still uses the stage
    assert [r.own_norm for r in board.reviewers] == [True, True, True, False]


def test_normalised_score_is_clamped_and_a_constant_reviewer_gives_zero_z():
    # R1 (3 reviews) totals 1, 1, 5: mean 7/3, sd sqrt(((4/3)^2*2 + (8/3)^2)/3) = 1.885618; z of the 5 = 1.414214.
    # R2 (4 reviews) gives 5 everywhere: sd 0, so z = 0.
    # Stage totals 1,1,5,5,5,5,5: mean 27/7 = 3.857143; variance (2*(20/7)^2 + 5*(8/7)^2)/7 = 3.265306; sd 1.807016.
    # App 3 (only R1's 5): 3.857143 + 1.414214 * 1.807016 = 6.412 -> clamped to 5.
    # Apps 4-7 (only R2): z 0 -> the stage mean, 3.857.
    def flat(v):
        return {"team": v, "market": v, "product": v}
    reviews = [Review(1, 1, flat(1)), Review(2, 1, flat(1)), Review(3, 1, flat(5))]
    reviews += [Review(a, 2, flat(5)) for a in (4, 5, 6, 7)]
    board = compute_leaderboard(reviews, CRITERIA, reviews_required=1)
    assert board.row(3).normalised_score == 5.0
    assert [board.row(a).normalised_score for a in (4, 5, 6, 7)] == [3.857] * 4
    # App 1: z = (1 - 7/3)/1.885618 = -0.707107 -> 3.857143 - 1.277753 = 2.579 (inside the scale)
    assert board.row(1).normalised_score == 2.579


def test_applications_without_reviews_get_an_empty_row_that_ranks_last(board):
    with_empty = compute_leaderboard(REVIEWS, CRITERIA, reviews_required=3, application_ids=[A1, 99, 0])
    empty = with_empty.row(99)
    assert (empty.weighted_score, empty.normalised_score, empty.spread, empty.review_count) == (None, None, None, 0)
    assert empty.flags == {RowFlag.INCOMPLETE}
    assert empty.criterion_means == {"team": None, "market": None, "product": None}
    assert with_empty.rows[1:6] == board.rows  # the other rows are unchanged
    for key in (*SORT_KEYS, "criterion:team"):
        for descending in (True, False):
            assert [r.application_id for r in rank(with_empty.rows, key, descending)][-2:] == [0, 99]
    assert cut_line(rank(with_empty.rows), 7) == 5


def test_outputs_round_half_away_from_zero_like_a_spreadsheet():
    # Totals 1, 1, 1, 1.25 (team, market, product = 1,1,1 three times and 1,1,2 once):
    #   weighted = 4.25/4 = 1.0625 -> 1.063 (round() would give 1.062, half to even)
    #   spread: deviations -0.0625 x3, +0.1875 -> (3 * 0.00390625 + 0.03515625)/4 = 0.01171875 -> sd 0.108253 -> 0.108
    #   reviewer 4's delta vs the stage mean = 1.25 - 1.0625 = 0.1875 -> 0.188 (half away from zero)
    #   reviewers 1-3: 1 - 1.0625 = -0.0625 -> -0.063
    reviews = [Review(1, r, {"team": 1, "market": 1, "product": 1}) for r in (1, 2, 3)]
    reviews.append(Review(1, 4, {"team": 1, "market": 1, "product": 2}))
    board = compute_leaderboard(reviews, CRITERIA, reviews_required=4)
    assert (board.row(1).weighted_score, board.row(1).spread) == (1.063, 0.108)
    assert [r.delta_vs_stage for r in board.reviewers] == [-0.063, -0.063, -0.063, 0.188]


@given(st.floats(-1e6, 1e6) | st.integers(-10**6, 10**6).map(lambda n: n / 2000))
def test_rounding_is_half_away_from_zero_on_the_exact_value(x):
    assert _round(x) == float(Decimal(x).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def test_an_empty_stage_gives_empty_stats():
    board = compute_leaderboard([], CRITERIA, reviews_required=2, application_ids=[1])
    assert (board.stage.mean, board.stage.sd, board.stage.review_count) == (None, None, 0)
    assert board.reviewers == () and board.rows[0].review_count == 0


@pytest.mark.parametrize("reviews, criteria, message", [
    ([Review(1, 1, {"team": 3, "market": 3})], CRITERIA, "do not match"),
    ([Review(1, 1, {"team": 3, "market": 3, "product": 3, "impact": 3})], CRITERIA, "do not match"),
    ([Review(1, 1, {"team": 6, "market": 3, "product": 3})], CRITERIA, "not an integer in 1..5"),
    ([Review(1, 1, {"team": 2.5, "market": 3, "product": 3})], CRITERIA, "not an integer"),
    ([Review(1, 1, {"team": 3, "market": 3, "product": 3}, "advance")], CRITERIA, "advance"),
    ([REVIEWS[0], REVIEWS[0]], CRITERIA, "two reviews"),
    ([], [], "at least one criterion"),
    ([], [Criterion("a", Decimal("-1"), 1, 5)], "negative"),
    ([], [Criterion("a", Decimal("0"), 1, 5)], "all be zero"),
    ([], [Criterion("a", Decimal("1"), 5, 5)], "scale_min"),
    ([], [Criterion("a", Decimal("1"), 1, 5), Criterion("a", Decimal("1"), 1, 5)], "duplicate"),
])
def test_inconsistent_input_is_refused(reviews, criteria, message):
    with pytest.raises(ValueError, match=message):
        compute_leaderboard(reviews, criteria, reviews_required=1)


def test_unknown_sort_key_and_negative_quota_are_refused(board):
    with pytest.raises(ValueError, match="cannot sort"):
        rank(board.rows, "region")
    with pytest.raises(ValueError, match="unknown criterion"):
        rank(board.rows, "criterion:impact")
    with pytest.raises(ValueError, match="quota"):
        cut_line(board.rows, -1)


# --- Properties -----------------------------------------------------------------------------------

WEIGHTS = st.sampled_from([Decimal("0"), Decimal("0.5"), Decimal("1"), Decimal("1.25"), Decimal("2"), Decimal("3")])
RECOMMENDATIONS = st.sampled_from([None, *(r.value for r in Recommendation)])


@st.composite
def rubrics(draw):
    criteria = []
    for i in range(draw(st.integers(1, 4))):
        lo = draw(st.integers(0, 2))
        weight = draw(WEIGHTS) if i else draw(WEIGHTS.filter(bool))
        criteria.append(Criterion(f"c{i}", weight, lo, draw(st.integers(lo + 1, 10))))
    return criteria


def _scores(draw, criteria, *, floor_offset=0):
    return {c.key: draw(st.integers(c.scale_min + floor_offset, c.scale_max)) for c in criteria}


@st.composite
def stages(draw):
    """Any stage: 1-12 applications, 1-6 reviewers, 0..all reviewers per application."""
    criteria = draw(rubrics())
    n_apps, n_reviewers = draw(st.integers(1, 12)), draw(st.integers(1, 6))
    reviews = [
        Review(app, reviewer, _scores(draw, criteria), draw(RECOMMENDATIONS))
        for app in range(1, n_apps + 1)
        for reviewer in sorted(draw(st.sets(st.integers(1, n_reviewers))))
    ]
    return criteria, list(range(1, n_apps + 1)), reviews


@st.composite
def stages_normalised_per_reviewer(draw):
    """Every reviewer has >= 3 reviews (so each is normalised against themself); reviewer 1's scores
    are at least one point above every criterion's minimum, so they can all be lowered by one."""
    criteria = draw(rubrics())
    n_apps, n_reviewers = draw(st.integers(3, 9)), draw(st.integers(1, 4))
    reviews = [
        Review(app, reviewer, _scores(draw, criteria, floor_offset=1 if reviewer == 1 else 0))
        for reviewer in range(1, n_reviewers + 1)
        for app in sorted(draw(st.sets(st.integers(1, n_apps), min_size=3)))
    ]
    return criteria, reviews


@settings(max_examples=200, deadline=None)
@given(stages(), st.integers(0, 4))
def test_scores_stay_within_the_scale_and_spread_is_not_negative(stage, required):
    criteria, app_ids, reviews = stage
    board = compute_leaderboard(reviews, criteria, reviews_required=required, application_ids=app_ids)
    lo, hi = board.stage.scale_min, board.stage.scale_max
    bounds = {c.key: (c.scale_min, c.scale_max) for c in criteria}
    for row in board.rows:
        assert (RowFlag.INCOMPLETE in row.flags) == (row.review_count < required)
        if not row.is_scored:
            continue
        assert lo <= row.weighted_score <= hi
        assert lo <= row.normalised_score <= hi
        assert row.spread >= 0
        assert (row.spread > 1.0) <= (RowFlag.DISAGREEMENT in row.flags)
        assert (RowFlag.SPLIT_RECOMMENDATION in row.flags) <= (RowFlag.DISAGREEMENT in row.flags)
        assert all(bounds[k][0] <= v <= bounds[k][1] for k, v in row.criterion_means.items())
        assert sum(row.recommendations.values()) <= row.review_count
    assert sum(r.count for r in board.reviewers) == board.stage.review_count == len(reviews)


@settings(max_examples=200, deadline=None)
@given(stages_normalised_per_reviewer())
def test_a_constant_shift_of_one_reviewer_does_not_change_the_normalised_order(stage):
    criteria, reviews = stage
    shifted = [Review(r.application_id, r.reviewer_id, {k: s - 1 for k, s in r.scores.items()})
               if r.reviewer_id == 1 else r for r in reviews]
    before = compute_leaderboard(reviews, criteria, reviews_required=3)
    after = compute_leaderboard(shifted, criteria, reviews_required=3)
    # The harsher reviewer's totals all drop by exactly one point...
    for old, new in zip(reviews, shifted, strict=True):
        if old.reviewer_id == 1:
            assert math.isclose(review_total(new, criteria), review_total(old, criteria) - 1, abs_tol=1e-9)
    # ...yet no pair of applications swaps places by normalised score (rounding may only make or break ties),
    old = {r.application_id: r.normalised_score for r in before.rows if r.is_scored}
    new = {r.application_id: r.normalised_score for r in after.rows if r.is_scored}
    for a in old:
        for b in old:
            assert not (old[a] > old[b] and new[a] < new[b]), (a, b, old, new)
    # ...so without ties the ranking is identical.
    if len(set(old.values())) == len(old) and len(set(new.values())) == len(new):
        assert [r.application_id for r in rank(before.rows)] == [r.application_id for r in rank(after.rows)]


@settings(max_examples=100, deadline=None)
@given(stages(), st.randoms(use_true_random=False), st.sampled_from([*SORT_KEYS, "criterion:c0"]), st.booleans())
def test_the_board_and_the_ranking_do_not_depend_on_input_order(stage, rnd, key, descending):
    criteria, app_ids, reviews = stage
    board = compute_leaderboard(reviews, criteria, reviews_required=2, application_ids=app_ids)
    shuffled_reviews, shuffled_ids = list(reviews), list(app_ids)
    rnd.shuffle(shuffled_reviews)
    rnd.shuffle(shuffled_ids)
    again = compute_leaderboard(shuffled_reviews, criteria, reviews_required=2, application_ids=shuffled_ids)
    assert again == board
    rows = list(board.rows)
    rnd.shuffle(rows)
    assert rank(rows, key, descending) == rank(board.rows, key, descending)


@settings(max_examples=100, deadline=None)
@given(stages(), st.integers(0, 15))
def test_the_cut_line_is_the_quota(stage, quota):
    criteria, app_ids, reviews = stage
    ranked = rank(compute_leaderboard(reviews, criteria, reviews_required=1, application_ids=app_ids).rows)
    scored = sum(r.is_scored for r in ranked)
    line = cut_line(ranked, quota)
    assert line == min(quota, scored)
    above, below = top_n(ranked, quota), ranked[line:]
    assert above == ranked[:line] and all(r.is_scored for r in above)
    for a in above:
        for b in below:
            assert b.normalised_score is None or a.normalised_score >= b.normalised_score
