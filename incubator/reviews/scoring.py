"""Leaderboard maths for one stage: pure functions over plain values (no database, no Flask).

Use: build `Criterion` and `Review` values for ONE stage (submitted reviews only), call
`compute_leaderboard`, then filter the rows (region, sector, women-led, flags: the query layer
knows those), then `ranking.rank`, then `ranking.cut_line` / `top_n` for the quota. Always compute over the whole
stage and filter afterwards: the stage mean and spread, and each reviewer's mean, must not depend
on what the manager is looking at.

Definitions (every choice below is deliberate; change them here and in the tests together):

- Review total: the weighted mean of the criterion scores, sum(w * s) / sum(w). Criteria may have
  different scales; the *weighted scale* is [sum(w * min) / sum(w), sum(w * max) / sum(w)].
- Weighted score of an application: the plain mean of its review totals.
- Standard deviations are POPULATION standard deviations (divide by n) everywhere: for a reviewer,
  for the stage and for an application's spread. We describe the reviews we have, not a sample of
  a larger population, and population sd is defined for a single review (0). With two reviews the
  spread is half their difference, so the default threshold of 1.0 flags two reviewers more than
  two scale points apart.
- Stage mean and sd: over all review totals at the stage, each review counted once.
- Normalisation: a reviewer with at least `min_reviews_for_own_norm` (3) reviews at the stage gets
  z = (total - reviewer mean) / reviewer sd; a reviewer with fewer gets
  z = (total - stage mean) / stage sd. Any sd below 1e-9 gives z = 0. An application's z is the
  mean of its reviews' z; its normalised score is stage mean + z * stage sd, clamped to the
  weighted scale. Shifting every score of a reviewer who has enough reviews by a constant leaves
  the order of normalised scores unchanged (the property tests check this).
- Recommendations: "strong_yes", "yes", "maybe", "no", "strong_no" (or none). They split when an
  application has at least one of yes/strong_yes and at least one of no/strong_no.
- Flags: "split_recommendation" when recommendations split; "disagreement" when the spread is
  strictly above `disagreement_threshold` (scale points) or recommendations split; "incomplete"
  when fewer reviews than required were submitted.
- Reviewer indicator: delta = reviewer mean - stage mean; "harsh" when delta < -harshness_threshold,
  "lenient" when delta > +harshness_threshold, "neutral" otherwise (default 0.5 scale points).
  It is descriptive only and is given for every reviewer, whatever their count (shown beside it).
- Numbers: computed in float (math.fsum, so the result does not depend on input order); every
  output is rounded to 3 decimals, half away from zero (as spreadsheets do), and thresholds
  and ranks are decided on the rounded values, so the page never contradicts itself.
- An application with no submitted review (pass its id in `application_ids`) gets a row with no
  scores (None), flag "incomplete" when reviews are required, and always ranks last.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from operator import itemgetter

__all__ = [
    "DECIMALS", "Criterion", "Review", "Row", "ReviewerStat", "StageStats", "Leaderboard",
    "Recommendation", "RowFlag", "Bias", "YES_SIDE", "NO_SIDE",
    "weighted_scale", "review_total", "compute_leaderboard",
]

DECIMALS = 3
_QUANTUM = Decimal(1).scaleb(-DECIMALS)
_EPS = 1e-9


class Recommendation(StrEnum):
    STRONG_YES = "strong_yes"
    YES = "yes"
    MAYBE = "maybe"
    NO = "no"
    STRONG_NO = "strong_no"


YES_SIDE = frozenset({Recommendation.STRONG_YES, Recommendation.YES})
NO_SIDE = frozenset({Recommendation.NO, Recommendation.STRONG_NO})


class RowFlag(StrEnum):
    DISAGREEMENT = "disagreement"
    SPLIT_RECOMMENDATION = "split_recommendation"
    INCOMPLETE = "incomplete"


class Bias(StrEnum):
    HARSH = "harsh"
    LENIENT = "lenient"
    NEUTRAL = "neutral"


# --- Inputs ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Criterion:
    """One rubric line. `weight` >= 0 (a Decimal, as stored); integer scale, scale_min < scale_max."""

    key: str
    weight: Decimal
    scale_min: int
    scale_max: int


@dataclass(frozen=True, slots=True)
class Review:
    """One SUBMITTED review: an integer score for every criterion key, and an optional recommendation
    (one of `Recommendation`'s values). Ids only need to be hashable and mutually comparable."""

    application_id: int
    reviewer_id: int
    scores: Mapping[str, int]
    recommendation: str | None = None


# --- Outputs --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    """One application on the leaderboard. Scores are None when it has no submitted review.
    `criterion_means` has every criterion key; `recommendations` counts every vocabulary value."""

    application_id: int
    weighted_score: float | None
    normalised_score: float | None
    spread: float | None
    review_count: int
    reviews_required: int
    criterion_means: dict[str, float | None]
    recommendations: dict[str, int]
    flags: frozenset[str]

    @property
    def is_scored(self) -> bool:
        return self.review_count > 0


@dataclass(frozen=True, slots=True)
class ReviewerStat:
    """One reviewer at the stage. `own_norm` says whether their reviews were normalised against their
    own mean and sd (enough reviews) or against the stage's."""

    reviewer_id: int
    count: int
    mean: float
    sd: float
    delta_vs_stage: float
    label: Bias
    own_norm: bool


@dataclass(frozen=True, slots=True)
class StageStats:
    """Mean and population sd of all review totals (None without reviews), and the weighted scale."""

    mean: float | None
    sd: float | None
    review_count: int
    reviewer_count: int
    scale_min: float
    scale_max: float


@dataclass(frozen=True, slots=True)
class Leaderboard:
    rows: tuple[Row, ...]  # by application id
    reviewers: tuple[ReviewerStat, ...]  # by reviewer id
    stage: StageStats

    def row(self, application_id: int) -> Row:
        """The row of one application (a linear scan: build a dict for many look-ups)."""
        for row in self.rows:
            if row.application_id == application_id:
                return row
        raise KeyError(application_id)


# --- Helpers --------------------------------------------------------------------------------------


def _round(x: float) -> float:
    """Round half away from zero on the exact binary value. round() is exact but rounds ties to even;
    a tie means x * 2000 is an integer (then exactly so in float), and only ties take the slow path."""
    if (x * 2000).is_integer():
        return float(Decimal(x).quantize(_QUANTUM, rounding=ROUND_HALF_UP))
    return round(x, DECIMALS)


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _pstdev(values: Sequence[float], mean: float) -> float:
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))


