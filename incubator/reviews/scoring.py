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
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

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
    """
    if reviews_required < 0 or min_reviews_for_own_norm < 1:
        raise ValueError("reviews_required must be >= 0 and min_reviews_for_own_norm >= 1")
    if disagreement_threshold < 0 or harshness_threshold < 0:
        raise ValueError("thresholds must not be negative")
    rubric = _rubric(criteria)
    scale_min, scale_max = weighted_scale(criteria)

    # 1. Review totals, grouped by reviewer; validate as we go.
    entries: list[tuple[Review, float, Recommendation | None]] = []
    seen: set[tuple[int, int]] = set()
    by_reviewer: dict[int, list[float]] = defaultdict(list)
    for review in reviews:
        pair = (review.application_id, review.reviewer_id)
        if pair in seen:
            raise ValueError(f"two reviews by reviewer {review.reviewer_id} of application {review.application_id}")
        seen.add(pair)
        rec = None if review.recommendation is None else Recommendation(review.recommendation)
        total = _total(review, rubric)
        entries.append((review, total, rec))
        by_reviewer[review.reviewer_id].append(total)

    # 2. Stage and reviewer statistics.
    all_totals = [total for _, total, _ in entries]
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

    # 3. Per application: totals, z-scores, criterion scores, recommendations.
    by_app: dict[int, list[tuple[Review, float, float, Recommendation | None]]] = defaultdict(list)
    for review, total, rec in entries:
        centre, scale = norm[review.reviewer_id]
        z = 0.0 if scale < _EPS else (total - centre) / scale
        by_app[review.application_id].append((review, total, z, rec))

    rows = []
    for app_id in sorted(set(application_ids) | by_app.keys()):
        items = by_app.get(app_id, [])
        rows.append(_row(app_id, items, rubric, reviews_required, stage_mean, stage_sd,
                         scale_min, scale_max, disagreement_threshold))

    stage = StageStats(
        None if stage_mean is None else _round(stage_mean), None if stage_sd is None else _round(stage_sd),
        len(entries), len(by_reviewer), _round(scale_min), _round(scale_max),
    )
    return Leaderboard(tuple(rows), tuple(reviewer_stats), stage)


def _row(app_id, items, rubric: _Rubric, reviews_required: int, stage_mean, stage_sd,
         scale_min: float, scale_max: float, threshold: float) -> Row:
    n = len(items)
    recommendations = {r.value: 0 for r in Recommendation}
    recommendations.update(Counter(rec.value for *_, rec in items if rec is not None))
    flags = set()
    if n < reviews_required:
        flags.add(RowFlag.INCOMPLETE)
    if not n:
        return Row(app_id, None, None, None, 0, reviews_required, dict.fromkeys(rubric.keys),
                   recommendations, frozenset(flags))

    totals = [total for _, total, _, _ in items]
    weighted = _mean(totals)
    spread = _round(_pstdev(totals, weighted))
    mean_z = _mean([z for _, _, z, _ in items])
    normalised = min(max(stage_mean + mean_z * stage_sd, scale_min), scale_max)
    criterion_means = {key: _round(_mean([review.scores[key] for review, *_ in items])) for key in rubric.keys}

    recs = {rec for *_, rec in items}
    if recs & YES_SIDE and recs & NO_SIDE:
        flags |= {RowFlag.SPLIT_RECOMMENDATION, RowFlag.DISAGREEMENT}
    if spread > threshold:
        flags.add(RowFlag.DISAGREEMENT)
    return Row(app_id, _round(weighted), _round(normalised), spread, n, reviews_required, criterion_means,
               recommendations, frozenset(flags))
