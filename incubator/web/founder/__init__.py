"""The founder's pages: startups and team, applications, attachments. One blueprint, one module per concept."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("founder", __name__)

from incubator.web.founder import applications, attachments, offers, startups  # noqa: E402,F401
