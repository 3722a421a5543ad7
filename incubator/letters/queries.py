"""The decisions a manager can announce with a letter, and what a letter is made of (recipients,
the stage, the next stage, the offer, the reviewers' feedback), read in a bounded number of queries.

A decision to announce is the latest decision event of an application on its timeline (a move from
in review or waitlisted to in review at the next stage, rejected, waitlisted or accepted), while the
application still has the status that decision gave it: a decision overtaken by a later one (or by
a withdrawal) is not announced any more. Its letter kind:

    in_review -> in_review            advanced
    -> rejected                       rejected
    -> waitlisted                     waitlisted
    -> accepted, with an open offer   accepted_offer (promoted_from_waitlist when the offer says so)
    -> accepted, no open offer        not announceable (nothing to confirm: no offer yet, or it was
                                      already confirmed, declined or has expired)

The decision engine (selection.decisions) records the stage the decision was taken at on the
event; an advance moves the application's current stage on to the next one.

One letter per recipient (the startup's owner and its co-founders), each with the dedupe key
`letter:<application>:<event>:<user>`, so sending the same decision again adds nothing."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from incubator.applications.models import Application, ApplicationEvent
from incubator.applications.states import Status
from incubator.extensions import db
from incubator.letters.placeholders import LetterKind
from incubator.notifications.models import Notification
from incubator.programs.models import Season, Stage
from incubator.reviews.models import Assignment, AssignmentStatus, Review, ReviewStatus
from incubator.selection.models import Offer, OfferStatus
from incubator.startups.models import Startup, StartupCollaborator

DECIDED_FROM = (Status.IN_REVIEW, Status.WAITLISTED)
DECIDED_TO = (Status.IN_REVIEW, Status.REJECTED, Status.WAITLISTED, Status.ACCEPTED)
_CHUNK = 500


def letter_key(application_id: int, event_id: int, user_id: int) -> str:
    return f"letter:{application_id}:{event_id}:{user_id}"


@dataclass
class Decision:
    """One decision to announce, with everything its letters need."""

    event: ApplicationEvent
    application: Application
    kind: LetterKind
    stage: Stage | None          # where the decision was taken
    next_stage: Stage | None     # advanced: where the application goes on to
    offer: Offer | None
    recipients: list = field(default_factory=list)   # users: the owner first, then the co-founders
    sent_to: set[int] = field(default_factory=set)   # user ids whose letter is already queued or sent

    @property
    def is_sent(self) -> bool:
        return bool(self.recipients) and all(u.id in self.sent_to for u in self.recipients)

    @property
    def is_partly_sent(self) -> bool:
        return bool(self.sent_to) and not self.is_sent

    @property
    def unsent_recipients(self) -> list:
        return [u for u in self.recipients if u.id not in self.sent_to]


def decision_events(season: Season, *, application_ids: Iterable[int] | None = None,
                    event_ids: Iterable[int] | None = None) -> Select:
    """The season's announceable decision events (see the module doc), oldest first."""
    latest = (
        select(func.max(ApplicationEvent.id))
        .join(Application, Application.id == ApplicationEvent.application_id)
        .where(Application.season_id == season.id,
               ApplicationEvent.from_status.in_([s.value for s in DECIDED_FROM]),
               ApplicationEvent.to_status.in_([s.value for s in DECIDED_TO]))
        .group_by(ApplicationEvent.application_id)
    )
    stmt = (
        select(ApplicationEvent)
        .join(Application, Application.id == ApplicationEvent.application_id)
        .where(ApplicationEvent.id.in_(latest), Application.status == ApplicationEvent.to_status)
        .order_by(ApplicationEvent.id)
    )
    if application_ids is not None:
        stmt = stmt.where(ApplicationEvent.application_id.in_(list(application_ids)))
    if event_ids is not None:
        stmt = stmt.where(ApplicationEvent.id.in_(list(event_ids)))
    return stmt


def letter_kind(event: ApplicationEvent, offer: Offer | None) -> LetterKind | None:
    to = event.to_status
    if to == Status.IN_REVIEW:
        return LetterKind.ADVANCED
    if to == Status.REJECTED:
        return LetterKind.REJECTED
    if to == Status.WAITLISTED:
        return LetterKind.WAITLISTED
    if to == Status.ACCEPTED and offer is not None and offer.status == OfferStatus.OPEN:
        return LetterKind.PROMOTED_FROM_WAITLIST if offer.promoted_from_waitlist else LetterKind.ACCEPTED_OFFER
    return None


