"""Telling reviewers about new work: one notification per reviewer per assignment run, with how many
applications were added and the stage's deadline, never which applications (a blind stage hides
them, and the queue is the place to see them)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import select

from incubator.accounts.models import User
from incubator.core.dispatch import enqueue_after_commit
from incubator.core.urls import public_url
from incubator.extensions import db
from incubator.notifications.delivery import CHUNK_TASK, chunked
from incubator.notifications.models import Notification
from incubator.notifications.services import Outgoing, queue_many
from incubator.programs.models import Stage

KIND = "reviews_assigned"


def notify_new_assignments(stage: Stage, assignments: Iterable) -> int:
    """Queue (sent after commit, in chunks) one message per reviewer who got new assignments; returns
    how many were queued. A run over 300 reviewers writes its messages in a few queries.

    The dedupe key holds the lowest new assignment id, so a retried request sends nothing twice and a
    later run is a new message."""
    by_reviewer: dict[int, list[int]] = defaultdict(list)
    for assignment in assignments:
        by_reviewer[assignment.reviewer_id].append(assignment.id)
    if not by_reviewer:
        return 0
    keys = {rid: f"{KIND}:{stage.id}:{rid}:{min(ids)}" for rid, ids in by_reviewer.items()}
    queued = set(db.session.scalars(select(Notification.dedupe_key)
                                    .where(Notification.dedupe_key.in_(list(keys.values())))))
    wanted = [rid for rid in sorted(keys) if keys[rid] not in queued]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))} if wanted else {}
    link = public_url("reviewer.stage_queue", stage_id=stage.id)
    default_locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    season = stage.season
    items = [Outgoing(user_id=user.id, to_email=user.email, locale=user.locale or default_locale,
                      dedupe_key=keys[rid], link=link,
                      context={"user": user, "stage": stage, "season": season, "count": len(by_reviewer[rid])})
             for rid in wanted if (user := users.get(rid)) is not None]
    if not items:
        return 0
    queue_many(KIND, items)
    ids = list(db.session.scalars(select(Notification.id).where(
        Notification.dedupe_key.in_([item.dedupe_key for item in items])).order_by(Notification.id)))
    for chunk in chunked(ids):
        enqueue_after_commit(db.session, CHUNK_TASK, notification_ids=chunk)
    return len(items)
