"""Startups (the founder's reusable profile), their teams, applications, answers and timelines."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.applications.states import Status
from incubator.core.models import TimestampMixin
from incubator.core.types import UTCDateTime, str_enum
from incubator.extensions import db



REGIONS = (
    "andijan", "bukhara", "fergana", "jizzakh", "kashkadarya", "khorezm", "namangan", "navoiy",
    "samarkand", "surkhandarya", "syrdarya", "tashkent_region", "tashkent_city", "karakalpakstan",
)
COUNTRIES = ("UZ", "KZ", "KG", "TJ", "TM")
SECTORS = (
    "agritech", "edtech", "fintech", "healthtech", "ecommerce", "logistics", "govtech", "cleantech",
    "tourism", "media", "robotics", "cybersecurity", "mobile_apps", "web_services", "manufacturing",
)


class StartupStage(enum.StrEnum):
    IDEA = "idea"
    PROTOTYPE = "prototype"
    MVP = "mvp"
    REVENUE = "revenue"


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    UNDISCLOSED = "undisclosed"


class Startup(TimestampMixin, db.Model):
    __tablename__ = "startups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    pitch: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    sector: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    region: Mapped[str | None] = mapped_column(String(40), index=True)
    country: Mapped[str] = mapped_column(String(2), nullable=False, default="UZ")
    stage: Mapped[StartupStage] = mapped_column(
        str_enum(StartupStage, "startup_stage"), nullable=False, default=StartupStage.IDEA
    )
    founded_on: Mapped[date | None] = mapped_column(Date)
    website: Mapped[str | None] = mapped_column(String(300))

    owner: Mapped["User"] = relationship()  # noqa: F821
    members: Mapped[list[TeamMember]] = relationship(
        back_populates="startup", cascade="all, delete-orphan", order_by="TeamMember.id"
    )


class TeamMember(TimestampMixin, db.Model):
    __tablename__ = "team_members"
    __table_args__ = (
        CheckConstraint("birth_year IS NULL OR (birth_year > 1900 AND birth_year < 2100)", name="birth_year_sane"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    startup_id: Mapped[int] = mapped_column(ForeignKey("startups.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    role: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    gender: Mapped[Gender] = mapped_column(str_enum(Gender, "gender"), nullable=False, default=Gender.UNDISCLOSED)
    birth_year: Mapped[int | None] = mapped_column(Integer)

    startup: Mapped[Startup] = relationship(back_populates="members")


class Application(TimestampMixin, db.Model):
    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_season_status", "season_id", "status"),
        Index("ix_applications_startup_season", "startup_id", "season_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"), nullable=False)
    startup_id: Mapped[int] = mapped_column(ForeignKey("startups.id", ondelete="CASCADE"), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[Status] = mapped_column(str_enum(Status, "application_status"), nullable=False, default=Status.DRAFT)
    current_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    season: Mapped["Season"] = relationship()  # noqa: F821
    startup: Mapped[Startup] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="application", cascade="all, delete-orphan")
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationEvent.id"
    )


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("application_id", "question_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), nullable=False, index=True)
    value: Mapped[object] = mapped_column(JSON)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship(back_populates="answers")


class ApplicationEvent(TimestampMixin, db.Model):
    """One line of an application's timeline: who, when, from, to, why."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")

    application: Mapped[Application] = relationship(back_populates="events")
