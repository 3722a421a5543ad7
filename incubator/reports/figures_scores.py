"""Scores per stage and criterion, the final ranking, and the reviewers: the numbers come from the
leaderboard (incubator.selection.leaderboard.compute over incubator.reviews.scoring), so the report
never disagrees with the page the manager decided from.

Which applications a stage lists is the leaderboard's rule (leaderboard.listed_facts): neither
drafts nor withdrawn, at this stage now or with an active assignment at it; here it is applied to
the applications already loaded (figures_common.load_season) rather than queried again per stage.

Queries: the active assignments of all stages with their submitted reviews and whether each was on
time (one), and the reviewer names (one)."""
from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from operator import itemgetter

from sqlalchemy import Text, and_, case, cast, select

from incubator.extensions import db
from incubator.programs.models import Stage
from incubator.reports.figures_common import SeasonData, nearest_point, ratio, score
from incubator.reports.figures_types import CriterionFigures, RankedApplication, ReviewerFigures, StageFigures
from incubator.reviews import ranking, scoring
from incubator.reviews.models import Assignment, AssignmentStatus, Review, ReviewStatus
from incubator.selection import leaderboard
from incubator.startups.labels import REGION_LABELS, SECTOR_LABELS


@dataclass
class StageWork:
    """One stage's reviews and leaderboard, shared by the score figures and the reviewer figures."""

    stage: Stage
    criteria: list
    raw: list[tuple]                    # (application, reviewer, scores, recommendation)
    on_time: dict[int, int]             # reviewer -> submitted reviews no later than the deadline
    facts: dict                         # application id -> leaderboard.Facts (listed on the board)
    board: scoring.Leaderboard
    skipped: int
    totals: dict[tuple[int, int], float]   # (application, reviewer) -> review total (fitting reviews)
    clean: list[Mapping]                # the scores of the fitting reviews (whole numbers)


def _fit(app_id: int, reviewer_id: int, scores, rubric: list[scoring.Criterion]) -> tuple[Mapping, float] | None:
    """The scores and the review's total (scoring.review_total) when they fit the rubric (integral
    floats accepted, as the leaderboard does); None when they do not."""
    if not isinstance(scores, Mapping):
        return None
    if not all(type(v) is int for v in scores.values()):  # the usual case: whole numbers (never bools) only
        scores = {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in scores.items()}
    try:
        return scores, scoring.review_total(scoring.Review(app_id, reviewer_id, scores), rubric)
    except (ValueError, TypeError):
        return None


def _listed(data: SeasonData, stage: Stage, assigned_apps: set[int]) -> dict[int, leaderboard.Facts]:
    """The applications on the stage's leaderboard with their facts (leaderboard.listed_facts' rule)."""
    facts = {}
    for app in data.apps:
        if app.status in leaderboard.NOT_LISTED:
            continue
        if app.current_stage_id != stage.id and app.id not in assigned_apps:
            continue
        s = app.startup
        facts[app.id] = leaderboard.Facts(app.id, app.status, app.current_stage_id, s.id, s.name, s.region, s.country,
                                          s.sector, s.stage, s.women_led)
    return facts


def _assignments(stage_ids: list[int]):
    """Every active assignment of the stages with its submitted review, if any: (stage, application,
    reviewer, whether a review was submitted, its scores as stored (JSON text), its recommendation,
    1 when it was submitted no later than the stage's review deadline). One query, run on the
    connection (no ORM rows); the deadline is compared in the database, where both values are stored
    alike."""
    on_time = case((Review.submitted_at <= Stage.review_deadline, 1), else_=0)
    stmt = (select(Assignment.stage_id, Assignment.application_id, Assignment.reviewer_id, Review.id,
                   cast(Review.scores, Text), Review.recommendation, on_time)
            .join(Stage, Stage.id == Assignment.stage_id)
            .outerjoin(Review, and_(Review.assignment_id == Assignment.id, Review.status == ReviewStatus.SUBMITTED))
            .where(Assignment.stage_id.in_(stage_ids), Assignment.status == AssignmentStatus.ACTIVE))
    return db.session.connection().execute(stmt).all()


