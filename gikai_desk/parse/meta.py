"""Agency, statistics year and publication date read from a report's text (title, header lines, signature)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

HEAD_CHARS = 6000
"""Titles and header lines sit in the first few KB."""
TAIL_CHARS = 3000
"""The signature block (organ, date) sits in the last few KB."""


@dataclass(frozen=True)
class Metadata:
    agency: str | None = None
    year: int | None = None
    published: str | None = None
    """ISO yyyy-mm-dd (yyyy-mm when the day cannot be read)."""


_YEAR = r"(?:19|20)\d{2}"
_REPORT_WORDS = (
    r"(?:政府|政务)?信息公开(?:工作)?(?:年度)?(?:工作)?报告|政务公开(?:工作)?(?:年度)?报告|年度报告"
)
_TITLE = re.compile(
    rf"(?<!\d)(?P<year>{_YEAR})\s*年\s*度?(?P<between>[^\s。，,；;：:|]{{0,24}}?)"
    rf"(?:{_REPORT_WORDS})"
)
_BEFORE_TITLE_YEAR = re.compile(r"[^\s，。,；;：:|《》“”\"]*$")
_TITLE_PREFIX = re.compile(r"^\s*(?:[•·●\-*#]+\s*)?(?:标题|题目|名称)\s*[:：]\s*")
_AGENCY_LEAD = re.compile(r"^(?:现将|特将|兹将|现就|现|将|本|我|关于)+")
_ABOUT_VERB = re.compile(r"^(?:印发|公布|发布|公开|报送|编制)")
_AGENCY_TAIL = re.compile(r"(?:关于|的)+$")
_ORGAN_SUFFIX = re.compile(
    r"(?:人民政府|政府|办公室|办公厅|委员会|管理委员会|管委会|局|委|办|厅|部|署|院|中心|区|县|市|州|盟|旗|镇|乡|"
    r"街道|街道办事处|公司|所|站|队|会|处|馆|社|集团|分局|支队)$"
)
_CJK_NAME = re.compile(r"^[\u4e00-\u9fff（）()·]{2,40}$")
_FUNCTION_CHARS = set("将现的了和与在对为是由按照据及向从把被等各全本我该此其之于至以")

_PROVINCE_PREFIXES = {
    "自治区": ("内蒙古", "广西壮族", "广西", "西藏", "宁夏回族", "宁夏", "新疆维吾尔", "新疆"),
}

_LABELLED_DATE = re.compile(
    r"(?P<label>发布时间|发布日期|发文日期|成文日期|公开日期|生成日期|时间|日期)\s*[:：]\s*"
    rf"(?P<y>{_YEAR})\s*[-/.年]\s*(?P<m>\d{{1,2}})\s*[-/.月]\s*(?P<d>\d{{1,2}})"
)
_DATE_LABEL_RANK = {
    "发布时间": 0,
    "发布日期": 0,
    "时间": 1,
    "公开日期": 1,
    "日期": 2,
    "发文日期": 2,
    "成文日期": 2,
}
"""Preferred header dates: the web page's publication time first; a 生成日期 (draft date) only as a last resort."""
_GENERATED_RANK = len(_DATE_LABEL_RANK)
_DATE_LINE = re.compile(
    rf"^\s*(?P<y>{_YEAR})\s*(?:年|[-/.])\s*(?P<m>\d{{1,2}})\s*(?:月|[-/.])\s*(?:(?P<d>\d{{1,2}})\s*日?)?\s*$"
)
_GARBLED_DATE_LINE = re.compile(rf"^\s*(?P<y>{_YEAR})(?P<rest>\d{{2,4}})\s*$")
_CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_DATE_LINE = re.compile(
    r"^\s*(?P<y>[〇○零O一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?:(?P<d>[一二三四五六七八九十]{1,4})\s*日)?\s*$"
)
_PERIOD_YEAR = re.compile(rf"(?:统计期限|时限|期限)[^。]{{0,12}}?自?\s*(?P<y>{_YEAR})\s*年\s*1\s*月\s*1\s*日")


