"""Delivering outbox rows: claim, send, mark. Run twice, it sends once."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate

from flask import current_app
from sqlalchemy import select, update

from incubator.core.dispatch import enqueue_after_commit
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.notifications.backends import PermanentFailure, TransientFailure, get_backend
from incubator.notifications.models import DeliveryStatus, Notification
from incubator.notifications.services import DELIVER_TASK

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    result: str  # "sent", "skipped", "retry", "failed"
    retry_in: float | None = None
    error: str | None = None


def backoff_seconds(attempts: int) -> float:
    return float(min(30 * 2 ** max(attempts - 1, 0), 3600))


def build_message(note: Notification) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = note.subject
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = note.to_email
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = note.message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Incubator-Notification"] = str(note.id)
    msg.set_content(note.body_text)
    msg.add_alternative(note.body_html, subtype="html")
    msg["Content-Language"] = note.locale  # after set_content, which clears Content-* headers
    return msg


def claim(notification_id: int) -> bool:
    now = utcnow()
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.status == DeliveryStatus.PENDING,
            (Notification.next_attempt_at.is_(None)) | (Notification.next_attempt_at <= now),
        )
        .values(status=DeliveryStatus.SENDING, claimed_at=now, attempts=Notification.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _finish(notification_id: int, **values) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.status == DeliveryStatus.SENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def deliver_notification(notification_id: int) -> Outcome:
    """Claim the row (pending -> sending), send it, mark it sent. Commits."""
    if not claim(notification_id):
        return Outcome("skipped")
    note = db.session.get(Notification, notification_id, populate_existing=True)
    config = current_app.config
    try:
        get_backend(config).send(build_message(note), name=f"{note.created_at:%Y%m%dT%H%M%S}-{note.id}")
    except TransientFailure as exc:
        if note.attempts >= config["MAIL_MAX_ATTEMPTS"]:
            _finish(note.id, status=DeliveryStatus.FAILED, last_error=f"gave up: {exc}"[:2000])
            log.warning("notification %s failed for good after %s attempts: %s", note.id, note.attempts, exc)
            return Outcome("failed", error=str(exc))
        delay = backoff_seconds(note.attempts)
        _finish(note.id, status=DeliveryStatus.PENDING, last_error=str(exc)[:2000],
                next_attempt_at=utcnow() + timedelta(seconds=delay), claimed_at=None)
        return Outcome("retry", retry_in=delay, error=str(exc))
    except PermanentFailure as exc:
        _finish(note.id, status=DeliveryStatus.FAILED, last_error=str(exc)[:2000])
        log.warning("notification %s refused for good: %s", note.id, exc)
        return Outcome("failed", error=str(exc))
    _finish(note.id, status=DeliveryStatus.SENT, sent_at=utcnow(), last_error=None)
    return Outcome("sent")


def sweep_outbox(limit: int = 2000) -> dict[str, int]:
    """Reclaim rows stuck in sending (a killed worker) and re-queue rows left pending (a lost message)."""
    config = current_app.config
    now = utcnow()
    stuck_before = now - timedelta(seconds=config["OUTBOX_STUCK_AFTER_SECONDS"])
    reclaimed = db.session.execute(
        update(Notification)
        .where(Notification.status == DeliveryStatus.SENDING, Notification.claimed_at < stuck_before)
        .values(status=DeliveryStatus.PENDING, next_attempt_at=now, claimed_at=None,
                last_error="reclaimed: the worker sending it stopped")
        .execution_options(synchronize_session=False)
    ).rowcount
    due_before = now - timedelta(seconds=config["OUTBOX_REQUEUE_AFTER_SECONDS"])
    ids = db.session.scalars(
        select(Notification.id)
        .where(Notification.status == DeliveryStatus.PENDING, Notification.next_attempt_at <= due_before)
        .order_by(Notification.id)
        .limit(limit)
    ).all()
    # Reclaimed rows are due now; queue them too so they need not wait for the next sweep.
    if reclaimed:
        ids = sorted(set(ids) | set(db.session.scalars(
            select(Notification.id).where(
                Notification.status == DeliveryStatus.PENDING, Notification.next_attempt_at == now
            )
        ).all()))
    for note_id in ids:
        enqueue_after_commit(db.session, DELIVER_TASK, notification_id=note_id)
    db.session.commit()
    return {"reclaimed": reclaimed, "requeued": len(ids)}
