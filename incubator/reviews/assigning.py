"""Assigning reviewers at a stage: automatically (incubator.reviews.assignment, a pure min-cost flow,
wired to the database here), by hand, and taking an assignment away.

A stage is read in a bounded number of queries whatever its size (`load_stage`): the applications
under review there, the program's reviewer pool, the stage's assignments with their review status,
and the conflicts (stored and detected). New assignments are inserted in bulk, each with a reason
a manager can read (`reason`, in English, and `reason_key` + `reason_params` for a translated page).

Rules: an application gets distinct reviewers, none conflicted, nobody over their maximum load at
the stage; existing assignments and submitted reviews are kept, only gaps are filled; an
assignment that was released (a conflict was declared, or a manager removed it) is not brought back
by the automatic run (a manager can assign that reviewer again by hand).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from incubator.accounts.models import User
from incubator.accounts.policies import can_manage_program
from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.core.bulk import insert_rows
from incubator.core.errors import Conflict, NotFound, RuleViolation
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.programs.guards import ensure_not_closed
from incubator.programs.models import Stage
from incubator.reviews import assignment as algo
from incubator.reviews.conflicts import ConflictReason, conflict_map
from incubator.reviews.models import Assignment, AssignmentStatus, Review, ReviewerProfile, ReviewStatus
from incubator.reviews.notify import notify_new_assignments
from incubator.selection.board_versions import mark_stage_changed
from incubator.startups.models import Startup

MAX_K = 20

# The texts of reason keys (incubator.reviews.assignment.MESSAGES), translated for the pages.
REASON_TEXTS = {
    "sector_language_match": _l("sector match: %(sector)s; language match: %(language)s; load %(load)s/%(max)s"),
    "sector_match": _l("sector match: %(sector)s; load %(load)s/%(max)s"),
    "language_match": _l("language match: %(language)s; load %(load)s/%(max)s"),
    "balance": _l("chosen to balance loads; load %(load)s/%(max)s"),
    "manual": _l("assigned by hand; load %(load)s/%(max)s"),
    "no_eligible_reviewers": _l("no reviewer is free of a conflict of interest with this application "
                                "(%(missing)s missing)"),
    "too_few_reviewers": _l("not enough reviewers without a conflict: %(available)s available, %(k)s needed"),
    "reviewers_full": _l("all non-conflicted reviewers not yet on it are at their maximum load "
                         "(%(missing)s missing)"),
    "too_few_reviewers_and_full": _l("not enough reviewers without a conflict: %(available)s available, %(k)s "
                                     "needed; and all non-conflicted reviewers not yet on it are at their maximum "
                                     "load"),
    "unknown_reviewer": _l("This person is not in the program's reviewer pool."),
    "conflicted": _l("This reviewer has a conflict of interest with this application."),
    "already_assigned": _l("This reviewer is already assigned to this application."),
    "at_max_load": _l("This reviewer is at their maximum load at this stage (%(load)s/%(max)s)."),
}


def reason_text(key: str, params: dict | None, fallback: str = "") -> str:
    """A reason in the reader's language (sector codes become their labels)."""
    from incubator.startups.labels import SECTOR_LABELS

    template = REASON_TEXTS.get(key)
    if template is None:
        return fallback
    values = dict(params or {})
    if "sector" in values:
        values["sector"] = str(SECTOR_LABELS.get(values["sector"], values["sector"]))
    if "language" in values:
        values["language"] = current_app.config["LANGUAGES"].get(values["language"], values["language"])
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return fallback or str(template)


# --- Reading a stage ---------------------------------------------------------------------------

def stage_applications_stmt(stage: Stage) -> Select:
    """The applications under review at this stage."""
    return select(Application).where(Application.season_id == stage.season_id,
                                      Application.status == Status.IN_REVIEW,
                                      Application.current_stage_id == stage.id)


