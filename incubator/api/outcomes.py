"""Outcomes over the API: what a season's startups achieved after the program (products, investments,
grants, jobs), recorded one by one or imported from a CSV file (with a dry run), and the exchange
rates that turn USD totals into UZS. Managers of the program only (404 for anyone else); the same
services as the manager's pages. Money is {"amount": "20000.00", "currency": "USD"}: a decimal
string, never a float."""
from __future__ import annotations

from decimal import Decimal

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from incubator.api.auth import auth_required, current_api_user
from incubator.api.multipart import FilePart, accept_multipart
from incubator.api.schemas import PageArgs, Text, dump_page, page_of
from incubator.core.errors import RuleViolation
from incubator.core.pagination import paginate
from incubator.extensions import db
from incubator.outcomes import csv_import, rates, services
from incubator.outcomes.models import CURRENCIES, OutcomeKind
from incubator.outcomes.validators import JOBS_MAX, LIMITS
from incubator.programs.queries import program_for_manager, season_for_manager

blp = Blueprint("api_outcomes", __name__, description="Outcomes after the program, their CSV import, and "
                                                      "exchange rates")
accept_multipart(blp)
SECURITY = [{"bearerAuth": []}]
KINDS = [k.value for k in OutcomeKind]
ERROR_ROWS_SHOWN = 2000
DATE = {"format": "date", "example": "2025-06-30"}


def _money(amount: Decimal | None, currency: str | None) -> dict | None:
    if amount is None:
        return None
    return {"amount": format(Decimal(amount).quantize(Decimal("0.01")), "f"), "currency": currency}


# --- Schemas ------------------------------------------------------------------------------------------

class OutcomeMoneyIn(Schema):
    amount = Text(required=True, metadata={"description": "A decimal string with a dot and at most 2 decimals, "
                                                          "above zero", "example": "20000.00"})
    currency = Text(required=True, metadata={"description": f"One of {', '.join(CURRENCIES)}", "example": "USD"})


class OutcomeMoneyOut(Schema):
    amount = fields.String(required=True, metadata={"example": "20000.00"})
    currency = fields.String(required=True, validate=validate.OneOf(CURRENCIES))


class RecordedOutcomeIn(Schema):
    """Per kind: product (occurred_on; link), investment (investor, money, occurred_on; round),
    grant (name, result; money, occurred_on), jobs (jobs, occurred_on). A field the kind does not use
    must be left out (or null). Dates are not before the season started and not in the future."""

    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    occurred_on = Text(allow_none=True, metadata={**DATE, "description": "YYYY-MM-DD"})
    link = Text(allow_none=True, metadata={"description": f"product: http(s) address, at most {LIMITS['link']} "
                                                          "characters"})
    investor = Text(allow_none=True, metadata={"description": f"investment: at most {LIMITS['investor']} characters"})
    money = fields.Nested(OutcomeMoneyIn, allow_none=True, metadata={"description": "investment (required), grant "
                                                                             "(optional)"})
    round = Text(allow_none=True, metadata={"description": f"investment: e.g. seed, at most {LIMITS['round']} "
                                                           "characters"})
    name = Text(allow_none=True, metadata={"description": f"grant: the grant or competition, at most "
                                                          f"{LIMITS['name']} characters"})
    result = Text(allow_none=True, metadata={"description": f"grant: e.g. won, finalist, at most "
                                                            f"{LIMITS['result']} characters"})
    jobs = fields.Integer(strict=True, allow_none=True, metadata={"description": f"jobs: 0 to {JOBS_MAX}"})
    note = Text(allow_none=True, metadata={"description": f"any kind, at most {LIMITS['note']} characters"})


class RecordedOutcomeOut(Schema):
    id = fields.Integer(required=True)
    application_id = fields.Integer(required=True)
    season_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    occurred_on = fields.Date(allow_none=True)
    link = fields.String(allow_none=True)
    investor = fields.String(allow_none=True)
    money = fields.Nested(OutcomeMoneyOut, allow_none=True)
    round = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    result = fields.String(allow_none=True)
    jobs = fields.Integer(allow_none=True)
    note = fields.String(required=True)
    recorded_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)


class OutcomeRateUsedOut(Schema):
    currency = fields.String(required=True)
    rate = fields.String(required=True, metadata={"description": "UZS per 1 unit"})
    valid_from = fields.String(required=True, metadata={"format": "date"})
    valid_to = fields.String(required=True, metadata={"format": "date"})


class OutcomeTotalsOut(Schema):
    confirmed = fields.Integer(required=True, metadata={"description": "Startups the season took in"})
    developed = fields.Integer(required=True)
    funded = fields.Integer(required=True)
    investments = fields.Integer(required=True)
    grants = fields.Integer(required=True)
    jobs = fields.Integer(required=True)
    totals = fields.List(fields.Nested(OutcomeMoneyOut), required=True, metadata={"description": "Per currency"})
    total_uzs = fields.Nested(OutcomeMoneyOut, allow_none=True, metadata={
        "description": "Everything in UZS; null while a currency has investments on dates without a rate"})
    unconverted = fields.List(fields.String(), required=True)
    rates_used = fields.List(fields.Nested(OutcomeRateUsedOut), required=True)


