"""Delivering outbox rows: claim, send, mark. Run twice, it sends once.

One row (`deliver_notification`, the `notifications.deliver` task: verification e-mails, reminders,
offers) or a chunk of rows (`deliver_chunk`, the `notifications.deliver_chunk` task: decision letters
and whatever the sweep re-queues). A chunk costs one claim (an UPDATE ... RETURNING of the rows that
are due), one SMTP connection, and one "sent" UPDATE per MARK_EVERY letters: a worker killed in the
middle re-sends at most the letters it sent since its last mark (its other claimed letters wait in
"sending" until the sweep reclaims them, OUTBOX_STUCK_AFTER_SECONDS). A letter is claimed only once
its turn (`next_attempt_at`) has come, so an early task cannot jump the queue: a chunk sleeps until
a turn that is close and queues itself again for one that is not. A chunk that falls behind moves
its later turns back by as much (`_Pace`): never a burst to catch up.

A failure touches its own letter: deferred (4xx) -> pending again after its back-off, and queued
again; refused (5xx) or given up after MAIL_MAX_ATTEMPTS -> failed. When the server cannot be reached
at all, the chunk stops at the first letter: the others are released (the attempt not counted) and
tried again after the first back-off."""
from __future__ import annotations

import logging
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update

from incubator.core.dispatch import enqueue_after_commit
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.notifications import mime
from incubator.notifications.backends import ConnectionFailure, PermanentFailure, TransientFailure, get_backend
from incubator.notifications.models import DeliveryStatus, Notification

log = logging.getLogger(__name__)

CHUNK_TASK = "notifications.deliver_chunk"
CHUNK_SIZE = 100     # letters per chunk task at most
MARK_EVERY = 10      # letters sent between two "sent" UPDATEs (what a SIGKILL can make us send twice)
SLACK = 0.05         # seconds: a row due this soon is claimed with the ones due now, then sent at its turn
MAX_WAIT = 2.0       # seconds: a chunk sleeps until a turn this close; a later one is queued again

_t = Notification.__table__
_ROW = (_t.c.id, _t.c.to_email, _t.c.subject, _t.c.body_text, _t.c.body_html, _t.c.message_id, _t.c.locale,
        _t.c.attempts, _t.c.next_attempt_at, _t.c.created_at)
_NEVER = datetime.min.replace(tzinfo=UTC)  # a row with no turn is due at once


@dataclass
class Outcome:
    result: str  # "sent", "skipped", "retry", "failed"
    retry_in: float | None = None
    error: str | None = None


@dataclass
class ChunkOutcome:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0     # not pending any more (sent by another task, or lined up again elsewhere)
    requeue: list[tuple[list[int], float]] = field(default_factory=list)  # (ids, countdown) to queue again

    def counts(self) -> dict[str, int]:
        return {"sent": self.sent, "failed": self.failed, "retried": self.retried, "skipped": self.skipped}


def backoff_seconds(attempts: int) -> float:
    return float(min(30 * 2 ** max(attempts - 1, 0), 3600))


def _turn(row) -> datetime:
    return row.next_attempt_at or _NEVER


class _Pace:
    """When a chunk falls behind its turns (a busy machine, a slow first connection), the rest of its
    turns move back by as much: the letters keep the spacing the rate gave them instead of going out
    in a burst to catch up."""

    def __init__(self):
        self.lag = timedelta(0)

    def turn(self, row) -> datetime:
        return _turn(row) + self.lag if row.next_attempt_at is not None else _NEVER

    def align(self, row, now: datetime) -> None:
        """`row` goes out at `now` at the earliest: a lateness beyond SLACK becomes the chunk's lag."""
        if row.next_attempt_at is not None and (now - self.turn(row)).total_seconds() > SLACK:
            self.lag = now - _turn(row)


def mail_for(row) -> mime.Mail:
    """The message of a claimed row (id, to_email, subject, body_text, body_html, message_id, locale, created_at)."""
    return mime.build(note_id=row.id, sender=current_app.config["MAIL_DEFAULT_SENDER"], to=row.to_email,
                      subject=row.subject, message_id=row.message_id, locale=row.locale, text=row.body_text,
                      html=row.body_html, name=f"{row.created_at:%Y%m%dT%H%M%S}-{row.id}")


