"""Find 表二/表三/表四 in the folded text, locate each row by its label and read the rows' cells."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import pairwise

from gikai_desk.forms import FormBook, formbook
from gikai_desk.parse.ghosts import map_t2_by_header
from gikai_desk.parse.normalize import compile_alternatives, fragment_key, fragment_pattern
from gikai_desk.parse.rows import FLAG_NARROW_ROW, CellRead, RowRead, fit, flag_row, read_row, select_values
from gikai_desk.parse.tokens import (
    INLINE_RUN,
    MAYBE_CHANGE_WORDS,
    Kind,
    PipeStyle,
    change_word_value,
    tokenize,
)

BACK_LIMIT = 40
"""Characters a label may extend before its matched fragment (ordinal, prefix words)."""
ANCHOR_REACH = 900
HEADER_REACH = 300
"""How far before 表三's first column name its heading may sit (names printed before 自然人)."""
"""How far after a table anchor its first row label must appear."""

_T3_HEADER = re.compile(fragment_pattern("自然人"))
_T3_HEADER_NEXT = re.compile(fragment_pattern("商业企业") + "|" + fragment_pattern("科研机构"))
_T3_HEADING = re.compile(r"[三3][ ]*[、.][ ]*收到和处理|收到和处理政府信息公开申请")
_T3_HEADING_WORDS = "收到和处理"
"""The words every 表三 heading holds (see _T3_HEADING)."""
_T2_FIRST_SECTION = re.compile(r"第[ ]*二[ ]*十[ ]*条[ ]*第[ ]*\([ ]*一[ ]*\)[ ]*项")
_T2_HEADER = re.compile(
    r"信[ ]*息[ ]*内[ ]*容|新[ ]*制[ ]*作|制[ ]*发[ ]*件[ ]*数|上[ ]*一[ ]*年[ ]*项[ ]*目|本[ ]*年[ ]*项[ ]*目[ ]*数[ ]*量"
)
_T4_ANCHOR = re.compile(fragment_pattern("结果维持"))
_T4_HEADING = re.compile(r"[四4][ ]*[、.][^\d\n\t|]{0,24}?行[ ]*政[ ]*复[ ]*议|行[ ]*政[ ]*复[ ]*议")
_T4_TITLE = re.compile(r"行[ ]*政[ ]*复[ ]*议[ 、,]*行[ ]*政[ ]*诉[ ]*讼")
_T4_HEADER_WORDS = re.compile(
    "|".join(
        fragment_pattern(w)
        for w in (
            "结果维持",
            "结果纠正",
            "其他结果",
            "其它结果",
            "尚未审结",
            "总计",
            "合计",
            "复议后起诉",
            "直接起诉",
            "行政诉讼",
            "行政复议",
        )
    )
)
_SECTION_END = re.compile(r"[五5][ ]*、|存在的主要问题|六[ ]*、[ ]*其他需要报告")
_DIGIT = re.compile(r"\d")
_LABEL_SUFFIX = re.compile(r"[^\d\t|\n]*")
_ORDINAL = re.compile(r"^(\d{1,2})[.、]")
_PIPE_MARKDOWN = re.compile(r"[^\s|][^\n|]*\|[ ]*[^\s|]")
"""Two filled cells on one line with a pipe between them: `| a | b |` (or `a | b`)."""
_PIPE_CANDIDATE_LINE = re.compile(r"^[^\n]*\|[ ]*[^\s|][^\n]*", re.MULTILINE)
"""A line with a filled cell after a pipe (only such lines can hold a Markdown vote)."""
_PIPE_TERMINATED = re.compile(r"^[ ]*[^\s|][^\n|]*(?:\|[ ]*)+$", re.MULTILINE)
"""One filled cell and then only pipes: `a |`, `a | ||`."""


@dataclass(slots=True)
class LabelHit:
    row: str
    start: int
    end: int
    fragment_start: int


@dataclass
class TableRead:
    """One table as read: its form variant, its rows (row key -> cells) and where it sits in the text."""

    table: str
    variant: str
    start: int
    end: int
    rows: dict[str, RowRead] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    extra_rows: list[str] = field(default_factory=list)


