"""Excel 97-2003 .xls and WPS .et (BIFF in an OLE compound file) through xlrd, into the same grid as .xlsx.

xlrd gives each cell's stored value (a formula gives the result Excel saved with it: BIFF always stores one),
the merged ranges (with formatting_info) and each sheet's visibility. Rows then go through the .xlsx reader's
grid: merged ranges keep their text in the top-left position, rows are padded to the sheet's width, columns in
which nothing begins are dropped, hidden sheets are read only when no visible sheet holds a table.
"""

from __future__ import annotations

from collections.abc import Iterator

from gikai_desk.errors import InputError
from gikai_desk.ingest import SourceDocument
from gikai_desk.ingest.grid import MAX_SPAN_ROWS, MAX_TABLE_COLUMNS, clean_cell_text
from gikai_desk.ingest.ole import ENCRYPTED
from gikai_desk.ingest.text import finish_text
from gikai_desk.ingest.xlsx import (
    MAX_MERGES_PER_SHEET,
    MAX_ROWS_PER_SHEET,
    Merge,
    _holds_table,
    _sheet_lines,
)
from gikai_desk.limits import Limits

CORRUPT = "损坏的Excel文件 corrupt .xls/.et"
MAX_CELLS = 2_000_000
"""Cells (blank cells with a format included) a workbook may hold; a report workbook has a few thousand."""


def _values(book: object, sheet: object) -> Iterator[tuple[object, ...]]:
    """Each row's values as the .xlsx reader sees them: numbers as float, dates as datetime, errors as text."""
    import xlrd

    nrows = min(int(sheet.nrows), MAX_ROWS_PER_SHEET + 1)  # type: ignore[attr-defined]
    for row in range(nrows):
        width = min(sheet.row_len(row), MAX_TABLE_COLUMNS)  # type: ignore[attr-defined]
        types = sheet.row_types(row, 0, width)  # type: ignore[attr-defined]
        values = sheet.row_values(row, 0, width)  # type: ignore[attr-defined]
        out: list[object] = []
        for kind, value in zip(types, values, strict=False):
            if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                out.append(None)
            elif kind == xlrd.XL_CELL_TEXT:
                out.append(value if value != "" else None)
            elif kind == xlrd.XL_CELL_DATE:
                try:
                    out.append(xlrd.xldate_as_datetime(value, book.datemode))  # type: ignore[attr-defined]
                except Exception:
                    out.append(value)
            elif kind == xlrd.XL_CELL_BOOLEAN:
                out.append(bool(value))
            elif kind == xlrd.XL_CELL_ERROR:
                out.append(xlrd.error_text_from_code.get(value, "#ERROR"))
            else:
                out.append(value)
        yield tuple(out)


def _merges(sheet: object) -> list[Merge]:
    """xlrd's merged ranges (0-based, ends exclusive) as the .xlsx reader's (rows from 1, last row/column)."""
    merges: list[Merge] = []
    for rlo, rhi, clo, chi in getattr(sheet, "merged_cells", [])[:MAX_MERGES_PER_SHEET]:
        if clo >= MAX_TABLE_COLUMNS or rhi - rlo < 1 or chi - clo < 1 or (rhi - rlo, chi - clo) == (1, 1):
            continue
        last_row = min(rhi, rlo + MAX_SPAN_ROWS)
        merges.append((rlo + 1, clo, last_row, min(chi, MAX_TABLE_COLUMNS) - 1))
    return merges


def _render(book: object, sheet: object, limits: Limits, notes: list[str]) -> list[str]:
    title = clean_cell_text(str(getattr(sheet, "name", "")))
    lines, cut = _sheet_lines(_values(book, sheet), limits.max_text_chars, _merges(sheet))
    if cut:
        notes.append(f"工作表 {title} 超过 {MAX_ROWS_PER_SHEET} 行，其余未读 rows beyond the cap not read")
    return [title, *lines] if lines else []


_CELL_RECORDS = {0x0201: 1, 0x0203: 1, 0x00FD: 1, 0x027E: 1, 0x0006: 1, 0x0204: 1, 0x0205: 1, 0x00D6: 1}
"""BIFF8 records holding one cell: BLANK, NUMBER, LABELSST, RK, FORMULA, LABEL, BOOLERR, RSTRING."""
_MULBLANK, _MULRK = 0x00BE, 0x00BD


