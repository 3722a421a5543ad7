"""Manager pages: a program's exchange rates (UZS per 1 USD for a period), which turn the outcome
totals into UZS: the list, a form to add one (every error on its field), and deleting one after a
confirmation."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from incubator.core.errors import RuleViolation
from incubator.extensions import db
from incubator.outcomes import rates
from incubator.outcomes.forms import ExchangeRateForm
from incubator.programs.models import Program, Season
from incubator.programs.queries import program_for_manager
from incubator.web.helpers import apply_errors, flash
from incubator.web.manager import bp
from incubator.web.manager.outcomes import page_helpers


def _page(program, form, status: int = 200):
    seasons = db.session.scalars(select(Season).where(Season.program_id == program.id)
                                 .order_by(Season.opens_at.desc()).limit(50)).all()
    return render_template("manager/outcomes_rates.html", program=program, rates=rates.program_rates(program),
                           form=form, seasons=seasons, **page_helpers()), status


@bp.route("/programs/<id:program_id>/exchange-rates", methods=["GET", "POST"])
@login_required
def exchange_rates(program_id: int):
    program = program_for_manager(current_user, program_id)
    form = ExchangeRateForm()
    if request.method == "GET" or not form.validate_on_submit():
        return _page(program, form, 200 if request.method == "GET" else 400)
    try:
        rate = rates.create_rate(program, {name: form[name].data for name in ("currency", "rate", "valid_from",
                                                                                "valid_to")}, actor=current_user)
        db.session.commit()
    except RuleViolation as exc:
        apply_errors(form, exc)
        return _page(program, form, 422)
    flash(_l("The rate is saved: 1 %(currency)s = %(rate)s UZS from %(start)s to %(end)s.", currency=rate.currency,
             rate=rates.plain_rate(rate.rate), start=rate.valid_from.isoformat(), end=rate.valid_to.isoformat()),
          "success")
    return redirect(url_for("manager.exchange_rates", program_id=program.id))


@bp.route("/exchange-rates/<id:rate_id>/delete", methods=["GET", "POST"])
@login_required
def exchange_rate_delete(rate_id: int):
    rate = rates.rate_for_manager(current_user, rate_id)
    program = db.session.get(Program, rate.program_id)
    if request.method == "POST":
        rates.delete_rate(rate, actor=current_user)
        db.session.commit()
        flash(_l("The rate is deleted."), "success")
        return redirect(url_for("manager.exchange_rates", program_id=program.id))
    return render_template("manager/outcomes_rate_delete.html", rate=rate, program=program, **page_helpers())
