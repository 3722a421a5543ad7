"""A program's reviewer pool: invitations by e-mail (a signed, expiring link), accepting them (with
an account the person has, or one created on the spot), each reviewer's expertise (sectors),
languages and maximum load per stage, and taking a reviewer out of the pool.

The invitation row lists what was offered; the link carries its id, signed (salt
"incubator.reviewer") and valid REVIEWER_INVITE_MAX_AGE seconds (14 days by default). Revoking
deletes the row, which voids every link to it."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from incubator.accounts.links import INVALID_INVITATION, read_invitation_token
from incubator.accounts.models import ProgramRole, Role, User
from incubator.accounts.policies import can_manage_program
from incubator.accounts.validators import normalise_email, validate_email_address
from incubator.core.errors import Conflict, NotAllowed, NotFound, RuleViolation
from incubator.core.timeutil import utcnow
from incubator.core.urls import public_url
from incubator.extensions import db
from incubator.notifications.models import Notification
from incubator.notifications.services import queue_notification
from incubator.reviews.models import Assignment, AssignmentStatus, Review, ReviewerInvitation, ReviewerProfile, \
    ReviewStatus
from incubator.startups.labels import SECTOR_LABELS
from incubator.startups.models import SECTORS

INVITE_SALT = "incubator.reviewer"
INVITE_KIND = "reviewer_invite"
DEFAULT_INVITE_MAX_AGE = 14 * 24 * 3600
DEFAULT_INVITES_PER_DAY = 200
DEFAULT_MAX_LOAD = 20
MAX_LOAD_LIMIT = 1000


def invite_max_age() -> int:
    return int(current_app.config.get("REVIEWER_INVITE_MAX_AGE", DEFAULT_INVITE_MAX_AGE))


def invite_valid_days() -> int:
    return max(1, invite_max_age() // (24 * 3600))


def invitation_expires_at(invitation: ReviewerInvitation) -> datetime:
    return invitation.created_at + timedelta(seconds=invite_max_age())


def review_languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


# --- The profile fields ------------------------------------------------------------------------

def _codes(values, allowed: Iterable[str], field: str, message) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [v for v in values.replace(";", ",").split(",")]
    allowed = list(allowed)
    chosen = {str(v).strip() for v in values if str(v).strip()}
    unknown = sorted(chosen - set(allowed))
    if unknown:
        raise RuleViolation(field, message % {"codes": ", ".join(u[:40] for u in unknown[:5])})
    return [code for code in allowed if code in chosen]


def clean_profile(*, expertise=None, languages=None, max_load=None, partial: bool = False) -> dict:
    """The pool fields, checked: sectors and languages from the known codes, max load 0..1000."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    for name, check in (
        ("expertise", lambda: _codes(expertise, SECTORS, "expertise", _l("Unknown sector: %(codes)s."))),
        ("languages", lambda: _codes(languages, review_languages(), "languages", _l("Unknown language: %(codes)s."))),
        ("max_load", lambda: _max_load(max_load)),
    ):
        if partial and {"expertise": expertise, "languages": languages, "max_load": max_load}[name] is None:
            continue
        try:
            clean[name] = check()
        except RuleViolation as exc:
            errors.update(exc.errors)
    if errors:
        raise RuleViolation(errors=errors)
    return clean


def _max_load(value) -> int:
    if value is None or value == "":
        return DEFAULT_MAX_LOAD
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if isinstance(value, bool) or not 0 <= number <= MAX_LOAD_LIMIT or (isinstance(value, float) and value != number):
        raise RuleViolation("max_load", _l("Enter a whole number of reviews from 0 to %(max)d.", max=MAX_LOAD_LIMIT))
    return number


def _check_manager(program, actor) -> None:
    if not can_manage_program(actor, program):
        raise NotFound()


def _find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email))


