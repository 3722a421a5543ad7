"""Writing to the outbox. The row is rendered now, in the recipient's language, and delivered
after the transaction commits."""
from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import insert, select

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


@dataclass(frozen=True)
class Outgoing:
    """One outbox row for `queue_many`: who, the dedupe key, and the template context (or the
    bodies, already rendered)."""

    user_id: int | None
    to_email: str
    locale: str                     # the row's language (Content-Language)
    dedupe_key: str
    context: dict = field(default_factory=dict)
    link: str | None = None
    subject: str | None = None      # instead of the kind's subject
    layout_locale: str | None = None  # the language of the e-mail's frame, when not `locale` (the reader's)
    next_attempt_at: datetime | None = None
    body_text: str | None = None    # both given: used as they are, nothing rendered
    body_html: str | None = None


def render_bodies(kind: str, context: dict) -> tuple[str, str]:
    """(text, html) of a kind's e-mail in the current locale (emails/<kind>.txt and .html)."""
    return render_template(f"emails/{kind}.txt", **context), render_template(f"emails/{kind}.html", **context)


def queue_many(kind: str, items: Sequence[Outgoing]) -> int:
    """Render many outbox rows and write them in one executemany INSERT (the driver's own: one
    statement prepared once, however many rows); returns how many. Look the rows up by their keys.

    For a caller that has already left out the dedupe keys queued before (with one query): a key
    queued since then makes the INSERT fail (IntegrityError), and the caller's transaction decides.
    The rows wait for the caller to dispatch them (paced bulk sends; the outbox sweep picks them up
    otherwise)."""
    if not items:
        return 0
    by_locale: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        by_locale[item.layout_locale or item.locale].append(i)
    now = utcnow()
    rows: list[dict] = [{}] * len(items)
    for locale, positions in by_locale.items():
        with force_locale(locale):
            default_subject = str(subject_for(kind))
            for i in positions:
                item = items[i]
                subject = item.subject or default_subject
                text, html = item.body_text, item.body_html
                if text is None or html is None:
                    text, html = render_bodies(kind, {"link": item.link, **item.context, "subject": subject})
                rows[i] = dict(
                    user_id=item.user_id, kind=kind, dedupe_key=item.dedupe_key, to_email=item.to_email,
                    locale=item.locale, via_email=True, via_inapp=True, subject=subject, body_text=text,
                    body_html=html, link=item.link, message_id=new_message_id(), status=DeliveryStatus.PENDING,
                    attempts=0, next_attempt_at=item.next_attempt_at or now, created_at=now,
                )
    db.session.execute(insert(Notification.__table__), rows)
    return len(rows)


def mark_read(note: Notification, *, actor, at: datetime | None = None) -> None:
    from incubator.core.errors import NotFound

    if note.user_id != actor.id:
        raise NotFound()
    if note.read_at is None:
        note.read_at = at or utcnow()
    db.session.flush()
