"""Figures stated in the prose (共收到申请N件, 结转N件, 行政复议N件 ...) mapped to table cells.

Only sentences that map to one cell with confidence produce a figure; anything else produces nothing, so the
narrative check never raises a false alarm. Whitespace (spaces, line breaks of PDF text) is ignored inside a
phrase; numbers are Arabic (full- or half-width, 3,119) or Chinese (三, 十二, 一百零五). Mapped keys:

- 受理/收到/接收/新收 [共] [公民、法人和其他组织提出的] [政府信息公开|依] 申请 [公开] [数量为] N 件,
  收到 N 件申请, 共收到和处理…申请共 N 条, 办理…申请 N 件（含上年结转…） -> t3.new.total
  (the words between the verb and the number must be from that short list: 受理行政许可申请 N 件 gives nothing)
- (含)上年度/上一年度/<year-1>年度 结转申请 N 件 -> t3.carried_in.total
- N 件…顺延到下年度, 结转下年度…N 件, 延期至<year+1>年答复的 N 件 -> t3.carried_out.total
- 行政复议 N 件 -> t4.review.total
- 行政诉讼 N 件 -> t4.litigation.total, a synthetic key: the rule compares it with
  t4.direct.total + t4.after_review.total (gikai_desk.rules.SYNTHETIC_SUMS)
- 行政复议和行政诉讼各 N 件 -> both; 未发生/没有发生/全年无 (因政府信息公开引起的) 行政复议、行政诉讼 -> 0 for
  each one named, only when the phrase ends there (未发生行政复议被纠错的情况 gives nothing)
- 未经复议直接起诉 N 件 -> t4.direct.total; 复议后起诉 N 件 -> t4.after_review.total

A bare 收到申请 N 件 (no 信息公开/依申请 word) counts unless this sentence or the one before is about services
(政务服务中心受理申请 N 件, 审批, 许可 …).

Skipped: parts (其中…, 本级, 各县区, 分别, channels such as 网上/信函 unless followed by 等), comparisons (较上年,
同比, 增加), other periods (以来, 至今, 历年, 近三年, 截至…累计), sentences about another year (the nearest year
named before the phrase in the same sentence is not the report's year, or 去年/上年 opens the clause), a sum of
复议 and 诉讼 (行政复议和行政诉讼共 N 件), and an organ's own case work (受理/办理/审理/代理行政复议… in the
clause, or followed by 其中涉及政府信息公开的 N 件).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from gikai_desk.model import NarrativeFigure

LITIGATION_TOTAL_KEY = "t4.litigation.total"
REVIEW_TOTAL_KEY = "t4.review.total"

_CHINESE_NUMERAL = "〇零一二两三四五六七八九十百千"
_NUM = (
    r"(?:(?<![\d.,])(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?![\d.])"
    rf"|(?<![{_CHINESE_NUMERAL}万])(?P<cn>[{_CHINESE_NUMERAL}]+))"
)
_UNIT = r"(?:件|条|宗|个|例|起|份|项)"
_GAP = r"[^。；;！？!?，,、\d]"
"""Characters allowed between the words of one phrase (no clause break, no other number)."""

_NEW_VERB = r"(?:受理|收到|接收|接到|新收|收悉)"
_DISCLOSURE = r"(?:政府信息公开|政务信息公开|政务公开|信息公开|政府公开信息|依申请公开)"
_REQUESTER = r"(?:公民、?法人(?:和|或|及|或者)?其他组织|社会公众|群众|申请人|社会各界)"
_NEW_MID = (
    r"(?:共计|总共|共|累计|合计|总计)?"
    rf"(?:{_REQUESTER}(?:提出|提交|递交)?的?)?"
    r"(?:(?:并|和|及)(?:处理|办理|办结|答复)了?)?"
    rf"(?:各类(?={_DISCLOSURE}))?(?P<noun>{_DISCLOSURE}|依)?的?"
)
"""Words allowed between the verb and 申请: 受理行政许可申请 N 件 or 受理低保申请 N 件 give nothing."""
_NEW_MID2 = r"(?P<noun2>公开)?(?:政府信息)?[书表]?(?:事项|案件|件数|总数|数量|总量)?(?:共计|共|合计|总计|计)?(?:为|达到|达)?"
_CARRY_IN_WORDS = r"(?:上一?年度?|(?P<previous>(?:19|20)\d{2})年度?)结转"
_CARRY_OUT_WORDS = r"(?:结转|顺延|转入|转至|延至|延期)(?:到|至)?(?:下一?年度?|(?P<next>(?:19|20)\d{2})年度?)"
_CARRY_OUT_LOOKBACK = 40
_CONJUNCTION = "和及与、或"


@dataclass(frozen=True)
class _Pattern:
    key: str
    regex: re.Pattern[str]
    part_words: re.Pattern[str] | None = None
    """Skip when the sentence so far (or the words inside the phrase) names a part (其中, 本级, 网上 …)."""
    needles: tuple[str, ...] = ()
    """Literal words one of which the prose must contain for the pattern to be tried (a fast pre-filter)."""
    anchor: re.Pattern[str] | None = None
    """For a pattern that opens with the number: the words it ends with; it is tried only just before them."""
    not_after: str = ""
    """Skip when the phrase follows this word and a conjunction (行政复议和行政诉讼共 N 件 is a sum)."""


_CHANNELS = r"网上|网络|信函|当面|传真|邮件|邮寄|窗口|来信|来访|电话"
_ORGAN_PARTS = r"本级|各县|县区|县（市|县\(市|各乡镇|各街道|市直|区直|县直|直属|下属|所属"
_ALL_PARTS = re.compile(rf"其中|分别|{_ORGAN_PARTS}|(?:{_CHANNELS})(?!.*等)")
_ORGAN_OR_CHANNEL_PARTS = re.compile(rf"{_ORGAN_PARTS}|(?:{_CHANNELS})(?!.*等)")

_PATTERNS: tuple[_Pattern, ...] = (
    _Pattern(
        "t3.new.total",
        re.compile(rf"{_NEW_VERB}(?P<mid>{_NEW_MID})申请(?!人)(?P<mid2>{_NEW_MID2}){_NUM}{_UNIT}"),
        part_words=_ALL_PARTS,
        needles=("受理", "收到", "接收", "接到", "新收", "收悉"),
    ),
    _Pattern(
        "t3.new.total",
        re.compile(
            rf"{_NEW_VERB}(?P<mid>(?:共计|共)?){_NUM}{_UNIT}(?P<noun>{_DISCLOSURE})?的?"
            r"申请(?!人)"
        ),
        part_words=_ALL_PARTS,
        needles=("受理", "收到", "接收", "接到", "新收"),
    ),
    _Pattern(
        "t3.new.total",
        re.compile(
            rf"(?:办理|处理)(?P<mid>{_NEW_MID})申请(?!人)(?P<mid2>{_NEW_MID2}){_NUM}{_UNIT}"
            rf"(?=[（(]含{_CARRY_IN_WORDS})"
        ),
        part_words=_ALL_PARTS,
        needles=("办理", "处理"),
    ),
    _Pattern(
        "t3.carried_in.total",
        re.compile(rf"{_CARRY_IN_WORDS}(?P<mid>{_GAP}{{0,12}}?){_NUM}{_UNIT}"),
        part_words=_ORGAN_OR_CHANNEL_PARTS,
        needles=("结转",),
    ),
    _Pattern(
        "t3.carried_out.total",
        re.compile(rf"{_CARRY_OUT_WORDS}(?P<mid>{_GAP}{{0,14}}?){_NUM}{_UNIT}"),
        part_words=_ORGAN_OR_CHANNEL_PARTS,
        needles=("下年", "下一年", "年答复", "年办理", "年度"),
    ),
    _Pattern(
        "t3.carried_out.total",
        re.compile(rf"{_NUM}{_UNIT}(?P<mid>{_GAP}{{0,20}}?){_CARRY_OUT_WORDS}"),
        part_words=_ORGAN_OR_CHANNEL_PARTS,
        needles=("下年", "下一年", "年答复", "年办理", "年度"),
        anchor=re.compile(_CARRY_OUT_WORDS),
    ),
    _Pattern(
        REVIEW_TOTAL_KEY,
        re.compile(
            rf"行政复议(?<!经行政复议)(?P<mid>(?:申请|案件|立案|案)?(?:共计|共|合计|总计|总数)?){_NUM}{_UNIT}"
        ),
        part_words=_ALL_PARTS,
        needles=("行政复议",),
        not_after="行政诉讼",
    ),
    _Pattern(
        LITIGATION_TOTAL_KEY,
        re.compile(rf"行政诉讼(?P<mid>(?:案件|立案|案)?(?:共计|共|合计|总计|总数)?){_NUM}{_UNIT}"),
        part_words=_ALL_PARTS,
        needles=("行政诉讼",),
        not_after="行政复议",
    ),
    _Pattern(
        "t4.direct.total",
        re.compile(
            rf"未经(?:行政)?复议直接(?:提起)?(?:行政)?(?:起诉|诉讼)(?P<mid>(?:案件)?(?:共)?){_NUM}{_UNIT}"
        ),
        needles=("起诉", "诉讼"),
    ),
    _Pattern(
        "t4.after_review.total",
        re.compile(
            rf"复议后(?<!未经复议后)(?:提起)?(?:行政)?(?:起诉|诉讼)(?P<mid>(?:案件)?(?:共)?){_NUM}{_UNIT}"
        ),
        needles=("起诉", "诉讼"),
    ),
)

_BOTH_EACH = re.compile(
    rf"(?P<first>行政复议|行政诉讼)[{_CONJUNCTION}](?:被?(?:申请|提起))?(?P<second>行政复议|行政诉讼)"
    rf"(?:案件|案)?(?:数量|数)?(?:各|均为|均是|都是){_NUM}(?:{_UNIT}|(?=[。；;！？!?，,）)]|$))"
)
_NONE_HAPPENED = re.compile(
    r"(?P<neg>未发生|未出现|没有发生|没有出现|未产生|未收到|没有收到|未有|(?:未|没有)(?=因)"
    r"|(?:全年|本年度|本年|年内|均|也|并|暂)?无(?!法|需|论|偿|效|正当))"
    r"(?P<gap>[^\d。；;！？!?，,]{0,20}?)"
    r"(?P<first>被?(?:申请|提起)?(?:行政复议|行政诉讼))"
    rf"(?:(?:以及|[{_CONJUNCTION}])(?P<second>被?(?:申请|提起)?(?:行政复议|行政诉讼)))?"
    r"等?(?:案件|案|事项)?(?:的)?(?:情况|情形)?(?=[。；;！？!?，,]|$)"
)
_JOINT_NEEDLES = ((_BOTH_EACH, ("各", "均", "都是")), (_NONE_HAPPENED, ("未", "无", "没有")))
_NONE_HAPPENED_BAD_GAP = re.compile(r"复议|诉讼|败|纠错|纠正|撤销|违法|被诉|确认")

_EXCLUDED_INSIDE = {
    "t3.carried_in.total": re.compile(r"较|比|同比|增加|减少"),
    "t3.carried_out.total": re.compile(r"较|比|同比|增加|减少|上一?年"),
}
_KEYWORDS = re.compile(r"申请|结转|顺延|延期|延至|转入|转至|下一?年|复议|诉讼")
_WINDOW_REACH = 48
"""Farthest a phrase reaches from its keyword (the verb before 申请, the number after 复议 …), with a margin."""
_OTHER_YEAR_WORDS = re.compile(r"去年|上一?年(?!度?结转)|前年|上年同期")
_OTHER_PERIOD_WORDS = re.compile(r"以来|至今|历年|近[两二三四五六七八九十\d]+年|近年")
_CUMULATIVE = re.compile(r"(?:截至|截止|截到).*累计|累计.*(?:截至|截止)")
_REVIEW_HANDLER = re.compile(r"受理|办理|审理|审结|收到|接到|办结|代理")
_SERVICE_WORDS = re.compile(r"政务服务|服务中心|审批|许可|办件|12345|热线|信访|低保|补贴|救助")
_SUPERSET_AFTER = re.compile(r"其中[^。；;]*(?:信息公开|依申请)")
_YEAR_MENTION = re.compile(r"(?<!\d)((?:19|20)\d{2})年")
_SENTENCE_BREAK = re.compile(r"[。；;！？!?\n]")
_CLAUSE_BREAK = re.compile(r"[。；;！？!?，,\n]")
_WHITESPACE = re.compile(r"\s+")
_AFTER_CHINESE_COUNT = frozenset("。；;！？!?，,、（(）)的均已全和及另其")
"""What may follow a count in Chinese numerals (三件，两起。); anything else makes it a word (一起研究)."""
_CHINESE_VALUES = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}
_CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int | None:
    """Value of a Chinese numeral up to 9999 (三, 十二, 二十五, 一百零五, 两千); None when malformed."""
    if len(text) > 1 and not any(c in _CHINESE_UNITS for c in text):
        return None  # 一二 is a list, not a number
    total = 0
    digit: int | None = None
    last_unit = 10_000
    for char in text:
        if char in _CHINESE_UNITS:
            unit = _CHINESE_UNITS[char]
            if unit >= last_unit:
                return None
            total += (1 if digit is None else digit) * unit
            digit = None
            last_unit = unit
        elif _CHINESE_VALUES[char] == 0:
            if digit is not None:
                return None  # 一零
        elif digit is not None:
            return None  # 三五: a range or a list
        else:
            digit = _CHINESE_VALUES[char]
    return total + (digit or 0)


class _Compact:
    """Prose with every whitespace run removed, and a map back to offsets in the original text."""

    def __init__(self, text: str, start: int, end: int) -> None:
        # str.split() and the regex \s agree on whitespace (both str.isspace); the offset map is extended only
        # as far as the figures found need it (most prose ranges hold none, and figures come early).
        self.text = "".join(text[start:end].split())
        self._runs = _WHITESPACE.finditer(text, start, end)
        self._original_starts = [start]
        self._compact_starts = [0]
        self._exhausted = False

    def _extend_past(self, offset: int) -> None:
        original_starts, compact_starts = self._original_starts, self._compact_starts
        while not self._exhausted and compact_starts[-1] <= offset:
            run = next(self._runs, None)
            if run is None:
                self._exhausted = True
                break
            compact_starts.append(compact_starts[-1] + run.start() - original_starts[-1])
            original_starts.append(run.end())

    def original(self, offset: int) -> int:
        """Original offset of the character at compact `offset`."""
        self._extend_past(offset)
        index = bisect_right(self._compact_starts, offset) - 1
        return self._original_starts[index] + offset - self._compact_starts[index]

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


def _sentence_end(text: str, after: int) -> int:
    match = _SENTENCE_BREAK.search(text, after)
    return len(text) if match is None else match.start()


def _about_other_year(sentence_prefix: str, clause_prefix: str, year: int | None) -> bool:
    if _OTHER_YEAR_WORDS.search(clause_prefix):
        return True
    if year is None:
        return False
    years = _YEAR_MENTION.findall(sentence_prefix)
    return bool(years) and int(years[-1]) != year


def _other_period(sentence_prefix: str) -> bool:
    return bool(_OTHER_PERIOD_WORDS.search(sentence_prefix) or _CUMULATIVE.search(sentence_prefix))


def _value(match: re.Match[str]) -> int | None:
    number = match.group("num")
    if number is not None:
        return int(number.replace(",", ""))
    text, start, end = match.string, match.start("cn"), match.end("cn")
    if text[end : end + 1] == "个" or text[start - 1 : start] == "第":
        return None  # 一个, 第三件: words, not counts
    if match.end() < len(text) and text[match.end()] not in _AFTER_CHINESE_COUNT:
        return None  # 一起研究, 一条龙: a word that starts with a numeral
    return chinese_number(match.group("cn"))


def _years_agree(match: re.Match[str], year: int | None) -> bool:
    """A year named inside the phrase (2020年度结转, 延期至2022年) must be the one before / after the report's."""
    groups = match.groupdict()
    previous, following = groups.get("previous"), groups.get("next")
    if previous is not None and (year is None or int(previous) != year - 1):
        return False
    return following is None or (year is not None and int(following) == year + 1)


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
        if "申请" not in compact.text and "行政" not in compact.text and "结转" not in compact.text:
            continue
        figures.extend(_figures_in(text, compact, year))
    figures.sort(key=lambda f: f.span)
    return figures


