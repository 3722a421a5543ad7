"""Security headers on every response; no inline script or style in the pages."""
from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize("path", ["/", "/auth/login", "/api/v1/programs", "/healthz", "/nope"])
def test_headers_on_every_response(app, client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(app, client, open_season):
    for path in ["/", "/auth/login", "/auth/register", f"/seasons/{open_season.id}", "/programs"]:
        page = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), path
        assert "<style" not in page and " style=" not in page, path
        assert "cdn" not in page.lower(), path


def test_production_cookies_are_secure(app):
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY and ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"
