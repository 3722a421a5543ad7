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


def can_manage_team(user, startup) -> bool:
    """The team list is part of the profile: whoever edits the startup edits its team."""
    return can_edit_startup(user, startup)


def can_remove_collaborator(user, collaborator) -> bool:
    """The owner takes a co-founder's access away; a co-founder may also leave on their own."""
    if not _authed(user) or collaborator is None:
        return False
    return user.id == collaborator.user_id or user.id == collaborator.startup.owner_id
