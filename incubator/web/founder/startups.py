"""Startup profiles, teams and co-founder invitations (pages)."""
from __future__ import annotations

from incubator.web.founder import bp  # noqa: F401
