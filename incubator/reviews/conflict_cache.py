"""What a reviewer may see, resolved once per request: the cache behind
incubator.reviews.reviewer_queries.visible_assignments (their visible assignments, conflicts of
interest applied: incubator.reviews.conflicts.conflicted_startup_ids).

Every reviewer read filters on it; embedded as subqueries, a page ran the rule three or four times
(a pass over users and team members, a join of the whole season's applications). Here it is read
once per request and reviewer, and the reads filter on the ids. Nothing goes stale: the cache lives
on flask.g for the current request only, and is dropped as soon as the session holds or flushes a
change to anything the rule reads (a conflict, a startup, its team, a user, an assignment, a
review, an application, a stage, a season, a role), bulk-writes, or rolls back. Outside a request
(workers, scripts) everything is read afresh at every call.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import g, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from incubator.accounts.models import ProgramRole, User
from incubator.applications.models import Application
from incubator.extensions import db
from incubator.programs.models import Season, Stage
from incubator.reviews.models import Assignment, ConflictOfInterest, Review
from incubator.startups.models import Startup, StartupCollaborator, TeamMember

_KEY = "_reviewer_conflicts"
_WATCHED = (ConflictOfInterest, Startup, StartupCollaborator, TeamMember, User, Assignment, Review, Application,
            Stage, Season, ProgramRole)


def cached(key: tuple, compute: Callable):
    """compute(), remembered for the rest of the request under `key` (read afresh outside one)."""
    cache = _cache()
    if cache is not None and key in cache:
        return cache[key]
    value = compute()
    if cache is not None:
        cache[key] = value
    return value


def peek(key: tuple):
    """What is remembered under `key` in this request, else None (never computes)."""
    cache = _cache()
    return cache.get(key) if cache is not None else None


def _pending_change(session) -> bool:
    return any(isinstance(obj, _WATCHED) for obj in (*session.new, *session.dirty, *session.deleted))


def _cache() -> dict | None:
    if not has_request_context():
        return None
    current = request._get_current_object()  # an app context (and g) may outlive one request
    held = g.get(_KEY)
    if held is None or held[0] is not current or (held[1] and _pending_change(db.session)):
        held = (current, {})  # a change not flushed yet: read again (the read autoflushes it)
        setattr(g, _KEY, held)
    return held[1]


def forget() -> None:
    if has_app_context():
        g.pop(_KEY, None)


@event.listens_for(Session, "after_flush")
def _after_flush(session, _context) -> None:
    if _pending_change(session):
        forget()


@event.listens_for(Session, "do_orm_execute")
def _bulk_write(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        forget()


@event.listens_for(Session, "after_rollback")
def _after_rollback(_session) -> None:
    forget()
