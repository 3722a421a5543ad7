"""Creating organisations and programs (admins). The season builder comes with the selection issue."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from incubator.accounts.policies import can_administer
from incubator.core.errors import NotAllowed, RuleViolation
from incubator.extensions import db
from incubator.programs.models import Organisation, Program
from incubator.programs.validators import validate_required_text, validate_slug


def create_organisation(*, actor, name: str, slug: str, country: str = "UZ", website: str | None = None) -> Organisation:
    if not can_administer(actor):
        raise NotAllowed()
    name = validate_required_text(name, "name")
    slug = validate_slug(slug)
    if db.session.scalar(select(Organisation.id).where(Organisation.slug == slug)):
        raise RuleViolation("slug", _l("This short name is taken; choose another."))
    org = Organisation(name=name, slug=slug, country=(country or "UZ").upper()[:2], website=website or None)
    db.session.add(org)
    db.session.flush()
    return org


def create_program(*, actor, organisation: Organisation, name: str, slug: str, summary: str = "",
                   eligibility_rules: list | None = None) -> Program:
    if not can_administer(actor):
        raise NotAllowed()
    name = validate_required_text(name, "name")
    slug = validate_slug(slug)
    if db.session.scalar(select(Program.id).where(Program.slug == slug)):
        raise RuleViolation("slug", _l("This short name is taken; choose another."))
    program = Program(organisation_id=organisation.id, name=name, slug=slug,
                      summary={"en": summary.strip()} if summary else {},
                      eligibility_rules=eligibility_rules or [])
    db.session.add(program)
    db.session.flush()
    return program
