"""API: letters."""
from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_letters", __name__, description="letters")
