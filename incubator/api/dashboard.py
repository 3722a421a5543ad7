"""API: the program dashboard for its managers (GET /api/v1/programs/{id}/dashboard).

The same figures as the manager's page (incubator.dashboard.service): the funnel per season and in
total, money per currency and converted to UZS, region and women-led shares with small cells
suppressed, and what predicted success. Money is {"amount": "8310000000.00", "currency": "UZS"}
(decimal strings). Labels are in the user's language. A program the user does not manage is a 404."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import get_locale
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from incubator.api.auth import auth_required, current_api_user
from incubator.dashboard.service import program_dashboard
from incubator.programs.queries import program_for_manager

blp = Blueprint("api_dashboard", __name__, description="Program dashboard: funnel and outcomes across seasons (managers)")
SECURITY = [{"bearerAuth": []}]


def money(amount: Decimal | None, currency: str = "UZS") -> dict | None:
    if amount is None:
        return None
    return {"amount": str(Decimal(amount).quantize(Decimal("0.01"))), "currency": currency}


class MoneyOut(Schema):
    amount = fields.String(required=True, metadata={"description": "decimal string, e.g. \"20000.00\""})
    currency = fields.String(required=True, metadata={"enum": ["UZS", "USD"]})


class RateOut(Schema):
    currency = fields.String(required=True)
    rate = fields.String(required=True, metadata={"description": "UZS for 1 unit, decimal string"})
    valid_from = fields.String(required=True, metadata={"format": "date"})
    valid_to = fields.String(required=True, metadata={"format": "date"})


class FunnelOut(Schema):
    applications = fields.Integer(required=True, metadata={"description": "every application started, drafts "
                                                                           "included"})
    submitted = fields.Integer(required=True)
    selected = fields.Integer(required=True, metadata={"description": "accepted"})
    confirmed = fields.Integer(required=True, metadata={
        "description": "accepted with a confirmed offer or none made: the startups taken in"})
    developed = fields.Integer(required=True, metadata={"description": "with a product outcome"})
    funded = fields.Integer(required=True, metadata={"description": "with at least one investment"})
    investments = fields.Integer(required=True)
    grants = fields.Integer(required=True)
    jobs = fields.Integer(required=True)
    totals = fields.List(fields.Nested(MoneyOut), required=True, metadata={"description": "per currency, as entered"})
    total_uzs = fields.Nested(MoneyOut, allow_none=True, required=True, metadata={
        "description": "everything converted to UZS; null when a currency has no exchange rate for a date"})
    unconverted = fields.List(fields.String(), required=True)


class SeasonFunnelOut(FunnelOut):
    season_id = fields.Integer(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    opens_at = fields.DateTime(required=True)


class CellOut(Schema):
    count = fields.Integer(allow_none=True, required=True, metadata={"description": "null when suppressed"})
    share = fields.Float(allow_none=True, required=True)
    suppressed = fields.Boolean(required=True)


class ShareRowOut(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    applied = fields.Nested(CellOut, required=True)
    selected = fields.Nested(CellOut, required=True)


class ShareTableOut(Schema):
    key = fields.String(required=True)
    title = fields.String(required=True)
    rows = fields.List(fields.Nested(ShareRowOut), required=True)
    applied_total = fields.Integer(required=True)
    selected_total = fields.Integer(required=True)


class PredictionRowOut(Schema):
    stage_position = fields.Integer(required=True)
    stage_name = fields.String(required=True)
    key = fields.String(required=True, metadata={"description": "normalised_score or criterion:<key>"})
    label = fields.String(required=True)
    n = fields.Integer(required=True)
    funded = fields.Integer(required=True)
    not_funded = fields.Integer(required=True)
    spearman = fields.Float(allow_none=True, required=True)
    auc = fields.Float(allow_none=True, required=True)
    p_value = fields.Float(allow_none=True, required=True)
    note = fields.String(required=True)


class PredictionOut(Schema):
    ready = fields.Boolean(required=True)
    with_outcomes = fields.Integer(required=True)
    needed = fields.Integer(required=True, metadata={"description": "selected startups with outcomes still needed"})
    funded = fields.Integer(required=True)
    not_funded = fields.Integer(required=True)
    seasons = fields.Integer(required=True)
    message = fields.String(required=True)
    notes = fields.List(fields.String(), required=True)
    rows = fields.List(fields.Nested(PredictionRowOut), required=True)


class DashboardOut(Schema):
    program_id = fields.Integer(required=True)
    program_name = fields.String(required=True)
    locale = fields.String(required=True)
    generated_at = fields.DateTime(required=True)
    seasons = fields.List(fields.Nested(SeasonFunnelOut), required=True)
    total = fields.Nested(FunnelOut, required=True)
    rates_used = fields.List(fields.Nested(RateOut), required=True)
    regions = fields.Nested(ShareTableOut, required=True)
    women_led = fields.Nested(ShareTableOut, required=True)
    prediction = fields.Nested(PredictionOut, required=True)


def _funnel(f) -> dict:
    o = f.outcomes
    return {"applications": f.applications, "submitted": f.submitted, "selected": f.selected,
            "confirmed": f.confirmed, "developed": f.developed, "funded": f.funded,
            "investments": o.investments if o else 0, "grants": o.grants if o else 0, "jobs": o.jobs if o else 0,
            "totals": [money(m.amount, m.currency) for m in f.totals], "total_uzs": money(f.total_uzs),
            "unconverted": list(f.unconverted)}


def dump(d) -> dict:
    return {
        "program_id": d.program_id, "program_name": d.program_name, "locale": d.locale,
        "generated_at": d.generated_at,
        "seasons": [{"season_id": s.season_id, "name": s.name, "status": s.status, "opens_at": s.opens_at,
                     **_funnel(s.funnel)} for s in d.seasons],
        "total": _funnel(d.total),
        "rates_used": [{"currency": r.currency, "rate": str(r.rate), "valid_from": r.valid_from,
                        "valid_to": r.valid_to} for r in d.rates_used],
        "regions": d.regions, "women_led": d.women_led, "prediction": d.prediction,
    }


@blp.route("/programs/<id:program_id>/dashboard", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.response(200, DashboardOut)
@auth_required
def get_dashboard(program_id: int):
    """The program's funnel and outcomes across its seasons, its shares and what predicted success.
    Managers of the program only; anyone else gets a 404."""
    program = program_for_manager(current_api_user(), program_id)
    return dump(program_dashboard(program, str(get_locale() or "en")))
