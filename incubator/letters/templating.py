"""Decision-letter templates: checking one when a manager saves it, rendering one for a letter.

A letter template is a subject (one line) and a body (plain text), written in a small, sandboxed
part of Jinja (see `sandbox`): `{{ founder_name }}`, `{% if feedback %}...{% endif %}`,
`{% for item in feedback %}...{% endfor %}`, and the filters upper, lower, title, capitalize, trim,
default (d), join, length, first, last, replace, truncate, wordwrap. The placeholders are listed,
per kind of letter, in `placeholders.PLACEHOLDERS`.

The interface:

- `validate_template(subject, body, kind)`: when a template is saved. Raises RuleViolation with
  errors under "subject" and/or "body", each message starting with the line ("Line 3: ...").
  It compiles both parts, refuses placeholders the kind does not have, and test-renders with the
  example values (and, for kinds with feedback, once more with no feedback).
- `render_letter(subject, body, context)`: a letter, or a preview for a real application, with
  `context = letter_context(kind, ...)` built from plain values. Returns RenderedLetter(subject,
  text, html). Raises RuleViolation in the same shape when the template cannot be rendered.
- `text_to_html(text)`: the HTML version of a text: escaped, blank-line separated paragraphs
  into <p>, single newlines into <br>, http(s) links made clickable.

Why one rendering and not two: the body is rendered once, as text, with autoescape off; the HTML
version is that text escaped afterwards. So whatever a manager types and whatever a founder
entered (a startup called `<script>...`) is text in both versions, and no `{% autoescape %}` or
`|safe` can make part of a letter markup. The `e`/`escape` filter is therefore not offered: it
would only double-escape.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from incubator.core.errors import RuleViolation
from incubator.letters.placeholders import (
    PLACEHOLDERS,
    LetterKind,
    example_context,
    placeholder_names,
)
from incubator.letters.sandbox import ALLOWED_FILTERS, MAX_OUTPUT_CHARS, LetterTemplateError, compile_letter

__all__ = ["ALLOWED_FILTERS", "MAX_BODY_CHARS", "MAX_OUTPUT_CHARS", "MAX_SUBJECT_CHARS", "LetterKind",
           "RenderedLetter", "render_letter", "text_to_html", "validate_template"]

MAX_SUBJECT_CHARS = 300      # the subject template
MAX_BODY_CHARS = 20_000      # the body template
MAX_RENDERED_SUBJECT = 250   # a longer rendered subject is cut, with "…"


@dataclass(frozen=True)
class RenderedLetter:
    subject: str   # one line
    text: str      # the text/plain part
    html: Markup   # the text/html fragment (paragraphs), to put inside the e-mail layout


# --- Public interface -----------------------------------------------------------------------------


def validate_template(subject: str, body: str, kind: LetterKind | str) -> None:
    """Refuse a template that would not render for every letter of its kind (see module doc)."""
    kind = LetterKind(kind)
    allowed = placeholder_names(kind)
    errors: dict[str, list[str]] = {}
    compiled = {}
    for field, source in (("subject", subject), ("body", body)):
        try:
            compiled[field] = _compile(field, source, allowed=allowed, kind=kind)
        except LetterTemplateError as exc:
            errors[field] = [_message(exc)]
    if not errors:
        contexts = [(example_context(kind), False)]
        if "feedback" in allowed:
            contexts.append((example_context(kind, with_feedback=False), True))
        for field, template in compiled.items():
            for context, no_feedback in contexts:
                try:
                    output = template.render(context)
                except LetterTemplateError as exc:
                    errors[field] = [_message(exc, no_feedback=no_feedback)]
                    break
                if not output.strip():
                    message = (_l("The subject is empty once the placeholders are filled in.") if field == "subject"
                               else _l("The letter is empty once the placeholders are filled in."))
                    errors[field] = [_message(LetterTemplateError(message), no_feedback=no_feedback)]
                    break
    if errors:
        raise RuleViolation(errors=errors)


def render_letter(subject: str, body: str, context: dict) -> RenderedLetter:
    """Render a letter from its templates and a context made by `letter_context` (or
    `example_context`). The template may use exactly the context's placeholders."""
    _check_context(context)
    allowed = frozenset(context)
    errors: dict[str, list[str]] = {}
    rendered: dict[str, str] = {}
    for field, source in (("subject", subject), ("body", body)):
        try:
            rendered[field] = _compile(field, source, allowed=allowed).render(context)
        except LetterTemplateError as exc:
            errors[field] = [_message(exc)]
    if errors:
        raise RuleViolation(errors=errors)
    text = tidy_text(rendered["body"])
    return RenderedLetter(subject=one_line(rendered["subject"]), text=text, html=text_to_html(text))


