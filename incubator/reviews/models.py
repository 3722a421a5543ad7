"""Reviewers of a program, their conflicts of interest, assignments at a stage, and reviews."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.core.models import TimestampMixin
from incubator.core.types import UTCDateTime, str_enum
from incubator.extensions import db


class ReviewerProfile(TimestampMixin, db.Model):
    """A reviewer in a program's pool: expertise (sectors), languages, and the most reviews per stage."""

    __tablename__ = "reviewer_profiles"
    __table_args__ = (UniqueConstraint("program_id", "user_id"),
                      CheckConstraint("max_load >= 0", name="max_load_not_negative"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    expertise: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    languages: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    max_load: Mapped[int] = mapped_column(Integer, nullable=False, default=20)

    user: Mapped["User"] = relationship(lazy="joined")  # noqa: F821


class ReviewerInvitation(TimestampMixin, db.Model):
    """An invitation by e-mail to review for a program (the link is signed; this row lists it)."""

    __tablename__ = "reviewer_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), nullable=False, index=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False, index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expertise: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    languages: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    max_load: Mapped[int] = mapped_column(Integer, nullable=False, default=20)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ConflictSource(enum.StrEnum):
    DECLARED = "declared"    # by the reviewer, with a private reason
    DETECTED = "detected"    # team member by e-mail, shared private e-mail domain
    MANAGER = "manager"      # added by a manager


class ConflictOfInterest(TimestampMixin, db.Model):
    """A reviewer must neither see nor score a startup's applications, in this and later seasons."""

    __tablename__ = "conflicts_of_interest"
    __table_args__ = (UniqueConstraint("reviewer_id", "startup_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    startup_id: Mapped[int] = mapped_column(ForeignKey("startups.id", ondelete="CASCADE"), nullable=False, index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="SET NULL"))
    source: Mapped[ConflictSource] = mapped_column(str_enum(ConflictSource, "conflict_source"), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")  # private: managers only
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class AssignmentStatus(enum.StrEnum):
    ACTIVE = "active"
    RELEASED = "released"  # a conflict was declared, or a manager removed it


class Assignment(TimestampMixin, db.Model):
    """One reviewer asked to review one application at one stage."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("stage_id", "application_id", "reviewer_id"),
        Index("ix_assignments_reviewer_stage_status", "reviewer_id", "stage_id", "status"),
        Index("ix_assignments_stage_application", "stage_id", "application_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), nullable=False)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), nullable=False)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    status: Mapped[AssignmentStatus] = mapped_column(str_enum(AssignmentStatus, "assignment_status"), nullable=False,
                                                     default=AssignmentStatus.ACTIVE)
    is_auto: Mapped[bool] = mapped_column(db.Boolean, nullable=False, default=False)
    reason: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    reason_key: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    reason_params: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped["Application"] = relationship()  # noqa: F821
    stage: Mapped["Stage"] = relationship()  # noqa: F821
    reviewer: Mapped["User"] = relationship(foreign_keys=[reviewer_id])  # noqa: F821
    review: Mapped[Review | None] = relationship(back_populates="assignment", uselist=False,
                                                 cascade="all, delete-orphan")


class ReviewStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Review(TimestampMixin, db.Model):
    """A reviewer's scores per criterion (by key), recommendation, feedback for the founder and a
    private note for the committee. Draft until submitted; editable until the stage's review deadline."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), nullable=False,
                                               unique=True)
    scores: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    total: Mapped[float | None] = mapped_column(Float)  # weighted mean of the scores, when complete
    recommendation: Mapped[str | None] = mapped_column(String(16))
    feedback: Mapped[str] = mapped_column(Text, nullable=False, default="")
    private_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[ReviewStatus] = mapped_column(str_enum(ReviewStatus, "review_status"), nullable=False,
                                                 default=ReviewStatus.DRAFT, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    assignment: Mapped[Assignment] = relationship(back_populates="review")
