"""Decision-letter templates: the defaults, the refusals a manager sees when saving, the sandbox
holding against templates that try to reach Python, and the text and HTML versions."""
from __future__ import annotations

import re
import time

import pytest
from jinja2.exceptions import TemplateError

from incubator.core.errors import RuleViolation
from incubator.letters import sandbox
from incubator.letters.defaults import LANGUAGES, default_templates
from incubator.letters.placeholders import (
    PLACEHOLDERS,
    LetterKind,
    example_context,
    letter_context,
    placeholder_names,
)
from incubator.letters.templating import ALLOWED_FILTERS, render_letter, text_to_html, validate_template

REPR_MARKS = ("0x", "<class", "<function", "<module", "<built-in", "TemplateReference", "LoopContext", "__globals__",
              "Environment", "object at", "os.", "posix")


def refusal(subject: str, body: str, kind: LetterKind = LetterKind.REJECTED) -> dict[str, list[str]]:
    with pytest.raises(RuleViolation) as caught:
        validate_template(subject, body, kind)
    return caught.value.errors


def assert_no_reprs(text: str, source: str = "") -> None:
    """No trace of a Python object in `text`, beyond what the template's own source says."""
    for mark in REPR_MARKS:
        assert mark not in text or mark in source, (mark, text)


def rejected_context(**changes):
    values = dict(founder_name="Dilnoza Karimova", startup_name="AgroSense", program_name="InnoX",
                  season_name="Season 3, 2025", stage_name="Screening",
                  application_link="https://incubator.example.uz/founder/applications/42",
                  feedback=["Clear problem.", "Show traction."])
    values.update(changes)
    return letter_context(LetterKind.REJECTED, **values)


# --- The default letters ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", list(LetterKind))
def test_default_template_validates_and_renders(kind, lang):
    subject, body = default_templates(kind, lang)
    validate_template(subject, body, kind)
    for with_feedback in (True, False):
        context = example_context(kind, with_feedback=with_feedback)
        letter = render_letter(subject, body, context)
        assert letter.subject and "\n" not in letter.subject
        assert context["founder_name"] in letter.text
        assert context["startup_name"] in letter.text or context["startup_name"] in letter.subject
        assert "{{" not in letter.text and "{%" not in letter.text and "}}" not in letter.text
        assert "\n\n\n" not in letter.text
        assert letter.html.startswith("<p>")
        for name in ("confirm_link", "offer_deadline", "next_stage_name"):
            if name in context:
                assert context[name] in letter.text + letter.subject, name
        feedback = example_context(kind).get("feedback") or []
        for item in feedback:
            assert (item in letter.text) is with_feedback or kind == LetterKind.PROMOTED_FROM_WAITLIST
        assert_no_reprs(letter.text)


def test_default_templates_are_in_their_language():
    en = default_templates(LetterKind.REJECTED, "en")[1]
    ru = default_templates(LetterKind.REJECTED, "ru_RU")[1]
    uz = default_templates(LetterKind.REJECTED, "uz")[1]
    assert "Dear" in en and "Здравствуйте" in ru and "Hurmatli" in uz
    assert default_templates(LetterKind.REJECTED, "de") == default_templates(LetterKind.REJECTED, "en")
    for kind in LetterKind:
        subject, body = default_templates(kind, "uz")
        # Uzbek Latin: oʻ and gʻ with the turned comma (U+02BB), never an ASCII apostrophe.
        assert not re.search(r"[OoGg]'", subject + body), kind
    assert any("ʻ" in "".join(default_templates(kind, "uz")) for kind in LetterKind)


# --- Placeholders and the context ---------------------------------------------------------------


def test_placeholders_are_documented_with_examples():
    for placeholder in PLACEHOLDERS.values():
        assert str(placeholder.description) and placeholder.example and placeholder.kinds
        assert placeholder.name in placeholder.usage
    assert "confirm_link" not in placeholder_names(LetterKind.REJECTED)
    assert "confirm_link" in placeholder_names(LetterKind.OFFER_REMINDER)
    assert "feedback" not in placeholder_names(LetterKind.OFFER_REMINDER)
    assert placeholder_names(LetterKind.ADVANCED) >= {"founder_name", "next_stage_name", "feedback"}


