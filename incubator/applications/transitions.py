"""The one write path for status changes: allowed moves only, claimed with a conditional UPDATE so a
lost race is a clear conflict, never a silent overwrite."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from incubator.applications.models import Application
from incubator.applications.states import Status, can_move
from incubator.applications.timeline import add_event
from incubator.core.errors import Conflict, InvalidTransition
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.programs.guards import ensure_not_closed

TIMESTAMP_FOR = {Status.SUBMITTED: "submitted_at", Status.WITHDRAWN: "withdrawn_at",
                 Status.ACCEPTED: "decided_at", Status.REJECTED: "decided_at"}


def transition(application: Application, to: Status, *, actor, reason: str = "", kind: str | None = None,
               values: dict | None = None) -> Application:
    ensure_not_closed(application.season)  # belt and braces: each service refuses first, in its own words
    src = Status(application.status)
    if not can_move(src, to):
        raise InvalidTransition(_l("An application that is %(src)s cannot become %(dst)s.",
                                   src=src.value, dst=to.value))
    now = utcnow()
    changes = {"status": to, "updated_at": now, **(values or {})}
    if to in TIMESTAMP_FOR:
        changes[TIMESTAMP_FOR[to]] = now
    try:
        claimed = db.session.execute(
            update(Application)
            .where(Application.id == application.id, Application.status == src)
            .values(**changes)
            .execution_options(synchronize_session=False)
        ).rowcount
    except OperationalError as exc:  # SQLite: another writer committed since this transaction read
        if "locked" not in str(exc).lower():
            raise
        claimed = 0
    if claimed != 1:
        raise Conflict(_l("Someone changed this application at the same moment. Reload the page to see "
                          "its current state."), code="lost_race")
    db.session.expire(application)
    add_event(application, kind=kind or to.value, actor=actor, from_status=src, to_status=to, reason=reason)
    db.session.flush()
    return application
