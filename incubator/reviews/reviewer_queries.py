"""The reviewer's reads: their assignments with progress, the next one to do, and one assignment.

One rule decides what a reviewer may see, so that the lists, the counts, the single fetch and the
reminders agree: the assignment is theirs and active, they still review for the program, the
application was submitted and not withdrawn (and is in the stage's season), and they are not
conflicted with the startup (incubator.reviews.conflicts: a stored conflict, or detected: owner,
co-founder or team member by account or e-mail, or a shared private e-mail domain). For one user it
is applied once per request (`visible_assignments`: the ids, stages and review states of what they
may see) and every read filters on those ids, so each statement is a lookup by index whatever the
size of the season; the reminders' batch uses the same rule as SQL (`_visible`). Anything else is
NotFound (404), never "forbidden", so nothing confirms that the application exists.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from incubator.accounts.models import ProgramRole, Role
from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.core.converters import MAX_ID
from incubator.core.errors import NotFound
from incubator.core.idlists import in_ids
from incubator.extensions import db
from incubator.programs.models import Season, Stage
from incubator.reviews.models import Assignment, AssignmentStatus, ConflictOfInterest, Review, ReviewStatus
from incubator.startups.models import Startup, StartupCollaborator, TeamMember

# An application a reviewer may look at: submitted and onwards, never a draft or a withdrawn one.
VISIBLE_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW, Status.WAITLISTED, Status.ACCEPTED, Status.REJECTED)
# Queue filters: "todo" is everything not submitted yet (no review, or a draft).
FILTERS = ("all", "todo", "draft", "submitted")


def _mine(reviewer_id):
    """SQL conditions (over Assignment and Season): the assignment is the reviewer's and active, and
    they still review for the program."""
    return [
        Assignment.reviewer_id == reviewer_id,
        Assignment.status == AssignmentStatus.ACTIVE,
        exists().where(ProgramRole.user_id == reviewer_id, ProgramRole.program_id == Season.program_id,
                       ProgramRole.role == Role.REVIEWER),
    ]


def _visible(reviewer_id, email):
    """SQL conditions (over Assignment, Application, Stage, Season) for "this reviewer may see this
    assignment", for the reminders' batch: `reviewer_id` and `email` are columns and the stored and
    on-the-team conflicts are checked row by row (the reminder then recounts each reviewer it is
    about to write to with the full rule: stage_progress). One user's reads go through
    visible_assignments instead."""
    startup_id = Application.startup_id
    return [
        *_mine(reviewer_id),
        Application.status.in_(VISIBLE_STATUSES),
        Application.season_id == Stage.season_id,
        ~exists().where(ConflictOfInterest.reviewer_id == reviewer_id, ConflictOfInterest.startup_id == startup_id),
        ~exists().where(Startup.id == startup_id, Startup.owner_id == reviewer_id),
        ~exists().where(StartupCollaborator.startup_id == startup_id, StartupCollaborator.user_id == reviewer_id),
        ~exists().where(TeamMember.startup_id == startup_id,
                        or_(TeamMember.user_id == reviewer_id, func.lower(TeamMember.email) == email)),
    ]


def _review_filter(state: str | None):
    if state == "todo":
        return or_(Review.id.is_(None), Review.status != ReviewStatus.SUBMITTED)
    if state == "draft":
        return Review.status == ReviewStatus.DRAFT
    if state == "submitted":
        return Review.status == ReviewStatus.SUBMITTED
    return None


@dataclass(frozen=True)
class Visible:
    """One assignment the reviewer may see, with what the lists and counts need."""

    id: int
    stage_id: int
    season_id: int
    application_id: int
    startup_id: int
    review_status: str | None


def visible_assignments(user, stage_id: int | None = None) -> dict[int, Visible]:
    """The user's visible assignments (at one stage, or all), by id, in id order: the visibility rule
    applied once per request (incubator.reviews.conflict_cache) in two index-driven statements (the
    assignments by reviewer, then their applications by id, conflicts left out), which every read
    below filters on."""
    from incubator.reviews.conflict_cache import cached, peek

    everything = peek(("visible", user.id, user.email, None))
    if everything is not None and stage_id is not None:
        return {k: v for k, v in everything.items() if v.stage_id == stage_id}
    return cached(("visible", user.id, user.email, stage_id), lambda: _read_visible(user, stage_id))


def _read_visible(user, stage_id: int | None) -> dict[int, Visible]:
    from incubator.reviews.conflicts import conflicted_startup_ids

    stmt = (select(Assignment.id, Assignment.stage_id, Stage.season_id, Assignment.application_id, Review.status)
            .join(Stage, Stage.id == Assignment.stage_id).join(Season, Season.id == Stage.season_id)
            .outerjoin(Review, Review.assignment_id == Assignment.id)
            .where(*_mine(user.id)).order_by(Assignment.id))
    if stage_id is not None:
        stmt = stmt.where(Assignment.stage_id == stage_id)
    rows = db.session.execute(stmt).all()
    if not rows:
        return {}
    apps = {app_id: (season_id, startup_id) for app_id, season_id, startup_id in db.session.execute(
        select(Application.id, Application.season_id, Application.startup_id)
        .where(in_ids(Application.id, sorted({r[3] for r in rows})), Application.status.in_(VISIBLE_STATUSES),
               Application.startup_id.not_in(conflicted_startup_ids(user))))}
    return {aid: Visible(aid, sid, season_id, app_id, apps[app_id][1], str(status) if status is not None else None)
            for aid, sid, season_id, app_id, status in rows if apps.get(app_id, (None,))[0] == season_id}


def _review_state(state: str | None):
    if state == "todo":
        return lambda v: v.review_status != ReviewStatus.SUBMITTED
    if state == "draft":
        return lambda v: v.review_status == ReviewStatus.DRAFT
    if state == "submitted":
        return lambda v: v.review_status == ReviewStatus.SUBMITTED
    return lambda v: True


def _ids(visible: dict[int, Visible], season_id: int | None = None, state: str | None = None) -> list[int]:
    keep = _review_state(state)
    return [v.id for v in visible.values() if (season_id is None or v.season_id == season_id) and keep(v)]


def _loaded(ids):
    """The assignments with these ids, with the review (joined), the application and its startup,
    the stage, season and program (by id). Every table is reached through a primary or unique key:
    index lookups whatever the sizes."""
    return (select(Assignment).outerjoin(Review, Review.assignment_id == Assignment.id)
            .where(in_ids(Assignment.id, ids)).options(
                contains_eager(Assignment.review),
                selectinload(Assignment.application).joinedload(Application.startup, innerjoin=True),
                selectinload(Assignment.stage).selectinload(Stage.season),
            ).order_by(Assignment.id))


def assignments_for(reviewer, stage=None, *, stage_id: int | None = None, season_id: int | None = None,
                    state: str | None = None):
    """A statement of the reviewer's visible assignments (optionally at one stage or season, and
    by review state: todo, draft, submitted), oldest first, with the review, the application, its
    startup and the stage, season and program loaded by id (paginate it)."""
    if stage is not None:
        stage_id = stage.id
    return _loaded(_ids(visible_assignments(reviewer, stage_id), season_id, state))


@dataclass(frozen=True)
class QueueReview:
    status: str
    recommendation: str | None
    total: float | None


@dataclass(frozen=True)
class QueueRow:
    """One line of the reviewer's queue, shaped like an Assignment for what the queue shows: the id,
    the review, and what incubator.reviews.visibility.assignment_label reads (the stage, the
    application's startup's name)."""

    id: int
    stage: Stage
    application_id: int
    startup_name: str
    review: QueueReview | None

    @property
    def application(self) -> SimpleNamespace:
        return SimpleNamespace(id=self.application_id, startup=SimpleNamespace(name=self.startup_name))


def assignment_page(reviewer, stage, *, state: str | None = None, page: int = 1, per_page: int = 50):
    """One page of the reviewer's visible assignments at the stage (the filter of assignments_for),
    oldest first, as QueueRows: counted from the visible set, and only the page's rows read, in one
    statement whose every table is filtered by its key (index lookups whatever the sizes)."""
    from incubator.core.pagination import Page

    visible = visible_assignments(reviewer, stage.id)
    ids = _ids(visible, None, state)
    chosen = [visible[i] for i in ids[(page - 1) * per_page:page * per_page]]
    rows = db.session.execute(
        select(Assignment.id, Startup.name, Review.status, Review.recommendation, Review.total)
        .join(Application, Application.id == Assignment.application_id)
        .join(Startup, Startup.id == Application.startup_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(in_ids(Assignment.id, [v.id for v in chosen]),
               in_ids(Application.id, [v.application_id for v in chosen]),
               in_ids(Startup.id, [v.startup_id for v in chosen]))
        .order_by(Assignment.id)).all() if chosen else []
    by_id = {v.id: v for v in chosen}
    items = [QueueRow(aid, stage, by_id[aid].application_id, name,
                      QueueReview(status, recommendation, total) if status is not None else None)
             for aid, name, status, recommendation, total in rows]
    return Page(items=items, page=page, per_page=per_page, total=len(ids))


@dataclass(frozen=True)
class Progress:
    """How far a reviewer is at one stage: `submitted` of `total`, `drafts` started."""

    total: int
    submitted: int
    drafts: int

    @property
    def todo(self) -> int:
        return self.total - self.submitted


def _progress(rows) -> Progress:
    rows = list(rows)
    return Progress(len(rows), sum(1 for v in rows if v.review_status == ReviewStatus.SUBMITTED),
                    sum(1 for v in rows if v.review_status == ReviewStatus.DRAFT))


def stage_progress(reviewer, stage) -> Progress:
    """The reviewer's visible assignments at the stage, and how many are done."""
    return _progress(visible_assignments(reviewer, stage.id).values())


