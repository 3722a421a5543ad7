"""Looking into the real broker: how many messages wait in a queue, and which."""
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


def taken(queue: str = "mail") -> list[tuple[str, dict]]:
    """The tasks waiting in a queue, taken out of it: (name, kwargs) each."""
    celery = current_app.extensions["celery"]
    found = []
    with celery.connection_for_read() as conn, conn.channel() as channel:
        while (message := channel.basic_get(queue, no_ack=True)) is not None:
            _args, kwargs, _embed = message.decode()
            found.append((message.headers["task"], kwargs))
    return found