def _windows(prose: str) -> list[tuple[int, int]]:
    """Stretches of the prose around the words every phrase contains (申请, 结转, 复议 …), merged.

    Every phrase lies within _WINDOW_REACH characters of one of its words, so the patterns need not scan the
    rest of the prose (most of it, in a report)."""
    windows: list[tuple[int, int]] = []
    length = len(prose)
    for word in _KEYWORDS.finditer(prose):
        start, end = max(0, word.start() - _WINDOW_REACH), min(length, word.end() + _WINDOW_REACH)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def _has_any(prose: str, needles: tuple[str, ...], start: int, end: int) -> bool:
    return any(prose.find(needle, start, end) >= 0 for needle in needles)


def _matches(pattern: _Pattern, prose: str, windows: list[tuple[int, int]]) -> Iterator[re.Match[str]]:
    needles = pattern.needles
    if needles and not any(needle in prose for needle in needles):
        return
    for window_start, window_end in windows:
        if needles and not _has_any(prose, needles, window_start, window_end):
            continue
        if pattern.anchor is None:
            yield from pattern.regex.finditer(prose, window_start, window_end)
            continue
        end = window_start
        for anchor in pattern.anchor.finditer(prose, window_start, window_end):
            match = pattern.regex.search(prose, max(end, anchor.start() - _CARRY_OUT_LOOKBACK), anchor.end())
            if match is not None:
                end = match.end()
                yield match


