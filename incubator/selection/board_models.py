"""A stage's leaderboard as last computed, stored so that a page of it is one indexed query rather
than the z-score maths over every review of the stage (incubator.selection.board_store writes it,
incubator.selection.board_read reads it).

`StageBoardRecord`: one per stage, the `stages.scores_version` it was built at, the stage's numbers
and the reviewers' indicators. `StageBoardRow`: one per application with an active assignment at
the stage at that time, with its scores (None without a submitted review) and its `merit`: the
position in the merit order (ranking.rank by normalised score) among the stored rows that have a
review, None for the others. What changes without changing the scores (the application's status,
its current stage, the startup's facts) is never stored: it is joined when reading."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from incubator.core.types import UTCDateTime
from incubator.extensions import db


class StageBoardRecord(db.Model):
    __tablename__ = "stage_boards"

    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), primary_key=True,
                                          autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # stages.scores_version it was built at
    stats: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)  # scoring.StageStats fields
    reviewers: Mapped[list] = mapped_column(JSON, nullable=False, default=list)  # scoring.ReviewerStat fields
    skipped_reviews: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StageBoardRow(db.Model):
    __tablename__ = "stage_board_rows"
    # The primary key (stage, application) joins a row to its application; (stage, merit) walks the
    # merit order a page at a time; (application) serves the foreign key. The other orders sort the
    # rows joined to their applications (the listing is live), which no index of this table serves.
    __table_args__ = (
        Index("ix_stage_board_rows_stage_merit", "stage_id", "merit"),
        Index("ix_stage_board_rows_application", "application_id"),
    )

    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), primary_key=True,
                                          autoincrement=False)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True,
                                                autoincrement=False)
    merit: Mapped[int | None] = mapped_column(Integer)
    weighted_score: Mapped[float | None] = mapped_column(Float)
    normalised_score: Mapped[float | None] = mapped_column(Float)
    spread: Mapped[float | None] = mapped_column(Float)
    review_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reviews_required: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    criterion_means: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    recommendations: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    flags: Mapped[str] = mapped_column(String(100), nullable=False, default="")  # sorted, comma-separated
