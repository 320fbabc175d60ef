"""Read one table row's cells out of the text after its label, and fit them to the form's column count."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations

from gikai_desk.model import Number
from gikai_desk.parse.tokens import (
    FLAG_ROW_CUT,
    INLINE_RUN,
    NUMBER_CELL,
    SPACE_SPLIT,
    Kind,
    PipeStyle,
    Token,
    classify,
    number_value,
    tokenize,
)

MAX_PLACEMENTS = 5000
"""Placements of a row's values enumerated at most when cells are missing."""

FLAG_EXTRA_TEXT = "单元格含有额外文字，已取其中的数字"
LOST_BLANKS = 1
"""Empty cells a row may have lost and still read blank when every cell present is empty: a reader loses an
empty cell now and then; a row that holds only two empty cells of seven was cut from elsewhere (a label found
in the wrong place, a row split over lines) and is flagged, not read blank."""
FLAG_NO_VALUES = "该行没有读到任何数值，无法确定各单元格是否为空"
FLAG_NARROW_ROW = "该行的单元格比表格其他行少，无法确定各值所在列"
FLAG_ROW_CUT_UNPLACED = "该行在页面边缘被截断，页面上的单元格数与表格不符，无法确定各值所在列"


SHORT_ROW = "该行有"
"""How every flag_count message begins."""


@cache
def flag_count(found: int, expected: int) -> str:
    return f"{SHORT_ROW}{found}个值，应为{expected}个，无法确定各值所在列"


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
    spare: list[CellRead] | None = None
    """The cells read when they do not fit the form's columns (fewer or more), for parse/place.py to place
    with the table's rules; `cells` then holds a flagged reading to show."""


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
    read = plain_row(norm, start, end, count, prefer_leading, pipes, sum_groups)
    if read is None:
        read = read_row_general(norm, start, end, count, pipes, prefer_leading, sum_groups)
    if (
        pipes is PipeStyle.TERMINATED
        and read.spare is not None
        and len(read.spare) > count
        and len({c.value for c in read.spare}) > 1
    ):
        # The same with more values than columns: no ghost columns in this layout (covered positions of
        # merged cells print nothing), so any cell may be the extra one; sure only when every choice reads
        # the same (twelve zeros for seven columns).
        flag_row(read, FLAG_EXTRA_CELLS)
    elif pipes is PipeStyle.TERMINATED and read.dropped and read.problem is None:
        # One cell per line, each ending with a pipe (seed 001): no grid padding; an extra empty cell means
        # the row gained a cell (a stray or doubled line), and which of its cells is extra cannot be told.
        flag_row(read, FLAG_EXTRA_CELLS)
    return read


FLAG_EXTRA_CELLS = "该行的单元格比应有的多，可能混入了多余的行，无法确定各值所在列"


_PLAIN_LINES = re.compile(r"[ ]*\n(?:[ ]*[0-9]{0,18}[ ]*\n)*")
"""Rows in one-cell-per-line text holding plain whole numbers (seeds 000/002), up to the first other line."""
_PLAIN_TAB_LINE = re.compile(r"(?:\t[ ]*[0-9]{0,18}[ ]*)+\n")
"""A TAB row holding only plain whole numbers and empty cells."""
_PLAIN_TERMINATED_LINES = re.compile(r"[ ]*\|[ |]*\n(?:[ ]*(?:[0-9]{1,18}[ ]*)?\|[ |]*\n|[ ]*\n)*")
"""Pipe-terminated rows (seed 001): `2 |` or a bare `|` per line, up to the first other line."""
_PLAIN_CELL = re.compile(r"[ ]*[0-9]{0,18}[ ]*")
_BLANK_LINES = re.compile(r"(?:[ ]*\n)*")
_PLAIN_DIGITS = re.compile(r"[0-9]{1,18}")