@dataclass(frozen=True, slots=True)
class _Rubric:
    keys: tuple[str, ...]
    keyset: frozenset[str]
    weights: tuple[float, ...]
    bounds: tuple[tuple[int, int], ...]
    total_weight: float


def _rubric(criteria: Sequence[Criterion]) -> _Rubric:
    if not criteria:
        raise ValueError("a stage needs at least one criterion")
    keys = tuple(c.key for c in criteria)
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate criterion keys: {keys}")
    for c in criteria:
        if c.weight < 0:
            raise ValueError(f"criterion {c.key!r}: weight must not be negative")
        if not c.scale_min < c.scale_max:
            raise ValueError(f"criterion {c.key!r}: scale_min must be below scale_max")
    total = sum((Decimal(c.weight) for c in criteria), Decimal(0))
    if total <= 0:
        raise ValueError("the criteria weights must not all be zero")
    return _Rubric(keys, frozenset(keys), tuple(float(c.weight) for c in criteria),
                   tuple((c.scale_min, c.scale_max) for c in criteria), float(total))


def _total(review: Review, rubric: _Rubric) -> float:
    scores = review.scores
    if scores.keys() != rubric.keyset:
        raise ValueError(f"review {review.application_id}/{review.reviewer_id}: scores {sorted(scores)} "
                         f"do not match the criteria {list(rubric.keys)}")
    parts = []
    for key, weight, (lo, hi) in zip(rubric.keys, rubric.weights, rubric.bounds, strict=True):
        score = scores[key]
        if type(score) is not int or not lo <= score <= hi:  # exactly int: a bool is not a score
            raise ValueError(f"review {review.application_id}/{review.reviewer_id}: {key}={score!r} "
                             f"is not an integer in {lo}..{hi}")
        parts.append(weight * score)
    return math.fsum(parts) / rubric.total_weight


