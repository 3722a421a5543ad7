"""The sandbox letter templates run in: Jinja's ImmutableSandboxedEnvironment, narrowed further.

The template language is Jinja with `{{ placeholder }}`, `{% if %}` and `{% for %}` and a few
filters; templates are plain text (the HTML version is made from the rendered text, escaped).
A template is checked twice: statically, when it is compiled (what a manager sees as an error
with a line number when saving), and at run time by the environment (defence in depth):

- no loader, no globals (`range`, `cycler`, `joiner`, `lipsum`, `namespace`, `dict` are gone),
  so `{% include %}`/`{% import %}`/`{% extends %}` cannot load anything; the static check
  refuses every statement except `if` and `for` (no `set`, `with`, `macro`, `call`,
  `autoescape`, ...), every call, dict literal, attribute access and `self`;
- attributes: only `loop.index`, `loop.first`, ... (LOOP_ATTRIBUTES); subscripts: only an int
  or a slice on a string or list (`feedback[0]`); everything else is undefined with a
  SecurityError, which StrictUndefined raises as soon as the value is used;
- only the filters and tests in ALLOWED_FILTERS / ALLOWED_TESTS exist;
- printing anything but a string, a number or a list is refused (no object repr ever reaches a
  letter);
- size and work are bounded: template length (checked by the caller), `*`, `+` and `~`
  results (`~` runs through a checking filter), `**` and big integers, `replace`/`join`/
  `wordwrap` results, the rendered output, the number of loop iterations in one rendering
  (every `for` iterates through a counting filter), and loops nest two deep at most.

Every compiled template goes through the static check and the rewrite (`compile_letter` is the
only way in). At run time, too, a value becomes text only through `_finalize` (printing, `~`, and
the input of every string filter), so no object's repr can reach a letter.
"""
from __future__ import annotations

import contextvars
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined, nodes
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError
from jinja2.filters import FILTERS as JINJA_FILTERS
from jinja2.filters import do_replace, do_wordwrap
from jinja2.runtime import LoopContext, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.tests import TESTS as JINJA_TESTS
from jinja2.utils import pass_environment, pass_eval_context
from jinja2.visitor import NodeTransformer

MAX_OUTPUT_CHARS = 50_000    # one rendered letter, and any text built while rendering it
MAX_REPEAT = 1_000           # 'text' * n and [list] * n
MAX_LOOP_ITEMS = 10_000      # loop iterations in one rendering, all loops together
MAX_LOOP_DEPTH = 2
MAX_INT_BITS = 256

LOOP_ATTRIBUTES = frozenset({"index", "index0", "revindex", "revindex0", "first", "last", "length"})
ALLOWED_FILTERS = ("upper", "lower", "title", "capitalize", "trim", "default", "d", "join", "length",
                   "first", "last", "replace", "truncate", "wordwrap")
ALLOWED_TESTS = ("defined", "undefined", "none", "number", "string", "even", "odd", "divisibleby",
                 "eq", "ne", "lt", "le", "gt", "ge", "in", "==", "!=", "<", "<=", ">", ">=")

_ITER_FILTER = "_letter_loop"  # not in ALLOWED_FILTERS: added by `_Rewrite` only
_CONCAT_FILTER = "_letter_concat"

_STATEMENTS = ((nodes.Include, "include"), (nodes.Import, "import"), (nodes.FromImport, "from"),
               (nodes.Extends, "extends"), (nodes.Block, "block"), (nodes.Macro, "macro"),
               (nodes.CallBlock, "call"), (nodes.FilterBlock, "filter"), (nodes.With, "with"),
               (nodes.Assign, "set"), (nodes.AssignBlock, "set"), (nodes.EvalContextModifier, "autoescape"),
               (nodes.ExprStmt, "do"), (nodes.Continue, "continue"), (nodes.Break, "break"))

