"""Figures stated in the prose (共收到申请N件, 结转N件, 行政复议N件 ...) mapped to table cells.

Only sentences that map to one cell with confidence produce a figure; anything else produces nothing, so the
narrative check never raises a false alarm. Whitespace (spaces, line breaks of PDF text) is ignored inside a
phrase. Mapped keys:

- 受理/收到/接收/新收…申请 N 件, 收到 N 件申请 (also 共收到和处理…申请 N 件/条) -> t3.new.total
- (含)上年度结转申请 N 件 -> t3.carried_in.total
- N 件…顺延到下年度, 结转下年度…N 件 -> t3.carried_out.total
- 行政复议 N 件 -> t4.review.total
- 行政诉讼 N 件 -> t4.litigation.total, a synthetic key: the rule compares it with
  t4.direct.total + t4.after_review.total (gikai_desk.rules.SYNTHETIC_SUMS)
- 未经复议直接起诉 N 件 -> t4.direct.total; 复议后起诉 N 件 -> t4.after_review.total

Skipped: parts (其中…, 本级, 分别, channels such as 网上/信函), comparisons (较上年, 同比, 增加), and sentences
about another year (the nearest year named before the phrase in the same sentence is not the report's year, or
去年/上年 opens the clause).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate

from gikai_desk.model import NarrativeFigure

LITIGATION_TOTAL_KEY = "t4.litigation.total"

_NUM = r"(?<![\d.,])(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?![\d.])"
_UNIT = r"(?:件|条|宗|个|例|起|份)"
_GAP = r"[^。；;！？!?，,、\d]"
"""Characters allowed between the words of one phrase (no clause break, no other number)."""


@dataclass(frozen=True)
class _Pattern:
    key: str
    regex: re.Pattern[str]
    part_sensitive: bool = True
    """Skip when the sentence so far says it is a part (其中, 本级, 分别 …)."""
    needles: tuple[str, ...] = ()
    """Literal words one of which the prose must contain for the pattern to be tried (a fast pre-filter)."""
    anchor: re.Pattern[str] | None = None
    """For a pattern that opens with the number: the words it ends with; it is tried only just before them."""


_NEW_NEEDLES = ("受理", "收到", "接收", "接到", "新收", "收悉")
_CARRY_OUT_WORDS = r"(?:结转|顺延|转入|延至)(?:到|至)?下一?年度?"
_CARRY_OUT_LOOKBACK = 40

_PATTERNS: tuple[_Pattern, ...] = (
    _Pattern(
        "t3.new.total",
        re.compile(
            rf"(?:受理|收到|接收|接到|新收|收悉)(?P<mid>{_GAP}{{0,25}}?)(?<!被)申请(?!人)(?P<mid2>{_GAP}{{0,12}}?)"
            rf"{_NUM}{_UNIT}"
        ),
        needles=_NEW_NEEDLES,
    ),
    _Pattern(
        "t3.new.total",
        re.compile(
            rf"(?:受理|收到|接收|接到|新收)(?P<mid>(?:共|各类)?){_NUM}{_UNIT}(?:政府信息公开|信息公开|依申请公开)?"
            r"申请(?!人)"
        ),
        needles=_NEW_NEEDLES,
    ),
    _Pattern(
        "t3.carried_in.total",
        re.compile(rf"上一?年度?结转(?P<mid>{_GAP}{{0,12}}?){_NUM}{_UNIT}"),
        needles=("结转",),
    ),
    _Pattern(
        "t3.carried_out.total",
        re.compile(rf"{_CARRY_OUT_WORDS}(?P<mid>{_GAP}{{0,14}}?){_NUM}{_UNIT}"),
        needles=("下年", "下一年"),
    ),
    _Pattern(
        "t3.carried_out.total",
        re.compile(rf"{_NUM}{_UNIT}(?P<mid>{_GAP}{{0,20}}?){_CARRY_OUT_WORDS}"),
        needles=("下年", "下一年"),
        anchor=re.compile(_CARRY_OUT_WORDS),
    ),
    _Pattern(
        "t4.review.total",
        re.compile(
            rf"行政复议(?<!经行政复议)(?P<mid>(?:申请|案件|立案|案)?(?:共|合计|总计|总数)?){_NUM}{_UNIT}"
        ),
        needles=("行政复议",),
    ),
    _Pattern(
        LITIGATION_TOTAL_KEY,
        re.compile(rf"行政诉讼(?P<mid>(?:案件|立案|案)?(?:共|合计|总计|总数)?){_NUM}{_UNIT}"),
        needles=("行政诉讼",),
    ),
    _Pattern(
        "t4.direct.total",
        re.compile(
            rf"未经(?:行政)?复议直接(?:提起)?(?:行政)?(?:起诉|诉讼)(?P<mid>(?:案件)?(?:共)?){_NUM}{_UNIT}"
        ),
        part_sensitive=False,
        needles=("起诉", "诉讼"),
    ),
    _Pattern(
        "t4.after_review.total",
        re.compile(
            rf"复议后(?<!未经复议后)(?:提起)?(?:行政)?(?:起诉|诉讼)(?P<mid>(?:案件)?(?:共)?){_NUM}{_UNIT}"
        ),
        part_sensitive=False,
        needles=("起诉", "诉讼"),
    ),
)

_EXCLUDED_INSIDE = {
    "t3.new.total": re.compile(r"结转|复议|诉讼|答复|办结|较|比|同比|增加|减少|增长|下降|上升|占|平均|人次"),
    "t3.carried_in.total": re.compile(r"较|比|同比|增加|减少"),
    "t3.carried_out.total": re.compile(r"较|比|同比|增加|减少|上一?年"),
}
_PART_WORDS = re.compile(r"其中|本级|分别|网上|网络|信函|当面|传真|邮件|邮寄|窗口|来信|来访|电话")
_OTHER_YEAR_WORDS = re.compile(r"去年|上一?年(?!度?结转)|前年|上年同期")
_YEAR_MENTION = re.compile(r"(?<!\d)((?:19|20)\d{2})年")
_SENTENCE_BREAK = re.compile(r"[。；;！？!?\n]")
_CLAUSE_BREAK = re.compile(r"[。；;！？!?，,\n]")
_NON_WHITESPACE = re.compile(r"\S+")


class _Compact:
    """Prose with every whitespace run removed, and a map back to offsets in the original text."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self._source = text
        self._range = (start, end)
        # str.split() and the regex \s agree on whitespace (both str.isspace); the offset map is built only
        # when a figure is found (most prose ranges hold none).
        self.text = "".join(text[start:end].split())
        self._map: tuple[list[int], list[int]] | None = None

    def _offsets(self) -> tuple[list[int], list[int]]:
        if self._map is None:
            chunks = list(_NON_WHITESPACE.finditer(self._source, *self._range))
            original_starts = [chunk.start() for chunk in chunks]
            lengths = [chunk.end() - chunk.start() for chunk in chunks]
            compact_starts = list(accumulate(lengths, initial=0))[:-1]
            self._map = (original_starts, compact_starts)
        return self._map

    def original(self, offset: int) -> int:
        """Original offset of the character at compact `offset`."""
        original_starts, compact_starts = self._offsets()
        index = bisect_right(compact_starts, offset) - 1
        return original_starts[index] + offset - compact_starts[index]

    def original_end(self, offset: int) -> int:
        """Original offset just after the character at compact `offset - 1`."""
        return self.original(offset - 1) + 1


