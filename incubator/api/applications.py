"""The founder's applications over the API."""
from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_applications", __name__, description="Applications (founder side)")