def plain_row(
    norm: str, start: int, end: int, count: int, prefer_leading: bool, pipes: PipeStyle, sum_groups: int = 0
) -> RowRead | None:
    """The common rows read without tokens, or None to leave the row to read_row_general. Handled (plain
    whole numbers and empty cells only): one number per line, ending the row or followed by a text line
    (where the general reader stops too); one TAB or Markdown line holding a number (the general reader
    then ignores the lines after it); pipe-terminated lines followed by a text line. Surplus empty cells
    are dropped as fit() drops them. Same RowRead as read_row_general (property-tested)."""
    if norm.startswith("\t", start):
        return _plain_tab_row(norm, start, end, count, prefer_leading, sum_groups)
    if pipes is PipeStyle.NONE:
        return _plain_line_row(norm, start, end, count)
    if pipes is PipeStyle.MARKDOWN:
        return _plain_markdown_row(norm, start, end, count, prefer_leading)
    return _plain_terminated_row(norm, start, end, count, prefer_leading)


def _fitted(cells: list[CellRead], count: int, prefer_leading: bool) -> RowRead | None:
    found = len(cells)
    if found < count:
        if found >= count - LOST_BLANKS and all(c.value is None for c in cells):
            # Only empty cells were lost (what fit() reads: every placement is blank).
            return RowRead(cells=[CellRead(None) for _ in range(count)], problem="lost_blank")
        return None
    surplus = found - count
    for leading in (prefer_leading, not prefer_leading):
        while surplus and cells[0 if leading else -1].value is None:
            cells.pop(0 if leading else -1)
            surplus -= 1
    return None if surplus else RowRead(cells=cells, dropped=found - count)


def _split_cells(norm: str, position: int, parts: list[str], checked: bool = False) -> list[CellRead] | None:
    """Cells of separated parts starting at `position` (one separator character between parts); None when a
    part is not a plain number or empty (`checked`: the caller's pattern already made sure)."""
    cells: list[CellRead] = []
    for part in parts:
        if not checked and _PLAIN_CELL.fullmatch(part) is None:
            return None
        digits = part.strip(" ")
        if digits:
            first = position + len(part) - len(part.lstrip(" "))
            cells.append(CellRead(int(digits), first, first + len(digits)))
        else:
            cells.append(CellRead(None, position, position))
        position += len(part) + 1
    return cells


def _ends_with_text(norm: str, rest: int, end: int, explicit: bool) -> bool:
    """Nothing but spaces from `rest` to `end`, or a next line whose first cell is text (the general
    reader stops there)."""
    if rest >= end or not norm[rest:end].strip(" "):
        return True
    newline = norm.find("\n", rest, end)
    after = norm[rest : end if newline < 0 else newline]
    if "\t" in after:
        return False
    if explicit:
        bar = after.find("|")
        if bar >= 0:
            after = after[:bar]
    elif "|" in after:
        return False
    tokens: list[Token] = []
    classify(norm, rest, rest + len(after), 1, explicit, tokens)
    return bool(tokens) and tokens[0].kind is Kind.TEXT


def _plain_tab_row(
    norm: str, start: int, end: int, count: int, prefer_leading: bool, sum_groups: int
) -> RowRead | None:
    line = _PLAIN_TAB_LINE.match(norm, start, end)
    if line is None:
        return None
    line_end = line.end() - 1
    items: list[tuple[int | None, int, int]] = []
    append = items.append
    position = start + 1
    filled = 0
    segment = norm[position:line_end]
    if " " not in segment:  # the common line: cells are digits or nothing
        for part in segment.split("\t"):
            if part:
                after = position + len(part)
                append((int(part), position, after))
                filled += 1
                position = after + 1
            else:
                append((None, position, position))
                position += 1
    else:
        for part in segment.split("\t"):
            digits = part.strip(" ")
            if digits:
                first = position + len(part) - len(part.lstrip(" "))
                append((int(digits), first, first + len(digits)))
                filled += 1
            else:
                append((None, position, position))
            position += len(part) + 1
    if filled > count:
        # More values than columns (seed 004's 12 for 7): what the general reader does with this one line.
        return _surplus_row(items, count, prefer_leading, sum_groups)
    if not filled and _BLANK_LINES.fullmatch(norm, line.end(), end) is None:
        return None
    return _fitted([CellRead(v, s, e) for v, s, e in items], count, prefer_leading)