def test_letter_context_holds_only_plain_values_of_its_kind():
    context = rejected_context(confirm_link="https://x.example/offer", feedback=["  Good.\r\nTeam. ", "", "Market."])
    assert "confirm_link" not in context
    assert context["feedback"] == ["Good.\nTeam.", "Market."]
    assert all(isinstance(value, str) for name, value in context.items() if name != "feedback")


def test_letter_context_refuses_objects_and_missing_values():
    class Founder:
        name = "Dilnoza"

    with pytest.raises(TypeError):
        rejected_context(founder_name=Founder())
    with pytest.raises(TypeError):
        rejected_context(feedback="not a list")
    with pytest.raises(ValueError):
        letter_context(LetterKind.ACCEPTED_OFFER, founder_name="A", startup_name="B", program_name="C",
                       season_name="D", stage_name="E", application_link="https://x.example/", confirm_link="https://x")
    with pytest.raises(TypeError):
        render_letter("Hi", "{{ founder_name }}", {"founder_name": object()})


# --- Refusals when saving -----------------------------------------------------------------------


def test_unknown_placeholder_is_refused_with_its_line():
    errors = refusal("Decision", "Dear {{ founder_name }},\n\nYour {{ startup }} was reviewed.")
    assert list(errors) == ["body"]
    assert errors["body"][0].startswith("Line 3: ")
    assert "startup" in errors["body"][0] and "startup_name" in errors["body"][0]


def test_placeholder_of_another_kind_is_refused_with_its_line():
    errors = refusal("Decision", "Dear {{ founder_name }},\nConfirm: {{ confirm_link }}", LetterKind.REJECTED)
    assert errors["body"][0].startswith("Line 2: ") and "confirm_link" in errors["body"][0]
    validate_template("Decision", "Confirm: {{ confirm_link }} by {{ offer_deadline }}", LetterKind.ACCEPTED_OFFER)


def test_syntax_error_is_refused_with_its_line_and_jinja_text():
    errors = refusal("Decision", "Dear {{ founder_name }},\n\nThank you, {{ startup_name }")
    assert errors["body"][0].startswith("Line 3: ") and "unexpected '}'" in errors["body"][0]
    errors = refusal("Decision", "Hello\n{% if feedback %}\n{{ feedback|join }}\n")
    assert re.match(r"Line \d+: ", errors["body"][0])
    assert "endif" in errors["body"][0] or "end of template" in errors["body"][0]


def test_subject_errors_are_reported_under_subject():
    errors = refusal("{{ program_name: decision", "Dear {{ founder_name }}")
    assert list(errors) == ["subject"] and errors["subject"][0].startswith("Line 1: ")
    errors = refusal("Decision\non two lines", "Dear {{ founder_name }}")
    assert "single line" in errors["subject"][0]
    errors = refusal("{{ nope }}", "{{ also_nope }}")
    assert set(errors) == {"subject", "body"}


def test_template_that_fails_only_without_feedback_is_refused():
    errors = refusal("Decision", "Dear {{ founder_name }},\nFirst remark: {{ feedback[0] }}")
    assert errors["body"][0].startswith("Line 2, with no feedback: ")
    validate_template("Decision", "{% if feedback %}First remark: {{ feedback[0] }}{% endif %}Bye", LetterKind.REJECTED)


def test_too_long_and_empty_templates_are_refused():
    errors = refusal("Decision", "x" * 20_001)
    assert "too long" in errors["body"][0] and "20000" in errors["body"][0]
    errors = refusal("Decision", "{% if false %}{{ founder_name }}{% endif %}")
    assert "empty" in errors["body"][0]
    errors = refusal("Decision", "Dear {{ founder_name }},\nA bell\x07 rings")
    assert errors["body"][0].startswith("Line 2: ") and "control character" in errors["body"][0]


@pytest.mark.parametrize("body", [
    "{% set x = founder_name %}{{ x }}",
    "{% macro m() %}x{% endmacro %}{{ m() }}",
    "{% autoescape false %}{{ founder_name }}{% endautoescape %}",
    "{% with x = 1 %}{{ x }}{% endwith %}",
    "{% extends 'base.html' %}",
    "{% import 'x' as y %}",
    "{% from 'x' import y %}",
    "{% block b %}x{% endblock %}",
    "{% filter upper %}x{% endfilter %}",
])
def test_statements_other_than_if_and_for_are_refused(body):
    errors = refusal("Decision", "Dear {{ founder_name }},\n" + body)
    assert errors["body"][0].startswith("Line 2: ") and "{% if %}" in errors["body"][0]


