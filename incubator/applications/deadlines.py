"""The deadline, decided by the server clock in the season's time zone, plus the grace period."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from incubator.core.errors import Conflict
from incubator.core.i18n import format_in_zone
from incubator.core.timeutil import utcnow


def hard_deadline(season) -> datetime:
    return season.closes_at + timedelta(minutes=season.grace_minutes or 0)


def deadline_text(season, viewer_tz: str | None = None) -> str:
    """'12 Dec 2026, 18:00 Asia/Tashkent (UTC+05:00)', and the viewer's own time when it differs."""
    text = format_in_zone(season.closes_at, season.timezone)
    if viewer_tz and viewer_tz != season.timezone:
        text += " · " + format_in_zone(season.closes_at, viewer_tz)
    return text


def ensure_before_deadline(season, *, viewer_tz: str | None = None, now: datetime | None = None) -> None:
    now = now or utcnow()
    if now < season.opens_at:
        raise Conflict(_l("This season opens on %(when)s.", when=format_in_zone(season.opens_at, season.timezone)),
                       code="not_open")
    if now > hard_deadline(season) or season.status != "open":
        raise Conflict(_l("The deadline has passed: applications closed on %(when)s.",
                          when=deadline_text(season, viewer_tz)), code="deadline_passed")
