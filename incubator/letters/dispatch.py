"""Handing a batch of letters to the workers at a steady rate, so a mail server is not flooded.

`dispatch_batch` (the last step of the `letters.send_batch` task, after `letters.queueing` has written the
letters) gives each waiting letter of the batch its turn,
`next_attempt_at = start + i / LETTER_RATE_PER_SECOND` (one executemany UPDATE), commits, and sends one
`notifications.deliver_chunk` task per chunk: the letters whose turns fall within CHUNK_WINDOW of the
chunk's first turn, CHUNK_SIZE at most, with the countdown to that first turn. The chunk task sends
each letter at its own turn (see `notifications.delivery`). The turn is kept by the database as well
as by the broker: delivery claims a row only once its `next_attempt_at` has come, so an early message
cannot jump the queue, and the outbox sweep re-queues only rows whose turn is long past. The batch
starts after the letters other batches have already lined up, so two batches sent at once share the
rate.

Run twice (a redelivered message), it lines the remaining letters up again and sends their tasks
again: delivery claims each row once, so nothing is sent twice."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import ngettext
from sqlalchemy import bindparam, func, select, update

from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.jobs.models import Job
from incubator.jobs.services import start_job
from incubator.letters.models import LetterBatch, LetterBatchItem
from incubator.letters.progress import starter_locale
from incubator.letters.services import NOTIFICATION_KIND, letter_rate
from incubator.notifications.delivery import CHUNK_SIZE, CHUNK_TASK
from incubator.notifications.models import DeliveryStatus, Notification

CHUNK_WINDOW = 1.0  # seconds of turns per chunk task: a worker sleeps at most this long between a chunk's turns


def _queue_end(batch_id: int, now):
    """When the letters already lined up by other batches will have gone (never-tried rows only:
    a letter waiting to retry in an hour does not hold the others back)."""
    in_batch = select(LetterBatchItem.notification_id).where(LetterBatchItem.batch_id == batch_id)
    latest = db.session.scalar(
        select(func.max(Notification.next_attempt_at))
        .where(Notification.kind == NOTIFICATION_KIND, Notification.status == DeliveryStatus.PENDING,
               Notification.attempts == 0, Notification.next_attempt_at > now, Notification.id.not_in(in_batch))
    )
    return latest


def dispatch_batch(batch_id: int) -> dict:
    """Line the batch's waiting letters up at the configured rate and send their delivery tasks. Commits."""
    batch = db.session.get(LetterBatch, int(batch_id))
    if batch is None:
        return {"batch_id": batch_id, "dispatched": 0}
    rate = letter_rate()
    step = timedelta(seconds=1 / rate)
    ids = list(db.session.scalars(
        select(Notification.id)
        .join(LetterBatchItem, LetterBatchItem.notification_id == Notification.id)
        .where(LetterBatchItem.batch_id == batch.id, Notification.status == DeliveryStatus.PENDING)
        .order_by(Notification.id)
    ))
    start = utcnow()
    busy_until = _queue_end(batch.id, start)
    if busy_until is not None and busy_until >= start:
        start = busy_until + step
    turns = [(note_id, start + i * step) for i, note_id in enumerate(ids)]
    if turns:
        table = Notification.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("note_id"), table.c.status == DeliveryStatus.PENDING)
            .values(next_attempt_at=bindparam("due")),
            [{"note_id": note_id, "due": due} for note_id, due in turns],
        )
    job = db.session.get(Job, batch.job_id) if batch.job_id else None
    if job is not None:
        with force_locale(starter_locale(job)):
            message = ngettext("Sending %(num)d letter, %(rate)s a second.", "Sending %(num)d letters, %(rate)s a second.",
                               len(turns), rate=f"{rate:g}")
        start_job(job, message=message)
    db.session.commit()
    celery = current_app.extensions["celery"]
    chunks = _chunks(turns, timedelta(seconds=CHUNK_WINDOW))
    for chunk in chunks:
        countdown = max(0.0, (chunk[0][1] - utcnow()).total_seconds())
        celery.send_task(CHUNK_TASK, kwargs={"notification_ids": [note_id for note_id, _ in chunk]},
                         countdown=countdown)
    return {"batch_id": batch.id, "dispatched": len(turns), "rate": rate, "chunks": len(chunks)}


def _chunks(turns: list, window: timedelta) -> list[list]:
    """Consecutive turns grouped: a chunk ends at CHUNK_SIZE letters or `window` after its first turn."""
    chunks: list[list] = []
    for note_id, due in turns:
        if not chunks or len(chunks[-1]) >= CHUNK_SIZE or due - chunks[-1][0][1] >= window:
            chunks.append([])
        chunks[-1].append((note_id, due))
    return chunks
