"""The decisions a manager can announce with a letter, and what a letter is made of (recipients,
the stage, the next stage, the offer, the reviewers' feedback), read in a fixed number of queries.

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
`letter:<application>:<event>:<user>`, so sending the same decision again adds nothing.

A whole season is read as plain values (named tuples, not ORM objects): one query for the decisions
with their owner, offer and whether the owner's letter exists (by its dedupe key), one for the
co-founders, one for the stages; about 0.5 s for 16,000 decisions on SQLite."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, String, and_, cast, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from incubator.accounts.models import User
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
_CHUNK = 5000


def letter_key(application_id: int, event_id: int, user_id: int) -> str:
    return f"letter:{application_id}:{event_id}:{user_id}"


def letter_key_sql(application_id, event_id, user_id) -> ColumnElement[str]:
    """`letter_key` computed by the database (to look a letter up by its unique dedupe key)."""
    return (literal("letter:") + cast(application_id, String) + literal(":") + cast(event_id, String)
            + literal(":") + cast(user_id, String))


# --- What a decision is made of (plain values) ----------------------------------------------------


class EventRef(NamedTuple):
    id: int
    application_id: int
    to_status: str
    stage_id: int | None
    created_at: datetime | None


class StartupRef(NamedTuple):
    id: int
    name: str
    owner_id: int


class ApplicationRef(NamedTuple):
    id: int
    season_id: int
    current_stage_id: int | None
    startup: StartupRef


class OfferRef(NamedTuple):
    id: int
    status: str
    deadline_at: datetime | None
    promoted_from_waitlist: bool


class Person(NamedTuple):
    """A recipient: what a letter needs of a user."""

    id: int
    name: str
    email: str
    locale: str


@dataclass(slots=True)
class Decision:
    """One decision to announce, with everything its letters need."""

    event: EventRef
    application: ApplicationRef
    kind: LetterKind
    stage: Stage | None          # where the decision was taken
    next_stage: Stage | None     # advanced: where the application goes on to
    offer: OfferRef | None
    recipients: list[Person] = field(default_factory=list)   # the owner first, then the co-founders
    sent_to: set[int] = field(default_factory=set)   # user ids whose letter is already queued or sent

    @property
    def is_sent(self) -> bool:
        return bool(self.recipients) and all(u.id in self.sent_to for u in self.recipients)

    @property
    def is_partly_sent(self) -> bool:
        return bool(self.sent_to) and not self.is_sent

    @property
    def unsent_recipients(self) -> list[Person]:
        return [u for u in self.recipients if u.id not in self.sent_to]


# --- Which events are decisions to announce -------------------------------------------------------


def _announceable(stmt: Select, season: Season, *, application_ids: Iterable[int] | None = None,
                  event_ids: Iterable[int] | None = None) -> Select:
    """Restrict `stmt` (which selects from ApplicationEvent joined to Application) to the season's
    decisions to announce (see the module doc), optionally among some applications or events."""
    inner = aliased(ApplicationEvent)
    latest = (
        select(func.max(inner.id))
        .join(Application, Application.id == inner.application_id)
        .where(Application.season_id == season.id,
               inner.from_status.in_([s.value for s in DECIDED_FROM]),
               inner.to_status.in_([s.value for s in DECIDED_TO]))
        .group_by(inner.application_id)
        .correlate(None)
    )
    if application_ids is not None:
        latest = latest.where(inner.application_id.in_(list(application_ids)))
    if event_ids is not None:
        chosen = aliased(ApplicationEvent)
        latest = latest.where(inner.application_id.in_(
            select(chosen.application_id).where(chosen.id.in_(list(event_ids))).correlate(None)))
    offer = aliased(Offer)
    open_offer = exists().where(offer.application_id == ApplicationEvent.application_id,
                                offer.status == OfferStatus.OPEN)
    stmt = stmt.where(ApplicationEvent.id.in_(latest), Application.season_id == season.id,
                      Application.status == ApplicationEvent.to_status,
                      or_(ApplicationEvent.to_status != Status.ACCEPTED.value, open_offer))
    if event_ids is not None:
        stmt = stmt.where(ApplicationEvent.id.in_(list(event_ids)))
    return stmt


def decision_events(season: Season, **filters) -> Select:
    """The season's decisions to announce as event rows (id, application_id, to_status, stage_id,
    created_at), oldest first: for a page of them (then `load_decisions`)."""
    stmt = (select(ApplicationEvent.id, ApplicationEvent.application_id, ApplicationEvent.to_status,
                   ApplicationEvent.stage_id, ApplicationEvent.created_at)
            .join(Application, Application.id == ApplicationEvent.application_id)
            .order_by(ApplicationEvent.id))
    return _announceable(stmt, season, **filters)


def announceable_ids(season: Season, *, application_ids=None, event_ids=None) -> set[int]:
    """Which of these events (event_ids given) or applications (application_ids given) have a
    decision to announce. One query, restricted to the given ids."""
    column = ApplicationEvent.id if event_ids is not None else ApplicationEvent.application_id
    stmt = select(column).join(Application, Application.id == ApplicationEvent.application_id)
    return set(db.session.scalars(_announceable(stmt, season, application_ids=application_ids, event_ids=event_ids)))


def unsent_letter_count(season: Season, **filters) -> int:
    """How many letters the chosen decisions still need (recipients without a letter with their
    dedupe key): what a send would queue now. One COUNT query, without loading the decisions."""
    note = aliased(Notification)
    owners = _announceable(
        select(ApplicationEvent.id)
        .join(Application, Application.id == ApplicationEvent.application_id)
        .join(Startup, Startup.id == Application.startup_id)
        .where(~exists().where(note.dedupe_key == letter_key_sql(
            ApplicationEvent.application_id, ApplicationEvent.id, Startup.owner_id))), season, **filters)
    cofounders = _announceable(
        select(ApplicationEvent.id)
        .join(Application, Application.id == ApplicationEvent.application_id)
        .join(Startup, Startup.id == Application.startup_id)
        .join(StartupCollaborator, and_(StartupCollaborator.startup_id == Startup.id,
                                        StartupCollaborator.user_id != Startup.owner_id))
        .where(~exists().where(note.dedupe_key == letter_key_sql(
            ApplicationEvent.application_id, ApplicationEvent.id, StartupCollaborator.user_id))), season, **filters)
    return db.session.scalar(select(func.count()).select_from(union_all(owners, cofounders).subquery())) or 0


def letter_kind(event, offer) -> LetterKind | None:
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


class _Stages:
    """The season's stages, with the one before and after each."""

    def __init__(self, stages: list[Stage]):
        ordered = sorted(stages, key=lambda s: s.position)
        self.by_id = {s.id: s for s in ordered}
        self.after = {a.id: b for a, b in zip(ordered, ordered[1:], strict=False)}
        self.before = {b.id: a for a, b in zip(ordered, ordered[1:], strict=False)}

    def of(self, current_stage_id, event) -> tuple[Stage | None, Stage | None]:
        """(the stage the decision was taken at, the next stage for an advance)."""
        current = self.by_id.get(current_stage_id)
        decided = self.by_id.get(event.stage_id)
        if event.to_status != Status.IN_REVIEW:
            return decided or current, None
        # An advance: the event may name the stage left or the stage reached; the application is at the latter.
        if current is not None and (decided is None or decided.id == current.id):
            return self.before.get(current.id), current
        if decided is not None:
            if current is not None and current.position > decided.position:
                return decided, current
            return decided, self.after.get(decided.id)
        return None, None