_ALLOWED_NODES = (nodes.Template, nodes.Scope, nodes.Output, nodes.TemplateData, nodes.If, nodes.For, nodes.Name,
                  nodes.Getattr, nodes.Const, nodes.List, nodes.Tuple, nodes.Getitem, nodes.Slice, nodes.Filter, nodes.Test,
                  nodes.CondExpr, nodes.BinExpr, nodes.UnaryExpr, nodes.Compare, nodes.Operand, nodes.Concat,
                  nodes.Keyword)

MESSAGES = {  # the refusals without variables
    "nested": _l("The template is nested too deeply."),
    "too_big": _l("A number or a repeated text in this template is too large."),
    "loops": _l("The loops in this template repeat too many times."),
}


class LetterTemplateError(Exception):
    """A template that cannot be compiled or rendered: `message` is for the manager (lazy or
    plain text), `lineno` the template line when known."""

    def __init__(self, message, lineno: int | None = None):
        super().__init__(str(message))
        self.message = message
        self.lineno = lineno


class _Refused(SecurityError):
    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


class _TooMuch(Exception):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


# --- The environment ------------------------------------------------------------------------------

_budget: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("letter_loop_budget", default=None)


def _loop(value):
    """Every `{% for %}` iterates through this: it counts iterations against the rendering's budget."""
    budget = _budget.get()
    if budget is None:
        budget = [MAX_LOOP_ITEMS]
    for item in value:
        budget[0] -= 1
        if budget[0] < 0:
            raise _TooMuch("loops")
        yield item


def _check_size(size: int) -> None:
    if size > MAX_OUTPUT_CHARS:
        raise _TooMuch("too_long")


def _as_text(value) -> str:
    return str(_finalize(value))


def _concat(left, right) -> str:
    """`a ~ b ~ c` runs as `(a|_concat(b))|_concat(c)`: bounded, and only plain values."""
    left, right = _as_text(left), _as_text(right)
    _check_size(len(left) + len(right))
    return left + right


@pass_eval_context
def _replace(eval_ctx, s, old, new, count=None):
    s, old, new = _as_text(s), _as_text(old), _as_text(new)
    times = s.count(old) if old else len(s) + 1
    if count is not None and count >= 0:
        times = min(times, count)
    _check_size(len(s) + times * max(0, len(new) - len(old)))
    return do_replace(eval_ctx, s, old, new, count)


@pass_eval_context
def _join(eval_ctx, value, d="", attribute=None):
    if attribute is not None:
        raise _Refused("join(attribute=…)")
    items, d = [_as_text(item) for item in value], _as_text(d)
    _check_size(sum(map(len, items)) + len(d) * max(0, len(items) - 1))
    return d.join(items)


def _text_filter(name: str):
    """A string filter whose input is converted like printed output (so never an object's repr)."""
    original = JINJA_FILTERS[name]

    if name == "truncate":
        @pass_environment
        def truncate(environment, value, *args, **kwargs):
            return original(environment, _as_text(value), *args, **kwargs)
        return truncate

    def text_filter(value, *args, **kwargs):
        return original(_as_text(value), *args, **kwargs)
    return text_filter


@pass_environment
def _wordwrap(environment, s, width=79, break_long_words=True, wrapstring=None, break_on_hyphens=True):
    s = _as_text(s)
    wrap = environment.newline_sequence if wrapstring is None else str(wrapstring)
    lines = len(s) // max(1, int(width)) + s.count("\n") + 1
    _check_size(len(s) + lines * len(wrap))
    return do_wordwrap(environment, s, width, break_long_words, wrapstring, break_on_hyphens)


def _finalize(value):
    """What `{{ ... }}` may print: text, numbers, lists of them (one per line); nothing else."""
    if isinstance(value, Undefined):
        return str(value)  # StrictUndefined: raises
    if value is None:
        return ""
    if isinstance(value, str | int | float):
        return value
    if isinstance(value, list | tuple):
        return "\n".join(str(_finalize(item)) for item in value)
    raise _Refused("{{ … }}")


class LetterEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def __init__(self):
        super().__init__(loader=None, autoescape=False, undefined=StrictUndefined, finalize=_finalize,
                         trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, auto_reload=False,
                         cache_size=0)
        self.globals.clear()
        self.filters = {name: JINJA_FILTERS[name] for name in ALLOWED_FILTERS}
        self.filters.update({name: _text_filter(name) for name in ("upper", "lower", "title", "capitalize", "trim",
                                                                   "truncate")})
        self.filters.update(replace=_replace, join=_join, wordwrap=_wordwrap)
        self.filters.update({_ITER_FILTER: _loop, _CONCAT_FILTER: _concat})
        self.tests = {name: JINJA_TESTS[name] for name in ALLOWED_TESTS}

    def is_safe_attribute(self, obj, attr, value) -> bool:
        return isinstance(obj, LoopContext) and attr in LOOP_ATTRIBUTES

    def is_safe_callable(self, obj) -> bool:
        return False

    def getattr(self, obj, attribute):
        if isinstance(obj, LoopContext) and attribute in LOOP_ATTRIBUTES:
            return getattr(obj, attribute)
        return self.unsafe_undefined(obj, attribute)

    def getitem(self, obj, argument):
        if isinstance(obj, LoopContext) and isinstance(argument, str):
            return self.getattr(obj, argument)
        if isinstance(obj, str | list | tuple) and isinstance(argument, int | slice) and not isinstance(argument, bool):
            try:
                return obj[argument]
            except IndexError:
                return self.undefined(obj=obj, name=argument)
        return self.unsafe_undefined(obj, str(argument)[:40])

    def call(self, *args, **kwargs):
        raise _Refused("()")

    def call_binop(self, context, operator, left, right):
        if operator == "%" and isinstance(left, str):
            raise _Refused("%")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) and len(seq) * times > MAX_REPEAT:
                    raise _TooMuch("too_big")
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise _TooMuch("too_big")
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            if max(1, left.bit_length()) * right > MAX_INT_BITS:
                raise _TooMuch("too_big")
        if operator == "+" and isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
            _check_size(len(left) + len(right))
        return super().call_binop(context, operator, left, right)


ENV = LetterEnvironment()


# --- The static check -------------------------------------------------------------------------------


def _not_allowed(what: str, lineno: int | None) -> LetterTemplateError:
    return LetterTemplateError(_l("This template tries to reach something that is not allowed: “%(what)s”.",
                                  what=what), lineno)


def _refuse(node: nodes.Node, what: str):
    raise _not_allowed(what, node.lineno)


def _check(template: nodes.Template) -> tuple[tuple[str, int], ...]:
    """Refuse what letters may not do; wrap every loop's iterable in the counting filter. Returns
    the free names the template reads, with their lines (loop variables left out)."""
    reads: list[tuple[str, int]] = []
    bound: set[str] = set()
    stack: list[tuple[nodes.Node, int]] = [(template, 0)]
    while stack:
        node, depth = stack.pop()
        tag = next((tag for cls, tag in _STATEMENTS if isinstance(node, cls)), None)
        if tag:
            raise LetterTemplateError(_l("{%% %(tag)s %%} is not available in letters: use {%% if %%} and "
                                         "{%% for %%} only.", tag=tag), node.lineno)
        if not isinstance(node, _ALLOWED_NODES):
            if isinstance(node, nodes.Call):
                callee = node.node
                name = callee.name if isinstance(callee, nodes.Name) else "." + callee.attr if isinstance(
                    callee, nodes.Getattr) else ""
                _refuse(node, f"{name}()")
            _refuse(node, "{…}" if isinstance(node, nodes.Dict) else type(node).__name__)
        children = list(node.iter_child_nodes())
        if isinstance(node, nodes.Name):
            if node.name in ("self", "loop") or node.name.startswith("_"):
                _refuse(node, node.name)
            if node.ctx == "load":
                reads.append((node.name, node.lineno))
            else:
                bound.add(node.name)
        elif isinstance(node, nodes.Getattr):
            if not (isinstance(node.node, nodes.Name) and node.node.name == "loop" and node.attr in LOOP_ATTRIBUTES):
                _refuse(node, "." + node.attr)
            children = []
        elif isinstance(node, nodes.Filter | nodes.Test):
            allowed = ALLOWED_FILTERS if isinstance(node, nodes.Filter) else ALLOWED_TESTS
            if node.name not in allowed:
                message = (_l("Unknown filter “%(name)s”. Available filters: %(names)s.", name=node.name,
                              names=", ".join(allowed)) if isinstance(node, nodes.Filter)
                           else _l("Unknown test “%(name)s”. Available tests: %(names)s.", name=node.name,
                                   names=", ".join(allowed)))
                raise LetterTemplateError(message, node.lineno)
            if node.dyn_args is not None or node.dyn_kwargs is not None:
                _refuse(node, "*args")
        elif isinstance(node, nodes.For):
            if node.recursive:
                _refuse(node, "recursive")
            depth += 1
            if depth > MAX_LOOP_DEPTH:
                raise LetterTemplateError(_l("Loops can be nested two deep at most."), node.lineno)
        stack.extend((child, depth) for child in reversed(children))
    return tuple((name, line) for name, line in reads if name not in bound)