@dataclass(frozen=True)
class StageRow:
    stage: Stage
    progress: Progress


def stages_for(reviewer, page: int = 1, per_page: int = 25):
    """The stages where the reviewer has visible assignments, with progress, soonest deadline
    first (stages without a deadline last): a Page of StageRow."""
    from incubator.core.pagination import Page

    by_stage: dict[int, list[Visible]] = {}
    for v in visible_assignments(reviewer).values():
        by_stage.setdefault(v.stage_id, []).append(v)
    stages = list(db.session.scalars(select(Stage).where(Stage.id.in_(sorted(by_stage)))
                                     .options(selectinload(Stage.season)))) if by_stage else []
    stages.sort(key=lambda s: (s.review_deadline is None, s.review_deadline or 0, -s.season_id, s.position))
    chosen = stages[(page - 1) * per_page:page * per_page]
    return Page(items=[StageRow(s, _progress(by_stage[s.id])) for s in chosen], page=page, per_page=per_page,
                total=len(stages))


def next_unreviewed(reviewer, stage, *, after: int | None = None) -> Assignment | None:
    """The next assignment at the stage without a submitted review: the first after `after` (an
    assignment id), wrapping round to the first; never `after` itself."""
    todo = [v.id for v in visible_assignments(reviewer, stage.id).values()
            if v.review_status != ReviewStatus.SUBMITTED and v.id != after]
    if not todo:
        return None
    found = next((i for i in todo if after is not None and i > after), todo[0])
    return db.session.get(Assignment, found)


