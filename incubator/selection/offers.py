"""Offers: a seat offered to an application accepted from the last stage (or promoted from the waitlist).

The founder confirms or declines before the deadline (now + the season's offer_confirmation_days).
The application stays "accepted" whatever happens to the offer (accepted is final in the state
table); the seat is tracked by the offer: open or confirmed offers hold a seat, the cohort is the
confirmed ones. A declined or expired offer frees the seat, and the best-placed waitlisted
application is promoted (incubator.selection.waitlist.promote_next). Every step is a timeline event:
offer_made, offer_confirmed, offer_declined, offer_expired (and "promoted" on the next application).

Expiry is decided by the server clock: a beat task runs `expire_offers` (task "selection.expire_offers");
a confirmation after the deadline is refused even if the sweep has not run yet."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from incubator.applications.models import Application
from incubator.applications.policies import is_applicant
from incubator.applications.timeline import add_event
from incubator.core.errors import Conflict, NotFound
from incubator.core.i18n import format_in_zone
from incubator.core.timeutil import utcnow
from incubator.core.urls import public_url
from incubator.extensions import db
from incubator.notifications.services import queue_notification
from incubator.programs.guards import ensure_not_closed
from incubator.programs.models import Season, SeasonStatus
from incubator.selection.models import Offer, OfferStatus

SEAT_HOLDING = (OfferStatus.OPEN, OfferStatus.CONFIRMED)


# --- Reads ----------------------------------------------------------------------------------------

def seats_taken(season_id: int) -> int:
    """Seats held: offers open (waiting for the founder) or confirmed."""
    return db.session.scalar(select(func.count()).select_from(Offer).where(
        Offer.season_id == season_id, Offer.status.in_(SEAT_HOLDING))) or 0


def seat_is_free(season: Season) -> bool:
    return season.quota is None or seats_taken(season.id) < season.quota


def offer_for(application: Application) -> Offer | None:
    return db.session.scalar(select(Offer).where(Offer.application_id == application.id))


def deadline_text(offer: Offer, season: Season, viewer_tz: str | None = None) -> str:
    """'19 Dec 2026, 18:00 Asia/Tashkent (UTC+05:00)', and the viewer's own time when it differs."""
    text = format_in_zone(offer.deadline_at, season.timezone)
    if viewer_tz and viewer_tz != season.timezone:
        text += " · " + format_in_zone(offer.deadline_at, viewer_tz)
    return text


# --- Making an offer ------------------------------------------------------------------------------

def _founders(application: Application) -> list:
    startup = application.startup
    people = {startup.owner_id: startup.owner} | {c.user_id: c.user for c in startup.collaborators}
    return [u for u in people.values() if u is not None and u.is_active_account]


def notify_founders(application: Application, offer: Offer, kind: str) -> None:
    """kind: offer_made, offer_promoted or offer_expired; once per offer and person."""
    season = application.season
    link = public_url("founder.offer", application_id=application.id)
    for user in _founders(application):
        queue_notification(user=user, kind=kind, dedupe_key=f"{kind}:{offer.id}:{user.id}", link=link,
                           context={"application": application, "season": season, "startup": application.startup,
                                    "offer": offer})


def make_offer(application: Application, *, actor, promoted: bool = False) -> Offer:
    """An open offer for an application that has just become accepted, and the founders told."""
    season = application.season
    now = utcnow()
    offer = Offer(application_id=application.id, season_id=season.id, status=OfferStatus.OPEN,
                  deadline_at=now + timedelta(days=season.offer_confirmation_days),
                  promoted_from_waitlist=promoted, created_by_id=getattr(actor, "id", None))
    db.session.add(offer)
    db.session.flush()
    add_event(application, kind="offer_made", actor=actor,
              reason=f"confirm by {offer.deadline_at.isoformat()}" + (" (from the waitlist)" if promoted else ""))
    notify_founders(application, offer, "offer_promoted" if promoted else "offer_made")
    db.session.flush()
    return offer


# --- The founder's answer -------------------------------------------------------------------------

