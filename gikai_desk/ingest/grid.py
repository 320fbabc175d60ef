"""Table grids: expand rowspan/colspan cells into rows of the TAB convention."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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


def expand_grid(rows: Sequence[Sequence[GridCell]]) -> list[list[str]]:
    """Place cells on a grid: text in each merged range's top-left position, covered positions empty."""
    grid: list[list[str]] = []
    covering: list[int] = []  # per column: how many more rows a span from above still covers
    for row in rows:
        line: list[str] = []
        column = 0
        for cell in row:
            while column < len(covering) and covering[column] > 0:
                line.append("")
                column += 1
            if column >= MAX_TABLE_COLUMNS:
                break
            colspan = cell.colspan
            if colspan != 1:
                colspan = max(1, min(colspan, MAX_TABLE_COLUMNS - column))
            rowspan = cell.rowspan
            if rowspan != 1:
                rowspan = max(1, min(rowspan, MAX_SPAN_ROWS))
            line.append("" if cell.continues_above else cell.text)
            if colspan > 1:
                line.extend([""] * (colspan - 1))
            if len(covering) < column + colspan:
                covering.extend([0] * (column + colspan - len(covering)))
            if rowspan > 1:
                covering[column : column + colspan] = [rowspan] * colspan
            column += colspan
        grid.append(line)
        covering = [left - 1 if left > 1 else 0 for left in covering]
    return grid


def render_grid(grid: Sequence[Sequence[str]]) -> list[str]:
    """One TAB-separated line per row, padded to the table's width; rows with no text are dropped."""
    width = max((len(row) for row in grid), default=0)
    lines: list[str] = []
    for row in grid:
        if not any(row):
            continue
        cells = list(row) + [""] * (width - len(row))
        lines.append("\t".join(cells))
    return lines
