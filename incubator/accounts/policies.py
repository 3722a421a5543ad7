"""Pure predicates: who may do what. Services enforce them; templates use them to show controls."""
from __future__ import annotations

from flask import current_app

from incubator.accounts.models import Role


def _authed(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_administer(user) -> bool:
    return _authed(user) and user.is_admin


def can_manage_program(user, program) -> bool:
    if not _authed(user) or program is None:
        return False
    return user.is_admin or program.id in user.program_ids(Role.MANAGER)


def can_review_in_program(user, program) -> bool:
    return _authed(user) and program is not None and program.id in user.program_ids(Role.REVIEWER)


def must_enrol_2fa(user) -> bool:
    """REQUIRE_STAFF_2FA: managers and admins must turn on two-factor login before anything else."""
    return bool(
        current_app.config.get("REQUIRE_STAFF_2FA") and _authed(user) and user.is_staff and not user.has_2fa
    )
