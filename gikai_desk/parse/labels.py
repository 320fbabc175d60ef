"""Row labels by evidence: where a table's row labels follow in form order, and labels recognised fuzzily.

The exact pass (one regex of every `match` fragment of resources/forms.json) finds most labels. Two things
build on it here:

- `label_chain`: the longest run of labels in form order (an alignment of the hits to the form's row
  sequence, each hit left out of the run costing one), so prose that names the same words before a table
  (申请人中自然人 N 件、商业企业 M 件 …, 规章、行政规范性文件 …) does not capture the table;
- `fuzzy_labels`: for the rows the exact pass did not find, text between the neighbours it did find (the
  form's row order says where a missing row can be) compared with the row's label by rapidfuzz, and
  `explained_gap`: whether a gap holds nothing but form words (a row the document leaves out).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise

from rapidfuzz import fuzz

from gikai_desk.forms import formbook
from gikai_desk.parse.normalize import compile_alternatives, fold, fragment_key

MAX_CHAIN_HITS = 600
"""More label hits than this (a report has fewer than a hundred per table) is a flood, not a table."""
CHAIN_WINDOW = 16
"""Hits a run may skip at once (each skipped hit costs one, so longer skips never win)."""
_LABEL_SUFFIX = re.compile(r"[^\d\t|\n]*")
_GRID_OR_DIGIT = re.compile(r"[\d\t|]")


@cache
def row_pattern(table: str) -> tuple[re.Pattern[str], dict[str, str]]:
    tdef = formbook().table(table)
    return compile_alternatives(tuple((row, tuple(d.match)) for row, d in tdef.rows.items()))


_cached_fragment_key = lru_cache(maxsize=4096)(fragment_key)
"""Matched label texts repeat from row to row and document to document."""


def row_of(match: re.Match[str], owner: dict[str, str]) -> str:
    return owner.get(_cached_fragment_key(match.group()), "")


@cache
def row_order(table: str) -> dict[str, int]:
    """Each row's place in the form (every variant's rows in one sequence: forms.json lists them so)."""
    return {row: i for i, row in enumerate(formbook().table(table).rows)}


@dataclass(slots=True)
class RawHit:
    row: str
    index: int
    """The row's place in the form."""
    start: int
    end: int
    cell_end: int
    """End of the label's cell (its text up to a digit, TAB, pipe or line end)."""


def raw_hits(norm: str, table: str, start: int, end: int, limit: int = -1) -> list[RawHit]:
    """Exact label hits of `table` in norm[start:end], a second fragment inside the same label dropped
    (at most `limit` + 1 of them when `limit` is set)."""
    pattern, owner = row_pattern(table)
    order = row_order(table)
    hits: list[RawHit] = []
    for m in pattern.finditer(norm, start, end):
        row = row_of(m, owner)
        if not row:
            continue
        if hits and hits[-1].row == row and m.start() < hits[-1].cell_end:
            continue
        if _split_ordinal(norm, m):
            continue
        suffix = _LABEL_SUFFIX.match(norm, m.end(), end)
        hits.append(RawHit(row, order[row], m.start(), m.end(), suffix.end() if suffix else m.end()))
        if len(hits) == limit + 1:
            break
    return hits


_BROKEN_ORDINAL = re.compile(r"\d[ \t\n\"']")


def _split_ordinal(norm: str, m: re.Match[str]) -> bool:
    """A fragment that starts with its ordinal (3.其他) matched across a value and another label (`13` then a
    line break or space, then `.其他法律…` whose own ordinal was lost): an ordinal is printed against its dot.
    (Glued values before it, `00000003.其他`, are fine.)"""
    return m.group()[:1].isdigit() and _BROKEN_ORDINAL.match(m.group()) is not None