@dataclass
class Layout:
    t2: tuple[int, int] | None
    t3: tuple[int, int] | None
    t4: tuple[int, int] | None
    t4_anchor: int = -1


def pipe_style(norm: str, start: int, end: int) -> PipeStyle:
    """Markdown-like `| a | b |` rows, `a |` terminated cells, or no pipes at all."""
    if norm.find("|", start, end) < 0:
        return PipeStyle.NONE
    # Only lines with a filled cell after a pipe can match, and the full pattern backtracks on the others
    # (quadratic in their length): count over runs of consecutive candidate lines (matches never cross lines).
    markdown = 0
    run_start = run_end = -1
    segment = norm[start:end]  # `^` must match at the range's start
    for line in _PIPE_CANDIDATE_LINE.finditer(segment):
        if line.start() == run_end + 1 and run_end >= 0:
            run_end = line.end()
            continue
        if run_end >= 0:
            markdown += len(_PIPE_MARKDOWN.findall(segment, run_start, run_end))
        run_start, run_end = line.span()
    if run_end >= 0:
        markdown += len(_PIPE_MARKDOWN.findall(segment, run_start, run_end))
    terminated = len(_PIPE_TERMINATED.findall(norm, start, end))
    return PipeStyle.TERMINATED if terminated > markdown else PipeStyle.MARKDOWN


@cache
def _row_pattern(table: str) -> tuple[re.Pattern[str], dict[str, str]]:
    tdef = formbook().table(table)
    return compile_alternatives(tuple((row, tuple(d.match)) for row, d in tdef.rows.items()))


_cached_fragment_key = lru_cache(maxsize=4096)(fragment_key)
"""Matched label texts repeat from row to row and document to document."""


def _row_of(match: re.Match[str], owner: dict[str, str]) -> str:
    return owner.get(_cached_fragment_key(match.group()), "")


