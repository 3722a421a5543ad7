"""Mail backends: smtp (a real server), file (.eml files in instance/outbox/), memory (a list).

Each sends a prepared message (`incubator.notifications.mime.Mail`: the envelope and the bytes,
nothing parsed or flattened again)."""
from __future__ import annotations

import os
import smtplib
import ssl
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from incubator.notifications.mime import Mail

memory_outbox: list[EmailMessage] = []


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): retrying will not help."""


class TransientFailure(Exception):
    """Try again later (4xx, a dropped connection, a timeout)."""


class ConnectionFailure(TransientFailure):
    """The server could not be reached or dropped the connection: the next messages would fail too."""


class FileBackend:
    def __init__(self, config):
        self.folder = Path(config["MAIL_OUTBOX_DIR"])

    def _write(self, data: bytes, name: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        final = self.folder / f"{name}.eml"
        tmp = self.folder / f".{name}.eml.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, final)

    def send(self, message: Mail) -> None:
        self._write(message.data, message.name)


class MemoryBackend:
    def __init__(self, config):
        pass

    def send(self, message: Mail) -> None:
        memory_outbox.append(message_from_bytes(message.data, policy=policy.default))


class SMTPBackend:
    """Keeps one connection per thread and reuses it; a dropped connection is reopened once."""

    _local = threading.local()

    def __init__(self, config):
        self.config = config

    def _key(self):
        c = self.config
        return (c["MAIL_SERVER"], c["MAIL_PORT"], c["MAIL_USERNAME"], c["MAIL_USE_SSL"], c["MAIL_USE_TLS"])

    def _open(self) -> smtplib.SMTP:
        c = self.config
        if c["MAIL_USE_SSL"]:
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                c["MAIL_SERVER"], c["MAIL_PORT"], timeout=c["MAIL_TIMEOUT"], context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=c["MAIL_TIMEOUT"])
            if c["MAIL_USE_TLS"]:
                conn.starttls(context=ssl.create_default_context())
        if c["MAIL_USERNAME"]:
            conn.login(c["MAIL_USERNAME"], c["MAIL_PASSWORD"] or "")
        return conn

    def _connection(self) -> smtplib.SMTP:
        cached = getattr(self._local, "conn", None)
        if cached is not None and cached[0] == self._key():
            return cached[1]
        conn = self._open()
        self._local.conn = (self._key(), conn)
        return conn

    def _drop(self) -> None:
        cached = getattr(self._local, "conn", None)
        self._local.conn = None
        if cached is not None:
            try:
                cached[1].close()
            except Exception:
                pass

    def send(self, message: Mail) -> None:
        """sendmail with the prepared bytes: smtplib only escapes leading dots."""
        def deliver(conn: smtplib.SMTP) -> None:
            options: tuple[str, ...] = ()
            if message.smtputf8:
                conn.ehlo_or_helo_if_needed()
                if not conn.has_extn("smtputf8"):
                    raise PermanentFailure(f"the mail server cannot take the address {message.to!r} (no SMTPUTF8)")
                options = ("SMTPUTF8", "BODY=8BITMIME")
            conn.sendmail(message.sender, [message.to], message.data, mail_options=options)

        self._send(deliver)

    def _send(self, deliver) -> None:
        for attempt in (1, 2):
            try:
                deliver(self._connection())
                return
            except smtplib.SMTPServerDisconnected as exc:
                self._drop()
                if attempt == 2:
                    raise ConnectionFailure(f"SMTP server disconnected: {exc}") from exc
            except smtplib.SMTPRecipientsRefused as exc:
                self._reset_after_error()
                codes = [code for code, _ in exc.recipients.values()]
                if all(400 <= code < 500 for code in codes):
                    raise TransientFailure(f"recipient deferred: {exc.recipients}") from exc
                raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
            except smtplib.SMTPResponseException as exc:
                self._reset_after_error()
                text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
                if 400 <= exc.smtp_code < 500:
                    raise TransientFailure(f"{exc.smtp_code} {text}") from exc
                raise PermanentFailure(f"{exc.smtp_code} {text}") from exc
            except (OSError, smtplib.SMTPException) as exc:
                self._drop()
                raise ConnectionFailure(f"{type(exc).__name__}: {exc}") from exc

    def _reset_after_error(self) -> None:
        cached = getattr(self._local, "conn", None)
        if cached is not None:
            try:
                cached[1].rset()
            except Exception:
                self._drop()


BACKENDS = {"file": FileBackend, "memory": MemoryBackend, "smtp": SMTPBackend}


def get_backend(config):
    name = config["MAIL_BACKEND"]
    try:
        return BACKENDS[name](config)
    except KeyError as exc:
        raise RuntimeError(f"unknown MAIL_BACKEND {name!r}; use one of {sorted(BACKENDS)}") from exc
