"""Text in a PDF's object order: row values set apart from their labels, 表四's values in runs between header words.

Text copied out of a PDF viewer comes in the PDF's object order, not reading order. A block of row labels
(（一）予以公开, （二）部分公开, a vertical group label) can come after the values of those rows, so the row
printed before the block seems to hold two or three rows' worth of values and the rows of the block seem to
hold none:

    二、上年结转政府信息公开申请数量   34 0 0 0 0 0 34   1288 21 0 0 50 3 1362   447 7 0 0 0 0 454
    1.属于国家秘密   2 0 0 0 0 0 2
    …
    （一）予以公开
    （二）部分公开（区分处理的，只计这一情形，不计其他情形）

The mirror case is a block of labels followed by all their rows' values (the last label seems to hold them
all). Such a row's values are read as a run of whole rows: when a row holds exactly (k + 1) times its column
count and k of the rows next to it in the form's order hold no value of their own, the extra values are
theirs, row by row. Each way of sharing them out between the valueless rows before and after the row is a
reading; the row totals (T3_ROW_TOTAL) keep the readings under which every row adds up, and a cell is sure
only when all kept readings give it the same values and its row adds up. Without a row total (表二) the cells
are always flagged: nothing confirms the reading. The readings stand only when they explain the whole table
(every row then fits its columns): text in which whole columns come as blocks is left to the row reader,
which flags it.

表四 printed in runs between header words is read by read_t4_blocks (below).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import permutations

from gikai_desk.forms import formbook
from gikai_desk.parse.rows import FLAG_NO_VALUES, CellRead, RowRead, fit, select_values
from gikai_desk.parse.tokens import Kind, PipeStyle, tokenize

FLAG_DISPLACED = (
    "该行的数值印在其他行的数值之后（文字顺序与表格不同），按表格行序归入，但行合计不成立，请核对"
)
FLAG_DISPLACED_AMBIGUOUS = "该行的数值与相邻行的标签分开印出，有多种归属方式都满足行合计，无法确定属于哪一行"
FLAG_DISPLACED_UNCHECKED = (
    "该行的数值印在其他行的数值之后（文字顺序与表格不同），按表格行序归入，无勾稽关系可据以确认"
)
EXPLAINED = (None, "lost_blank", FLAG_DISPLACED, FLAG_DISPLACED_AMBIGUOUS, FLAG_DISPLACED_UNCHECKED)
NOTE = "以下行的数值印在前一行的数值之后（复制PDF文字时常见），已按表格行序归入："


def _valueless_run(
    rows: dict[str, RowRead], count_of: dict[str, int], neighbours: Iterable[str], count: int
) -> list[str]:
    """The rows next to a row, nearest first, that hold no value of their own (up to the first that does)."""
    run: list[str] = []
    for row in neighbours:
        read = rows.get(row)
        if count_of[row] != count or (read is not None and read.problem != FLAG_NO_VALUES):
            break
        run.append(row)
    return run


def _total_holds(cells: Sequence[CellRead]) -> bool:
    values = [0 if c.value is None else c.value for c in cells]
    return abs(sum(values[:-1]) - values[-1]) <= 1e-9


def spill_displaced_rows(
    norm: str,
    rows: dict[str, RowRead],
    regions: dict[str, tuple[int, int]],
    form_rows: Sequence[str],
    count_of: dict[str, int],
    pipes: PipeStyle,
    prefer_leading: bool,
    sum_groups: int,
) -> list[str]:
    """Share the values a row holds beyond its own among the valueless rows next to it in form order.
    `regions`: each found row's value text [start, end). Changes `rows` in place; returns the rows that
    received values, in form order."""
    proposed: dict[str, RowRead] = {}
    moved: list[str] = []
    for index, row in enumerate(form_rows):
        read = rows.get(row)
        region = regions.get(row)
        if read is None or region is None or read.problem is None or read.problem == FLAG_NO_VALUES:
            continue
        count = count_of[row]
        before = _valueless_run(rows, count_of, reversed(form_rows[:index]), count)
        after = _valueless_run(rows, count_of, form_rows[index + 1 :], count)
        if not before and not after:
            continue
        start, end = region
        mid_end = end < len(norm) and end > start and norm[end - 1] != "\n"
        values = select_values(
            tokenize(norm, start, end, pipes, True, mid_end, stop_at_text_after_values=True)
        )
        extra = len(values) // count - 1
        if len(values) % count or not 1 <= extra <= len(before) + len(after):
            continue
        # Which rows the extra values belong to: those after the row (labels printed after the values), those
        # before it (a block of labels, then all their values), or some of each. Every split that the row
        # totals allow is a reading; a cell is sure when all of them agree.
        wide = fit(values, len(values), prefer_leading, 0).cells
        splits: list[dict[str, list[CellRead]]] = []
        for lead in range(max(0, extra - len(after)), min(extra, len(before)) + 1):
            targets = [*reversed(before[:lead]), row, *after[: extra - lead]]
            splits.append({t: wide[i * count : (i + 1) * count] for i, t in enumerate(targets)})
        readings = [r for r in splits if sum_groups and all(_total_holds(cells) for cells in r.values())]
        for target in [t for t in form_rows if any(t in split for split in splits)]:
            options = [r.get(target) for r in readings or splits]
            shown = next(o for o in options if o is not None)
            agree = all(o is not None and [c.value for c in o] == [c.value for c in shown] for o in options)
            if not agree:
                reason: str | None = FLAG_DISPLACED_AMBIGUOUS
            elif not sum_groups:
                reason = FLAG_DISPLACED_UNCHECKED
            else:
                reason = None if _total_holds(shown) else FLAG_DISPLACED
            cells = shown
            if reason is not None:
                cells = [CellRead(c.value, c.start, c.end, False, c.flag or reason) for c in shown]
            proposed[target] = RowRead(cells=cells, problem=reason)
            if target != row:
                moved.append(target)
    if not proposed:
        return []
    # The reading stands only when it explains the whole table: every other row fits its columns. Text in
    # which whole columns come as blocks (another object order) leaves rows without values or with dozens.
    for row in form_rows:
        read = proposed.get(row, rows.get(row))
        if read is not None and read.problem not in EXPLAINED:
            return []
    rows.update(proposed)
    return moved


FLAG_T4_BLOCKS = "表四的数值在文字中分成几段、夹在表头文字之间，多种排列都满足合计关系，无法确定各值所在组"
MAX_T4_BLOCKS = 7
"""Runs of values a scrambled 表四 may come in (7! = 5,040 orders to try at most)."""


def read_t4_blocks(
    norm: str, start: int, end: int, pipes: PipeStyle, count: int, groups: int, stated: Mapping[int, float]
) -> RowRead | None:
    """表四 whose values come in runs separated by header words (a PDF viewer's copy: `72 64 178 37 结果 …
    12 1 1 6 总计 351 …`): every order of the runs that gives `count` values in which each group's total
    holds is an admissible reading; a cell is sure when all of them give it the same value. The reading shown
    is the admissible order closest to the text's. None when the runs hold another number of values, are too
    many, or no order satisfies the totals. Evidence narrows the orders when some order fits it: a group's name
    alone in the header words before a run (the run is that group's), and the figures the prose states
    (`stated`: cell index -> value, e.g. 行政复议 351 件 for the review total)."""
    tokens = tokenize(norm, start, end, pipes, False, False)
    blocks: list[list[CellRead]] = []
    gaps: list[tuple[int, int]] = []
    current: list[CellRead] = []
    gap_start = start
    for token in tokens:
        if token.kind is Kind.NUMBER and token.value is not None and not token.extra:
            if not current:
                gaps.append((gap_start, token.start))
            # a cell a reader marked (beyond a PDF page's edge) stays flagged whatever the order
            current.append(CellRead(token.value, token.start, token.end, token.flag is None, token.flag))
        elif token.kind is Kind.TEXT:
            if current:
                blocks.append(current)
                gap_start = current[-1].end
                current = []
        elif token.kind is Kind.BLANK:
            return None  # grids with empty cells are read by the ordinary reader
    if current:
        blocks.append(current)
    if not 2 <= len(blocks) <= MAX_T4_BLOCKS or sum(len(b) for b in blocks) != count:
        return None
    width = count // groups
    named = [_group_named(norm, gap) for gap in gaps]
    readings: list[tuple[int, bool, list[CellRead]]] = []
    for order in permutations(range(len(blocks))):
        cells = [cell for index in order for cell in blocks[index]]
        values = [float(c.value or 0) for c in cells]
        totals = (
            (values[g * width : (g + 1) * width - 1], values[(g + 1) * width - 1]) for g in range(groups)
        )
        if any(abs(sum(parts) - total) > 1e-9 for parts, total in totals):
            continue
        inversions = sum(1 for i, a in enumerate(order) for b in order[i + 1 :] if a > b)
        readings.append((inversions, _fits_names(order, blocks, named, width), cells))
    if not readings:
        return None
    if any(fits for _, fits, _ in readings):
        readings = [r for r in readings if r[1]]
    admissible = [(inversions, cells) for inversions, _, cells in readings]
    told = [
        r for r in admissible if all(abs(float(r[1][i].value or 0) - v) < 1e-9 for i, v in stated.items())
    ]
    if told:
        admissible = told
    seen = {tuple(float(c.value or 0) for c in cells) for _, cells in admissible}
    shown = min(admissible, key=lambda item: item[0])[1]
    agree = [len({values[i] for values in seen}) == 1 for i in range(count)]
    out = [
        cell if sure else CellRead(cell.value, cell.start, cell.end, False, FLAG_T4_BLOCKS)
        for cell, sure in zip(shown, agree, strict=True)
    ]
    return RowRead(cells=out, problem=None if all(agree) else FLAG_T4_BLOCKS)


def _group_named(norm: str, gap: tuple[int, int]) -> int | None:
    """The one 表四 group whose name stands in the text before a run of values, or None (none, or several)."""
    text = "".join(norm[gap[0] : gap[1]].split())
    found = {
        index
        for index, row in enumerate(formbook().table("t4").rows.values())
        if any(fragment in text for fragment in row.match)
    }
    return found.pop() if len(found) == 1 else None


def _fits_names(
    order: Sequence[int], blocks: Sequence[Sequence[CellRead]], named: Sequence[int | None], width: int
) -> bool:
    """Whether every run placed by `order` that has its group's name before it lies inside that group."""
    position = 0
    for index in order:
        group = named[index]
        if (
            group is not None
            and not group * width <= position < position + len(blocks[index]) <= (group + 1) * width
        ):
            return False
        position += len(blocks[index])
    return True
