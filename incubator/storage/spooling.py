"""Reading an upload safely before it is checked: into an anonymous temporary file (gone when closed,
even if the process dies), in chunks, refused as soon as it passes its limit, so a too-large upload
never fills a disk or the memory."""
from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from typing import BinaryIO

from flask import current_app

CHUNK = 64 * 1024


def spool_file():
    """An anonymous temporary file in UPLOAD_TMP_FOLDER (or the system's temporary folder)."""
    folder = current_app.config.get("UPLOAD_TMP_FOLDER")
    if folder:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    return tempfile.TemporaryFile(dir=folder or None)


def spool_limited(stream: BinaryIO, spool, limit: int, too_large: Callable[[], Exception]) -> tuple[int, str]:
    """Copy at most limit + 1 bytes; raise `too_large()` as soon as the limit is passed. Returns the size
    and the SHA-256 of what was copied; the spool is rewound for the checks."""
    digest = hashlib.sha256()
    size = 0
    while True:
        chunk = stream.read(min(CHUNK, limit + 1 - size))
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise too_large()
        digest.update(chunk)
        spool.write(chunk)
    spool.flush()
    spool.seek(0)
    return size, digest.hexdigest()
