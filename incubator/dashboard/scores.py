"""The review scores behind "what predicted success": for the given seasons, each stage's normalised
score and criterion means per application, computed by the same maths as the leaderboard
(incubator.selection.leaderboard.compute over the whole stage, so normalisation is the stage's own).

Three queries whatever the number of seasons and stages: the stages, their criteria, the submitted
reviews. Stages are matched across seasons by position; the names come from the latest season."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from incubator.core.models import translated
from incubator.dashboard.prediction import Series
from incubator.extensions import db
from incubator.programs.models import Criterion, Season, Stage
from incubator.reviews.models import Assignment, AssignmentStatus, Review, ReviewStatus
from incubator.selection.leaderboard import compute

NORMALISED = "normalised_score"
CRITERION = "criterion:"


def score_series(seasons: list[Season], population: set[int], locale: str, normalised_label: str) -> list[Series]:
    """One series per stage position (normalised score) and per (position, criterion key)."""
    if not seasons or not population:
        return []
    order = {s.id: i for i, s in enumerate(sorted(seasons, key=lambda s: (s.opens_at, s.id)))}
    stages = list(db.session.scalars(select(Stage).where(Stage.season_id.in_(list(order)))))
    if not stages:
        return []
    criteria: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in db.session.scalars(select(Criterion).where(Criterion.stage_id.in_([s.id for s in stages]))
                                        .order_by(Criterion.position, Criterion.id)):
        criteria[criterion.stage_id].append(criterion)
    reviews: dict[int, list[tuple]] = defaultdict(list)
    stmt = (select(Assignment.stage_id, Assignment.application_id, Assignment.reviewer_id, Review.scores,
                   Review.recommendation)
            .join(Review, Review.assignment_id == Assignment.id)
            .where(Assignment.stage_id.in_([s.id for s in stages]), Assignment.status == AssignmentStatus.ACTIVE,
                   Review.status == ReviewStatus.SUBMITTED))
    for stage_id, *review in db.session.execute(stmt):
        reviews[stage_id].append(tuple(review))

    names: dict[int, tuple[int, str]] = {}                    # position -> (season order, name)
    labels: dict[tuple[int, str], tuple[int, int, str]] = {}  # (position, key) -> (season order, position, label)
    values: dict[tuple[int, str], dict[int, float]] = defaultdict(dict)
    for stage in stages:
        rank = order[stage.season_id]
        if stage.position not in names or names[stage.position][0] < rank:
            names[stage.position] = (rank, stage.name_in(locale))
        for c in criteria[stage.id]:
            key = (stage.position, CRITERION + c.key)
            if key not in labels or labels[key][0] < rank:
                labels[key] = (rank, c.position, translated(c.label, locale) or c.key)
        if not reviews[stage.id] or not criteria[stage.id]:
            continue
        board, _skipped = compute(stage, criteria[stage.id], reviews[stage.id], ())
        for row in board.rows:
            if row.application_id not in population or not row.is_scored:
                continue
            values[(stage.position, NORMALISED)][row.application_id] = row.normalised_score
            for key, mean in row.criterion_means.items():
                if mean is not None:
                    values[(stage.position, CRITERION + key)][row.application_id] = mean

    series = []
    for (position, key), scores in values.items():
        label = normalised_label if key == NORMALISED else labels.get((position, key), (0, 0, key))[2]
        series.append(Series(position, names[position][1], key, label, scores))
    rank_in_stage = {k: v[1] for k, v in labels.items()}
    series.sort(key=lambda s: (s.stage_position, s.key != NORMALISED, rank_in_stage.get((s.stage_position, s.key), 0),
                               s.key))
    return series
