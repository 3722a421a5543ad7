"""When a stage's stored leaderboard is out of date: `stages.scores_version` is bumped (one UPDATE, in
the transaction that makes the change) whenever something the scores depend on changes, and the
stored board (incubator.selection.board_store) names the version it was built at.

What the scores depend on: the submitted reviews of the stage's active assignments, which
applications have an active assignment there, the rubric (criteria: key, weight, scale, order) and
the stage's reviews_required and disagreement_threshold. Everything else shown on the board (the
application's status and stage, the startup's facts, the season's quota) is read live.

Changes made through the ORM (reviews saved, assignments released, the builder's criteria and
stages, in any service, present or future) are seen by a flush listener: nothing to call. A bulk
statement (insert(...), update(...)) bypasses the flush: call `mark_stage_changed` after it."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from incubator.extensions import db
from incubator.programs.models import Criterion, Stage
from incubator.reviews.models import Assignment, Review, ReviewStatus

_STAGES = Stage.__table__
_ASSIGNMENTS = Assignment.__table__
_KEY = "incubator_board_stages"

REVIEW_FIELDS = ("scores", "recommendation", "status", "assignment_id")
ASSIGNMENT_FIELDS = ("status", "stage_id", "application_id", "reviewer_id")
CRITERION_FIELDS = ("key", "weight", "scale_min", "scale_max", "position", "stage_id")
STAGE_FIELDS = ("reviews_required", "disagreement_threshold")


def bump(connection, stage_ids: Iterable[int]) -> None:
    ids = sorted({int(i) for i in stage_ids if i is not None})
    if ids:
        connection.execute(_STAGES.update().where(_STAGES.c.id.in_(ids))
                           .values(scores_version=_STAGES.c.scores_version + 1))


def mark_stage_changed(*stage_ids: int, session: Session | None = None) -> None:
    """The stored leaderboards of these stages are out of date (after a bulk statement)."""
    session = session or db.session
    bump(session.connection(), stage_ids)
    _expire(session, stage_ids)


def _values(obj, name: str, *, load: bool = True) -> tuple[bool, set]:
    """Whether the attribute changed in this flush, and every value it had or has; with `load`, an
    expired attribute is loaded (before the flush, the row is still there to load)."""
    state = inspect(obj)
    history = state.attrs[name].history
    values = {*history.deleted, *history.added, *history.unchanged}
    if load and not values and not state.transient:
        values = {getattr(obj, name)}
    values.discard(None)
    return history.has_changes(), values


def _changed(obj, fields) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _stage_ids(obj, relation: str = "stage") -> set[int]:
    """The stage ids an assignment or a criterion had or has: its stage_id, and a stage it was moved
    to or from through the relation (without loading it)."""
    ids = set(_values(obj, "stage_id")[1])
    ids.update(s.id for s in _values(obj, relation, load=False)[1] if s.id is not None)
    return ids


def _affected(session: Session) -> tuple[set[int], set[int]]:
    """(stage ids, assignment ids whose stage is to look up) this flush touches."""
    stages: set[int] = set()
    assignments: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        fresh_or_gone = obj in session.new or obj in session.deleted
        if isinstance(obj, Review):
            if not (fresh_or_gone or _changed(obj, (*REVIEW_FIELDS, "assignment"))):
                continue
            if not any(str(v) == ReviewStatus.SUBMITTED for v in _values(obj, "status")[1]):
                continue  # a draft does not count
            ids = _values(obj, "assignment_id")[1]
            assignments.update(ids)
            for assignment in _values(obj, "assignment", load=not ids)[1]:
                stages.update(_stage_ids(assignment))
        elif isinstance(obj, Assignment):
            if fresh_or_gone or _changed(obj, (*ASSIGNMENT_FIELDS, "stage")):
                stages.update(_stage_ids(obj))
        elif isinstance(obj, Criterion):
            if fresh_or_gone or _changed(obj, (*CRITERION_FIELDS, "stage")):
                stages.update(_stage_ids(obj))
        elif isinstance(obj, Stage) and obj not in session.new:
            if _changed(obj, STAGE_FIELDS) and obj.id is not None:
                stages.add(obj.id)
    return stages, assignments


@event.listens_for(Session, "before_flush")
def _collect_before_flush(session: Session, flush_context, instances) -> None:
    stages, assignments = _affected(session)
    ids = sorted(assignments)
    for start in range(0, len(ids), 500):  # under every database's limit of parameters
        stages.update(session.connection().execute(
            select(_ASSIGNMENTS.c.stage_id).where(_ASSIGNMENTS.c.id.in_(ids[start:start + 500]))).scalars())
    if stages:
        session.info.setdefault(_KEY, set()).update(stages)


@event.listens_for(Session, "after_flush")
def _bump_after_flush(session: Session, flush_context) -> None:
    stages = session.info.get(_KEY)
    if stages:
        bump(session.connection(), stages)


@event.listens_for(Session, "after_flush_postexec")
def _expire_after_flush(session: Session, flush_context) -> None:
    _expire(session, session.info.pop(_KEY, ()))


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(_KEY, None)  # a flush that failed bumps nothing


def _expire(session: Session, stage_ids) -> None:
    """Loaded stages forget their scores_version (it is read again when asked for)."""
    for stage_id in stage_ids:
        stage = session.identity_map.get(inspect(Stage).identity_key_from_primary_key((stage_id,)))
        if stage is not None and inspect(stage).persistent:
            session.expire(stage, ["scores_version"])