def stage_work(data: SeasonData) -> tuple[list[StageWork], dict[tuple[int, int], int]]:
    """Each stage's reviews and leaderboard, and the active assignments per (stage, reviewer).

    A rubric allows few distinct sets of scores: each stored one is decoded once (reviews with the
    same scores share one dict, which nobody changes) and fitted to each stage's rubric once."""
    stage_ids = [stage.id for stage in data.stages]
    by_stage: dict[int, list] = defaultdict(list)
    on_time: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    assigned_apps: dict[int, set[int]] = defaultdict(set)
    load: dict[tuple[int, int], int] = defaultdict(int)
    decoded: dict[str, object] = {}
    if stage_ids:
        for stage_id, app_id, reviewer_id, review_id, text, rec, in_time in _assignments(stage_ids):
            assigned_apps[stage_id].add(app_id)
            load[(stage_id, reviewer_id)] += 1
            if review_id is None:
                continue
            if isinstance(text, str):
                scores = decoded.get(text)
                if scores is None:
                    scores = decoded[text] = json.loads(text)
            else:  # a driver that decoded it already
                scores = text
            by_stage[stage_id].append((app_id, reviewer_id, scores, rec))
            if in_time:
                on_time[stage_id][reviewer_id] += 1
    work = []
    for stage in data.stages:
        criteria = sorted(stage.criteria, key=lambda c: (c.position, c.id))
        raw = by_stage[stage.id]
        facts = _listed(data, stage, assigned_apps[stage.id])
        board, skipped = leaderboard.compute(stage, criteria, raw, facts.keys())
        rubric = [scoring.Criterion(c.key, c.weight, c.scale_min, c.scale_max) for c in criteria]
        fits: dict[int, tuple | None] = {}  # id(scores) -> _fit (the dicts are shared, and live on in raw)
        clean, totals = [], {}
        for app_id, reviewer_id, scores, _rec in raw if rubric else ():
            key = id(scores)
            if key not in fits:
                fits[key] = _fit(app_id, reviewer_id, scores, rubric)
            fit = fits[key]
            if fit is not None:
                clean.append(fit[0])
                totals[(app_id, reviewer_id)] = fit[1]
        work.append(StageWork(stage, criteria, raw, dict(on_time[stage.id]), facts, board, skipped, totals, clean))
    return work, dict(load)


# --- Scores ---------------------------------------------------------------------------------------

def _criteria(work: StageWork, locale: str) -> list[CriterionFigures]:
    """Each criterion's histogram and mean over the stage's fitting reviews. Their scores are whole
    numbers within the scale, and a rubric allows few distinct sets of them: the sets are counted in
    one pass, then each criterion's counts are read off the sets (the mean is the exact sum over the
    count, as math.fsum of the scores would give)."""
    criteria = work.criteria
    if not criteria:
        return []
    keys = [c.key for c in criteria]
    pick = itemgetter(*keys)
    sets = Counter(map(pick, work.clean))
    if len(keys) == 1:
        sets = Counter({(value,): n for value, n in sets.items()})
    out = []
    for i, criterion in enumerate(criteria):
        counts: Counter = Counter()
        for scores, n in sets.items():
            counts[scores[i]] += n
        histogram = {point: 0 for point in range(criterion.scale_min, criterion.scale_max + 1)}
        for value, n in counts.items():
            histogram[value] = histogram.get(value, 0) + n
        reviews = sum(counts.values())
        out.append(CriterionFigures(
            key=criterion.key, label=criterion.label_in(locale) or criterion.key, weight=criterion.weight,
            scale_min=criterion.scale_min, scale_max=criterion.scale_max,
            mean=score(sum(value * n for value, n in counts.items()) / reviews) if reviews else None,
            histogram=histogram))
    return out