@cache
def _ordinals(table: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for row, d in formbook().table(table).rows.items():
        m = _ORDINAL.match(d.label)
        if m and not any(_ORDINAL.match(f) for f in d.match):
            out[row] = m.group(1)
    return out


def find_labels(norm: str, table: str, start: int, end: int) -> list[LabelHit]:
    """Row labels of `table` in norm[start:end], each extended over its ordinal and the rest of its cell."""
    ordinals = _ordinals(table)
    hits: list[LabelHit] = []
    seen: set[str] = set()
    pattern, owner = _row_pattern(table)
    for m in pattern.finditer(norm, start, end):
        row = _row_of(m, owner)
        if not row:
            continue
        if hits and hits[-1].row == row and m.start() < hits[-1].end:
            continue  # a second fragment inside the same label (其他法律行政法规 … 禁止公开)
        s = m.start()
        limit = max(start, s - BACK_LIMIT)
        while s > limit:
            ch = norm[s - 1]
            if ch in "\t|\n" or ch.isdigit():
                break
            s -= 1
        ordinal = ordinals.get(row)
        if ordinal and norm.startswith(ordinal, s - len(ordinal)) and s < m.start() and norm[s] in ".、,":
            s -= len(ordinal)
        suffix = _LABEL_SUFFIX.match(norm, m.end(), end)
        stop = suffix.end() if suffix else m.end()
        if row in seen:
            hits.append(LabelHit("", s, stop, m.start()))  # a repeated label: a boundary, not a row
            continue
        seen.add(row)
        hits.append(LabelHit(row, s, stop, m.start()))
    for i in range(len(hits) - 1):
        if hits[i].end > hits[i + 1].start:
            hits[i].end = max(hits[i + 1].start, hits[i].fragment_start)
    return hits


def locate(norm: str) -> Layout:
    """Where each table sits: [start, end) character ranges, or None for an absent table."""
    t3_start = _find_t3(norm)
    t2_start = _find_t2(norm, t3_start if t3_start >= 0 else len(norm))
    search_from = max(t3_start, t2_start, 0)
    t4_anchor = _find_t4(norm, search_from)
    t3: tuple[int, int] | None = None
    t4: tuple[int, int] | None = None
    if t4_anchor >= 0:
        heading = _T4_HEADING.search(norm, search_from, t4_anchor)
        t4_start = heading.start() if heading else _line_start(norm, t4_anchor)
        end_match = _SECTION_END.search(norm, t4_anchor)
        t4 = (t4_start, end_match.start() if end_match else len(norm))
    if t3_start >= 0:
        if t4 is not None:
            t3_end = t4[0]
        else:
            end_match = _SECTION_END.search(norm, t3_start)
            t3_end = end_match.start() if end_match else len(norm)
        t3 = (t3_start, t3_end)
    t2: tuple[int, int] | None = None
    if t2_start >= 0:
        limit = t3[0] if t3 else (t4[0] if t4 else len(norm))
        heading = _T3_HEADING.search(norm, t2_start, limit)
        if heading is not None:
            limit = heading.start()
        elif t3 is None and t4 is None:
            end_match = _SECTION_END.search(norm, t2_start)
            limit = end_match.start() if end_match else len(norm)
        t2 = (t2_start, limit)
    return Layout(t2=t2, t3=t3, t4=t4, t4_anchor=t4_anchor)


def _line_start(norm: str, pos: int) -> int:
    return norm.rfind("\n", 0, pos) + 1


def _find_t3(norm: str) -> int:
    for m in _T3_HEADER.finditer(norm):
        if _T3_HEADER_NEXT.search(norm, m.end(), m.end() + 400):
            return (
                _line_start(norm, m.start())
                if norm.rfind("\n", 0, m.start()) >= m.start() - 200
                else m.start()
            )
    pattern, owner = _row_pattern("t3")
    for m in pattern.finditer(norm):
        if _row_of(m, owner) == "new":
            following = pattern.search(norm, m.end(), m.end() + 400)
            if following is not None and _row_of(following, owner) == "carried_in":
                return m.start()
    return -1


def _find_t2(norm: str, before: int) -> int:
    """表二 starts at its 第二十条第（一）项 (the last one before 表三: prose may cite it earlier), else at the
    first column header (信息内容, 本年新制作数量 ...) followed by a row label."""
    pattern, owner = _row_pattern("t2")

    def opens_table(m: re.Match[str]) -> bool:
        row = pattern.search(norm, m.end(), min(before, m.end() + ANCHOR_REACH))
        return row is not None and _row_of(row, owner) in ("regulations", "normative")

    sections = [m for m in _T2_FIRST_SECTION.finditer(norm, 0, before) if opens_table(m)]
    if sections:
        return sections[-1].start()
    for m in _T2_HEADER.finditer(norm, 0, before):
        if opens_table(m):
            return m.start()
    return -1


def _find_t4(norm: str, start: int) -> int:
    """表四's header (结果维持 followed by another header word), else its heading (…行政复议、行政诉讼…)."""
    for m in _T4_ANCHOR.finditer(norm, start):
        if _T4_HEADER_WORDS.search(norm, m.end(), m.end() + 60):
            return m.start()
    heading = _T4_TITLE.search(norm, start)
    return heading.end() if heading else -1


# --------------------------------------------------------------------------------------------------------
# 表二, 表三: labelled rows


def t2_variant(norm: str, start: int, end: int, book: FormBook) -> str:
    """2021 (制发件数 …), 2019-local (本年项目数量 without 上一年项目数量) or 2019."""
    cols = book.table("t2").columns
    segment = re.sub(r"[\s\"']+", "", norm[start:end])
    if any(f in segment for c in ("made", "repealed", "in_force") for f in cols[c].match):
        return "2021"
    if "本年收费金额" in segment and "上一年项目数量" not in segment:
        return "2021"
    if "本年项目数量" in segment and not any(f in segment for f in cols["prev_items"].match):
        return "2019-local"
    return "2019"


def read_labelled_table(
    norm: str, table: str, span: tuple[int, int], pipes: PipeStyle, variant_hint: str | None = None
) -> TableRead:
    """Read 表二 or 表三 in norm[span]: rows located by their labels, cells read after each label."""
    book = formbook()
    start, end = span
    hits = find_labels(norm, table, start, end)
    found = {h.row for h in hits if h.row}
    if table == "t2":
        variant = variant_hint or t2_variant(norm, start, end, book)
    else:
        variants = book.table(table).variants
        newer = set(variants["2021"].rows) - set(variants["2019"].rows)  # the (六) sub-rows
        variant = "2021" if found & newer else "2019"
    result = TableRead(table=table, variant=variant, start=start, end=end)
    columns_of: dict[str, tuple[str, ...]] = {}
    for section in book.table(table).variants[variant].layout():
        for row in section.rows:
            columns_of[row] = section.columns
    prefer_leading = table != "t2" and pipes is not PipeStyle.MARKDOWN
    order: ColumnOrder = STANDARD_ORDER
    if table == "t3":
        first_label = next((h.start for h in hits if h.row), end)
        # From the last heading before the table: a header printed one name per line may begin there.
        heading = norm.rfind(_T3_HEADING_WORDS, max(0, start - HEADER_REACH), start)
        header_from = heading + len(_T3_HEADING_WORDS) if heading >= 0 else start
        order = t3_column_order(
            norm, header_from, first_label, pipes, book.table(table).variants[variant].layout()[0].columns
        )
    sum_groups = 1 if table == "t3" and order is STANDARD_ORDER else 0
    widths: dict[str, int] = {}
    grid = pipes is PipeStyle.MARKDOWN or norm.find("\t", start, end) >= 0
    for i, hit in enumerate(hits):
        if not hit.row:
            continue
        if hit.row not in columns_of:
            if table == "t2" or hit.row != "other":
                result.extra_rows.append(hit.row)
            continue
        stop = hits[i + 1].start if i + 1 < len(hits) else end
        count = len(columns_of[hit.row])
        result.rows[hit.row] = read_row(norm, hit.end, stop, count, pipes, prefer_leading, sum_groups)
        if table == "t3" and grid:
            widths[hit.row] = _grid_width(norm, hit.start, result.rows[hit.row], pipes)
    if table == "t2" and grid:
        map_t2_by_header(norm, result.rows, hits, columns_of, pipes, start)
    result.missing = [row for row in columns_of if row not in result.rows]
    _flag_narrow_rows(result, widths)
    for row, read in result.rows.items() if _may_hold_change_words(norm, start, end) else ():
        columns = columns_of[row]
        flag_misplaced_change_words(
            norm, read, columns.index("change") if table == "t2" and "change" in columns else -1
        )
    if order is not STANDARD_ORDER:
        _apply_column_order(result, order)
    if table == "t2" and grid:
        _flag_rows_narrower_than_their_header(norm, result, hits, pipes)
    return result


def _may_hold_change_words(norm: str, start: int, end: int) -> bool:
    """Whether norm[start:end] may hold a change written in words (plain character finds first: fast)."""
    if not any(norm.find(word, start, end) >= 0 for word in ("增", "减", "持平", "下降")):
        return False
    return MAYBE_CHANGE_WORDS.search(norm, start, end) is not None


FLAG_CHANGE_WORD = "增减文字（增加/减少/持平）不在本年增/减列，无法确定各值所在列"


def flag_misplaced_change_words(norm: str, read: RowRead, change_index: int) -> None:
    """A change written in words reads as a number only in 表二's 本年增/减 column (`change_index`); anywhere
    else the row's reading is not trusted."""
    for i, cell in enumerate(read.cells):
        if (
            i != change_index
            and cell.start >= 0
            and not norm[cell.start].isdigit()
            and change_word_value(norm[cell.start : cell.end]) is not None
        ):
            flag_row(read, FLAG_CHANGE_WORD)
            return


@dataclass(frozen=True, slots=True)
class ColumnOrder:
    """How a 表三 header orders the value columns: `positions[i]` is the form column of the i-th printed
    value (None when the header cannot be read with certainty and its order differs from the form's)."""

    positions: tuple[int, ...] | None


STANDARD_ORDER = ColumnOrder(positions=None)
"""The form's own order (or no evidence of another): values are read by position."""
UNKNOWN_ORDER = ColumnOrder(positions=())
FLAG_COLUMN_ORDER = "表头列顺序与标准表不同，无法确定各值所在列"


@cache
def _t3_column_patterns(columns: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str], dict[str, int]]:
    """Column-name pattern (names kept on one line), group-label pattern, and name -> form column index."""
    tdef = formbook().table("t3")
    owner: dict[str, int] = {}
    names: list[str] = []
    for i, key in enumerate(columns):
        for fragment in tdef.columns[key].match:
            owner[fragment] = i
            names.append(fragment)
    groups = {c.group for c in tdef.columns.values() if c.group}
    for column in tdef.columns.values():  # 法人或其它组织: a group label spelt with a column's other spelling
        for fragment in column.match:
            groups |= {g.replace(fragment, other) for g in groups for other in column.match if fragment in g}
    names.sort(key=len, reverse=True)
    column_pattern = re.compile("|".join("[ ]*".join(map(re.escape, n)) for n in names))
    group_pattern = re.compile(
        "|".join("[ ]*".join(map(re.escape, g)) for g in sorted(groups, key=len, reverse=True))
    )
    return column_pattern, group_pattern, owner


