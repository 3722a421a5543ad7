"""Bar charts for the dashboard as plain geometry: the template draws them as inline SVG with
presentation attributes only (fill, stroke: allowed under the strict Content-Security-Policy), with a
<title> and a <desc> that say every number the chart shows. Cheap: no plotting library per request."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _

from incubator.dashboard import formatting
from incubator.dashboard.types import Dashboard

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 96, 12, 28, 56
APPLIED_COLOUR = "#1f5fa8"    # blue
SELECTED_COLOUR = "#c2571a"   # dark orange, tells apart from the blue for colour-blind readers
MONEY_COLOUR = "#1e7a46"      # green
GRID_COLOUR = "#dee2e6"
AXIS_COLOUR = "#6c757d"
TEXT_COLOUR = "#212529"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    text: str          # the value as printed above the bar
    title: str         # tooltip: series and value


@dataclass(frozen=True)
class Group:
    lines: list[str]   # the group's label, wrapped
    x: float           # centre
    bars: list[Bar]


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class BarChart:
    key: str
    title: str
    description: str
    width: int
    height: int
    left: int
    right: int
    baseline: float
    groups: list[Group]
    ticks: list[Tick]
    legend: list[tuple[str, str]]  # (label, colour)


def nice_step(top: float, ticks: int = 4) -> float:
    """A step of 1, 2 or 5 times a power of ten giving about `ticks` steps up to `top`."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * power >= raw:
            return m * power
    return 10 * power


def wrap(label: str, width: int = 18) -> list[str]:
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return lines[:2] if len(lines) <= 2 else [lines[0], " ".join(lines[1:])]


def bar_chart(key: str, title: str, groups: Sequence[tuple[str, Sequence[float | None]]],
              series: Sequence[tuple[str, str]], fmt: Callable[[float], str], whole: bool = True,
              missing: str = "–") -> BarChart:
    """Grouped bars: one group per label, one bar per series (label, colour) in each group. A value
    of None draws no bar and prints `missing`."""
    top = max([v for _, values in groups for v in values if v is not None] + [0])
    step = nice_step(top)
    if whole:
        step = max(1.0, float(math.ceil(step)))
    scale_top = step * max(1, math.ceil(top / step)) if top > 0 else step
    plot_h = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_h
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(groups))
    bar_w = min(48.0, slot * 0.7 / max(1, len(series)))
    out, words = [], []
    for i, (label, values) in enumerate(groups):
        centre = LEFT + slot * (i + 0.5)
        start = centre - bar_w * len(series) / 2
        bars = []
        for j, ((name, colour), value) in enumerate(zip(series, values, strict=True)):
            h = plot_h * value / scale_top if value is not None else 0
            text = fmt(value) if value is not None else missing
            bars.append(Bar(round(start + j * bar_w, 1), round(baseline - h, 1), round(bar_w - 2, 1), round(h, 1),
                            colour, text, f"{name}: {text}"))
        out.append(Group(wrap(label), round(centre, 1), bars))
        words.append(_("%(group)s: %(values)s", group=label,
                       values=", ".join(f"{name} {fmt(v) if v is not None else missing}"
                                        for (name, _c), v in zip(series, values, strict=True))))
    ticks = [Tick(round(baseline - plot_h * k * step / scale_top, 1), fmt(k * step))
             for k in range(int(round(scale_top / step)) + 1)]
    return BarChart(key, title, "; ".join(words) + ".", WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, baseline, out, ticks,
                    list(series))


def dashboard_charts(dashboard: Dashboard) -> list[BarChart]:
    """Applications and selection per season; investment per season in UZS (where it converts)."""
    seasons = dashboard.seasons
    if not seasons:
        return []
    charts = [bar_chart(
        "chart-applications", _("Applications and selected startups per season, by opening date"),
        [(s.name, [s.funnel.applications, s.funnel.selected]) for s in seasons],
        [(_("Applications"), APPLIED_COLOUR), (_("Selected"), SELECTED_COLOUR)],
        lambda v: formatting.count(int(v)))]
    if dashboard.total.outcomes:
        def uzs(v: float) -> str:
            return formatting.readable(Decimal(str(v)), "UZS")
        charts.append(bar_chart(
            "chart-investment", _("Investment raised per season, in UZS"),
            [(s.name, [None if s.funnel.total_uzs is None else float(s.funnel.total_uzs)]) for s in seasons],
            [(_("Investment (UZS)"), MONEY_COLOUR)], uzs, whole=False,
            missing=_("not converted: an exchange rate is missing")))
    return charts