def _surplus_row(
    items: list[tuple[int | None, int, int]], count: int, prefer_leading: bool, sum_groups: int
) -> RowRead:
    """fit() for a row of plain numbers and empty cells (value None, start == end) holding more numbers than
    `count`: surplus empty cells dropped from the sides, every cell flagged, the first window of `count`
    cells that satisfies the row total shown (without building tokens)."""
    low, high = 0, len(items)
    surplus = high - count
    for leading in (prefer_leading, not prefer_leading):
        if leading:
            while surplus > 0 and items[low][0] is None:
                low += 1
                surplus -= 1
        else:
            while surplus > 0 and items[high - 1][0] is None:
                high -= 1
                surplus -= 1
    found = high - low
    chosen = low
    if sum_groups:
        numbers = [0 if v is None else v for v, _, _ in items[low:high]]
        for first in range(found - count + 1):
            if _numbers_sum(numbers, first, count, sum_groups):
                chosen = low + first
                break
    reason = flag_count(found, count)
    return RowRead(
        cells=[CellRead(v, s, e, False, reason) for v, s, e in items[chosen : chosen + count]],
        problem=reason,
        spare=[CellRead(v, s, e) for v, s, e in items[low:high]],
    )


def _numbers_sum(numbers: list[int], first: int, count: int, groups: int) -> bool:
    """_sums_hold on numbers[first:first + count]."""
    width = count // groups
    for g in range(groups):
        low = first + g * width
        if abs(sum(numbers[low : low + width - 1]) - numbers[low + width - 1]) > 1e-9:
            return False
    return True


def _plain_line_row(norm: str, start: int, end: int, count: int) -> RowRead | None:
    lines = _PLAIN_LINES.match(norm, start, end)
    if lines is None:
        return None
    cells = [
        CellRead(int(m.group()), m.start(), m.end()) for m in _PLAIN_DIGITS.finditer(norm, start, lines.end())
    ]
    if len(cells) != count or not _ends_with_text(norm, lines.end(), end, explicit=False):
        return None
    return RowRead(cells=cells)


def _plain_markdown_row(norm: str, start: int, end: int, count: int, prefer_leading: bool) -> RowRead | None:
    line_end = norm.find("\n", start, end)
    if line_end < 0:
        return None
    text = norm[start:line_end]
    bar = text.find("|")
    if bar < 0 or "\t" in text or text[:bar].strip(" "):
        return None
    parts = text[bar + 1 :].split("|")
    if not parts[-1].strip():
        parts.pop()
    cells = _split_cells(norm, start + bar + 1, parts)
    if cells is None or all(c.value is None for c in cells):
        return None
    return _fitted(cells, count, prefer_leading)


def _plain_terminated_row(
    norm: str, start: int, end: int, count: int, prefer_leading: bool
) -> RowRead | None:
    lines = _PLAIN_TERMINATED_LINES.match(norm, start, end)
    if lines is None:
        return None
    cells: list[CellRead] = []
    position = norm.index("\n", start) + 1
    for line in norm[position : lines.end() - 1].split("\n"):
        bar = line.find("|")
        if bar >= 0:  # `2 |` or a bare `|` (the pattern made sure: spaces and digits before the bar)
            digits = line[:bar].strip(" ")
            if digits:
                first = position + line.index(digits[0])
                cells.append(CellRead(int(digits), first, first + len(digits)))
            else:
                cells.append(CellRead(None, position, position))
        position += len(line) + 1
    if not cells or not _ends_with_text(norm, lines.end(), end, explicit=True):
        return None
    return _fitted(cells, count, prefer_leading)