@pytest.mark.parametrize("name", ["attr", "map", "select", "format", "tojson", "safe", "e", "pprint", "indent",
                                  "center", "groupby", "sum", "list", "string"])
def test_filters_outside_the_allowed_list_are_refused(name):
    assert name not in ALLOWED_FILTERS
    errors = refusal("Decision", "{{ founder_name|" + name + " }}")
    assert errors["body"][0].startswith("Line 1: ") and f"“{name}”" in errors["body"][0]


# --- The sandbox ------------------------------------------------------------------------------------

ATTACKS = [
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ self._TemplateReference__context }}",
    "{{ lipsum.__globals__ }}",
    "{% for i in range(10**9) %}x{% endfor %}",
    "{{ 'a' * 10**9 }}",
    "{% include 'x' %}",
    "{{ self }}",
    "{{ lipsum }}",
    "{{ namespace }}",
    "{{ cycler }}",
    "{{ joiner }}",
    "{{ range }}",
    "{{ dict(a=1) }}",
    "{{ config }}",
    "{{ request }}",
    "{{ founder_name.upper }}",
    "{{ founder_name['upper'] }}",
    "{{ founder_name.format(founder_name) }}",
    "{{ '%s' % founder_name }}",
    "{{ feedback.append('x') }}",
    "{{ feedback|join(attribute='__class__') }}",
    "{{ feedback|first|attr('__class__') }}",
    "{% for item in feedback %}{{ loop }}{% endfor %}",
    "{% for item in feedback %}{{ loop.cycle('a', 'b') }}{% endfor %}",
    "{% for item in feedback recursive %}{{ loop(item) }}{% endfor %}",
    "{{ {'a': 1} }}",
    "{{ _TemplateReference }}",
    "{{ (10**9)**9 }}",
    "{% for a in [1]*1000 %}{% for b in [1]*1000 %}{% endfor %}{% endfor %}",
    "{% for a in feedback %}{% for b in feedback %}{% for c in feedback %}x{% endfor %}{% endfor %}{% endfor %}",
    "{% for a in [1]*1000 %}{{ 'x' * 1000 }}{% endfor %}",
    "{{ founder_name|replace('', 'x' * 999)|replace('x', 'x' * 999) }}",
    "{{ feedback|join('x' * 999)|replace('x', 'xxxxxxxxxx')|replace('x', 'xxxxxxxxxx') }}",
    "{{ founder_name|wordwrap(1, wrapstring='x' * 999)|wordwrap(1, wrapstring='x' * 999) }}",
    "{{ " + "(" * 400 + "1" + ")" * 400 + " }}",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_sandbox_refuses_template_without_running_it(attack):
    started = time.monotonic()
    body = "Dear {{ founder_name }},\n" + attack
    errors = refusal("Decision", body)
    assert list(errors) == ["body"]
    assert_no_reprs(errors["body"][0], attack)
    with pytest.raises(RuleViolation) as caught:
        render_letter("Decision", body, example_context(LetterKind.REJECTED))
    assert_no_reprs(caught.value.errors["body"][0], attack)
    assert time.monotonic() - started < 5


def test_sandbox_violation_message_names_what_was_refused():
    errors = refusal("Decision", "Hello\n{{ ''.__class__ }}")
    assert errors["body"][0] == ("Line 2: This template tries to reach something that is not allowed: "
                                 "“.__class__”.")


@pytest.mark.parametrize("source", ["{{ ''.__class__ }}", "{{ ''['__class__'] }}", "{{ x.__globals__ }}",
                                    "{{ x(1) }}", "{{ self }}", "{{ cycler }}", "{{ range(3) }}", "{{ self ~ '' }}",
                                    "{{ self|upper }}", "{{ [self]|join }}", "{{ self|truncate(3) }}",
                                    "{{ x|replace('a', 'b') }}", "{% for i in [1] %}{{ loop ~ '' }}{% endfor %}"])
def test_environment_itself_refuses_python_internals(source):
    """Defence in depth: without the static check, the environment still refuses at run time."""
    def x(value):
        return value

    template = sandbox.ENV.from_string(sandbox._Rewrite().visit(sandbox.ENV.parse(source)))
    with pytest.raises(TemplateError) as caught:  # SecurityError or UndefinedError
        template.render(x=x)
    assert_no_reprs(str(caught.value), source)


