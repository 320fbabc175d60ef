"""Find 表二/表三/表四 in the folded text, locate each row by its label and read the rows' cells."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import pairwise
from unicodedata import east_asian_width

from gikai_desk.forms import FormBook, formbook
from gikai_desk.model import Number
from gikai_desk.parse.aligned import (
    claim_wrapped_label_values,
    defer_blank_rows,
    join_wrapped_numbers,
    place_by_columns,
    place_by_header,
    place_t4_by_header,
)
from gikai_desk.parse.convention import read_values_before_labels
from gikai_desk.parse.displaced import read_t4_blocks, spill_displaced_rows
from gikai_desk.parse.ghosts import map_t2_by_header
from gikai_desk.parse.labels import (
    FUZZY_REACH,
    RawHit,
    explained_gap,
    forget_documents,
    fuzzy_labels,
    hits_between,
    label_chain,
    row_of,
    row_order,
    row_pattern,
)
from gikai_desk.parse.normalize import fragment_pattern
from gikai_desk.parse.rows import (
    FLAG_NARROW_ROW,
    FLAG_NO_VALUES,
    SHORT_ROW,
    CellRead,
    RowRead,
    breaks_row_total,
    fit,
    flag_row,
    read_row,
    select_values,
    without_padding,
)
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
_LABEL_SUFFIX = re.compile(r"(?:[^\d\t|\n+\-]|[+\-](?!\d))*")
"""The rest of a label's cell: up to a digit, a TAB or pipe, a line end, or the sign of a number (行政强制   -3)."""
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
    repeat_of: str = ""
    """For a repeated label (row ""): the row whose label it repeats."""


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
    displaced: list[str] = field(default_factory=list)
    """Rows whose values were printed after another row's values (parse/displaced.py)."""
    values_before_labels: bool = False
    """Each row's values stand before its label (parse/convention.py)."""
    absent: list[str] = field(default_factory=list)
    """Rows the document leaves out between rows read in form order: read blank, sure, with a note."""


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


_row_pattern = row_pattern
_row_of = row_of


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
    for m in hits_between(norm, table, start, end):  # the document's hits, scanned once (labels.py)
        row = m.row
        if m.end > end:
            continue
        if hits and hits[-1].row == row and m.start < hits[-1].end:
            continue  # a second fragment inside the same label (其他法律行政法规 … 禁止公开)
        s = _cell_start(norm, m.start, start)
        if hits and hits[-1].row == row and not norm[hits[-1].end : s].strip():
            # The label's next fragment on the next line (2.没有现成信息 / 需要另行制作): still the same label.
            suffix = _LABEL_SUFFIX.match(norm, m.end, end)
            hits[-1].end = suffix.end() if suffix else m.end
            continue
        ordinal = ordinals.get(row)
        if ordinal and norm.startswith(ordinal, s - len(ordinal)) and s < m.start and norm[s] in ".、,":
            s -= len(ordinal)
        suffix = _LABEL_SUFFIX.match(norm, m.end, end)
        stop = suffix.end() if suffix else m.end
        if row in seen:
            hits.append(LabelHit("", s, stop, m.start, row))  # a repeated label: a boundary, not a row
            continue
        seen.add(row)
        hits.append(LabelHit(row, s, stop, m.start))
    for i in range(len(hits) - 1):
        if hits[i].end > hits[i + 1].start:
            hits[i].end = max(hits[i + 1].start, hits[i].fragment_start)
    return hits


def locate(norm: str) -> Layout:
    """Where each table sits: [start, end) character ranges, or None for an absent table.

    A table starts where the most of its form's row labels follow in form order (`labels.label_chain`), with
    its header or anchor before them; prose naming the same words before the table does not capture it."""
    forget_documents()
    _located_chains.cache_clear()
    t3_start = _t3_by_labels(norm)
    if t3_start < 0:
        t3_start = _find_t3(norm)
    before = t3_start if t3_start >= 0 else len(norm)
    t2_start = _t2_by_labels(norm, before)
    if t2_start < 0:
        t2_start = _find_t2(norm, before)
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


_BRACKETED_TEXT = re.compile(r"\([^()\n]{0,200}\)")


_PROSE_FIGURE = re.compile(r"\d[ ]*(?:件|个|项|人次|家|次|%|余|多)")
"""A figure as prose writes it (申请5件, 占80%): a header or a row of cells holds none."""


def _prose_between(norm: str, start: int, end: int) -> bool:
    """Whether norm[start:end] holds a prose figure outside bracketed notes (text between a table's header
    and its first found label holds at most a damaged first row's values)."""
    if not _PROSE_FIGURE.search(norm, start, end):
        return False
    return _PROSE_FIGURE.search(_BRACKETED_TEXT.sub("", norm[start:end])) is not None


