"""Manager pages: a season's outcomes (its confirmed startups, a page at a time, with what each achieved
and the totals per currency and in UZS), recording an outcome for one startup (a form per kind, each
error on its field), and deleting one after a confirmation. The CSV import and the exchange rates
are in outcomes_import.py and outcomes_rates.py. Recording works on every season status, closed too."""
from __future__ import annotations

from decimal import Decimal

from flask import redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from incubator.core.errors import Conflict, RuleViolation
from incubator.core.pagination import clamp, paginate
from incubator.extensions import db
from incubator.outcomes import services
from incubator.outcomes.forms import OutcomeForm
from incubator.outcomes.models import OutcomeKind
from incubator.outcomes.rates import plain_rate
from incubator.outcomes.validators import KIND_LABELS
from incubator.programs.queries import season_for_manager
from incubator.web.helpers import apply_errors, flash
from incubator.web.manager import bp

PER_PAGE = 25


def format_money(amount, currency: str | None) -> str:
    """20000 USD -> "20,000.00 USD" (separators in the reader's language)."""
    if amount is None:
        return ""
    return f"{format_decimal(Decimal(amount), format='#,##0.00')} {currency or ''}".strip()


def page_helpers() -> dict:
    return {"money": format_money, "KIND_LABELS": KIND_LABELS, "plain_rate": plain_rate, "KINDS": list(OutcomeKind)}


@bp.get("/seasons/<id:season_id>/outcomes")
@login_required
def season_outcomes(season_id: int):
    season = season_for_manager(current_user, season_id)
    page_n, per_page = clamp(request.args.get("page"), request.args.get("per_page"), PER_PAGE)
    page = paginate(services.confirmed_startups(season), page_n, per_page)
    outcomes = services.outcomes_by_application([a.id for a in page.items])
    return render_template("manager/outcomes_season.html", season=season, page=page, outcomes=outcomes,
                           figures=services.season_totals(season), **page_helpers())


def _kind_from(value) -> OutcomeKind:
    try:
        return OutcomeKind(value)
    except ValueError:
        return OutcomeKind.PRODUCT


def _application_page(application, form: OutcomeForm, kind: OutcomeKind, *, problem: str | None = None,
                      status: int = 200):
    outcomes = list(db.session.scalars(services.outcomes_of_application(application.id).limit(500)))
    if problem is None:
        try:
            services.ensure_confirmed(application)
        except Conflict as exc:
            problem = exc.message
    return render_template("manager/outcomes_application.html", application=application, season=application.season,
                           outcomes=outcomes, form=form, kind=kind, fields=form.for_kind(kind), problem=problem,
                           **page_helpers()), status


@bp.route("/applications/<id:application_id>/outcomes", methods=["GET", "POST"])
@login_required
def application_outcomes(application_id: int):
    application = services.application_for_manager(current_user, application_id)
    kind = _kind_from(request.values.get("kind"))
    form = OutcomeForm()
    if request.method == "GET":
        return _application_page(application, form, kind)
    if not form.validate_on_submit():  # only the CSRF token can fail here
        flash(_l("This form has expired. Reload the page and try again."), "warning")
        return _application_page(application, form, kind, status=400)
    try:
        services.record_outcome(application, form.values(kind), actor=current_user)
        db.session.commit()
    except RuleViolation as exc:
        apply_errors(form, exc)
        return _application_page(application, form, kind, status=422)
    except Conflict as exc:
        db.session.rollback()
        return _application_page(application, form, kind, problem=exc.message, status=409)
    flash(_l("The outcome is recorded: %(kind)s.", kind=KIND_LABELS[kind]), "success")
    return redirect(url_for("manager.application_outcomes", application_id=application.id, kind=kind.value))


@bp.route("/outcomes/<id:outcome_id>/delete", methods=["GET", "POST"])
@login_required
def outcome_delete(outcome_id: int):
    outcome = services.outcome_for_manager(current_user, outcome_id)
    application = outcome.application
    back = url_for("manager.application_outcomes", application_id=application.id)
    if request.method == "POST":
        form = OutcomeForm()
        if form.validate_on_submit():
            services.delete_outcome(outcome, actor=current_user)
            db.session.commit()
            flash(_l("The outcome is deleted."), "success")
            return redirect(back)
        flash(_l("This form has expired. Reload the page and try again."), "warning")
    return render_template("manager/outcomes_delete.html", outcome=outcome, application=application,
                           season=application.season, back=back, **page_helpers())


from incubator.web.manager import outcomes_import, outcomes_rates  # noqa: E402,F401
