"""Who may see and edit a startup: its owner and the co-founders who accepted an invitation."""
from __future__ import annotations


def _authed(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_edit_startup(user, startup) -> bool:
    return _authed(user) and startup is not None and user.id in startup.editor_ids()


def can_view_startup(user, startup) -> bool:
    return can_edit_startup(user, startup)


def can_invite_cofounder(user, startup) -> bool:
    """Only the owner invites (a co-founder edits but does not hand out access)."""
    return _authed(user) and startup is not None and startup.owner_id == user.id
