"""Excel .xlsx: every sheet's used rows in the TAB convention (merged ranges: text in the top-left cell)."""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from collections.abc import Iterable, Sequence
from decimal import Decimal

from gikai_desk.errors import InputError
from gikai_desk.ingest import SourceDocument
from gikai_desk.ingest.grid import (
    MAX_SPAN_ROWS,
    MAX_TABLE_COLUMNS,
    PlacedCell,
    Slots,
    clean_cell_text,
    grid_rows,
    render_grid,
)
from gikai_desk.ingest.text import finish_text
from gikai_desk.ingest.zipsafe import check_members, guarded, open_zip, read_member, refuse_dtd
from gikai_desk.limits import Limits

CORRUPT = "损坏的Excel文件 corrupt .xlsx"
MAX_ROWS_PER_SHEET = 100_000
"""Rows read from one sheet at most (a report table has about thirty)."""
MAX_MERGES_PER_SHEET = 2_000
"""Merged ranges honoured per sheet (a report sheet has a few dozen); the rest read as separate cells. Each spans
at most MAX_SPAN_ROWS rows, so the work per sheet stays bounded."""
_MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\b[^<>]*?\bref\s*=\s*[\"']([A-Za-z]{1,3})(\d{1,7}):([A-Za-z]{1,3})(\d{1,7})[\"']")

Merge = tuple[int, int, int, int]
"""A merged range: first row, first column, last row, last column (rows from 1, columns from 0)."""


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


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + letter - 64
    return index - 1


def _merges(xml: bytes) -> list[Merge]:
    """The merged ranges a worksheet part declares (<mergeCell ref="E5:F6"/>)."""
    merges: list[Merge] = []
    for found in _MERGE_CELL.finditer(xml):
        top, bottom = sorted((int(found.group(2)), int(found.group(4))))
        left, right = sorted((_column_index(found.group(1)), _column_index(found.group(3))))
        if left < MAX_TABLE_COLUMNS and (top, left) != (bottom, right):
            merges.append((top, left, min(bottom, top + MAX_SPAN_ROWS - 1), min(right, MAX_TABLE_COLUMNS - 1)))
            if len(merges) >= MAX_MERGES_PER_SHEET:
                break
    return merges


def _check_xml_parts(data: bytes, name: str, limits: Limits) -> dict[str, list[Merge]]:
    """Bounded read of every XML part and refusal of DTDs, before openpyxl sees the file; the merged ranges of
    each worksheet part."""
    archive = open_zip(data, name, CORRUPT)
    check_members(archive, name, limits)
    names = archive.namelist()
    if "xl/workbook.xml" not in names:
        raise InputError(name, f"{CORRUPT}: 缺少 xl/workbook.xml missing workbook part")
    merges: dict[str, list[Merge]] = {}
    for member in names:
        if member.endswith((".xml", ".rels", ".vml")):
            xml = read_member(archive, member, name, limits, CORRUPT)
            refuse_dtd(xml, member, name)
            if b"mergeCell" in xml:
                merges[member.lstrip("/")] = _merges(xml)
    return merges


def _sheet_lines(
    rows: Iterable[tuple[object, ...]], limit_chars: int, merges: Sequence[Merge] = ()
) -> tuple[list[str], bool]:
    """TAB-convention lines of a sheet's rows with a value, and whether the row cap cut the sheet short.

    Every position of a sheet is a cell, so rows are padded to the sheet's width; a merged range keeps its text in
    its top-left position and leaves the rest empty. A column in which nothing begins (no value of its own, only
    merged ranges reaching into it, as around a sliver column, or blank throughout) carries no data and is
    dropped, as in HTML and Word; blank positions and merged ranges without a value do not keep a column.
    """
    pending = sorted(merges, reverse=True)  # popped from the end: topmost first
    active: list[Merge] = []
    placed_merge: dict[Merge, int] = {}
    blank_merges: set[Merge] = set()
    grid: list[Slots] = []
    cells: list[PlacedCell] = []
    total = 0
    cut = False
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS_PER_SHEET:
            cut = True
            break
        while pending and pending[-1][0] <= number:
            active.append(pending.pop())
        if active:
            active = [merge for merge in active if merge[2] >= number and merge not in blank_merges]
        if not active and row.count(None) == len(row):
            continue
        texts = [format_value(value) for value in row]
        while texts and not texts[-1]:
            texts.pop()
        width = max([len(texts), *(merge[3] + 1 for merge in active)])
        if not width:
            continue
        top = len(grid)
        slots: Slots = [None] * width
        for merge in active:
            index = placed_merge.get(merge)
            if index is None:
                first = merge[1]
                if number != merge[0] or first >= len(texts) or not texts[first]:
                    blank_merges.add(merge)  # without a value: blank positions, like unmerged blanks
                    continue
                index = placed_merge[merge] = len(cells)
                cells.append(PlacedCell(first, merge[3] + 1, texts[first], top))
            slots[merge[1] : merge[3] + 1] = [index] * (merge[3] + 1 - merge[1])
        for column, text in enumerate(texts):
            if text and slots[column] is None:
                slots[column] = len(cells)
                cells.append(PlacedCell(column, column + 1, text, top))
        grid.append(slots)
        total += sum(len(text) + 1 for text in texts)
        if limit_chars and total > limit_chars:
            break
    return render_grid(grid_rows(grid, cells, pad_absent=True)), cut


def read_xlsx(data: bytes, name: str, limits: Limits) -> SourceDocument:
    with guarded(name, CORRUPT):
        merges = _check_xml_parts(data, name, limits)
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
                    part = str(getattr(sheet, "_worksheet_path", "")).lstrip("/")
                    sheet_lines, cut = _sheet_lines(rows, limits.max_text_chars, merges.get(part, ()))
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
