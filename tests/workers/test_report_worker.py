"""A real worker process compiles a season report while the test polls GET /api/v1/reports/{id}: the
progress moves forward through the steps to 100, and the files it lists are the files it stored."""
from __future__ import annotations

import hashlib
import os
import time

import pytest
from sqlalchemy import select

from incubator.accounts.models import User
from tests.support import broker
from tests.support.factories_fixtures import bearer
from tests.support.processes import WorkerProcess
from tests.support.report_fixture import build_report_season

pytestmark = pytest.mark.slow


def test_the_worker_knows_the_report_task(app):
    import workers.tasks  # noqa: F401  (what the worker process loads)

    task = app.extensions["celery"].tasks.get("reports.compile")
    assert task is not None and task.acks_late, "workers/tasks.py must register reports.compile with acks_late"


def test_a_worker_compiles_a_report_while_the_api_shows_its_progress(app, db, client, api_token, tmp_path):
    test_the_worker_knows_the_report_task(app)
    season, expected = build_report_season()
    manager = db.session.scalar(select(User).where(User.email == expected["manager_email"]))
    headers = bearer(api_token(manager))
    broker.purge()
    log = tmp_path / "worker.log"
    seen: list[tuple[str, int, str]] = []
    with WorkerProcess(dict(os.environ), log_path=log):
        started = client.post(f"/api/v1/seasons/{season.id}/reports", json={"locale": "ru"}, headers=headers)
        assert started.status_code == 202, started.json
        url = f"/api/v1/reports/{started.json['report']['id']}"
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            db.session.rollback()  # a fresh snapshot each time, as a new request would have
            report = client.get(url, headers=headers).json
            state = (report["status"], report["progress"], report["step"])
            if not seen or seen[-1] != state:
                seen.append(state)
            if report["status"] in ("done", "failed"):
                break
            time.sleep(0.05)

    assert report["status"] == "done", (report, log.read_text()[-4000:] if log.exists() else "")
    progress = [p for _, p, _ in seen]
    assert progress == sorted(progress) and progress[-1] == 100, seen
    assert any(status == "running" and 0 < p < 100 for status, p, _ in seen), seen  # seen while it ran
    assert len({step for _, _, step in seen}) >= 3, seen
    assert report["locale"] == "ru" and report["provisional"] is True and report["error"] is None
    assert {f["format"] for f in report["files"]} == {"html", "pdf", "xlsx", "csv"}
    for entry in report["files"]:
        download = client.get(entry["url"], headers=headers)
        assert download.status_code == 200 and hashlib.sha256(download.data).hexdigest() == entry["sha256"]
    job = client.get(f"/api/v1/jobs/{started.json['job']['id']}", headers=headers).json
    assert (job["status"], job["percent"]) == ("done", 100)
    print("\nprogress seen:", " -> ".join(f"{p}% {step}" for _, p, step in seen))