def _claim(offer: Offer, to: OfferStatus, now: datetime, *, due_before: datetime | None = None) -> None:
    """open -> `to`, once: whoever answers second (a second click, the expiry sweep) gets a Conflict."""
    stmt = update(Offer).where(Offer.id == offer.id, Offer.status == OfferStatus.OPEN)
    if due_before is not None:
        stmt = stmt.where(Offer.deadline_at < due_before)
    try:
        claimed = db.session.execute(
            stmt.values(status=to, responded_at=now).execution_options(synchronize_session=False)
        ).rowcount
    except OperationalError as exc:  # SQLite: another writer committed since this transaction read
        if "locked" not in str(exc).lower():
            raise
        claimed = 0
    if claimed != 1:
        raise Conflict(_l("This offer was answered at the same moment. Reload the page to see its current state."),
                       code="lost_race")
    db.session.expire(offer)


def _open_offer(application: Application, actor) -> Offer:
    if not is_applicant(actor, application):
        raise NotFound()
    offer = offer_for(application)
    if offer is None:
        raise NotFound(_l("There is no offer for this application."))
    season = application.season
    ensure_not_closed(season, "offers")
    if offer.status == OfferStatus.CONFIRMED:
        raise Conflict(_l("You have already confirmed this offer."), code="already_confirmed")
    if offer.status == OfferStatus.DECLINED:
        raise Conflict(_l("You have already declined this offer."), code="already_declined")
    if offer.status == OfferStatus.EXPIRED:
        raise Conflict(_l("This offer expired on %(when)s: it can no longer be answered.",
                          when=deadline_text(offer, season, actor.timezone)), code="offer_expired")
    return offer


def confirm_offer(application: Application, *, actor) -> Offer:
    """The founder takes the seat, before the deadline (server clock)."""
    offer = _open_offer(application, actor)
    now = utcnow()
    if now > offer.deadline_at:
        raise Conflict(_l("The deadline to confirm this offer was %(when)s: it has passed, so the offer can no "
                          "longer be confirmed.", when=deadline_text(offer, application.season, actor.timezone)),
                       code="offer_expired")
    _claim(offer, OfferStatus.CONFIRMED, now)
    add_event(application, kind="offer_confirmed", actor=actor)
    db.session.flush()
    return offer


def decline_offer(application: Application, *, actor, reason: str = "") -> Offer:
    """The founder gives the seat back; the next on the waitlist is promoted."""
    from incubator.selection.waitlist import promote_next

    offer = _open_offer(application, actor)
    _claim(offer, OfferStatus.DECLINED, utcnow())
    add_event(application, kind="offer_declined", actor=actor, reason=(reason or "")[:2000])
    db.session.flush()
    promote_next(application.season, actor=None, because=offer)
    return offer


# --- Expiry (beat) --------------------------------------------------------------------------------

def expire_offer(offer: Offer, *, now: datetime) -> Offer | None:
    """Expire one open offer past its deadline, tell its founders, promote the next. Returns the
    promoted application's offer (or None)."""
    from incubator.selection.waitlist import promote_next

    _claim(offer, OfferStatus.EXPIRED, now, due_before=now)
    application = offer.application
    add_event(application, kind="offer_expired",
              reason=f"not confirmed by {offer.deadline_at.isoformat()}")
    notify_founders(application, offer, "offer_expired")
    db.session.flush()
    return promote_next(application.season, actor=None, because=offer)


def expire_offers(now: datetime | None = None) -> dict[str, int]:
    """Expire every open offer past its deadline (seasons not closed), promoting from the waitlist.
    Each offer in its own savepoint: one that a founder confirmed at the same moment is skipped.
    Commits (it is called from a task); run twice, the second run finds nothing to do."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Offer).join(Season, Season.id == Offer.season_id)
        .where(Offer.status == OfferStatus.OPEN, Offer.deadline_at < now, Season.status != SeasonStatus.CLOSED)
        .order_by(Offer.deadline_at, Offer.id)
    ).all()
    expired = promoted = skipped = 0
    for offer in due:
        try:
            with db.session.begin_nested():
                if expire_offer(offer, now=now) is not None:
                    promoted += 1
        except Conflict:
            skipped += 1
            continue
        expired += 1
    db.session.commit()
    return {"expired": expired, "promoted": promoted, "skipped": skipped}