# --- Text and HTML --------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)]»”’"


def one_line(text: str, limit: int = MAX_RENDERED_SUBJECT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def tidy_text(text: str) -> str:
    """Trailing spaces off, at most one blank line in a row, no blank lines at the ends."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _line_to_html(line: str) -> str:
    out, last = [], 0
    for match in _URL.finditer(line):
        url = match.group(0).rstrip(_TRAILING)
        end = match.start() + len(url)
        out.append(str(escape(line[last:match.start()])))
        out.append(f'<a href="{escape(url)}">{escape(url)}</a>')
        last = end
    out.append(str(escape(line[last:])))
    return "".join(out)


def text_to_html(text: str) -> Markup:
    """Escaped paragraphs: a blank line separates paragraphs, a newline is a <br>."""
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", tidy_text(text)) if p.strip()]
    return Markup("\n".join("<p>" + "<br>\n".join(_line_to_html(line) for line in p.split("\n")) + "</p>"
                            for p in paragraphs))


# --- Internals ------------------------------------------------------------------------------------


def _compile(field: str, source: str, *, allowed: frozenset[str], kind: LetterKind | None = None):
    if not isinstance(source, str):
        raise TypeError(f"the {field} template must be a str")
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    limit = MAX_SUBJECT_CHARS if field == "subject" else MAX_BODY_CHARS
    if len(source) > limit:
        raise LetterTemplateError(_l("The template is too long: at most %(max)d characters (it has %(n)d).",
                                     max=limit, n=len(source)))
    if field == "subject" and "\n" in source.strip():
        raise LetterTemplateError(_l("The subject must be a single line."))
    control = _CONTROL.search(source)
    if control:
        raise LetterTemplateError(_l("The template contains an invisible control character (code %(code)d).",
                                     code=ord(control.group(0))), source.count("\n", 0, control.start()) + 1)
    compiled = compile_letter(source.strip() if field == "subject" else source)
    for name, line in compiled.reads:
        if name in allowed:
            continue
        names = ", ".join(sorted(allowed))
        if name in PLACEHOLDERS:
            message = (_l("The placeholder “%(name)s” is not available in a letter of this kind (%(kind)s). "
                          "Available: %(names)s.", name=name, kind=kind.label, names=names) if kind
                       else _l("The placeholder “%(name)s” is not available in this letter. Available: %(names)s.",
                               name=name, names=names))
        else:
            message = _l("Unknown placeholder “%(name)s”. Available: %(names)s.", name=name, names=names)
        raise LetterTemplateError(message, line)
    return compiled


def _message(exc: LetterTemplateError, *, no_feedback: bool = False) -> str:
    """'Line 3: unexpected '}'' -- the line first, then the error (Jinja's text, or ours)."""
    error = str(exc.message)
    if no_feedback:
        if exc.lineno:
            return str(_l("Line %(line)d, with no feedback: %(error)s", line=exc.lineno, error=error))
        return str(_l("With no feedback: %(error)s", error=error))
    if exc.lineno:
        return str(_l("Line %(line)d: %(error)s", line=exc.lineno, error=error))
    return error


def _check_context(context: dict) -> None:
    """Only plain values reach a template: a programming error otherwise."""
    for name, value in context.items():
        if name not in PLACEHOLDERS:
            raise TypeError(f"{name!r} is not a letter placeholder")
        if PLACEHOLDERS[name].is_list:
            if not (isinstance(value, list | tuple) and all(isinstance(item, str) for item in value)):
                raise TypeError(f"letter placeholder {name} must be a list of str")
        elif not isinstance(value, str):
            raise TypeError(f"letter placeholder {name} must be a str, not {type(value).__name__}")
