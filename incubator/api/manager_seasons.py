"""API: manager_seasons."""
from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_manager_seasons", __name__, description="manager_seasons")
