"""Conflicts of interest: a reviewer must neither see nor score a startup they are conflicted with.

Three sources (incubator.reviews.models.ConflictSource):
- detected, computed live from the data, never stale: the reviewer is on the startup's team (its
  owner, a co-founder with edit rights, or a team member, matched by account or e-mail address), or
  the reviewer's e-mail domain is a non-public one that a team member's address shares;
- declared by the reviewer from the assignment list (with a private reason), stored per startup, so
  it holds in later seasons too;
- added by a manager (stored the same way).

Enforcement everywhere: `conflicted_startup_ids(reviewer)` is one SQL subquery (stored and detected)
to filter any read (`Application.startup_id.not_in(...)`); `is_conflicted` answers for one pair;
`conflict_map` answers for a whole stage in a bounded number of queries.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, literal, or_, select, union, union_all
from sqlalchemy.exc import IntegrityError

from incubator.accounts.models import User, domain_of
from incubator.core.errors import Conflict, NotFound, RuleViolation
from incubator.extensions import db
from incubator.reviews.models import Assignment, AssignmentStatus, ConflictOfInterest, ConflictSource, ReviewStatus
from incubator.startups.models import Startup, StartupCollaborator, TeamMember

REASON_MAX = 2000

# Addresses anyone can get: sharing one says nothing about working together. The RFC 2606 example
# domains are here too (demo and test data). CONFLICT_PUBLIC_EMAIL_DOMAINS in the config adds more.
PUBLIC_EMAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "ymail.com", "outlook.com", "hotmail.com",
    "live.com", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "gmx.com", "gmx.net", "gmx.de",
    "zoho.com", "mail.com", "proton.me", "protonmail.com", "pm.me", "tutanota.com", "fastmail.com",
    "mail.ru", "inbox.ru", "list.ru", "bk.ru", "internet.ru", "rambler.ru", "ro.ru", "yandex.ru",
    "yandex.com", "yandex.kz", "yandex.uz", "ya.ru", "umail.uz", "mail.uz", "inbox.uz", "exat.uz",
    "mail.kz", "inbox.kz", "mail.kg", "yahoo.fr", "qq.com", "163.com",
    "example.com", "example.org", "example.net",
})


def stored_email(value: str | None) -> str:
    """A stored address in its lookup form. Stored addresses were validated and normalised on write,
    so stripping and lowercasing gives what normalise_email would, without running the validator
    (tens of thousands of times per automatic assignment). Keep normalise_email for user input."""
    value = (value or "").strip()
    if not value or "\x00" in value or len(value) > 254:
        return ""
    return value.lower()


def email_domain(email: str | None) -> str:
    """The domain as stored in the email_domain columns (incubator.accounts.models.domain_of), or ""."""
    return domain_of(email) or ""


def is_public_domain(domain: str) -> bool:
    extra = {d.strip().lower() for d in current_app.config.get("CONFLICT_PUBLIC_EMAIL_DOMAINS", ()) or ()}
    return not domain or domain in PUBLIC_EMAIL_DOMAINS or domain in extra


@dataclass(frozen=True)
class ConflictReason:
    """Why a reviewer is conflicted with a startup. key: on_team, shared_domain (detected), or the
    stored source (declared, manager, detected); params for the text; conflict_id for stored ones."""

    reviewer_id: int
    startup_id: int
    key: str
    params: dict = field(default_factory=dict, hash=False, compare=False)
    conflict_id: int | None = None

    @property
    def is_stored(self) -> bool:
        return self.conflict_id is not None


REASON_TEXTS = {
    "on_team": _l("on the startup's team (%(email)s)"),
    "shared_domain": _l("shares the e-mail domain %(domain)s with the team"),
    "declared": _l("declared by the reviewer"),
    "manager": _l("added by a manager"),
    "detected": _l("detected"),
}


def reason_text(reason: ConflictReason) -> str:
    return str(REASON_TEXTS.get(reason.key, reason.key)) % reason.params if reason.params else \
        str(REASON_TEXTS.get(reason.key, reason.key))


# --- Reading: who is conflicted with whom -------------------------------------------------------

def _startup_people(startup_ids, reviewers: dict[int, str]) -> list[tuple[int, int | None, str | None]]:
    """(startup id, user id, e-mail) of the people on these startups' teams (owner, co-founders with
    edit rights, team members) who may match one of these reviewers: by account, by address, or by
    a private domain a reviewer has (indexed columns: addresses are stored lower-cased, with their
    domain in email_domain). A superset of what _detected keeps, which decides. One query;
    startup_ids is a list or a subquery."""
    addresses = sorted({a for a in map(stored_email, reviewers.values()) if a})
    domains = sorted({d for d in map(email_domain, addresses) if not is_public_domain(d)})
    user_ids = sorted(reviewers)

    def person(id_col, email_col, domain_col):
        tests = [id_col.in_(user_ids), email_col.in_(addresses)]
        if domains:
            tests.append(domain_col.in_(domains))
        return or_(*tests)

    owners = (select(Startup.id.label("startup_id"), User.id.label("user_id"), User.email.label("email"))
              .join(User, User.id == Startup.owner_id)
              .where(Startup.id.in_(startup_ids), person(User.id, User.email, User.email_domain)))
    editors = (select(StartupCollaborator.startup_id, User.id, User.email)
               .join(User, User.id == StartupCollaborator.user_id)
               .where(StartupCollaborator.startup_id.in_(startup_ids), person(User.id, User.email, User.email_domain)))
    members = (select(TeamMember.startup_id, TeamMember.user_id, TeamMember.email)
               .where(TeamMember.startup_id.in_(startup_ids),
                      person(TeamMember.user_id, TeamMember.email, TeamMember.email_domain)))
    return [tuple(row) for row in db.session.execute(union_all(owners, editors, members))]


def _detected(reviewers: dict[int, str], people) -> dict[tuple[int, int], ConflictReason]:
    by_user: dict[int, set[int]] = {}
    by_email: dict[str, set[int]] = {}
    by_domain: dict[str, set[int]] = {}
    for startup_id, user_id, email in people:
        if user_id is not None:
            by_user.setdefault(user_id, set()).add(startup_id)
        address = stored_email(email)
        if address:
            by_email.setdefault(address, set()).add(startup_id)
            by_domain.setdefault(email_domain(address), set()).add(startup_id)
    found: dict[tuple[int, int], ConflictReason] = {}
    for reviewer_id, email in reviewers.items():
        address = stored_email(email)
        for startup_id in sorted(by_user.get(reviewer_id, set()) | by_email.get(address, set())):
            found[(reviewer_id, startup_id)] = ConflictReason(reviewer_id, startup_id, "on_team", {"email": address})
        domain = email_domain(address)
        if not is_public_domain(domain):
            for startup_id in sorted(by_domain.get(domain, ())):
                found.setdefault((reviewer_id, startup_id),
                                 ConflictReason(reviewer_id, startup_id, "shared_domain", {"domain": domain}))
    return found


def _stored(reviewer_ids, startup_ids) -> dict[tuple[int, int], ConflictReason]:
    rows = db.session.execute(
        select(ConflictOfInterest.id, ConflictOfInterest.reviewer_id, ConflictOfInterest.startup_id,
               ConflictOfInterest.source)
        .where(ConflictOfInterest.reviewer_id.in_(reviewer_ids), ConflictOfInterest.startup_id.in_(startup_ids)))
    return {(rid, sid): ConflictReason(rid, sid, str(source), {}, cid) for cid, rid, sid, source in rows}


def conflict_map(reviewers: Iterable[User] | dict[int, str], startup_ids) -> dict[tuple[int, int], ConflictReason]:
    """(reviewer id, startup id) -> why, for every conflicted pair among these reviewers (users, or
    {id: e-mail}) and startups (a list of ids or a subquery). Stored conflicts first, then detected
    ones. Two queries, whatever the sizes."""
    emails = reviewers if isinstance(reviewers, dict) else {u.id: u.email for u in reviewers}
    if not emails:
        return {}
    found = _detected(emails, _startup_people(startup_ids, emails))
    found.update(_stored(list(emails), startup_ids))
    return found


def detect_conflicts(target, *, reviewers: Iterable[User] | None = None) -> list[tuple[int, int, ConflictReason]]:
    """Detected conflicts (team member, shared private domain) between the reviewers (default: the
    program's pool) and the applications of `target`: a Stage (its applications under review there)
    or an iterable of applications. (reviewer id, application id, why), in id order."""
    from incubator.applications.models import Application
    from incubator.programs.models import Stage
    from incubator.reviews.models import ReviewerProfile

    if isinstance(target, Stage):
        from incubator.reviews.assigning import stage_applications_stmt

        pairs = [tuple(r) for r in db.session.execute(
            stage_applications_stmt(target).with_only_columns(Application.id, Application.startup_id))]
        program_id = target.season.program_id
    else:
        apps = list(target)
        pairs = [(a.id, a.startup_id) for a in apps]
        program_id = apps[0].season.program_id if apps else None
    if reviewers is None:
        reviewers = [p.user for p in db.session.scalars(
            select(ReviewerProfile).where(ReviewerProfile.program_id == program_id))] if program_id else []
    startup_ids = sorted({sid for _, sid in pairs})
    emails = {u.id: u.email for u in reviewers}
    found = _detected(emails, _startup_people(startup_ids, emails)) if emails and startup_ids else {}
    by_startup: dict[int, list[int]] = {}
    for app_id, sid in pairs:
        by_startup.setdefault(sid, []).append(app_id)
    return sorted((rid, app_id, why) for (rid, sid), why in found.items() for app_id in by_startup.get(sid, ()))


def conflicted_startup_ids(reviewer: User) -> Select:
    """The startups this reviewer is conflicted with (stored or detected), as one SQL statement to
    use in any read: `.where(Application.startup_id.not_in(conflicted_startup_ids(user)))`. Pages
    resolve it once per request instead: incubator.reviews.reviewer_queries.visible_assignments."""
    email = stored_email(reviewer.email)
    domain = email_domain(email)
    private = not is_public_domain(domain)

    def matches(email_col, domain_col):
        # Indexed equality (addresses are stored lower-cased, their domains in email_domain): a
        # private domain covers the address itself.
        return domain_col == domain if private else email_col == email

    # The reviewer, or anyone with their address or private domain: the users by their indexed
    # columns, then the owners and co-founders by their indexed user columns.
    people = select(User.id).where(or_(User.id == reviewer.id, matches(User.email, User.email_domain)))
    return union(
        select(ConflictOfInterest.startup_id.label("startup_id")).where(ConflictOfInterest.reviewer_id == reviewer.id),
        select(Startup.id).where(Startup.owner_id.in_(people)),
        select(StartupCollaborator.startup_id).where(StartupCollaborator.user_id.in_(people)),
        select(TeamMember.startup_id).where(or_(TeamMember.user_id == reviewer.id,
                                                matches(TeamMember.email, TeamMember.email_domain))),
    )


def is_conflicted(reviewer_id: int, startup_id: int) -> bool:
    reviewer = db.session.get(User, reviewer_id)
    if reviewer is None:
        return False
    sub = conflicted_startup_ids(reviewer).subquery()
    return db.session.scalar(select(literal(1)).select_from(sub).where(sub.c.startup_id == startup_id).limit(1)) \
        is not None


# --- Writing -----------------------------------------------------------------------------------

def clean_reason(reason, *, required: bool) -> str:
    text = (reason or "").strip() if isinstance(reason, str) or reason is None else str(reason).strip()
    if "\x00" in text:
        raise RuleViolation("reason", _l("The reason must not contain a NUL character."))
    if required and not text:
        raise RuleViolation("reason", _l("Say in a few words why you are conflicted. Only the program's managers "
                                         "read it."))
    if len(text) > REASON_MAX:
        raise RuleViolation("reason", _l("Keep the reason under %(n)d characters.", n=REASON_MAX))
    return text


def record_conflict(*, reviewer_id: int, startup_id: int, application_id: int | None, source: ConflictSource,
                    reason: str, actor) -> tuple[ConflictOfInterest, bool]:
    """Store a conflict (one per reviewer and startup); (row, created). A row already there stays."""
    existing = db.session.scalar(select(ConflictOfInterest).where(
        ConflictOfInterest.reviewer_id == reviewer_id, ConflictOfInterest.startup_id == startup_id))
    if existing is not None:
        return existing, False
    row = ConflictOfInterest(reviewer_id=reviewer_id, startup_id=startup_id, application_id=application_id,
                             source=source, reason=reason, created_by_id=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:  # recorded at the same moment by someone else
        existing = db.session.scalar(select(ConflictOfInterest).where(
            ConflictOfInterest.reviewer_id == reviewer_id, ConflictOfInterest.startup_id == startup_id))
        return existing, False
    return row, True


def declare_conflict(assignment: Assignment, *, actor, reason) -> Assignment | None:
    """The assignee declares a conflict with the application's startup (reason kept private): the
    conflict is stored for the startup (later seasons too), the assignment released, and the gap
    refilled by the assignment algorithm. Returns the replacement assignment, or None when nobody
    could take it (the stage's assignment page then shows the application as short)."""
    from incubator.programs.guards import ensure_not_closed
    from incubator.reviews import assigning

    if actor is None or assignment is None or assignment.reviewer_id != getattr(actor, "id", None):
        raise NotFound()
    if assignment.status != AssignmentStatus.ACTIVE:
        raise Conflict(_l("This assignment was already released: it is no longer yours."), code="released")
    if assignment.review is not None and assignment.review.status == ReviewStatus.SUBMITTED:
        raise Conflict(_l("You have submitted your review of this application, so a conflict can no longer be "
                          "declared here. Write to the program's managers instead."), code="review_submitted")
    ensure_not_closed(assignment.stage.season, "conflicts")
    text = clean_reason(reason, required=True)
    record_conflict(reviewer_id=actor.id, startup_id=assignment.application.startup_id,
                    application_id=assignment.application_id, source=ConflictSource.DECLARED, reason=text,
                    actor=actor)
    return assigning.release_and_refill(assignment, actor=actor)


def _program_reviewer(program, reviewer_id):
    from incubator.accounts.models import ProgramRole, Role
    from incubator.reviews.models import ReviewerProfile

    try:
        reviewer_id = int(reviewer_id)
    except (TypeError, ValueError):
        reviewer_id = 0
    in_pool = db.session.scalar(select(ReviewerProfile.id).where(
        ReviewerProfile.program_id == program.id, ReviewerProfile.user_id == reviewer_id)) or db.session.scalar(
        select(ProgramRole.id).where(ProgramRole.program_id == program.id, ProgramRole.user_id == reviewer_id,
                                     ProgramRole.role == Role.REVIEWER))
    if not in_pool:
        raise RuleViolation("reviewer_id", _l("Choose a reviewer of this program."))
    return db.session.get(User, reviewer_id)


def _program_application(program, application_id):
    from incubator.applications.models import Application
    from incubator.applications.states import Status
    from incubator.programs.models import Season

    try:
        application_id = int(application_id)
    except (TypeError, ValueError):
        application_id = 0
    application = db.session.scalar(
        select(Application).join(Season, Season.id == Application.season_id)
        .where(Application.id == application_id, Season.program_id == program.id,
               Application.status != Status.DRAFT))
    if application is None:
        raise RuleViolation("application_id", _l("Choose an application to this program."))
    return application


def add_conflict_by_manager(program, *, actor, reviewer_id, application_id, reason="") -> ConflictOfInterest:
    """A manager records that a reviewer is conflicted with an application's startup. Their active
    assignments to that startup's applications in the program's open seasons are released, a
    submitted review included (a conflicted review must not count), and refilled."""
    from incubator.accounts.policies import can_manage_program
    from incubator.applications.models import Application
    from incubator.programs.guards import ensure_not_closed
    from incubator.programs.models import Season, SeasonStatus, Stage
    from incubator.reviews import assigning

    if not can_manage_program(actor, program):
        raise NotFound()
    text = clean_reason(reason, required=False)
    reviewer = _program_reviewer(program, reviewer_id)
    application = _program_application(program, application_id)
    ensure_not_closed(application.season, "conflicts")
    row, created = record_conflict(reviewer_id=reviewer.id, startup_id=application.startup_id,
                                   application_id=application.id, source=ConflictSource.MANAGER, reason=text,
                                   actor=actor)
    if not created:
        raise RuleViolation("reviewer_id", _l("%(name)s is already recorded as conflicted with %(startup)s.",
                                              name=reviewer.name, startup=application.startup.name))
    held = db.session.scalars(
        select(Assignment).join(Application, Application.id == Assignment.application_id)
        .join(Stage, Stage.id == Assignment.stage_id).join(Season, Season.id == Stage.season_id)
        .where(Assignment.reviewer_id == reviewer.id, Assignment.status == AssignmentStatus.ACTIVE,
               Application.startup_id == application.startup_id, Season.program_id == program.id,
               Season.status != SeasonStatus.CLOSED)
        .order_by(Assignment.id)).all()
    for assignment in held:
        assigning.release_and_refill(assignment, actor=actor)
    db.session.flush()
    return row


def conflict_for_program(program, conflict_id) -> ConflictOfInterest:
    """A stored conflict between a reviewer of the program and a startup that applied to it; NotFound
    otherwise (a manager sees only their programs' conflicts)."""
    from incubator.reviews.queries_manager import program_conflicts_stmt

    try:
        conflict_id = int(conflict_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    row = db.session.scalar(program_conflicts_stmt(program).where(ConflictOfInterest.id == conflict_id))
    if row is None:
        raise NotFound()
    return row


def remove_conflict_by_manager(conflict: ConflictOfInterest, *, actor, program) -> None:
    """Delete a stored conflict (detected ones cannot be removed: they follow the data). Released
    assignments stay released (a manager may assign the reviewer again by hand); at later stages and
    in later seasons the automatic assignment may choose the reviewer for the startup again."""
    from incubator.accounts.policies import can_manage_program
    from incubator.programs.guards import ensure_not_closed

    if not can_manage_program(actor, program):
        raise NotFound()
    conflict = conflict_for_program(program, conflict.id)
    if conflict.application_id is not None:
        from incubator.applications.models import Application

        application = db.session.get(Application, conflict.application_id)
        ensure_not_closed(application.season if application else None, "conflicts")
    db.session.delete(conflict)
    db.session.flush()