def best_chain(norm: str, hits: list[RawHit], end: int) -> list[RawHit]:
    """The run of hits in strictly increasing form order that best explains the text: each hit in the run
    counts one (one and a half when values or grid cells follow it), each hit the run steps over costs one.
    Ties go to the earlier run (a report printed twice is read from its first copy)."""
    n = len(hits)
    if n == 0:
        return []
    if all(a.index < b.index for a, b in pairwise(hits)):
        return list(hits)  # already in form order (no prose naming the words, no repeated label)
    weight = []
    for i, hit in enumerate(hits):
        stop = hits[i + 1].start if i + 1 < n else min(end, hit.cell_end + 200)
        weight.append(1.5 if _GRID_OR_DIGIT.search(norm, hit.cell_end, stop) else 1.0)
    score = [0.0] * n
    back = [-1] * n
    prefix_max = [0.0] * n  # best score among hits 0..j: bounds what stepping further back can give
    indexes = [h.index for h in hits]
    for i in range(n):
        best = 0.0
        arg = -1
        index = indexes[i]
        for j in range(i - 1, max(-1, i - 1 - CHAIN_WINDOW), -1):
            if prefix_max[j] - (i - j - 1) <= best:
                break
            if indexes[j] < index:
                s = score[j] - (i - j - 1)
                if s > best:
                    best, arg = s, j
        score[i] = best + weight[i]
        back[i] = arg
        prefix_max[i] = max(score[i], prefix_max[i - 1]) if i else score[i]
    last = max(range(n), key=lambda i: (score[i], -i))
    chain: list[RawHit] = []
    while last >= 0:
        chain.append(hits[last])
        last = back[last]
    chain.reverse()
    return chain


@lru_cache(maxsize=8)
def document_hits(norm: str, table: str) -> tuple[RawHit, ...]:
    """Every exact label hit of `table` in the document, scanned once (locate and the table reader both ask:
    the same folded string, whose hash Python keeps, so a lookup costs no scan). A flood of labels stops the
    scan after MAX_CHAIN_HITS + 1 hits (hits_between then scans its own stretch)."""
    return tuple(raw_hits(norm, table, 0, len(norm), MAX_CHAIN_HITS))


def forget_documents() -> None:
    """Drop the per-document caches (called as a new document is located: they serve one parse, and a
    repeated parse of the same text must cost what the first did)."""
    document_hits.cache_clear()
    label_chain.cache_clear()


def hits_between(norm: str, table: str, start: int, end: int, limit: int = -1) -> list[RawHit]:
    """The document's hits in [start, end) (at most `limit` + 1 when a flood of labels stopped the scan)."""
    hits = document_hits(norm, table)
    if len(hits) > MAX_CHAIN_HITS and end > hits[-1].start:
        return raw_hits(norm, table, start, end, limit)  # beyond where a flood of labels stopped the scan
    return list(hits[bisect_left(hits, start, key=_start_of) : bisect_left(hits, end, key=_start_of)])


def _start_of(hit: RawHit) -> int:
    return hit.start


@lru_cache(maxsize=16)
def label_chain(norm: str, table: str, start: int, end: int) -> tuple[RawHit, ...]:
    """The best run of `table`'s row labels in form order within norm[start:end]; none when there are more
    hits than any report holds (a flood of labels: the callers fall back to the first anchors)."""
    hits = hits_between(norm, table, start, end, MAX_CHAIN_HITS)
    if len(hits) > MAX_CHAIN_HITS:
        return ()
    return tuple(best_chain(norm, hits, end))


# --------------------------------------------------------------------------------------------------------
# Fuzzy labels

FUZZY_ACCEPT = 72.0
"""Similarity (0-100, ordinal evidence included) a piece of text needs to be taken for a missing row's label."""
FUZZY_CLOSE = 8.0
"""Another row scoring within this of the best makes the piece ambiguous (flagged)."""
FUZZY_REACH = 400
FUZZY_GAP_PER_ROW = 1200
"""Longest stretch of text per missing row (plus one for the row before) the fuzzy pass searches."""
MAX_PIECES = 300
"""How far before the first found label (or after the last) a missing first (last) row's label is sought."""

