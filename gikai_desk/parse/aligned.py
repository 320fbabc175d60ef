"""Rows of space-aligned text (`pdftotext -layout`, `w3m -dump` of a borderless table) that lost blank cells.

In text laid out with spaces a blank cell leaves only spaces, so a row prints fewer numbers than the form has
columns and the row reader cannot tell which are missing. The positions tell: the table's complete rows (as
many numbers as columns, on one line) show where each column sits, and a number of a short row belongs to
the column it stands under. The columns are trusted only when most complete rows line up and at least two of
them do so with different spacing (text joined with fixed gaps lines up only by chance). A short row is
placed only when every number stands clearly under one column (nearer to it than 0.4 of the gap to the
next), in order, each column at most once; its other cells are then blank, and every cell is sure.
Otherwise the row stays as the row reader flagged it.

Columns are measured both in characters (pdftotext counts a CJK character as one column) and in display
width (w3m and terminals count two); the measure under which the complete rows line up more tightly is used.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from itertools import pairwise
from statistics import median

from gikai_desk.parse.rows import CellRead, RowRead

MIN_COMPLETE_ROWS = 2
"""Complete rows that must line up (with different spacing) before column positions are trusted."""


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _positions(norm: str, cells: Sequence[CellRead], wide: bool) -> list[float] | None:
    """Each cell's centre as a column on its line, or None when the cells are not all on one line."""
    first = cells[0].start
    line_start = norm.rfind("\n", 0, first) + 1
    if norm.find("\n", line_start, cells[-1].end) >= 0:
        return None
    out: list[float] = []
    for cell in cells:
        before = norm[line_start : cell.start]
        body = norm[cell.start : cell.end]
        if wide:
            out.append(_width(before) + _width(body) / 2)
        else:
            out.append(len(before) + len(body) / 2)
    return out


def place_by_columns(
    norm: str, rows: dict[str, RowRead], count_of: dict[str, int], short_problem: str, row_total: bool
) -> list[str]:
    """Place the numbers of short rows (problem starting with `short_problem`) under the columns that the
    complete rows of the same width show. With `row_total` (表三) a row is placed only when its total holds
    with the blanks as 0: spaces where a number was lost must not pass for blanks. Changes `rows`; returns
    the rows placed."""
    placed: list[str] = []
    for count in sorted(set(count_of.values())):
        if count < 2:
            continue
        group = [row for row, n in count_of.items() if n == count and row in rows]
        complete = [
            rows[r].cells for r in group if rows[r].problem is None and rows[r].blob is None and all(
                c.start >= 0 and c.value is not None for c in rows[r].cells
            )
        ]
        if len(complete) < MIN_COMPLETE_ROWS:
            continue
        best: tuple[int, list[float], bool] | None = None
        for wide in (False, True):
            measured = [(cells, _positions(norm, cells, wide)) for cells in complete]
            on_one_line = [cells for cells, p in measured if p is not None]
            lines = [p for _, p in measured if p is not None]
            if len(lines) < MIN_COMPLETE_ROWS:
                continue
            centres = [median(line[i] for line in lines) for i in range(count)]
            gaps = [b - a for a, b in pairwise(centres)]
            if min(gaps) <= 0:
                continue
            # The rows that line up (a long label can push one row's numbers aside): most must.
            aligned = [
                i for i, line in enumerate(lines) if max(abs(p - c) for p, c in zip(line, centres, strict=True)) < min(gaps) / 4
            ]
            if len(aligned) < MIN_COMPLETE_ROWS or 2 * len(aligned) <= len(lines):
                continue
            if len({_spacing(norm, on_one_line[i]) for i in aligned}) < 2:
                continue  # the same spacing everywhere: text joined with fixed gaps lines up by chance
            aligned_lines = [lines[i] for i in aligned]
            centres = [median(line[i] for line in aligned_lines) for i in range(count)]
            if best is None or len(aligned) > best[0]:
                best = (len(aligned), centres, wide)
        if best is None:
            continue  # the complete rows do not line up: no columns to go by
        _, centres, wide = best
        for row in group:
            read = rows[row]
            if read.problem is None or not read.problem.startswith(short_problem):
                continue
            found = [c for c in read.cells if c.start >= 0 and c.value is not None]
            if not found or len(found) >= count:
                continue
            positions = _positions(norm, found, wide)
            if positions is None:
                continue
            columns = [_column_of(p, centres) for p in positions]
            if any(c is None for c in columns) or columns != sorted(set(columns)):  # type: ignore[type-var]
                continue
            cells = [CellRead(None) for _ in range(count)]
            for cell, column in zip(found, columns, strict=True):
                assert column is not None
                cells[column] = CellRead(cell.value, cell.start, cell.end)
            if row_total:
                numbers = [c.value or 0 for c in cells]
                if abs(sum(numbers[:-1]) - numbers[-1]) > 1e-9:
                    continue
            rows[row] = RowRead(cells=cells)
            placed.append(row)
    return placed


def _spacing(norm: str, cells: Sequence[CellRead]) -> tuple[int, ...]:
    """The run of spaces before each cell: equal in every row of text joined with fixed gaps."""
    out: list[int] = []
    for cell in cells:
        i = cell.start
        while i > 0 and norm[i - 1] == " ":
            i -= 1
        out.append(cell.start - i)
    return tuple(out)


def _column_of(position: float, centres: Sequence[float]) -> int | None:
    """The column whose centre is nearest, when the position is nearer to it than half the gap to either
    neighbour; else None."""
    best = min(range(len(centres)), key=lambda i: abs(centres[i] - position))
    distance = abs(centres[best] - position)
    for neighbour in (best - 1, best + 1):
        if 0 <= neighbour < len(centres) and distance >= abs(centres[neighbour] - centres[best]) / 2 * 0.8:
            return None
    return best
