"""Telling reviewers about new work: one notification per reviewer per assignment run, with how many
applications were added and the stage's deadline, never which applications (a blind stage hides
them, and the queue is the place to see them)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select

from incubator.accounts.models import User
from incubator.core.urls import public_url
from incubator.extensions import db
from incubator.notifications.services import queue_notification
from incubator.programs.models import Stage

KIND = "reviews_assigned"


def notify_new_assignments(stage: Stage, assignments: Iterable) -> int:
    """Queue (after commit) one message per reviewer who got new assignments; returns how many.

    The dedupe key holds the lowest new assignment id, so a retried request sends nothing twice and a
    later run is a new message."""
    by_reviewer: dict[int, list[int]] = defaultdict(list)
    for assignment in assignments:
        by_reviewer[assignment.reviewer_id].append(assignment.id)
    if not by_reviewer:
        return 0
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(by_reviewer))))}
    link = public_url("reviewer.stage_queue", stage_id=stage.id)
    for reviewer_id, ids in sorted(by_reviewer.items()):
        user = users.get(reviewer_id)
        if user is None:
            continue
        queue_notification(user=user, kind=KIND, dedupe_key=f"{KIND}:{stage.id}:{reviewer_id}:{min(ids)}", link=link,
                           context={"stage": stage, "season": stage.season, "count": len(ids)})
    return len(by_reviewer)