def claim_rows(ids: list[int], due_by: datetime) -> list:
    """pending -> sending for those of `ids` whose turn has come by `due_by`, in one UPDATE ... RETURNING;
    commits. The rows claimed, in the order of their turns."""
    if not ids:
        return []
    rows = db.session.execute(
        update(_t)
        .where(_t.c.id.in_(ids), _t.c.status == DeliveryStatus.PENDING,
               (_t.c.next_attempt_at.is_(None)) | (_t.c.next_attempt_at <= due_by))
        .values(status=DeliveryStatus.SENDING, claimed_at=utcnow(), attempts=_t.c.attempts + 1)
        .returning(*_ROW)
    ).all()
    db.session.commit()
    return sorted(rows, key=lambda r: (_turn(r), r.id))


class _Marks:
    """The outcomes of sent rows, written together and committed: one UPDATE for the sent ones, one
    executemany for the retries (pending again, at their back-off) and one for the failed."""

    def __init__(self):
        self.sent: list[int] = []
        self.retries: list[dict] = []
        self.failed: list[dict] = []

    def __len__(self) -> int:
        return len(self.sent) + len(self.retries) + len(self.failed)

    def flush(self) -> None:
        if not self:
            return
        sending = _t.c.status == DeliveryStatus.SENDING
        if self.sent:
            db.session.execute(update(_t).where(_t.c.id.in_(self.sent), sending)
                               .values(status=DeliveryStatus.SENT, sent_at=utcnow(), last_error=None))
        if self.retries:
            db.session.execute(update(_t).where(_t.c.id == bindparam("row_id"), sending)
                               .values(status=DeliveryStatus.PENDING, last_error=bindparam("error"),
                                       next_attempt_at=bindparam("due"), claimed_at=None), self.retries)
        if self.failed:
            db.session.execute(update(_t).where(_t.c.id == bindparam("row_id"), sending)
                               .values(status=DeliveryStatus.FAILED, last_error=bindparam("error")), self.failed)
        db.session.commit()
        self.sent, self.retries, self.failed = [], [], []


def _failed(row, exc: Exception, marks: _Marks) -> tuple[str, float | None]:
    """Record a row the backend did not send: ("retry", delay) or ("failed", None)."""
    if isinstance(exc, TransientFailure):
        if row.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            marks.failed.append({"row_id": row.id, "error": f"gave up: {exc}"[:2000]})
            log.warning("notification %s failed for good after %s attempts: %s", row.id, row.attempts, exc)
            return "failed", None
        delay = backoff_seconds(row.attempts)
        marks.retries.append({"row_id": row.id, "error": str(exc)[:2000],
                              "due": utcnow() + timedelta(seconds=delay)})
        return "retry", delay
    marks.failed.append({"row_id": row.id, "error": str(exc)[:2000]})
    log.warning("notification %s refused for good: %s", row.id, exc)
    return "failed", None


def deliver_notification(notification_id: int) -> Outcome:
    """Claim the row (pending -> sending), send it, mark it sent. Commits."""
    rows = claim_rows([int(notification_id)], utcnow())
    if not rows:
        return Outcome("skipped")
    marks = _Marks()
    exc = _send_one(rows[0], get_backend(current_app.config), marks)
    result, delay = ("sent", None) if exc is None else _failed(rows[0], exc, marks)
    marks.flush()
    return Outcome(result, retry_in=delay, error=None if exc is None else str(exc))


def _send_one(row, backend, marks: _Marks) -> Exception | None:
    """Build and send a claimed row; None when sent (and noted in `marks`), else what went wrong."""
    try:
        message = mail_for(row)
    except (ValueError, UnicodeError, LookupError) as exc:  # a row that cannot be written as an e-mail
        return PermanentFailure(f"cannot build the message: {exc}")
    try:
        backend.send(message)
    except (TransientFailure, PermanentFailure) as exc:
        return exc
    marks.sent.append(row.id)
    return None


def _release(ids: list[int], at: datetime) -> None:
    """Claimed rows not tried (the server went away): pending again at `at`, the attempt not counted."""
    if ids:
        db.session.execute(
            update(_t).where(_t.c.id.in_(ids), _t.c.status == DeliveryStatus.SENDING)
            .values(status=DeliveryStatus.PENDING, attempts=_t.c.attempts - 1, claimed_at=None, next_attempt_at=at)
        )


