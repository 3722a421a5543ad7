"""API: reviewers."""
from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_reviewers", __name__, description="reviewers")