class SeasonOutcomePageOut(page_of(RecordedOutcomeOut, "OutcomeItems")):
    totals = fields.Nested(OutcomeTotalsOut, allow_none=True, metadata={"description": "null when nothing is recorded"})


class OutcomeImportIn(Schema):
    file = FilePart(required=True, metadata={"description": "The CSV file, UTF-8, at most "
                                                            f"{csv_import.MAX_BYTES // (1024 * 1024)} MB and "
                                                            f"{csv_import.MAX_ROWS} rows"})
    dry_run = fields.Boolean(load_default=False, metadata={"description": "Check only: list each row's errors and "
                                                                         "write nothing (200)."})


class OutcomeImportErrorOut(Schema):
    row = fields.Integer(required=True, metadata={"description": "As a spreadsheet numbers it: the header is 1"})
    field = fields.String(required=True, metadata={"description": "The column, or \"row\" for the whole row"})
    message = fields.String(required=True)


class OutcomeImportOut(Schema):
    dry_run = fields.Boolean(required=True)
    rows = fields.Integer(required=True)
    valid_rows = fields.Integer(required=True)
    created = fields.Integer(required=True, metadata={"description": "Outcomes written (0 on a dry run)"})
    error_count = fields.Integer(required=True)
    errors = fields.List(fields.Nested(OutcomeImportErrorOut), required=True,
                         metadata={"description": f"Every error, row by row (the first {ERROR_ROWS_SHOWN})"})


class ExchangeRateIn(Schema):
    currency = Text(required=True, metadata={"example": "USD", "description": "; ".join(rates.RATE_CURRENCIES)})
    rate = Text(required=True, metadata={"example": "12650.00", "description": "UZS per 1 unit: a decimal string "
                                                                               "above zero, at most 6 decimals"})
    valid_from = Text(required=True, metadata={**DATE, "description": "First day, YYYY-MM-DD"})
    valid_to = Text(required=True, metadata={**DATE, "description": "Last day (included), YYYY-MM-DD"})


class ExchangeRateOut(Schema):
    id = fields.Integer(required=True)
    program_id = fields.Integer(required=True)
    currency = fields.String(required=True)
    rate = fields.Method("get_rate", metadata={"type": "string", "description": "UZS per 1 unit"})
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True)
    created_at = fields.DateTime(required=True)

    def get_rate(self, obj):
        return rates.plain_rate(obj.rate)


# --- Helpers ---------------------------------------------------------------------------------------------

def _out(outcome) -> dict:
    return {"id": outcome.id, "application_id": outcome.application_id, "season_id": outcome.season_id,
            "kind": outcome.kind.value, "occurred_on": outcome.occurred_on, "link": outcome.link,
            "investor": outcome.investor, "money": _money(outcome.amount, outcome.currency), "round": outcome.round,
            "name": outcome.name, "result": outcome.result, "jobs": outcome.jobs, "note": outcome.note,
            "recorded_by_id": outcome.recorded_by_id, "created_at": outcome.created_at}


def _totals(figures) -> dict | None:
    if figures is None:
        return None
    return {"confirmed": figures.confirmed, "developed": figures.developed, "funded": figures.funded,
            "investments": figures.investments, "grants": figures.grants, "jobs": figures.jobs,
            "totals": [_money(t.amount, t.currency) for t in figures.totals],
            "total_uzs": _money(figures.total_uzs, "UZS"), "unconverted": figures.unconverted,
            "rates_used": [{"currency": r.currency, "rate": rates.plain_rate(r.rate), "valid_from": r.valid_from,
                            "valid_to": r.valid_to} for r in figures.rates_used]}


def _import_out(result) -> dict:
    errors = [{"row": r.number, "field": column, "message": message}
              for r in result.error_rows for column, message in r.errors]
    return {"dry_run": result.dry_run, "rows": len(result.rows), "valid_rows": result.valid_count,
            "created": result.created, "error_count": len(errors), "errors": errors[:ERROR_ROWS_SHOWN]}


def _flat(data: dict) -> dict:
    flat = {k: v for k, v in data.items() if k != "money"}
    if data.get("money"):
        flat.update(amount=data["money"].get("amount"), currency=data["money"].get("currency"))
    return flat


# --- Outcomes ------------------------------------------------------------------------------------------