def _t3_by_labels(norm: str) -> int:
    """表三's start from its best run of row labels in form order: the header (自然人 … 商业企业) just before
    the run, else the table's heading, else the first label. -1 when the run is too weak to be a table."""
    chain = label_chain(norm, "t3", 0, len(norm))
    _located_chains(norm)["t3"] = chain
    if len(chain) < 2:
        return -1
    first = chain[0]
    lo = max(0, first.start - 1500)
    last_t2 = hits_between(norm, "t2", lo, first.start)
    if last_t2:
        lo = max(lo, last_t2[-1].cell_end)
    header = -1
    for m in _T3_HEADER.finditer(norm, lo, first.start):
        near = _T3_HEADER_NEXT.search(norm, max(lo, m.start() - 400), m.end() + 400)
        if near is not None and near.start() < first.start and not _prose_between(norm, m.end(), first.start):
            header = m.start()
            break
    if header >= 0:
        return _line_start(norm, header) if norm.rfind("\n", 0, header) >= header - 200 else header
    headings = list(_T3_HEADING.finditer(norm, lo, first.start))
    if headings and not _prose_between(norm, headings[-1].end(), first.start):
        return headings[-1].start()
    starts_like_table = len(chain) >= 3 or (chain[0].row == "new" and chain[1].row == "carried_in")
    return _label_start(norm, first, lo) if starts_like_table else -1


def _cell_start(norm: str, s: int, limit: int) -> int:
    """Where the cell holding a label fragment at `s` starts: back over prefix words (at most BACK_LIMIT
    characters, not before `limit`) to a TAB, pipe, line break or digit."""
    limit = max(limit, s - BACK_LIMIT)
    while s > limit:
        ch = norm[s - 1]
        if ch in "\t|\n" or ch.isdigit():
            break
        s -= 1
    return s


def _label_start(norm: str, hit: RawHit, limit: int) -> int:
    """Where a label's cell starts (its ordinal and prefix words included), as find_labels extends it."""
    s = _cell_start(norm, hit.start, limit)
    if s > 0 and norm[s - 1].isdigit() and s < hit.start and norm[s] in ".、,":
        s -= 1
    return s


def _t2_by_labels(norm: str, before: int) -> int:
    """表二's start from its best run of row labels in form order before 表三: its last 第二十条第（一）项 or first
    column header before the run (prose may cite them earlier). -1 without such an anchor."""
    chain = label_chain(norm, "t2", 0, before)
    _located_chains(norm)["t2"] = chain
    if not chain:
        return -1
    first = chain[0].start
    lo = max(0, first - ANCHOR_REACH)
    sections = list(_T2_FIRST_SECTION.finditer(norm, lo, first))
    if sections:
        return sections[-1].start()
    if len(chain) < 2:
        return -1  # one label and no 第二十条 anchor: not enough to call it a table
    for m in _T2_HEADER.finditer(norm, lo, first):
        if not _prose_between(norm, m.end(), first):
            return m.start()
    return -1


def rows_from(norm: str, table: str, start: int, end: int) -> int:
    """Where 表二/表三's rows begin in norm[start:end]: at the first label of the best run of labels in form
    order (labels before it are header notes or prose, 本年新收 + 上年结转 = …)."""
    chain = _located_chains(norm).get(table)  # the run locate found, when it lies in this span
    if not chain or not start <= chain[0].start < end:
        chain = label_chain(norm, table, start, end)
    if len(chain) < 2:
        return start
    return _label_start(norm, chain[0], start)


