"""Season reports: one row per compiled report, with the files it produced.

A report is compiled by a Celery task (kind "season_report" job) in one language. Its files are
stored under random storage keys with their SHA-256; a later report is a new row with new files, so
an earlier report is never overwritten. A report of a season that is not closed is provisional."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.core.models import TimestampMixin
from incubator.core.types import UTCDateTime, str_enum
from incubator.extensions import db


class ReportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class SeasonReport(TimestampMixin, db.Model):
    __tablename__ = "season_reports"
    __table_args__ = (Index("ix_season_reports_season_created", "season_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"), nullable=False)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), index=True)
    status: Mapped[ReportStatus] = mapped_column(str_enum(ReportStatus, "report_status"), nullable=False,
                                                 default=ReportStatus.QUEUED)
    locale: Mapped[str] = mapped_column(String(8), nullable=False, default="en")
    provisional: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    # [{"format": "pdf"|"html"|"xlsx"|"csv", "name": "funnel.csv", "key": <storage key>,
    #   "content_type": ..., "size": bytes, "sha256": hex}], written only once every file is stored.
    files: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    # Headline figures for lists and the API (funnel totals), filled when the report is done.
    summary: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)

    season: Mapped["Season"] = relationship()  # noqa: F821
