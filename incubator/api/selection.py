"""API: selection."""
from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_selection", __name__, description="selection")
