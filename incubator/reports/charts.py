"""Server-rendered SVG charts for season reports, drawn as plain SVG (incubator.reports.charts_svg)
from aggregates only, so their cost does not grow with the number of applications.

Each chart comes with its text alternative: a title and a description that lists every number the
chart shows (read by screen readers through the SVG's <title>/<desc>, and printed under it).

The SVG is made safe for a page under a strict Content-Security-Policy and for inlining several
charts in one document (`clean_svg`, which would also clean an SVG drawn elsewhere): text stays
text, output is deterministic, any <style> element, metadata and comments are dropped, every
`style="..."` attribute becomes SVG presentation attributes (which CSP does not block), and every id
is prefixed with the chart's key so two charts never share an id. Text (labels, titles) is escaped
by the XML serializer, never interpreted.

Callers set the language (flask_babel.force_locale); every label passed in is already translated."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from incubator.reports import charts_svg as draw
from incubator.reports import formatting as fmt

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

APPLIED_COLOUR = "#1f5fa8"   # blue
SELECTED_COLOUR = "#c2571a"  # dark orange: distinct for colour-blind readers, 4.5:1 on white
BAR_COLOUR = "#1f5fa8"
TEXT_COLOUR = "#212529"

PRESENTATION = {
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linejoin", "stroke-linecap",
    "stroke-opacity", "stroke-dasharray", "stroke-dashoffset", "stroke-miterlimit", "opacity", "font-size",
    "font-family", "font-weight", "font-style", "font-variant", "text-anchor", "dominant-baseline",
    "letter-spacing", "clip-path", "visibility", "display",
}
_URL_REF = re.compile(r"url\(#([^)]+)\)")
_KEY_SAFE = re.compile(r"[^a-z0-9-]+")


@dataclass(frozen=True)
class Chart:
    key: str            # unique in a document; prefixes the SVG's ids
    title: str
    description: str    # every number the chart shows, in words
    svg: Markup         # the cleaned <svg> element, with <title> and <desc>


def chart_key(*parts) -> str:
    return "chart-" + "-".join(_KEY_SAFE.sub("-", str(p).lower()).strip("-") or "x" for p in parts)


# --- Cleaning an SVG ----------------------------------------------------------------------------------


def _tag(name: str) -> str:
    return f"{{{SVG_NS}}}{name}"


def _move_style(el: ET.Element) -> None:
    style = el.attrib.pop("style", None)
    if not style:
        return
    for declaration in style.split(";"):
        prop, _sep, value = declaration.partition(":")
        prop, value = prop.strip().lower(), value.strip()
        if not prop or not value:
            continue
        if prop == "white-space":
            el.set(f"{{{XML_NS}}}space", "preserve")
        elif prop in PRESENTATION and prop not in el.attrib:
            el.set(prop, value)


def clean_svg(raw: str | bytes, *, key: str, title: str, description: str) -> Markup:
    """An SVG document -> one safe, self-contained, accessible <svg> element."""
    root = ET.fromstring(raw.encode("utf-8") if isinstance(raw, str) else raw)  # drops comments and DOCTYPE
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (_tag("metadata"), _tag("style"), _tag("script"), _tag("foreignObject")):
                parent.remove(child)
    for defs in list(root.iter(_tag("defs"))):
        if len(defs) == 0:
            for parent in root.iter():
                if defs in list(parent):
                    parent.remove(defs)
                    break
    referenced = set()
    for el in root.iter():
        for value in el.attrib.values():
            if value.startswith("#"):
                referenced.add(value[1:])
            referenced.update(_URL_REF.findall(value))
    for el in root.iter():
        _move_style(el)
        if el.get("id") is not None and el.get("id") not in referenced:
            del el.attrib["id"]  # only referenced ids are kept
        for attr in [a for a in el.attrib if a.startswith("on")]:
            del el.attrib[attr]
        if "id" in el.attrib:
            el.set("id", f"{key}-{el.get('id')}")
        for name in (f"{{{XLINK_NS}}}href", "href"):
            value = el.attrib.pop(name, None)
            if value and value.startswith("#"):  # nothing outside the chart is referenced
                el.set("href", f"#{key}-{value[1:]}")  # SVG 2 href: no xlink namespace needed
        for name, value in list(el.attrib.items()):
            if "url(#" in value:
                el.set(name, _URL_REF.sub(lambda m: f"url(#{key}-{m.group(1)})", value))
    # What the dropped <style> said, as inherited presentation attributes.
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    root.attrib.pop("height", None)
    root.set("width", "100%")
    root.set("role", "img")
    root.set("id", key)
    root.set("class", "report-chart")
    root.set("aria-labelledby", f"{key}-title {key}-desc")
    title_el = ET.Element(_tag("title"), {"id": f"{key}-title"})
    title_el.text = title
    desc_el = ET.Element(_tag("desc"), {"id": f"{key}-desc"})
    desc_el.text = description
    root.insert(0, desc_el)
    root.insert(0, title_el)
    for el in root.iter():  # plain names and one xmlns attribute: no prefixes, whatever ET has registered
        if isinstance(el.tag, str) and el.tag.startswith(f"{{{SVG_NS}}}"):
            el.tag = el.tag[len(SVG_NS) + 2:]
    root.set("xmlns", SVG_NS)
    svg = ET.tostring(root, encoding="unicode")
    return Markup(svg)  # noqa: S704 (serialized XML: text is escaped)


# --- Drawing -----------------------------------------------------------------------------------------


class ChartMaker:
    """Draws the charts (incubator.reports.charts_svg) and cleans them into safe, accessible SVG.
    Holds nothing: kept as a context manager so callers read the same as when it held a figure."""

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @staticmethod
    def _chart(key: str, title: str, description: str, raw: str) -> Chart:
        return Chart(key=key, title=title, description=description,
                     svg=clean_svg(raw, key=key, title=title, description=description))

    # Horizontal bars, one per label (a funnel; a ranking of counts).
    def bars(self, key: str, *, title: str, description: str, labels: Sequence[str], values: Sequence[int],
             value_labels: Sequence[str] | None = None, xlabel: str = "") -> Chart:
        labels, values = [str(label) for label in labels], list(values)
        value_labels = list(value_labels) if value_labels is not None else [fmt.count(v) for v in values]
        return self._chart(key, title, description,
                           draw.horizontal_bars(labels, values, value_labels, colour=BAR_COLOUR, xlabel=xlabel))

    # Vertical bars over the points of a scale (a score histogram).
    def histogram(self, key: str, *, title: str, description: str, points: Sequence[int], counts: Sequence[int],
                  xlabel: str, ylabel: str) -> Chart:
        return self._chart(key, title, description,
                           draw.vertical_bars(list(points), list(counts), colour=BAR_COLOUR, xlabel=xlabel,
                                             ylabel=ylabel))

    # Pairs of horizontal bars (applied / selected) per row; a suppressed value draws no bar and "—".
    def paired_bars(self, key: str, *, title: str, description: str, labels: Sequence[str],
                    first: Sequence[int | None], second: Sequence[int | None], first_label: str,
                    second_label: str) -> Chart:
        return self._chart(key, title, description, draw.paired_bars(
            [str(label) for label in labels], list(first), list(second),
            colours=(APPLIED_COLOUR, SELECTED_COLOUR), names=(first_label, second_label)))


# --- The report's charts -------------------------------------------------------------------------------


def funnel_chart(maker: ChartMaker, funnel) -> Chart:
    parts = []
    for step in funnel:
        text = f"{step.label}: {fmt.count(step.count)}"
        if step.rate_from_previous is not None:
            text += " " + _("(%(share)s of the previous step)", share=fmt.share(step.rate_from_previous))
        parts.append(text)
    return maker.bars(chart_key("funnel"), title=_("Funnel: applications at each step"),
                      description="; ".join(parts) + ".", labels=[s.label for s in funnel],
                      values=[s.count for s in funnel], xlabel=_("Applications"))


def histogram_description(histogram: dict[int, int], mean: float | None) -> str:
    parts = [_("score %(point)s: %(count)s", point=fmt.count(p), count=fmt.count(n))
             for p, n in sorted(histogram.items())]
    text = _("Submitted reviews by score: %(list)s.", list="; ".join(parts) or "–")
    if mean is not None:
        text += " " + _("Mean %(mean)s.", mean=fmt.score(mean))
    return text


def criterion_chart(maker: ChartMaker, stage, criterion) -> Chart:
    points = list(range(criterion.scale_min, criterion.scale_max + 1)) or sorted(criterion.histogram)
    return maker.histogram(
        chart_key("stage", stage.position, "criterion", criterion.key),
        title=_("%(stage)s: scores for “%(criterion)s”", stage=stage.name, criterion=criterion.label),
        description=histogram_description({p: criterion.histogram.get(p, 0) for p in points}, criterion.mean),
        points=points, counts=[criterion.histogram.get(p, 0) for p in points],
        xlabel=_("Score"), ylabel=_("Reviews"))


def total_chart(maker: ChartMaker, stage) -> Chart | None:
    if not stage.total_histogram:
        return None
    low, high = min(stage.total_histogram), max(stage.total_histogram)
    points = list(range(low, high + 1))
    counts = [stage.total_histogram.get(p, 0) for p in points]
    return maker.histogram(
        chart_key("stage", stage.position, "total"),
        title=_("%(stage)s: weighted totals of the reviews", stage=stage.name),
        description=histogram_description(dict(zip(points, counts, strict=True)), stage.mean_total),
        points=points, counts=counts, xlabel=_("Weighted total (rounded)"), ylabel=_("Reviews"))


def demographic_chart(maker: ChartMaker, table) -> Chart | None:
    if not table.rows:
        return None
    parts = []
    for row in table.rows:
        parts.append(_("%(label)s: %(applied)s applied, %(selected)s selected", label=row.label,
                       applied=fmt.cell(row.applied), selected=fmt.cell(row.selected)))
    description = "; ".join(parts) + ". " + suppression_note()
    return maker.paired_bars(
        chart_key("demographics", table.key), title=table.title, description=description,
        labels=[r.label for r in table.rows],
        first=[None if r.applied.suppressed else r.applied.count for r in table.rows],
        second=[None if r.selected.suppressed else r.selected.count for r in table.rows],
        first_label=_("Applied"), second_label=_("Selected"))


def suppression_note() -> str:
    from incubator.reports.figures_types import SUPPRESS_BELOW

    return _("%(mark)s: not shown, because it was computed from fewer than %(n)d people.",
             mark=fmt.SUPPRESSED, n=SUPPRESS_BELOW)


@dataclass(frozen=True)
class ReportCharts:
    funnel: Chart | None
    totals: dict[int, Chart]                      # stage id -> chart of the weighted totals
    criteria: dict[tuple[int, str], Chart]        # (stage id, criterion key) -> histogram
    demographics: dict[str, Chart]                # table key -> chart (region first of all)


def report_charts(figures, *, demographic_keys: Sequence[str] = ("region",)) -> ReportCharts:
    """Every chart of a season report, drawn on one figure."""
    with ChartMaker() as maker:
        funnel = funnel_chart(maker, figures.funnel) if figures.funnel else None
        totals, criteria = {}, {}
        for stage in figures.stages:
            chart = total_chart(maker, stage)
            if chart is not None:
                totals[stage.stage_id] = chart
            for criterion in stage.criteria:
                criteria[(stage.stage_id, criterion.key)] = criterion_chart(maker, stage, criterion)
        demographics = {}
        for table in figures.demographics:
            if table.key in demographic_keys:
                chart = demographic_chart(maker, table)
                if chart is not None:
                    demographics[table.key] = chart
    return ReportCharts(funnel=funnel, totals=totals, criteria=criteria, demographics=demographics)
