"""Review reminders: a reviewer with open assignments at a stage (visible to them, review not yet
submitted) hears 72 hours and 24 hours before the stage's review deadline, once each, in their own
language, with a link to their queue for that stage.

Run by beat (task "reviews.send_reminders"). Once per (stage, reviewer, threshold): the outbox's
dedupe key makes a second run a no-op. One statement finds the candidates, whatever their number;
each reminder about to be written is recounted with the reviewer's full visibility rule (one
statement per e-mail actually queued). A reviewer first seen inside the 24-hour window gets only the
24-hour reminder. The e-mail names the program, season and stage and counts the open reviews; it
never names an application (blind stages stay blind in the inbox).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from incubator.accounts.models import User
from incubator.applications.reminders import due_threshold
from incubator.core.timeutil import utcnow
from incubator.core.urls import public_url
from incubator.extensions import db
from incubator.notifications.models import Notification
from incubator.notifications.services import queue_notification
from incubator.programs.models import Season, SeasonStatus, Stage
from incubator.reviews.reviewer_queries import open_assignments_by_reviewer, stage_progress

KIND = "review_reminder"
THRESHOLDS = (72, 24)  # hours before the stage's review deadline (the same as applications.reminders)
ACTIVE_SEASONS = (SeasonStatus.OPEN, SeasonStatus.REVIEWING)
_KEY_CHUNK = 500


def reminder_key(stage_id: int, user_id: int, threshold: int) -> str:
    return f"review_reminder:{stage_id}:{user_id}:{threshold}"


def _already_queued(keys: list[str]) -> set[str]:
    seen: set[str] = set()
    for start in range(0, len(keys), _KEY_CHUNK):
        seen.update(db.session.scalars(select(Notification.dedupe_key).where(
            Notification.kind == KIND, Notification.dedupe_key.in_(keys[start:start + _KEY_CHUNK]))))
    return seen


def send_review_reminders(now: datetime | None = None) -> dict[str, int]:
    """Queue the reminders that are due and not yet sent. Commits (it is called from a task)."""
    now = now or utcnow()
    rows = open_assignments_by_reviewer(deadline_from=now, deadline_to=now + timedelta(hours=max(THRESHOLDS)))
    stage_ids = sorted({s for s, _, _ in rows})
    stages = {s.id: s for s in db.session.scalars(
        select(Stage).join(Season, Season.id == Stage.season_id)
        .where(Stage.id.in_(stage_ids), Season.status.in_(ACTIVE_SEASONS)))} if stage_ids else {}
    due = []  # (stage, reviewer id, open count, threshold)
    for stage_id, reviewer_id, count in rows:
        stage = stages.get(stage_id)
        threshold = due_threshold(stage.review_deadline, now) if stage is not None else None
        if threshold is not None:
            due.append((stage, reviewer_id, count, threshold))
    seen = _already_queued([reminder_key(s.id, r, t) for s, r, _, t in due])
    todo = [item for item in due if reminder_key(item[0].id, item[1], item[3]) not in seen]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({r for _, r, _, _ in todo})))} \
        if todo else {}
    queued = 0
    for stage, reviewer_id, _count, threshold in todo:
        user = users.get(reviewer_id)
        # Recount with the full visibility rule (detected conflicts by e-mail domain included).
        count = stage_progress(user, stage).todo if user is not None else 0
        if not count:
            continue
        hours_left = int((stage.review_deadline - now).total_seconds() // 3600)
        queue_notification(
            user=user, kind=KIND, dedupe_key=reminder_key(stage.id, reviewer_id, threshold),
            link=public_url("reviewer.stage_queue", stage_id=stage.id),
            context={"stage": stage, "season": stage.season, "count": count, "hours": hours_left,
                     "threshold": threshold},
        )
        queued += 1
    db.session.commit()
    return {"due": len(due), "queued": queued, "already_sent": len(due) - len(todo)}
