"""How far a batch of letters has got: its outbox rows counted by status, in one grouped query.

The outbox is the source of truth (each letter is one notification, delivered by the workers), so
the progress page and the batch's job read it live, and a manager can leave and come back."""
from __future__ import annotations

from dataclasses import dataclass, replace

from flask import current_app
from sqlalchemy import func, select

from incubator.accounts.models import User
from incubator.extensions import db
from incubator.jobs.models import Job, JobStatus
from incubator.jobs.services import JobState, register_progress
from incubator.letters.models import LetterBatch, LetterBatchItem
from incubator.notifications.models import DeliveryStatus, Notification

JOB_KIND = "letters.send"
SUBJECT_TYPE = "letter_batch"

_QUEUED = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
_SENT = (DeliveryStatus.SENT, DeliveryStatus.SKIPPED)


@dataclass(frozen=True)
class BatchProgress:
    queued: int = 0    # waiting for their turn, or being sent, or waiting to retry
    sent: int = 0
    failed: int = 0    # refused for good, or given up on after the retries

    @property
    def total(self) -> int:
        return self.queued + self.sent + self.failed

    @property
    def done(self) -> int:
        return self.sent + self.failed

    @property
    def is_finished(self) -> bool:
        return self.queued == 0

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.done / self.total)

    def as_dict(self) -> dict[str, int]:
        return {"total": self.total, "queued": self.queued, "sent": self.sent, "failed": self.failed}


def batch_progress(batch_id: int) -> BatchProgress:
    rows = db.session.execute(
        select(Notification.status, func.count())
        .join(LetterBatchItem, LetterBatchItem.notification_id == Notification.id)
        .where(LetterBatchItem.batch_id == batch_id)
        .group_by(Notification.status)
    ).all()
    counts = {DeliveryStatus(status): n for status, n in rows}
    return BatchProgress(queued=sum(counts.get(s, 0) for s in _QUEUED),
                         sent=sum(counts.get(s, 0) for s in _SENT),
                         failed=counts.get(DeliveryStatus.FAILED, 0))


def _job_progress(job: Job, state: JobState) -> JobState:
    """A letters job is done when none of its letters waits any more (sent or failed for good)."""
    if job.subject_type != SUBJECT_TYPE or job.subject_id is None:
        return state
    batch = db.session.get(LetterBatch, job.subject_id)
    if batch is not None and batch.prepared_at is None:  # the task is still writing the letters: all queued
        result = {**state.result, "batch_id": job.subject_id, "total": job.total, "queued": job.total, "sent": 0,
                  "failed": 0}
        return replace(state, progress=0, result=result)
    progress = batch_progress(job.subject_id)
    status = state.status
    if progress.is_finished:
        status = JobStatus.DONE
    elif status == JobStatus.DONE:  # finished before, but a letter is being retried
        status = JobStatus.RUNNING
    result = {**state.result, "batch_id": job.subject_id, **progress.as_dict()}
    return replace(state, status=str(status), progress=progress.done, total=progress.total, result=result)


register_progress(JOB_KIND, _job_progress)


def starter_locale(job: Job | None) -> str:
    """The language of the manager who started the batch: its job's messages are written in it."""
    starter = db.session.get(User, job.created_by_id) if job is not None and job.created_by_id else None
    return getattr(starter, "locale", None) or current_app.config["BABEL_DEFAULT_LOCALE"]

