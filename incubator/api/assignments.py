"""API: assignments."""
from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_assignments", __name__, description="assignments")
