"""Real worker processes deliver the outbox through a real SMTP server, and survive SIGKILL."""
from __future__ import annotations

import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from incubator.core.timeutil import utcnow
from incubator.notifications.delivery import CHUNK_TASK, MARK_EVERY, chunked
from incubator.notifications.models import DeliveryStatus, Notification
from incubator.notifications.services import queue_notification
from tests.support import broker
from tests.support.processes import WorkerProcess

pytestmark = pytest.mark.slow

# The beat's sweep every second; a row held by a killed worker reclaimed after 3 s.
SWEEP_FAST = {"OUTBOX_SWEEP_EVERY_SECONDS": "1", "OUTBOX_STUCK_AFTER_SECONDS": "3", "OUTBOX_REQUEUE_AFTER_SECONDS": "8"}


def _queue_many(db, user, n, dispatch=True):
    notes = [queue_notification(user=user, kind="test_message", dedupe_key=f"bulk:{i}", context={"number": i},
                                via_inapp=False, dispatch=dispatch) for i in range(n)]
    db.session.commit()
    return [note.id for note in notes]


def _status_counts(db) -> dict:
    db.session.expire_all()
    rows = db.session.execute(select(Notification.status, func.count()).group_by(Notification.status)).all()
    return {status: count for status, count in rows}


def _wait_then_kill(worker, smtp_sink, log, total: int, share: int) -> int:
    """Kill the worker once 1/share of the messages arrived; returns how many had."""
    try:
        deadline = time.monotonic() + 60
        while len(smtp_sink.messages) < total // share and time.monotonic() < deadline:
            time.sleep(0.01)
        received = len(smtp_sink.messages)
        assert 0 < received < total, f"worker did not start sending: {log.read_text()[-2000:]}"
    finally:
        worker.kill()
    return received


def _restart_until_sent(db, env, log, smtp_sink, total: int) -> int:
    """A new worker (and beat, whose sweep reclaims what the killed one held) finishes the send:
    every message arrives, none is lost. Returns the number of duplicates received."""
    with WorkerProcess(env, beat=True, log_path=log):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if _status_counts(db).get(DeliveryStatus.SENT, 0) == total:
                break
            time.sleep(0.25)
    counts = _status_counts(db)
    assert counts.get(DeliveryStatus.SENT, 0) == total, (counts, log.read_text()[-3000:])
    received = Counter(m["Message-ID"] for m in smtp_sink.messages)
    assert set(received) == set(db.session.scalars(select(Notification.message_id)))  # every one delivered
    return sum(c - 1 for c in received.values())


def test_worker_delivers_a_verification_email(app, db, client, worker_env, smtp_sink, tmp_path):
    broker.purge()
    with WorkerProcess(worker_env, log_path=tmp_path / "worker.log"):
        response = client.post("/api/v1/auth/register", json={
            "email": "new.founder@example.org", "password": "Samarkand-Apricot-7", "name": "Nodira", "locale": "uz"})
        assert response.status_code == 201
        messages = smtp_sink.wait_for(1, timeout=30)
    assert len(messages) == 1, (tmp_path / "worker.log").read_text()
    assert messages[0]["To"] == "new.founder@example.org"
    assert "/auth/verify/" in messages[0].get_body(preferencelist=("plain",)).get_content()


def test_sigkill_during_a_500_message_send_loses_nothing(app, db, make_user, worker_env, smtp_sink, tmp_path):
    broker.purge()
    user = make_user(email="bulk@example.org")
    total = 500
    env = dict(worker_env, **SWEEP_FAST)
    log = tmp_path / "worker.log"
    first = WorkerProcess(env, beat=True, log_path=log).start()
    try:
        _queue_many(db, user, total)
    except BaseException:
        first.kill()
        raise
    before = _wait_then_kill(first, smtp_sink, log, total, share=4)  # in the middle of the send
    duplicates = _restart_until_sent(db, env, log, smtp_sink, total)
    print(f"\n500-message send with 1 SIGKILL: received {len(smtp_sink.messages)}, {before} before the kill, "
          f"duplicates {duplicates}")
    assert duplicates <= 1


def test_sigkill_during_a_chunked_send_loses_nothing(app, db, make_user, worker_env, smtp_sink, tmp_path):
    """Letters go in chunk tasks (as decision letters do): a worker killed in the middle of a chunk
    re-sends at most the letters it sent since its last "sent" mark."""
    broker.purge()
    user = make_user(email="chunks@example.org")
    total = 600
    ids = _queue_many(db, user, total, dispatch=False)
    db.session.query(Notification).update({Notification.next_attempt_at: utcnow()})
    db.session.commit()
    env = dict(worker_env, **SWEEP_FAST)
    log = tmp_path / "worker.log"
    first = WorkerProcess(env, beat=True, log_path=log).start()
    try:
        for chunk in chunked(ids):
            app.extensions["celery"].send_task(CHUNK_TASK, kwargs={"notification_ids": chunk})
    except BaseException:
        first.kill()
        raise
    before = _wait_then_kill(first, smtp_sink, log, total, share=3)
    duplicates = _restart_until_sent(db, env, log, smtp_sink, total)
    print(f"\n{total}-letter chunked send with 1 SIGKILL: received {len(smtp_sink.messages)}, "
          f"{before} before the kill, duplicates {duplicates}")
    assert duplicates <= MARK_EVERY
