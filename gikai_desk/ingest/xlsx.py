"""Excel .xlsx: every visible sheet's used rows in the TAB convention (merged ranges: text in the top-left cell)."""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import unescape

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
from gikai_desk.ingest.xlsx_sums import Parts, Position, evaluate_sums, referenced, sum_parts
from gikai_desk.ingest.zipsafe import check_members, guarded, open_zip, read_member, refuse_dtd
from gikai_desk.limits import Limits

CORRUPT = "损坏的Excel文件 corrupt .xlsx"
MAX_ROWS_PER_SHEET = 100_000
"""Rows read from one sheet at most (a report table has about thirty)."""
MAX_MERGES_PER_SHEET = 2_000
"""Merged ranges honoured per sheet (a report sheet has a few dozen); the rest read as separate cells. Each spans
at most MAX_SPAN_ROWS rows, so the work per sheet stays bounded."""
_MERGE_CELL = re.compile(
    rb"<(?:\w+:)?mergeCell\b[^<>]*?\bref\s*=\s*[\"']([A-Za-z]{1,3})(\d{1,7}):([A-Za-z]{1,3})(\d{1,7})[\"']"
)

_FORMULA = re.compile(rb"<((?:\w+:)?)f\b([^<>]*?)(/?)>")
"""A cell's formula element <f ...>, <f .../> or <x:f ...> (not <formula>, <font> ...)."""
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\b([^<>]*)>")
_CACHED_VALUE = re.compile(rb"\s*+<((?:\w+:)?)v\b[^<>]*?(/?)>([^<]*+)")
"""The cached value that follows a cell's formula (<v>41</v>; <v/> or <v></v> is empty)."""
_ATTRIBUTE = re.compile(rb"""\b(r|t|si)\s*=\s*["']([^"']*)["']""")
_COORDINATE = re.compile(r"([A-Za-z]{1,3})(\d{1,7})")
HIDDEN_STATES = ("hidden", "veryHidden")
"""Sheet states Excel does not show in its tab bar (veryHidden: not even in the Unhide dialog)."""
UNKNOWN_FORMULA = "=（公式）"
"""Shown for a formula without a cached value whose text cannot be given (a shared formula without its master)."""
MAX_UNCACHED_FORMULAS = 50_000
"""Formula cells without a cached value shown per sheet at most (a report has a few dozen); the rest read as
blank, with a note."""
MAX_TRANSLATED_FORMULAS = 20_000
"""Shared formulas spelled out for their own cell per workbook at most (about 5 µs each); the rest show
UNKNOWN_FORMULA."""

Merge = tuple[int, int, int, int]
"""A merged range: first row, first column, last row, last column (rows from 1, columns from 0)."""


@dataclass(frozen=True)
class Formula:
    """A formula as written in the sheet XML: its text, or a shared formula's master text and the master's cell
    (to be moved to the dependent cell)."""

    text: str
    origin: str = ""


@dataclass
class SheetXml:
    """What the reader takes from a worksheet part itself, beside openpyxl's values."""

    merges: list[Merge] = field(default_factory=list)
    uncached: dict[Position, Formula] = field(default_factory=dict)
    """Formula cells with no cached value (never calculated by a spreadsheet program): their value is unknown."""
    unplaced: int = 0
    """Such cells left blank: without a cell reference (r="..."), or beyond MAX_UNCACHED_FORMULAS."""


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
            merges.append(
                (top, left, min(bottom, top + MAX_SPAN_ROWS - 1), min(right, MAX_TABLE_COLUMNS - 1))
            )
            if len(merges) >= MAX_MERGES_PER_SHEET:
                break
    return merges


def _position(reference: str) -> Position | None:
    found = _COORDINATE.fullmatch(reference)
    if found is None:
        return None
    return int(found.group(2)), _column_index(found.group(1).encode("ascii"))


