"""Security headers on every response."""
from __future__ import annotations

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _has_nul(values) -> bool:
    return any("\x00" in v for v in values)


def init_security_headers(app) -> None:
    @app.before_request
    def _refuse_nul_characters():
        """No text field may carry a NUL character (PostgreSQL cannot store one): refuse clearly."""
        from flask import request

        if _has_nul(request.args.values()) or (request.form and _has_nul(request.form.values())):
            from werkzeug.exceptions import BadRequest

            raise BadRequest("A field contains a NUL character, which is not allowed.")
        return None

    @app.after_request
    def _headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
