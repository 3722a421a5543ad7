"""Decisions at a stage: start the review, then advance, reject or waitlist applications in bulk.

- `start_review(season)`: every submitted application goes to review at the first stage (one UPDATE,
  one "review_started" event each). Only once the application window (with its grace) has closed:
  the season then moves from open to reviewing. Running it again moves nothing new.
- `decide_applications(stage, requests)`: all or nothing. Every request is checked first; if any is
  refused, nothing changes and `DecisionsRefused` (409) names each refused application and why.
  Then the rows are claimed with one conditional UPDATE (still at this stage, still in review or
  waitlisted): a manager who decided the same application at the same moment gets a Conflict, and
  nothing is doubled. Each status change goes through `transition` (one timeline event each, with
  who, why and the stage).

  | at stage k          | advance                                        | reject   | waitlist   |
  |---------------------|------------------------------------------------|----------|------------|
  | in review, k < last | in review at k+1 ("advanced")                  | rejected | waitlisted |
  | in review, k = last | accepted + an open offer ("decision")          | rejected | waitlisted |
  | waitlisted at k     | accepted + an open offer (promoted by hand)    | rejected | refused    |

- The quota: accepting beyond `season.quota` seats (offers open or confirmed) needs
  `confirm_over_quota`, else `QuotaExceeded` (409) names the numbers.
- A closed season, a draft season, or an application withdrawn, decided, elsewhere or unknown: refused.
- A waitlisted application keeps its place on the stage's leaderboard as its waitlist rank.
- No decision letters here: those are written and sent separately. Only offers notify founders."""
from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload

from incubator.accounts.policies import can_manage_program
from incubator.applications.deadlines import deadline_text, hard_deadline
from incubator.applications.models import Application, ApplicationEvent
from incubator.applications.states import Status
from incubator.applications.transitions import transition
from incubator.core.errors import Conflict, NotFound, RuleViolation
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.programs.guards import ensure_not_closed
from incubator.programs.models import Season, SeasonStatus, Stage
from incubator.reviews import ranking
from incubator.selection.models import Offer, WaitlistEntry
from incubator.selection.offers import make_offer, seats_taken
from incubator.selection.waitlist import add_to_waitlist, claim_entry, leaderboard_positions, ranked_rows

MAX_BATCH = 1000
_CHUNK = 500  # ids per IN (...): under every database's parameter limit
DECISION_KINDS = ("advanced", "decision")


class Decision(enum.StrEnum):
    ADVANCE = "advance"
    REJECT = "reject"
    WAITLIST = "waitlist"


DECISION_LABELS = {Decision.ADVANCE: _l("Advance"), Decision.REJECT: _l("Reject"), Decision.WAITLIST: _l("Waitlist")}


@dataclass(frozen=True)
class DecisionRequest:
    application_id: int
    decision: Decision
    reason: str = ""


@dataclass
class Outcome:
    application: Application
    application_id: int
    decision: Decision
    from_status: Status
    to_status: Status
    to_stage_id: int | None
    offer: Offer | None = None
    waitlist_rank: float | None = None


class DecisionsRefused(RuleViolation):
    """Some requested decisions cannot be made; errors maps "applications.<id>" -> [why]. Nothing changed."""

    status = 409
    title = "Conflict"

    def __init__(self, errors: dict):
        super().__init__(message=str(_l("Nothing was changed: %(count)d of the decisions cannot be made (see "
                                         "each application).", count=len(errors))), errors=errors)


class QuotaExceeded(Conflict):
    def __init__(self, *, quota: int, taken: int, adding: int):
        super().__init__(_l("Accepting %(adding)d more would hold %(total)d seats, above the quota of %(quota)d "
                            "(%(taken)d are held now by open or confirmed offers). Nothing was changed: confirm "
                            "that you want to go over the quota.",
                            adding=adding, total=taken + adding, quota=quota, taken=taken), code="over_quota")
        self.quota, self.taken, self.adding = quota, taken, adding


# --- Reads ----------------------------------------------------------------------------------------

def next_stage(stage: Stage) -> Stage | None:
    later = [s for s in stage.season.stages if s.position > stage.position]
    return min(later, key=lambda s: s.position) if later else None


def stage_candidates(stage: Stage, statuses=(Status.IN_REVIEW, Status.WAITLISTED)):
    """The applications a decision at this stage can apply to."""
    return select(Application).where(Application.season_id == stage.season_id,
                                     Application.current_stage_id == stage.id, Application.status.in_(statuses))


def stage_counts(season: Season) -> dict[tuple[int | None, str], int]:
    """(current stage id, status) -> count, for the season's applications (one query)."""
    rows = db.session.execute(select(Application.current_stage_id, Application.status, func.count())
                              .where(Application.season_id == season.id)
                              .group_by(Application.current_stage_id, Application.status)).all()
    return {(stage_id, str(status)): n for stage_id, status, n in rows}


def _label(application: Application | None, application_id: int) -> str:
    if application is None:
        return str(_l("Application #%(id)d", id=application_id))
    return str(_l("Application #%(id)d (%(startup)s)", id=application.id, startup=application.startup.name))


