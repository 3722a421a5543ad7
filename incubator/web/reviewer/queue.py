"""Reviewer pages: the queue and the review form."""
from __future__ import annotations

from incubator.web.reviewer import bp  # noqa: F401
