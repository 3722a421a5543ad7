"""Storing a stage's computed leaderboard (incubator.selection.board_models), and telling whether
the stored one is current (incubator.selection.board_versions bumps `stages.scores_version`).

Building: the version is read first, then the reviews; the board is written tagged with that
version. A change committed in between bumps the version past it, so the board is only ever found
current when nothing it depends on changed since. Two readers refreshing the same stage at once:
the writes are serialised (the stage_boards row is locked on PostgreSQL; SQLite writes one at a
time), and the second finds the board already written at its version and leaves it; a board
computed from data that has changed since is not written at all. A write that fails is logged and
dropped: the reader still gets the board it computed."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from sqlalchemy import String, bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.programs.models import Stage
from incubator.reviews import ranking, scoring
from incubator.reviews.models import Assignment, AssignmentStatus
from incubator.selection.board_models import StageBoardRecord, StageBoardRow

log = logging.getLogger(__name__)
CHUNK = 2000  # rows per INSERT (executemany)


@dataclass(frozen=True)
class StoredState:
    """What the stored board of a stage is: the stage's version now, the one it was built at."""

    current: int
    built: int | None = None
    stats: scoring.StageStats | None = None
    reviewers: list[scoring.ReviewerStat] = field(default_factory=list)
    skipped: int = 0

    @property
    def fresh(self) -> bool:
        return self.built is not None and self.built == self.current


def state(stage_id: int) -> StoredState:
    """The stage's version and its stored board's numbers: one query."""
    row = db.session.execute(
        select(Stage.scores_version, StageBoardRecord.version, StageBoardRecord.stats, StageBoardRecord.reviewers,
               StageBoardRecord.skipped_reviews)
        .outerjoin(StageBoardRecord, StageBoardRecord.stage_id == Stage.id).where(Stage.id == stage_id)).one()
    current, built, stats, reviewers, skipped = row
    if built is None or built != current:
        return StoredState(current=current or 0, built=built)
    return StoredState(current=current, built=built, stats=scoring.StageStats(**stats),
                       reviewers=[_reviewer(item) for item in reviewers], skipped=skipped)


def _reviewer(item: dict) -> scoring.ReviewerStat:
    return scoring.ReviewerStat(item["reviewer_id"], item["count"], item["mean"], item["sd"], item["delta_vs_stage"],
                                scoring.Bias(item["label"]), item["own_norm"])


def assigned_applications(stage: Stage) -> set[int]:
    """The applications with an active assignment at the stage (the rows the store keeps): one query."""
    return set(db.session.scalars(select(Assignment.application_id).distinct().where(
        Assignment.stage_id == stage.id, Assignment.status == AssignmentStatus.ACTIVE)))


def row_values(stage_id: int, board: scoring.Leaderboard, application_ids: set[int]) -> list[dict]:
    """The stored rows: the board's rows of these applications, with their place in the merit order."""
    rows = [row for row in board.rows if row.application_id in application_ids]
    merit = {row.application_id: place
             for place, row in enumerate((r for r in ranking.rank(rows) if r.is_scored), start=1)}
    return [{"stage_id": stage_id, "application_id": row.application_id, "merit": merit.get(row.application_id),
             "weighted_score": row.weighted_score, "normalised_score": row.normalised_score, "spread": row.spread,
             "review_count": row.review_count, "reviews_required": row.reviews_required,
             "criterion_means": row.criterion_means, "recommendations": row.recommendations,
             "flags": ",".join(sorted(row.flags))} for row in rows]


def _insert_rows(values: list[dict]) -> None:
    """INSERT the rows in chunks (Core executemany). On SQLite the JSON text is written as it is
    stored, each distinct value serialised once (the bind processor would serialise every row)."""
    connection = db.session.connection()
    table = StageBoardRow.__table__
    stmt = insert(table)
    if connection.dialect.name == "sqlite":
        stmt = stmt.values(criterion_means=bindparam("criterion_means", type_=String),
                           recommendations=bindparam("recommendations", type_=String))
        texts: dict[tuple, str] = {}

        def text(value: dict) -> str:
            key = tuple(value.items())
            if key not in texts:
                texts[key] = json.dumps(value)
            return texts[key]

        values = [{**row, "criterion_means": text(row["criterion_means"]),
                   "recommendations": text(row["recommendations"])} for row in values]
    for start in range(0, len(values), CHUNK):
        connection.execute(stmt, values[start:start + CHUNK])


def _claim(stage_id: int) -> int | None:
    """Lock the stage's board record (creating it if need be); the version it holds (None: none yet)."""
    table = StageBoardRecord.__table__
    make = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(make(table).values(stage_id=stage_id, version=-1, stats={}, reviewers=[], skipped_reviews=0)
                       .on_conflict_do_nothing(index_elements=["stage_id"]))
    built = db.session.scalar(select(table.c.version).where(table.c.stage_id == stage_id).with_for_update())
    return None if built is None or built < 0 else built


def store(stage: Stage, version: int, board: scoring.Leaderboard, skipped: int, application_ids: set[int], *,
          commit: bool = False) -> bool:
    """Write the board computed at `version`; True when written. Joins the caller's transaction
    (`commit`: and commits it, for a request that only reads)."""
    values = row_values(stage.id, board, application_ids)
    stats = {"mean": board.stage.mean, "sd": board.stage.sd, "review_count": board.stage.review_count,
             "reviewer_count": board.stage.reviewer_count, "scale_min": board.stage.scale_min,
             "scale_max": board.stage.scale_max}
    reviewers = [{"reviewer_id": s.reviewer_id, "count": s.count, "mean": s.mean, "sd": s.sd,
                  "delta_vs_stage": s.delta_vs_stage, "label": str(s.label), "own_norm": s.own_norm}
                 for s in board.reviewers]
    written = False
    try:
        with db.session.begin_nested():
            built = _claim(stage.id)
            current = db.session.scalar(select(Stage.scores_version).where(Stage.id == stage.id))
            if built != version and current == version:  # else: written already, or computed from stale data
                db.session.execute(delete(StageBoardRow).where(StageBoardRow.stage_id == stage.id)
                                   .execution_options(synchronize_session=False))
                _insert_rows(values)
                db.session.execute(update(StageBoardRecord).where(StageBoardRecord.stage_id == stage.id)
                                   .values(version=version, stats=stats, reviewers=reviewers,
                                           skipped_reviews=skipped, built_at=utcnow())
                                   .execution_options(synchronize_session=False))
                written = True
        if commit:
            db.session.commit()
    except SQLAlchemyError:
        log.warning("could not store the leaderboard of stage %s", stage.id, exc_info=True)
        if commit:
            db.session.rollback()
        return False
    return written