@lru_cache(maxsize=8)
def _located_chains(norm: str) -> dict[str, tuple[RawHit, ...]]:
    """The runs of labels `locate` based 表二/表三 on, filled by locate, read by rows_from (same folded string:
    its hash is kept, so the lookup costs no scan)."""
    return {}


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
    hits = find_labels(norm, table, rows_from(norm, table, start, end), end)
    found = {h.row for h in hits if h.row}
    t2_form = variant_hint or t2_variant(norm, start, end, book) if table == "t2" else ""
    hits, ambiguous = _add_fuzzy_labels(norm, table, hits, start, end, _rows_sought(table, t2_form, found))
    found = {h.row for h in hits if h.row}
    if table == "t2":
        variant = t2_form
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
    label_widths: dict[str, int] = {}
    spilled: dict[str, int] = {}
    """Rows with values read beyond their label's line: the label line's width."""
    grid = pipes is PipeStyle.MARKDOWN or norm.find("\t", start, end) >= 0
    regions: dict[str, tuple[int, int]] = {}
    for i, hit in enumerate(hits):
        if not hit.row:
            continue
        if hit.row not in columns_of:
            if table == "t2" or hit.row != "other":
                result.extra_rows.append(hit.row)
            continue
        stop = hits[i + 1].start if i + 1 < len(hits) else end
        count = len(columns_of[hit.row])
        regions[hit.row] = (hit.end, stop)
        result.rows[hit.row] = read_row(norm, hit.end, stop, count, pipes, prefer_leading, sum_groups)
        if table == "t3" and grid:
            widths[hit.row] = _grid_width(norm, hit.start, result.rows[hit.row], pipes)
            label_widths[hit.row] = _cells_from(norm, hit.start, pipes) if widths[hit.row] else 0
        if grid and not widths.get(hit.row):
            line_end = norm.find("\n", hit.start)
            if line_end >= 0 and any(
                c.value is not None and c.start > line_end for c in result.rows[hit.row].cells
            ):
                width = _line_width(norm, hit.start, pipes)
                spilled[hit.row] = width
                if table == "t2" and width > count and all(c.sure for c in result.rows[hit.row].cells):
                    # The label's line holds a cell per column already: values below are another row's
                    # (its label lost), not this one's.
                    flag_row(result.rows[hit.row], FLAG_VALUES_BELOW)
        if grid and norm.find("\n", hit.start, hit.end) >= 0:
            _flag_blank_row_of_wrapped_label(result.rows[hit.row])
        if grid:
            _flag_values_under_another_label(norm, table, hit, result.rows[hit.row])
    for row in ambiguous:
        if row in result.rows:
            flag_row(result.rows[row], FLAG_FUZZY_AMBIGUOUS)
    for hit, following in pairwise(hits):
        read = result.rows.get(hit.row)
        if (
            following.repeat_of
            and following.repeat_of == hit.row
            and read is not None
            and read.cells
            and _same_words(norm[hit.start : hit.end], norm[following.start : following.end])
        ):
            # The label printed twice in a row (a doubled cell): the values may follow either copy. (Not a
            # label wrapped around its values, 5．要求行政机关确认或 / values / 重新出具已获取信息: other words.)
            flag_row(read, FLAG_REPEATED_LABEL)
    if table == "t2" and grid:
        map_t2_by_header(norm, result.rows, hits, columns_of, pipes, start)
    count_of = {row: len(columns) for row, columns in columns_of.items()}
    aligned = False  # values shown on their labels' lines under the columns: none printed before its label
    if pipes is PipeStyle.NONE and not grid:
        placed, aligned = place_by_columns(norm, result.rows, count_of, SHORT_ROW, sum_groups > 0)
        spans = [(h.row, h.start, h.end, h.fragment_start) for h in hits]
        shown, by_header = place_by_header(
            norm, table, result.rows, spans, columns_of, span, SHORT_ROW, sum_groups > 0
        )
        aligned = aligned or shown
        if aligned and sum_groups:
            claim_wrapped_label_values(norm, table, result.rows, spans, tuple(columns_of), count_of)
        if aligned:
            defer_blank_rows(norm, table, result.rows, spans, end, bool(placed or by_header), by_header)
    result.displaced = spill_displaced_rows(
        norm, result.rows, regions, tuple(columns_of), count_of, pipes, prefer_leading, sum_groups
    )
    result.values_before_labels = (
        False
        if aligned
        else read_values_before_labels(
            norm,
            result.rows,
            [(h.row, h.start, h.end) for h in hits],
            (start, end),
            count_of,
            pipes,
            prefer_leading,
            sum_groups,
            table,
            variant,
        )
    )
    if result.values_before_labels:
        result.displaced = []
    result.missing = [row for row in columns_of if row not in result.rows]
    if result.missing:
        if not grid:
            _flag_rows_before_lost_labels(result, columns_of)
        _read_absent_rows_blank(norm, result, hits, columns_of)
    _flag_narrow_rows(result, widths, prefer_leading)
    _flag_wide_rows(result, widths, label_widths, spilled)
    for row, read in result.rows.items() if _may_hold_change_words(norm, start, end) else ():
        columns = columns_of[row]
        flag_misplaced_change_words(
            norm, read, columns.index("change") if table == "t2" and "change" in columns else -1
        )
    if order.positions:
        order = _order_by_row_totals(result, order)
    if order is not STANDARD_ORDER:
        for read in result.rows.values():
            read.spare = None  # cells read in print order: not placed by the form's order
        _apply_column_order(result, order)
    if table == "t2" and grid:
        _flag_rows_narrower_than_their_header(norm, result, hits, pipes)
    return result


