"""Deadline reminders: each founder with an unsubmitted draft hears 72 hours and 24 hours before the
deadline, once each, in their own language, with a link to the draft.

Run by beat (task "applications.send_reminders"). Once per (application, person, threshold): the
outbox's dedupe key makes a second run, or a second beat, a no-op. A draft first seen inside the
24-hour window gets only the 24-hour reminder (the most urgent one that applies), never both."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from incubator.accounts.models import User
from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.core.timeutil import utcnow
from incubator.core.urls import public_url
from incubator.extensions import db
from incubator.notifications.models import Notification
from incubator.notifications.services import queue_notification
from incubator.programs.models import Season, SeasonStatus
from incubator.startups.models import Startup, StartupCollaborator

KIND = "deadline_reminder"
THRESHOLDS = (72, 24)  # hours before closes_at
_KEY_CHUNK = 500  # dedupe keys per IN (...) lookup: well under every database's parameter limit


def due_threshold(closes_at: datetime, now: datetime) -> int | None:
    """The most urgent threshold whose window we are inside, or None (too early, or already closed)."""
    left = closes_at - now
    if left <= timedelta(0):
        return None
    inside = [hours for hours in THRESHOLDS if left <= timedelta(hours=hours)]
    return min(inside) if inside else None


def reminder_key(application_id: int, user_id: int, threshold: int) -> str:
    return f"reminder:{application_id}:{user_id}:{threshold}"


def drafts_near_deadline(now: datetime):
    """DRAFT applications in OPEN seasons closing within the widest window, with everything the
    reminder needs (season and program, startup, owner, co-founders) loaded in one statement.
    (Their program roles are not needed: no extra statement for them.)"""
    return (
        select(Application)
        .join(Application.season)
        .where(Application.status == Status.DRAFT,
               Season.status == SeasonStatus.OPEN,
               Season.closes_at > now,
               Season.closes_at <= now + timedelta(hours=max(THRESHOLDS)))
        .options(contains_eager(Application.season),
                 joinedload(Application.startup).joinedload(Startup.owner).lazyload(User.roles),
                 joinedload(Application.startup).joinedload(Startup.collaborators)
                 .joinedload(StartupCollaborator.user).lazyload(User.roles))
        .order_by(Application.id)
    )


def _already_queued(keys: list[str]) -> set[str]:
    """The keys among these that the outbox has seen (a rerun then costs no query per person)."""
    seen: set[str] = set()
    for start in range(0, len(keys), _KEY_CHUNK):
        chunk = keys[start:start + _KEY_CHUNK]
        seen.update(db.session.scalars(
            select(Notification.dedupe_key).where(Notification.kind == KIND, Notification.dedupe_key.in_(chunk))
        ))
    return seen


def send_deadline_reminders(now: datetime | None = None) -> dict[str, int]:
    """Queue the reminders that are due and not yet sent. Commits (it is called from a task)."""
    now = now or utcnow()
    applications = db.session.scalars(drafts_near_deadline(now)).unique().all()
    due = []  # (application, user, threshold)
    for application in applications:
        threshold = due_threshold(application.season.closes_at, now)
        if threshold is None:
            continue
        startup = application.startup
        people = {startup.owner_id: startup.owner} | {c.user_id: c.user for c in startup.collaborators}
        due.extend((application, user, threshold) for user in people.values()
                   if user is not None and user.is_active_account)
    seen = _already_queued([reminder_key(a.id, u.id, t) for a, u, t in due])
    queued = 0
    for application, user, threshold in due:
        key = reminder_key(application.id, user.id, threshold)
        if key in seen:
            continue
        hours_left = int((application.season.closes_at - now).total_seconds() // 3600)
        queue_notification(
            user=user, kind=KIND, dedupe_key=key,
            link=public_url("founder.application_form", application_id=application.id),
            context={"application": application, "season": application.season, "startup": application.startup,
                     "hours": hours_left, "threshold": threshold},
        )
        queued += 1
    db.session.commit()
    return {"drafts": len(applications), "queued": queued, "already_sent": len(due) - queued}
