"""/healthz: is the database answering, is the broker reachable."""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import text

from incubator.extensions import db

log = logging.getLogger(__name__)


def _check_database() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:
        log.exception("health: database check failed")
        db.session.rollback()
        return False


def _check_broker() -> bool:
    celery = current_app.extensions["celery"]
    try:
        with celery.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
            if conn.transport_cls == "filesystem" or conn.transport.driver_type == "filesystem":
                from pathlib import Path

                folder = Path(celery.conf.broker_transport_options["data_folder_out"])
                folder.mkdir(parents=True, exist_ok=True)
                return folder.is_dir()
        return True
    except Exception:
        log.warning("health: broker check failed", exc_info=True)
        return False


def health_report() -> tuple[dict, bool]:
    database, broker = _check_database(), _check_broker()
    ok = database and broker
    return {"status": "ok" if ok else "degraded", "database": "ok" if database else "down",
            "broker": "ok" if broker else "down"}, ok
