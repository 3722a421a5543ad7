"""What became of the startups a season selected: products, investments, grants, jobs; and the
exchange rates a manager enters so that totals can be shown in UZS.

Money is a decimal amount with its ISO currency (UZS or USD), never a float."""
from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.core.models import TimestampMixin
from incubator.core.types import str_enum
from incubator.extensions import db

CURRENCIES = ("UZS", "USD")


class OutcomeKind(enum.StrEnum):
    PRODUCT = "product"        # product developed: occurred_on, link
    INVESTMENT = "investment"  # investor, amount + currency, occurred_on, round
    GRANT = "grant"            # grant or competition entered: name, result (amount optional)
    JOBS = "jobs"              # jobs created: jobs, occurred_on


class Outcome(TimestampMixin, db.Model):
    __tablename__ = "outcomes"
    __table_args__ = (
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_not_negative"),
        CheckConstraint("jobs IS NULL OR jobs >= 0", name="jobs_not_negative"),
        Index("ix_outcomes_season_kind", "season_id", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), nullable=False,
                                                index=True)
    # Denormalised from the application so season and program totals need no join through applications.
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[OutcomeKind] = mapped_column(str_enum(OutcomeKind, "outcome_kind"), nullable=False)
    occurred_on: Mapped[date | None] = mapped_column(Date)
    link: Mapped[str | None] = mapped_column(String(300))
    investor: Mapped[str | None] = mapped_column(String(200))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    round: Mapped[str | None] = mapped_column(String(60))
    name: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[str | None] = mapped_column(String(200))
    jobs: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    application: Mapped["Application"] = relationship()  # noqa: F821


class ExchangeRate(TimestampMixin, db.Model):
    """1 `currency` = `rate` UZS for investments dated valid_from..valid_to (inclusive), per program."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        CheckConstraint("rate > 0", name="rate_positive"),
        CheckConstraint("valid_to >= valid_from", name="period_in_order"),
        Index("ix_exchange_rates_program_currency", "program_id", "currency", "valid_from"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    rate: Mapped[Decimal] = mapped_column(Numeric(20, 6), nullable=False)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[date] = mapped_column(Date, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
