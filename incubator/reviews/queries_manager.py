"""Manager reads for reviewers and assignments, eager loading decided here so every list page runs
a bounded number of queries: the program's reviewer pool and pending invitations, the program's
conflicts, and a stage's assignment matrix (per application its reviewers, per reviewer the load)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from incubator.accounts.models import ProgramRole, Role, User
from incubator.applications.models import Application
from incubator.core.pagination import Page, paginate
from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.programs.models import Season, Stage
from incubator.reviews.models import (
    Assignment, AssignmentStatus, ConflictOfInterest, Review, ReviewerInvitation, ReviewerProfile, ReviewStatus,
)
from incubator.startups.models import Startup


# --- The pool ----------------------------------------------------------------------------------

def pool_stmt(program) -> Select:
    return (select(ReviewerProfile).join(User, User.id == ReviewerProfile.user_id)
            .where(ReviewerProfile.program_id == program.id).order_by(func.lower(User.name), User.id))


def active_loads(program_id: int, user_ids) -> dict[int, int]:
    """Active assignments per reviewer in the program's seasons (all stages)."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(Assignment.reviewer_id, func.count()).join(Stage, Stage.id == Assignment.stage_id)
        .join(Season, Season.id == Stage.season_id)
        .where(Season.program_id == program_id, Assignment.status == AssignmentStatus.ACTIVE,
               Assignment.reviewer_id.in_(list(user_ids)))
        .group_by(Assignment.reviewer_id))
    return {rid: n for rid, n in rows}


def pool_page(program, page: int, per_page: int) -> tuple[Page, dict[int, int]]:
    """The pool, a page at a time, and each one's active assignments in the program. Three queries."""
    result = paginate(pool_stmt(program), page, per_page)
    return result, active_loads(program.id, [p.user_id for p in result.items])


def reviewers_without_profile(program) -> list[User]:
    """People an admin gave the reviewer role who are not in the pool yet."""
    in_pool = select(ReviewerProfile.user_id).where(ReviewerProfile.program_id == program.id)
    return list(db.session.scalars(
        select(User).join(ProgramRole, ProgramRole.user_id == User.id)
        .where(ProgramRole.program_id == program.id, ProgramRole.role == Role.REVIEWER, User.id.not_in(in_pool))
        .order_by(func.lower(User.name), User.id).limit(200)))


def pending_invitations_stmt(program, max_age_seconds: int) -> Select:
    since = utcnow() - timedelta(seconds=max_age_seconds)
    return (select(ReviewerInvitation)
            .where(ReviewerInvitation.program_id == program.id, ReviewerInvitation.accepted_at.is_(None),
                   ReviewerInvitation.created_at >= since)
            .order_by(ReviewerInvitation.created_at.desc(), ReviewerInvitation.id.desc()))


# --- Conflicts ---------------------------------------------------------------------------------

def program_conflicts_stmt(program) -> Select:
    """Stored conflicts between the program's reviewers (pool or role) and startups that applied to it."""
    reviewers = select(ReviewerProfile.user_id).where(ReviewerProfile.program_id == program.id).union(
        select(ProgramRole.user_id).where(ProgramRole.program_id == program.id, ProgramRole.role == Role.REVIEWER))
    applied = (select(Application.startup_id).join(Season, Season.id == Application.season_id)
               .where(Season.program_id == program.id))
    return (select(ConflictOfInterest)
            .where(ConflictOfInterest.reviewer_id.in_(reviewers), ConflictOfInterest.startup_id.in_(applied))
            .order_by(ConflictOfInterest.created_at.desc(), ConflictOfInterest.id.desc()))


@dataclass
class ConflictRow:
    conflict: ConflictOfInterest
    reviewer: User
    startup: Startup


def conflicts_page(program, page: int, per_page: int) -> Page:
    """Stored conflicts with their reviewer and startup. Four queries."""
    result = paginate(program_conflicts_stmt(program), page, per_page)
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({c.reviewer_id for c in result.items})))} if result.items else {}
    startups = {s.id: s for s in db.session.scalars(
        select(Startup).where(Startup.id.in_({c.startup_id for c in result.items})))} if result.items else {}
    result.items = [ConflictRow(c, users[c.reviewer_id], startups[c.startup_id]) for c in result.items]
    return result


def program_applications_for_choice(program, limit: int = 2000) -> list[tuple[int, str, str]]:
    """(application id, startup name, season name) of the program's submitted applications, for a select."""
    rows = db.session.execute(
        select(Application.id, Startup.name, Season.name).join(Startup, Startup.id == Application.startup_id)
        .join(Season, Season.id == Application.season_id)
        .where(Season.program_id == program.id, Application.status != "draft")
        .order_by(func.lower(Startup.name), Application.id.desc()).limit(limit))
    return [tuple(r) for r in rows]


