"""A small streaming XLSX writer: an Office Open XML package (a zip of a few XML parts) written row by
row, shared by the leaderboard exports (incubator.selection.exports) and the season report
(incubator.reports.render_xlsx).

openpyxl, even in write-only mode, spends ~20 us per cell building Cell objects: ~10 s for the
20,000 x 27 cells of a large stage, where this writes them in well under a second.

- Every text cell is an inline string (t="inlineStr"): it can never be a formula, whatever it
  starts with. Characters XML 1.0 cannot carry are dropped.
- Numbers (int, float, Decimal; not NaN or infinite, which become text) are numeric cells; booleans
  are boolean cells; None is an empty cell.
- Each sheet's first row (the header) is bold and frozen. `Styled` marks any other cell bold and/or
  as a percentage (a ratio shown with Excel's built-in "0.00%" format).

Rows may be any iterable (a generator is consumed as it is written); a sheet's title is checked
against Excel's rules by `sheet_titles`."""
from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")
# Cell styles (the s attribute): 0 plain, 1 bold, 2 percent, 3 bold percent. numFmtId 10 is the
# built-in "0.00%".
BOLD, PERCENT = 1, 2
_STYLES = (
    f'{_XML_HEAD}<styleSheet xmlns="{_NS}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="10" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_CHUNK = 1000  # rows encoded and written at a time


@dataclass(frozen=True, slots=True)
class Styled:
    """A cell value with a style: bold, and/or a ratio shown as a percentage."""

    value: object
    bold: bool = False
    percent: bool = False


def bold(values: Iterable) -> list[Styled]:
    """A row of bold cells (e.g. a second header further down a sheet)."""
    return [Styled(v, bold=True) for v in values]


@dataclass(frozen=True)
class Sheet:
    title: str             # as it will appear (see sheet_titles)
    header: Sequence       # the first row: bold and frozen
    rows: Iterable[Sequence]


def column(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def escape(text: str) -> str:
    text = _NOT_XML.sub("", text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\r", "&#13;"))


def sheet_titles(titles: Sequence[str], fallbacks: Sequence[str]) -> list[str]:
    """Excel's rules: at most 31 characters, none of []:*?/\\, distinct. A title that breaks them
    after cleaning (empty, or taken) is replaced by its fallback."""
    names: list[str] = []
    for title, fallback in zip(titles, fallbacks, strict=True):
        name = _SHEET_TITLE.sub("", title)[:31] or fallback
        names.append(name if name not in names else fallback)
    return names


def _cell(ref: str, value, style: int = 0) -> str:
    if value is None:
        return ""
    if type(value) is Styled:
        style |= (BOLD if value.bold else 0) | (PERCENT if value.percent else 0)
        value = value.value
        if value is None:
            return ""
    s = f' s="{style}"' if style else ""
    kind = type(value)
    if kind is int or kind is float:
        if kind is int or math.isfinite(value):
            return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    elif kind is bool:
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    elif isinstance(value, Decimal):
        if value.is_finite():
            return f'<c r="{ref}"{s}><v>{value:f}</v></c>'
    elif isinstance(value, int):  # a subclass (an IntEnum...)
        return f'<c r="{ref}"{s}><v>{int(value)}</v></c>'
    elif isinstance(value, float) and math.isfinite(value):
        return f'<c r="{ref}"{s}><v>{float(value)!r}</v></c>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def _write_sheet(out, header: Sequence, rows: Iterable[Sequence]) -> None:
    columns = [column(i) for i in range(max(len(header), 1))]
    out.write((f'{_XML_HEAD}<worksheet xmlns="{_NS}"><sheetViews><sheetView workbookViewId="0">'
               '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
               '<sheetData>').encode())
    out.write(('<row r="1">' + "".join(_cell(f"{columns[i]}1", v, BOLD) for i, v in enumerate(header))
               + "</row>").encode())
    chunk = []
    for number, row in enumerate(rows, start=2):
        if not row:
            continue  # an empty row: nothing to write, the numbering goes on
        while len(columns) < len(row):
            columns.append(column(len(columns)))
        chunk.append(f'<row r="{number}">' + "".join(_cell(f"{columns[i]}{number}", v) for i, v in enumerate(row))
                     + "</row>")
        if len(chunk) >= _CHUNK:
            out.write("".join(chunk).encode())
            chunk = []
    out.write(("".join(chunk) + "</sheetData></worksheet>").encode())


def write_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """The workbook, its sheets in order; each sheet's rows are consumed as they are written."""
    count = len(sheets)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        sheet_parts = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>'
                              for i in range(1, count + 1))
        package.writestr("[Content_Types].xml", (
            f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f'{sheet_parts}</Types>'))
        package.writestr("_rels/.rels", (
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
            f'Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        package.writestr("xl/workbook.xml", (
            f'{_XML_HEAD}<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}"><sheets>'
            + "".join(f'<sheet name="{escape(sheet.title)}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, sheet in enumerate(sheets, 1))
            + "</sheets></workbook>"))
        package.writestr("xl/_rels/workbook.xml.rels", (
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, count + 1))
            + f'<Relationship Id="rId{count + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/>'
            "</Relationships>"))
        package.writestr("xl/styles.xml", _STYLES)
        for i, sheet in enumerate(sheets, 1):
            with package.open(f"xl/worksheets/sheet{i}.xml", "w") as out:
                _write_sheet(out, sheet.header, sheet.rows)
    return buffer.getvalue()
