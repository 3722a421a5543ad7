"""Celery wired the way the Flask docs show: every task runs inside an app context."""
from __future__ import annotations

from celery import Celery, Task
from flask import Flask


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.conf.beat_schedule = {
        "outbox-sweep": {
            "task": "notifications.sweep",
            "schedule": float(app.config["OUTBOX_SWEEP_EVERY_SECONDS"]),
        },
        "offer-expiry": {
            "task": "selection.expire_offers",
            "schedule": float(app.config["OFFER_EXPIRY_EVERY_SECONDS"]),
        },
        "review-reminders": {
            "task": "reviews.send_reminders",
            "schedule": float(app.config["REMINDER_EVERY_SECONDS"]),
        },
        "deadline-reminders": {
            "task": "applications.send_reminders",
            "schedule": float(app.config["REMINDER_EVERY_SECONDS"]),
        },
    }
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def ensure_broker_folders(app: Flask) -> None:
    options = app.config["CELERY"].get("broker_transport_options") or {}
    from pathlib import Path

    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
