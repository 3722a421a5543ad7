"""Manager pages: leaderboard."""
from __future__ import annotations

from incubator.web.manager import bp  # noqa: F401