_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ORDINAL = re.compile(
    r"^[ ]*(?:\(?[ ]*(?P<cn>[一二三四五六七八九十])[ ]*(?:\)|[、.,])|\(?(?P<ar>\d{1,2})[ ]*(?:\)|[.、,]))[ ]*"
)
_PIECE = re.compile(r"(?:\d{1,2}[.、,])?[^\d\t|\n ]+")
"""A run of text that may be (part of) a label: no digits, cells or spaces, an Arabic ordinal allowed in
front (`pieces` joins runs parted by whitespace only, and offers the run without its ordinal as well)."""
_ARABIC_ORDINAL = re.compile(r"\d{1,2}[.、,]")
_STRIP = re.compile(r"[\s\"'()（）、.,，:：;；“”/]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _ordinal_number(text: str) -> tuple[int | None, str]:
    m = _ORDINAL.match(text)
    if not m:
        return None, text
    number = _CN_NUM[m.group("cn")] if m.group("cn") else int(m.group("ar"))
    return number, text[m.end() :]


def _key(text: str) -> str:
    return _STRIP.sub("", fold(text))


@dataclass(frozen=True, slots=True)
class _Target:
    ordinal: int | None
    bodies: tuple[str, ...]
    arabic: bool = False
    """The form prints the row's ordinal in Arabic digits (1.属于国家秘密); only then may a piece's leading
    digits be its ordinal rather than the row before's last value."""


@cache
def _column_words() -> frozenset[str]:
    return frozenset(
        _key(f) for t in formbook().tables.values() for c in t.columns.values() for f in (c.label, *c.match)
    )


@cache
def row_bodies(table: str) -> frozenset[str]:
    """Every label body a row of `table` may be printed with (a piece equal to one is never a form word)."""
    return frozenset(b for target in _targets(table).values() for b in target.bodies)


@cache
def _targets(table: str) -> dict[str, _Target]:
    out: dict[str, _Target] = {}
    for row, d in formbook().table(table).rows.items():
        bodies: set[str] = set()
        ordinal = None
        arabic = _ARABIC_ORDINAL.match(fold(d.label)) is not None
        for label in (d.label, d.label_2021):
            if label:
                number, body = _ordinal_number(fold(label))
                ordinal = ordinal if number is None else number
                bodies.add(_key(body))
                short = re.sub(
                    r"\([^()]*\)$", "", fold(body)
                )  # (区分处理的，只计这一情形…) is often left out
                bodies.add(_key(short))
        # Fragments' words too ((七)合计 → 合计), unless they are a column name (其他, 总计) not the row's own.
        for fragment in d.match:
            body = _key(_ordinal_number(fold(fragment))[1])
            if len(body) >= 2 and (body in bodies or body not in _column_words()):
                bodies.add(body)
        out[row] = _Target(ordinal, tuple(sorted(b for b in bodies if b)), arabic)
    return out


@cache
def _form_words() -> frozenset[str]:
    """Keys of every form text that is not a row label: group labels, column names, section labels,
    headings, header words. A piece equal to one of these is explained."""
    words: set[str] = {
        "信息内容",
        "申请人情况",
        "法人或其他组织",
        "法人或其它组织",
        "行政诉讼",
        "本列数据的勾稽关系为",
    }
    book = formbook()
    for table in book.tables.values():
        words.add(_key(table.title))
        for column in table.columns.values():
            words.add(_key(column.label))
            if column.label_2021:
                words.add(_key(column.label_2021))
            words |= {_key(f) for f in column.match}
            if column.group:
                words.add(_key(column.group))
        for row in table.rows.values():
            if row.group:
                words.add(_key(row.group))
                words.add(_key(_ordinal_number(fold(row.group))[1]))
        for group in table.groups:
            words.add(_key(group.label))
            words.add(_key(_ordinal_number(fold(group.label))[1]))
        for variant in table.variants.values():
            for section in variant.sections:
                words.add(_key(section.label))
    words |= {_key(f"{n}{suffix}") for n in "二三四" for suffix in ("表", "(表)")}
    return frozenset(w for w in words if w)


_TABLE_TAG = re.compile(r"^(?:表[二三四]|[二三四][、.].*表[二三四])$")


def is_form_word(text: str) -> bool:
    key = _key(text)
    if not key or not _CJK.search(key):
        return True  # punctuation, bullets, markup
    key = key.strip("*#-=_+")
    return key in _form_words() or _TABLE_TAG.match(key) is not None


@dataclass(frozen=True, slots=True)
class Piece:
    start: int
    end: int
    text: str


def pieces(norm: str, start: int, end: int, table: str = "") -> list[Piece]:
    """Candidate label texts in norm[start:end]: runs of text, and up to three runs joined when only
    whitespace parts them (a label wrapped over lines or spaced out); form words are left out unless a row of `table` is printed so (总计, 其他)."""
    runs = [Piece(m.start(), m.end(), m.group()) for m in _PIECE.finditer(norm, start, end)]
    bodies = row_bodies(table) if table else frozenset()
    runs = [r for r in runs if not is_form_word(r.text) or _key(_ordinal_number(fold(r.text))[1]) in bodies]
    out = list(runs)
    for r in runs:
        ordinal = _ARABIC_ORDINAL.match(r.text)
        if ordinal:
            out.append(Piece(r.start + ordinal.end(), r.end, r.text[ordinal.end() :]))
    for i in range(len(runs)):
        joined = runs[i]
        for j in range(i + 1, min(i + 3, len(runs))):
            between = norm[joined.end : runs[j].start]
            if between.strip(" \n") or between.count("\n") > 2:
                break
            joined = Piece(joined.start, runs[j].end, joined.text + runs[j].text)
            out.append(joined)
    return out


def similarity(text: str, table: str, row: str) -> float:
    """How much `text` looks like `row`'s label (0-100): rapidfuzz ratio of the label's body (ordinal,
    brackets, punctuation and spaces removed), plus or minus the printed ordinal's evidence."""
    target = _targets(table)[row]
    if not target.arabic and _ARABIC_ORDINAL.match(text):
        return 0.0  # leading digits are the row before's value (`pieces` offers the run without them)
    number, body = _ordinal_number(fold(text))
    key = _key(body)
    if len(_CJK.findall(key)) < 2:
        return 0.0
    best = 0.0
    for candidate in target.bodies:
        if not 0.5 <= len(key) / len(candidate) <= 1.6:
            continue
        best = max(best, fuzz.ratio(key, candidate))
    if best == 0.0:
        return 0.0
    if number is not None and target.ordinal is not None:
        best += 10.0 if number == target.ordinal else -15.0
    return best


@dataclass(frozen=True, slots=True)
class FuzzyHit:
    row: str
    start: int
    end: int
    score: float
    ambiguous: bool
    """Another missing row could claim the same text about as well."""


def fuzzy_labels(norm: str, table: str, rows: list[str], start: int, end: int) -> list[FuzzyHit]:
    """Labels of the missing `rows` (in form order) in norm[start:end], in order: the best monotone
    assignment of text pieces to rows, each pair scoring at least FUZZY_ACCEPT."""
    if not rows or end <= start or end - start > FUZZY_GAP_PER_ROW * (len(rows) + 1):
        return []  # a stretch far longer than the missing rows could fill is not table text
    cands = pieces(norm, start, end, table)[:MAX_PIECES]
    if not cands:
        return []
    cands.sort(key=lambda c: (c.start, c.end))
    scores = [[similarity(c.text, table, row) for c in cands] for row in rows]
    likely = [[k for k in range(len(cands)) if scores[i][k] >= FUZZY_ACCEPT] for i in range(len(rows))]

    @cache
    def best(i: int, pos: int) -> tuple[float, tuple[tuple[int, int], ...]]:
        if i == len(rows):
            return 0.0, ()
        top = best(i + 1, pos)
        for k in likely[i]:
            if cands[k].start < pos:
                continue
            value, picks = best(i + 1, cands[k].end)
            if value + scores[i][k] > top[0]:
                top = (value + scores[i][k], ((i, k), *picks))
        return top

    out: list[FuzzyHit] = []
    for i, k in best(0, start)[1]:
        # Any other row of the table (found or not) that could claim the same text makes it ambiguous.
        rivals = [similarity(cands[k].text, table, r) for r in row_order(table) if r != rows[i]]
        ambiguous = any(s >= FUZZY_ACCEPT and s >= scores[i][k] - FUZZY_CLOSE for s in rivals)
        out.append(FuzzyHit(rows[i], cands[k].start, cands[k].end, scores[i][k], ambiguous))
    return out


def explained_gap(norm: str, start: int, end: int) -> bool:
    """Whether norm[start:end] holds no text but form words (header words, group labels)."""
    return all(is_form_word(m.group()) for m in _PIECE.finditer(norm, start, end))