FLAG_FUZZY_AMBIGUOUS = "行标签与标准表不完全一致，且可能属于另一行，无法确定该行"
FLAG_REPEATED_LABEL = "该行标签连续出现两次，数值可能在任一处之后，无法确定该行的值"


FLAG_BEFORE_LOST_LABEL = (
    "下一行的标签未找到，本行读到的数值也可能是下一行的（本行为空白时空白不显示），无法确定该行的值"
)


def _flag_rows_before_lost_labels(result: TableRead, columns_of: dict[str, tuple[str, ...]]) -> None:
    """Where empty cells leave no trace (one cell per line, one line), a blank row followed by a row whose label
    was lost reads exactly like a row holding values followed by a row left out: the values after a row whose
    successor in form order was not found (a row found after it: a label lost in the table's middle) may be
    the successor's. Flagged (values kept as the reading shown)."""
    order = list(columns_of)
    for row in result.missing:
        at = order.index(row)
        if at == 0 or not any(later in result.rows for later in order[at + 1 :]):
            continue  # a table that ends early is no lost label in its middle
        before = order[at - 1]
        read = result.rows.get(before)
        if (
            read is not None
            and read.cells
            and len(columns_of[before]) == len(columns_of[row])
            and any(c.value is not None for c in read.cells)
            and all(c.sure for c in read.cells)
        ):
            flag_row(read, FLAG_BEFORE_LOST_LABEL)


def _same_words(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


def _rows_sought(table: str, t2_form: str, found: set[str]) -> list[str]:
    """Rows (in form order) the fuzzy pass looks for: the 表二 variant's rows; 表三's rows, with the 2019
    (六)其他处理 row or the 2021 (六) sub-rows left out when the other is found."""
    book = formbook()
    if table == "t2":
        return [row for section in book.table(table).variants[t2_form].layout() for row in section.rows]
    variants = book.table(table).variants
    newer = set(variants["2021"].rows) - set(variants["2019"].rows)
    older = set(variants["2019"].rows) - set(variants["2021"].rows)
    skip = older if found & newer else newer if found & older else set()
    return [row for row in row_order(table) if row not in skip]


def _add_fuzzy_labels(
    norm: str, table: str, hits: list[LabelHit], start: int, end: int, sought: list[str]
) -> tuple[list[LabelHit], set[str]]:
    """Labels the exact pass missed, sought by rapidfuzz between the found neighbours in form order (a
    missing row's label can only stand there). Returns every hit in text order and the rows whose fuzzy
    label another row could claim as well."""
    found = {h.row: h for h in hits if h.row}
    missing = [row for row in sought if row not in found]
    if not missing:
        return hits, set()
    order = row_order(table)
    # Neighbours: the found hits that run in form order (a stray out-of-order hit is no neighbour).
    chain: list[LabelHit] = []
    for hit in hits:
        if hit.row and (not chain or order[hit.row] > order[chain[-1].row]):
            chain.append(hit)
    gaps: dict[tuple[int, int], list[str]] = {}
    for row in missing:
        index = order[row]
        prev = next((h for h in reversed(chain) if order[h.row] < index), None)
        after = next((h for h in chain if order[h.row] > index), None)
        gap_start = (
            prev.end if prev is not None else max(start, (after.start if after else end) - FUZZY_REACH)
        )
        gap_end = after.start if after is not None else end
        gaps.setdefault((gap_start, gap_end), []).append(row)
    added: list[LabelHit] = []
    ambiguous: set[str] = set()
    for (gap_start, gap_end), rows in gaps.items():
        for fh in fuzzy_labels(norm, table, rows, gap_start, gap_end):
            added.append(LabelHit(fh.row, fh.start, fh.end, fh.start))
            if fh.ambiguous:
                ambiguous.add(fh.row)
    if not added:
        return hits, set()
    return sorted(hits + added, key=lambda h: h.start), ambiguous


def _read_absent_rows_blank(
    norm: str, result: TableRead, hits: list[LabelHit], columns_of: dict[str, tuple[str, ...]]
) -> None:
    """A row the document leaves out (a department with no 规章 row): read blank, with a note, when its
    neighbours in form order were read cleanly and nothing but form words stands between them (not flagged as
    a row not found)."""
    position = {h.row: h for h in hits if h.row in result.rows}
    rows = list(columns_of)
    for row in list(result.missing):
        i = rows.index(row)
        prev = next((r for r in reversed(rows[:i]) if r in position), None)
        after = next((r for r in rows[i + 1 :] if r in position), None)
        if prev is None and after is None:
            continue
        gap_end = position[after].start if after is not None else result.end
        if prev is None:
            gap_start = result.start
        else:
            read = result.rows[prev]
            hit = position[prev]
            if (
                hit.start > gap_end
                or read.blob is not None
                or read.problem
                or not all(c.sure for c in read.cells)
            ):
                continue
            if len(read.cells) != len(columns_of[prev]):
                continue
            gap_start = max([hit.end, *(c.end for c in read.cells if c.start >= 0)])
        if after is not None and any(
            h.row in rows[i + 1 :] and h.start < gap_end and h.start >= gap_start for h in hits if h.row
        ):
            continue
        if _DIGIT.search(norm, gap_start, gap_end) or not explained_gap(norm, gap_start, gap_end):
            continue  # values or text no row explains: the row's label is there but unreadable
        # Blank, with a note (and BLANK_CELL lists the cells): the document has no such row. A reader that lost
        # a whole row line (label and values) looks the same; the 勾稽 rules then fail on the sums it fed.
        result.rows[row] = RowRead(cells=[CellRead(None) for _ in columns_of[row]])
        result.missing.remove(row)
        result.absent.append(row)


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
    masked = group_pattern.sub(_blank_out, norm[start:end])
    # A note in brackets (（本列数据的勾稽关系为：…办理结果总计…）) names words, not columns.
    masked = _BRACKETED.sub(_blank_out, masked)
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
        if masked.rfind("\n") > min(pos for _, pos in found):
            return UNKNOWN_ORDER
        # Header and first row on one line (a whole Markdown page on one line): the header's rows cannot be
        # told apart, so a name's cell index says nothing; only the reading order is known (see below).
    lines = {masked.rfind("\n", 0, pos) for _, pos in found}
    if len(lines) > 1 and len(lines) < len(found):
        # A header laid out over several lines with names side by side (w3m, pdftotext -layout): a name's
        # place is its horizontal position, not its reading order (总计 and 自然人 span the header's lines).
        return _positional_order(masked, found, total)
    # Reading order: the standard header prints 总计 after 自然人 (beside or after the organisations).
    seen = [column for column, _ in found]
    others = [c for c in seen if c != total]
    # 总计 before 自然人 is evidence of another order only when both are found (names broken over lines are not).
    total_first = total in seen and 0 in seen and seen.index(total) < seen.index(0)
    if others != sorted(others) or total_first:
        return UNKNOWN_ORDER
    return STANDARD_ORDER


_BRACKETED = re.compile(r"\([^()]{0,200}\)")
"""A note in brackets, also when it runs over lines (（本列数据的勾稽关系为：本年新\n收 + … 办理结果总计 +\n结转下年度）)."""


def _blank_out(match: re.Match[str]) -> str:
    """The match blanked out character for character, its line breaks kept (positions stay on their lines)."""
    return re.sub(r"[^\n]", "\x00", match.group())


def _display_column(text: str, pos: int) -> int:
    """Display column of text[pos] on its line (CJK characters are two columns wide)."""
    line_start = text.rfind("\n", 0, pos) + 1
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text[line_start:pos])


