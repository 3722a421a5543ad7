"""Checking answers against their questions. Each check raises RuleViolation naming the question key."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from incubator.core.errors import RuleViolation
from incubator.programs.models import Question, QuestionType

MAX_TEXT = 20000
WORD_RE = re.compile(r"\S+")


def word_count(text: str) -> int:
    return len(WORD_RE.findall(text or ""))


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, list) and not value)


def _text(q: Question, value) -> str:
    if not isinstance(value, str):
        raise RuleViolation(q.key, _l("Write text here."))
    value = value.replace("\r\n", "\n")
    if "\x00" in value:
        raise RuleViolation(q.key, _l("This text contains a NUL character, which is not allowed."))
    if q.max_chars and len(value) > q.max_chars:
        raise RuleViolation(q.key, _l("Too long: %(n)d characters, the limit is %(max)d.", n=len(value), max=q.max_chars))
    if q.max_words and word_count(value) > q.max_words:
        raise RuleViolation(q.key, _l("Too long: %(n)d words, the limit is %(max)d.", n=word_count(value), max=q.max_words))
    if len(value) > MAX_TEXT:
        raise RuleViolation(q.key, _l("Too long: the limit is %(max)d characters.", max=MAX_TEXT))
    if q.type == QuestionType.SHORT_TEXT and "\n" in value.strip():
        raise RuleViolation(q.key, _l("Write one line here."))
    return value


def _number(q: Question, value) -> str:
    if isinstance(value, bool):
        raise RuleViolation(q.key, _l("Enter a number."))
    try:
        number = Decimal(str(value).strip().replace(",", ".").replace(" ", ""))
    except (InvalidOperation, ValueError):
        raise RuleViolation(q.key, _l("Enter a number, like 12 or 3.5.")) from None
    if not number.is_finite():
        raise RuleViolation(q.key, _l("Enter a number, like 12 or 3.5."))
    if q.min_value is not None and number < q.min_value:
        raise RuleViolation(q.key, _l("The smallest allowed value is %(min)s.", min=_plain(q.min_value)))
    if q.max_value is not None and number > q.max_value:
        raise RuleViolation(q.key, _l("The largest allowed value is %(max)s.", max=_plain(q.max_value)))
    return _plain(number)


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def _choices(q: Question) -> set[str]:
    return {str(o.get("value")) for o in q.options or []}


def _choice(q: Question, value) -> str:
    if not isinstance(value, str) or value not in _choices(q):
        raise RuleViolation(q.key, _l("Choose one of the options given."))
    return value


def _multi(q: Question, value) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleViolation(q.key, _l("Choose from the options given."))
    unknown = [v for v in value if v not in _choices(q)]
    if unknown:
        raise RuleViolation(q.key, _l("Unknown option: %(value)s.", value=", ".join(unknown)[:100]))
    order = [str(o.get("value")) for o in q.options]
    return [v for v in order if v in set(value)]


def _url(q: Question, value) -> str:
    value = _text(q, value).strip()
    parts = urlsplit(value if "://" in value else "https://" + value)
    if parts.scheme not in ("http", "https") or not parts.netloc or "." not in parts.netloc or " " in value:
        raise RuleViolation(q.key, _l("Enter a web address, like https://example.uz."))
    return parts.geturl()


def _date(q: Question, value) -> str:
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise RuleViolation(q.key, _l("Enter a date as YYYY-MM-DD.")) from None


CLEANERS = {
    QuestionType.SHORT_TEXT: _text, QuestionType.LONG_TEXT: _text, QuestionType.NUMBER: _number,
    QuestionType.CHOICE: _choice, QuestionType.MULTI_CHOICE: _multi, QuestionType.URL: _url,
    QuestionType.DATE: _date,
}


def clean_answer(question: Question, value):
    """The value as stored (None for an empty answer), or RuleViolation(question.key, why)."""
    if question.type == QuestionType.FILE:
        raise RuleViolation(question.key, _l("Upload a file for this question."))
    if is_blank(value):
        return None
    return CLEANERS[QuestionType(question.type)](question, value)


def missing_required(questions, answers: dict, attachments: set[int]) -> dict[str, list[str]]:
    """Every required question without an answer, named."""
    errors: dict[str, list[str]] = {}
    for q in questions:
        if not q.required:
            continue
        present = q.id in attachments if q.type == QuestionType.FILE else not is_blank(answers.get(q.id))
        if not present:
            errors[q.key] = [str(_l("“%(label)s” is required.", label=q.label_in(str(get_locale()))))]
    return errors