def t3_column_order(
    norm: str, start: int, end: int, pipes: PipeStyle, columns: tuple[str, ...]
) -> ColumnOrder:
    """The order of 表三's value columns as its header (norm[start:end], before the first row label) prints
    them. In a TAB or Markdown grid each name's cell index gives its column; elsewhere only the reading order
    is known, which differs from the form's even for the standard header (总计 spans the header's rows)."""
    if end <= start:
        return STANDARD_ORDER
    column_pattern, group_pattern, owner = _t3_column_patterns(columns)
    masked = group_pattern.sub(lambda m: "\x00" * len(m.group()), norm[start:end])
    found: list[tuple[int, int]] = []  # (form column, position in masked)
    for m in column_pattern.finditer(masked):
        found.append((owner[m.group().replace(" ", "")], m.start()))
    if not found:
        return STANDARD_ORDER
    width = len(columns)
    total = width - 1
    grid = "\t" in masked or pipes is PipeStyle.MARKDOWN
    if grid:
        separator = "\t" if "\t" in masked else "|"
        cell_of: dict[int, int] = {}
        line_of: dict[int, list[int]] = {}
        duplicated = False
        for column, pos in found:
            line_start = masked.rfind("\n", 0, pos) + 1
            index = masked.count(separator, line_start, pos)
            if column in cell_of:
                duplicated = True
            cell_of[column] = index
            line_of.setdefault(line_start, []).append(column)
        # Only names printed on one line in another order than the form's tell of a different order: a
        # reader that does not repeat merged cells shifts the header's lines against each other.
        printed = sorted(cell_of, key=cell_of.__getitem__)
        certain = (
            not duplicated
            and len(cell_of) == width
            and len(set(cell_of.values())) == width
            and max(cell_of.values()) - min(cell_of.values()) == width - 1
        )
        if certain:
            return STANDARD_ORDER if printed == sorted(printed) else ColumnOrder(positions=tuple(printed))
        if all(names == sorted(names) for names in line_of.values()):
            return STANDARD_ORDER
        return UNKNOWN_ORDER
    # Reading order: the standard header prints 总计 after 自然人 (beside or after the organisations).
    seen = [column for column, _ in found]
    others = [c for c in seen if c != total]
    if others != sorted(others) or (total in seen and seen.index(total) == 0 and len(seen) > 1):
        return UNKNOWN_ORDER
    return STANDARD_ORDER


