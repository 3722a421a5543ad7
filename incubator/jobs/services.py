"""Long work (reports, bulk sends): the job row the API answers 202 with, who may read it, and its
live state.

A job's row holds what its task writes (queued -> running -> done | failed, progress, message,
result). Some work is finished by other tasks than the one that started it (letters are delivered
one by one by the outbox worker): for those kinds, a *progress provider* registered with
`register_progress(kind, provider)` computes the live state from the source of truth (the outbox)
each time the job is read, so the row never has to be kept in step by the deliveries."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime

from incubator.core.converters import MAX_ID
from incubator.core.errors import NotFound
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.jobs.models import Job, JobStatus


@dataclass(frozen=True)
class JobState:
    """What a reader of a job sees (the API's JobOut)."""

    id: int
    kind: str
    status: str
    progress: int
    total: int
    message: str
    result: dict = field(default_factory=dict)
    error: str | None = None
    subject_type: str = ""
    subject_id: int | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.total <= 0:
            return 100 if self.is_finished else 0
        return min(100, int(100 * self.progress / self.total))

    def as_dict(self) -> dict:
        return asdict(self)


ProgressProvider = Callable[[Job, JobState], JobState]
_PROVIDERS: dict[str, ProgressProvider] = {}


def register_progress(kind: str, provider: ProgressProvider) -> None:
    """`provider(job, state) -> state`: the live state of a job of this kind."""
    _PROVIDERS[kind] = provider


def create_job(*, kind: str, actor, subject_type: str = "", subject_id: int | None = None, total: int = 0,
               message: str = "") -> Job:
    job = Job(kind=kind, status=JobStatus.QUEUED, progress=0, total=max(0, int(total)), message=message[:300],
              result={}, subject_type=subject_type, subject_id=subject_id, created_by_id=getattr(actor, "id", None))
    db.session.add(job)
    db.session.flush()
    return job


def job_for(user, job_id) -> Job:
    """The job if the user started it (or is an administrator); NotFound otherwise."""
    try:
        job_id = int(job_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    job = db.session.get(Job, job_id) if 1 <= job_id <= MAX_ID else None
    if job is None or user is None or not (job.created_by_id == user.id or getattr(user, "is_admin", False)):
        raise NotFound()
    return job


def start_job(job: Job, *, message: str = "", total: int | None = None) -> Job:
    if job.status == JobStatus.QUEUED:
        job.status = JobStatus.RUNNING
        job.started_at = utcnow()
    if total is not None:
        job.total = max(0, int(total))
    if message:
        job.message = message[:300]
    db.session.flush()
    return job


def finish_job(job: Job, *, result: dict | None = None, message: str = "") -> Job:
    now = utcnow()
    job.status = JobStatus.DONE
    job.started_at = job.started_at or now
    job.finished_at = now
    job.progress = job.total
    if result is not None:
        job.result = result
    if message:
        job.message = message[:300]
    db.session.flush()
    return job


def fail_job(job: Job, *, error: str, message: str = "") -> Job:
    job.status = JobStatus.FAILED
    job.finished_at = utcnow()
    job.error = error[:4000]
    if message:
        job.message = message[:300]
    db.session.flush()
    return job


def job_state(job: Job) -> JobState:
    """The job as its reader sees it now: the row, brought up to date by its kind's provider."""
    state = JobState(
        id=job.id, kind=job.kind, status=str(job.status), progress=job.progress, total=job.total,
        message=job.message, result=dict(job.result or {}), error=job.error, subject_type=job.subject_type,
        subject_id=job.subject_id, created_at=job.created_at, started_at=job.started_at, finished_at=job.finished_at,
    )
    provider = _PROVIDERS.get(job.kind)
    if provider is not None and job.status != JobStatus.FAILED:
        state = provider(job, state)
    return replace(state, progress=min(state.progress, state.total) if state.total else state.progress)
