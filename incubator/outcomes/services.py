"""Recording what became of a season's startups: who may (a manager of the program; anyone else gets
a 404), for which applications (the startups the season took in: accepted, and the offer confirmed
where there was one), and on any season status, a closed one included (outcomes are the one thing a
closed season still takes).

Callers commit. Reads for the pages and the API are here too, bounded: a page of startups and one
query for their outcomes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from incubator.accounts.policies import can_manage_program
from incubator.applications.models import Application
from incubator.applications.states import Status
from incubator.core.errors import Conflict, NotFound
from incubator.extensions import db
from incubator.programs.queries import object_for_manager
from incubator.outcomes.models import Outcome
from incubator.outcomes.totals import outcome_figures
from incubator.outcomes.validators import Window, clean_outcome, identity
from incubator.programs.models import Season
from incubator.selection.models import Offer, OfferStatus

NOT_TAKEN_IN = {
    Status.DRAFT: _l("this application is a draft that was never submitted."),
    Status.SUBMITTED: _l("this application is still being reviewed; it was not accepted."),
    Status.IN_REVIEW: _l("this application is still being reviewed; it was not accepted."),
    Status.WAITLISTED: _l("this application is on the waitlist; it was not accepted."),
    Status.REJECTED: _l("this application was not selected."),
    Status.WITHDRAWN: _l("this application was withdrawn."),
}
OFFER_NOT_CONFIRMED = {
    OfferStatus.OPEN: _l("the startup has not confirmed its place yet (its offer is still open)."),
    OfferStatus.DECLINED: _l("the startup declined its place."),
    OfferStatus.EXPIRED: _l("the startup's offer expired without an answer."),
}


# --- Who and which ----------------------------------------------------------------------------------

def application_for_manager(user, application_id) -> Application:
    """An application of a program the user manages; NotFound otherwise (never confirming it exists)."""
    return object_for_manager(user, Application, application_id, lambda a: a.season.program)


def outcome_for_manager(user, outcome_id) -> Outcome:
    return object_for_manager(user, Outcome, outcome_id, lambda o: o.application.season.program)


def not_confirmed_reason(status, offer_status) -> str | None:
    """Why an application is not one of the startups its season took in; None when it is."""
    if status != Status.ACCEPTED:
        reason = NOT_TAKEN_IN.get(status, NOT_TAKEN_IN[Status.REJECTED])
    elif offer_status is not None and offer_status != OfferStatus.CONFIRMED:
        reason = OFFER_NOT_CONFIRMED[offer_status]
    else:
        return None
    return str(_l("Outcomes are recorded for the startups a season took in only: %(reason)s", reason=reason))


def ensure_confirmed(application: Application) -> None:
    offer_status = db.session.scalar(select(Offer.status).where(Offer.application_id == application.id))
    reason = not_confirmed_reason(application.status, offer_status)
    if reason:
        raise Conflict(reason, code="not_confirmed")


def _confirmed_where(season_id: int):
    return and_(Application.season_id == season_id, Application.status == Status.ACCEPTED,
                or_(Offer.id.is_(None), Offer.status == OfferStatus.CONFIRMED))


def confirmed_startups(season: Season) -> Select:
    """The season's startups (accepted, offer confirmed or none made), by startup name."""
    from incubator.startups.models import Startup

    return (select(Application).outerjoin(Offer, Offer.application_id == Application.id)
            .join(Startup, Startup.id == Application.startup_id)
            .where(_confirmed_where(season.id))
            .options(selectinload(Application.startup))
            .order_by(func.lower(Startup.name), Application.id))


def confirmed_count(season_ids: list[int]) -> int:
    if not season_ids:
        return 0
    return db.session.scalar(
        select(func.count(Application.id)).outerjoin(Offer, Offer.application_id == Application.id)
        .where(Application.season_id.in_(season_ids), Application.status == Status.ACCEPTED,
               or_(Offer.id.is_(None), Offer.status == OfferStatus.CONFIRMED))) or 0


# --- Writes -------------------------------------------------------------------------------------------

def record_outcome(application: Application, data, *, actor) -> Outcome:
    """One outcome for a startup the season took in. 404 for a non-manager, 409 for an application
    that is not a confirmed startup, 422 with the fields at fault, 409 for the same outcome twice."""
    season = application.season
    if not can_manage_program(actor, season.program):
        raise NotFound()
    ensure_confirmed(application)
    values = clean_outcome(data, Window.of(season))
    _lock_application(application)
    same = _duplicate_of(application.id, values)
    if same is not None:
        raise Conflict(_l("This outcome is recorded already (the same details on %(day)s): nothing was added.",
                          day=same.created_at.date().isoformat()), code="duplicate_outcome")
    outcome = Outcome(application_id=application.id, season_id=season.id,
                      recorded_by_id=getattr(actor, "id", None), **values)
    db.session.add(outcome)
    db.session.flush()
    return outcome


def delete_outcome(outcome: Outcome, *, actor) -> None:
    if not can_manage_program(actor, outcome.application.season.program):
        raise NotFound()
    db.session.delete(outcome)
    db.session.flush()


def _lock_application(application: Application) -> None:
    """Two managers adding the same outcome at once: the second waits and then sees the first."""
    db.session.execute(select(Application.id).where(Application.id == application.id).with_for_update())


def _duplicate_of(application_id: int, values: dict) -> Outcome | None:
    key = identity(values)
    for outcome in db.session.scalars(select(Outcome).where(Outcome.application_id == application_id,
                                                            Outcome.kind == values["kind"])):
        if identity(outcome_values(outcome)) == key:
            return outcome
    return None


def outcome_values(outcome: Outcome) -> dict:
    return {"kind": outcome.kind, "occurred_on": outcome.occurred_on, "link": outcome.link,
            "investor": outcome.investor, "amount": outcome.amount, "currency": outcome.currency,
            "round": outcome.round, "name": outcome.name, "result": outcome.result, "jobs": outcome.jobs,
            "note": outcome.note}


# --- Reads ----------------------------------------------------------------------------------------------

def outcomes_of_application(application_id: int) -> Select:
    return (select(Outcome).where(Outcome.application_id == application_id)
            .order_by(Outcome.occurred_on.desc().nulls_last(), Outcome.id.desc()))


def outcomes_of_season(season_id: int) -> Select:
    return (select(Outcome).where(Outcome.season_id == season_id)
            .options(selectinload(Outcome.application).selectinload(Application.startup))
            .order_by(Outcome.application_id, Outcome.occurred_on.desc().nulls_last(), Outcome.id.desc()))


def outcomes_by_application(application_ids: list[int]) -> dict[int, list[Outcome]]:
    """One query for the outcomes of a page of startups."""
    grouped: dict[int, list[Outcome]] = {i: [] for i in application_ids}
    if application_ids:
        for outcome in db.session.scalars(
                select(Outcome).where(Outcome.application_id.in_(application_ids))
                .order_by(Outcome.occurred_on.desc().nulls_last(), Outcome.id.desc())):
            grouped[outcome.application_id].append(outcome)
    return grouped


def season_totals(season: Season):
    """Per currency and in UZS (with the rates used): incubator.reports.figures_types.OutcomeFigures."""
    return outcome_figures(season.program_id, [season.id], confirmed_count([season.id]))