def weighted_scale(criteria: Sequence[Criterion]) -> tuple[float, float]:
    """The (min, max) a review total can take: the weighted mean of the criteria's scale ends."""
    rubric = _rubric(criteria)
    lo = math.fsum(w * b[0] for w, b in zip(rubric.weights, rubric.bounds, strict=True)) / rubric.total_weight
    hi = math.fsum(w * b[1] for w, b in zip(rubric.weights, rubric.bounds, strict=True)) / rubric.total_weight
    return lo, hi


def review_total(review: Review, criteria: Sequence[Criterion]) -> float:
    """The weighted mean of one review's criterion scores, sum(w * s) / sum(w), unrounded.
    Raises ValueError when a score is missing, unknown or off the criterion's scale."""
    return _total(review, _rubric(criteria))


# --- The leaderboard ------------------------------------------------------------------------------

_RECOMMENDATIONS = {r.value: r for r in Recommendation}
_FLAGS = {  # (incomplete, split, disagreement) -> the row's flags, one frozenset each
    (incomplete, split, disagreement): frozenset(
        flag for flag, on in ((RowFlag.INCOMPLETE, incomplete), (RowFlag.SPLIT_RECOMMENDATION, split),
                              (RowFlag.DISAGREEMENT, disagreement)) if on)
    for incomplete in (False, True) for split in (False, True) for disagreement in (False, True)}


def _recommendation(value) -> Recommendation | None:
    try:
        rec = _RECOMMENDATIONS.get(value)
    except TypeError:  # unhashable: let the enum refuse it
        rec = None
    return rec if rec is not None or value is None else Recommendation(value)


def compute_leaderboard(
    reviews: Iterable[Review],
    criteria: Sequence[Criterion],
    *,
    reviews_required: int,
    application_ids: Iterable[int] = (),
    disagreement_threshold: float = 1.0,
    min_reviews_for_own_norm: int = 3,
    harshness_threshold: float = 0.5,
) -> Leaderboard:
    """Every number of one stage's leaderboard (see the module docstring for the definitions).

    `reviews`: the stage's submitted reviews, at most one per (application, reviewer).
    `application_ids`: applications to list even without reviews (rows are the union with those
    that have reviews). Raises ValueError on inconsistent input rather than computing a wrong board.
    The result does not depend on the order of `reviews`.

    Speed (bench/scoring.py): each distinct set of scores is totalled (and checked) once, each
    distinct (column sum, review count) rounded once; the numbers are those of computing each afresh.
    """
    if reviews_required < 0 or min_reviews_for_own_norm < 1:
        raise ValueError("reviews_required must be >= 0 and min_reviews_for_own_norm >= 1")
    if disagreement_threshold < 0 or harshness_threshold < 0:
        raise ValueError("thresholds must not be negative")
    rubric = _rubric(criteria)
    scale_min, scale_max = weighted_scale(criteria)

    # 1. Review totals, grouped by reviewer and by application; validate as we go.
    keys = rubric.keys
    width = len(keys)
    pick = itemgetter(*keys) if width > 1 else (lambda scores: (scores[keys[0]],))
    whole = (int,) * width
    memo: dict[tuple, float] = {}  # a set of whole-number scores -> its review total
    seen: set[tuple[int, int]] = set()
    by_reviewer: dict[int, list[float]] = defaultdict(list)
    by_app: dict[int, list[tuple[int, float, Recommendation | None, tuple]]] = defaultdict(list)
    count = 0
    for review in reviews:
        app_id, reviewer_id = review.application_id, review.reviewer_id
        pair = (app_id, reviewer_id)
        if pair in seen:
            raise ValueError(f"two reviews by reviewer {reviewer_id} of application {app_id}")
        seen.add(pair)
        rec = _recommendation(review.recommendation)
        scores = review.scores
        try:
            values = pick(scores) if len(scores) == width else None
        except (KeyError, TypeError):
            values = None
        if values is not None and tuple(map(type, values)) == whole:  # exactly int: a bool is not a score
            total = memo.get(values)
            if total is None:
                total = memo[values] = _total(review, rubric)
        else:
            total = _total(review, rubric)  # raises: the scores do not fit
        by_reviewer[reviewer_id].append(total)
        by_app[app_id].append((reviewer_id, total, rec, values))
        count += 1

    # 2. Stage and reviewer statistics.
    all_totals = [total for totals in by_reviewer.values() for total in totals]
    stage_mean = _mean(all_totals) if all_totals else None
    stage_sd = _pstdev(all_totals, stage_mean) if all_totals else None
    norm: dict[int, tuple[float, float]] = {}  # reviewer -> (centre, scale) for the z-scores
    reviewer_stats = []
    for reviewer_id in sorted(by_reviewer):
        totals = by_reviewer[reviewer_id]
        mean = _mean(totals)
        sd = _pstdev(totals, mean)
        own = len(totals) >= min_reviews_for_own_norm
        norm[reviewer_id] = (mean, sd) if own else (stage_mean, stage_sd)
        delta = _round(mean - stage_mean)
        label = (Bias.HARSH if delta < -harshness_threshold
                 else Bias.LENIENT if delta > harshness_threshold else Bias.NEUTRAL)
        reviewer_stats.append(ReviewerStat(reviewer_id, len(totals), _round(mean), _round(sd), delta, label, own))

    # 3. One row per application.
    rows = _rows(sorted(set(application_ids) | by_app.keys()), by_app, norm, keys, reviews_required,
                 stage_mean, stage_sd, scale_min, scale_max, disagreement_threshold)
    stage = StageStats(
        None if stage_mean is None else _round(stage_mean), None if stage_sd is None else _round(stage_sd),
        count, len(by_reviewer), _round(scale_min), _round(scale_max),
    )
    return Leaderboard(tuple(rows), tuple(reviewer_stats), stage)


