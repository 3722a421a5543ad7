"""Attachments over the API."""
from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("api_attachments", __name__, description="Files attached to applications")
