"""The reviewer's pages: the queue per stage, the review form, declaring a conflict."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reviewer", __name__)

from incubator.web.reviewer import queue  # noqa: E402,F401