def _apply_column_order(table: TableRead, order: ColumnOrder) -> None:
    """Put each row's values under the columns its header names; every cell unsure when that is not known."""
    positions = order.positions
    for read in table.rows.values():
        if positions and read.blob is None and len(read.cells) == len(positions):
            placed: list[CellRead | None] = [None] * len(positions)
            for cell, column in zip(read.cells, positions, strict=True):
                placed[column] = cell
            read.cells = [c for c in placed if c is not None]
            continue
        if read.blob is not None or not read.cells:
            count = len(positions) if positions else len(read.cells)
            read.blob = None
            read.cells = [CellRead(None) for _ in range(count)]
        flag_row(read, FLAG_COLUMN_ORDER)


def _line_width(norm: str, pos: int, pipes: PipeStyle) -> int:
    """Cells on the line holding `pos` in a TAB or Markdown grid (0 for other layouts)."""
    line_start = norm.rfind("\n", 0, pos) + 1
    line_end = norm.find("\n", pos)
    line = norm[line_start : line_end if line_end >= 0 else len(norm)]
    if "\t" in line:
        return line.count("\t") + 1
    if pipes is PipeStyle.MARKDOWN:
        return line.count("|") + 1
    return 0


def _grid_width(norm: str, label_start: int, read: RowRead, pipes: PipeStyle) -> int:
    """Width of the label's line when the row was read from that line alone (0 otherwise)."""
    line_end = norm.find("\n", label_start)
    if line_end >= 0 and any(c.start >= line_end for c in read.cells):
        return 0
    return _line_width(norm, label_start, pipes)


