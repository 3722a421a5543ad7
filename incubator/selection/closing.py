"""Closing a season: the final, frozen record of its selection, and the season report it starts.

- `close_blockers(season)`: what still stands between the season and closing. Blocking: applications
  undecided (submitted, or in review at a stage), waitlisted, and offers still open (the founder has
  not answered). Not blocking, reported for information: drafts never submitted.
- `close_season(season, *, actor, confirm, locale)`: a manager of the program only (NotFound for
  anyone else); a draft season cannot be closed (409 "season_draft"). With blockers and no
  `confirm`, nothing changes and `CloseBlocked` (409 "close_blocked") lists them. With `confirm`,
  they are resolved explicitly, in bulk and all or nothing: undecided and waitlisted applications
  become rejected (a "season_closed" timeline event each, with the reason; nobody is promoted from
  the waitlist), open offers expire (an "offer_expired" event each). No founder is e-mailed: the
  decision letters are the manager's to send before closing. Then the season is closed (status,
  closed_at, closed_by) and its report is requested (`reports.services.request_report`), compiled by
  the workers once the caller commits.
- Idempotent: closing a closed season changes nothing, starts no report, and answers the season with
  its latest report (`closed_now` False).
- Two managers closing at once: the season row is claimed with a conditional UPDATE on its status;
  the one who loses gets `ClosedMeanwhile` (409 "lost_race"): the caller rolls back and asks again,
  and then gets the idempotent answer.

Once closed, every write path refuses (incubator.programs.guards.ensure_not_closed); only outcomes
are still recorded."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.attributes import set_committed_value

from incubator.accounts.policies import can_manage_program
from incubator.applications.models import Application, ApplicationEvent
from incubator.applications.states import Status
from incubator.core.errors import Conflict, NotFound
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.programs.models import Season, SeasonStatus
from incubator.reports.models import SeasonReport
from incubator.selection.models import Offer, OfferStatus

EVENT_KIND = "season_closed"
OFFER_EVENT_KIND = "offer_expired"
# Stored as data (the timeline shows them as written), so in plain words rather than one reader's language.
UNDECIDED_REASON = "Closed without a decision"
WAITLISTED_REASON = "Closed while on the waitlist: not promoted"
OFFER_REASON = "The season was closed before the offer was answered"
UNDECIDED = (Status.SUBMITTED, Status.IN_REVIEW)
SHOWN_IDS = 10  # ids named in a message; the rest are counted
_CHUNK = 500    # ids per IN (...): under every database's parameter limit


# --- What blocks closing --------------------------------------------------------------------------

@dataclass(frozen=True)
class Blockers:
    undecided: list[tuple[int, str, int | None]] = field(default_factory=list)  # (application, status, stage)
    waitlisted: list[tuple[int, int | None]] = field(default_factory=list)      # (application, stage)
    open_offers: list[tuple[int, int]] = field(default_factory=list)            # (offer, application)
    drafts: list[int] = field(default_factory=list)                             # application ids

    @property
    def blocking(self) -> bool:
        return bool(self.undecided or self.waitlisted or self.open_offers)

    @property
    def submitted_count(self) -> int:
        """Undecided and not in review yet (the review was never started for them)."""
        return sum(1 for _, status, _ in self.undecided if status == Status.SUBMITTED)

    def by_stage(self) -> dict[int | None, dict[str, int]]:
        """stage id (None: not at a stage) -> {"undecided": n, "waitlisted": n}: where to go and decide."""
        out: dict[int | None, dict[str, int]] = {}
        for _, _, stage_id in self.undecided:
            out.setdefault(stage_id, {"undecided": 0, "waitlisted": 0})["undecided"] += 1
        for _, stage_id in self.waitlisted:
            out.setdefault(stage_id, {"undecided": 0, "waitlisted": 0})["waitlisted"] += 1
        return out

    def as_dict(self) -> dict:
        return {
            "blocking": self.blocking,
            "undecided": {"count": len(self.undecided), "application_ids": [a for a, _, _ in self.undecided]},
            "waitlisted": {"count": len(self.waitlisted), "application_ids": [a for a, _ in self.waitlisted]},
            "open_offers": {"count": len(self.open_offers), "offer_ids": [o for o, _ in self.open_offers],
                            "application_ids": [a for _, a in self.open_offers]},
            "unfinished_drafts": {"count": len(self.drafts), "application_ids": list(self.drafts)},
        }


def close_blockers(season: Season) -> Blockers:
    """What still blocks closing the season (three queries)."""
    rows = db.session.execute(
        select(Application.id, Application.status, Application.current_stage_id)
        .where(Application.season_id == season.id,
               Application.status.in_(UNDECIDED + (Status.WAITLISTED, Status.DRAFT)))
        .order_by(Application.id)).all()
    offers = db.session.execute(
        select(Offer.id, Offer.application_id).where(Offer.season_id == season.id, Offer.status == OfferStatus.OPEN)
        .order_by(Offer.application_id)).all()
    return Blockers(
        undecided=[(i, Status(s).value, stage) for i, s, stage in rows if s in UNDECIDED],
        waitlisted=[(i, stage) for i, s, stage in rows if s == Status.WAITLISTED],
        open_offers=[(o, a) for o, a in offers],
        drafts=[i for i, s, _ in rows if s == Status.DRAFT],
    )


def _ids_text(ids: list[int]) -> str:
    shown = ", ".join(f"#{i}" for i in ids[:SHOWN_IDS])
    if len(ids) > SHOWN_IDS:
        shown += " " + str(_l("and %(num)d more", num=len(ids) - SHOWN_IDS))
    return shown


def blocker_lines(blockers: Blockers) -> list[str]:
    """One sentence per kind of blocker, naming the applications."""
    lines = []
    if blockers.undecided:
        n, ids = len(blockers.undecided), _ids_text([a for a, _, _ in blockers.undecided])
        lines.append(ngettext("%(num)d application has no decision yet (submitted or in review): %(ids)s.",
                              "%(num)d applications have no decision yet (submitted or in review): %(ids)s.", n, ids=ids))
    if blockers.waitlisted:
        n, ids = len(blockers.waitlisted), _ids_text([a for a, _ in blockers.waitlisted])
        lines.append(ngettext("%(num)d application is on the waitlist: %(ids)s.",
                              "%(num)d applications are on the waitlist: %(ids)s.", n, ids=ids))
    if blockers.open_offers:
        n, ids = len(blockers.open_offers), _ids_text([a for _, a in blockers.open_offers])
        lines.append(ngettext("%(num)d offer is still waiting for its founder's answer (application %(ids)s).",
                              "%(num)d offers are still waiting for their founders' answers (applications "
                              "%(ids)s).", n, ids=ids))
    return lines


def consequence_text(blockers: Blockers) -> str:
    """What confirming does, for the checkbox: "... 3 undecided applications will be rejected, ..."."""
    parts = []
    if blockers.undecided:
        parts.append(ngettext("%(num)d undecided application will be rejected",
                              "%(num)d undecided applications will be rejected", len(blockers.undecided)))
    if blockers.waitlisted:
        parts.append(ngettext("%(num)d waitlisted application will be rejected (nobody is promoted)",
                              "%(num)d waitlisted applications will be rejected (nobody is promoted)",
                              len(blockers.waitlisted)))
    if blockers.open_offers:
        parts.append(ngettext("%(num)d open offer will expire", "%(num)d open offers will expire",
                              len(blockers.open_offers)))
    parts.append(str(_l("nothing of the season can change afterwards")))
    return str(_l("I understand: %(what)s.", what="; ".join(parts)))


class CloseBlocked(Conflict):
    """Closing needs an explicit confirmation: `blockers` says what would be resolved. Nothing changed."""

    def __init__(self, season: Season, blockers: Blockers):
        super().__init__(
            str(_l("The season “%(name)s” cannot be closed yet. %(lines)s Decide them first, or confirm that you "
                   "want to close it anyway: undecided and waitlisted applications are then rejected and open "
                   "offers expire. Nothing was changed.", name=season.name, lines=" ".join(blocker_lines(blockers)))),
            code="close_blocked")
        self.blockers = blockers


class ClosedMeanwhile(Conflict):
    """Someone else changed the season (or its applications) at the same moment: roll back and ask again."""

    def __init__(self):
        super().__init__(_l("Someone else changed this season at the same moment. Nothing was changed: reload the "
                            "page to see its current state."), code="lost_race")


# --- Closing --------------------------------------------------------------------------------------

class Closing(tuple):
    """(season, report), and whether this call closed it (False: it was closed already)."""

    def __new__(cls, season: Season, report: SeasonReport | None, closed_now: bool):
        obj = super().__new__(cls, (season, report))
        obj.closed_now = closed_now
        return obj

    @property
    def season(self) -> Season:
        return self[0]

    @property
    def report(self) -> SeasonReport | None:
        return self[1]


def latest_report(season: Season) -> SeasonReport | None:
    return db.session.scalar(select(SeasonReport).where(SeasonReport.season_id == season.id)
                             .order_by(SeasonReport.created_at.desc(), SeasonReport.id.desc()).limit(1))


def _execute(stmt) -> int:
    try:
        return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount
    except OperationalError as exc:  # SQLite: another writer committed since this transaction read
        message = str(exc).lower()
        if "locked" not in message and "deadlock" not in message:
            raise
        raise ClosedMeanwhile() from None


def _claim_season(season: Season, actor, now) -> None:
    claimed = _execute(update(Season).where(Season.id == season.id, Season.status == season.status,
                                            Season.status.not_in((SeasonStatus.CLOSED, SeasonStatus.DRAFT)))
                       .values(status=SeasonStatus.CLOSED, closed_at=now, closed_by_id=getattr(actor, "id", None)))
    if claimed != 1:
        raise ClosedMeanwhile()
    set_committed_value(season, "status", SeasonStatus.CLOSED)
    set_committed_value(season, "closed_at", now)
    set_committed_value(season, "closed_by_id", getattr(actor, "id", None))


def _reject(ids_from: list[tuple[int, str, int | None]], *, actor, reason: str, now) -> None:
    """Every listed application (id, status it has, stage) becomes rejected, in bulk; a lost one undoes all."""
    by_status: dict[str, list[int]] = {}
    for app_id, status, _ in ids_from:
        by_status.setdefault(status, []).append(app_id)
    for status, ids in by_status.items():
        moved = 0
        for start in range(0, len(ids), _CHUNK):
            moved += _execute(update(Application)
                              .where(Application.id.in_(ids[start:start + _CHUNK]), Application.status == status)
                              .values(status=Status.REJECTED, decided_at=now, updated_at=now))
        if moved != len(ids):
            raise ClosedMeanwhile()
    if ids_from:
        db.session.execute(insert(ApplicationEvent), [
            {"application_id": app_id, "actor_id": getattr(actor, "id", None), "kind": EVENT_KIND,
             "from_status": str(status), "to_status": str(Status.REJECTED), "stage_id": stage_id, "reason": reason,
             "created_at": now}
            for app_id, status, stage_id in ids_from])


def _expire_offers(open_offers: list[tuple[int, int]], *, actor, now) -> None:
    ids = [o for o, _ in open_offers]
    expired = 0
    for start in range(0, len(ids), _CHUNK):
        expired += _execute(update(Offer).where(Offer.id.in_(ids[start:start + _CHUNK]), Offer.status == OfferStatus.OPEN)
                            .values(status=OfferStatus.EXPIRED, responded_at=now))
    if expired != len(ids):
        raise ClosedMeanwhile()
    if open_offers:
        db.session.execute(insert(ApplicationEvent), [
            {"application_id": app_id, "actor_id": getattr(actor, "id", None), "kind": OFFER_EVENT_KIND,
             "from_status": None, "to_status": None, "stage_id": None, "reason": OFFER_REASON, "created_at": now}
            for _, app_id in open_offers])


def close_season(season: Season, *, actor, confirm: bool = False, locale: str | None = None) -> Closing:
    """Close the season (see the module docstring). Flushes; the caller commits (and, on
    `ClosedMeanwhile`, rolls back and calls again)."""
    if not can_manage_program(actor, season.program):
        raise NotFound()
    if season.status == SeasonStatus.CLOSED:
        return Closing(season, latest_report(season), False)
    if season.status == SeasonStatus.DRAFT:
        raise Conflict(_l("The season “%(name)s” is still a draft: there is nothing to close yet.", name=season.name),
                       code="season_draft")
    blockers = close_blockers(season)
    if blockers.blocking and not confirm:
        raise CloseBlocked(season, blockers)
    now = utcnow()
    _claim_season(season, actor, now)
    _reject([(a, s, stage) for a, s, stage in blockers.undecided], actor=actor, reason=UNDECIDED_REASON, now=now)
    _reject([(a, Status.WAITLISTED.value, stage) for a, stage in blockers.waitlisted], actor=actor,
            reason=WAITLISTED_REASON, now=now)
    _expire_offers(blockers.open_offers, actor=actor, now=now)
    db.session.flush()
    from incubator.reports.services import request_report

    report = request_report(season, actor=actor, locale=locale)
    return Closing(season, report, True)


def close_season_or_read(season_id: int, *, actor, confirm: bool = False, locale: str | None = None) -> Closing:
    """What the pages and the API call: close (committing), and when another manager closed it at the
    same moment, the idempotent answer instead of an error."""
    from incubator.programs.queries import season_for_manager

    season = season_for_manager(actor, season_id)
    try:
        result = close_season(season, actor=actor, confirm=confirm, locale=locale)
        db.session.commit()
        return result
    except ClosedMeanwhile:
        db.session.rollback()
    season = season_for_manager(actor, season_id)
    result = close_season(season, actor=actor, confirm=confirm, locale=locale)
    db.session.commit()
    return result
