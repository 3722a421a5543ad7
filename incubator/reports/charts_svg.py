"""The report's three kinds of chart drawn directly as SVG: rectangles, lines and text, in points
(1/72 inch), so a chart costs well under a millisecond instead of matplotlib's half a second (a
report draws about ten; the worker no longer imports matplotlib at all).

Every bar carries its number, so the value axes are plain lines without ticks. What each function
returns is a raw <svg> document for incubator.reports.charts.clean_svg, which
adds the title and description, the ids and the accessibility attributes. Text is escaped here and
stays text; no style attribute or element is written (presentation attributes only, allowed by a
strict Content-Security-Policy). Numbers are formatted by incubator.reports.formatting in the
current language; `fmt.SUPPRESSED` is drawn for a hidden value, with no bar."""
from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from incubator.reports import formatting as fmt

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "DejaVu Sans, Noto Sans, Arial, sans-serif"
AXIS_COLOUR = "#6c757d"
TEXT_COLOUR = "#212529"
WIDE = 468.0  # 6.5 in, as wide as the report's text column


def text_width(text: str, size: float) -> float:
    """An estimate of the width of `text` in DejaVu Sans (wide enough for most Latin and Cyrillic)."""
    return len(text) * size * 0.62


class Canvas:
    def __init__(self, width: float, height: float):
        self.width, self.height = width, height
        self.parts: list[str] = []

    def rect(self, x: float, y: float, w: float, h: float, fill: str) -> None:
        if w > 0 and h > 0:
            self.parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}"/>')

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: str = AXIS_COLOUR) -> None:
        self.parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
                          'stroke-width="0.8"/>')

    def text(self, x: float, y: float, text: str, *, size: float = 9, anchor: str = "start",
             rotate: bool = False) -> None:
        """`y` is the text's middle (the baseline is put a third of the size below it)."""
        baseline = y + size * 0.35
        turn = f' transform="rotate(-90 {x:.1f} {y:.1f})"' if rotate else ""
        self.parts.append(f'<text x="{x:.1f}" y="{baseline:.1f}" font-size="{size:g}" text-anchor="{anchor}"{turn}>'
                          f"{escape(text)}</text>")

    def svg(self) -> str:
        w, h = self.width, self.height
        return (f'<svg xmlns="{SVG_NS}" width="{w:.1f}pt" height="{h:.1f}pt" viewBox="0 0 {w:.1f} {h:.1f}" '
                f'font-family="{FONT}" fill="{TEXT_COLOUR}">' + "".join(self.parts) + "</svg>")


def _baseline(c: Canvas, left: float, base: float, right: float) -> None:
    """The value axis as a plain line: every bar carries its own number, so no ticks are drawn (fewer
    text elements, which are what costs most when WeasyPrint draws a chart)."""
    c.line(left, base, right, base)


def horizontal_bars(labels: Sequence[str], values: Sequence[int], value_labels: Sequence[str], *, colour: str,
                    xlabel: str = "") -> str:
    """One bar per label, top to bottom, each with its value written after it."""
    n = max(1, len(labels))
    c = Canvas(WIDE, (0.6 + 0.32 * n) * 72)
    left = min(WIDE * 0.42, max((text_width(label, 9) for label in labels), default=0) + 8) + 4
    right, top_pad, bottom = WIDE - 10, 6.0, 8.0 + (14 if xlabel else 0)
    base = c.height - bottom
    row = (base - top_pad) / n
    most = max(values, default=0) or 1
    scale = (right - left) / (most * 1.18)
    for i, (label, value, text) in enumerate(zip(labels, values, value_labels, strict=True)):
        middle = top_pad + row * (i + 0.5)
        height = row * 0.65
        c.rect(left, middle - height / 2, value * scale, height, colour)
        c.text(left + value * scale + most * 0.01 * scale, middle, text, size=8)
        c.text(left - 5, middle, label, anchor="end")
    c.line(left, top_pad, left, base)
    _baseline(c, left, base, right)
    if xlabel:
        c.text(left + (right - left) / 2, c.height - 8, xlabel, anchor="middle")
    return c.svg()


def vertical_bars(points: Sequence[int], counts: Sequence[int], *, colour: str, xlabel: str, ylabel: str) -> str:
    """A histogram: one bar per point of a scale, its count above it."""
    n = max(1, len(points))
    c = Canvas(min(6.5, max(3.2, 0.42 * n + 1.4)) * 72, 2.4 * 72)
    most = max(counts, default=0) or 1
    left = 20.0
    right, top_pad, base = c.width - 6, 8.0, c.height - 32
    slot = (right - left) / n
    scale = (base - top_pad) / (most * 1.2)
    for i, (point, count) in enumerate(zip(points, counts, strict=True)):
        middle = left + slot * (i + 0.5)
        c.rect(middle - slot * 0.35, base - count * scale, slot * 0.7, count * scale, colour)
        c.text(middle, base - count * scale - 6, fmt.count(count), size=8, anchor="middle")
        c.text(middle, base + 10, fmt.count(point), size=8, anchor="middle")
    _baseline(c, left, base, right)
    c.text(left + (right - left) / 2, c.height - 7, xlabel, anchor="middle")
    c.text(8, top_pad + (base - top_pad) / 2, ylabel, anchor="middle", rotate=True)
    return c.svg()


def paired_bars(labels: Sequence[str], first: Sequence[int | None], second: Sequence[int | None], *,
                colours: tuple[str, str], names: tuple[str, str]) -> str:
    """Two bars per label (e.g. applied and selected), with a legend above; None draws no bar and the
    suppression mark instead of a number."""
    n = max(1, len(labels))
    c = Canvas(WIDE, (0.8 + 0.42 * n) * 72)
    left = min(WIDE * 0.42, max((text_width(label, 9) for label in labels), default=0) + 8) + 4
    right, top_pad, base = WIDE - 10, 22.0, c.height - 8
    x = left
    for colour, name in zip(colours, names, strict=True):
        c.rect(x, 5, 9, 9, colour)
        c.text(x + 13, 9.5, name, size=8)
        x += 13 + text_width(name, 8) + 16
    row = (base - top_pad) / n
    most = max([v for v in [*first, *second] if v is not None], default=0) or 1
    scale = (right - left) / (most * 1.18)
    for i, label in enumerate(labels):
        middle = top_pad + row * (i + 0.5)
        for offset, values, colour in ((-0.2, first, colours[0]), (0.2, second, colours[1])):
            value = values[i]
            y = middle + offset * row
            height = row * 0.38
            c.rect(left, y - height / 2, (value or 0) * scale, height, colour)
            text = fmt.SUPPRESSED if value is None else fmt.count(value)
            c.text(left + (value or 0) * scale + most * 0.01 * scale, y, text, size=7)
        c.text(left - 5, middle, label, anchor="end")
    c.line(left, top_pad, left, base)
    _baseline(c, left, base, right)
    return c.svg()