def _flag_narrow_rows(table: TableRead, widths: dict[str, int]) -> None:
    """A 表三 grid pads every row to the same width. A row that fitted only after dropping padding but is
    narrower than the table's other rows lost a cell somewhere: which one cannot be told."""
    counted = [w for w in widths.values() if w > 0]
    if not counted:
        return
    usual = max(set(counted), key=counted.count)
    for row, read in table.rows.items():
        if read.dropped and 0 < widths.get(row, 0) < usual and read.cells and all(c.sure for c in read.cells):
            flag_row(read, FLAG_NARROW_ROW)


def _flag_rows_narrower_than_their_header(
    norm: str, table: TableRead, hits: list[LabelHit], pipes: PipeStyle
) -> None:
    """A 表二 row is as wide as its section's header line (信息内容 | 列 | 列 …) in a grid; a narrower row
    lost a cell, even when the grid's padding made the count come out right."""
    for hit in hits:
        read = table.rows.get(hit.row)
        if read is None or not read.cells or not all(c.sure for c in read.cells):
            continue
        width = _grid_width(norm, hit.start, read, pipes)
        header = norm.rfind("信息内容", table.start, hit.start)
        if width and header >= 0 and width < _line_width(norm, header, pipes):
            flag_row(read, FLAG_NARROW_ROW)


# --------------------------------------------------------------------------------------------------------
# 表四: a header, then one run of fifteen values


def read_t4(norm: str, span: tuple[int, int], pipes: PipeStyle, count: int, groups: int) -> RowRead:
    """表四's fifteen cells; a change written in words (增加3) there makes the reading untrusted."""
    read = _read_t4(norm, span, pipes, count, groups)
    if _may_hold_change_words(norm, span[0], span[1]):
        flag_misplaced_change_words(norm, read, -1)
    return read


