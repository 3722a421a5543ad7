"""Small things the HTML blueprints share."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, request
from flask_babel import lazy_gettext as _l

from incubator.core.converters import MAX_ID
from incubator.core.errors import DomainError, RuleViolation
from incubator.core.i18n import flash  # noqa: F401  (re-exported for the blueprints)
from incubator.extensions import db


def get_or_404(model, obj_id):
    try:
        obj_id = int(obj_id)
    except (TypeError, ValueError):
        abort(404)
    if not 1 <= obj_id <= MAX_ID:
        abort(404)
    obj = db.session.get(model, obj_id)
    if obj is None:
        abort(404)
    return obj


def apply_errors(form, exc: DomainError) -> None:
    """Put a domain error on the form fields it names; anything else becomes a flash."""
    db.session.rollback()
    if isinstance(exc, RuleViolation) and exc.errors:
        for field, messages in exc.errors.items():
            target = getattr(form, field, None) if form is not None else None
            if target is not None and hasattr(target, "errors"):
                target.errors = list(target.errors) + [str(m) for m in messages]
            else:
                for message in messages:
                    flash(str(message), "danger")
    else:
        flash(str(exc.message), "danger")


def safe_next(default: str) -> str:
    """Only same-site relative paths are followed after login."""
    target = request.values.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc \
            and "\\" not in target:
        return target
    return default


GENERIC_ERROR = _l("Something went wrong. Nothing was saved; please try again.")
