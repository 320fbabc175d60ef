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

With too few complete rows the header words give the columns (`place_by_header`, `place_t4_by_header`): each
column word found whole on a header line or one piece per line (本年新制作数 / 量, vertical 结 / 果 / 维 / 持),
exactly the columns' words, left to right; a number belongs to the column whose header word it overlaps, and
to no column when it overlaps none or two. A section (表二's 信息内容 header, 表三's header) counts only when
every row with values stands under its words; 表四 must keep every group's total. Placements by characters in
表三 must keep the column rules once every row is read (text after a label overflowing its cell is pushed
right in `pdftotext -layout`).

A row that printed only its label (`read_blank_rows`) is read blank in a column-aligned table when the report
shows it leaves cells blank (a short row was placed with blanks), the table writes no 0, the label found is
the label's beginning, no digit stands from its line to the next label, the numbers above are cells read
whole and the next row holds no surplus. `claim_wrapped_label_values` gives a row whose label wrapped around
its values (`4.无正当理由大 0 0 0 0 0 0 0` / `量反复申请`) the values beside the label's first piece when the
lines after spell the rest of the label; `join_wrapped_numbers` joins a number wrapped in a narrow 表四 cell
(`35` / `1`) when only the join keeps the group totals.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from statistics import median

from gikai_desk.forms import formbook
from gikai_desk.parse.normalize import fold
from gikai_desk.parse.rows import FLAG_NO_VALUES, CellRead, RowRead

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
) -> tuple[list[str], bool]:
    """Place the numbers of short rows (problem starting with `short_problem`) under the columns that the
    complete rows of the same width show. With `row_total` (表三) a row is placed only when its total holds
    with the blanks as 0: spaces where a number was lost must not pass for blanks. Changes `rows`; returns
    the rows placed."""
    placed: list[str] = []
    aligned_seen = False
    for count in sorted(set(count_of.values())):
        if count < 2:
            continue
        group = [row for row, n in count_of.items() if n == count and row in rows]
        complete = [
            rows[r].cells
            for r in group
            if rows[r].problem is None
            and rows[r].blob is None
            and all(c.start >= 0 and c.value is not None for c in rows[r].cells)
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
                i
                for i, line in enumerate(lines)
                if max(abs(p - c) for p, c in zip(line, centres, strict=True)) < min(gaps) / 4
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
        aligned_seen = True
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
    return placed, aligned_seen


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


# --------------------------------------------------------------------------------------------------------
# Columns from the header words; blank rows


_Pending = tuple[
    str,
    str,
    dict[str, RowRead],
    Sequence[tuple[str, int, int, int]],
    int,
    bool,
    dict[str, tuple[RowRead, bool]],
]
"""Tables of the document being read whose bare label rows wait for evidence that the report leaves cells
blank (norm, table, rows, label hits, table end, blanks seen in this table, rows placed by the header words
as they were read before)."""


class _Document(threading.local):
    """What this thread is reading: the text `norm` was folded from, and tables waiting for blank rows."""

    def __init__(self) -> None:
        self.source: list[tuple[str, str]] = []
        self.pending: list[_Pending] = []


_DOC = _Document()
"""Display widths are those of the original characters (norm is folded, same length: a folded full-width
bracket is one column in norm, two on the page); a thread reads one document at a time."""


def note_source(norm: str, text: str) -> None:
    _DOC.source[:] = [(norm, text)]


def _original(norm: str) -> str:
    source = _DOC.source
    return source[0][1] if source and source[0][0] is norm else norm


_TOKEN = re.compile(r"\S+")
_DIGIT_RUN = re.compile(r"\d")
_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.、,])")
"""A number, not a label's ordinal (1.信访…)."""
_ORDINAL_HEAD = re.compile(r"\s*(?:\d{1,2}[.、,]|\([一二三四五六七八]\)|[一二三四五六七八]、)\s*")


def _measure(src: str, line_start: int, pos: int, wide: bool, ambiguous: int = 1) -> int:
    if not wide:
        return pos - line_start
    text = src[line_start:pos]
    width = _width(text)
    if ambiguous != 1:
        width += sum(ambiguous - 1 for ch in text if unicodedata.east_asian_width(ch) == "A")
    return width


