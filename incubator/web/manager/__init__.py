"""The manager's pages: season builder, reviewers and assignments, leaderboard, decisions, letters.
One blueprint, one module per concept; every season or stage is fetched scoped to the manager
(incubator.programs.queries.season_for_manager / stage_for_manager: 404 for anyone else)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("manager", __name__)

from incubator.web.manager import assignments, decisions, leaderboard, letters, reviewers, seasons  # noqa: E402,F401
from incubator.web.manager import closing  # noqa: E402,F401
from incubator.web.manager import outcomes  # noqa: E402,F401
from incubator.web.manager import dashboard  # noqa: E402,F401
from incubator.web.manager import reports  # noqa: E402,F401