def _uncached_formulas(xml: bytes, sheet: SheetXml) -> None:
    """Record the formula cells of a worksheet part that carry no cached value.

    A workbook written by a library (an export system) and never opened in a spreadsheet program holds formulas
    such as `SUM(D5:I5)` with an empty `<v/>` or none: openpyxl then reads the cell as blank, which it is not.
    A cell whose formula produced an empty string keeps `t="str"` with an empty `<v>` and stays blank.
    """
    masters: dict[bytes, Formula] = {}
    for found in _FORMULA.finditer(xml):
        prefix, attributes, closed = found.groups()
        cell = _CELL_TAG.match(xml, xml.rfind(b"<", 0, found.start()))
        if cell is None:
            continue  # not a cell's formula
        cell_attributes = dict(_ATTRIBUTE.findall(cell.group(1)))
        formula_attributes = dict(_ATTRIBUTE.findall(attributes))
        end = found.end()
        text = ""
        if not closed:
            close = xml.find(b"</" + prefix + b"f>", end)
            if close < 0:
                continue
            text = unescape(xml[end:close].decode("utf-8", "replace"))
            end = close + len(prefix) + 4
        reference = cell_attributes.get(b"r", b"").decode("ascii", "replace")
        shared = formula_attributes.get(b"t") == b"shared"
        if shared and text:
            masters[formula_attributes.get(b"si", b"")] = Formula("=" + text, reference)
        cached = _CACHED_VALUE.match(xml, end)
        if cached is not None and (cached.group(3).strip() or cell_attributes.get(b"t") == b"str"):
            continue  # a cached value (an empty string result counts)
        if text:
            formula = Formula("=" + text)
        elif shared:
            formula = masters.get(formula_attributes.get(b"si", b""), Formula(UNKNOWN_FORMULA))
        else:
            formula = Formula(UNKNOWN_FORMULA)
        position = _position(reference)
        if position is None or len(sheet.uncached) >= MAX_UNCACHED_FORMULAS:
            sheet.unplaced += 1
        elif position[1] < MAX_TABLE_COLUMNS:
            sheet.uncached[position] = formula


def _check_xml_parts(data: bytes, name: str, limits: Limits) -> dict[str, SheetXml]:
    """Bounded read of every XML part and refusal of DTDs, before openpyxl sees the file; the merged ranges and
    the formulas without a cached value of each worksheet part."""
    archive = open_zip(data, name, CORRUPT)
    check_members(archive, name, limits)
    names = archive.namelist()
    if "xl/workbook.xml" not in names:
        raise InputError(name, f"{CORRUPT}: 缺少 xl/workbook.xml missing workbook part")
    sheets: dict[str, SheetXml] = {}
    for member in names:
        if member.endswith((".xml", ".rels", ".vml")):
            xml = read_member(archive, member, name, limits, CORRUPT)
            refuse_dtd(xml, member, name)
            sheet = SheetXml()
            if b"mergeCell" in xml:
                sheet.merges = _merges(xml)
            if b"<f" in xml or b":f" in xml:
                _uncached_formulas(xml, sheet)
            if sheet.merges or sheet.uncached or sheet.unplaced:
                sheets[member.lstrip("/")] = sheet
    return sheets


class _FormulaTexts:
    """Formula texts for cells without a cached value; shared formulas moved to their cell, up to a budget."""

    def __init__(self) -> None:
        self.budget = MAX_TRANSLATED_FORMULAS

    def text(self, formula: Formula, row: int, column: int) -> str:
        if not formula.origin:
            return formula.text
        if self.budget <= 0:
            return UNKNOWN_FORMULA
        self.budget -= 1
        from openpyxl.formula.translate import Translator
        from openpyxl.utils import get_column_letter

        try:
            moved = Translator(formula.text, origin=formula.origin).translate_formula(
                f"{get_column_letter(column + 1)}{row}"
            )
        except Exception:  # an odd formula: its value stays unknown all the same
            return UNKNOWN_FORMULA
        return str(moved)


