"""Queues split by kind: mail, reports, default. A long report must never sit in front of a letter,
so every task is routed by name, and the production Procfile gives each queue its own worker."""
from __future__ import annotations

from pathlib import Path

import pytest

ROUTES = {
    "notifications.deliver": "mail",
    "notifications.deliver_chunk": "mail",
    "notifications.sweep": "mail",
    "reports.compile": "reports",
    "letters.send_batch": "default",
    "applications.send_reminders": "default",
    "reviews.send_reminders": "default",
    "selection.expire_offers": "default",
}


def _celery(app):
    celery = app.extensions["celery"]
    celery.loader.import_default_modules()  # what a worker does at start: import workers.tasks
    return celery


@pytest.mark.parametrize(("task", "queue"), sorted(ROUTES.items()))
def test_each_task_goes_to_the_queue_of_its_kind(app, task, queue):
    celery = _celery(app)
    assert task in celery.tasks, f"{task} is not a registered task"
    route = celery.amqp.router.route({}, task, args=(), kwargs={})
    assert route["queue"].name == queue


def test_every_registered_task_has_a_known_route(app):
    celery = _celery(app)
    ours = sorted(name for name in celery.tasks if not name.startswith("celery."))
    assert ours == sorted(ROUTES), "a new task needs a line in ROUTES and, if it is long, its own queue"


def test_production_runs_a_worker_per_queue_and_one_beat():
    lines = dict(line.split(":", 1) for line in Path("Procfile").read_text().splitlines() if ":" in line)
    assert "-Q mail" in lines["worker_mail"] and "-Q default" in lines["worker"]
    assert "-Q reports" in lines["worker_reports"] and "--prefetch-multiplier 1" in lines["worker_reports"]
    assert sum(1 for name in lines if name.startswith("beat")) == 1