class _Context:
    """Where a match sits: the sentence and clause before it (within the prose), and the rest of its sentence."""

    def __init__(self, prose: str, match: re.Match[str]) -> None:
        start = match.start()
        self.sentence_prefix = prose[_last_break(_SENTENCE_BREAK, prose, start) : start]
        self.clause_prefix = prose[_last_break(_CLAUSE_BREAK, prose, start) : start]
        self.sentence_rest = prose[match.end() : _sentence_end(prose, match.end())]


def _figures_in(text: str, compact: _Compact, year: int | None) -> list[NarrativeFigure]:
    prose = compact.text
    found: list[NarrativeFigure] = []
    taken: list[tuple[int, int]] = []

    def add(key: str, value: int, match: re.Match[str]) -> None:
        span = (compact.original(match.start()), compact.original_end(match.end()))
        found.append(NarrativeFigure(key=key, value=value, span=span, text=text[span[0] : span[1]]))

    def free(match: re.Match[str]) -> bool:
        return not any(match.start() < end and start < match.end() for start, end in taken)

    windows = _windows(prose)
    for match in _joint_matches(prose, windows, year):
        taken.append((match.start(), match.end()))
        value = 0 if match.re is _NONE_HAPPENED else _value(match)
        if value is None:
            continue
        for name in ("first", "second"):
            if match.group(name) is not None:
                add(REVIEW_TOTAL_KEY if "复议" in match.group(name) else LITIGATION_TOTAL_KEY, value, match)
    for pattern in _PATTERNS:
        excluded = _EXCLUDED_INSIDE.get(pattern.key)
        for match in _matches(pattern, prose, windows):
            groups = match.groupdict()
            inside = (groups.get("mid") or "") + (groups.get("mid2") or "")
            if excluded is not None and excluded.search(inside):
                continue
            if pattern.not_after and _follows_conjunction(prose, match.start(), pattern.not_after):
                continue
            context = _Context(prose, match)
            if pattern.part_words is not None and pattern.part_words.search(context.sentence_prefix + inside):
                continue
            if _about_other_year(context.sentence_prefix, context.clause_prefix, year):
                continue
            if _other_period(context.sentence_prefix) or not _years_agree(match, year):
                continue
            if pattern.key in (REVIEW_TOTAL_KEY, LITIGATION_TOTAL_KEY) and _organ_handles_cases(context):
                continue
            if pattern.key == "t3.new.total" and not _about_disclosure(prose, match, context, inside):
                continue
            value = _value(match)
            if value is None or not free(match):
                continue
            taken.append((match.start(), match.end()))
            add(pattern.key, value, match)
    return found