def read_row_general(
    norm: str,
    start: int,
    end: int,
    count: int,
    pipes: PipeStyle,
    prefer_leading: bool,
    sum_groups: int,
) -> RowRead:
    """read_row for every layout (tokens, value selection, fitting to the form)."""
    inline = INLINE_RUN.match(norm, start, end)
    mid_start = True
    if inline is not None and inline.group().strip():
        if not norm.startswith(("\t", "|"), inline.end()):
            if _cells_follow_on_the_line(norm, inline.end(), end):
                return _inline_then_cells(norm, inline, end, count, pipes, prefer_leading, sum_groups)
            if end < len(norm) and _cells_follow_on_the_line(norm, end, len(norm)):
                # The table ends inside this line (`政府集中采购 14三、收到和处理…\t251000`) and cells with
                # numbers follow on it: the number is a cell, the row's other values may be beyond: never glue.
                parts = list(SPACE_SPLIT.finditer(norm, inline.start(), inline.end()))
                numbers = [Token(Kind.NUMBER, p.start(), p.end(), 0, _safe_value(p.group())) for p in parts]
                return fit(numbers, count, False, sum_groups)
            return _read_inline(norm, inline, count, sum_groups)
        # A number in the label's own cell, then more cells (`行政许可 396\t0\t181`): it is the first value,
        # not glue.
        mid_start = False
    mid_end = end < len(norm) and end > start and norm[end - 1] != "\n"
    tokens = tokenize(norm, start, end, pipes, mid_start, mid_end, stop_at_text_after_values=True)
    values = select_values(tokens)
    read = fit(values, count, prefer_leading, sum_groups)
    ender = _text_cell_after_values(tokens, values)
    if ender is not None and read.problem in (None, "lost_blank"):
        _flag_if_text_cell_may_be_a_value(read, values, ender, count, prefer_leading, sum_groups)
    stray = _stray_cell_among_values(tokens, values)
    if stray is not None and read.problem in (None, "lost_blank"):
        _flag_if_text_cell_may_be_a_value(read, values, stray, count, prefer_leading, sum_groups, at=stray)
    opener = _text_cell_before_values(tokens, values)
    if opener is not None and read.problem in (None, "lost_blank"):
        _flag_if_text_cell_may_be_a_value(read, values, opener, count, prefer_leading, sum_groups, before=True)
    if (
        mid_end
        and read.cells
        and all(c.sure for c in read.cells)
        and _number_glued_to_next_label(norm, start, end)
    ):
        flag_row(read, FLAG_GLUED_TO_NEXT_LABEL)
    return read


FLAG_GLUED_TO_NEXT_LABEL = "该行最后的数字与下一行的标签连在同一单元格（两行连在一起），无法确定各值所在列"


def _number_glued_to_next_label(norm: str, start: int, end: int) -> bool:
    """Whether the next label's cell begins with a number (`…\t11\t11四、结转下年度…`, two grid lines joined):
    the tokenizer drops that piece as the next label's, but it may be this row's last value."""
    cut = max(norm.rfind("\t", start, end), norm.rfind("|", start, end))
    if cut < 0 or norm.find("\n", cut, end) >= 0:
        return False  # no grid cell boundary on the next label's line
    return any(ch.isdigit() for ch in norm[cut + 1 : end])


FLAG_TEXT_CELL = "该行有一个含文字的单元格，可能是一个数值单元格，无法确定各值所在列"


def _text_cell_after_values(tokens: Sequence[Token], values: list[Token]) -> Token | None:
    """The text cell that ended the row's values on the line that holds them all, set apart from them by a
    cell separator (a TAB or pipe grid: `…\t27\t\t29x`), or None. Text on a later line (the next group label
    after a row's empty cells, `|  | （三）不予公开 |`) is not a cell of this row."""
    if not values:
        return None
    last = values[-1]
    after = next((i for i, token in enumerate(tokens) if token is last), len(tokens)) + 1
    for token in tokens[after:]:
        if token.kind in (Kind.TEXT, Kind.STRAY) and token.line == last.line == values[0].line:
            return token  # a stray too: `23、` read as the next label's ordinal
        if token.kind is Kind.STRAY:
            continue
        return None
    return None


def _stray_cell_among_values(tokens: Sequence[Token], values: list[Token]) -> Token | None:
    """A stray (`53、` read as a row ordinal, a page number) standing as a cell of its own between the row's
    values on their line, in a row with an empty cell on that line (padding that could make room for it):
    skipped as a stray, but it may be a value cell a stray character damaged."""
    if len(values) < 2:
        return None
    first, last = values[0], values[-1]
    if first.line != last.line:
        return None
    inside = [t for t in tokens if t.kind is Kind.STRAY and first.end <= t.start and t.end <= last.start]
    if not inside or inside[0].line != first.line:
        return None
    if not any(t.kind is Kind.BLANK and t.start == t.end for t in values):
        return None
    return inside[0]