class _Rewrite(NodeTransformer):
    """After the check: every loop iterates through the counting filter, every `~` concatenates
    through the bounded one."""

    def visit_For(self, node: nodes.For) -> nodes.For:
        node = self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, _ITER_FILTER, [], [], None, None, lineno=node.iter.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Expr:
        node = self.generic_visit(node)
        result = node.nodes[0]
        for operand in node.nodes[1:]:
            result = nodes.Filter(result, _CONCAT_FILTER, [operand], [], None, None, lineno=node.lineno)
        return result


@dataclass(frozen=True)
class CompiledLetter:
    template: object  # jinja2.Template
    reads: tuple[tuple[str, int], ...]  # (placeholder, line) in source order

    def render(self, context: dict) -> str:
        """Render with the loop budget and the output limit; errors become LetterTemplateError."""
        token = _budget.set([MAX_LOOP_ITEMS])
        out: list[str] = []
        size = 0
        try:
            for chunk in self.template.generate(context):
                size += len(chunk)
                _check_size(size)
                out.append(chunk)
        except _TooMuch as exc:
            raise _problem(exc.key, _template_line(exc)) from None
        except SecurityError as exc:
            raise _not_allowed(getattr(exc, "what", None) or _unsafe_name(exc), _template_line(exc)) from None
        except TemplateError as exc:
            raise LetterTemplateError(exc.message or type(exc).__name__, _template_line(exc)) from None
        except RecursionError:
            raise _problem("nested", None) from None
        except Exception as exc:  # TypeError, ZeroDivisionError, ValueError... from an expression
            raise LetterTemplateError(f"{type(exc).__name__}: {str(exc)[:200]}", _template_line(exc)) from None
        finally:
            _budget.reset(token)
        return "".join(out)


def _problem(key: str, lineno: int | None) -> LetterTemplateError:
    if key == "too_long":
        message = _l("The letter would be too long: at most %(max)d characters.", max=MAX_OUTPUT_CHARS)
    else:
        message = MESSAGES[key]
    return LetterTemplateError(message, lineno)


def _template_line(exc: BaseException) -> int | None:
    """The template line of a run-time error: Jinja rewrites the traceback so that the template's
    frames carry its file name ('<template>') and line."""
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _unsafe_name(exc: SecurityError) -> str:
    # Jinja's own message: "access to attribute '__class__' of 'str' object is unsafe."
    text = str(exc)
    if text.startswith("access to attribute '"):
        return "." + text.split("'")[1]
    return "…"


@lru_cache(maxsize=512)
def compile_letter(source: str) -> CompiledLetter:
    """Parse, check and compile a template (cached by source). Raises LetterTemplateError."""
    try:
        tree = ENV.parse(source)
        reads = _check(tree)
        tree = _Rewrite().visit(tree)
        tree.set_environment(ENV)
        template = ENV.from_string(tree)
    except TemplateSyntaxError as exc:
        raise LetterTemplateError(exc.message or "syntax error", exc.lineno) from None
    except (RecursionError, SyntaxError, MemoryError, ValueError):  # Python's limits on the generated code
        raise _problem("nested", None) from None
    return CompiledLetter(template, reads)