def header_columns(
    norm: str, start: int, end: int, words: Sequence[frozenset[str]], wide: bool
) -> list[tuple[int, int]] | None:
    """Each column's extent (from, to) on the page, from its header word in norm[start:end]: a word printed
    whole on a line, or one piece per line (a narrow cell wraps it: 本年新制作数 / 量; vertical 结 / 果 / 维 /
    持), each piece overlapping the one above. None unless exactly the columns' words are found, once each, in
    the columns' order from left to right and apart."""
    src = _original(norm)
    complete, prefixes, inner = _word_pieces(tuple(words))
    lines: list[list[tuple[str, int, int]]] = []
    pos = norm.rfind("\n", 0, start) + 1
    while pos < end:
        stop = norm.find("\n", pos, end)
        stop = end if stop < 0 else stop
        toks = []
        for m in _TOKEN.finditer(norm, pos, stop):
            if m.group() in inner:
                toks.append(
                    (m.group(), _measure(src, pos, m.start(), wide), _measure(src, pos, m.end(), wide))
                )
        lines.append(toks)
        pos = stop + 1
    used: set[tuple[int, int]] = set()
    found: list[tuple[int, int, str]] = []
    for i, toks in enumerate(lines):
        for j, (text, lo, hi) in enumerate(toks):
            if (i, j) in used or text not in prefixes:
                continue
            chain = [(i, j)]
            k = i + 1
            while text not in complete and k < len(lines):
                nxt = [
                    (jj, t, a, b) for jj, (t, a, b) in enumerate(lines[k])
                    if a < hi and b > lo and text + t in prefixes and (k, jj) not in used
                ]  # fmt: skip
                if len(nxt) != 1:
                    break
                jj, t, a, b = nxt[0]
                text, lo, hi = text + t, min(lo, a), max(hi, b)
                chain.append((k, jj))
                k += 1
            if text in complete:
                used.update(chain)
                found.append((lo, hi, text))
    found.sort()
    if len(found) != len(words):
        return None
    for (_, _, text), options in zip(found, words, strict=True):
        if text not in options:
            return None
    if any(b[0] < a[1] for a, b in pairwise(found)):
        return None
    return [(lo, hi) for lo, hi, _ in found]


@lru_cache(maxsize=64)
def _word_pieces(words: tuple[frozenset[str], ...]) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The header words, their beginnings, and every piece of them."""
    complete = frozenset().union(*words)
    prefixes = frozenset(w[:i] for w in complete for i in range(1, len(w) + 1))
    inner = frozenset(w[i:j] for w in complete for i in range(len(w)) for j in range(i + 1, len(w) + 1))
    return complete, prefixes, inner


def _spans(
    norm: str, cells: Sequence[CellRead], wide: bool, ambiguous: int = 1
) -> list[tuple[int, int]] | None:
    """Each cell's extent on its line, or None when the cells are not all on one line."""
    line_start = norm.rfind("\n", 0, cells[0].start) + 1
    if norm.find("\n", line_start, cells[-1].end) >= 0:
        return None
    src = _original(norm)
    return [
        (
            _measure(src, line_start, c.start, wide, ambiguous),
            _measure(src, line_start, c.end, wide, ambiguous),
        )
        for c in cells
    ]


def _under(
    norm: str, cells: Sequence[CellRead], extents: Sequence[tuple[int, int]], wide: bool, margin: int
) -> list[int] | None:
    """The columns the cells stand under (`columns_under`). In display width a character of ambiguous width
    (“ ” ① …) before them counts one column in w3m's usual setting and two in a CJK one: both must agree."""
    spans = _spans(norm, cells, wide)
    under = columns_under(spans, extents, margin) if spans is not None else None
    if wide and under is not None:
        other = _spans(norm, cells, wide, ambiguous=2)
        if other != spans and (other is None or columns_under(other, extents, margin) != under):
            return None
    return under


CHAR_DRIFT = 6
"""How far `pdftotext -layout` may push a number or a header word from its place, in characters: it sets
text by its position on the page but never over the text before it, so a label or header word overflowing
its cell (CJK glyphs are two columns wide on the page, one in the text) moves what follows; the seeds'
complete rows show numbers of one column up to six characters apart."""


def columns_under(
    spans: Sequence[tuple[int, int]], extents: Sequence[tuple[int, int]], margin: int = 0
) -> list[int] | None:
    """The column each span stands under (it overlaps that column's header word, and comes no nearer than
    `margin` to another's), in order, each column at most once; None when one is not clearly under one
    column."""
    out: list[int] = []
    for lo, hi in spans:
        under = [i for i, (a, b) in enumerate(extents) if lo < b + margin and hi > a - margin]
        if len(under) != 1 or not (lo < extents[under[0]][1] and hi > extents[under[0]][0]):
            return None
        out.append(under[0])
    if any(b <= a for a, b in pairwise(out)):
        return None
    return out


