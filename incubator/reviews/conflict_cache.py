"""A reviewer's conflicted startup ids, resolved once per request.

Every reviewer read filters on incubator.reviews.conflicts.conflicted_startup_ids; embedded as a
subquery, a page ran it three or four times (a pass over users and team members each time). Here it
is run once per request and reviewer and the reads filter on the ids. Nothing goes stale: the cache
lives on flask.g for the current request only, and is dropped as soon as the session flushes a
change to a conflict, a startup, a co-founder, a team member or a user, or rolls back. Outside a
request (workers, scripts) the ids are read afresh at every call.
"""
from __future__ import annotations

from flask import g, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from incubator.accounts.models import User
from incubator.extensions import db
from incubator.reviews.models import ConflictOfInterest
from incubator.startups.models import Startup, StartupCollaborator, TeamMember

_KEY = "_reviewer_conflicts"
_WATCHED = (ConflictOfInterest, Startup, StartupCollaborator, TeamMember, User)


def conflicted_ids(reviewer) -> frozenset[int]:
    """The ids of the startups this reviewer is conflicted with (stored or detected)."""
    from incubator.reviews.conflicts import conflicted_startup_ids

    key = (reviewer.id, reviewer.email)
    cache = _cache()
    if cache is not None and key in cache:
        return cache[key]
    ids = frozenset(db.session.scalars(conflicted_startup_ids(reviewer)))
    if cache is not None:
        cache[key] = ids
    return ids


def _cache() -> dict | None:
    if not has_request_context():
        return None
    current = request._get_current_object()  # an app context (and g) may outlive one request
    held = g.get(_KEY)
    if held is None or held[0] is not current:
        held = (current, {})
        setattr(g, _KEY, held)
    return held[1]


def forget() -> None:
    if has_app_context():
        g.pop(_KEY, None)


@event.listens_for(Session, "after_flush")
def _after_flush(session, _context) -> None:
    if any(isinstance(obj, _WATCHED) for obj in (*session.new, *session.dirty, *session.deleted)):
        forget()


@event.listens_for(Session, "do_orm_execute")
def _bulk_write(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        forget()


@event.listens_for(Session, "after_rollback")
def _after_rollback(_session) -> None:
    forget()
