"""Domain rules for organisations and programs."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from incubator.core.errors import RuleViolation

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def validate_slug(value: str, field: str = "slug") -> str:
    value = (value or "").strip().lower()
    if not value or len(value) > 80 or not SLUG_RE.match(value):
        raise RuleViolation(field, _l("Use lower-case letters, digits and single hyphens, 80 characters at most."))
    return value


def validate_required_text(value: str, field: str, limit: int = 200) -> str:
    value = (value or "").strip()
    if not value:
        raise RuleViolation(field, _l("This field is required."))
    if len(value) > limit:
        raise RuleViolation(field, _l("Use at most %(n)d characters.", n=limit))
    return value