def _text_cell_before_values(tokens: Sequence[Token], values: list[Token]) -> Token | None:
    """The text cell just before the row's values on their line, in a row whose cells are set apart by a
    separator (`| 行政事业性收费 | 0 注 | 0 |  |`): skipped as a label's remainder, but it may be a value cell
    a stray character damaged."""
    if not values:
        return None
    first = values[0]
    before: Token | None = None
    for token in tokens:
        if token is first:
            break
        before = token
    if before is None or before.kind not in (Kind.TEXT, Kind.STRAY) or before.line != first.line:
        return None  # a stray too: `42、` read as the next label's ordinal
    if not any(t.kind is Kind.BLANK and t.start == t.end and t.line == first.line for t in values):
        return None  # no empty cell on the line: no padding that could make room for it
    return before


def _flag_if_text_cell_may_be_a_value(
    read: RowRead,
    values: list[Token],
    ender: Token,
    count: int,
    prefer_leading: bool,
    sum_groups: int,
    before: bool = False,
    at: Token | None = None,
) -> None:
    """A text cell ending a grid row's values may be a value cell a stray character damaged (`29x`): the
    reading that counts it as a cell of unknown value is admissible too when the row then still fits its
    columns (its surplus empty cells, the padding of merged label columns, dropped). When the two readings
    disagree on any cell the row is flagged; a text cell the row has no room for (the columns already full without
    the padding) changes nothing."""
    unknown = Token(Kind.BLANK, ender.start, ender.end, ender.line, None, flag="text")
    if at is not None:
        split = next((i for i, t in enumerate(values) if t.start >= at.end), len(values))
        cells = [*values[:split], unknown, *values[split:]]
    else:
        cells = [unknown, *values] if before else [*values, unknown]
    other = fit(cells, count, prefer_leading, sum_groups)
    if other.problem is not None or len(other.cells) != count or len(read.cells) != count:
        return
    if any(
        theirs.start == ender.start or mine.value != theirs.value
        for mine, theirs in zip(read.cells, other.cells, strict=True)
    ):
        # The whole row: its cells are no longer a sure reading for the checks that judge whole rows (a
        # wrapped label's blank continuation line, values under another row's label).
        flag_row(read, FLAG_TEXT_CELL)


FLAG_NUMBER_IN_TEXT = "数值与文字连在同一单元格，其后还有数值单元格，无法确定各值所在列"
_CELL_WITH_DIGIT = re.compile(r"[\t|][^\n\t|]*\d")


def _cells_follow_on_the_line(norm: str, position: int, end: int) -> bool:
    """Whether text follows a number glued to it (`行政强制 126第二十条第（八）项\t0\t25`) and then, on the same
    line, separated cells holding numbers: the number is then a cell of its own, not the row's glued digits."""
    line_end = norm.find("\n", position, end)
    if line_end < 0:
        line_end = end
    return _CELL_WITH_DIGIT.search(norm, position, line_end) is not None


def _inline_then_cells(
    norm: str,
    inline: re.Match[str],
    end: int,
    count: int,
    pipes: PipeStyle,
    prefer_leading: bool,
    sum_groups: int,
) -> RowRead:
    """A number in the label's cell glued to text (a PDF reader put a section header into the cell), then more
    cells on the line: the number may be the row's first value, or the cells after the text may be the whole
    row (the digits glued cells of a glued page would leave those cells unexplained). Sure only when the first
    reading fits the columns exactly and the second does not; else flagged, the number then the cells shown."""
    parts = [
        Token(Kind.NUMBER, p.start(), p.end(), 0, _safe_value(p.group()))
        for p in SPACE_SPLIT.finditer(norm, inline.start(), inline.end())
    ]
    tokens = tokenize(norm, inline.end(), end, pipes, False, end < len(norm) and norm[end - 1] != "\n")
    after = select_values(tokens)
    read = fit([*parts, *after], count, prefer_leading, sum_groups)
    if read.problem is None and not _fits(fit(after, count, prefer_leading, sum_groups), count):
        return read  # the only reading that fits: the number is the row's first value
    flag_row(read, FLAG_NUMBER_IN_TEXT)
    return read


def _fits(read: RowRead, count: int) -> bool:
    return read.problem is None and len(read.cells) == count