# --- Guards ---------------------------------------------------------------------------------------

def _ensure_manager(actor, season: Season) -> None:
    if not can_manage_program(actor, season.program):
        raise NotFound()


def ensure_decidable(season: Season) -> None:
    ensure_not_closed(season, "decisions")
    if season.status == SeasonStatus.DRAFT:
        raise Conflict(_l("The season “%(name)s” is still a draft: there is nothing to decide yet.",
                          name=season.name), code="season_draft")


def _refusal(application: Application | None, request: DecisionRequest, stage: Stage, stage_name: str) -> str | None:
    """Why this decision cannot be made, or None."""
    label = _label(application, request.application_id)
    if application is None:
        return str(_l("%(label)s is not an application of this season.", label=label))
    status = Status(application.status)
    if status == Status.WITHDRAWN:
        return str(_l("%(label)s was withdrawn by its founder: no decision can be made on it.", label=label))
    if status in (Status.ACCEPTED, Status.REJECTED):
        return str(_l("%(label)s already has a final decision (%(status)s).", label=label, status=status.value))
    if status in (Status.DRAFT, Status.SUBMITTED):
        return str(_l("%(label)s is not in review yet (%(status)s): start the review first.",
                      label=label, status=status.value))
    if application.current_stage_id != stage.id:
        return str(_l("%(label)s is not at the stage “%(stage)s”.", label=label, stage=stage_name))
    if status == Status.WAITLISTED and request.decision == Decision.WAITLIST:
        return str(_l("%(label)s is already on the waitlist.", label=label))
    return None


# --- Starting the review --------------------------------------------------------------------------

def start_review(season: Season, *, actor, close_applications_now: bool = False) -> int:
    """Every submitted application into review at the first stage; returns how many moved.

    Before the deadline the review starts only when the manager explicitly closes applications now
    (`close_applications_now`): the window then ends at this moment, drafts can no longer be
    submitted, and the season's timeline of record (closes_at) says so."""
    _ensure_manager(actor, season)
    ensure_decidable(season)
    now = utcnow()
    if season.status == SeasonStatus.OPEN and now <= hard_deadline(season):
        if not close_applications_now:
            raise Conflict(_l("Applications are still open until %(when)s: start the review after the deadline, "
                              "or close applications now.",
                              when=deadline_text(season, getattr(actor, "timezone", None))), code="still_open")
        _close_window_now(season, now)
    first = min(season.stages, key=lambda s: s.position) if season.stages else None
    if first is None:
        raise RuleViolation("stages", _l("Add a stage to the season before starting the review."))
    ids = db.session.scalars(select(Application.id).where(
        Application.season_id == season.id, Application.status == Status.SUBMITTED).order_by(Application.id)).all()
    moved = _execute_claim(
        update(Application).where(Application.season_id == season.id, Application.status == Status.SUBMITTED)
        .values(status=Status.IN_REVIEW, current_stage_id=first.id, updated_at=now))
    if moved != len(ids):
        raise _lost_race()
    db.session.add_all([
        ApplicationEvent(application_id=app_id, actor_id=getattr(actor, "id", None), kind="review_started",
                         from_status=str(Status.SUBMITTED), to_status=str(Status.IN_REVIEW), stage_id=first.id,
                         reason="")
        for app_id in ids])
    if season.status == SeasonStatus.OPEN:
        season.status = SeasonStatus.REVIEWING
    db.session.flush()
    return len(ids)


def _close_window_now(season: Season, now) -> None:
    """End the application window at `now` (never before it opened), without grace."""
    if now <= season.opens_at:
        raise Conflict(_l("Applications have not opened yet: there is nothing to review."), code="not_open_yet")
    season.closes_at = now
    season.grace_minutes = 0


# --- Deciding -------------------------------------------------------------------------------------

def _lost_race() -> Conflict:
    return Conflict(_l("Someone changed these applications at the same moment. Nothing was changed: reload the "
                       "page to see their current state."), code="lost_race")


def _execute_claim(stmt) -> int:
    try:
        return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount
    except OperationalError as exc:  # SQLite: locked; PostgreSQL: a deadlock between two bulk claims
        message = str(exc).lower()
        if "locked" not in message and "deadlock" not in message:
            raise
        raise _lost_race() from None


def _claim(stage: Stage, ids: list[int], now) -> None:
    """Hold the rows: still at this stage and in review or waitlisted, as they were when checked."""
    claimed = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        claimed += _execute_claim(
            update(Application)
            .where(Application.id.in_(chunk), Application.current_stage_id == stage.id,
                   Application.status.in_((Status.IN_REVIEW, Status.WAITLISTED)))
            .values(updated_at=now))
    if claimed != len(ids):
        raise _lost_race()


