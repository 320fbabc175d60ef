"""表二 in a grid (TAB or Markdown): a row's value cells mapped by its section header's spans.

A merged header cell (采购项目数量 over two grid columns, as an HTML colspan, a Word gridSpan or a Markdown table
that prints a merged cell once and leaves the positions it covers empty) leaves an empty grid column under it in
every row of its section. Read by position, the row then has one cell too many (flagged), or an empty cell that
only looks like a value's blank. The section's header line (信息内容 | 列 | | 列) says which positions are the
columns: a position whose header cell is empty is a ghost. When the row has the header's width, nothing under
the ghosts, and exactly the form's number of columns left, those cells are the row's values in form order.
Otherwise the row keeps what the general reader made of it (flagged when it does not fit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from gikai_desk.parse.rows import FLAG_EXTRA_TEXT, CellRead, RowRead
from gikai_desk.parse.tokens import Kind, PipeStyle, Token, classify

HEADER_WORD = "信息内容"
"""The first cell of every 表二 section header."""


class _Hit(Protocol):
    row: str
    start: int
    end: int


def _line_cells(norm: str, pos: int, pipes: PipeStyle) -> tuple[list[tuple[int, int]], int] | None:
    """(start, end) of each cell on the TAB or Markdown line holding `pos`, and the index of the cell holding it."""
    line_start = norm.rfind("\n", 0, pos) + 1
    line_end = norm.find("\n", pos)
    if line_end < 0:
        line_end = len(norm)
    line = norm[line_start:line_end]
    if "\t" in line:
        separator = "\t"
    elif pipes is PipeStyle.MARKDOWN and "|" in line:
        separator = "|"
    else:
        return None
    cells: list[tuple[int, int]] = []
    offset = line_start
    for part in line.split(separator):
        cells.append((offset, offset + len(part)))
        offset += len(part) + 1
    if separator == "|":  # the outer pipes of `| a | b |` open and close the row, no cell beyond them
        if line.lstrip().startswith("|"):
            cells = cells[1:]
        if line.rstrip().endswith("|") and cells:
            cells = cells[:-1]
    at = next((i for i, (start, end) in enumerate(cells) if start <= pos <= end), -1)
    return (cells, at) if at >= 0 else None


def map_t2_by_header(
    norm: str,
    rows: dict[str, RowRead],
    hits: Sequence[_Hit],
    columns_of: Mapping[str, tuple[str, ...]],
    pipes: PipeStyle,
    table_start: int,
) -> None:
    """Re-read, by their section header's columns, the 表二 grid rows whose header has empty (merged) positions."""
    headers: dict[int, tuple[list[tuple[int, int]], int, list[int]] | None] = {}
    for hit in hits:
        read = rows.get(hit.row)
        if read is None or hit.row not in columns_of:
            continue
        header = norm.rfind(HEADER_WORD, table_start, hit.start)
        if header < 0:
            continue
        if header not in headers:
            head = _line_cells(norm, header, pipes)
            if head is None:
                headers[header] = None
            else:
                cells_of_head, at = head
                empty = [
                    i for i in range(at + 1, len(cells_of_head)) if not norm[slice(*cells_of_head[i])].strip()
                ]
                headers[header] = (cells_of_head, at, empty) if empty else None
        known = headers[header]
        if known is None:
            continue  # no merged (empty) position in this section's header
        head_cells, head_at, ghosts = known
        line = _line_cells(norm, hit.start, pipes)
        if line is None:
            continue
        row_cells, row_at = line
        if len(head_cells) != len(row_cells) or head_at != row_at:
            continue
        if any(ch.isdigit() for ch in norm[hit.end : row_cells[row_at][1]]):
            continue  # a number in the label's cell (`其他对外管理服务事项 151第二十条…`): not a position's value
        positions = range(head_at + 1, len(head_cells))
        if any(norm[row_cells[i][0] : row_cells[i][1]].strip() for i in ghosts):
            continue
        columns = [i for i in positions if i not in ghosts]
        if len(columns) != len(columns_of[hit.row]):
            continue
        cells: list[CellRead] = []
        for i in columns:
            found: list[Token] = []
            classify(norm, row_cells[i][0], row_cells[i][1], 0, True, found)
            if len(found) != 1 or found[0].kind not in (Kind.NUMBER, Kind.BLANK):
                break
            token = found[0]
            if token.kind is Kind.BLANK:
                cells.append(CellRead(None, token.start, token.end))
            elif token.extra:
                cells.append(CellRead(token.value, token.start, token.end, False, FLAG_EXTRA_TEXT))
            else:
                cells.append(CellRead(token.value, token.start, token.end))
        else:
            rows[hit.row] = RowRead(cells=cells)
