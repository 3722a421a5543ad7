"""Reading links out of outbox rows."""
from __future__ import annotations

import re

from sqlalchemy import select

from incubator.extensions import db
from incubator.notifications.models import Notification


def last_notification(kind: str, email: str) -> Notification | None:
    db.session.expire_all()
    return db.session.scalar(select(Notification).where(Notification.kind == kind, Notification.to_email == email)
                             .order_by(Notification.id.desc()))


def link_path(note: Notification) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", note.body_text)
    assert match, note.body_text
    return match.group(1)