@blp.route("/applications/<id:application_id>/outcomes", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(RecordedOutcomeIn)
@blp.response(201, RecordedOutcomeOut)
@auth_required
def create_outcome(data, application_id: int):
    """Record an outcome of a startup the season took in (accepted, its offer confirmed), on any season
    status, a closed one too. 422 with the fields at fault (`money.amount`, `occurred_on`, ...); 409
    when the application is not a confirmed startup, or when the same outcome is recorded already."""
    user = current_api_user()
    application = services.application_for_manager(user, application_id)
    try:
        outcome = services.record_outcome(application, _flat(data), actor=user)
    except RuleViolation as exc:
        raise RuleViolation(errors={(f"money.{k}" if k in ("amount", "currency") else k): v
                                    for k, v in exc.errors.items()}) from None
    db.session.commit()
    return _out(outcome)


@blp.route("/applications/<id:application_id>/outcomes", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(RecordedOutcomeOut, "OutcomePage"))
@auth_required
def list_outcomes(args, application_id: int):
    """The outcomes recorded for an application, latest first."""
    application = services.application_for_manager(current_api_user(), application_id)
    page = paginate(services.outcomes_of_application(application.id), args["page"], args["per_page"])
    page.items = [_out(o) for o in page.items]
    return dump_page(page)


@blp.route("/seasons/<id:season_id>/outcomes", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.arguments(PageArgs, location="query")
@blp.response(200, SeasonOutcomePageOut)
@auth_required
def season_outcomes(args, season_id: int):
    """Every outcome of a season, by application, with the totals per currency and in UZS (the rates
    used are listed)."""
    season = season_for_manager(current_api_user(), season_id)
    page = paginate(services.outcomes_of_season(season.id), args["page"], args["per_page"])
    page.items = [_out(o) for o in page.items]
    return {**dump_page(page), "totals": _totals(services.season_totals(season))}


@blp.route("/outcomes/<id:outcome_id>", methods=["DELETE"])
@blp.doc(security=SECURITY)
@blp.response(204)
@auth_required
def delete_outcome(outcome_id: int):
    """Delete an outcome recorded by mistake."""
    user = current_api_user()
    services.delete_outcome(services.outcome_for_manager(user, outcome_id), actor=user)
    db.session.commit()


@blp.route("/seasons/<id:season_id>/outcomes/import", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(OutcomeImportIn, location="multipart")
@blp.response(201, OutcomeImportOut)
@blp.alt_response(200, schema=OutcomeImportOut, description="dry_run: every row's errors; nothing written", success=True)
@auth_required
def import_outcomes(data, season_id: int):
    """Import outcomes from a CSV file (multipart: `file`, and `dry_run`).

    The file is UTF-8 (a BOM is fine), comma- or semicolon-separated, at most 5 MB and 10,000 rows,
    with a header naming exactly these columns in any order and case: application_id, kind (product,
    investment, grant, jobs), date (YYYY-MM-DD), link, investor, amount (like 20000.00), currency (UZS,
    USD), round, name, result, jobs, note. Cells a kind does not use stay empty; a text cell starting
    with =, +, - or @ is refused. Rows are numbered as a spreadsheet shows them (the header is row 1).

    `dry_run: true` answers 200 with each row's errors and writes nothing. The import re-checks
    everything and writes every row or none: 201 with the count, or 422 with errors keyed
    `rows.<row>.<column>`. A file that cannot be read (size, encoding, header, too many rows) is a
    422 on `file`."""
    user = current_api_user()
    season = season_for_manager(user, season_id)
    raw = csv_import.read_upload(data["file"].stream)
    result = csv_import.import_outcomes(season, raw, actor=user, dry_run=data["dry_run"])
    if result.dry_run:
        return _import_out(result), 200
    db.session.commit()
    return _import_out(result), 201


# --- Exchange rates -----------------------------------------------------------------------------------

@blp.route("/programs/<id:program_id>/exchange-rates", methods=["GET"])
@blp.doc(security=SECURITY)
@blp.response(200, ExchangeRateOut(many=True))
@auth_required
def list_rates(program_id: int):
    """The program's exchange rates, by currency, latest period first."""
    return rates.program_rates(program_for_manager(current_api_user(), program_id))


@blp.route("/programs/<id:program_id>/exchange-rates", methods=["POST"])
@blp.doc(security=SECURITY)
@blp.arguments(ExchangeRateIn)
@blp.response(201, ExchangeRateOut)
@auth_required
def create_rate(data, program_id: int):
    """Enter a rate: 1 unit of `currency` = `rate` UZS for outcomes dated valid_from..valid_to
    (both included). Periods of one currency cannot overlap (422 naming the period in the way)."""
    user = current_api_user()
    rate = rates.create_rate(program_for_manager(user, program_id), data, actor=user)
    db.session.commit()
    return rate


@blp.route("/exchange-rates/<id:rate_id>", methods=["DELETE"])
@blp.doc(security=SECURITY)
@blp.response(204)
@auth_required
def delete_rate(rate_id: int):
    user = current_api_user()
    rates.delete_rate(rates.rate_for_manager(user, rate_id), actor=user)
    db.session.commit()
