"""Table grids: place merged cells on a grid, drop degenerate columns, write rows in the TAB convention."""
# Three kinds of grid position: the start of a cell (its text), a position a merged cell covers (an empty TAB
# cell, the convention), and an absent position where the row has no cell at all (a <tr> with fewer <td>s than
# its peers, Word's gridBefore/gridAfter). A row that ends early is written SHORT, never padded: the parser
# tells a row that lost a cell from its peers by its width, and a padded blank would read as a real blank.
# Leading absent positions (Word's gridBefore: the row starts in a later grid column, its cells still drawn
# under their columns) are written as empty cells, so the cells keep their positions.
# A grid column in which no cell of its own begins (every cell touching it also covers a neighbouring kept
# column, or the position is absent) carries no data: office programs add such sliver columns when cell edges
# of different rows almost line up. It is dropped from every row. Rows in which no cell begins are blank and
# are dropped like every row without text (HTML and Word keep a row of several empty cells after the table's first
# text: an all-blank value row).

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, cast

MAX_TABLE_COLUMNS = 256
"""Columns beyond this are dropped (real report tables have about ten)."""
MAX_SPAN_ROWS = 1000
"""Row spans are clamped to this many rows."""


def clean_cell_text(text: str) -> str:
    """Collapse every run of whitespace (TAB, newline, NBSP, ideographic space) into one space and trim."""
    return " ".join(text.split())


@dataclass
class GridCell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    continues_above: bool = False
    """True for a vertically merged continuation (Word vMerge): an empty covered cell."""
    absent: bool = False
    """A grid position where the row has no cell (Word gridBefore): takes up columns, holds nothing."""


class PlacedCell(NamedTuple):
    """A cell on the grid: columns [start, end) from row `top`; its text shows once, in its top-left position."""

    start: int
    end: int
    text: str
    top: int


Slots = list[int | None]
"""Per grid column of one row: the index of the PlacedCell there, or None where the row has no cell."""


def expand_grid(rows: Sequence[Sequence[GridCell]]) -> tuple[list[Slots], list[PlacedCell]]:
    """Place flowing cells (HTML <td>s, Word <w:tc>s) left to right, skipping positions covered from above."""
    grid: list[Slots] = []
    cells: list[PlacedCell] = []
    covering: list[int] = []  # per column: how many more rows a span from above still covers
    covered_by: list[int] = []  # per column: the cell covering it from above
    spanning = False  # some span from above reaches this row (else `covering` is all zeros)
    new_placed = tuple.__new__
    for row_index, row in enumerate(rows):
        slots: Slots = []
        column = 0
        width = len(covering)
        for cell in row:
            if spanning:
                while column < width and covering[column] > 0:
                    slots.append(covered_by[column])
                    column += 1
            if column >= MAX_TABLE_COLUMNS:
                break
            colspan = cell.colspan
            if colspan != 1:
                colspan = max(1, min(colspan, MAX_TABLE_COLUMNS - column))
            if cell.absent:
                slots.extend([None] * colspan)
                column += colspan
                continue
            rowspan = cell.rowspan
            if rowspan != 1:
                rowspan = max(1, min(rowspan, MAX_SPAN_ROWS))
            index = len(cells)
            end = column + colspan
            text = "" if cell.continues_above else cell.text
            cells.append(new_placed(PlacedCell, (column, end, text, row_index)))
            if colspan == 1:
                slots.append(index)
            else:
                slots.extend([index] * colspan)
            if width < end:
                covering.extend([0] * (end - width))
                covered_by.extend([0] * (end - width))
                width = end
            if rowspan > 1:
                covering[column:end] = [rowspan] * colspan
                covered_by[column:end] = [index] * colspan
                spanning = True
            column = end
        if spanning:
            while column < width and covering[column] > 0:  # positions covered from above after the last cell
                slots.append(covered_by[column])
                column += 1
            covering = [left - 1 if left > 1 else 0 for left in covering]
            spanning = any(covering)
        grid.append(slots)
    return grid, cells


