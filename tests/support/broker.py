"""Looking into the real broker: how many messages wait in a queue."""
from __future__ import annotations

from flask import current_app


def queue_length(name: str = "mail") -> int:
    celery = current_app.extensions["celery"]
    with celery.connection_for_read() as conn:
        with conn.channel() as channel:
            try:
                return channel.queue_declare(queue=name, passive=True).message_count
            except Exception:
                return 0


def purge(*names: str) -> None:
    celery = current_app.extensions["celery"]
    with celery.connection_for_write() as conn:
        with conn.channel() as channel:
            for name in names or ("mail", "reports", "default"):
                try:
                    channel.queue_purge(name)
                except Exception:
                    pass
