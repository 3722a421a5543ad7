"""Startups: the founder's reusable company profile, its team, and the people who may edit it."""
from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from incubator.accounts.models import domain_of, email_domain_default, stored_address
from incubator.core.models import TimestampMixin
from incubator.core.types import str_enum
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
    logo_key: Mapped[str | None] = mapped_column(String(120))
    logo_content_type: Mapped[str | None] = mapped_column(String(80))

    owner: Mapped["User"] = relationship()  # noqa: F821
    members: Mapped[list[TeamMember]] = relationship(
        back_populates="startup", cascade="all, delete-orphan", order_by="TeamMember.id"
    )
    collaborators: Mapped[list[StartupCollaborator]] = relationship(
        back_populates="startup", cascade="all, delete-orphan", order_by="StartupCollaborator.id"
    )

    @property
    def is_women_led(self) -> bool:
        return any(m.gender == Gender.FEMALE for m in self.members)

    def editor_ids(self) -> set[int]:
        return {self.owner_id} | {c.user_id for c in self.collaborators}


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
    # Derived from email (domain_of), for conflict detection's indexed lookups.
    email_domain: Mapped[str | None] = mapped_column(String(254), index=True, default=email_domain_default)
    role: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    gender: Mapped[Gender] = mapped_column(str_enum(Gender, "gender"), nullable=False, default=Gender.UNDISCLOSED)
    birth_year: Mapped[int | None] = mapped_column(Integer)

    startup: Mapped[Startup] = relationship(back_populates="members")

    @validates("email")
    def _keep_email_domain(self, _key, value):
        value = stored_address(value)
        self.email_domain = domain_of(value)
        return value


class StartupCollaborator(TimestampMixin, db.Model):
    """A co-founder invited by e-mail who accepted: may edit the startup and its applications."""

    __tablename__ = "startup_collaborators"
    __table_args__ = (UniqueConstraint("startup_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    startup_id: Mapped[int] = mapped_column(ForeignKey("startups.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    startup: Mapped[Startup] = relationship(back_populates="collaborators")
    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821