def _read_t4(norm: str, span: tuple[int, int], pipes: PipeStyle, count: int, groups: int) -> RowRead:
    """The values after 表四's header, as one row of `count` cells (three groups of five); a transposed 表四
    (one row per group) is read row by row into the same run."""
    start, end = span
    values_from = start
    rows_from = -1
    columns_seen = False
    for header_word in _T4_HEADER_WORDS.finditer(norm, start, end):
        if values_from > start and _DIGIT.search(norm, values_from, header_word.start()):
            break  # numbers came before this word: it is prose after the table, not the header
        word = header_word.group()
        if "维" in word:
            columns_seen = True
        elif columns_seen and rows_from < 0 and "复" in word and "诉" not in word:
            rows_from = values_from  # 行政复议 after the column words: a row label, not a group header
        values_from = header_word.end()
    if rows_from >= 0 or "起诉" not in norm[start:values_from]:
        # The official header names its groups (行政复议 … 复议后起诉) before the column words, and every
        # group before any value; a transposed 表四 prints its groups as row labels under the column words.
        transposed = read_t4_transposed(norm, max(rows_from, start), end, pipes, count // groups)
        if transposed is not None:
            return transposed
    inline = INLINE_RUN.match(norm, values_from, end)
    if inline is not None and inline.group().strip():
        return read_row(norm, values_from, end, count, pipes, False, groups)
    mid_end = end < len(norm) and end > values_from and norm[end - 1] != "\n"
    tokens = tokenize(norm, values_from, end, pipes, True, mid_end)
    if tokens and not any(t.kind is Kind.NUMBER and t.line == 0 for t in tokens):
        tokens = [t for t in tokens if t.line != 0]
    text_lines = {t.line for t in tokens if t.kind is Kind.TEXT}
    first_number = next((i for i, t in enumerate(tokens) if t.kind is Kind.NUMBER), None)
    if first_number is not None:
        j = first_number
        while (
            j > 0 and tokens[j - 1].kind in (Kind.BLANK, Kind.STRAY) and tokens[j - 1].line not in text_lines
        ):
            j -= 1
        tokens = tokens[j:]
    return fit(select_values(tokens), count, False, groups)


_EMPTY_GRID_CELL = re.compile(r"\t[ ]*(?=[\t\n])|\|[ ]*\||\n[ ]*\|[ |]*\n")
"""An empty cell of a TAB, Markdown or pipe-terminated grid (a bare `|` line)."""
FLAG_T4_ROW_MISSING = "文档中未找到该行"
FLAG_T4_GLUED_ROW = "该行数字粘连在一起，无法确定各值所在列"


def read_t4_transposed(norm: str, start: int, end: int, pipes: PipeStyle, per_group: int) -> RowRead | None:
    """A transposed 表四 (one row per 行政复议 / 直接起诉 / 复议后起诉, each label followed by its five values),
    as the official layout's single run of cells in form order; None when the rows are not laid out so."""
    hits = [h for h in find_labels(norm, "t4", start, end) if h.row]
    if len(hits) < 2 or not any(h.row != "review" for h in hits):
        return None
    # Every label after the first must follow the cells of the row before it (a number, or an empty cell
    # of a grid on a line of its own), else the labels are a header and the values one official run.
    for before, after in pairwise(hits):
        if _DIGIT.search(norm, before.end, after.start):
            continue
        if norm.find("\n", before.end, after.start) < 0 or not _EMPTY_GRID_CELL.search(
            norm, before.end, after.start
        ):
            return None
    prefer_leading = pipes is not PipeStyle.MARKDOWN
    by_row: dict[str, RowRead] = {}
    for i, hit in enumerate(hits):
        stop = hits[i + 1].start if i + 1 < len(hits) else end
        by_row[hit.row] = read_row(norm, hit.end, stop, per_group, pipes, prefer_leading, 1)
    t4 = formbook().table("t4")
    cells: list[CellRead] = []
    problems: list[str] = []
    for row, row_def in t4.rows.items():
        read = by_row.get(row)
        label = row_def.label
        if read is None or read.blob is not None or len(read.cells) != per_group:
            flag = FLAG_T4_ROW_MISSING if read is None else FLAG_T4_GLUED_ROW
            cells.extend(CellRead(None, sure=False, flag=flag) for _ in range(per_group))
            problems.append(f"{label}：{flag}")
            continue
        cells.extend(read.cells)
        if read.problem and read.problem != "lost_blank":
            problems.append(f"{label}：{read.problem}")
    return RowRead(cells=cells, problem="（逐行排列）" + "；".join(problems) if problems else None)


def t4_cells(read: RowRead, groups: int, per_group: int) -> list[list[CellRead]]:
    cells = read.cells
    return [cells[g * per_group : (g + 1) * per_group] for g in range(groups)]