def test_allowed_expressions_render():
    context = example_context(LetterKind.REJECTED)
    body = ("{{ founder_name|upper }}|{{ startup_name|lower }}|{{ '-' * 3 }}|{{ feedback|length }}|"
            "{{ feedback[0]|truncate(9, true, '') }}|{{ founder_name[0] }}|{{ stage_name|replace('Screen', 'Interview') }}|"
            "{% if feedback|length > 1 and 'InnoX' in program_name %}many{% else %}few{% endif %}|"
            "{{ season_name|default('x') }}|{{ feedback|last|wordwrap(40)|trim|capitalize|title|first }}|"
            "{% for item in feedback %}{{ loop.index }}/{{ loop.length }}{% if not loop.last %},{% endif %}{% endfor %}")
    text = render_letter("Decision", body, context).text
    assert text == "DILNOZA KARIMOVA|agrosense|---|2|A clear p|D|Interviewing|many|Season 3, 2025|S|1/2,2/2"


# --- Text and HTML --------------------------------------------------------------------------------


def test_founder_name_is_escaped_in_html_and_kept_in_text():
    context = rejected_context(founder_name="<script>alert(1)</script>", startup_name='"Agro" & <b>Sense</b>')
    letter = render_letter("Decision for {{ startup_name }}", "Dear {{ founder_name }},\n\n{{ startup_name }}", context)
    assert "<script>alert(1)</script>" in letter.text
    assert '"Agro" & <b>Sense</b>' in letter.text
    assert letter.subject == 'Decision for "Agro" & <b>Sense</b>'
    assert "<script>" not in letter.html and "<b>" not in letter.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in letter.html
    assert "&#34;Agro&#34; &amp; &lt;b&gt;Sense&lt;/b&gt;" in letter.html


def test_template_text_is_plain_text_in_html_too():
    letter = render_letter("Hi", "<b>Bold?</b> <a href='javascript:alert(1)'>x</a>", rejected_context())
    assert "<b>" not in letter.html and "<a href='javascript" not in letter.html
    assert "&lt;b&gt;Bold?&lt;/b&gt;" in letter.html


def test_html_has_paragraphs_line_breaks_and_links():
    html = text_to_html("Dear A,\n\nLine one\nLine two: https://x.example/a?b=1&c=2.\n\n\nBye javascript:alert(1)")
    assert html == ('<p>Dear A,</p>\n'
                    '<p>Line one<br>\nLine two: <a href="https://x.example/a?b=1&amp;c=2">'
                    'https://x.example/a?b=1&amp;c=2</a>.</p>\n'
                    '<p>Bye javascript:alert(1)</p>')


def test_feedback_renders_with_join_and_with_a_loop():
    context = rejected_context(feedback=["Strong team.", "Weak <market> analysis."])
    joined = render_letter("Hi", "Feedback: {{ feedback|join('; ') }}", context)
    assert joined.text == "Feedback: Strong team.; Weak <market> analysis."
    looped = render_letter("Hi", "Feedback:\n{% for item in feedback %}\n{{ loop.index }}. {{ item }}\n{% endfor %}\nBye",
                           context)
    assert looped.text == "Feedback:\n1. Strong team.\n2. Weak <market> analysis.\nBye"
    assert "2. Weak &lt;market&gt; analysis." in looped.html
    printed = render_letter("Hi", "{{ feedback }}", context)
    assert printed.text == "Strong team.\nWeak <market> analysis."
    empty = render_letter("Hi", "A{% for item in feedback %}{{ item }}{% else %} (no feedback){% endfor %}",
                          rejected_context(feedback=[]))
    assert empty.text == "A (no feedback)"


def test_subject_is_one_line_and_cut_when_long():
    context = rejected_context(startup_name="Agro\nSense  " + "x" * 400)
    letter = render_letter("  {{ program_name }}:   {{ startup_name }}  ", "Hi", context)
    assert "\n" not in letter.subject and letter.subject.startswith("InnoX: Agro Sense x")
    assert len(letter.subject) == 250 and letter.subject.endswith("…")


def test_runtime_errors_carry_the_line():
    with pytest.raises(RuleViolation) as caught:
        render_letter("Hi", "a\nb\n\n{{ feedback[5] }}", rejected_context())
    assert caught.value.errors["body"][0].startswith("Line 4: ")