@dataclass
class StageState:
    stage: Stage
    apps: list[algo.Application]
    names: dict[int, str]  # application id -> startup name
    startups: dict[int, int]  # application id -> startup id
    pool: dict[int, ReviewerProfile]  # user id -> profile
    active: dict[int, set[int]]  # application id -> reviewer ids (every application at the stage)
    released: set[tuple[int, int]]  # (reviewer id, application id)
    submitted: set[tuple[int, int]]
    conflicts: dict[tuple[int, int], ConflictReason] = field(default_factory=dict)  # (reviewer, application)

    @property
    def reviewers(self) -> list[algo.Reviewer]:
        return [algo.Reviewer(p.user_id, p.max_load, frozenset(p.expertise or ()), frozenset(p.languages or ()))
                for p in self.pool.values()]

    def blocked(self) -> set[tuple[int, int]]:
        return set(self.conflicts) | self.released


def load_stage(stage: Stage, *, application_ids: list[int] | None = None) -> StageState:
    """Everything the assignment needs about a stage, in five queries (one per kind of row)."""
    creator = User.__table__.alias("creator")
    stmt = (stage_applications_stmt(stage)
            .join(Startup, Startup.id == Application.startup_id)
            .outerjoin(creator, creator.c.id == Application.created_by_id)
            .with_only_columns(Application.id, Application.startup_id, Startup.name, Startup.sector,
                               creator.c.locale)
            .order_by(Application.id))
    if application_ids is not None:
        stmt = stmt.where(Application.id.in_(application_ids))
    rows = db.session.execute(stmt).all()
    apps = [algo.Application(app_id, sector or None, locale or None) for app_id, _, _, sector, locale in rows]
    pool = {p.user_id: p for p in db.session.scalars(
        select(ReviewerProfile).where(ReviewerProfile.program_id == stage.season.program_id)
        .order_by(ReviewerProfile.user_id))}
    active: dict[int, set[int]] = {}
    released: set[tuple[int, int]] = set()
    submitted: set[tuple[int, int]] = set()
    for app_id, rid, status, review_status in db.session.execute(
            select(Assignment.application_id, Assignment.reviewer_id, Assignment.status, Review.status)
            .outerjoin(Review, Review.assignment_id == Assignment.id).where(Assignment.stage_id == stage.id)):
        if status == AssignmentStatus.ACTIVE:
            active.setdefault(app_id, set()).add(rid)
            if review_status == ReviewStatus.SUBMITTED:
                submitted.add((rid, app_id))
        else:
            released.add((rid, app_id))
    startups = {app_id: sid for app_id, sid, *_ in rows}
    state = StageState(stage, apps, {app_id: name for app_id, _, name, *_ in rows}, startups, pool, active,
                       released, submitted)
    if rows and pool:
        by_startup: dict[int, list[int]] = {}
        for app_id, sid in startups.items():
            by_startup.setdefault(sid, []).append(app_id)
        startup_ids = sorted(by_startup) if application_ids is not None else \
            stage_applications_stmt(stage).with_only_columns(Application.startup_id)
        for (rid, sid), why in conflict_map({p.user_id: p.user.email for p in pool.values()}, startup_ids).items():
            for app_id in by_startup.get(sid, ()):
                state.conflicts[(rid, app_id)] = why
    return state


# --- Automatic assignment ----------------------------------------------------------------------

@dataclass
class Gap:
    application_id: int
    startup_name: str
    missing: int
    reason: str  # English
    reason_key: str
    params: dict

    @property
    def text(self) -> str:
        return reason_text(self.reason_key, self.params, self.reason)


@dataclass
class AutoResult:
    stage: Stage
    k: int
    applications: int  # under review at the stage
    reviewers: int  # in the pool
    created: list[NewAssignment]
    unfilled: list[Gap]
    loads: dict[int, int]  # reviewer id -> load at the stage after the run
    conflicted_existing: list[tuple[int, int]]  # (reviewer, application): kept, for the manager to decide


def _check_stage(stage: Stage, actor) -> None:
    if not can_manage_program(actor, stage.season.program):
        raise NotFound()
    ensure_not_closed(stage.season, "assignments")


def _clean_k(k, stage: Stage) -> int:
    if k is None or k == "":
        return stage.reviews_required
    try:
        value = int(k)
    except (TypeError, ValueError):
        value = -1
    if isinstance(k, bool) or not 1 <= value <= MAX_K:
        raise RuleViolation("reviews_per_application",
                            _l("Choose between 1 and %(max)d reviews per application.", max=MAX_K))
    return value


