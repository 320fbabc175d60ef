"""Values printed before their labels: the second way to read a table whose items stand one per line.

Text copied from a PDF viewer can print a row's values before its label (`0 0 0 规章 26 26 26 规范性文件 …`):
pdftotext and viewers order a table's text blocks by position, and a label cell whose text sits lower than
its numbers comes after them. Read label-then-values, every row then takes the next row's values, and nothing
shows it. So where no label shares its line with a value (only then is the order in doubt), a table has two
readings: values after each label (the usual one) and values before each label. A reading is admissible when
it accounts for every value of the table:

- values between the table's header and its first label are unaccounted for by the after-reading;
- values after the last label are unaccounted for by the before-reading (so a table whose last row holds
  values after its label keeps the usual reading, as every ordinary layout does).

When only the before-reading is admissible it replaces the usual one. When both are, the 勾稽 rules decide
where they can (表三's column rules: the results total and the balance hold under one reading only), and
otherwise every cell on which the two readings disagree is flagged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gikai_desk.forms import formbook
from gikai_desk.parse.displaced import EXPLAINED
from gikai_desk.parse.rows import FLAG_NO_VALUES, CellRead, RowRead, read_row
from gikai_desk.parse.tokens import Kind, PipeStyle, tokenize

FLAG_ORDER = "数值印在行标签之前还是之后无法确定（复制PDF文字时常见），两种读法结果不同，请核对"
NOTE_BEFORE = "的数值印在各行标签之前（复制PDF文字时常见），已按此读取"
_DIGIT_AFTER = re.compile(r"[^\n]*?\d")


def _has_value(norm: str, start: int, end: int, pipes: PipeStyle) -> bool:
    return start < end and any(t.kind is Kind.NUMBER for t in tokenize(norm, start, end, pipes, False, False))


def read_values_before_labels(
    norm: str,
    rows: dict[str, RowRead],
    hits: Sequence[tuple[str, int, int]],
    span: tuple[int, int],
    count_of: dict[str, int],
    pipes: PipeStyle,
    prefer_leading: bool,
    sum_groups: int,
    table: str,
    variant: str,
) -> bool:
    """Replace or qualify the after-label reading in `rows` (row -> cells) by the before-label one where the
    text admits it. `hits`: every label found, in text order, as (row or "", start, end). Returns True when
    the before-reading replaced the usual one."""
    start, end = span
    if pipes is not PipeStyle.NONE or not hits or norm.find("\t", start, end) >= 0:
        return False  # grids (TAB, pipes) keep a row's cells on its label's line
    for row, _, label_end in hits:
        line_end = norm.find("\n", label_end, end)
        line_end = end if line_end < 0 else line_end
        if row in count_of and _DIGIT_AFTER.match(norm, label_end, line_end):
            on_line = read_row(norm, label_end, line_end, count_of[row], pipes, prefer_leading, sum_groups)
            if on_line.problem is None and on_line.blob is None:
                return False  # a row's values on its label's line: the usual reading
    if _has_value(norm, hits[-1][2], end, pipes):
        return False  # the before-reading would leave the last row's values unaccounted for
    before: dict[str, RowRead] = {}
    previous_end = start
    for row, label_start, label_end in hits:
        if row in count_of:
            before[row] = _read_before(
                norm, previous_end, label_start, count_of[row], pipes, prefer_leading, sum_groups
            )
        previous_end = label_end
    if not any(read.problem != FLAG_NO_VALUES for read in before.values()):
        return False
    after_admissible = not _has_value(norm, start, hits[0][1], pipes)
    if after_admissible:
        # Both account for every value: a reading under which every row fits its columns, then one under which
        # 表三's column rules hold, is the text's; otherwise the cells they disagree on are flagged.
        evidence = [(_explained(rows), _explained(before))]
        if sum_groups and table == "t3":
            evidence.append((_t3_columns_hold(rows, variant), _t3_columns_hold(before, variant)))
        for after_good, before_good in evidence:
            if after_good and not before_good:
                return False
            if before_good and not after_good:
                after_admissible = False
                break
    if not after_admissible:
        rows.clear()
        rows.update(before)
        return True
    for row, read in list(rows.items()):
        other = before.get(row)
        if other is None or len(other.cells) != len(read.cells):
            continue
        disagree = [a.value != b.value for a, b in zip(read.cells, other.cells, strict=True)]
        if any(disagree):
            rows[row] = RowRead(
                cells=[
                    CellRead(c.value, c.start, c.end, False, c.flag or FLAG_ORDER) if d else c
                    for c, d in zip(read.cells, disagree, strict=True)
                ],
                problem=read.problem or FLAG_ORDER,
            )
    return False


def _read_before(
    norm: str, start: int, end: int, count: int, pipes: PipeStyle, prefer_leading: bool, sum_groups: int
) -> RowRead:
    """A row's values under the before-reading: the run of values right before its label. Values further up,
    set apart by text (header words of a section printed column by column), belong to no row under this
    reading: the row is then flagged, not read from the nearest run."""
    runs: list[int] = []  # where each run's text begins: the end of the text before it
    in_run = False
    text_end = start
    for token in tokenize(norm, start, end, pipes, False, False):
        if token.kind is Kind.TEXT:
            in_run = False
            text_end = token.end
        elif token.kind is Kind.NUMBER and not in_run:
            runs.append(text_end)
            in_run = True
    if len(runs) > 1:
        cells = read_row(norm, runs[-1], end, count, pipes, prefer_leading, sum_groups).cells
        return RowRead(
            cells=[CellRead(c.value, c.start, c.end, False, FLAG_ORDER) for c in cells], problem=FLAG_ORDER
        )
    return read_row(norm, runs[0] if runs else start, end, count, pipes, prefer_leading, sum_groups)


def _explained(rows: dict[str, RowRead]) -> bool:
    """Every row read fits its columns (no row without values, none with too many or too few)."""
    return all(read.problem in EXPLAINED for read in rows.values())


def _t3_columns_hold(rows: dict[str, RowRead], variant: str) -> bool:
    """Whether 表三's column rules (results total, balance) hold for every column, blanks as 0; False when a
    row they need is missing or not read to its columns."""
    book = formbook()
    t3 = book.table("t3").variants[variant]
    results = book.rules["T3_RESULTS_TOTAL"]
    balance = book.rules["T3_BALANCE"]
    assert results.total is not None
    needed = {results.total, *results.parts, *balance.left, *balance.right} & set(t3.rows)
    width = len(t3.columns)
    values: dict[str, list[float]] = {}
    for row in needed:
        read = rows.get(row)
        if read is None or len(read.cells) != width or read.problem == FLAG_NO_VALUES:
            return False
        values[row] = [float(c.value or 0) for c in read.cells]
    parts = [r for r in results.parts if r in t3.rows]
    for c in range(width):
        if abs(values[results.total][c] - sum(values[r][c] for r in parts)) > 1e-9:
            return False
        left = sum(values[r][c] for r in balance.left)
        right = sum(values[r][c] for r in balance.right)
        if abs(left - right) > 1e-9:
            return False
    return True
