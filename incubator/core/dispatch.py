"""Tasks are queued on the session and sent to the broker only after the transaction commits.
A rollback drops them. A message lost between commit and broker is caught by the outbox sweep."""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_KEY = "incubator_pending_tasks"


def enqueue_after_commit(session: Session, task_name: str, **kwargs) -> None:
    session.info.setdefault(_KEY, []).append((task_name, kwargs))


def send_task_now(task_name: str, **kwargs) -> None:
    celery = current_app.extensions["celery"]
    celery.send_task(task_name, kwargs=kwargs)


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint was released: the real commit is still to come
        return
    pending = session.info.pop(_KEY, [])
    for name, kwargs in pending:
        try:
            send_task_now(name, **kwargs)
        except Exception:  # the broker is down: the outbox sweep will re-queue the row
            log.exception("could not dispatch %s %s after commit", name, kwargs)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.info.pop(_KEY, None)