def _positional_order(masked: str, found: list[tuple[int, int]], total: int) -> ColumnOrder:
    """Order of column names spread over several lines, by where each stands across the page: another order
    than the form's only when names clearly stand in another order (one wholly left of the other)."""
    spans: dict[int, tuple[int, int]] = {}
    for column, pos in found:
        if column in spans:
            return STANDARD_ORDER if _same_line_sorted(masked, found) else UNKNOWN_ORDER
        left = _display_column(masked, pos)
        end = pos
        while end < len(masked) and masked[end] not in " \t\n\x00":
            end += 1
        spans[column] = (left, left + _display_column(masked[pos:end], end - pos))
    for a, b in pairwise(sorted(spans)):
        if b == total:
            continue  # 总计 spans rows and may stand beside any organisation; see below
        if spans[b][1] <= spans[a][0]:
            return UNKNOWN_ORDER
    if total in spans and len(spans) > 1:
        first = min(c for c in spans if c != total)
        if spans[total][1] <= spans[first][0]:
            return UNKNOWN_ORDER  # 总计 printed wholly left of the first other column
    return STANDARD_ORDER


def _same_line_sorted(masked: str, found: list[tuple[int, int]]) -> bool:
    by_line: dict[int, list[int]] = {}
    for column, pos in found:
        by_line.setdefault(masked.rfind("\n", 0, pos), []).append(column)
    return all(names == sorted(names) for names in by_line.values())