def _prose_ranges(length: int, table_spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    position = 0
    for start, end in sorted(table_spans):
        if start > position:
            ranges.append((position, start))
        position = max(position, end)
    if position < length:
        ranges.append((position, length))
    return ranges


def _last_break(pattern: re.Pattern[str], text: str, before: int) -> int:
    """Offset just after the last break (sentence or clause) before `before`, 0 when none."""
    start = 0
    for match in pattern.finditer(text, max(0, before - 300), before):
        start = match.end()
    return start


def _about_other_year(sentence_prefix: str, clause_prefix: str, year: int | None) -> bool:
    if _OTHER_YEAR_WORDS.search(clause_prefix):
        return True
    if year is None:
        return False
    years = _YEAR_MENTION.findall(sentence_prefix)
    return bool(years) and int(years[-1]) != year


def read_narrative(
    text: str, table_spans: list[tuple[int, int]], year: int | None = None
) -> list[NarrativeFigure]:
    """Figures from the prose outside `table_spans` (character ranges of the tables).

    `year` is the report's statistics year; when None it is read with read_metadata. Figures about another
    year are dropped.
    """
    if year is None:
        from gikai_desk.parse.meta import read_metadata

        year = read_metadata(text).year
    figures: list[NarrativeFigure] = []
    for start, end in _prose_ranges(len(text), table_spans):
        compact = _Compact(text, start, end)
        if "申请" not in compact.text and "行政" not in compact.text and "年度" not in compact.text:
            continue
        figures.extend(_figures_in(text, compact, year))
    figures.sort(key=lambda f: f.span)
    return figures


def _matches(pattern: _Pattern, prose: str) -> Iterator[re.Match[str]]:
    if pattern.needles and not any(needle in prose for needle in pattern.needles):
        return
    if pattern.anchor is None:
        yield from pattern.regex.finditer(prose)
        return
    end = 0
    for anchor in pattern.anchor.finditer(prose):
        match = pattern.regex.search(prose, max(end, anchor.start() - _CARRY_OUT_LOOKBACK), anchor.end())
        if match is not None:
            end = match.end()
            yield match


def _figures_in(text: str, compact: _Compact, year: int | None) -> list[NarrativeFigure]:
    prose = compact.text
    found: list[NarrativeFigure] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        excluded = _EXCLUDED_INSIDE.get(pattern.key)
        for match in _matches(pattern, prose):
            groups = match.groupdict()
            inside = (groups.get("mid") or "") + (groups.get("mid2") or "")
            if excluded is not None and excluded.search(inside):
                continue
            sentence_start = _last_break(_SENTENCE_BREAK, prose, match.start())
            clause_start = _last_break(_CLAUSE_BREAK, prose, match.start())
            sentence_prefix = prose[sentence_start : match.start()]
            clause_prefix = prose[clause_start : match.start()]
            if pattern.part_sensitive and _PART_WORDS.search(sentence_prefix + inside):
                continue
            if _about_other_year(sentence_prefix, clause_prefix, year):
                continue
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            taken.append((match.start(), match.end()))
            span = (compact.original(match.start()), compact.original_end(match.end()))
            found.append(
                NarrativeFigure(
                    key=pattern.key,
                    value=int(match.group("num").replace(",", "")),
                    span=span,
                    text=text[span[0] : span[1]],
                )
            )
    return found


__all__ = ["LITIGATION_TOTAL_KEY", "read_narrative"]
