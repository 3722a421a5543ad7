"""Organisations, programs, seasons and what a season is made of: questions, stages, criteria."""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.core.models import TimestampMixin, translated
from incubator.core.timeutil import utcnow, zone
from incubator.core.types import UTCDateTime, str_enum
from incubator.extensions import db



class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    slug: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False, default="UZ")
    website: Mapped[str | None] = mapped_column(String(300))

    programs: Mapped[list[Program]] = relationship(back_populates="organisation", order_by="Program.name")


class Program(TimestampMixin, db.Model):
    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    slug: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    summary: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    website: Mapped[str | None] = mapped_column(String(300))
    # The languages the program's forms and letters are offered in, e.g. ["uz", "ru", "en"].
    languages: Mapped[list] = mapped_column(JSON, nullable=False, default=lambda: ["en", "ru", "uz"])
    default_locale: Mapped[str] = mapped_column(String(8), nullable=False, default="uz")
    # Eligibility rules as data, e.g. [{"rule": "women_led"}, {"rule": "founder_age", "min": 14, "max": 30},
    # {"rule": "regions", "allowed": [...]}, {"rule": "countries", "allowed": ["UZ", "KZ"]}].
    eligibility_rules: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    is_public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    organisation: Mapped[Organisation] = relationship(back_populates="programs", lazy="joined")
    seasons: Mapped[list[Season]] = relationship(
        back_populates="program", order_by="Season.opens_at", cascade="all, delete-orphan"
    )

    def summary_in(self, locale: str | None) -> str:
        return translated(self.summary, locale)


class SeasonStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    REVIEWING = "reviewing"
    DECIDED = "decided"
    CLOSED = "closed"


class Season(TimestampMixin, db.Model):
    __tablename__ = "seasons"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="window_in_order"),
        CheckConstraint("grace_minutes >= 0", name="grace_not_negative"),
        CheckConstraint("quota IS NULL OR quota >= 0", name="quota_not_negative"),
        UniqueConstraint("program_id", "slug"),
        Index("ix_seasons_status_closes_at", "status", "closes_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    slug: Mapped[str] = mapped_column(String(80), nullable=False)
    description: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    status: Mapped[SeasonStatus] = mapped_column(
        str_enum(SeasonStatus, "season_status"), nullable=False, default=SeasonStatus.DRAFT
    )
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="Asia/Tashkent")
    grace_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    quota: Mapped[int | None] = mapped_column(Integer)
    offer_confirmation_days: Mapped[int] = mapped_column(Integer, nullable=False, default=7)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    program: Mapped[Program] = relationship(back_populates="seasons", lazy="joined")
    questions: Mapped[list[Question]] = relationship(
        back_populates="season", order_by="Question.position", cascade="all, delete-orphan"
    )
    stages: Mapped[list[Stage]] = relationship(
        back_populates="season", order_by="Stage.position", cascade="all, delete-orphan"
    )

    @property
    def tz(self):
        return zone(self.timezone)

    def is_accepting(self, now: datetime | None = None) -> bool:
        from datetime import timedelta

        now = now or utcnow()
        return (
            self.status == SeasonStatus.OPEN
            and self.opens_at <= now <= self.closes_at + timedelta(minutes=self.grace_minutes)
        )

    def description_in(self, locale: str | None) -> str:
        return translated(self.description, locale)


class QuestionType(enum.StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    URL = "url"
    DATE = "date"
    FILE = "file"


class Question(TimestampMixin, db.Model):
    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("season_id", "key"),
        CheckConstraint("max_chars IS NULL OR max_chars > 0", name="max_chars_positive"),
        CheckConstraint("max_words IS NULL OR max_words > 0", name="max_words_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"), nullable=False, index=True)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    type: Mapped[QuestionType] = mapped_column(str_enum(QuestionType, "question_type"), nullable=False)
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    label: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    help_text: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    # For choice questions: [{"value": "agritech", "label": {"en": ..., "ru": ..., "uz": ...}}, ...]
    options: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    max_chars: Mapped[int | None] = mapped_column(Integer)
    max_words: Mapped[int | None] = mapped_column(Integer)
    min_value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    max_value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    shown_in_blind: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    season: Mapped[Season] = relationship(back_populates="questions")

    def label_in(self, locale: str | None) -> str:
        return translated(self.label, locale)

    def help_in(self, locale: str | None) -> str:
        return translated(self.help_text, locale)

    def option_label(self, value, locale: str | None) -> str:
        """The label of a choice value in a language (the value itself when it is not an option)."""
        for option in self.options or []:
            if str(option.get("value")) == str(value):
                return translated(option.get("label"), locale) or str(value)
        return str(value)

    def display_answer(self, value, locale: str | None) -> str:
        """An answer as a person reads it: option labels for choices, the text otherwise."""
        if value is None or value == "" or value == []:
            return ""
        if self.type in (QuestionType.CHOICE, QuestionType.MULTI_CHOICE):
            values = value if isinstance(value, list) else [value]
            return ", ".join(self.option_label(v, locale) for v in values)
        return str(value)


class Stage(TimestampMixin, db.Model):
    __tablename__ = "stages"
    __table_args__ = (
        UniqueConstraint("season_id", "position"),
        CheckConstraint("reviews_required >= 1", name="reviews_required_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    reviews_required: Mapped[int] = mapped_column(Integer, nullable=False, default=2)
    is_blind: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    review_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewers_see_others: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Spread of review totals (scale points) above which the leaderboard flags a disagreement.
    disagreement_threshold: Mapped[Decimal] = mapped_column(Numeric(4, 2), nullable=False, default=Decimal("1.00"),
                                                            server_default="1.00")
    # Bumped (one UPDATE) whenever something the stored leaderboard depends on changes: a review
    # submitted, edited or removed, an assignment added or released, the rubric or the thresholds
    # (incubator.selection.board_versions). The stored board says which version it was built at.
    scores_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")

    season: Mapped[Season] = relationship(back_populates="stages")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="stage", order_by="Criterion.position", cascade="all, delete-orphan"
    )

    def name_in(self, locale: str | None) -> str:
        return translated(self.name, locale)


class Criterion(TimestampMixin, db.Model):
    __tablename__ = "criteria"
    __table_args__ = (
        UniqueConstraint("stage_id", "key"),
        CheckConstraint("weight > 0", name="weight_positive"),
        CheckConstraint("scale_max > scale_min", name="scale_in_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), nullable=False, index=True)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    label: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    description: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 3), nullable=False, default=Decimal("1"))
    scale_min: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    scale_max: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    # Words for the points of the scale, e.g. {"1": {"en": "Weak", "ru": ..., "uz": ...}, "5": {...}}; any
    # point may be left without a label.
    scale_labels: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict, server_default="{}")

    stage: Mapped[Stage] = relationship(back_populates="criteria")

    def label_in(self, locale: str | None) -> str:
        return translated(self.label, locale)

    def point_label(self, point: int, locale: str | None) -> str:
        """The word for one point of the scale in a language ("" when the point has none)."""
        return translated((self.scale_labels or {}).get(str(point)), locale)
