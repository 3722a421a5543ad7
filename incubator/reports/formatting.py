"""Numbers as a season report prints them, in the report's language (the current Babel locale):
counts, shares, scores, days and money. Suppressed cells print SUPPRESSED, never a number."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal, format_percent
from flask_babel import get_locale

SUPPRESSED = "—"
MISSING = "–"


def _locale() -> str:
    return str(get_locale() or "en")


def count(value: int | None) -> str:
    if value is None:
        return MISSING
    return format_decimal(int(value), locale=_locale())


def share(value: float | None) -> str:
    """0.4167 -> '41.7%' (one decimal; the locale's sign and spacing)."""
    if value is None:
        return MISSING
    return format_percent(value, format="#,##0.0%", locale=_locale())


def score(value: float | Decimal | None, digits: int = 2) -> str:
    """Rounded half away from zero (2.625 -> 2.63), as the figures are documented."""
    if value is None:
        return MISSING
    exponent = Decimal(1).scaleb(-digits)
    rounded = Decimal(str(value)).quantize(exponent, rounding=ROUND_HALF_UP)
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(rounded, format=pattern, locale=_locale(), decimal_quantization=False)


def signed(value: float | None, digits: int = 2) -> str:
    if value is None:
        return MISSING
    text = score(abs(value), digits)
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def days(value: float | None) -> str:
    return score(value, 1)


def money(amount: Decimal | None, currency: str = "") -> str:
    if amount is None:
        return MISSING
    text = format_decimal(Decimal(amount), format="#,##0.00", locale=_locale())
    return f"{text} {currency}".strip()


def cell(c) -> str:
    """A demographic cell's count, or the suppression mark."""
    return SUPPRESSED if c is None or c.suppressed or c.count is None else count(c.count)


def cell_share(c) -> str:
    return SUPPRESSED if c is None or c.suppressed else share(c.share)
