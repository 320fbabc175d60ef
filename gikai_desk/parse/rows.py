"""Read one table row's cells out of the text after its label, and fit them to the form's column count."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

from gikai_desk.model import Number
from gikai_desk.parse.tokens import (
    INLINE_RUN,
    NUMBER_CELL,
    SPACE_SPLIT,
    Kind,
    PipeStyle,
    Token,
    number_value,
    tokenize,
)

MAX_PLACEMENTS = 5000
"""Placements of a row's values enumerated at most when cells are missing."""

FLAG_EXTRA_TEXT = "单元格含有额外文字，已取其中的数字"
FLAG_NO_VALUES = "该行没有读到任何数值，无法确定各单元格是否为空"
FLAG_NARROW_ROW = "该行的单元格比表格其他行少，无法确定各值所在列"


def flag_count(found: int, expected: int) -> str:
    return f"该行有{found}个值，应为{expected}个，无法确定各值所在列"


@dataclass(slots=True)
class CellRead:
    """One cell as read: value, where (start == -1 when not seen), and certainty."""

    value: Number | None
    start: int = -1
    end: int = -1
    sure: bool = True
    flag: str | None = None


@dataclass(slots=True)
class RowRead:
    """A row's cells, or a glued blob still to be split (cells empty, blob set)."""

    cells: list[CellRead] = field(default_factory=list)
    blob: tuple[int, int] | None = None
    problem: str | None = None
    """Why the row is unsure (for the parser's notes)."""
    dropped: int = 0
    """Surplus empty cells dropped to fit the form (padding of a TAB or Markdown grid)."""


def read_row(
    norm: str,
    start: int,
    end: int,
    count: int,
    pipes: PipeStyle,
    prefer_leading: bool,
    sum_groups: int,
) -> RowRead:
    """The `count` cells of a row whose label ends at `start`; its text runs up to `end` (next label)."""
    inline = INLINE_RUN.match(norm, start, end)
    if inline is not None and inline.group().strip():
        return _read_inline(norm, inline, count, sum_groups)
    mid_end = end < len(norm) and end > start and norm[end - 1] != "\n"
    tokens = tokenize(norm, start, end, pipes, True, mid_end, stop_at_text_after_values=True)
    values = select_values(tokens)
    return fit(values, count, prefer_leading, sum_groups)


def _read_inline(norm: str, run: re.Match[str], count: int, sum_groups: int) -> RowRead:
    parts = [p for p in SPACE_SPLIT.finditer(norm, run.start(), run.end())]
    joined_units = any(not NUMBER_CELL.fullmatch(p.group()) for p in parts)
    if len(parts) == count and not joined_units:
        return RowRead(cells=[_cell_from(norm, p.start(), p.end()) for p in parts])
    if len(parts) > count or (len(parts) < count and "  " in run.group().strip()):
        # More numbers than cells, or columns set apart by wide gaps with some missing: not glue.
        tokens = [Token(Kind.NUMBER, p.start(), p.end(), 0, _safe_value(p.group())) for p in parts]
        return fit(tokens, count, False, sum_groups)
    blob_start = parts[0].start()
    blob_end = parts[-1].end()
    return RowRead(blob=(blob_start, blob_end))


def _safe_value(text: str) -> Number | None:
    try:
        return number_value(text)
    except ValueError:
        return None


def _cell_from(norm: str, start: int, end: int) -> CellRead:
    return CellRead(number_value(norm[start:end]), start, end)


def select_values(tokens: Sequence[Token]) -> list[Token]:
    """The row's value cells: text before them is skipped (label remainders, group labels), text after ends them.
    In a TAB/pipe row whose label line holds numbers, the row is that line only."""
    label_line_has_number = any(t.kind is Kind.NUMBER and t.line == 0 for t in tokens)
    values: list[Token] = []
    for token in tokens:
        if label_line_has_number and token.line != 0:
            break
        kind = token.kind
        if kind is Kind.STRAY:
            continue
        if kind is Kind.TEXT:
            if values:
                break
            continue
        values.append(token)
    return values


