"""The manager's forms for outcomes and exchange rates: shape only (the services check the rules and
tie every error to its field). Values stay text so that what was typed comes back with the error."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from incubator.outcomes.models import CURRENCIES, OutcomeKind
from incubator.outcomes.rates import RATE_CURRENCIES
from incubator.outcomes.validators import KIND_FIELDS, LIMITS, REQUIRED

DATE_INPUT = {"type": "date", "placeholder": "YYYY-MM-DD"}
DESCRIPTIONS = {
    OutcomeKind.PRODUCT: {"occurred_on": _l("When the product was launched or first used."),
                          "link": _l("Its web address, if it has one (http:// or https://).")},
    OutcomeKind.INVESTMENT: {"occurred_on": _l("When the money was committed."),
                             "amount": _l("Digits with a dot for decimals, like 20000.00."),
                             "round": _l("For example pre-seed, seed, Investor Day.")},
    OutcomeKind.GRANT: {"occurred_on": _l("Optional: when the result was announced."),
                        "amount": _l("Optional: the money won, digits with a dot, like 50000000."),
                        "result": _l("For example won, finalist, took part.")},
    OutcomeKind.JOBS: {"occurred_on": _l("The date the count refers to."),
                       "jobs": _l("New jobs created since the program, a whole number.")},
}


class OutcomeForm(FlaskForm):
    occurred_on = StringField(_l("Date"), render_kw=DATE_INPUT)
    link = StringField(_l("Link"), render_kw={"type": "url", "maxlength": LIMITS["link"], "autocomplete": "url"})
    investor = StringField(_l("Investor"), render_kw={"maxlength": LIMITS["investor"]})
    amount = StringField(_l("Amount"), render_kw={"inputmode": "decimal", "autocomplete": "off"})
    currency = SelectField(_l("Currency"), choices=[("", "—")] + [(c, c) for c in CURRENCIES], validate_choice=False)
    round = StringField(_l("Round"), render_kw={"maxlength": LIMITS["round"]})
    name = StringField(_l("Grant or competition"), render_kw={"maxlength": LIMITS["name"]})
    result = StringField(_l("Result"), render_kw={"maxlength": LIMITS["result"]})
    jobs = StringField(_l("Jobs created"), render_kw={"inputmode": "numeric", "autocomplete": "off"})
    note = TextAreaField(_l("Note"), render_kw={"rows": 3, "maxlength": LIMITS["note"]})

    def for_kind(self, kind: OutcomeKind) -> list:
        """The fields of one kind, in order, marked required and described for it."""
        rules = KIND_FIELDS[kind]
        chosen = [self[name] for name in ("investor", "name", "result", "amount", "currency", "round", "jobs",
                                          "occurred_on", "link") if name in rules] + [self.note]
        for f in chosen:
            f.flags.required = rules.get(f.name) == REQUIRED
            f.description = DESCRIPTIONS[kind].get(f.name, "")
        return chosen

    def values(self, kind: OutcomeKind) -> dict:
        data = {"kind": kind.value}
        for name in list(KIND_FIELDS[kind]) + ["note"]:
            data[name] = self[name].data
        return data


class ExchangeRateForm(FlaskForm):
    currency = SelectField(_l("Currency"), choices=[(c, c) for c in RATE_CURRENCIES], validate_choice=False)
    rate = StringField(_l("UZS for 1 unit"), render_kw={"inputmode": "decimal", "autocomplete": "off"},
                       description=_l("For example 12650.00: how many UZS one unit of the currency buys."))
    valid_from = StringField(_l("First day"), render_kw=DATE_INPUT)
    valid_to = StringField(_l("Last day"), render_kw=DATE_INPUT,
                           description=_l("Included. Outcomes dated in the period are converted with this rate."))
