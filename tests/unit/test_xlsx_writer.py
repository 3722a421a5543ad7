"""The shared streaming XLSX writer (incubator.core.xlsx), read back with openpyxl: several sheets,
a bold frozen header, numbers as numbers (Decimal included), percentages with a percent format,
text never a formula, characters XML cannot carry dropped, Excel's rules for sheet titles."""
from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from incubator.core import xlsx


def test_sheets_cells_and_styles_read_back():
    rows = iter([
        [1, 2.5, Decimal("302000000.00"), True, None, "=SUM(A1:A2)"],
        [],
        xlsx.bold(["Step", "Rate"]),
        ["Submitted", xlsx.Styled(0.8235, percent=True), float("nan"), "a\x00b", "Ташкент"],
    ])
    data = xlsx.write_xlsx([xlsx.Sheet("Summary", ["What", "Value"], rows),
                            xlsx.Sheet("Second", ["A"], [[n] for n in range(3)])])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Summary", "Second"]
    sheet = book["Summary"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b and sheet["A1"].value == "What"
    assert [c.value for c in sheet[2]] == [1, 2.5, 302000000, True, None, "=SUM(A1:A2)"]
    assert sheet["F2"].data_type == "s" and sheet["C2"].data_type == "n"
    assert all(c.value is None for c in sheet[3])
    assert sheet["A4"].font.b and sheet["A4"].value == "Step" and not sheet["A5"].font.b
    rate = sheet["B5"]
    assert rate.value == 0.8235 and rate.data_type == "n" and rate.number_format == "0.00%"
    assert [sheet["C5"].value, sheet["D5"].value, sheet["E5"].value] == ["nan", "ab", "Ташкент"]
    assert [row[0].value for row in book["Second"].iter_rows(min_row=2)] == [0, 1, 2]


def test_sheet_titles_follow_excels_rules():
    assert xlsx.sheet_titles(["A/B:C", "x" * 40, "A/B:C", "[]"], ["one", "two", "three", "four"]) == [
        "ABC", "x" * 31, "three", "four"]
    assert [xlsx.column(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