def fit(values: list[Token], count: int, prefer_leading: bool, sum_groups: int) -> RowRead:
    """Fit the row's value cells to the form's `count` columns; never shift silently."""
    found = len(values)
    if found > count:
        values = _drop_surplus_blanks(values, count, prefer_leading)
    if len(values) == count:
        return RowRead(cells=[_read(t) for t in values], dropped=found - count)
    if not values:
        # Nothing at all after the label (no number, no empty cell between separators): blank or elsewhere?
        return RowRead(
            cells=[CellRead(None, sure=False, flag=FLAG_NO_VALUES) for _ in range(count)],
            problem=FLAG_NO_VALUES,
        )
    if len(values) < count and all(t.kind is Kind.BLANK for t in values):
        # Only empty cells were lost: every placement reads the same (all blank).
        return RowRead(cells=[CellRead(None) for _ in range(count)], problem="lost_blank")
    reason = flag_count(len(values), count)
    best = _best_reading(values, count, sum_groups, prefer_leading)
    cells = [
        CellRead(None, sure=False, flag=reason) if t is None else _read(t, sure=False, flag=reason)
        for t in best
    ]
    return RowRead(cells=cells, problem=reason)


def _drop_surplus_blanks(values: list[Token], count: int, prefer_leading: bool) -> list[Token]:
    surplus = len(values) - count
    values = list(values)
    sides = ("lead", "trail") if prefer_leading else ("trail", "lead")
    for side in sides:
        while surplus > 0 and values:
            token = values[0] if side == "lead" else values[-1]
            if token.kind is not Kind.BLANK or token.end != token.start:
                break
            values.pop(0 if side == "lead" else -1)
            surplus -= 1
    return values


def _read(token: Token, sure: bool = True, flag: str | None = None) -> CellRead:
    if token.kind is Kind.BLANK:
        return CellRead(None, token.start, token.end, sure, flag)
    if token.extra and sure:
        return CellRead(token.value, token.start, token.end, False, FLAG_EXTRA_TEXT)
    return CellRead(token.value, token.start, token.end, sure, flag)


def _sums_hold(row: Sequence[Token | None], groups: int) -> bool:
    """Each of the row's `groups` equal parts ends with the sum of the part's other cells (blank = 0)."""
    nums = [0 if t is None or t.value is None else t.value for t in row]
    width = len(nums) // groups
    for g in range(groups):
        part = nums[g * width : (g + 1) * width]
        if abs(sum(part[:-1]) - part[-1]) > 1e-9:
            return False
    return True


def _best_reading(
    values: list[Token], count: int, sum_groups: int, prefer_leading: bool
) -> list[Token | None]:
    """A sensible reading to show (still flagged): one that satisfies the row total when there is one."""
    found = len(values)
    if found > count:
        windows = [values[i : i + count] for i in range(found - count + 1)]
        if sum_groups:
            for window in windows:
                if _sums_hold(window, sum_groups):
                    return list(window)
        return list(windows[0])
    orders = list(combinations(range(count), found))
    if prefer_leading:
        orders.reverse()  # missing cells first: values keep to the right, where the total column is
    if len(orders) > MAX_PLACEMENTS:
        orders = orders[:1]
    first: list[Token | None] | None = None
    for positions in orders:
        row: list[Token | None] = [None] * count
        for token, pos in zip(values, positions, strict=True):
            row[pos] = token
        if first is None:
            first = row
        if not sum_groups or _sums_hold(row, sum_groups):
            return row
    assert first is not None
    return first


def flag_row(read: RowRead, reason: str) -> None:
    """Mark every cell of a row unsure (values kept as the reading shown)."""
    read.cells = [CellRead(c.value, c.start, c.end, False, reason) for c in read.cells]
    read.problem = reason