def _joint_matches(prose: str, windows: list[tuple[int, int]], year: int | None) -> Iterator[re.Match[str]]:
    """行政复议和行政诉讼各 N 件 and 未发生…行政复议、行政诉讼 (0 each), with the usual context checks."""
    if "复议" not in prose and "诉讼" not in prose:
        return
    for regex, needles, (window_start, window_end) in (
        (regex, needles, window) for regex, needles in _JOINT_NEEDLES for window in windows
    ):
        if not _has_any(prose, needles, window_start, window_end):
            continue
        for match in regex.finditer(prose, window_start, window_end):
            if match.group("first") == match.group("second"):
                continue
            if regex is _NONE_HAPPENED:
                if _NONE_HAPPENED_BAD_GAP.search(match.group("gap")):
                    continue
                if match.group("neg").endswith("无") and not _opens_clause(prose, match.start()):
                    continue  # 无 inside a word or a longer phrase
            context = _Context(prose, match)
            if _ALL_PARTS.search(context.sentence_prefix):
                continue
            if _about_other_year(context.sentence_prefix, context.clause_prefix, year):
                continue
            if _other_period(context.sentence_prefix):
                continue
            yield match


def _opens_clause(prose: str, position: int) -> bool:
    return position == 0 or prose[position - 1] in "。；;！？!?，,：:）)"