def _order_by_row_totals(table: TableRead, order: ColumnOrder) -> ColumnOrder:
    """Judge a header's column order that differs from the form's by the row totals (总计 = the six applicant
    columns) in the rows whose values the two orders place differently. The header's order stands when it
    explains them all, or fails where the form's order fails in at least two rows more (a report's own error or
    two); the form's own order when it alone explains them (a header's cells can be staircased or shifted
    against each other, as a spreadsheet's import of some web pages lays them out); otherwise the order is not
    known and every cell is flagged."""
    positions = order.positions
    assert positions
    total = len(positions) - 1

    def holds(values: list[Number]) -> bool:
        return abs(sum(values[:total]) - values[total]) < 1e-6

    header_fails = form_fails = 0
    for read in table.rows.values():
        if read.blob is not None or len(read.cells) != len(positions):
            continue
        printed: list[Number] = [c.value if c.value is not None else 0 for c in read.cells]
        placed: list[Number] = [0] * len(positions)
        for value, column in zip(printed, positions, strict=True):
            placed[column] = value
        if placed == printed:
            continue
        header_fails += not holds(placed)
        form_fails += not holds(printed)
    if header_fails == 0 or header_fails + 2 <= form_fails:
        return order
    return STANDARD_ORDER if form_fails == 0 else UNKNOWN_ORDER


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


def _cells_from(norm: str, pos: int, pipes: PipeStyle) -> int:
    """Cells from the one holding `pos` to the end of its line in a TAB or Markdown grid."""
    line_end = norm.find("\n", pos)
    rest = norm[pos : line_end if line_end >= 0 else len(norm)]
    return rest.count("\t" if "\t" in norm[norm.rfind("\n", 0, pos) + 1 : pos] + rest else "|") + 1


def _grid_width(norm: str, label_start: int, read: RowRead, pipes: PipeStyle) -> int:
    """Width of the label's line when the row was read from that line alone (0 otherwise; an empty cell at the
    line's very end is on that line)."""
    line_end = norm.find("\n", label_start)
    if line_end >= 0 and any(
        c.start > line_end or (c.start == line_end and c.value is not None) for c in read.cells
    ):
        return 0
    return _line_width(norm, label_start, pipes)


FLAG_WRAPPED_BLANK = "该行标签跨多行，读到的只是标签续行的空单元格，数值可能在标签的另一行，无法确定是否为空"


def _flag_blank_row_of_wrapped_label(read: RowRead) -> None:
    """A grid row whose label runs over several lines and whose cells read all blank: the blanks may be those
    of the label's continuation line, the values on another line of the label (a text-aligned PDF table)."""
    if read.cells and all(c.value is None for c in read.cells) and all(c.sure for c in read.cells):
        flag_row(read, FLAG_WRAPPED_BLANK)


FLAG_FOREIGN_LABEL = "数值所在行以另一行的标签开头（标签跨行排列），无法确定这些数值属于哪一行"
_LEADING_ORDINAL = re.compile(r"\s*(?:(\d{1,2})[.、]|\(([一二三四五六七八])\)|([一二三四])、)")


def _flag_values_under_another_label(norm: str, table: str, hit: LabelHit, read: RowRead) -> None:
    """A grid row whose values stand on a line that begins with another row's ordinal (`（三）\t1.属于\t2\t0…`
    after the label （二）部分公开 wrapped over the lines below its own values): text-aligned PDF tables print a
    wrapped label's first piece beside the values and the rest on the lines below, so the values after a label
    may be the next row's. Flagged, never read sure."""
    first = next((c.start for c in read.cells if c.start >= 0 and c.value is not None), -1)
    if first - hit.end < 2:
        return  # no value, or the values start right after the label's cell (the common row)
    if not all(c.sure for c in read.cells):
        return
    segment_start = max(hit.end, norm.rfind("\n", 0, first) + 1)
    if segment_start >= first:
        return
    own = _own_ordinal(table, hit.row)
    for piece in norm[segment_start:first].split("\t"):
        found = _LEADING_ORDINAL.match(piece)
        if found is not None and found.group().strip() != own:
            flag_row(read, FLAG_FOREIGN_LABEL)
            return


@cache
def _own_ordinal(table: str, row: str) -> str:
    """The ordinal a row's label begins with (（二）, 1.), or ""."""
    own = _LEADING_ORDINAL.match(formbook().table(table).rows[row].label)
    return "" if own is None else own.group().strip()