@lru_cache(maxsize=4)
def read_metadata(text: str) -> Metadata:
    """Agency, statistics year and publication date; None for what the document does not say.

    Cached for the last few texts: the parser and read_narrative ask for the same document in turn.
    """
    head = text[:HEAD_CHARS]
    tail = text[-TAIL_CHARS:] if len(text) > TAIL_CHARS else text
    tail_lines = tail.splitlines()

    agency, year = _from_title(head)
    signature_agency, signature_date = _signature(tail_lines)
    if agency is None:
        agency = signature_agency
    if agency is not None:
        agency = _expand_agency(agency, text[: HEAD_CHARS * 2])
    if year is None:
        year = _year_fallback(head)
    labelled, rank = _labelled_date(head)
    if labelled is not None and rank < _GENERATED_RANK:
        published: str | None = labelled
    else:
        published = signature_date or labelled
    if year is None and published is not None:
        year = int(published[:4]) - 1
    return Metadata(agency=agency, year=year, published=published)


# ---------------------------------------------------------------- title


def _from_title(head: str) -> tuple[str | None, int | None]:
    lines = head.splitlines()
    fallback_year: int | None = None
    for joined in (False, True):  # single lines first, then titles broken over two lines
        for number, raw_line in enumerate(lines):
            line = _TITLE_PREFIX.sub("", raw_line).strip()
            if not line:
                continue
            if joined:
                nxt = _next_nonblank(lines, number)
                if nxt is None or "报告" in line or len(line) > 40:
                    continue
                line = line + nxt.strip()
            match = _TITLE.search(line)
            if match is None:
                continue
            year = int(match.group("year"))
            before = _BEFORE_TITLE_YEAR.search(line, 0, match.start())
            agency = _as_written(line[: match.start()], before.group() if before else "")
            if agency is None:
                agency = _clean_agency(_agency_inside(match.group("between")))
            if agency is None and match.start("year") == 0:
                previous = _previous_nonblank(lines, number)
                if previous is not None:
                    agency = _clean_agency(_TITLE_PREFIX.sub("", previous).strip())
            if agency is not None:
                return agency, year
            if fallback_year is None:
                fallback_year = year
    return None, fallback_year


_FORMULA_LEAD = ("=", "+", "@")
"""Characters a spreadsheet reads as the start of a formula."""


def _as_written(prefix: str, before: str) -> str | None:
    """The organ before the title's year. A name that starts like a spreadsheet formula
    (`=HYPERLINK("…","…")市某局`, `+某局`) is kept exactly as written — the name search stops at quotes and
    commas and would keep only `)市某局`; keeping such a name text is the Excel writer's job."""
    written = prefix.strip()
    if written.startswith(_FORMULA_LEAD) and not any(ch.isspace() for ch in written):
        core = _clean_agency(before.lstrip("".join(_FORMULA_LEAD)))
        if core is not None and written.endswith(core):
            return written
    return _clean_agency(before)


def _agency_inside(between: str) -> str:
    """'泉州市信访局政府' in '2019年度泉州市信访局政府信息公开…': the organ named after the year."""
    return re.sub(r"(?:政府|政务)?$", "", between) if _ORGAN_SUFFIX.search(between) else between


def _clean_agency(candidate: str) -> str | None:
    if "关于" in candidate.strip("关于"):
        # '某市人民政府办公室关于印发某市' -> the report's organ follows 关于…; '某局关于' -> it precedes
        before, _, after = candidate.partition("关于")
        subject = _clean_agency(_ABOUT_VERB.sub("", after))
        return subject if subject is not None else _clean_agency(before)
    name = _AGENCY_LEAD.sub("", candidate.strip())
    name = _AGENCY_TAIL.sub("", name)
    name = name.strip(" |•·-—:：")
    if not _CJK_NAME.match(name) or not _ORGAN_SUFFIX.search(name):
        return None
    return name


def _next_nonblank(lines: list[str], number: int) -> str | None:
    for line in lines[number + 1 : number + 3]:
        if line.strip():
            return line
    return None


def _previous_nonblank(lines: list[str], number: int) -> str | None:
    for line in reversed(lines[max(0, number - 3) : number]):
        if line.strip():
            return line
    return None


