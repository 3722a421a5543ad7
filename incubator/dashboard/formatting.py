"""Numbers on the dashboard, in the current language: counts, shares and money.

Big money as people read it, in the current language: "8.31 bn UZS", "8,31 млрд сум",
"8,31 mlrd soʻm"; "70,000 USD" below a million. The numbers follow the locale (Babel); the units are
translatable strings. Decimal amounts are rounded half up, never through a float."""
from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from incubator.core.timeutil import zone

BILLION = Decimal(10) ** 9
MILLION = Decimal(10) ** 6
CURRENCY_LABELS = {"UZS": _l("UZS"), "USD": _l("USD")}


def _locale() -> str:
    return str(get_locale() or "en")


def currency_label(code: str) -> str:
    return str(CURRENCY_LABELS.get(code, code))


def readable(amount: Decimal | None, currency: str) -> str:
    """The amount in billions or millions (two decimals) or in full, with the currency's label."""
    if amount is None:
        return "–"
    amount = Decimal(amount)
    unit = currency_label(currency)
    if abs(amount) >= BILLION:
        number = format_decimal((amount / BILLION).quantize(Decimal("0.01"), ROUND_HALF_UP), format="#,##0.00",
                                locale=_locale())
        return _("%(amount)s bn %(currency)s", amount=number, currency=unit)
    if abs(amount) >= MILLION:
        number = format_decimal((amount / MILLION).quantize(Decimal("0.01"), ROUND_HALF_UP), format="#,##0.00",
                                locale=_locale())
        return _("%(amount)s mn %(currency)s", amount=number, currency=unit)
    whole = amount == amount.to_integral_value()
    number = format_decimal(amount.quantize(Decimal("1") if whole else Decimal("0.01"), ROUND_HALF_UP),
                            format="#,##0" if whole else "#,##0.00", locale=_locale())
    return _("%(amount)s %(currency)s", amount=number, currency=unit)


def exact(amount: Decimal | None, currency: str) -> str:
    """The full amount with two decimals, e.g. for a table's title text."""
    if amount is None:
        return "–"
    number = format_decimal(Decimal(amount).quantize(Decimal("0.01"), ROUND_HALF_UP), format="#,##0.00",
                            locale=_locale())
    return _("%(amount)s %(currency)s", amount=number, currency=currency_label(currency))


def rate(value: Decimal) -> str:
    """An exchange rate: as many decimals as it needs, at least two."""
    value = Decimal(value).normalize()
    places = max(2, -value.as_tuple().exponent) if value.as_tuple().exponent < 0 else 2
    return format_decimal(value, format="#,##0." + "0" * places, locale=_locale())


def count(value: int | None) -> str:
    return "–" if value is None else format_decimal(int(value), locale=_locale())


def share(value: float | None) -> str:
    """0.4167 -> "41.7%" (the locale's sign and spacing)."""
    return "–" if value is None else format_percent(value, format="#,##0.0%", locale=_locale())


def score(value: float | None, places: int = 2) -> str:
    if value is None:
        return "–"
    return format_decimal(round(float(value), places), format="#,##0." + "0" * places, locale=_locale())


def day(moment: datetime | None, tz_name: str) -> str:
    """The local date of a moment in a season's time zone, e.g. "1 Mar 2024"."""
    if moment is None:
        return "–"
    return format_date(moment.astimezone(zone(tz_name)).date(), format="medium", locale=_locale())