def decisions_for(season: Season, *, application_ids: Iterable[int] | None = None,
                  event_ids: Iterable[int] | None = None) -> list[Decision]:
    """The season's decisions to announce (all, or among these applications or events), oldest
    first, with their recipients, offers, stages and which letters exist. Three queries."""
    filters = {"application_ids": application_ids, "event_ids": event_ids}
    rows = db.session.execute(_announceable(
        select(ApplicationEvent.id, ApplicationEvent.application_id, ApplicationEvent.to_status,
               ApplicationEvent.stage_id, ApplicationEvent.created_at,
               Application.current_stage_id, Startup.id, Startup.name, Startup.owner_id,
               User.name, User.email, User.locale,
               Offer.id, Offer.status, Offer.deadline_at, Offer.promoted_from_waitlist, Notification.id)
        .join(Application, Application.id == ApplicationEvent.application_id)
        .join(Startup, Startup.id == Application.startup_id)
        .join(User, User.id == Startup.owner_id)
        .outerjoin(Offer, Offer.application_id == Application.id)
        .outerjoin(Notification, Notification.dedupe_key == letter_key_sql(
            ApplicationEvent.application_id, ApplicationEvent.id, Startup.owner_id))
        .order_by(ApplicationEvent.id), season, **filters)).all()
    if not rows:
        return []
    stages = _Stages(list(db.session.scalars(select(Stage).where(Stage.season_id == season.id))))
    decisions: dict[int, Decision] = {}
    for (event_id, app_id, to_status, stage_id, created_at, current_stage_id, startup_id, startup_name, owner_id,
         owner_name, owner_email, owner_locale, offer_id, offer_status, deadline_at, promoted, owner_note) in rows:
        event = EventRef(event_id, app_id, to_status, stage_id, created_at)
        offer = OfferRef(offer_id, offer_status, deadline_at, promoted) if offer_id is not None else None
        kind = letter_kind(event, offer)
        if kind is None:
            continue
        stage, next_stage = stages.of(current_stage_id, event)
        decision = Decision(
            event=event, application=ApplicationRef(app_id, season.id, current_stage_id,
                                                    StartupRef(startup_id, startup_name, owner_id)),
            kind=kind, stage=stage, next_stage=next_stage, offer=offer,
            recipients=[Person(owner_id, owner_name, owner_email, owner_locale)])
        if owner_note is not None:
            decision.sent_to.add(owner_id)
        decisions[event_id] = decision
    cofounders = db.session.execute(_announceable(
        select(ApplicationEvent.id, User.id, User.name, User.email, User.locale, Notification.id)
        .join(Application, Application.id == ApplicationEvent.application_id)
        .join(Startup, Startup.id == Application.startup_id)
        .join(StartupCollaborator, and_(StartupCollaborator.startup_id == Startup.id,
                                        StartupCollaborator.user_id != Startup.owner_id))
        .join(User, User.id == StartupCollaborator.user_id)
        .outerjoin(Notification, Notification.dedupe_key == letter_key_sql(
            ApplicationEvent.application_id, ApplicationEvent.id, StartupCollaborator.user_id))
        .order_by(StartupCollaborator.id), season, **filters))
    for event_id, user_id, name, email, locale, note in cofounders:
        decision = decisions.get(event_id)
        if decision is None:
            continue
        decision.recipients.append(Person(user_id, name, email, locale))
        if note is not None:
            decision.sent_to.add(user_id)
    return list(decisions.values())


