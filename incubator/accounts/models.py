"""Users, per-program roles and API tokens."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from incubator.core.models import TimestampMixin
from incubator.core.types import UTCDateTime, str_enum
from incubator.extensions import db


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


def stored_address(email: str | None) -> str | None:
    """An address as users and team members store it: stripped and lower-cased (the services store
    what normalise_email gives, which this leaves as it is), so that lookups by address are plain
    index lookups. Applied by the validators on `email` below."""
    return email.strip().lower() if isinstance(email, str) else email


def domain_of(email: str | None) -> str | None:
    """The lower-cased domain of a stored address (after its last "@"), None when it has none. Kept
    in the `email_domain` columns of users and team members (conflict detection looks people up by
    it); set by the validators on `email` (every ORM write) and by the column default (Core inserts
    that leave it out), so it cannot be forgotten."""
    value = (email or "").strip()
    if not value or "\x00" in value or len(value) > 254 or "@" not in value:
        return None
    return value.rsplit("@", 1)[1].lower() or None


def email_domain_default(context) -> str | None:
    """Column default for Core inserts that give `email` but not `email_domain` (bulk loads)."""
    return domain_of(context.get_current_parameters().get("email"))


class Role(enum.StrEnum):
    REVIEWER = "reviewer"
    MANAGER = "manager"


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    # Derived from email (domain_of), for conflict detection's indexed lookups.
    email_domain: Mapped[str | None] = mapped_column(String(254), index=True, default=email_domain_default)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    locale: Mapped[str] = mapped_column(String(8), nullable=False, default="en")
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="Asia/Tashkent")
    is_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_active_account: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Part of the login id: rotating it ends every session and remember-me cookie of this user.
    session_token: Mapped[str] = mapped_column(String(64), nullable=False, default=new_session_token)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    roles: Mapped[list[ProgramRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        foreign_keys="ProgramRole.user_id",
    )

    @validates("email")
    def _keep_email_domain(self, _key, value):
        value = stored_address(value)
        self.email_domain = domain_of(value)
        return value

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def has_2fa(self) -> bool:
        return self.totp_enabled_at is not None

    def program_ids(self, role: Role) -> set[int]:
        return {r.program_id for r in self.roles if r.role == role}

    @property
    def is_staff(self) -> bool:
        return self.is_admin or any(r.role == Role.MANAGER for r in self.roles)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class ProgramRole(TimestampMixin, db.Model):
    __tablename__ = "program_roles"
    __table_args__ = (UniqueConstraint("user_id", "program_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[Role] = mapped_column(
        str_enum(Role, "role"),
        nullable=False,
    )
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])
    program: Mapped["Program"] = relationship(lazy="joined")  # noqa: F821


class ApiToken(TimestampMixin, db.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