def _send_claimed(rows: list, backend, marks: _Marks, out: ChunkOutcome, retries: dict,
                  pace: _Pace) -> float | None:
    """Send claimed rows in turn (sleeping until a turn at most SLACK away). When the server cannot be
    reached, the rows not tried yet are released (pending again, the attempt not counted) and the
    delay after which they are tried again is returned: the caller stops there."""
    for k, row in enumerate(rows):
        if row.next_attempt_at is not None:
            early = (pace.turn(row) - utcnow()).total_seconds()
            if early > 0.001:  # (a millisecond early is on time: sleeping costs more than that)
                time.sleep(min(early, SLACK))
            pace.align(row, utcnow())
        exc = _send_one(row, backend, marks)
        if exc is None:
            out.sent += 1
            if len(marks) >= MARK_EVERY:
                marks.flush()
            continue
        result, delay = _failed(row, exc, marks)
        if result == "failed":
            out.failed += 1
        else:
            out.retried += 1
            retries[delay].append(row.id)
        if isinstance(exc, ConnectionFailure):  # the next ones would wait for the same timeout
            pause = backoff_seconds(1)
            marks.flush()
            _release([r.id for r in rows[k + 1:]], utcnow() + timedelta(seconds=pause))
            db.session.commit()
            retries[pause].extend(r.id for r in rows[k + 1:])
            return pause
    return None


def deliver_chunk(notification_ids) -> ChunkOutcome:
    """Deliver the chunk's rows in the order of their turns; see the module's docstring. Commits."""
    ids = sorted({int(i) for i in notification_ids})
    out = ChunkOutcome()
    if not ids:
        return out
    schedule = db.session.execute(
        select(_t.c.id, _t.c.next_attempt_at).where(_t.c.id.in_(ids), _t.c.status == DeliveryStatus.PENDING)
    ).all()
    db.session.commit()
    out.skipped = len(ids) - len(schedule)
    queue = deque(sorted(schedule, key=lambda r: (_turn(r), r.id)))
    backend, marks = get_backend(current_app.config), _Marks()
    retries: dict[float, list[int]] = defaultdict(list)
    try:
        _work_through(queue, backend, marks, out, retries)
    except BaseException:
        db.session.rollback()  # the rows sent so far are still marked, if the database lets us
        try:
            marks.flush()
        except Exception:  # noqa: BLE001 - the original error is the one to see
            log.exception("could not mark %s sent notifications after an error", len(marks))
        raise
    marks.flush()
    out.requeue.extend((sorted(group), delay) for delay, group in retries.items())
    return out


def _work_through(queue: deque, backend, marks: _Marks, out: ChunkOutcome, retries: dict) -> None:
    """Claim what is due (sleeping until a turn at most MAX_WAIT away), send it, and so on."""
    pace = _Pace()
    while queue:
        now = utcnow()
        pace.align(queue[0], now)  # behind already: the turns move back before anything is claimed
        wait = (pace.turn(queue[0]) - now).total_seconds()
        if wait > MAX_WAIT:
            out.requeue.append(([r.id for r in queue], wait))
            return
        if wait > SLACK:
            time.sleep(wait)
        due_by = max(now, pace.turn(queue[0])) + timedelta(seconds=SLACK)
        batch = []
        while queue and pace.turn(queue[0]) <= due_by:
            batch.append(queue.popleft().id)
        rows = claim_rows(batch, due_by)  # their own turns are no later than their paced ones
        out.skipped += len(batch) - len(rows)
        pause = _send_claimed(rows, backend, marks, out, retries, pace)
        if pause is not None:
            rest = [r.id for r in queue]
            if rest:  # the server is away: the chunk's other letters wait as long
                db.session.execute(
                    update(_t).where(_t.c.id.in_(rest), _t.c.status == DeliveryStatus.PENDING)
                    .values(next_attempt_at=utcnow() + timedelta(seconds=pause))
                )
                db.session.commit()
                retries[pause].extend(rest)
            return


def chunked(ids: list[int], size: int = CHUNK_SIZE) -> list[list[int]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def sweep_outbox(limit: int = 2000) -> dict[str, int]:
    """Reclaim rows stuck in sending (a killed worker) and re-queue rows left pending (a lost message),
    in chunks of CHUNK_SIZE."""
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
    for chunk in chunked(list(ids)):
        enqueue_after_commit(db.session, CHUNK_TASK, notification_ids=chunk)
    db.session.commit()
    return {"reclaimed": reclaimed, "requeued": len(ids)}
