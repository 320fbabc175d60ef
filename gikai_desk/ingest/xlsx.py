"""Excel .xlsx: every sheet's used rows in the TAB convention (merged ranges: text in the top-left cell)."""

from __future__ import annotations

import datetime as dt
import io
import warnings
from collections.abc import Iterable
from decimal import Decimal

from gikai_desk.errors import InputError
from gikai_desk.ingest import SourceDocument
from gikai_desk.ingest.grid import MAX_TABLE_COLUMNS, clean_cell_text
from gikai_desk.ingest.text import finish_text
from gikai_desk.ingest.zipsafe import check_members, guarded, open_zip, read_member, refuse_dtd
from gikai_desk.limits import Limits

CORRUPT = "损坏的Excel文件 corrupt .xlsx"
MAX_ROWS_PER_SHEET = 100_000
"""Rows read from one sheet at most (a report table has about thirty)."""


def format_value(value: object) -> str:
    """A cell value as the text a reader sees: integral floats without ".0", dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return clean_cell_text(str(value))


def _check_xml_parts(data: bytes, name: str, limits: Limits) -> None:
    """Bounded read of every XML part and refusal of DTDs, before openpyxl sees the file."""
    archive = open_zip(data, name, CORRUPT)
    check_members(archive, name, limits)
    names = archive.namelist()
    if "xl/workbook.xml" not in names:
        raise InputError(name, f"{CORRUPT}: 缺少 xl/workbook.xml missing workbook part")
    for member in names:
        if member.endswith((".xml", ".rels", ".vml")):
            refuse_dtd(read_member(archive, member, name, limits, CORRUPT), member, name)


def _sheet_lines(rows: Iterable[tuple[object, ...]], limit_chars: int) -> tuple[list[str], bool]:
    """TAB-convention lines of a sheet's rows with a value, and whether the row cap cut the sheet short."""
    lines: list[list[str]] = []
    total = 0
    for count, row in enumerate(rows):
        if count >= MAX_ROWS_PER_SHEET:
            return _pad(lines), True
        if row.count(None) == len(row):
            continue
        cells = [format_value(value) for value in row]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        lines.append(cells)
        total += sum(len(cell) + 1 for cell in cells)
        if limit_chars and total > limit_chars:
            break
    return _pad(lines), False


def _pad(lines: list[list[str]]) -> list[str]:
    width = max((len(cells) for cells in lines), default=0)
    return ["\t".join(cells + [""] * (width - len(cells))) for cells in lines]


def read_xlsx(data: bytes, name: str, limits: Limits) -> SourceDocument:
    with guarded(name, CORRUPT):
        _check_xml_parts(data, name, limits)
        import openpyxl

        lines: list[str] = []
        notes: list[str] = []
        sheets = 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                for sheet in workbook.worksheets:
                    if not hasattr(sheet, "iter_rows"):
                        continue  # chart sheets
                    sheet.reset_dimensions()
                    rows = sheet.iter_rows(max_col=MAX_TABLE_COLUMNS, values_only=True)
                    sheet_lines, cut = _sheet_lines(rows, limits.max_text_chars)
                    if cut:
                        notes.append(
                            f"工作表 {sheet.title} 超过 {MAX_ROWS_PER_SHEET} 行，其余未读 rows beyond the cap not read"
                        )
                    if sheet_lines:
                        sheets += 1
                        lines.append(clean_cell_text(str(sheet.title)))
                        lines.extend(sheet_lines)
            finally:
                workbook.close()
    text = finish_text("\n".join(lines) + "\n" if lines else "", name, limits)
    if not text.strip():
        raise InputError(name, "Excel文件中没有数据 .xlsx without any cell values")
    notes.insert(0, f"{sheets} 个工作表有数据 sheets with data")
    return SourceDocument(path=name, kind="xlsx", text=text, structured=True, notes=notes)