def _flag_narrow_rows(table: TableRead, widths: dict[str, int], prefer_leading: bool) -> None:
    """A 表三 grid pads every row to the same width. A row that fitted only after dropping padding but is
    narrower than the table's other rows lost a cell somewhere: flagged, and its cells without the padding
    left to parse/place.py (which places them with the rules when it can)."""
    counted = [w for w in widths.values() if w > 0]
    if not counted:
        return
    usual = max(set(counted), key=counted.count)
    columns = formbook().table(table.table).variants[table.variant].columns
    for row, read in table.rows.items():
        if not (0 < widths.get(row, 0) < usual and read.cells and all(c.sure for c in read.cells)):
            continue
        # Narrower, yet fitted without dropping padding: a padding cell was read as the row's last (or first)
        # cell when the row's own total breaks (`| 4 | 0 | 0 | 0 | 0 | 4 | |` for 4 0 0 0 0 0 4), or when that
        # cell is empty in a row that writes 0 for nothing (`| 0 | 0 | 0 | 0 | 0 | 0 | |`).
        # Either edge: the padding side of a Markdown grid converted from a form is its label side too.
        edges = (read.cells[0], read.cells[-1])
        if (
            read.dropped
            or breaks_row_total(read.cells, columns)
            or (any(e.value is None for e in edges) and any(c.value == 0 for c in read.cells))
        ):
            cells = read.cells
            flag_row(read, FLAG_NARROW_ROW)
            read.spare = without_padding(cells, usual - widths[row], prefer_leading)


FLAG_VALUES_BELOW = (
    "该行标签所在行已有各列的单元格，读到的数值却在下面的行，可能属于丢失标签的另一行，无法确定该行的值"
)
FLAG_WIDE_T2_ROW = "该行的单元格比本栏表头多，可能混入了多余的数字，无法确定各值所在列"
FLAG_WIDE_ROW = "该行的单元格比表格其他行多，可能混入了多余的数字，无法确定各值所在列"


def _flag_wide_rows(
    table: TableRead, widths: dict[str, int], label_widths: dict[str, int], spilled: dict[str, int]
) -> None:
    """A 表三 grid pads every row to the same width. A row wider than the others that fitted only by dropping
    empty cells as padding gained a cell (a stray number): which cells are the padding cannot be told. Wider
    counts both from the line's start and from the row's label (a group label printed in a cell before the
    first row of its group, `三、本年度办理结果\t（一）予以公开\t…`, widens that line only). So does a row whose
    label line is already as wide as the others but whose values were read on from the lines below it
    (`\t2020\t\t3.补正后…`: the number before the next label is no cell of this row's line)."""
    counted = [w for w in widths.values() if w > 0]
    if not counted:
        return
    usual = max(set(counted), key=counted.count)
    # From the label: rows whose label stands after the same number of cells are peers (a label spanning the
    # group column starts its line); the narrowest peers' usual width is the one a row must exceed.
    peers: dict[int, list[int]] = {}
    for row, width in label_widths.items():
        if width > 0:
            peers.setdefault(widths.get(row, 0) - width, []).append(width)
    usual_from_label = min((max(set(ws), key=ws.count) for ws in peers.values()), default=0)
    for row, read in table.rows.items():
        if not read.cells or not all(c.sure for c in read.cells):
            continue
        wide = (
            widths.get(row, 0) > usual
            and label_widths.get(row, 0) > usual_from_label
            and read.dropped > 0
        )
        beyond = spilled.get(row, 0) >= usual
        if wide or beyond:
            flag_row(read, FLAG_WIDE_ROW)


def _flag_rows_narrower_than_their_header(
    norm: str, table: TableRead, hits: list[LabelHit], pipes: PipeStyle
) -> None:
    """A 表二 row is as wide as its section's header line (信息内容 | 列 | 列 …) in a grid; a narrower row
    lost a cell, even when the grid's padding made the count come out right; a wider one holding values
    gained a cell (a stray number), which no placement may drop as a ghost column's."""
    for hit in hits:
        read = table.rows.get(hit.row)
        if read is None or not read.cells or read.blob is not None:
            continue
        header = norm.rfind("信息内容", table.start, hit.start)
        if header < 0:
            continue
        cells = read.spare if read.spare is not None else read.cells
        width = _grid_width(norm, hit.start, RowRead(cells=cells), pipes)
        if not width:
            continue
        head = _line_width(norm, header, pipes)
        if width < head and all(c.sure for c in read.cells):
            flag_row(read, FLAG_NARROW_ROW)
        elif width > head and any(c.value is not None for c in cells) and read.problem != FLAG_NO_VALUES:
            flag_row(read, FLAG_WIDE_T2_ROW)


# --------------------------------------------------------------------------------------------------------
# 表四: a header, then one run of fifteen values


