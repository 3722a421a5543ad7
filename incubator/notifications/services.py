"""Writing to the outbox. The row is rendered now, in the recipient's language, and delivered
after the transaction commits."""
from __future__ import annotations

import uuid
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select

from incubator.core.dispatch import enqueue_after_commit
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.notifications.kinds import subject_for
from incubator.notifications.models import DeliveryStatus, Notification

DELIVER_TASK = "notifications.deliver"


def new_message_id() -> str:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    domain = sender.rsplit("@", 1)[-1].strip(" >") or "incubator.local"
    return f"<{uuid.uuid4().hex}@{domain}>"


def render_notification(kind: str, locale: str, context: dict) -> tuple[str, str, str]:
    with force_locale(locale):
        subject = str(subject_for(kind))
        text = render_template(f"emails/{kind}.txt", subject=subject, **context)
        html = render_template(f"emails/{kind}.html", subject=subject, **context)
    return subject, text, html


def queue_notification(
    *,
    user,
    kind: str,
    dedupe_key: str,
    context: dict | None = None,
    link: str | None = None,
    via_email: bool = True,
    via_inapp: bool = True,
    to_email: str | None = None,
    dispatch: bool = True,
) -> Notification:
    """Add an outbox row (idempotent on dedupe_key) and send it after commit.

    Returns the existing row when the same dedupe_key was queued before: nothing is sent twice.
    With dispatch=False the row waits for the caller to dispatch it (paced bulk sends); the outbox
    sweep still picks it up if nobody does.
    """
    session = db.session
    existing = session.scalar(select(Notification).where(Notification.dedupe_key == dedupe_key))
    if existing is not None:
        return existing
    locale = getattr(user, "locale", None) or current_app.config["BABEL_DEFAULT_LOCALE"]
    ctx = {"user": user, "link": link, **(context or {})}
    subject, text, html = render_notification(kind, locale, ctx)
    note = Notification(
        user_id=getattr(user, "id", None),
        kind=kind,
        dedupe_key=dedupe_key,
        to_email=to_email or user.email,
        locale=locale,
        via_email=via_email,
        via_inapp=via_inapp,
        subject=subject,
        body_text=text,
        body_html=html,
        link=link,
        message_id=new_message_id(),
        status=DeliveryStatus.PENDING if via_email else DeliveryStatus.SKIPPED,
        next_attempt_at=utcnow(),
    )
    session.add(note)
    session.flush()
    if via_email and dispatch:
        enqueue_after_commit(session, DELIVER_TASK, notification_id=note.id)
    return note


def mark_read(note: Notification, *, actor, at: datetime | None = None) -> None:
    from incubator.core.errors import NotFound

    if note.user_id != actor.id:
        raise NotFound()
    if note.read_at is None:
        note.read_at = at or utcnow()
    db.session.flush()