def _lock(stage: Stage) -> None:
    """Runs at one stage one after the other (PostgreSQL; SQLite writes are serial anyway)."""
    db.session.execute(select(Stage.id).where(Stage.id == stage.id).with_for_update())


@dataclass(slots=True)
class NewAssignment:
    """A row an assignment run wrote, as it was written (read back by its key, not as an ORM object:
    a run at 20,000 applications writes 58,000). The same attributes as Assignment for what the
    pages and the API show."""

    id: int
    stage_id: int
    application_id: int
    reviewer_id: int
    reviewer: User | None
    is_auto: bool
    reason: str
    reason_key: str
    reason_params: dict
    created_at: datetime
    status: str = AssignmentStatus.ACTIVE.value
    released_at: datetime | None = None
    review: None = None


def _insert(stage: Stage, new: list[algo.Assignment], *, actor, is_auto: bool,
            pool: dict[int, ReviewerProfile]) -> list[NewAssignment]:
    if not new:
        return []
    now = utcnow()
    rows = [{"stage_id": stage.id, "application_id": a.application_id, "reviewer_id": a.reviewer_id,
             "status": AssignmentStatus.ACTIVE, "is_auto": is_auto, "reason": a.reason[:300],
             "reason_key": a.reason_key, "reason_params": dict(a.params), "created_by_id": getattr(actor, "id", None),
             "created_at": now} for a in new]
    try:
        with db.session.begin_nested():
            insert_rows(db.session, Assignment.__table__, rows)  # COPY on PostgreSQL
            mark_stage_changed(stage.id)  # a bulk insert: the flush listener does not see it
    except IntegrityError:
        raise Conflict(_l("Someone changed the assignments of this stage at the same moment. Reload the page and "
                          "run it again."), code="lost_race") from None
    # The ids of this run's rows: the stage is locked (_lock), so nobody else wrote any at this moment.
    ids = {(app_id, rid): row_id for row_id, app_id, rid in db.session.execute(
        select(Assignment.id, Assignment.application_id, Assignment.reviewer_id)
        .where(Assignment.stage_id == stage.id, Assignment.created_at == now))}
    users = {rid: profile.user for rid, profile in pool.items()}
    created = [NewAssignment(ids[(row["application_id"], row["reviewer_id"])], stage.id, row["application_id"],
                             row["reviewer_id"], users.get(row["reviewer_id"]), is_auto, row["reason"],
                             row["reason_key"], row["reason_params"], now) for row in rows]
    created.sort(key=lambda a: (a.application_id, a.reviewer_id))
    return created


def auto_assign(stage: Stage, *, actor, k=None) -> AutoResult:
    """Give every application under review at the stage k distinct reviewers (default: the stage's
    reviews_required), keeping what is there; the result names the applications left short and why."""
    _check_stage(stage, actor)
    k = _clean_k(k, stage)
    _lock(stage)
    state = load_stage(stage)
    result = algo.assign_reviewers(state.apps, state.reviewers, k=k, existing=state.active,
                                   conflicts=state.blocked())
    created = _insert(stage, result.new, actor=actor, is_auto=True, pool=state.pool)
    notify_new_assignments(stage, created)
    unfilled = [Gap(g.application_id, state.names.get(g.application_id, ""), g.missing, g.reason, g.reason_key,
                    dict(g.params)) for g in result.unfilled]
    db.session.flush()
    return AutoResult(stage, k, len(state.apps), len(state.pool), created, unfilled, dict(result.loads),
                      list(result.conflicted_existing))


# --- By hand -----------------------------------------------------------------------------------

def _refusal(exc: algo.AssignmentRefused) -> RuleViolation:
    return RuleViolation("reviewer_id", reason_text(exc.reason_key, exc.params, str(exc)))


