"""Reads of startups for the people who edit them, with eager loading decided here."""
from __future__ import annotations

from sqlalchemy import select, union
from sqlalchemy.orm import selectinload

from incubator.accounts.models import User

from incubator.core.converters import MAX_ID
from incubator.core.errors import NotFound
from incubator.extensions import db
from incubator.startups.models import Startup, StartupCollaborator


def editable_startup_ids(user):
    """The ids of the startups the user owns or co-edits, as a subquery. A UNION of two index lookups:
    `owner_id = :u OR id IN (...)` made PostgreSQL walk every startup (10 ms at 20,000)."""
    return union(select(Startup.id).where(Startup.owner_id == user.id),
                 select(StartupCollaborator.startup_id).where(StartupCollaborator.user_id == user.id))


def _editable(user):
    return Startup.id.in_(editable_startup_ids(user))


def _loaded():
    # People are shown by name and e-mail only: their roles (selectin by default) are not loaded.
    return (selectinload(Startup.members),
            selectinload(Startup.collaborators).selectinload(StartupCollaborator.user).lazyload(User.roles),
            selectinload(Startup.owner).lazyload(User.roles))


def my_startups(user):
    """The startups the user owns or co-edits, newest first, members and co-founders loaded
    (a statement: run it, or paginate it)."""
    return select(Startup).where(_editable(user)).options(*_loaded()).order_by(Startup.id.desc())


def startup_for_editor(user, startup_id) -> Startup:
    """The startup if the user may edit it; NotFound otherwise (never revealing that it exists)."""
    try:
        startup_id = int(startup_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 1 <= startup_id <= MAX_ID or user is None or not getattr(user, "is_authenticated", False):
        raise NotFound()
    startup = db.session.scalar(select(Startup).where(Startup.id == startup_id, _editable(user))
                                .options(*_loaded()))
    if startup is None:
        raise NotFound()
    return startup