@lru_cache(maxsize=64)
def column_words(table: str, columns: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    cols = formbook().table(table).columns
    out = []
    for name in columns:
        col = cols[name]
        options = {fold(col.label), *(fold(m) for m in col.match)}
        if col.label_2021:
            options.add(fold(col.label_2021))
        if name == "total":
            options.add("合计")
        out.append(frozenset(o.replace(" ", "") for o in options))
    return tuple(out)


def place_by_header(
    norm: str,
    table: str,
    rows: dict[str, RowRead],
    hits: Sequence[tuple[str, int, int, int]],
    columns_of: dict[str, tuple[str, ...]],
    span: tuple[int, int],
    short_problem: str,
    row_total: bool,
) -> tuple[bool, dict[str, tuple[RowRead, bool]]]:
    """Short rows of 表二/表三 in space-aligned text placed under their section's header words (a section:
    the lines from its 信息内容 header, or the table's start, to its first row label). A section counts only
    when every row of it with values (complete rows too) stands under its header words, in order; a short
    row is then placed as `place_by_columns` does. Returns whether the table is shown column-aligned (some
    row with values stood under its header words and no row with values failed to), and the rows placed: as
    they were read before, and whether the placement went by characters (`pdftotext -layout`, where text after
    a label overflowing its cell is pushed right, so a number may stand under the next column's word)."""
    start = span[0]
    if not any(
        r.problem is not None and r.problem.startswith((short_problem, FLAG_NO_VALUES)) for r in rows.values()
    ):
        return False, {}  # every row read whole or flagged otherwise: nothing to place or read blank
    sections: dict[tuple[int, int], list[str]] = {}
    for row, hit_start, _, _ in hits:
        if row not in rows or row not in columns_of:
            continue
        head = norm.rfind("信息内容", start, hit_start) if table == "t2" else -1
        head = start if head < 0 else head
        first = next((h[1] for h in hits if h[1] >= head), hit_start)
        sections.setdefault((head, first), []).append(row)
    shown = False
    placed: dict[str, tuple[RowRead, bool]] = {}
    for (head, first), members in sections.items():
        columns = columns_of[members[0]]
        if any(columns_of[r] != columns for r in members) or len(columns) < 2:
            return False, placed
        words = column_words(table, columns)
        with_values = [
            r for r in members
            if rows[r].blob is None and any(c.start >= 0 and c.value is not None for c in rows[r].cells)
            and (rows[r].problem or short_problem).startswith(short_problem)
        ]  # fmt: skip
        if not with_values:
            continue
        readings: list[dict[str, list[int]]] = []
        by_chars = False
        for wide in (False, True):
            extents = header_columns(norm, head, first, words, wide)
            if extents is None:
                continue
            reading: dict[str, list[int]] = {}
            for r in with_values:
                found = [c for c in rows[r].cells if c.start >= 0 and c.value is not None]
                # By characters only 表三's column rules (checked in settle_blank_rows) catch a drifted number.
                under = _under(norm, found, extents, wide, CHAR_DRIFT if not wide and table != "t3" else 0)
                if under is None or (
                    rows[r].problem is None and found != [c for c in rows[r].cells if c.start >= 0]
                ):
                    break
                reading[r] = under
            else:
                readings.append(reading)
                by_chars = by_chars or not wide
        if not readings or any(r != readings[0] for r in readings):
            if any(rows[r].problem is None for r in with_values):
                return False, placed
            continue
        shown = True
        for r, under in readings[0].items():
            read = rows[r]
            if read.problem is None:
                continue
            found = [c for c in read.cells if c.start >= 0 and c.value is not None]
            cells = [CellRead(None) for _ in columns]
            for cell, column in zip(found, under, strict=True):
                cells[column] = CellRead(cell.value, cell.start, cell.end)
            if row_total and abs(sum(c.value or 0 for c in cells[:-1]) - (cells[-1].value or 0)) > 1e-9:
                continue
            placed[r] = (read, by_chars)
            rows[r] = RowRead(cells=cells)
    return shown, placed


def defer_blank_rows(
    norm: str,
    table: str,
    rows: dict[str, RowRead],
    hits: Sequence[tuple[str, int, int, int]],
    end: int,
    seen: bool,
    by_header: dict[str, tuple[RowRead, bool]],
) -> None:
    """Keep a column-aligned table for `settle_blank_rows` (`seen`: one of its rows left cells blank;
    `by_header`: the rows placed under the header words, as read before)."""
    pending = _DOC.pending
    if pending and pending[0][0] is not norm:
        pending.clear()
    pending.append((norm, table, rows, hits, end, seen, by_header))


def settle_blank_rows(norm: str) -> None:
    """Read the bare label rows of the column-aligned tables of `norm` blank, when one of its tables showed a
    row with values whose other cells are blank (the report leaves cells blank for nothing: a bare row is
    blank, not a row that lost its numbers). A 表三 with rows placed under its header words by characters
    (`pdftotext -layout`: a number pushed right by a label overflowing its cell may stand under the next
    column's word) must then be read whole, every row sure, and keep its column rules (办理结果 rows add up to
    (七)总计, 新收 + 上年结转 = 总计 + 结转); else those rows and the rows read blank go back to as they were
    read (flagged)."""
    pending = [p for p in _DOC.pending if p[0] is norm]
    _DOC.pending.clear()
    seen = any(p[5] for p in pending)
    for _, table, rows, hits, end, _, by_header in pending:
        blank = read_blank_rows(norm, table, rows, hits, end) if seen else {}
        by_chars = {row: old for row, (old, chars) in by_header.items() if chars}
        if table == "t3" and by_chars and not _t3_columns_hold(rows):
            rows.update(by_chars)
            rows.update(blank)


_T3_OUTSIDE_RESULTS = ("new", "carried_in", "total", "carried_out")


def _t3_columns_hold(rows: dict[str, RowRead]) -> bool:
    """表三's column rules with blanks as 0; False when a row is not read sure (they cannot be checked)."""
    if any(r.problem is not None or not r.cells or not all(c.sure for c in r.cells) for r in rows.values()):
        return False
    if any(row not in rows for row in _T3_OUTSIDE_RESULTS):
        return False
    width = len(rows["total"].cells)

    def column(row: str, i: int) -> float:
        cells = rows[row].cells
        value = cells[i].value if i < len(cells) else None
        return float(value) if isinstance(value, int | float) else 0.0

    for i in range(width):
        results = sum(column(row, i) for row in rows if row not in _T3_OUTSIDE_RESULTS)
        if abs(results - column("total", i)) > 1e-9:
            return False
        if (
            abs(column("new", i) + column("carried_in", i) - column("total", i) - column("carried_out", i))
            > 1e-9
        ):
            return False
    return True


def read_blank_rows(
    norm: str, table: str, rows: dict[str, RowRead], hits: Sequence[tuple[str, int, int, int]], end: int
) -> dict[str, RowRead]:
    """Rows of a column-aligned table that printed only their label: read blank and sure when the table
    writes no 0 (a table that prints 0 for nothing would not leave a row bare), the label found is the
    label's beginning (not a wrapped piece whose first part stands beside values elsewhere), no digit stands
    from the start of the label's line to the next label, every number from the line above (or the previous
    label's line) belongs to a row read whole, and the next row is read whole or bare (no surplus that may
    be this row's values on its line). Returns the rows read blank, as they were read before."""
    if any(c.value == 0 for read in rows.values() for c in read.cells):
        return {}
    sure_starts = {
        c.start for read in rows.values() if read.problem is None for c in read.cells if c.start >= 0
    }
    labels = formbook().table(table).rows
    out: dict[str, RowRead] = {}
    for i, (row, hit_start, hit_end, _) in enumerate(hits):
        read = rows.get(row)
        if read is None or read.problem != FLAG_NO_VALUES:
            continue
        label = labels[row]
        body = _ORDINAL_HEAD.sub("", fold(label.label_2021 or label.label), count=1)
        if not body or body[:2] not in norm[hit_start:hit_end].replace(" ", ""):
            continue  # the label's beginning is elsewhere (a wrapped label's first piece beside values)
        following = hits[i + 1][1] if i + 1 < len(hits) else end
        line_start = norm.rfind("\n", 0, hit_start) + 1
        if _DIGIT_RUN.search(norm, line_start, hit_start) or _DIGIT_RUN.search(norm, hit_end, following):
            continue
        # Every number from the line above (or the previous label's line) is a cell of a row read whole: the
        # row's values are not printed above its label.
        above = norm.rfind("\n", 0, max(0, line_start - 1)) + 1
        if i > 0:
            above = min(above, norm.rfind("\n", 0, hits[i - 1][1]) + 1)
        if line_start > 0 and any(
            m.start() not in sure_starts for m in _NUMBER.finditer(norm, above, line_start)
        ):
            continue
        # The next row holds no surplus: the row's values are not printed on the next label's line.
        nxt = rows.get(hits[i + 1][0]) if i + 1 < len(hits) else None
        if nxt is not None and nxt.problem not in (None, FLAG_NO_VALUES):
            continue
        rows[row] = RowRead(cells=[CellRead(None) for _ in read.cells])
        out[row] = read
    return out


T4_COLUMNS = ("upheld", "corrected", "other", "pending", "total")


def place_t4_by_header(norm: str, span: tuple[int, int], read: RowRead, groups: int) -> RowRead | None:
    """表四 in space-aligned text that lost its blank cells (`1            1` under the columns): each value
    placed under the header word it stands under (结果维持 … 总计 once per group, whole or one character per
    line), in both measures; None unless the measures that find the header agree, every value stands under
    one column, and each group's total holds with the blanks as 0."""
    count = len(T4_COLUMNS) * groups
    found = [c for c in read.cells if c.start >= 0 and c.value is not None]
    if not found or len(found) >= count:
        return None
    first_line = norm.rfind("\n", 0, found[0].start) + 1
    words = column_words("t4", T4_COLUMNS) * groups
    readings: list[list[int]] = []
    for wide in (False, True):
        extents = header_columns(norm, span[0], first_line, words, wide)
        if extents is None:
            continue
        under = _under(norm, found, extents, wide, 0 if wide else CHAR_DRIFT)  # no column rule in 表四
        if under is not None:
            readings.append(under)
    if not readings or any(r != readings[0] for r in readings):
        return None
    cells = [CellRead(None) for _ in range(count)]
    for cell, column in zip(found, readings[0], strict=True):
        cells[column] = CellRead(cell.value, cell.start, cell.end)
    width = len(T4_COLUMNS)
    for g in range(groups):
        values = [c.value or 0 for c in cells[g * width : (g + 1) * width]]
        if abs(sum(values[:-1]) - values[-1]) > 1e-9:
            return None
    return RowRead(cells=cells)


_VALUE_LINE = re.compile(r"(?P<text>[^\n]*?\D)[ ]+(?P<numbers>\d+(?:[ ]+\d+)*)[ ]*$")
_LABEL_DROP = re.compile(r"[\s\"']")
MIN_LABEL_PIECE = 3
"""Characters of a label (after its ordinal) that must stand beside values claimed for it."""


def _label_key(text: str) -> str:
    return _LABEL_DROP.sub("", fold(text)).replace("、", ".").replace(",", ".")


def _consumes(lines: Sequence[str], rest: str) -> bool:
    """Whether the continuation lines spell `rest` in order, each line whole or its last piece (a group
    label's characters may stand at a line's head: `其他处 理由逾期不补`), with nothing left over."""
    if not rest:
        return True
    if not lines:
        return False
    line = lines[0]
    whole = _label_key(line)
    last = _label_key(line.split()[-1]) if line.split() else ""
    for piece in dict.fromkeys((whole, last)):
        if piece and rest.startswith(piece) and _consumes(lines[1:], rest[len(piece) :]):
            return True
    return False


def claim_wrapped_label_values(
    norm: str,
    table: str,
    rows: dict[str, RowRead],
    hits: Sequence[tuple[str, int, int, int]],
    order: Sequence[str],
    count_of: dict[str, int],
) -> list[str]:
    """`pdftotext -layout` wraps a long 表三 label inside its cell and prints the values beside the label's
    first piece (`4.无正当理由大 0 0 0 0 0 0 0` / `量反复申请`); when that first piece is not a known fragment
    the row is found only at a later piece, or not at all, and its values are left to nobody. A row without
    values (or not found) takes the values of a line between its neighbours when that line's text ends with
    the start of the row's label (its ordinal and at least three characters), the lines after it up to the
    next row spell the rest of the label exactly, the line holds exactly the row's count of numbers, none
    read by another row, and the row's total holds. Returns the rows read."""
    labels = formbook().table(table).rows
    place = {row: i for i, row in enumerate(order)}
    taken = {c.start for read in rows.values() for c in read.cells if c.start >= 0}
    claimed: list[str] = []
    for row in order:
        read = rows.get(row)
        if read is not None and read.problem != FLAG_NO_VALUES:
            continue
        before = [h for h in hits if h[0] in place and place[h[0]] < place[row]]
        if not before:
            continue
        lo = norm.find("\n", before[-1][1]) + 1
        own = [h[1] for h in hits if h[0] == row]
        later = [h[1] for h in hits if h[0] in place and place[h[0]] > place[row]]
        if lo <= 0 or not later:
            continue
        stop = norm.rfind("\n", 0, later[0]) + 1  # the next row's line
        search_stop = norm.rfind("\n", 0, own[0]) + 1 if own else stop
        label = _label_key(labels[row].label_2021 or labels[row].label)
        ordinal = _ORDINAL_HEAD.match(label)
        least = (ordinal.end() if ordinal else 0) + MIN_LABEL_PIECE
        lines = norm[lo:stop].split("\n") if lo < stop else []
        found: list[tuple[int, list[CellRead]]] = []
        at = lo
        for i, line in enumerate(lines):
            m = _VALUE_LINE.match(line) if at < search_stop else None
            if m is not None:
                text = _label_key(m.group("text"))
                rest = []
                for x in lines[i + 1 :]:
                    if _DIGIT_RUN.search(x):
                        break
                    if x.strip():
                        rest.append(x)
                for k in range(len(label) - 1, least - 1, -1):
                    if text.endswith(label[:k]):
                        if _consumes(rest, label[k:]):
                            base = at + m.start("numbers")
                            cells = [
                                CellRead(int(n.group()), base + n.start(), base + n.end())
                                for n in re.finditer(r"\d+", m.group("numbers"))
                            ]
                            found.append((i, cells))
                        break
            at += len(line) + 1
        if len(found) != 1:
            continue
        cells = found[0][1]
        if len(cells) != count_of.get(row) or any(c.start in taken for c in cells):
            continue
        values = [c.value or 0 for c in cells]
        if sum(values[:-1]) != values[-1]:
            continue
        rows[row] = RowRead(cells=cells)
        taken.update(c.start for c in cells)
        claimed.append(row)
    return claimed


def join_wrapped_numbers(norm: str, read: RowRead, groups: int) -> RowRead | None:
    """表四 in space-aligned text whose value line holds all fifteen values, and a narrow cell wrapped a
    number's last digits onto the next line (`… 37   35   13 …` / `1` under the 35 of 351): each number of
    the next line joined to the number above that it overlaps. None unless the line holds exactly the fifteen
    values, every number below overlaps exactly one of them (a whole number), each group with a join breaks
    its total without it, and every group's total holds with the joins."""
    count = len(T4_COLUMNS) * groups
    found = [c for c in read.spare or read.cells if c.start >= 0 and c.value is not None]
    if len(found) <= count:
        return None
    first, rest = found[:count], found[count:]
    spans = _spans(norm, first, False)
    next_line = norm.find("\n", first[-1].end) + 1
    if (
        spans is None
        or next_line <= 0
        or _spans(norm, rest, False) is None
        or norm.rfind("\n", 0, rest[0].start) + 1 != next_line
    ):
        return None
    values: list[object] = [c.value for c in first]
    joined = list(values)
    for cell in rest:
        lo, hi = cell.start - next_line, cell.end - next_line
        under = [i for i, (a, b) in enumerate(spans) if lo < b and hi > a]
        if len(under) != 1 or not norm[cell.start : cell.end].isdigit():
            return None
        i = under[0]
        if not norm[first[i].start : first[i].end].isdigit() or joined[i] != values[i]:
            return None
        joined[i] = int(norm[first[i].start : first[i].end] + norm[cell.start : cell.end])
    width = len(T4_COLUMNS)

    def holds(row: Sequence[object], g: int) -> bool:
        group = [v if isinstance(v, int | float) else 0 for v in row[g * width : (g + 1) * width]]
        return abs(sum(group[:-1]) - group[-1]) < 1e-9

    changed = {i // width for i in range(count) if joined[i] != values[i]}
    if not all(holds(joined, g) for g in range(groups)) or any(holds(values, g) for g in changed):
        return None
    return RowRead(cells=[CellRead(v, c.start, c.end) for v, c in zip(joined, first, strict=True)])  # type: ignore[arg-type]