def _ranking(work: StageWork, locale: str) -> list[RankedApplication]:
    """Every application listed on the stage's leaderboard, in merit order, with the board's numbers."""
    facts = work.facts
    rows = ranking.rank([row for row in work.board.rows if row.application_id in facts], "normalised_score",
                        descending=True)
    statuses = {code: str(text) for code, text in leaderboard.STATUS_LABELS.items()}
    regions = {code: str(text) for code, text in REGION_LABELS.items()}  # translated once, not per row
    sectors = {code: str(text) for code, text in SECTOR_LABELS.items()}
    ranked, position = [], 0
    for row in rows:
        rank = None
        if row.is_scored:
            position += 1
            rank = position
        fact = facts[row.application_id]
        ranked.append(RankedApplication(
            rank=rank, application_id=row.application_id, startup_name=fact.startup_name,
            region=regions.get(fact.region, fact.region or ""), sector=sectors.get(fact.sector, fact.sector or ""),
            women_led=fact.women_led,
            status=statuses.get(fact.status, fact.status), weighted_score=row.weighted_score,
            normalised_score=row.normalised_score, spread=row.spread, reviews=row.review_count,
            reviews_required=row.reviews_required))
    return ranked


def stage_figures(work: StageWork, locale: str) -> StageFigures:
    stats = work.board.stage
    histogram: dict[int, int] = {}
    if work.criteria:
        low, high = nearest_point(stats.scale_min), nearest_point(stats.scale_max)
        histogram = {point: 0 for point in range(low, high + 1)}
        for total, n in Counter(work.totals.values()).items():  # few distinct totals: each rounded once
            point = nearest_point(total)
            histogram[point] = histogram.get(point, 0) + n
    ranking_rows = _ranking(work, locale)
    return StageFigures(
        stage_id=work.stage.id, position=work.stage.position, name=work.stage.name_in(locale),
        is_blind=work.stage.is_blind, applications=len(ranking_rows), reviews_submitted=stats.review_count,
        mean_total=stats.mean, total_histogram=histogram,
        criteria=_criteria(work, locale), ranking=ranking_rows)


# --- Reviewers ------------------------------------------------------------------------------------

def _agreement(work: StageWork) -> dict[int, float]:
    """reviewer -> mean |own total - mean of the other reviewers' totals| over shared applications."""
    by_app: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for (app_id, reviewer_id), total in work.totals.items():
        by_app[app_id].append((reviewer_id, total))
    gaps: dict[int, list[float]] = defaultdict(list)
    for items in by_app.values():
        if len(items) < 2:
            continue
        whole = math.fsum(total for _, total in items)
        for reviewer_id, total in items:
            others = (whole - total) / (len(items) - 1)
            gaps[reviewer_id].append(abs(total - others))
    return {reviewer_id: math.fsum(values) / len(values) for reviewer_id, values in gaps.items()}


def reviewer_figures(works: list[StageWork], assigned: dict[tuple[int, int], int], locale: str
                     ) -> list[ReviewerFigures]:
    ids = {reviewer_id for _stage, reviewer_id in assigned}
    ids |= {raw[1] for w in works for raw in w.raw}
    names = leaderboard.reviewer_names(ids)
    out = []
    for work in works:
        stage, deadline = work.stage, work.stage.review_deadline
        stats = {stat.reviewer_id: stat for stat in work.board.reviewers}
        agreement = _agreement(work)
        submitted = Counter(raw[1] for raw in work.raw)
        on_time = work.on_time
        here = {r for (s, r) in assigned if s == stage.id} | set(submitted)
        stage_name = stage.name_in(locale)
        for reviewer_id in sorted(here, key=lambda r: (names.get(r, "").casefold(), r)):
            stat = stats.get(reviewer_id)
            count = submitted.get(reviewer_id, 0)
            load = assigned.get((stage.id, reviewer_id), 0)
            out.append(ReviewerFigures(
                reviewer_id=reviewer_id, name=names.get(reviewer_id, ""), stage_id=stage.id, stage_name=stage_name,
                assigned=load, submitted=count, completion=ratio(count, load),
                on_time_rate=ratio(on_time.get(reviewer_id, 0), count) if deadline is not None else None,
                mean_given=stat.mean if stat else None, stage_mean=work.board.stage.mean if stat else None,
                bias=stat.delta_vs_stage if stat else None,
                agreement=score(agreement.get(reviewer_id)) if reviewer_id in agreement else None))
    return out
