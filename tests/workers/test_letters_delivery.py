"""A real worker process delivers decision letters to a real SMTP server: each letter once, at the
configured rate (LETTER_RATE_PER_SECOND), and sending the same letters again sends nothing."""
from __future__ import annotations

import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from incubator.applications.models import ApplicationEvent
from incubator.notifications.models import DeliveryStatus, Notification
from tests.support import broker
from tests.support.factories_fixtures import bearer
from tests.support.letters import rejected_applications, season_with_stages
from tests.support.processes import WorkerProcess

pytestmark = pytest.mark.slow

N = 20
RATE = 5


def _arrivals(sink, count: int, timeout: float) -> list[float]:
    """When each message reached the SMTP server (polled every 5 ms, monotonic seconds)."""
    times: list[float] = []
    deadline = time.monotonic() + timeout
    while len(times) < count and time.monotonic() < deadline:
        with sink.lock:
            seen = len(sink.messages)
        now = time.monotonic()
        times.extend([now] * (seen - len(times)))
        time.sleep(0.005)
    return times


def _job(client, headers, job_id) -> dict:
    return client.get(f"/api/v1/jobs/{job_id}", headers=headers).json


def test_the_worker_knows_the_letters_task(app):
    import workers.tasks  # noqa: F401  (what the worker process loads)

    assert "letters.send_batch" in app.extensions["celery"].tasks, "workers/tasks.py must register letters.send_batch"


def test_a_worker_delivers_each_letter_once_at_the_configured_rate(app, db, client, api_token, manager, program,
                                                                  worker_env, smtp_sink, tmp_path):
    test_the_worker_knows_the_letters_task(app)
    broker.purge()
    season, screening, _ = season_with_stages(program)
    rejected_applications(season, screening, N)
    headers = bearer(api_token(manager))
    log = tmp_path / "worker.log"
    with WorkerProcess(dict(worker_env, LETTER_RATE_PER_SECOND=str(RATE)), log_path=log):
        response = client.post(f"/api/v1/seasons/{season.id}/letters", json={"all_unsent": True}, headers=headers)
        assert response.status_code == 202, response.json
        job_id = response.json["job"]["id"]
        arrivals = _arrivals(smtp_sink, N, timeout=90)
        assert len(arrivals) == N, log.read_text()[-3000:]
        deadline = time.monotonic() + 20
        while _job(client, headers, job_id)["status"] != "done" and time.monotonic() < deadline:
            time.sleep(0.1)

        again = client.post(f"/api/v1/seasons/{season.id}/letters", json={"all_unsent": True}, headers=headers)
        event_ids = list(db.session.scalars(select(ApplicationEvent.id)))
        same = client.post(f"/api/v1/seasons/{season.id}/letters",
                           json={"event_ids": event_ids, "include_feedback": True}, headers=headers)
        time.sleep(2)  # time for anything wrongly queued to arrive

    job = _job(client, headers, job_id)
    assert (job["status"], job["progress"], job["total"]) == ("done", N, N), job
    assert job["result"]["sent"] == N and job["result"]["failed"] == 0
    assert again.status_code == 202 and again.json["job"]["total"] == 0
    assert same.status_code == 202 and same.json["job"]["total"] == 0

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == N
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.status == DeliveryStatus.SENT)) == N
    with smtp_sink.lock:
        messages = list(smtp_sink.messages)
    assert len(messages) == N
    recipients = Counter(str(m["To"]) for m in messages)
    assert len(recipients) == N and set(recipients.values()) == {1}
    assert len({m["Message-ID"] for m in messages}) == N
    assert all(str(m["Subject"]).startswith(program.name + ": the decision on Startup ") for m in messages)

    spread = arrivals[-1] - arrivals[0]
    print(f"\n{N} letters at {RATE}/s: first to last {spread:.2f} s")
    assert spread >= (N - 1) / RATE - 0.3  # 3.8 s at 5 a second: the rate holds
    window = [arrivals[i + RATE] - arrivals[i] for i in range(N - RATE)]
    # Never a burst: any RATE + 1 consecutive letters span most of a second. (Each letter has its own
    # turn in time; a letter delayed by a busy machine can arrive just before the next one's turn, so
    # allow some jitter. Unpaced sending puts all of them within a few hundredths of a second.)
    assert min(window) >= 0.6, window
