"""The PDF lists the first rows of the long tables (the ranking and the reviewers of each stage) and
says so; the HTML document keeps every reviewer. No database: figures built by hand."""
from __future__ import annotations

import dataclasses
import re

from incubator.reports import render_html
from tests.support.report_samples import sample_figures


def _rows(html: str, section: str) -> list[str]:
    part = re.search(rf'<section id="{section}".*?</section>', html, flags=re.S).group(0)
    return re.findall(r"<tr><th scope=\"row\">([^<]*)</th>", part)


def test_the_pdf_lists_the_first_reviewers_of_each_stage_and_says_so(app, monkeypatch):
    figures = sample_figures()
    other = dataclasses.replace(figures.reviewers[0], stage_id=12, stage_name="Demo Day")
    figures = dataclasses.replace(figures, reviewers=[*figures.reviewers, other])
    monkeypatch.setattr(render_html, "PDF_REVIEWER_ROWS", 1)
    monkeypatch.setattr(render_html, "PDF_RANKING_ROWS", 2)
    html = render_html.render_html(figures)
    pdf_source = render_html.render_html(figures, for_pdf=True)
    assert _rows(html, "report-reviewers") == ["Aziza Karimova", "Timur Aliev", "Aziza Karimova"]
    assert "the full table is in the XLSX workbook" not in html
    assert _rows(pdf_source, "report-reviewers") == ["Aziza Karimova", "Aziza Karimova"]
    assert "the first 1 of each stage by name, 2 of 3 rows; the full table is in the XLSX workbook" in pdf_source
    assert "the first 2 of 3; the full ranking is in the XLSX workbook and the CSV files" in pdf_source
    assert "Late Co" in html and "Late Co" not in pdf_source


def test_first_of_each_stage_keeps_the_order():
    Row = dataclasses.make_dataclass("Row", ["stage_id", "name"])
    rows = [Row(1, "a"), Row(1, "b"), Row(1, "c"), Row(2, "a"), Row(2, "b")]
    assert [(r.stage_id, r.name) for r in render_html.first_of_each_stage(rows, 2)] == [
        (1, "a"), (1, "b"), (2, "a"), (2, "b")]
    assert render_html.first_of_each_stage(rows, 10) == rows