def _profile(program_id: int, user_id: int) -> ReviewerProfile | None:
    return db.session.scalar(select(ReviewerProfile).where(ReviewerProfile.program_id == program_id,
                                                           ReviewerProfile.user_id == user_id))


# --- Inviting ----------------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INVITE_SALT)


def make_invitation_token(invitation: ReviewerInvitation) -> str:
    return _serializer().dumps({"i": invitation.id, "e": invitation.email, "n": uuid.uuid4().hex[:12]})


def _invites_sent_today(program) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == INVITE_KIND, Notification.dedupe_key.like(f"reviewer_invite:{program.id}:%"),
        Notification.created_at >= utcnow() - timedelta(days=1))) or 0


def invite_reviewer(program, *, actor, email, expertise=None, languages=None, max_load=None) -> ReviewerInvitation:
    """E-mail a signed link inviting this address to review for the program, with the expertise,
    languages and maximum load the manager chose (the reviewer gets them on accepting). Inviting an
    address again refreshes its pending invitation and sends a new link."""
    _check_manager(program, actor)
    errors: dict[str, list[str]] = {}
    try:
        email = validate_email_address(email, "email")
    except RuleViolation as exc:
        errors.update(exc.errors)
    try:
        fields = clean_profile(expertise=expertise, languages=languages, max_load=max_load)
    except RuleViolation as exc:
        errors.update(exc.errors)
    if errors:
        raise RuleViolation(errors=errors)
    recipient = _find_user(email)
    if recipient is not None and _profile(program.id, recipient.id) is not None:
        raise RuleViolation("email", _l("%(email)s already reviews for %(program)s.", email=email, program=program.name))
    limit = int(current_app.config.get("REVIEWER_INVITES_PER_DAY", DEFAULT_INVITES_PER_DAY))
    if _invites_sent_today(program) >= limit:
        raise Conflict(_l("%(n)d reviewer invitations went out for this program today. Try again tomorrow.", n=limit),
                       code="too_many_invitations")
    invitation = db.session.scalar(select(ReviewerInvitation).where(
        ReviewerInvitation.program_id == program.id, func.lower(ReviewerInvitation.email) == email,
        ReviewerInvitation.accepted_at.is_(None)).order_by(ReviewerInvitation.id.desc()))
    if invitation is None:
        invitation = ReviewerInvitation(program_id=program.id, email=email)
        db.session.add(invitation)
    invitation.invited_by_id = actor.id
    invitation.expertise, invitation.languages, invitation.max_load = (
        fields["expertise"], fields["languages"], fields["max_load"])
    invitation.created_at = utcnow()  # the link's validity starts now
    db.session.flush()
    to = recipient or SimpleNamespace(id=None, email=email, name="", locale=program.default_locale or actor.locale)
    queue_notification(
        user=to, kind=INVITE_KIND, to_email=email, via_inapp=recipient is not None,
        dedupe_key=f"reviewer_invite:{program.id}:{invitation.id}:{uuid.uuid4().hex}",
        link=public_url("reviewer.invitation", token=make_invitation_token(invitation)),
        context={"program": program, "inviter": actor, "invited_email": email, "has_account": recipient is not None,
                 "days": invite_valid_days(), "expertise_labels": [SECTOR_LABELS.get(c, c) for c in invitation.expertise],
                 "languages": invitation.languages, "max_load": invitation.max_load},
    )
    db.session.flush()
    return invitation


def revoke_invitation(invitation: ReviewerInvitation, *, actor) -> None:
    """Withdraw a pending invitation: its links stop working."""
    from incubator.programs.models import Program

    _check_manager(db.session.get(Program, invitation.program_id), actor)
    if invitation.accepted_at is not None:
        raise Conflict(_l("This invitation was already accepted: remove the reviewer from the pool instead."),
                       code="accepted")
    db.session.delete(invitation)
    db.session.flush()