def assign_manually(stage: Stage, application: Application, reviewer: User, *, actor) -> Assignment:
    """One reviewer on one application at the stage, with the same rules as the automatic run."""
    _check_stage(stage, actor)
    if application is None or application.season_id != stage.season_id or application.status != Status.IN_REVIEW \
            or application.current_stage_id != stage.id:
        raise RuleViolation("application_id", _l("This application is not under review at this stage."))
    if reviewer is None:
        raise RuleViolation("reviewer_id", REASON_TEXTS["unknown_reviewer"])
    _lock(stage)
    state = load_stage(stage, application_ids=[application.id])
    pool = state.reviewers
    blocked = set(state.conflicts)
    try:
        algo.check_manual(application.id, reviewer.id, reviewers=pool, existing=state.active, conflicts=blocked)
    except algo.AssignmentRefused as exc:
        raise _refusal(exc) from None
    profile = state.pool[reviewer.id]
    load = algo.stage_loads([r for r in pool if r.id == reviewer.id], state.active)[reviewer.id] + 1
    text, key, params = algo.manual_reason(algo.Reviewer(reviewer.id, profile.max_load), load)
    row = db.session.scalar(select(Assignment).where(
        Assignment.stage_id == stage.id, Assignment.application_id == application.id,
        Assignment.reviewer_id == reviewer.id))
    if row is None:
        row = Assignment(stage_id=stage.id, application_id=application.id, reviewer_id=reviewer.id)
        db.session.add(row)
    row.status, row.released_at, row.is_auto = AssignmentStatus.ACTIVE, None, False
    row.reason, row.reason_key, row.reason_params, row.created_by_id = text, key, params, actor.id
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(_l("Someone changed the assignments of this stage at the same moment. Reload the page and "
                          "try again."), code="lost_race") from None
    notify_new_assignments(stage, [row])
    return row


def _release(assignment: Assignment) -> None:
    assignment.status = AssignmentStatus.RELEASED
    assignment.released_at = utcnow()


def remove_assignment(assignment: Assignment, *, actor) -> Assignment:
    """Take an assignment away (it is kept, released). Refused once its review is submitted."""
    _check_stage(assignment.stage, actor)
    if assignment.status != AssignmentStatus.ACTIVE:
        raise Conflict(_l("This assignment was already removed."), code="released")
    if assignment.review is not None and assignment.review.status == ReviewStatus.SUBMITTED:
        raise Conflict(_l("%(name)s has already submitted this review: the assignment cannot be removed.",
                          name=assignment.reviewer.name), code="review_submitted")
    _release(assignment)
    db.session.flush()
    return assignment


def release_and_refill(assignment: Assignment, *, actor) -> Assignment | None:
    """Release an assignment (after a conflict) and give its application one replacement reviewer,
    chosen by the same algorithm (not conflicted, under their maximum, balanced, matches preferred).
    The caller checked who may do this. Returns the replacement, or None when nobody can take it."""
    stage = assignment.stage
    application_id = assignment.application_id
    _lock(stage)
    _release(assignment)
    db.session.flush()
    state = load_stage(stage, application_ids=[application_id])
    if not state.apps:  # no longer under review at this stage: nothing to refill
        return None
    k = len(state.active.get(application_id, ())) + 1
    result = algo.assign_reviewers(state.apps, state.reviewers, k=k, existing=state.active,
                                   conflicts=state.blocked() | {(assignment.reviewer_id, application_id)})
    created = _insert(stage, result.new, actor=actor, is_auto=True, pool=state.pool)
    notify_new_assignments(stage, created)
    return db.session.get(Assignment, created[0].id) if created else None


# --- Fetching, scoped to the manager -----------------------------------------------------------

def assignment_for_manager(user, stage: Stage, assignment_id) -> Assignment:
    try:
        assignment_id = int(assignment_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    row = db.session.get(Assignment, assignment_id) if 1 <= assignment_id <= 2**31 - 1 else None
    if row is None or row.stage_id != stage.id or not can_manage_program(user, stage.season.program):
        raise NotFound()
    return row


def application_in_stage(stage: Stage, application_id) -> Application | None:
    try:
        application_id = int(application_id)
    except (TypeError, ValueError):
        return None
    if not 1 <= application_id <= 2**31 - 1:
        return None
    return db.session.scalar(stage_applications_stmt(stage).where(Application.id == application_id))


def pool_member(stage: Stage, reviewer_id) -> User | None:
    try:
        reviewer_id = int(reviewer_id)
    except (TypeError, ValueError):
        return None
    profile = db.session.scalar(select(ReviewerProfile).where(
        ReviewerProfile.program_id == stage.season.program_id, ReviewerProfile.user_id == reviewer_id))
    return profile.user if profile is not None else None