def _as_id(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 1 <= number <= MAX_ID:
        raise NotFound()
    return number


def stage_for_reviewer(user, stage_id) -> Stage:
    """A stage where the user has at least one visible assignment; NotFound otherwise."""
    number = _as_id(stage_id)
    if not visible_assignments(user, number):
        raise NotFound()
    stage = db.session.get(Stage, number)
    if stage is None:
        raise NotFound()
    return stage


def assignment_for_reviewer(user, assignment_id) -> Assignment:
    """The assignment if it is active, the user's, and the user is not conflicted with the startup;
    NotFound otherwise. Loads what the review page needs (answers, files, team, rubric, questions)."""
    number = _as_id(assignment_id)
    # The user's active assignment with everything the page shows (by key, index lookups), then the
    # visibility rule for its stage (which the page's progress and "next" read too).
    assignment = db.session.scalar(
        select(Assignment)
        .join(Application, Application.id == Assignment.application_id)
        .join(Stage, Stage.id == Assignment.stage_id)
        .join(Season, Season.id == Stage.season_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.id == number, Assignment.reviewer_id == user.id,
               Assignment.status == AssignmentStatus.ACTIVE).options(
            contains_eager(Assignment.review),
            contains_eager(Assignment.application).selectinload(Application.answers),
            contains_eager(Assignment.application).selectinload(Application.attachments),
            contains_eager(Assignment.application).joinedload(Application.startup, innerjoin=True)
            .selectinload(Startup.members),
            contains_eager(Assignment.stage).selectinload(Stage.criteria),
            contains_eager(Assignment.stage).contains_eager(Stage.season).selectinload(Season.questions),
        )
    )
    if assignment is None or number not in visible_assignments(user, assignment.stage_id):
        raise NotFound()
    return assignment


def may_review(user, assignment) -> bool:
    """The visibility rule for one assignment already loaded."""
    if user is None or not getattr(user, "is_authenticated", False) or assignment is None:
        return False
    return assignment.id in visible_assignments(user, assignment.stage_id)


def open_assignments_by_reviewer(stage_ids=None, *, deadline_from=None, deadline_to=None):
    """(stage id, reviewer id, open count) for every reviewer with visible assignments not yet
    submitted, at stages whose review deadline is in (deadline_from, deadline_to]: the reminders'
    batch read, one statement whatever the number of reviewers."""
    from incubator.accounts.models import User

    stmt = (
        select(Assignment.stage_id, Assignment.reviewer_id, func.count(Assignment.id))
        .join(Application, Application.id == Assignment.application_id)
        .join(Stage, Stage.id == Assignment.stage_id)
        .join(Season, Season.id == Stage.season_id)
        .join(User, User.id == Assignment.reviewer_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(*_visible(Assignment.reviewer_id, func.lower(User.email)), _review_filter("todo"),
               User.is_active_account.is_(True))
        .group_by(Assignment.stage_id, Assignment.reviewer_id)
        .order_by(Assignment.stage_id, Assignment.reviewer_id)
    )
    if stage_ids is not None:
        stmt = stmt.where(Assignment.stage_id.in_(list(stage_ids)))
    if deadline_from is not None:
        stmt = stmt.where(Stage.review_deadline > deadline_from)
    if deadline_to is not None:
        stmt = stmt.where(Stage.review_deadline <= deadline_to)
    return [(s, r, int(n)) for s, r, n in db.session.execute(stmt)]


def other_reviews(assignment) -> list[Review]:
    """Submitted reviews of the same application at the same stage by the other active assignees."""
    return list(db.session.scalars(
        select(Review).join(Assignment, Assignment.id == Review.assignment_id)
        .where(Assignment.stage_id == assignment.stage_id, Assignment.application_id == assignment.application_id,
               Assignment.id != assignment.id, Assignment.status == AssignmentStatus.ACTIVE,
               Review.status == ReviewStatus.SUBMITTED)
        .order_by(Review.submitted_at, Review.id)
    ))


__all__ = ["FILTERS", "VISIBLE_STATUSES", "Progress", "StageRow", "assignments_for", "stage_progress", "stages_for",
           "next_unreviewed", "stage_for_reviewer", "assignment_for_reviewer", "may_review",
           "open_assignments_by_reviewer", "other_reviews"]