class _Means(dict):
    """column sum -> the rounded criterion mean of `n` reviews (whole scores: the sum is exact, and
    sum / n is what math.fsum(scores) / n gives)."""

    def __init__(self, n: int):
        super().__init__()
        self.n = n

    def __missing__(self, total: int) -> float:
        mean = self[total] = _round(total / self.n)
        return mean


def _rows(app_ids, by_app, norm, keys, reviews_required: int, stage_mean, stage_sd,
          scale_min: float, scale_max: float, threshold: float) -> list[Row]:
    """The rows of `app_ids`: totals, z-scores, criterion means, recommendations and flags."""
    fsum, pstdev, rounded = math.fsum, _pstdev, _round
    zero = {r.value: 0 for r in Recommendation}
    means_memo: dict[int, _Means] = {}  # review count -> its criterion means by column sum
    rows = []
    for app_id in app_ids:
        items = by_app.get(app_id)
        if not items:
            rows.append(Row(app_id, None, None, None, 0, reviews_required, dict.fromkeys(keys), dict(zero),
                            _FLAGS[(reviews_required > 0, False, False)]))
            continue
        n = len(items)
        recommendations = dict(zero)
        yes = no = False
        totals, zs = [], []
        for reviewer_id, total, rec, _values in items:
            centre, scale = norm[reviewer_id]
            zs.append(0.0 if scale < _EPS else (total - centre) / scale)
            totals.append(total)
            if rec is not None:
                recommendations[rec] += 1
                yes = yes or rec in YES_SIDE
                no = no or rec in NO_SIDE
        weighted = fsum(totals) / n
        spread = rounded(pstdev(totals, weighted))
        normalised = min(max(stage_mean + fsum(zs) / n * stage_sd, scale_min), scale_max)
        means = means_memo[n] if n in means_memo else means_memo.setdefault(n, _Means(n))
        sums = map(sum, zip(*(values for *_, values in items), strict=True))
        split = yes and no
        flags = _FLAGS[(n < reviews_required, split, split or spread > threshold)]
        rows.append(Row(app_id, rounded(weighted), rounded(normalised), spread, n, reviews_required,
                        dict(zip(keys, map(means.__getitem__, sums), strict=True)), recommendations, flags))
    return rows