def _count_cells(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a workbook holding more cells than MAX_CELLS from its record headers, before xlrd builds them in
    memory (a few MB of MULBLANK records stand for tens of millions of formatted blank cells)."""
    import struct

    from gikai_desk.ingest.ole import ole_kind, open_ole

    ole = open_ole(data, name)
    if ole_kind(ole) != "excel":
        return
    stream = ole.read("workbook" if "workbook" in ole.streams else "book", limits)
    cells, pos, end = 0, 0, len(stream) - 4
    unpack = struct.Struct("<HH").unpack_from
    while pos <= end:
        kind, size = unpack(stream, pos)
        if kind in _CELL_RECORDS:
            cells += 1
        elif kind == _MULBLANK:
            cells += max(size - 6, 0) // 2
        elif kind == _MULRK:
            cells += max(size - 6, 0) // 6
        pos += 4 + size
        if cells > MAX_CELLS:
            raise InputError(name, f"{CORRUPT}: 单元格过多 more than {MAX_CELLS} cells")


def _open(data: bytes, name: str, limits: Limits) -> object:
    import xlrd

    _count_cells(data, name, limits)

    try:
        book = xlrd.open_workbook(
            file_contents=data, formatting_info=True, on_demand=True, ragged_rows=True, logfile=_Silent()
        )
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise InputError(name, ENCRYPTED) from exc
        raise InputError(name, f"{CORRUPT}: {exc}") from exc
    except InputError:
        raise
    except Exception as exc:
        raise InputError(name, f"{CORRUPT}: {type(exc).__name__}: {exc}") from exc
    return book


class _Silent:
    """xlrd writes warnings about odd records to a log file; they are not the reviewer's concern."""

    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def read_xls(data: bytes, name: str, limits: Limits) -> SourceDocument:
    """Every visible worksheet with values, as read_xlsx does for .xlsx; hidden sheets only when no visible sheet
    holds a table."""
    book = _open(data, name, limits)
    try:
        sheets: list[tuple[object, bool]] = []
        cells = 0
        for index in range(book.nsheets):  # type: ignore[attr-defined]
            try:
                sheet = book.sheet_by_index(index)  # type: ignore[attr-defined]
            except InputError:
                raise
            except Exception as exc:
                raise InputError(name, f"{CORRUPT}: 工作表 {index + 1}: {type(exc).__name__}: {exc}") from exc
            cells += sum(sheet.row_len(row) for row in range(sheet.nrows))
            if cells > MAX_CELLS:
                raise InputError(name, f"{CORRUPT}: 单元格过多 more than {MAX_CELLS} cells")
            if getattr(sheet, "ncols", 0) or getattr(sheet, "nrows", 0):
                sheets.append((sheet, getattr(sheet, "visibility", 0) != 0))
        notes: list[str] = []
        rendered = {id(sheet): _render(book, sheet, limits, notes) for sheet, hidden in sheets if not hidden}
        hidden_sheets = [sheet for sheet, hidden in sheets if hidden]
        hidden_names = "、".join(clean_cell_text(str(getattr(sheet, "name", ""))) for sheet in hidden_sheets)
        if hidden_sheets and any(_holds_table(lines) for lines in rendered.values()):
            notes.append(f"隐藏的工作表未读：{hidden_names} hidden sheets skipped")
        elif hidden_sheets:
            hidden_notes: list[str] = []
            for sheet in hidden_sheets:
                rendered[id(sheet)] = _render(book, sheet, limits, hidden_notes)
            if any(_holds_table(rendered[id(sheet)]) for sheet in hidden_sheets) or not any(
                rendered.values()
            ):
                notes.append(
                    f"只有隐藏的工作表中有表格，已读取：{hidden_names} only hidden sheets hold tables: read them"
                )
                notes.extend(hidden_notes)
            else:
                for sheet in hidden_sheets:
                    del rendered[id(sheet)]
                notes.append(f"隐藏的工作表未读：{hidden_names} hidden sheets skipped")
        lines = [line for sheet, _hidden in sheets for line in rendered.get(id(sheet), [])]
        count = sum(1 for sheet, _hidden in sheets if rendered.get(id(sheet)))
    finally:
        book.release_resources()  # type: ignore[attr-defined]
    text = finish_text("\n".join(lines) + "\n" if lines else "", name, limits)
    if not text.strip():
        raise InputError(name, "Excel文件中没有数据 .xls without any cell values")
    notes.insert(0, f"{count} 个工作表有数据 sheets with data")
    return SourceDocument(path=name, kind="xls", text=text, structured=True, notes=notes)
