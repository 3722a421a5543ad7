"""Absolute links for e-mails, built from PUBLIC_BASE_URL whether or not a request is running."""
from __future__ import annotations

from flask import current_app, url_for


def public_url(endpoint: str, **values) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)