def read_t4(
    norm: str,
    span: tuple[int, int],
    pipes: PipeStyle,
    count: int,
    groups: int,
    stated: Mapping[int, float] | None = None,
) -> RowRead:
    """表四's fifteen cells; a change written in words (增加3) there makes the reading untrusted. Values in runs
    between header words (PDF object order) are placed by the group totals (`stated`: figures the prose
    gives for cells, by index)."""
    read = _read_t4(norm, span, pipes, count, groups)
    if pipes is PipeStyle.NONE and read.problem is not None and read.problem.startswith(SHORT_ROW):
        read = (
            place_t4_by_header(norm, span, read, groups) or join_wrapped_numbers(norm, read, groups) or read
        )
    if read.problem is not None and read.problem != "lost_blank":
        read = read_t4_blocks(norm, span[0], span[1], pipes, count, groups, stated or {}) or read
    if read.problem is not None or not all(c.sure for c in read.cells):
        read = _t4_values_line(norm, span, pipes, count, groups) or read
    if _may_hold_change_words(norm, span[0], span[1]):
        flag_misplaced_change_words(norm, read, -1)
    return read


def _t4_values_line(
    norm: str, span: tuple[int, int], pipes: PipeStyle, count: int, groups: int
) -> RowRead | None:
    """When 表四 could not be read otherwise (its header words garbled by OCR, say): the one line of its region
    holding exactly its `count` numbers, read sure, with every group's total holding. None when there is no such
    line, or more than one."""
    start, end = span
    found: list[RowRead] = []
    pos = start
    while pos < end:
        line_end = norm.find("\n", pos, end)
        line_end = end if line_end < 0 else line_end
        if len(_NUMBER_RUN.findall(norm, pos, line_end)) == count:
            tokens = [t for t in tokenize(norm, pos, line_end, pipes, False, False) if t.kind is not Kind.BLANK]
            if len(tokens) == count and all(t.kind is Kind.NUMBER and not t.extra and not t.flag for t in tokens):
                read = RowRead(cells=[CellRead(t.value, t.start, t.end) for t in tokens])
                if _group_totals_hold(read, groups):
                    found.append(read)
        pos = line_end + 1
    return found[0] if len(found) == 1 else None


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
        return _one_line_padding(
            norm,
            values_from,
            end,
            pipes,
            groups,
            lambda leading: read_row(norm, values_from, end, count, pipes, leading, groups),
        )
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
    values = select_values(tokens)
    return _one_line_padding(
        norm, values_from, end, pipes, groups, lambda leading: fit(values, count, leading, groups)
    )


FLAG_ONE_LINE_PADDING = "表格各行印在同一行，行界与空白单元格无法区分，无法确定各值所在列"


def _one_line_padding(
    norm: str, start: int, end: int, pipes: PipeStyle, groups: int, read: Callable[[bool], RowRead]
) -> RowRead:
    """表四's run, read dropping surplus empty cells at the end. The surplus may sit at the start instead
    (Markdown rows printed on one line: the `| |` between two rows looks like an empty cell; a stray number in
    a TAB or pipe run); when the two readings differ, the one whose group totals hold is taken, else every
    cell is flagged."""
    trailing = read(False)
    if not trailing.dropped or (pipes is PipeStyle.MARKDOWN and norm.find("\n", start, end) >= 0):
        return trailing  # Markdown lines end in their padding (`| ||`); their first empty cell is a cell
    # Any layout: the surplus empty cells may be padding at either end (or the run holds a stray number that
    # made a blank look surplus, `…\t\t2020\t\t…` in an empty 表四): both readings are admissible.
    leading = read(True)
    values = [c.value for c in trailing.cells]
    if [c.value for c in leading.cells] == values:
        return trailing
    holds = [r for r in (trailing, leading) if _group_totals_hold(r, groups)]
    if len(holds) == 1:
        return holds[0]
    flag_row(trailing, FLAG_ONE_LINE_PADDING)
    return trailing


def _group_totals_hold(read: RowRead, groups: int) -> bool:
    """Each group's last cell is the sum of the others (blanks as 0), every cell read."""
    cells = read.cells
    if groups <= 0 or not cells or len(cells) % groups or not all(c.sure for c in cells):
        return False
    size = len(cells) // groups
    for g in range(groups):
        part = [c.value or 0 for c in cells[g * size : (g + 1) * size]]
        if sum(part[:-1]) != part[-1]:
            return False
    return True


_NUMBER_RUN = re.compile(r"\d+(?:\.\d+)?")
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
    # A group's worth of numbers no row took: the labels were a header (an official 表四 whose header words OCR
    # garbled), and the values one run after it.
    taken = [(c.start, c.end) for read in by_row.values() for c in read.cells if c.start >= 0]
    left = [m for m in _NUMBER_RUN.finditer(norm, hits[0].end, end) if not any(a <= m.start() < b for a, b in taken)]
    if len(left) >= per_group:
        return None
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
