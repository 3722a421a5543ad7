"""The reviewer's reads: their assignments with progress, the next one to do, and one assignment.

One rule decides what a reviewer may see (`_visible`), written once as SQL so that the lists, the
counts, the single fetch and the reminders agree: the assignment is theirs and active, they still
review for the program, the application was submitted and not withdrawn, and they are not
conflicted with the startup (incubator.reviews.conflicts: a stored conflict, or detected: owner,
co-founder or team member by account or e-mail, or a shared private e-mail domain). Anything else
is NotFound (404), never "forbidden", so nothing confirms that the application exists.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from incubator.accounts.models import ProgramRole, Role
from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.core.converters import MAX_ID
from incubator.core.errors import NotFound
from incubator.extensions import db
from incubator.programs.models import Season, Stage
from incubator.reviews.models import Assignment, AssignmentStatus, ConflictOfInterest, Review, ReviewStatus
from incubator.startups.models import Startup, StartupCollaborator, TeamMember

# An application a reviewer may look at: submitted and onwards, never a draft or a withdrawn one.
VISIBLE_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW, Status.WAITLISTED, Status.ACCEPTED, Status.REJECTED)
# Queue filters: "todo" is everything not submitted yet (no review, or a draft).
FILTERS = ("all", "todo", "draft", "submitted")


def _visible(reviewer_id, email=None, *, user=None):
    """SQL conditions (over Assignment, Application, Stage, Season) for "this reviewer may see this
    assignment". For one `user`, conflicts are incubator.reviews.conflicts.conflicted_startup_ids (stored,
    and detected: on the team, or a shared private e-mail domain), resolved once per request into ids
    (incubator.reviews.conflict_cache). For the reminders' batch,
    `reviewer_id` and `email` are columns and the stored and on-the-team conflicts are checked row
    by row (the reminder then recounts each reviewer it is about to write to with the full rule)."""
    startup_id = Application.startup_id
    conditions = [
        Assignment.reviewer_id == reviewer_id,
        Assignment.status == AssignmentStatus.ACTIVE,
        Application.status.in_(VISIBLE_STATUSES),
        Application.season_id == Stage.season_id,
        exists().where(ProgramRole.user_id == reviewer_id, ProgramRole.program_id == Season.program_id,
                       ProgramRole.role == Role.REVIEWER),
    ]
    if user is not None:
        from incubator.reviews.conflict_cache import conflicted_ids

        return [*conditions, startup_id.not_in(sorted(conflicted_ids(user)))]
    return [
        *conditions,
        ~exists().where(ConflictOfInterest.reviewer_id == reviewer_id, ConflictOfInterest.startup_id == startup_id),
        ~exists().where(Startup.id == startup_id, Startup.owner_id == reviewer_id),
        ~exists().where(StartupCollaborator.startup_id == startup_id, StartupCollaborator.user_id == reviewer_id),
        ~exists().where(TeamMember.startup_id == startup_id,
                        or_(TeamMember.user_id == reviewer_id, func.lower(TeamMember.email) == email)),
    ]


def _base(user):
    """Assignments joined to what the visibility rule and the lists need, filtered to the user's."""
    return (
        select(Assignment)
        .join(Application, Application.id == Assignment.application_id)
        .join(Stage, Stage.id == Assignment.stage_id)
        .join(Season, Season.id == Stage.season_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(*_visible(user.id, user=user))
    )


def _review_filter(state: str | None):
    if state == "todo":
        return or_(Review.id.is_(None), Review.status != ReviewStatus.SUBMITTED)
    if state == "draft":
        return Review.status == ReviewStatus.DRAFT
    if state == "submitted":
        return Review.status == ReviewStatus.SUBMITTED
    return None


def assignments_for(reviewer, stage=None, *, stage_id: int | None = None, season_id: int | None = None,
                    state: str | None = None):
    """A statement of the reviewer's visible assignments (optionally at one stage or season, and
    by review state: todo, draft, submitted), oldest first, with the review, the application, its
    startup and the stage, season and program loaded in the same statements (paginate it)."""
    stmt = _base(reviewer)
    if stage is not None:
        stage_id = stage.id
    if stage_id is not None:
        stmt = stmt.where(Assignment.stage_id == stage_id)
    if season_id is not None:
        stmt = stmt.where(Stage.season_id == season_id)
    condition = _review_filter(state)
    if condition is not None:
        stmt = stmt.where(condition)
    return stmt.options(
        contains_eager(Assignment.review),
        contains_eager(Assignment.application).selectinload(Application.startup),
        contains_eager(Assignment.stage).contains_eager(Stage.season),
    ).order_by(Assignment.id)


@dataclass(frozen=True)
class Progress:
    """How far a reviewer is at one stage: `submitted` of `total`, `drafts` started."""

    total: int
    submitted: int
    drafts: int

    @property
    def todo(self) -> int:
        return self.total - self.submitted


def _counts():
    return (func.count(Assignment.id),
            func.coalesce(func.sum(case((Review.status == ReviewStatus.SUBMITTED, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Review.status == ReviewStatus.DRAFT, 1), else_=0)), 0))


def stage_progress(reviewer, stage) -> Progress:
    """One statement: the reviewer's visible assignments at the stage, and how many are done."""
    stmt = _base(reviewer).where(Assignment.stage_id == stage.id).with_only_columns(*_counts())
    total, submitted, drafts = db.session.execute(stmt).one()
    return Progress(int(total), int(submitted), int(drafts))


@dataclass(frozen=True)
class StageRow:
    stage: Stage
    progress: Progress


def stages_for(reviewer, page: int = 1, per_page: int = 25):
    """The stages where the reviewer has visible assignments, with progress, soonest deadline
    first (stages without a deadline last): a Page of StageRow, in three statements."""
    from incubator.core.pagination import Page

    grouped = (_base(reviewer).with_only_columns(Assignment.stage_id, *_counts())
               .group_by(Assignment.stage_id, Stage.review_deadline, Stage.position, Season.id)
               .order_by(Stage.review_deadline.is_(None), Stage.review_deadline, Season.id.desc(),
                         Stage.position))
    total = db.session.scalar(select(func.count()).select_from(grouped.order_by(None).subquery())) or 0
    rows = db.session.execute(grouped.limit(per_page).offset((page - 1) * per_page)).all()
    stages = {s.id: s for s in db.session.scalars(
        select(Stage).where(Stage.id.in_([r[0] for r in rows])).options(selectinload(Stage.season)))}
    items = [StageRow(stages[r[0]], Progress(int(r[1]), int(r[2]), int(r[3]))) for r in rows if r[0] in stages]
    return Page(items=items, page=page, per_page=per_page, total=total)


def next_unreviewed(reviewer, stage, *, after: int | None = None) -> Assignment | None:
    """The next assignment at the stage without a submitted review: the first after `after` (an
    assignment id), wrapping round to the first; never `after` itself."""
    stmt = _base(reviewer).where(Assignment.stage_id == stage.id, _review_filter("todo"))
    if after is not None:
        stmt = stmt.where(Assignment.id != after)
        found = db.session.scalar(stmt.where(Assignment.id > after).order_by(Assignment.id).limit(1))
        if found is not None:
            return found
    return db.session.scalar(stmt.order_by(Assignment.id).limit(1))


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
    found = db.session.scalar(_base(user).where(Assignment.stage_id == number)
                              .with_only_columns(Assignment.stage_id).limit(1))
    if found is None:
        raise NotFound()
    stage = db.session.get(Stage, number)
    if stage is None:
        raise NotFound()
    return stage


def assignment_for_reviewer(user, assignment_id) -> Assignment:
    """The assignment if it is active, the user's, and the user is not conflicted with the startup;
    NotFound otherwise. Loads what the review page needs (answers, files, team, rubric, questions)."""
    number = _as_id(assignment_id)
    assignment = db.session.scalar(
        _base(user).where(Assignment.id == number).options(
            contains_eager(Assignment.review),
            contains_eager(Assignment.application).selectinload(Application.answers),
            contains_eager(Assignment.application).selectinload(Application.attachments),
            contains_eager(Assignment.application).selectinload(Application.startup)
            .selectinload(Startup.members),
            contains_eager(Assignment.stage).selectinload(Stage.criteria),
            contains_eager(Assignment.stage).contains_eager(Stage.season).selectinload(Season.questions),
        )
    )
    if assignment is None:
        raise NotFound()
    return assignment


def may_review(user, assignment) -> bool:
    """The visibility rule for one assignment already loaded (one statement)."""
    if user is None or not getattr(user, "is_authenticated", False) or assignment is None:
        return False
    return db.session.scalar(_base(user).where(Assignment.id == assignment.id)
                             .with_only_columns(Assignment.id).limit(1)) is not None


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