def _follows_conjunction(prose: str, start: int, word: str) -> bool:
    """True for 行政复议和|行政诉讼 …: the phrase is the second half of a pair (a sum, or 各 N 件)."""
    before = prose[max(0, start - len(word) - 3) : start]
    return bool(re.search(rf"{word}(?:案件)?[{_CONJUNCTION}](?:被?(?:申请|提起))?$", before))


def _organ_handles_cases(context: _Context) -> bool:
    """受理/办理行政复议… or …其中涉及政府信息公开…: the organ's own review (or litigation) work, not cases
    against it over disclosure."""
    return bool(
        _REVIEW_HANDLER.search(context.clause_prefix) or _SUPERSET_AFTER.search(context.sentence_rest)
    )


def _about_disclosure(prose: str, match: re.Match[str], context: _Context, inside: str) -> bool:
    """收到政府信息公开申请 names its object; a bare 收到申请 counts unless this sentence or the one before is
    about services (政务服务中心受理申请 N 件, 审批, 许可 …)."""
    groups = match.groupdict()
    if groups.get("noun") or groups.get("noun2"):
        return True
    sentence_start = match.start() - len(context.sentence_prefix)
    previous_start = _last_break(_SENTENCE_BREAK, prose, max(0, sentence_start - 1))
    before = prose[previous_start : match.start()]
    return not _SERVICE_WORDS.search(before + inside + context.sentence_rest)


__all__ = ["LITIGATION_TOTAL_KEY", "REVIEW_TOTAL_KEY", "chinese_number", "read_narrative"]