def _read_inline(norm: str, run: re.Match[str], count: int, sum_groups: int) -> RowRead:
    parts = [p for p in SPACE_SPLIT.finditer(norm, run.start(), run.end())]
    joined_units = any(not NUMBER_CELL.fullmatch(p.group()) for p in parts)
    if len(parts) == count and not joined_units:
        return RowRead(cells=[_cell_from(norm, p.start(), p.end()) for p in parts])
    gap_before = norm.startswith("  ", run.start() - 2) if run.start() >= 2 else False
    spaced_without_rule = not sum_groups and 1 < len(parts) < count
    # Numbers parted by single spaces, fewer than the columns, in a row no rule checks (表二): the spaces may
    # be cell boundaries and a cell lost (`行政处罚 23 3` for 23 3 2), which no split of the digits can tell.
    if (
        len(parts) > count
        or (len(parts) < count and (gap_before or "  " in run.group().rstrip()))
        or spaced_without_rule
    ):
        # More numbers than cells, or columns set apart by wide gaps (also from the label: layout text) with
        # some missing: not glue.
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
    if values and values[-1].flag is FLAG_ROW_CUT:
        # A PDF row cut at the page edge: the page shows its first `on_page` value columns, which keep their
        # places; the rest are flagged. Empty cells before them are covered positions of a merged label.
        cut, values = values[-1], values[:-1]
        on_page = int(cut.value or 0)
        if on_page < count:
            extra = len(values) - on_page
            if extra >= 0 and all(_layout_blank(t) for t in values[:extra]):
                flagged = [
                    CellRead(None, cut.start, cut.end, False, FLAG_ROW_CUT) for _ in range(count - on_page)
                ]
                return RowRead(cells=[_read(t) for t in values[extra:]] + flagged)
            read = fit(values, count, prefer_leading, sum_groups)
            if read.problem is None or read.problem == "lost_blank":
                flag_row(read, FLAG_ROW_CUT_UNPLACED)
            return read
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
    if count - LOST_BLANKS <= len(values) < count and all(t.kind is Kind.BLANK for t in values):
        # Only empty cells were lost: every placement reads the same (all blank).
        return RowRead(cells=[CellRead(None) for _ in range(count)], problem="lost_blank")
    reason = flag_count(len(values), count)
    best = _best_reading(values, count, sum_groups, prefer_leading)
    cells = [
        CellRead(None, sure=False, flag=reason) if t is None else _read(t, sure=False, flag=reason)
        for t in best
    ]
    return RowRead(cells=cells, problem=reason, spare=[_read(t) for t in values])


def _layout_blank(token: Token) -> bool:
    return token.kind is Kind.BLANK and token.start == token.end and token.flag is None


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
    if token.flag is not None and sure:  # a cell a reader marked (beyond a PDF page's edge)
        return CellRead(token.value, token.start, token.end, False, token.flag)
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


def breaks_row_total(cells: list[CellRead], columns: Sequence[str]) -> bool:
    """The cells (in `columns` order) break the form's row total (`formbook().rules`, kind row_sum, on this
    table's columns); blank counts 0. False when no such rule covers these columns."""
    from gikai_desk.forms import formbook

    if len(cells) != len(columns):
        return False
    at = {column: i for i, column in enumerate(columns)}
    for rule in formbook().rules.values():
        if rule.kind != "row_sum" or rule.total not in at or not all(p in at for p in rule.parts):
            continue
        parts = sum(cells[at[p]].value or 0 for p in rule.parts)
        if abs(parts - (cells[at[rule.total]].value or 0)) > 1e-9:
            return True
    return False


def without_padding(cells: list[CellRead], padding: int, leading: bool) -> list[CellRead] | None:
    """A grid row's cells without `padding` empty cells on its padding side (leading or trailing), None when
    those are not all empty: what parse/place.py places when a row is narrower than its table."""
    kept = cells[padding:] if leading else cells[: len(cells) - padding]
    dropped = cells[:padding] if leading else cells[len(cells) - padding :]
    if padding <= 0 or not kept or any(c.value is not None for c in dropped):
        return None
    return [CellRead(c.value, c.start, c.end, True, None) for c in kept]


def flag_row(read: RowRead, reason: str) -> None:
    """Mark every cell of a row unsure (values kept as the reading shown)."""
    read.cells = [CellRead(c.value, c.start, c.end, False, reason) for c in read.cells]
    read.problem = reason
    read.spare = None
