"""API: jobs."""
from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_jobs", __name__, description="jobs")