def _sheet_lines(
    rows: Iterable[tuple[object, ...]],
    limit_chars: int,
    merges: Sequence[Merge] = (),
    unknown: Mapping[int, Sequence[tuple[int, str]]] | None = None,
) -> tuple[list[str], bool]:
    """TAB-convention lines of a sheet's rows with a value, and whether the row cap cut the sheet short.

    `unknown` gives, per row, the columns whose value is unknown (a formula never calculated) and the text shown
    there instead of a blank: the formula itself, which is never a number, so the parser flags the cell.

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
        row_unknown = unknown.get(number, ()) if unknown else ()
        if not active and not row_unknown and row.count(None) == len(row):
            continue
        texts = [format_value(value) if value is not None else "" for value in row]
        for column, shown in row_unknown:
            if column >= len(texts):
                texts.extend([""] * (column + 1 - len(texts)))
            if not texts[column]:
                texts[column] = shown
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
    lines: list[str] = []
    for block_grid, block_cells in _blocks(grid, cells):
        lines.extend(render_grid(grid_rows(block_grid, block_cells, pad_absent=True)))
    return lines, cut


def _blocks(grid: list[Slots], cells: list[PlacedCell]) -> list[tuple[list[Slots], list[PlacedCell]]]:
    """The sheet cut into blocks, each with its own columns: a sheet holding several tables one below the other
    (a web page imported into a spreadsheet program lays all its tables on one column grid) keeps for each table
    only the columns in which one of its own cells begins, not the columns of every other table.

    A block ends after a row that holds one text cell in the first column and nothing else (a heading, a line of
    prose, a label whose values are all blank), once the block holds a row of several cells: the row is padded to
    that block's width, as a row of real blanks is. Rows of one cell before the first table row open the block of
    the table after them."""
    blocks: list[tuple[list[Slots], list[PlacedCell]]] = []
    start = 0
    wide = False  # the current block holds a row of several cells
    for index, slots in enumerate(grid):
        present = {slot for slot in slots if slot is not None}
        if len(present) >= 2:
            wide = True
            continue
        cell = cells[next(iter(present))] if present else None
        heading = (
            cell is not None
            and cell.start == 0
            and cell.top == index
            and _NUMBER_TEXT.fullmatch(cell.text) is None
        )
        if heading and wide:
            blocks.append(_block(grid, cells, start, index + 1))
            start, wide = index + 1, False
    if start < len(grid):
        blocks.append(_block(grid, cells, start, len(grid)))
    return blocks


_NUMBER_TEXT = re.compile(r"[-+]?[\d.,]+%?")


def _block(
    grid: list[Slots], cells: list[PlacedCell], first: int, end: int
) -> tuple[list[Slots], list[PlacedCell]]:
    """Rows first..end-1 with their cells renumbered (a cell reaching in from above keeps its place, no text)."""
    mapping: dict[int, int] = {}
    block_cells: list[PlacedCell] = []
    block_grid: list[Slots] = []
    for slots in grid[first:end]:
        row: Slots = []
        for slot in slots:
            if slot is None:
                row.append(None)
                continue
            if slot not in mapping:
                mapping[slot] = len(block_cells)
                cell = cells[slot]
                text = cell.text if cell.top >= first else ""
                block_cells.append(PlacedCell(cell.start, cell.end, text, max(cell.top - first, 0)))
            row.append(mapping[slot])
        block_grid.append(row)
    return block_grid, block_cells


def _holds_table(lines: Sequence[str]) -> bool:
    """Whether rendered sheet lines hold a table row (two or more cells with text)."""
    return any(sum(1 for cell in line.split("\t") if cell) >= 2 for line in lines)


MAX_SUM_INPUTS = 200_000
"""Cells read per sheet to work out sums without a cached value; formulas beyond stay unknown."""


def _unknown_by_row(
    sheet: object, part: SheetXml | None, texts: _FormulaTexts
) -> tuple[dict[int, list[tuple[int, str]]], int]:
    """Per row, the columns of formula cells without a cached value and the text shown there: `73 (=SUM(D5:I5))`
    when the formula is a simple sum worked out from the sheet's own numbers, else the formula itself; and how
    many were worked out."""
    unknown: dict[int, list[tuple[int, str]]] = {}
    if part is None or not part.uncached:
        return unknown, 0
    shown = {
        (row, column): texts.text(formula, row, column)
        for (row, column), formula in part.uncached.items()
        if row <= MAX_ROWS_PER_SHEET
    }
    sums: dict[Position, Parts | None] = {}
    inputs: set[Position] = set()
    for position, text in shown.items():
        parts = sum_parts(text)
        if parts is not None and len(inputs) < MAX_SUM_INPUTS:
            inputs.update(cell for cell in referenced(parts) if cell not in part.uncached)
        else:
            parts = None
        sums[position] = parts
    values = _cell_values(sheet, inputs)
    worked_out = evaluate_sums(sums, lambda position: values.get(position))
    for (row, column), text in sorted(shown.items()):
        total = worked_out.get((row, column))
        if total is not None:
            text = f"{format_value(total)} ({text})"
        unknown.setdefault(row, []).append((column, clean_cell_text(text)))
    return unknown, len(worked_out)


def _cell_values(sheet: object, positions: set[Position]) -> dict[Position, object]:
    """The cached values of some cells of a read-only sheet (one pass over the rows that hold them)."""
    if not positions:
        return {}
    top = min(row for row, _column in positions)
    bottom = min(max(row for row, _column in positions), MAX_ROWS_PER_SHEET)
    right = min(max(column for _row, column in positions), MAX_TABLE_COLUMNS - 1)
    values: dict[Position, object] = {}
    rows = sheet.iter_rows(min_row=top, max_row=bottom, max_col=right + 1, values_only=True)  # type: ignore[attr-defined]
    for row_number, row in enumerate(rows, start=top):
        for column, value in enumerate(row):
            if value is not None and (row_number, column) in positions:
                values[row_number, column] = value
    return values


def _render_sheet(
    sheet: object, parts: Mapping[str, SheetXml], texts: _FormulaTexts, limits: Limits, notes: list[str]
) -> list[str]:
    """A worksheet's lines, its name first (none when it has no values); notes for what it could not give."""
    title = clean_cell_text(str(getattr(sheet, "title", "")))
    part = parts.get(str(getattr(sheet, "_worksheet_path", "")).lstrip("/"))
    unknown, worked_out = _unknown_by_row(sheet, part, texts)
    sheet.reset_dimensions()  # type: ignore[attr-defined]
    rows = sheet.iter_rows(max_col=MAX_TABLE_COLUMNS, values_only=True)  # type: ignore[attr-defined]
    sheet_lines, cut = _sheet_lines(rows, limits.max_text_chars, part.merges if part else (), unknown)
    if cut:
        notes.append(f"工作表 {title} 超过 {MAX_ROWS_PER_SHEET} 行，其余未读 rows beyond the cap not read")
    if part is not None and part.uncached:
        notes.append(
            f"工作表 {title} 有 {len(part.uncached)} 个公式单元格没有缓存值（文件未经电子表格程序计算）：其中 "
            f"{worked_out} 个是简单求和，已用表中数值算出，写在公式之前，如 73 (=SUM(D5:I5))；其余只显示公式；"
            f"均待核实 {len(part.uncached)} formula cells without a cached value: {worked_out} simple sums worked "
            "out from the sheet's numbers and shown before the formula, the rest shown as the formula; to be checked"
        )
    if part is not None and part.unplaced:
        notes.append(
            f"工作表 {title} 另有 {part.unplaced} 个没有缓存值的公式单元格（无坐标或超出上限）按空白读取 "
            f"{part.unplaced} more formula cells without a cached value (no cell reference, or beyond the cap) read "
            "as blank"
        )
    return [title, *sheet_lines] if sheet_lines else []