def _expand_agency(agency: str, text: str) -> str:
    """'自治区信访局' -> '内蒙古自治区信访局' when the document names itself in full elsewhere."""
    for lead, prefixes in _PROVINCE_PREFIXES.items():
        if agency.startswith(lead):
            for prefix in prefixes:
                if prefix + agency in text:
                    return prefix + agency
            return agency
    if not agency.startswith(("省", "市", "县", "区", "州")):
        return agency
    counts: Counter[str] = Counter()
    for match in re.finditer(r"([\u4e00-\u9fff]{2,5}?)" + re.escape(agency), text):
        prefix = match.group(1)
        if not any(ch in _FUNCTION_CHARS for ch in prefix):
            counts[prefix] += 1
    if not counts:
        return agency
    prefix, _ = counts.most_common(1)[0]
    return prefix + agency


def _year_fallback(head: str) -> int | None:
    period = _PERIOD_YEAR.search(head)
    if period is not None:
        return int(period.group("y"))
    counts = Counter(int(m.group(1)) for m in re.finditer(rf"({_YEAR})\s*年(?!\s*\d{{1,2}}\s*月)", head))
    if not counts:
        return None
    return counts.most_common(1)[0][0]


# ---------------------------------------------------------------- dates


def _iso(year: int, month: int, day: int | None) -> str | None:
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return f"{year:04d}-{month:02d}"


def _labelled_date(head: str) -> tuple[str | None, int]:
    """Best header date ('发布时间: 2020-01-20') and its rank (lower is better; 生成日期 ranks last)."""
    best: str | None = None
    best_rank = _GENERATED_RANK + 1
    for match in _LABELLED_DATE.finditer(head):
        rank = _DATE_LABEL_RANK.get(match.group("label"), _GENERATED_RANK)
        if rank < best_rank:
            iso = _iso(int(match.group("y")), int(match.group("m")), int(match.group("d")))
            if iso is not None:
                best, best_rank = iso, rank
    return best, best_rank


def _parse_date_line(line: str) -> str | None:
    match = _DATE_LINE.match(line)
    if match is not None:
        day = match.group("d")
        return _iso(int(match.group("y")), int(match.group("m")), int(day) if day else None)
    match = _CN_DATE_LINE.match(line)
    if match is not None:
        year = int("".join(str(_CN_DIGITS[ch]) for ch in match.group("y")))
        month = _cn_number(match.group("m"))
        day_text = match.group("d")
        day = _cn_number(day_text) if day_text else None
        if month is None:
            return None
        return _iso(year, month, day)
    match = _GARBLED_DATE_LINE.match(line)
    if match is not None:
        return _garbled(int(match.group("y")), match.group("rest"))
    return None


def _garbled(year: int, rest: str) -> str | None:
    """'202017' -> 2020-01-07: the 年/月/日 characters were lost; accept only a reading that is unique."""
    readings: set[str] = set()
    for cut in range(1, len(rest)):
        month_text, day_text = rest[:cut], rest[cut:]
        if len(month_text) > 2 or len(day_text) > 2 or (day_text.startswith("0") and len(day_text) == 1):
            continue
        month, day = int(month_text), int(day_text)
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        try:
            readings.add(date(year, month, day).isoformat())
        except ValueError:
            continue
    if len(readings) == 1:
        return readings.pop()
    months = {r[:7] for r in readings}
    return months.pop() if len(months) == 1 else None


def _cn_number(text: str) -> int | None:
    if not text:
        return None
    if text == "十":
        return 10
    if "十" in text:
        tens_text, _, ones_text = text.partition("十")
        tens = _CN_DIGITS.get(tens_text, 0) if tens_text else 1
        ones = _CN_DIGITS.get(ones_text, 0) if ones_text else 0
        return tens * 10 + ones
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS[text]
    return None


def _signature(lines: list[str]) -> tuple[str | None, str | None]:
    """The last date line of the document and the organ name on the line above it."""
    for number in range(len(lines) - 1, -1, -1):
        line = lines[number].strip()
        if not line or len(line) > 24:
            continue
        published = _parse_date_line(line)
        if published is None:
            continue
        organ = None
        previous = _previous_nonblank(lines, number)
        if previous is not None:
            organ = _clean_agency(previous.strip())
        return organ, published
    return None, None


__all__ = ["Metadata", "read_metadata"]
