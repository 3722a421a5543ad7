"""Where uploaded files live: a small storage interface, a local-folder backend, and the rules that
keep the stored files and the database rows in step.

Stored files get random keys (never the uploader's name) and live outside the web root. The backend
is chosen by the STORAGE_BACKEND setting ("local" by default); an S3-compatible backend is one more
class with the same four methods, registered in BACKENDS.

Files and rows are kept in step with the session: a file stored during a transaction is removed
again if the transaction rolls back (`discard_on_rollback`), and a file a transaction stops using is
removed only once that transaction has committed (`delete_after_commit`), so a rollback never leaves
a row pointing at a file that is gone.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from abc import ABC, abstractmethod
from typing import BinaryIO
from urllib.parse import quote

from flask import current_app, send_file
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

KEY_RE = re.compile(r"[0-9a-f]{32}")


class StorageError(Exception):
    """The backend could not do what was asked (misconfigured, unreachable, bad key)."""


class Storage(ABC):
    """Four operations, keyed by an opaque random key the storage chooses."""

    name = "abstract"

    @abstractmethod
    def save(self, stream: BinaryIO) -> str:
        """Store the stream's content (read from its current position) and return the new key."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A readable binary stream of the stored content; FileNotFoundError when it is gone."""

    @abstractmethod
    def delete(self, key: str) -> bool:
        """Remove the content; True when something was removed. Deleting a missing key is not an error."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        ...


def is_valid_key(key: str | None) -> bool:
    return isinstance(key, str) and KEY_RE.fullmatch(key) is not None


def _local_from_app(app) -> Storage:
    from incubator.storage.local import LocalStorage, upload_folder

    return LocalStorage(upload_folder(app))


BACKENDS = {"local": _local_from_app}


def get_storage(app=None) -> Storage:
    """The backend named by STORAGE_BACKEND (default "local"), configured from the app's settings."""
    app = app or current_app
    name = (app.config.get("STORAGE_BACKEND") or "local").lower()
    factory = BACKENDS.get(name)
    if factory is None:
        raise StorageError(f"Unknown STORAGE_BACKEND “{name}”: choose one of {', '.join(sorted(BACKENDS))}.")
    return factory(app)


# --- Keeping files in step with the transaction -------------------------------------------------

_ON_COMMIT = "incubator_storage_delete_after_commit"
_ON_ROLLBACK = "incubator_storage_discard_on_rollback"


def delete_after_commit(session: Session, storage: Storage, key: str) -> None:
    """Remove `key` once the current transaction commits (kept if it rolls back)."""
    session.info.setdefault(_ON_COMMIT, []).append((storage, key))


def discard_on_rollback(session: Session, storage: Storage, key: str) -> None:
    """Remove `key` if the current transaction rolls back (kept if it commits)."""
    session.info.setdefault(_ON_ROLLBACK, []).append((storage, key))


def _delete_all(pending) -> None:
    for storage, key in pending:
        try:
            storage.delete(key)
        except Exception:  # an orphan file is a disk-space problem, never a reason to fail a request
            log.exception("could not delete stored file %s", key)


# SQLAlchemy sends after_commit / after_rollback for savepoints (begin_nested) too; only the outermost
# transaction decides whether the files are kept. (During a savepoint's own event the session still
# reports the nested transaction as current.)

@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.info.pop(_ON_ROLLBACK, None)
    _delete_all(session.info.pop(_ON_COMMIT, []))


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.info.pop(_ON_COMMIT, None)
    _delete_all(session.info.pop(_ON_ROLLBACK, []))


# --- Serving a stored file -------------------------------------------------------------------------

_ASCII_UNSAFE = re.compile(r'[^A-Za-z0-9 ._()\[\]+-]')


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _ASCII_UNSAFE.sub("_", text).strip(" ._")


def content_disposition(filename: str) -> str:
    """`attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` (RFC 6266 / 8187)."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    fallback = (_ascii(stem) or "file") + (f".{_ascii(ext)}" if _ascii(ext) else "")
    encoded = quote(filename, safe="!#$&+-.^_`|~")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def send_download(stream: BinaryIO, *, download_name: str, mimetype: str, etag: str | None = None,
                  size: int | None = None, last_modified=None):
    """A response that makes the browser save the file, never render it: attachment disposition,
    the type we detected (not the uploader's), nosniff, no caching by shared caches, and a sandbox
    CSP in case anything opens it in a tab anyway."""
    response = send_file(stream, mimetype=mimetype, as_attachment=True, download_name=download_name,
                         etag=etag or False, last_modified=last_modified, max_age=0, conditional=True)
    if size is not None and response.content_length is None:
        response.content_length = size
    response.headers["Content-Disposition"] = content_disposition(download_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
