"""Reads of programs and seasons, with eager loading decided here."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from incubator.core.timeutil import utcnow
from incubator.extensions import db
from incubator.programs.models import Organisation, Program, Season, SeasonStatus, Stage

PUBLIC_STATUSES = (SeasonStatus.OPEN, SeasonStatus.REVIEWING, SeasonStatus.DECIDED, SeasonStatus.CLOSED)


def public_programs() -> Select:
    return select(Program).where(Program.is_public.is_(True)).order_by(Program.name)


def public_program(program_id: int) -> Program | None:
    return db.session.scalar(public_programs().where(Program.id == program_id))


def public_seasons(status: str | None = None, program_id: int | None = None) -> Select:
    stmt = (
        select(Season).join(Season.program)
        .where(Program.is_public.is_(True), Season.status.in_(PUBLIC_STATUSES))
        .order_by(Season.closes_at.desc(), Season.id)
    )
    if status:
        stmt = stmt.where(Season.status == status)
    if program_id:
        stmt = stmt.where(Season.program_id == program_id)
    return stmt


def open_seasons() -> list[Season]:
    """Seasons taking applications now, soonest deadline first."""
    now = utcnow()
    stmt = (
        select(Season).join(Season.program)
        .where(Program.is_public.is_(True), Season.status == SeasonStatus.OPEN, Season.opens_at <= now)
        .order_by(Season.closes_at, Season.id)
    )
    return [s for s in db.session.scalars(stmt).unique() if s.is_accepting(now)]


def public_season(season_id: int) -> Season | None:
    stmt = public_seasons().where(Season.id == season_id).options(
        selectinload(Season.questions),
        selectinload(Season.stages).selectinload(Stage.criteria),
    )
    return db.session.scalar(stmt)


def organisations() -> Select:
    return select(Organisation).order_by(Organisation.name)


def object_for_manager(user, model, object_id, program_of):
    """`model` row `object_id` if the user manages `program_of(row)`; NotFound otherwise (a bad or
    out-of-range id too), never confirming that it exists."""
    from incubator.accounts.policies import can_manage_program
    from incubator.core.converters import MAX_ID
    from incubator.core.errors import NotFound

    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    obj = db.session.get(model, object_id) if 1 <= object_id <= MAX_ID else None
    if obj is None or not can_manage_program(user, program_of(obj)):
        raise NotFound()
    return obj


def season_for_manager(user, season_id) -> Season:
    """A season of a program the user manages; NotFound otherwise (never confirming it exists)."""
    return object_for_manager(user, Season, season_id, lambda season: season.program)


def stage_for_manager(user, stage_id) -> Stage:
    return object_for_manager(user, Stage, stage_id, lambda stage: stage.season.program)


def program_for_manager(user, program_id) -> Program:
    return object_for_manager(user, Program, program_id, lambda program: program)