def invitation_for_manager(user, program, invitation_id) -> ReviewerInvitation:
    try:
        invitation_id = int(invitation_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    row = db.session.get(ReviewerInvitation, invitation_id) if 1 <= invitation_id <= 2**31 - 1 else None
    if row is None or row.program_id != program.id or not can_manage_program(user, program):
        raise NotFound()
    return row


# --- Accepting ---------------------------------------------------------------------------------

@dataclass
class Invitation:
    row: ReviewerInvitation
    email: str
    issued_at: datetime

    @property
    def program(self):
        from incubator.programs.models import Program

        return db.session.get(Program, self.row.program_id)

    @property
    def inviter(self) -> User | None:
        return db.session.get(User, self.row.invited_by_id) if self.row.invited_by_id else None


_INVALID = INVALID_INVITATION


def read_reviewer_invitation(token: str) -> Invitation:
    """What a link invites to; RuleViolation('token', ...) when it is expired, altered or withdrawn."""
    payload, issued = read_invitation_token(_serializer(), token, max_age=invite_max_age(), expired_message=lazy_ngettext(
            "This invitation has expired: invitation links work for %(num)d day. "
            "Ask the program's manager to send you a new one.",
            "This invitation has expired: invitation links work for %(num)d days. "
            "Ask the program's manager to send you a new one.", invite_valid_days()))
    if not isinstance(payload.get("i"), int) or not isinstance(payload.get("e"), str):
        raise RuleViolation("token", _INVALID)
    row = db.session.get(ReviewerInvitation, payload["i"])
    if row is None or normalise_email(row.email) != payload["e"]:
        raise RuleViolation("token", _l("This invitation was withdrawn. Ask the program's manager for a new one "
                                        "if this is a mistake."))
    if issued.tzinfo is None:
        issued = issued.replace(tzinfo=UTC)
    return Invitation(row=row, email=payload["e"], issued_at=issued)


def check_reviewer_invitation(token: str, *, actor) -> Invitation:
    """The invitation, if this actor may accept it now; otherwise RuleViolation('token', why not)."""
    invitation = read_reviewer_invitation(token)
    if normalise_email(actor.email) != invitation.email:
        raise RuleViolation("token", _l("This invitation was sent to %(email)s; log in with that address.",
                                        email=invitation.email))
    if _profile(invitation.row.program_id, actor.id) is not None:
        raise RuleViolation("token", _l("You have already accepted this invitation: you review for %(program)s.",
                                        program=invitation.program.name))
    if invitation.row.accepted_at is not None:
        raise RuleViolation("token", _l("This invitation was used already. Ask the program's manager for a new one "
                                        "if this is a mistake."))
    return invitation


def accept_reviewer_invitation(token: str, *, actor) -> ReviewerProfile:
    """The actor joins the program's reviewer pool (ReviewerProfile) with the reviewer role."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_l("Log in to accept the invitation."))
    invitation = check_reviewer_invitation(token, actor=actor)
    row = invitation.row
    profile = ReviewerProfile(program_id=row.program_id, user_id=actor.id, expertise=list(row.expertise or []),
                              languages=list(row.languages or []), max_load=row.max_load)
    try:
        with db.session.begin_nested():
            db.session.add(profile)
            db.session.flush()
    except IntegrityError:
        raise RuleViolation("token", _l("You have already accepted this invitation: you review for %(program)s.",
                                        program=invitation.program.name)) from None
    if not db.session.scalar(select(ProgramRole.id).where(
            ProgramRole.user_id == actor.id, ProgramRole.program_id == row.program_id,
            ProgramRole.role == Role.REVIEWER)):
        db.session.add(ProgramRole(user_id=actor.id, program_id=row.program_id, role=Role.REVIEWER,
                                   granted_by_id=row.invited_by_id))
    row.accepted_at, row.accepted_by_id = utcnow(), actor.id
    db.session.flush()
    db.session.expire(actor, ["roles"])
    return profile


def accept_with_new_account(token: str, *, name, password, locale=None) -> tuple[User, ReviewerProfile]:
    """No account yet: create one with the invited address (confirmed: the link reached it) and accept."""
    from incubator.accounts.services import register_user

    invitation = read_reviewer_invitation(token)
    if _find_user(invitation.email) is not None:
        raise RuleViolation("token", _l("An account with %(email)s exists already: log in to accept.",
                                        email=invitation.email))
    if invitation.row.accepted_at is not None:
        raise RuleViolation("token", _l("This invitation was used already. Ask the program's manager for a new one "
                                        "if this is a mistake."))
    user = register_user(email=invitation.email, password=password, name=name,
                         locale=locale or invitation.program.default_locale or "en", verified=True)
    return user, accept_reviewer_invitation(token, actor=user)


# --- Keeping the pool --------------------------------------------------------------------------

def profile_for_manager(user, program, user_id) -> ReviewerProfile:
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not can_manage_program(user, program) or not 1 <= user_id <= 2**31 - 1:
        raise NotFound()
    profile = _profile(program.id, user_id)
    if profile is None:
        raise NotFound()
    return profile


def add_to_pool(program, user: User, *, actor, expertise=None, languages=None, max_load=None) -> ReviewerProfile:
    """Someone who holds the reviewer role (granted by an admin) joins the pool without an invitation."""
    _check_manager(program, actor)
    if user is None or program.id not in user.program_ids(Role.REVIEWER):
        raise RuleViolation("user_id", _l("Invite this person by e-mail: they are not a reviewer of this program."))
    if _profile(program.id, user.id) is not None:
        raise RuleViolation("user_id", _l("%(name)s is in the pool already.", name=user.name))
    fields = clean_profile(expertise=expertise, languages=languages, max_load=max_load)
    profile = ReviewerProfile(program_id=program.id, user_id=user.id, **fields)
    db.session.add(profile)
    db.session.flush()
    return profile


def update_reviewer_profile(profile: ReviewerProfile, *, actor, expertise=None, languages=None,
                            max_load=None) -> ReviewerProfile:
    """Change a reviewer's sectors, languages or maximum load (None: unchanged). A lower maximum
    keeps the assignments they have; it stops new ones beyond it."""
    from incubator.programs.models import Program

    _check_manager(db.session.get(Program, profile.program_id), actor)
    fields = clean_profile(expertise=expertise, languages=languages, max_load=max_load, partial=True)
    for name, value in fields.items():
        setattr(profile, name, value)
    db.session.flush()
    return profile


def remove_reviewer(profile: ReviewerProfile, *, actor) -> int:
    """Take a reviewer out of the program: the profile and the reviewer role go; their active
    assignments in the program without a submitted review are released (the next automatic run
    fills the gaps). Submitted reviews stay. Returns how many assignments were released."""
    from incubator.programs.models import Program, Season, SeasonStatus, Stage

    program = db.session.get(Program, profile.program_id)
    _check_manager(program, actor)
    stages = (select(Stage.id).join(Season, Season.id == Stage.season_id)
              .where(Season.program_id == program.id, Season.status != SeasonStatus.CLOSED))
    submitted = select(Review.assignment_id).where(Review.status == ReviewStatus.SUBMITTED)
    held = db.session.scalars(select(Assignment).where(
        Assignment.reviewer_id == profile.user_id, Assignment.status == AssignmentStatus.ACTIVE,
        Assignment.stage_id.in_(stages), Assignment.id.not_in(submitted))).all()
    now = utcnow()
    for assignment in held:
        assignment.status, assignment.released_at = AssignmentStatus.RELEASED, now
    for role in db.session.scalars(select(ProgramRole).where(
            ProgramRole.user_id == profile.user_id, ProgramRole.program_id == program.id,
            ProgramRole.role == Role.REVIEWER)):
        db.session.delete(role)
    user = profile.user
    db.session.delete(profile)
    db.session.flush()
    db.session.expire(user, ["roles"])
    return len(held)