def top_requests(stage: Stage, n: int, decision: Decision, *, reason: str = "") -> list[DecisionRequest]:
    """The best `n` applications in review at this stage by normalised score (only those with a
    submitted review can be in the top)."""
    if n < 1:
        raise RuleViolation("top", _l("Give a number of applications of at least 1."))
    ids = db.session.scalars(stage_candidates(stage, (Status.IN_REVIEW,)).with_only_columns(Application.id)).all()
    chosen = ranking.top_n(ranked_rows(stage, ids), n)
    if not chosen:
        raise RuleViolation("top", _l("No application in review at this stage has a submitted review yet, so there "
                                      "is no top to take."))
    return [DecisionRequest(row.application_id, Decision(decision), reason) for row in chosen]


def decide_top(stage: Stage, n: int, decision: Decision, *, actor, reason: str = "",
               confirm_over_quota: bool = False) -> list[Outcome]:
    _ensure_manager(actor, stage.season)
    ensure_decidable(stage.season)
    return decide_applications(stage, top_requests(stage, n, decision, reason=reason), actor=actor,
                               confirm_over_quota=confirm_over_quota)


def decide_applications(stage: Stage, requests: list[DecisionRequest], *, actor, reason: str = "",
                        confirm_over_quota: bool = False) -> list[Outcome]:
    """Make every decision, or none (see the module docstring)."""
    season = stage.season
    _ensure_manager(actor, season)
    ensure_decidable(season)
    if not requests:
        raise RuleViolation("applications", _l("Choose at least one application."))
    if len(requests) > MAX_BATCH:
        raise RuleViolation("applications", _l("At most %(n)d decisions at once.", n=MAX_BATCH))
    ids = [r.application_id for r in requests]
    applications: dict[int, Application] = {}
    for start in range(0, len(ids), _CHUNK):
        applications.update((a.id, a) for a in db.session.scalars(
            select(Application).where(Application.id.in_(ids[start:start + _CHUNK]),
                                      Application.season_id == season.id)
            .options(selectinload(Application.startup))))
    stage_name = stage.name_in(str(get_locale() or "en"))
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for request in requests:
        key = f"applications.{request.application_id}"
        if request.application_id in seen:
            errors.setdefault(key, []).append(str(_l("%(label)s is listed twice.", label=_label(
                applications.get(request.application_id), request.application_id))))
            continue
        seen.add(request.application_id)
        why = _refusal(applications.get(request.application_id), request, stage, stage_name)
        if why:
            errors.setdefault(key, []).append(why)
    if errors:
        raise DecisionsRefused(errors)

    following = next_stage(stage)
    accepting = [r for r in requests if r.decision == Decision.ADVANCE
                 and (following is None or applications[r.application_id].status == Status.WAITLISTED)]
    if accepting and season.quota is not None:
        taken = seats_taken(season.id)
        if taken + len(accepting) > season.quota and not confirm_over_quota:
            raise QuotaExceeded(quota=season.quota, taken=taken, adding=len(accepting))
    to_waitlist = [r.application_id for r in requests if r.decision == Decision.WAITLIST]
    places = leaderboard_positions(stage, to_waitlist) if to_waitlist else {}

    now = utcnow()
    first_event = db.session.scalar(select(func.max(ApplicationEvent.id))) or 0
    _claim(stage, ids, now)
    outcomes = []
    for request in requests:
        application = applications[request.application_id]
        why = (request.reason or reason or "")[:2000]
        outcomes.append(_apply(stage, following, application, request.decision, why, actor, places))
    db.session.execute(
        update(ApplicationEvent)
        .where(ApplicationEvent.application_id.in_(ids), ApplicationEvent.id > first_event,
               ApplicationEvent.kind.in_(DECISION_KINDS), ApplicationEvent.stage_id.is_(None))
        .values(stage_id=stage.id).execution_options(synchronize_session=False))
    db.session.flush()
    return outcomes


def _apply(stage: Stage, following: Stage | None, application: Application, decision: Decision, why: str,
           actor, places: dict[int, int]) -> Outcome:
    src = Status(application.status)
    outcome = Outcome(application, application.id, decision, src, src, application.current_stage_id)
    if decision == Decision.REJECT:
        transition(application, Status.REJECTED, actor=actor, kind="decision", reason=why)
        outcome.to_status = Status.REJECTED
    elif decision == Decision.WAITLIST:
        transition(application, Status.WAITLISTED, actor=actor, kind="decision", reason=why)
        outcome.to_status = Status.WAITLISTED
        outcome.waitlist_rank = float(places.get(application.id, len(places) + 1))
        add_to_waitlist(application, stage, outcome.waitlist_rank)
    elif src == Status.WAITLISTED or following is None:
        if src == Status.WAITLISTED:
            entry = db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.application_id == application.id))
            if entry is not None and entry.promoted_at is None:
                claim_entry(entry)
        transition(application, Status.ACCEPTED, actor=actor, kind="decision", reason=why)
        outcome.to_status = Status.ACCEPTED
        outcome.offer = make_offer(application, actor=actor)
    else:
        transition(application, Status.IN_REVIEW, actor=actor, kind="advanced", reason=why,
                   values={"current_stage_id": following.id})
        outcome.to_status = Status.IN_REVIEW
        outcome.to_stage_id = following.id
    return outcome