def _stages_of(application: Application, event: ApplicationEvent, stages: list[Stage]) -> tuple[Stage | None,
                                                                                                Stage | None]:
    """(the stage the decision was taken at, the next stage for an advance)."""
    by_id = {s.id: s for s in stages}
    ordered = sorted(stages, key=lambda s: s.position)

    def after(stage):
        later = [s for s in ordered if s.position > stage.position]
        return later[0] if later else None

    def before(stage):
        earlier = [s for s in ordered if s.position < stage.position]
        return earlier[-1] if earlier else None

    current = by_id.get(application.current_stage_id)
    decided = by_id.get(event.stage_id)
    if event.to_status != Status.IN_REVIEW:
        return decided or current, None
    # An advance: the event may name the stage left or the stage reached; the application is at the latter.
    if current is not None and (decided is None or decided.id == current.id):
        return before(current), current
    if decided is not None:
        return decided, current if current is not None and current.position > decided.position else after(decided)
    return None, None


def load_decisions(season: Season, events: list[ApplicationEvent]) -> list[Decision]:
    """Decisions for these events (of this season), with recipients, offers and what was sent.
    A fixed number of queries whatever the number of events."""
    if not events:
        return []
    app_ids = sorted({e.application_id for e in events})
    applications = {a.id: a for a in db.session.scalars(
        select(Application).where(Application.id.in_(app_ids)).options(
            selectinload(Application.startup).selectinload(Startup.owner),
            selectinload(Application.startup).selectinload(Startup.collaborators)
            .selectinload(StartupCollaborator.user),
        ))}
    offers = {o.application_id: o for o in db.session.scalars(select(Offer).where(Offer.application_id.in_(app_ids)))}
    stages = list(db.session.scalars(select(Stage).where(Stage.season_id == season.id)))
    decisions = []
    for event in events:
        application = applications.get(event.application_id)
        if application is None or application.season_id != season.id:
            continue
        offer = offers.get(application.id)
        kind = letter_kind(event, offer)
        if kind is None:
            continue
        stage, next_stage = _stages_of(application, event, stages)
        startup = application.startup
        recipients = [startup.owner] + [c.user for c in startup.collaborators if c.user_id != startup.owner_id]
        decisions.append(Decision(event=event, application=application, kind=kind, stage=stage,
                                  next_stage=next_stage, offer=offer, recipients=recipients))
    _mark_sent(decisions)
    return decisions


def _mark_sent(decisions: list[Decision]) -> None:
    """One indexed lookup (dedupe_key is unique) per 500 letters."""
    keys = {letter_key(d.application.id, d.event.id, u.id): (d, u.id) for d in decisions for u in d.recipients}
    wanted = list(keys)
    for start in range(0, len(wanted), _CHUNK):
        for key in db.session.scalars(select(Notification.dedupe_key)
                                      .where(Notification.dedupe_key.in_(wanted[start:start + _CHUNK]))):
            decision, user_id = keys[key]
            decision.sent_to.add(user_id)


def decisions_for(season: Season, **filters) -> list[Decision]:
    return load_decisions(season, list(db.session.scalars(decision_events(season, **filters))))


def feedback_for(pairs: Iterable[tuple[int, int | None]]) -> dict[tuple[int, int], list[str]]:
    """(application id, stage id) -> the feedback texts of the submitted reviews (active assignments)
    at that stage, oldest first. Only the feedback column is read: never a reviewer's name or private
    note. One query."""
    pairs = {(a, s) for a, s in pairs if s is not None}
    if not pairs:
        return {}
    app_ids = {a for a, _ in pairs}
    stage_ids = {s for _, s in pairs}
    rows = db.session.execute(
        select(Assignment.application_id, Assignment.stage_id, Review.feedback)
        .join(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.application_id.in_(app_ids), Assignment.stage_id.in_(stage_ids),
               Assignment.status == AssignmentStatus.ACTIVE, Review.status == ReviewStatus.SUBMITTED,
               Review.feedback != "")
        .order_by(Review.submitted_at, Review.id)
    ).all()
    found: dict[tuple[int, int], list[str]] = {}
    for app_id, stage_id, text in rows:
        if (app_id, stage_id) in pairs and text and text.strip():
            found.setdefault((app_id, stage_id), []).append(text.strip())
    return found
