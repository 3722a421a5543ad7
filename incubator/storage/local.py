"""The local-folder backend: files under `<instance>/uploads` (UPLOAD_FOLDER), outside the web root,
named by random keys and sharded two levels deep (`ab/cd/abcd...`), written atomically (a temporary
file in the same folder, fsync, then os.replace), readable only by the app's user."""
from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from incubator.storage import Storage, StorageError, is_valid_key

CHUNK = 1024 * 1024


def upload_folder(app) -> Path:
    return Path(app.config.get("UPLOAD_FOLDER") or os.path.join(app.instance_path, "uploads"))


class LocalStorage(Storage):
    name = "local"

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()

    def path_for(self, key: str) -> Path:
        """The file a key names. Only well-formed keys map to a path: nothing a caller passes can
        reach outside the root."""
        if not is_valid_key(key):
            raise StorageError("Not a storage key.")
        return self.root / key[:2] / key[2:4] / key

    def _new_key(self) -> str:
        while True:
            key = secrets.token_hex(16)
            if not self.path_for(key).exists():
                return key

    def save(self, stream: BinaryIO) -> str:
        key = self._new_key()
        target = self.path_for(key)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(stream, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
        return key

    def open(self, key: str) -> BinaryIO:
        return open(self.path_for(key), "rb")  # the response (or the caller) closes it

    def delete(self, key: str) -> bool:
        path = self.path_for(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        for folder in (path.parent, path.parent.parent):  # tidy empty shard folders
            try:
                folder.rmdir()
            except OSError:
                break
        return True

    def exists(self, key: str) -> bool:
        return is_valid_key(key) and self.path_for(key).is_file()
