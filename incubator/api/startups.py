"""Startups and teams over the API."""
from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_startups", __name__, description="Startup profiles and teams")