def kept_columns(width: int, cells: Sequence[PlacedCell]) -> list[int]:
    """Grid columns that carry data: every column but those in which no cell of its own begins.

    A column holding a one-column cell is kept. The others are dropped as long as every cell covering them keeps
    another column (so each cell still has a position for its text): first the columns in which no cell begins
    at all, then those in which only wide cells begin, widest first. Where a sliver column sits under the edge of
    a header (Writer: 行政复议 over columns 0-4 and 行政诉讼 from 5, the leaf 总计 over 4-5), the column where the
    narrow leaf cell begins stays and the one where only the wide header begins goes, so the header still covers
    its leaf cells.
    """
    own = [False] * width
    wide: set[tuple[int, int]] = set()
    for cell in cells:
        if cell.start >= width:
            continue
        if cell.end - cell.start == 1:
            own[cell.start] = True
        else:
            wide.add((cell.start, min(cell.end, width)))
    if all(own):
        return list(range(width))
    narrowest_start = [
        width + 1
    ] * width  # per column: the narrowest cell beginning in it (none: wider than all)
    for first, stop in wide:
        narrowest_start[first] = min(narrowest_start[first], stop - first)
    kept_in = {span: span[1] - span[0] for span in wide}
    dropped = [False] * width
    candidates = sorted((c for c in range(width) if not own[c]), key=lambda c: (-narrowest_start[c], c))
    for column in candidates:
        holders = [span for span in kept_in if span[0] <= column < span[1]]
        if any(kept_in[span] < 2 for span in holders):
            continue
        dropped[column] = True
        for span in holders:
            kept_in[span] -= 1
    return [column for column in range(width) if not dropped[column]]


def grid_rows(
    grid: Sequence[Slots], cells: Sequence[PlacedCell], pad_absent: bool = False
) -> list[list[str]]:
    """Rows of cell texts on the kept columns. Where a row has no cell, it ends (not padded) unless text
    follows further right, or `pad_absent` (Excel, where every position is a cell); leading absent positions
    are empty cells."""
    width = max((len(slots) for slots in grid), default=0)
    kept = kept_columns(width, cells)
    every = len(kept) == width
    rows: list[list[str | None]] = []
    for slots in grid:
        if every:
            values: list[str | None] = (
                [""] * len(slots)
                if None not in slots
                else ["" if index is not None else None for index in slots]
            )
            if len(slots) < width:
                values += [None] * (width - len(slots))
            rows.append(values)
        else:
            rows.append(
                ["" if column < len(slots) and slots[column] is not None else None for column in kept]
            )
    position = [-1] * width  # grid column -> position among the kept columns
    for place, column in enumerate(kept):
        position[column] = place
    first_kept = [width] * (width + 1)  # grid column -> the first kept column at or after it
    for column in range(width - 1, -1, -1):
        first_kept[column] = column if position[column] >= 0 else first_kept[column + 1]
    for index, (start, end, text, top) in enumerate(cells):
        if not text:
            continue
        column = first_kept[start if start < width else width]
        if column < end:
            slots = grid[top]
            if (
                column < len(slots) and slots[column] == index
            ):  # overlapping spans: the later cell won the slot
                rows[top][position[column]] = text
    return [_close_row(values, pad_absent) for values in rows]


def _close_row(values: list[str | None], pad_absent: bool) -> list[str]:
    """Absent positions: empty before the first cell; the row's end after it (unless text follows)."""
    if None not in values:
        return cast(list[str], values)  # no None left: every value is a str
    first = next((i for i, value in enumerate(values) if value is not None), len(values))
    gap = next((i for i in range(first, len(values)) if values[i] is None), len(values))
    if gap < len(values) and not pad_absent and not any(values[gap:]):
        values = values[:gap]
    return [value or "" for value in values]


def table_rows(rows: Sequence[Sequence[GridCell]]) -> list[list[str]]:
    """Flowing cells (HTML, Word) as rows of the TAB convention on the table's kept columns."""
    grid, cells = expand_grid(rows)
    return grid_rows(grid, cells)


def render_grid(grid: Sequence[Sequence[str]], keep_blank_rows: bool = False) -> list[str]:
    """One TAB-separated line per row, as long as the row (never padded). Rows with no text are dropped, except
    with `keep_blank_rows` (tables whose rows are explicit elements: an HTML <tr>, a Word <w:tr>): there a row
    of several empty cells after the table's first text is kept, since 表四's value row left all blank is a
    row of blanks, not nothing. Spreadsheet rows are not explicit: their empty rows are dropped."""
    if not keep_blank_rows:
        return ["\t".join(row) for row in grid if any(row)]
    filled = next((i for i, row in enumerate(grid) if any(row)), len(grid))
    return ["\t".join(row) for row in grid[filled:] if any(row) or len(row) >= 2]
