"""Numbers as a season report prints them, in the report's language (the current Babel locale):
counts, shares, scores, days and money. Suppressed cells print SUPPRESSED, never a number."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal, format_percent
from flask_babel import get_locale

SUPPRESSED = "—"
MISSING = "–"


# A report prints the same few thousand numbers many times over (scores to 3 decimals, counts), and
# Babel takes about 0.1 ms for each: every text is made once per language and kept (a bounded cache;
# the key has the value's type and text, so 0.0 and -0.0, or 2 and 2.0, never share an entry).
_TEXTS: dict[tuple, str] = {}
_TEXTS_MAX = 50_000


def _remember(key: tuple, text: str) -> str:
    if len(_TEXTS) >= _TEXTS_MAX:
        _TEXTS.clear()
    _TEXTS[key] = text
    return text


def _locale() -> str:
    return str(get_locale() or "en")


def count(value: int | None) -> str:
    if value is None:
        return MISSING
    key = ("count", _locale(), type(value), str(value))
    text = _TEXTS.get(key)
    if text is None:
        text = _remember(key, format_decimal(int(value), locale=key[1]))
    return text


def share(value: float | None) -> str:
    """0.4167 -> '41.7%' (one decimal; the locale's sign and spacing)."""
    if value is None:
        return MISSING
    key = ("share", _locale(), type(value), str(value))
    text = _TEXTS.get(key)
    if text is None:
        text = _remember(key, format_percent(value, format="#,##0.0%", locale=key[1]))
    return text


def score(value: float | Decimal | None, digits: int = 2) -> str:
    """Rounded half away from zero (2.625 -> 2.63), as the figures are documented."""
    if value is None:
        return MISSING
    key = ("score", _locale(), digits, type(value), str(value))
    text = _TEXTS.get(key)
    if text is None:
        exponent = Decimal(1).scaleb(-digits)
        rounded = Decimal(key[4]).quantize(exponent, rounding=ROUND_HALF_UP)
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        text = _remember(key, format_decimal(rounded, format=pattern, locale=key[1], decimal_quantization=False))
    return text


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
