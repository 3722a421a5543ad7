"""One guard for every write into a season: a closed season is final.

Once a manager closes a season (incubator.selection.closing), its answers, attachments, reviews,
scores, assignments, conflicts, decisions, offers, letters and settings can no longer change; only
outcomes are still recorded. Every service that writes into a season calls `ensure_not_closed`
(before anything else it checks, after "may this person see it at all"), so whatever the entry
point (a page, the API, a task), the refusal is the same: a Conflict (409, code "season_closed")
naming the season and what can no longer change."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from incubator.core.errors import Conflict
from incubator.programs.models import SeasonStatus

CLOSED_CODE = "season_closed"

# What can no longer change, by the part of the season a service writes to.
_MESSAGES = {
    "season": _l("The season “%(name)s” is closed: nothing in it can change any more."),
    "applications": _l("The season “%(name)s” is closed: its applications and their answers and files can no "
                       "longer change."),
    "apply": _l("The season “%(name)s” is closed: it takes no new applications."),
    "reviews": _l("The season “%(name)s” is closed: its reviews and scores can no longer change."),
    "assignments": _l("The season “%(name)s” is closed: its review assignments can no longer change."),
    "conflicts": _l("The season “%(name)s” is closed: the conflicts of interest recorded for it can no longer "
                    "change."),
    "decisions": _l("The season “%(name)s” is closed: its decisions are final and can no longer change."),
    "offers": _l("The season “%(name)s” is closed: its offers can no longer change."),
    "letters": _l("The season “%(name)s” is closed: its decision letters can no longer be sent."),
    "settings": _l("The season “%(name)s” is closed: its settings, questions and stages can no longer change."),
}


def is_closed(season) -> bool:
    return season is not None and season.status == SeasonStatus.CLOSED


def closed_reason(season, what: str = "season") -> str | None:
    """Why nothing of `what` may change in this season (a sentence for people), or None while it may."""
    if not is_closed(season):
        return None
    return str(_MESSAGES.get(what, _MESSAGES["season"])) % {"name": season.name}


def ensure_not_closed(season, what: str = "season") -> None:
    """Refuse any write into a closed season: Conflict (409, code "season_closed") naming the season."""
    reason = closed_reason(season, what)
    if reason is not None:
        raise Conflict(reason, code=CLOSED_CODE, season_id=season.id)
