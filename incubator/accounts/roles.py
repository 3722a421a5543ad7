"""Granting and revoking per-program roles (admins do this)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from incubator.accounts.models import ProgramRole, Role, User
from incubator.accounts.policies import can_administer
from incubator.core.errors import NotAllowed, NotFound, RuleViolation
from incubator.core.urls import public_url
from incubator.extensions import db
from incubator.notifications.services import queue_notification


def grant_role(user: User, program, role: str, *, actor: User) -> ProgramRole:
    if not can_administer(actor):
        raise NotAllowed()
    try:
        role_enum = Role(role)
    except ValueError:
        raise RuleViolation("role", _l("Unknown role “%(role)s”: choose manager or reviewer.", role=str(role)[:20])) from None
    existing = db.session.scalar(select(ProgramRole).where(
        ProgramRole.user_id == user.id, ProgramRole.program_id == program.id, ProgramRole.role == role_enum))
    if existing is not None:
        return existing
    grant = ProgramRole(user_id=user.id, program_id=program.id, role=role_enum, granted_by_id=actor.id)
    db.session.add(grant)
    db.session.flush()
    queue_notification(
        user=user, kind="role_granted", dedupe_key=f"role:{grant.id}",
        context={"program_name": program.name, "role": role_enum.value},
        link=public_url("public.program_detail", program_id=program.id),
    )
    db.session.expire(user, ["roles"])
    return grant


def revoke_role(grant_id: int, *, actor: User) -> None:
    if not can_administer(actor):
        raise NotAllowed()
    grant = db.session.get(ProgramRole, grant_id)
    if grant is None:
        raise NotFound()
    db.session.delete(grant)
    db.session.flush()