def load_decisions(season: Season, events: Iterable) -> list[Decision]:
    """The decisions of these event rows (a page of `decision_events`), in the same order."""
    ids = [e.id for e in events]
    return decisions_for(season, event_ids=ids) if ids else []


def feedback_for(pairs: Iterable[tuple[int, int | None]]) -> dict[tuple[int, int], list[str]]:
    """(application id, stage id) -> the feedback texts of the submitted reviews (active assignments)
    at that stage, oldest first. Only the feedback column is read: never a reviewer's name or private
    note. One query per 5,000 applications."""
    pairs = {(a, s) for a, s in pairs if s is not None}
    if not pairs:
        return {}
    app_ids = sorted({a for a, _ in pairs})
    stage_ids = {s for _, s in pairs}
    found: dict[tuple[int, int], list[str]] = {}
    for start in range(0, len(app_ids), _CHUNK):  # one query up to _CHUNK applications (a season: a few)
        rows = db.session.execute(
            select(Assignment.application_id, Assignment.stage_id, Review.feedback)
            .join(Review, Review.assignment_id == Assignment.id)
            .where(Assignment.application_id.in_(app_ids[start:start + _CHUNK]), Assignment.stage_id.in_(stage_ids),
                   Assignment.status == AssignmentStatus.ACTIVE, Review.status == ReviewStatus.SUBMITTED,
                   Review.feedback != "")
            .order_by(Review.submitted_at, Review.id)
        )
        for app_id, stage_id, text in rows:
            if (app_id, stage_id) in pairs and text and text.strip():
                found.setdefault((app_id, stage_id), []).append(text.strip())
    return found