# --- A stage's assignment matrix ---------------------------------------------------------------

@dataclass
class MatrixRow:
    application: Application
    assignments: list[Assignment] = field(default_factory=list)  # active, by reviewer name
    conflicted: set[int] = field(default_factory=set)  # pool reviewer ids conflicted with it

    @property
    def active_count(self) -> int:
        return len(self.assignments)


@dataclass
class PoolRow:
    profile: ReviewerProfile
    load: int  # active assignments at the stage
    submitted: int

    @property
    def room(self) -> int:
        return max(0, self.profile.max_load - self.load)


@dataclass
class Matrix:
    stage: Stage
    page: Page  # of MatrixRow
    pool: list[PoolRow]
    total_applications: int
    complete: int  # applications with at least reviews_required active assignments
    released: int


def assignment_matrix(stage: Stage, page: int, per_page: int, *, with_conflicts: bool = True) -> Matrix:
    """Per application (a page at a time) its active assignments with their reasons and reviews, per
    pool reviewer the load at the stage. About nine queries, whatever the sizes."""
    from incubator.reviews.assigning import stage_applications_stmt
    from incubator.reviews.conflicts import conflict_map

    apps = paginate(stage_applications_stmt(stage).options(selectinload(Application.startup))
                    .order_by(Application.id), page, per_page)
    ids = [a.id for a in apps.items]
    assigned: dict[int, list[Assignment]] = {}
    if ids:
        for row in db.session.scalars(
                select(Assignment).where(Assignment.stage_id == stage.id, Assignment.application_id.in_(ids),
                                         Assignment.status == AssignmentStatus.ACTIVE)
                .options(selectinload(Assignment.reviewer), selectinload(Assignment.review))
                .order_by(Assignment.id)):
            assigned.setdefault(row.application_id, []).append(row)
    profiles = list(db.session.scalars(pool_stmt(stage.season.program)))
    conflicted: dict[int, set[int]] = {}
    if with_conflicts and ids and profiles:
        by_startup: dict[int, list[int]] = {}
        for a in apps.items:
            by_startup.setdefault(a.startup_id, []).append(a.id)
        for (rid, sid) in conflict_map([p.user for p in profiles], sorted(by_startup)):
            for app_id in by_startup.get(sid, ()):
                conflicted.setdefault(app_id, set()).add(rid)
    apps.items = [MatrixRow(a, sorted(assigned.get(a.id, []), key=lambda x: (x.reviewer.name.lower(), x.id)),
                            conflicted.get(a.id, set())) for a in apps.items]
    loads: dict[int, list[int]] = {}
    for rid, review_status, n in db.session.execute(
            select(Assignment.reviewer_id, Review.status, func.count())
            .outerjoin(Review, Review.assignment_id == Assignment.id)
            .where(Assignment.stage_id == stage.id, Assignment.status == AssignmentStatus.ACTIVE)
            .group_by(Assignment.reviewer_id, Review.status)):
        entry = loads.setdefault(rid, [0, 0])
        entry[0] += n
        if review_status == ReviewStatus.SUBMITTED:
            entry[1] += n
    pool = [PoolRow(p, *loads.get(p.user_id, [0, 0])) for p in profiles]
    in_stage = stage_applications_stmt(stage).with_only_columns(Application.id).subquery()
    counts = (select(Assignment.application_id.label("app_id"), func.count().label("n"))
              .where(Assignment.stage_id == stage.id, Assignment.status == AssignmentStatus.ACTIVE,
                     Assignment.application_id.in_(select(in_stage.c.id)))
              .group_by(Assignment.application_id).subquery())
    complete = db.session.scalar(select(func.count()).select_from(counts)
                                 .where(counts.c.n >= stage.reviews_required)) or 0
    released = db.session.scalar(select(func.count()).select_from(Assignment).where(
        Assignment.stage_id == stage.id, Assignment.status == AssignmentStatus.RELEASED)) or 0
    return Matrix(stage, apps, pool, apps.total, complete, released)


def stage_assignments_stmt(stage: Stage, *, status: str | None = None, application_id: int | None = None,
                           reviewer_id: int | None = None) -> Select:
    """A stage's assignments for the API list, filtered."""
    stmt = (select(Assignment).where(Assignment.stage_id == stage.id)
            .options(selectinload(Assignment.reviewer), selectinload(Assignment.review))
            .order_by(Assignment.application_id, Assignment.id))
    if status:
        stmt = stmt.where(Assignment.status == status)
    if application_id:
        stmt = stmt.where(Assignment.application_id == application_id)
    if reviewer_id:
        stmt = stmt.where(Assignment.reviewer_id == reviewer_id)
    return stmt

