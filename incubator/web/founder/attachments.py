"""Uploading, replacing, deleting and downloading attachments (pages)."""
from __future__ import annotations

from incubator.web.founder import bp  # noqa: F401
