"""Writing the timeline: every transition and notable change is an event: who, when, from, to, why."""
from __future__ import annotations

from incubator.applications.models import ApplicationEvent
from incubator.extensions import db


def add_event(application, *, kind: str, actor=None, from_status=None, to_status=None, stage_id=None,
              reason: str = "") -> ApplicationEvent:
    event = ApplicationEvent(
        application_id=application.id, actor_id=getattr(actor, "id", None), kind=kind,
        from_status=str(from_status) if from_status else None, to_status=str(to_status) if to_status else None,
        stage_id=stage_id, reason=reason or "",
    )
    db.session.add(event)
    return event
