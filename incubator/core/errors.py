"""Typed domain errors. The web layer turns them into flashes and form errors, the API into
problem details (403/404/409/422)."""
from __future__ import annotations


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, message: str = "", **kwargs):
        super().__init__(message)
        self.message = str(message) if message else self.title
        self.extra = kwargs


class NotAllowed(DomainError):
    status = 403
    title = "Forbidden"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class InvalidTransition(DomainError):
    status = 409
    title = "Conflict"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class RuleViolation(DomainError):
    """A domain rule broken by one or more fields: errors maps field -> [messages]."""

    status = 422
    title = "Invalid input"

    def __init__(self, field: str | None = None, message: str = "", errors: dict | None = None):
        super().__init__(message or "Some fields are not valid: see errors.")
        self.errors: dict[str, list[str]] = {k: list(v) for k, v in (errors or {}).items()}
        if field:
            self.errors.setdefault(field, []).append(str(message))

    @property
    def field(self) -> str | None:
        return next(iter(self.errors), None)
