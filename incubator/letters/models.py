"""Decision-letter templates per program, kind and language; batches of letters sent."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from incubator.core.models import TimestampMixin
from incubator.core.types import UTCDateTime
from incubator.extensions import db


class LetterTemplate(TimestampMixin, db.Model):
    __tablename__ = "letter_templates"
    __table_args__ = (UniqueConstraint("program_id", "kind", "locale"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    locale: Mapped[str] = mapped_column(String(8), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LetterBatch(TimestampMixin, db.Model):
    """One "send the letters" action: what the manager chose (the decisions' events, or applications,
    or every decision not announced yet), and, once the `letters.send_batch` task has prepared it
    (`prepared_at`), which notifications it queued (each with its own dedupe key per decision, so
    sending the same letters again queues nothing new)."""

    __tablename__ = "letter_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"), nullable=False, index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    include_feedback: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    event_ids: Mapped[list[int] | None] = mapped_column(JSON)
    application_ids: Mapped[list[int] | None] = mapped_column(JSON)
    all_unsent: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    prepared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class LetterBatchItem(db.Model):
    __tablename__ = "letter_batch_items"
    __table_args__ = (UniqueConstraint("batch_id", "notification_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("letter_batches.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"), nullable=False,
                                                 index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), nullable=False)
