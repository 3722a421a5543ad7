"""Reads of applications for the founder, scoped to what they may see, with eager loading decided here."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from incubator.applications.models import Application
from incubator.core.converters import MAX_ID
from incubator.core.errors import NotFound
from incubator.extensions import db
from incubator.programs.models import Season
from incubator.startups.models import Startup
from incubator.startups.queries import editable_startup_ids


def my_applications(user):
    return (select(Application)
            .where(Application.startup_id.in_(editable_startup_ids(user)))
            .options(selectinload(Application.startup),
                     selectinload(Application.season).selectinload(Season.program))
            .order_by(Application.id.desc()))


def application_for_founder(user, application_id) -> Application:
    """The application if the user is its applicant; NotFound otherwise (never revealing it exists)."""
    try:
        application_id = int(application_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 1 <= application_id <= MAX_ID:
        raise NotFound()
    application = db.session.scalar(
        select(Application)
        .where(Application.id == application_id, Application.startup_id.in_(editable_startup_ids(user)))
        .options(selectinload(Application.answers), selectinload(Application.attachments),
                 selectinload(Application.events),
                 selectinload(Application.startup).selectinload(Startup.members),
                 selectinload(Application.startup).selectinload(Startup.collaborators),
                 selectinload(Application.season).selectinload(Season.questions))
    )
    if application is None:
        raise NotFound()
    return application
