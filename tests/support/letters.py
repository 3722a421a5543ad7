"""Scenarios for decision letters: a season with two stages, applications in review, decisions
written the way the timeline records them (an ApplicationEvent and the application's new status),
reviews with feedback and private notes, offers; and running the `letters.send_batch` messages the
requests published, in the test's process (what a worker does)."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app

from incubator.applications.models import Application, ApplicationEvent
from incubator.applications.states import Status
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.programs.models import SeasonStatus
from incubator.reviews.models import Assignment, Review, ReviewStatus
from incubator.selection.models import Offer
from tests.support import factories as f
from tests.support.journey import add_cofounder, startup_of


def season_with_stages(program, **kwargs):
    season = f.SeasonFactory(program=program, name=kwargs.pop("name", "Season 3"), status=SeasonStatus.REVIEWING,
                             **kwargs)
    screening = f.StageFactory(season=season, position=1, name={"en": "Screening", "ru": "Отбор", "uz": "Saralash"})
    interview = f.StageFactory(season=season, position=2, name={"en": "Interview", "ru": "Интервью", "uz": "Suhbat"})
    return season, screening, interview


def application_in_review(season, stage, *, owner=None, name="Paxta AI", locale="en", cofounder=None):
    owner = owner or f.UserFactory(locale=locale)
    startup = startup_of(owner, name=name)
    if cofounder is not None:
        add_cofounder(startup, cofounder)
    application = Application(season_id=season.id, startup_id=startup.id, created_by_id=owner.id,
                              status=Status.IN_REVIEW, current_stage_id=stage.id,
                              submitted_at=utcnow() - timedelta(days=5))
    db.session.add(application)
    db.session.commit()
    return application


def decide(application, to_status: Status, *, stage, actor=None, kind="decision", next_stage=None):
    """A decision as the timeline records it: the event, and the application's new status."""
    from_status = application.status
    application.status = to_status
    if next_stage is not None:
        application.current_stage_id = next_stage.id
    event = ApplicationEvent(application_id=application.id, actor_id=getattr(actor, "id", None), kind=kind,
                             from_status=str(from_status), to_status=str(to_status), stage_id=stage.id)
    db.session.add(event)
    db.session.commit()
    return event


def offer_for(application, *, promoted=False, days=7):
    offer = Offer(application_id=application.id, season_id=application.season_id,
                  deadline_at=utcnow() + timedelta(days=days), promoted_from_waitlist=promoted)
    db.session.add(offer)
    db.session.commit()
    return offer


def review(application, stage, *, reviewer, feedback="", private_note="", submitted=True):
    assignment = Assignment(stage_id=stage.id, application_id=application.id, reviewer_id=reviewer.id)
    db.session.add(assignment)
    db.session.flush()
    db.session.add(Review(assignment_id=assignment.id, scores={}, feedback=feedback, private_note=private_note,
                          status=ReviewStatus.SUBMITTED if submitted else ReviewStatus.DRAFT,
                          submitted_at=utcnow() if submitted else None))
    db.session.commit()
    return assignment


def rejected_applications(season, stage, n: int, *, prefix="Startup"):
    """n applications rejected at `stage`, each with its own owner: [(application, event)]."""
    out = []
    for i in range(n):
        application = application_in_review(season, stage, name=f"{prefix} {i:03d}")
        out.append((application, decide(application, Status.REJECTED, stage=stage)))
    return out


SEND_TASK = "letters.send_batch"


def published_batches(queue: str = "default") -> list[int]:
    """Take the `letters.send_batch` messages waiting in the real broker (others are put back):
    the batch ids they carry, in order."""
    celery = current_app.extensions["celery"]
    found, others = [], []
    with celery.connection_for_read() as conn:
        channel = conn.default_channel
        while (message := channel.basic_get(queue, no_ack=False)) is not None:
            if message.headers.get("task") == SEND_TASK:
                _args, kwargs, _embed = message.decode()
                found.append(int(kwargs["batch_id"]))
                message.ack()
            else:
                others.append(message)
        for message in others:
            message.reject(requeue=True)
    return found


def run_send_batches(*, dispatch: bool = True) -> list[int]:
    """Run the `letters.send_batch` tasks published so far, here: prepare each batch and (unless
    dispatch=False) dispatch it, whose delivery tasks are then purged (the tests deliver in turn).
    Returns the batch ids."""
    from incubator.letters.queueing import prepare_batch, send_batch
    from tests.support import broker

    ids = published_batches()
    for batch_id in ids:
        if dispatch:
            send_batch(batch_id)
        else:
            prepare_batch(batch_id)
    broker.purge("mail")
    return ids