def read_xlsx(data: bytes, name: str, limits: Limits) -> SourceDocument:
    """Every visible worksheet with values in the TAB convention; hidden sheets only when no visible sheet holds a
    table (a workbook carried over from last year keeps last year's tables on a hidden sheet)."""
    with guarded(name, CORRUPT):
        parts = _check_xml_parts(data, name, limits)
        import openpyxl

        notes: list[str] = []
        texts = _FormulaTexts()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                worksheets = [
                    sheet for sheet in workbook.worksheets if hasattr(sheet, "iter_rows")
                ]  # no charts
                hidden = [sheet for sheet in worksheets if getattr(sheet, "sheet_state", "") in HIDDEN_STATES]
                rendered = {
                    id(sheet): _render_sheet(sheet, parts, texts, limits, notes)
                    for sheet in worksheets
                    if sheet not in hidden
                }
                hidden_names = "、".join(clean_cell_text(str(sheet.title)) for sheet in hidden)
                if hidden and any(_holds_table(lines) for lines in rendered.values()):
                    notes.append(f"隐藏的工作表未读：{hidden_names} hidden sheets skipped")
                elif hidden:
                    hidden_notes: list[str] = []
                    for sheet in hidden:
                        rendered[id(sheet)] = _render_sheet(sheet, parts, texts, limits, hidden_notes)
                    if any(_holds_table(rendered[id(sheet)]) for sheet in hidden) or not any(
                        rendered.values()
                    ):
                        notes.append(
                            f"只有隐藏的工作表中有表格，已读取：{hidden_names} "
                            "only hidden sheets hold tables: read them"
                        )
                        notes.extend(hidden_notes)
                    else:
                        for sheet in hidden:
                            del rendered[id(sheet)]
                        notes.append(f"隐藏的工作表未读：{hidden_names} hidden sheets skipped")
                lines = [line for sheet in worksheets for line in rendered.get(id(sheet), [])]
                sheets = sum(1 for sheet in worksheets if rendered.get(id(sheet)))
            finally:
                workbook.close()
    text = finish_text("\n".join(lines) + "\n" if lines else "", name, limits)
    if not text.strip():
        raise InputError(name, "Excel文件中没有数据 .xlsx without any cell values")
    notes.insert(0, f"{sheets} 个工作表有数据 sheets with data")
    return SourceDocument(path=name, kind="xlsx", text=text, structured=True, notes=notes)
