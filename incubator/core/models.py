"""Mixins every domain's models share."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from incubator.core.timeutil import utcnow
from incubator.core.types import UTCDateTime


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


def translated(value: dict | None, locale: str | None, fallback: str = "en") -> str:
    """Pick a translation from a {"en": ..., "ru": ..., "uz": ...} dict."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    return value.get(locale or fallback) or value.get(fallback) or next(iter(value.values()), "")
