"""What predicted success: how the scores the selected startups got in review relate to being funded.

Pure functions over plain values (no database; incubator.dashboard.scores reads the scores).

Who counts: the startups the program took in (accepted, offer confirmed or none made) in the seasons
where at least one outcome is recorded; "funded" means at least one investment recorded, anything
else counts as not funded. Nothing is shown until at least MIN_WITH_OUTCOMES of the selected startups
have an outcome recorded.

For each series of scores (a stage's normalised score, or the mean a criterion got at a stage):
- Spearman's rank correlation of the score with being funded (1 / 0): Pearson's correlation of the
  average ranks (ties share the mean of their ranks). None when either side is constant.
- AUC: the chance that a funded startup scored higher than a not funded one, ties counting half;
  equal to the Mann-Whitney U of the funded group divided by n_funded * n_not_funded.
- p: two-sided, from the normal approximation of U with the tie correction and no continuity
  correction: z = (U - n1*n0/2) / sqrt(n1*n0/12 * ((n + 1) - sum(t^3 - t) / (n * (n - 1)))).
  Used only for the plain-language note ("could be chance" when p >= 0.05).
Startups without a score in a series (no submitted review at that stage) are left out of it."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from incubator.dashboard.types import Prediction, PredictionRow

MIN_WITH_OUTCOMES = 20
CHANCE_LEVEL = 0.05
MIN_GROUP = 5       # fewer funded (or not funded) startups than this: too few to tell


@dataclass(frozen=True)
class Series:
    """One set of scores: application id -> score, for one stage (and criterion)."""

    stage_position: int
    stage_name: str
    key: str
    label: str
    scores: Mapping[int, float]


# --- The maths ----------------------------------------------------------------------------------------


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing the mean of the ranks they span: [10, 20, 20, 30] -> [1, 2.5, 2.5, 4]."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        mean = (i + j) / 2 + 1
        for k in range(i, j + 1):
            ranks[order[k]] = mean
        i = j + 1
    return ranks


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    n = len(x)
    if n != len(y) or n < 2:
        return None
    mx, my = math.fsum(x) / n, math.fsum(y) / n
    sxy = math.fsum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = math.fsum((a - mx) ** 2 for a in x)
    syy = math.fsum((b - my) ** 2 for b in y)
    if sxx <= 0 or syy <= 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    return pearson(average_ranks(x), average_ranks(y))


def mann_whitney(scores: Sequence[float], funded: Sequence[bool]) -> tuple[float, int, int, float | None]:
    """(U of the funded group, n funded, n not funded, two-sided p or None)."""
    n1 = sum(1 for f in funded if f)
    n0 = len(funded) - n1
    ranks = average_ranks(scores)
    u = math.fsum(r for r, f in zip(ranks, funded, strict=True) if f) - n1 * (n1 + 1) / 2
    n = n1 + n0
    if not n1 or not n0:
        return u, n1, n0, None
    ties = math.fsum(t ** 3 - t for t in Counter(scores).values())
    variance = n1 * n0 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if variance <= 0:
        return u, n1, n0, None
    z = (u - n1 * n0 / 2) / math.sqrt(variance)
    return u, n1, n0, math.erfc(abs(z) / math.sqrt(2))


def auc(scores: Sequence[float], funded: Sequence[bool]) -> float | None:
    u, n1, n0, _ = mann_whitney(scores, funded)
    return None if not n1 or not n0 else u / (n1 * n0)


# --- The words ------------------------------------------------------------------------------------------


def describe(auc_value: float | None, p_value: float | None, funded: int, not_funded: int) -> str:
    """One plain-language sentence about one series."""
    if auc_value is None:
        return _("Nothing to compare: every startup here was funded, or none was, or all have the same score.")
    gap = abs(auc_value - 0.5)
    if gap < 0.05:
        strength = _("No real link")
    elif gap < 0.10:
        strength = _("A weak link")
    elif gap < 0.20:
        strength = _("A moderate link")
    else:
        strength = _("A strong link")
    if gap < 0.05:
        direction = _("funded startups scored about the same as the others")
    elif auc_value > 0.5:
        direction = _("funded startups tended to score higher")
    else:
        direction = _("funded startups tended to score lower")
    if min(funded, not_funded) < MIN_GROUP:
        chance = _("too few startups in one group to tell it from chance")
    elif p_value is None or p_value >= CHANCE_LEVEL:
        chance = _("a link this small could be chance")
    else:
        chance = _("unlikely to be chance alone")
    return _("%(strength)s: %(direction)s; %(chance)s.", strength=strength, direction=direction, chance=chance)


def _round(value: float | None, places: int = 3) -> float | None:
    return None if value is None else round(value, places)


def assess(series: Series, funded_ids: set[int]) -> PredictionRow | None:
    """The row of one series over the population it scores; None when it scores nobody."""
    ids = sorted(series.scores)
    if not ids:
        return None
    scores = [float(series.scores[i]) for i in ids]
    labels = [i in funded_ids for i in ids]
    u, n1, n0, p = mann_whitney(scores, labels)
    auc_value = None if not n1 or not n0 else u / (n1 * n0)
    rho = spearman(scores, [1.0 if f else 0.0 for f in labels])
    return PredictionRow(
        stage_position=series.stage_position, stage_name=series.stage_name, key=series.key, label=series.label,
        n=len(ids), funded=n1, not_funded=n0, spearman=_round(rho), auc=_round(auc_value),
        p_value=None if p is None else float(f"{p:.3g}"),
        note=describe(auc_value, p, n1, n0))


def predict(*, with_outcomes: int, population: Sequence[int], funded_ids: set[int], seasons: int,
            series: Sequence[Series]) -> Prediction:
    """The whole section: not ready below MIN_WITH_OUTCOMES startups with outcomes; otherwise one row
    per series that scores somebody in the population."""
    needed = max(0, MIN_WITH_OUTCOMES - with_outcomes)
    people = set(population)
    funded = len(people & funded_ids)
    not_funded = len(people) - funded
    if needed:
        message = ngettext(
            "What predicted success is shown once at least %(min)d selected startups have outcomes recorded. "
            "So far %(num)d has: record outcomes for %(more)d more.",
            "What predicted success is shown once at least %(min)d selected startups have outcomes recorded. "
            "So far %(num)d have: record outcomes for %(more)d more.",
            with_outcomes, min=MIN_WITH_OUTCOMES, more=needed)
        return Prediction(False, with_outcomes, needed, funded, not_funded, seasons, [], message)
    rows = [row for row in (assess(Series(s.stage_position, s.stage_name, s.key, s.label,
                                          {a: v for a, v in s.scores.items() if a in people}), funded_ids)
                            for s in series) if row is not None]
    based = _("Based on %(funded)d funded and %(not_funded)d not funded startups from %(seasons)s.",
              funded=funded, not_funded=not_funded,
              seasons=ngettext("%(num)d season", "%(num)d seasons", seasons))
    if not funded or not not_funded:
        message = based + " " + _("Nothing to compare yet: the startups were all funded, or none was.")
        return Prediction(True, with_outcomes, 0, funded, not_funded, seasons, [], message)
    if not rows:
        message = based + " " + _("The selected startups have no submitted review scores, so there is "
                                  "nothing to compare their outcomes with.")
        return Prediction(True, with_outcomes, 0, funded, not_funded, seasons, [], message)
    notes = [
        _("AUC is the chance that a funded startup scored higher than a not funded one: 0.5 is no better "
          "than a coin toss, 1 means every funded startup scored higher."),
        _("The rank correlation (Spearman) runs from −1 to 1; 0 means no link with being funded."),
        _("Only startups of seasons with outcomes recorded count; a selected startup with no investment "
          "recorded counts as not funded. A link is not a cause: the support during the program shapes "
          "outcomes too."),
    ]
    return Prediction(True, with_outcomes, 0, funded, not_funded, seasons, rows, based, notes)
