"""Offers to accepted applications and the waitlist behind them."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.core.models import TimestampMixin
from incubator.core.types import UTCDateTime, str_enum
from incubator.extensions import db


class OfferStatus(enum.StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    EXPIRED = "expired"


class Offer(TimestampMixin, db.Model):
    """A seat offered to an application accepted from the last stage; the founder confirms or declines
    before the deadline, and a decline or an expiry promotes the best-ranked waitlisted application."""

    __tablename__ = "offers"
    __table_args__ = (Index("ix_offers_status_deadline_at", "status", "deadline_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), nullable=False,
                                                unique=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"), nullable=False, index=True)
    status: Mapped[OfferStatus] = mapped_column(str_enum(OfferStatus, "offer_status"), nullable=False,
                                                default=OfferStatus.OPEN)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    promoted_from_waitlist: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    application: Mapped["Application"] = relationship()  # noqa: F821


class WaitlistEntry(TimestampMixin, db.Model):
    """A waitlisted application's place: the lower the rank, the sooner it is promoted."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (Index("ix_waitlist_entries_season_rank", "season_id", "rank"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), nullable=False,
                                                unique=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"), nullable=False)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"))
    rank: Mapped[float] = mapped_column(Float, nullable=False)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped["Application"] = relationship()  # noqa: F821
