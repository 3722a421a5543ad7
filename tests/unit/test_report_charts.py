"""The report's SVG charts and HTML document, from figures built by hand (no database): safe under
the site's Content-Security-Policy, deterministic, accessible, escaped, and never drawing a hidden
cell."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from flask_babel import force_locale

from incubator.reports.charts import ChartMaker, clean_svg, report_charts
from incubator.reports.render_html import BODY_END, BODY_START, render_html, report_body
from tests.support.report_samples import sample_figures

SVG = "{http://www.w3.org/2000/svg}"


def test_charts_are_csp_safe_accessible_and_deterministic(app):
    figures = sample_figures(locale="ru")
    with force_locale("ru"):
        first, second = report_charts(figures), report_charts(figures)
    charts = [first.funnel, *first.totals.values(), *first.criteria.values(), *first.demographics.values()]
    assert len(charts) == 5
    keys = set()
    for chart in charts:
        svg = str(chart.svg)
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg" and root.get("role") == "img"
        assert root.get("aria-labelledby") == f"{chart.key}-title {chart.key}-desc"
        assert root.find(f"{SVG}title").text == chart.title and root.find(f"{SVG}desc").text == chart.description
        assert "style=" not in svg and "<style" not in svg and "<script" not in svg and "<!--" not in svg
        assert "xlink:" not in svg and "ns0:" not in svg
        ids = [el.get("id") for el in root.iter() if el.get("id")]
        assert all(i.startswith(chart.key) for i in ids)
        keys.update(ids)
        assert all(ref[1:].startswith(chart.key) for ref in re.findall(r'href="(#[^"]+)"', svg))
        assert all(ref.startswith(chart.key) for ref in re.findall(r"url\(#([^)]+)\)", svg))
        assert "<text" in svg  # text stays text (svg.fonttype none)
    assert len(keys) == sum(len([el for el in ET.fromstring(str(c.svg)).iter() if el.get("id")]) for c in charts)
    assert [str(c.svg) for c in charts] == [str(c.svg) for c in
                                            [second.funnel, *second.totals.values(), *second.criteria.values(),
                                             *second.demographics.values()]]
    # The funnel's text alternative lists every number, in the report's language.
    assert "Drafts started: 48" in first.funnel.description and "85,4" in first.funnel.description


def test_a_hidden_cell_draws_no_bar_and_no_number(app):
    figures = sample_figures()
    with force_locale("en"):
        chart = report_charts(figures).demographics["region"]
    texts = [el.text for el in ET.fromstring(str(chart.svg)).iter(f"{SVG}text")]
    assert texts.count("—") == 3  # Andijan's selected, Bukhara's applied and selected
    assert "Bukhara: — applied, — selected" in chart.description
    assert not re.search(r"Bukhara: \d", chart.description)


def test_labels_are_escaped_and_never_parsed_as_math(app):
    with force_locale("en"), ChartMaker() as maker:
        chart = maker.bars("chart-x", title="<b>T</b>", description="d & e", labels=["$x^2$ <script>", "B"],
                           values=[3, 1])
    svg = str(chart.svg)
    assert "$x^2$ &lt;script&gt;" in svg and "<script>" not in svg and "<b>" not in svg
    assert "&lt;b&gt;T&lt;/b&gt;" in svg and "d &amp; e" in svg
    raw = '<svg xmlns="http://www.w3.org/2000/svg" onload="x()"><a href="https://evil.example"><text>x</text></a></svg>'
    cleaned = str(clean_svg(raw, key="k", title="t", description="d"))
    assert "onload" not in cleaned and "evil.example" not in cleaned


def test_the_document_escapes_names_and_marks_a_provisional_report(app):
    figures = sample_figures(startup_name='<img src=x onerror="alert(1)"> ' + BODY_END, provisional=True)
    html = render_html(figures, timezone="Asia/Tashkent", report_id=7)
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert html.count(BODY_START) == 1 and html.count(BODY_END) == 1  # a name cannot end the body early
    assert "Provisional: the season is not closed." in html
    body = str(report_body(html))
    assert body.strip().startswith('<article class="season-report"') and "<style" not in body
    assert "style=" not in body
    final = render_html(sample_figures(provisional=False), timezone="Asia/Tashkent")
    assert "Provisional" not in final
