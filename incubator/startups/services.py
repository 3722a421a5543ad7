"""Startup profiles, their teams and co-founder invitations. Services check the policy and the rules,
change rows and flush; the caller commits."""
from __future__ import annotations

import uuid
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
from incubator.accounts.models import User
from incubator.accounts.validators import normalise_email, validate_email_address
from incubator.core.errors import Conflict, NotAllowed, NotFound, RuleViolation
from incubator.core.timeutil import utcnow
from incubator.core.urls import public_url
from incubator.extensions import db
from incubator.notifications.models import Notification
from incubator.notifications.services import queue_notification
from incubator.startups.models import Startup, StartupCollaborator, TeamMember
from incubator.startups.policies import (
    can_edit_startup, can_invite_cofounder, can_manage_team, can_remove_collaborator,
)
from incubator.startups.validators import MEMBER_FIELDS, STARTUP_FIELDS, clean_member, clean_startup

INVITE_SALT = "incubator.cofounder"
INVITE_KIND = "cofounder_invite"
DEFAULT_INVITE_MAX_AGE = 7 * 24 * 3600
DEFAULT_INVITES_PER_DAY = 20
MAX_MEMBERS = 50


# --- The profile -------------------------------------------------------------------------------

def create_startup(*, actor, **fields) -> Startup:
    """A new startup owned by the actor."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_l("Log in to create a startup."))
    clean = clean_startup(fields)
    startup = Startup(owner_id=actor.id, **clean)
    db.session.add(startup)
    db.session.flush()
    return startup


def _current(startup: Startup) -> dict:
    return {name: getattr(startup, name) for name in STARTUP_FIELDS}


def update_startup(startup: Startup, *, actor, **fields) -> Startup:
    """Change some fields of the profile; the whole profile is checked again. Moving a startup out of
    Uzbekistan without naming a region clears its region."""
    if not can_edit_startup(actor, startup):
        raise NotFound()
    unknown = set(fields) - set(STARTUP_FIELDS)
    if unknown:
        raise TypeError(f"unknown startup fields: {sorted(unknown)}")
    merged = {**_current(startup), **fields}
    if "country" in fields and "region" not in fields and str(fields["country"] or "").strip().upper() != "UZ":
        merged["region"] = None
    clean = clean_startup(merged)
    for name, value in clean.items():
        if getattr(startup, name) != value:
            setattr(startup, name, value)
    db.session.flush()
    return startup


# --- The team ----------------------------------------------------------------------------------

def _same_email_member(startup: Startup, email: str | None, *, other_than: TeamMember | None = None):
    if not email:
        return None
    return next((m for m in startup.members
                 if m is not other_than and m.email and normalise_email(m.email) == email), None)


def _editor_with_email(startup: Startup, email: str | None):
    """The owner or co-founder with this address (a team member row is linked to their account)."""
    if not email:
        return None
    people = [startup.owner] + [c.user for c in startup.collaborators]
    return next((u for u in people if u is not None and normalise_email(u.email) == email), None)


def add_member(startup: Startup, *, actor, name, email=None, role="", gender=None, birth_year=None) -> TeamMember:
    if not can_manage_team(actor, startup):
        raise NotFound()
    clean = clean_member({"name": name, "email": email, "role": role, "gender": gender, "birth_year": birth_year})
    if _same_email_member(startup, clean["email"]) is not None:
        raise RuleViolation("email", _l("%(email)s is already on the team.", email=clean["email"]))
    if len(startup.members) >= MAX_MEMBERS:
        raise RuleViolation("name", _l("A team can list at most %(n)d people.", n=MAX_MEMBERS))
    editor = _editor_with_email(startup, clean["email"])
    member = TeamMember(user_id=editor.id if editor else None, **clean)
    startup.members.append(member)
    db.session.flush()
    return member


def update_member(member: TeamMember, *, actor, **fields) -> TeamMember:
    startup = member.startup
    if not can_manage_team(actor, startup):
        raise NotFound()
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"unknown team member fields: {sorted(unknown)}")
    merged = {name: getattr(member, name) for name in MEMBER_FIELDS} | fields
    clean = clean_member(merged)
    if _same_email_member(startup, clean["email"], other_than=member) is not None:
        raise RuleViolation("email", _l("%(email)s is already on the team.", email=clean["email"]))
    if clean["email"] != member.email:
        editor = _editor_with_email(startup, clean["email"])
        member.user_id = editor.id if editor else None
    for name, value in clean.items():
        if getattr(member, name) != value:
            setattr(member, name, value)
    db.session.flush()
    return member


def remove_member(member: TeamMember, *, actor) -> None:
    """Take a person off the team list (their edit access, if any, is a separate thing)."""
    startup = member.startup
    if not can_manage_team(actor, startup):
        raise NotFound()
    startup.members.remove(member)
    db.session.flush()


def member_of(startup: Startup, member_id) -> TeamMember:
    member = next((m for m in startup.members if str(m.id) == str(member_id)), None)
    if member is None:
        raise NotFound()
    return member


def collaborator_of(startup: Startup, collaborator_id) -> StartupCollaborator:
    found = next((c for c in startup.collaborators if str(c.id) == str(collaborator_id)), None)
    if found is None:
        raise NotFound()
    return found


# --- Co-founder invitations ----------------------------------------------------------------------

@dataclass
class Invitation:
    startup: Startup
    email: str
    inviter: User | None
    issued_at: datetime


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INVITE_SALT)


def invite_max_age() -> int:
    return int(current_app.config.get("COFOUNDER_INVITE_MAX_AGE", DEFAULT_INVITE_MAX_AGE))


def invite_valid_days() -> int:
    return max(1, invite_max_age() // (24 * 3600))


def make_invitation_token(startup: Startup, email: str, inviter) -> str:
    return _serializer().dumps({"s": startup.id, "e": email, "b": getattr(inviter, "id", None),
                                "n": uuid.uuid4().hex[:12]})


def _invites_sent_today(startup: Startup) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == INVITE_KIND, Notification.dedupe_key.like(f"cofounder:{startup.id}:%"),
        Notification.created_at >= utcnow() - timedelta(days=1))) or 0


def _find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email))


def invite_cofounder(startup: Startup, *, actor, email) -> Notification:
    """E-mail a signed link that lets the person with this address co-edit the startup and its
    applications once they accept (with an account they have or create)."""
    if not can_edit_startup(actor, startup):
        raise NotFound()
    if not can_invite_cofounder(actor, startup):
        raise NotAllowed(_l("Only the owner of %(startup)s can invite co-founders.", startup=startup.name))
    email = validate_email_address(email, "email")
    if normalise_email(startup.owner.email) == email:
        raise RuleViolation("email", _l("This is your own address: you already own this startup."))
    for collaborator in startup.collaborators:
        if normalise_email(collaborator.user.email) == email:
            raise RuleViolation("email", _l("%(email)s can already edit this startup.", email=email))
    limit = int(current_app.config.get("COFOUNDER_INVITES_PER_DAY", DEFAULT_INVITES_PER_DAY))
    if _invites_sent_today(startup) >= limit:
        raise Conflict(_l("You have sent %(n)d invitations for this startup today. Try again tomorrow.", n=limit),
                       code="too_many_invitations")
    recipient = _find_user(email)
    if recipient is not None:
        # Asked again after their access was taken away: the new link is meant to work.
        for member in startup.members:
            if member.user_id == recipient.id:
                member.user_id = None
    token = make_invitation_token(startup, email, actor)
    to = recipient or SimpleNamespace(id=None, email=email, name="", locale=actor.locale)
    note = queue_notification(
        user=to, kind=INVITE_KIND, to_email=email, via_inapp=recipient is not None,
        dedupe_key=f"cofounder:{startup.id}:{uuid.uuid4().hex}",
        link=public_url("founder.invitation", token=token),
        context={"startup": startup, "inviter": actor, "invited_email": email,
                 "has_account": recipient is not None, "days": invite_valid_days()},
    )
    db.session.flush()
    return note


_INVALID = INVALID_INVITATION


def read_invitation(token: str) -> Invitation:
    """What a link invites to; RuleViolation('token', ...) when it is expired, altered or stale."""
    payload, issued = read_invitation_token(_serializer(), token, max_age=invite_max_age(), expired_message=lazy_ngettext(
            "This invitation has expired: invitation links work for %(num)d day. "
            "Ask the startup's owner to send you a new one.",
            "This invitation has expired: invitation links work for %(num)d days. "
            "Ask the startup's owner to send you a new one.", invite_valid_days()))
    if not isinstance(payload.get("s"), int) \
            or not isinstance(payload.get("e"), str):
        raise RuleViolation("token", _INVALID)
    startup = db.session.get(Startup, payload["s"])
    if startup is None:
        raise RuleViolation("token", _l("This invitation is no longer valid: the startup was deleted."))
    inviter = db.session.get(User, payload["b"]) if isinstance(payload.get("b"), int) else None
    if issued.tzinfo is None:
        issued = issued.replace(tzinfo=UTC)
    return Invitation(startup=startup, email=payload["e"], inviter=inviter, issued_at=issued)


def check_invitation(token: str, *, actor) -> Invitation:
    """The invitation, if this actor may accept it now; otherwise RuleViolation('token', why not)."""
    invitation = read_invitation(token)
    startup = invitation.startup
    if normalise_email(actor.email) != invitation.email:
        raise RuleViolation("token", _l("This invitation was sent to %(email)s; log in with that address.",
                                        email=invitation.email))
    if actor.id == startup.owner_id:
        raise RuleViolation("token", _l("You own %(startup)s already.", startup=startup.name))
    if any(c.user_id == actor.id for c in startup.collaborators):
        raise RuleViolation("token", _l("You have already accepted this invitation: you can edit %(startup)s.",
                                        startup=startup.name))
    if any(m.user_id == actor.id for m in startup.members):
        # Linked to the team but no longer an editor: the owner took the access away after this link.
        raise RuleViolation("token", _l("This invitation was withdrawn: the owner of %(startup)s removed your "
                                        "access. Ask them for a new invitation if this is a mistake.",
                                        startup=startup.name))
    return invitation


def accept_invitation(token: str, *, actor) -> StartupCollaborator:
    """The actor becomes a co-founder who can edit the startup and its applications, and is on the team."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_l("Log in to accept the invitation."))
    invitation = check_invitation(token, actor=actor)
    startup = invitation.startup
    collaborator = StartupCollaborator(startup_id=startup.id, user_id=actor.id,
                                       invited_by_id=invitation.inviter.id if invitation.inviter else None)
    try:
        with db.session.begin_nested():
            db.session.add(collaborator)
            db.session.flush()
    except IntegrityError:
        raise RuleViolation("token", _l("You have already accepted this invitation: you can edit %(startup)s.",
                                        startup=startup.name)) from None
    startup.collaborators.append(collaborator)
    email = normalise_email(actor.email)
    member = _same_email_member(startup, email)
    if member is None:
        startup.members.append(TeamMember(user_id=actor.id, name=actor.name[:120], email=email,
                                          role=str(_l("Co-founder"))))
    elif member.user_id is None:
        member.user_id = actor.id
    db.session.flush()
    return collaborator


def remove_collaborator(collaborator: StartupCollaborator, *, actor) -> None:
    """Take a co-founder's edit access away (or leave, for the co-founder). They stay on the team
    list; their old invitation links no longer work."""
    startup = collaborator.startup
    if not can_edit_startup(actor, startup):
        raise NotFound()
    if not can_remove_collaborator(actor, collaborator):
        raise NotAllowed(_l("Only the owner of %(startup)s can remove co-founders.", startup=startup.name))
    startup.collaborators.remove(collaborator)
    db.session.flush()
