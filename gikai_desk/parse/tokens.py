"""Cut a stretch of table text into cells (tab, pipe, Markdown, one-per-line, inline) and read their numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cache

from gikai_desk.forms import formbook
from gikai_desk.ingest import OCR_UNSURE_MARK, OFF_PAGE_MARK, ROW_CUT_PREFIX
from gikai_desk.model import Number
from gikai_desk.parse.normalize import fold


class Kind(Enum):
    NUMBER = "number"
    BLANK = "blank"
    """An empty cell, or a dash / 无 standing for nothing."""
    TEXT = "text"
    STRAY = "stray"
    """A page number, row ordinal or date: never a value, never counted."""


class PipeStyle(Enum):
    NONE = "none"
    MARKDOWN = "markdown"
    """`| a | b |` rows: every segment between pipes is a cell."""
    TERMINATED = "terminated"
    """`a |` lines: the text before the first pipe is one cell, further pipes are noise."""


@dataclass(slots=True)
class Token:
    kind: Kind
    start: int
    end: int
    line: int
    """0 for the line the stretch starts on, then 1, 2, ..."""
    value: Number | None = None
    extra: bool = False
    """The cell holds more than its number (e.g. 3项(41笔))."""
    flag: str | None = None
    """Why a reader marked this cell as not readable sure (a PDF column beyond the page edge): the cell is
    flagged on its own, the rest of the row is read as usual."""


FLAG_OFF_PAGE = "该列超出页面边缘，未能读取"
FLAG_OFF_PAGE_VALUE = "该列超出页面边缘，此值在页面上看不到（取自文件的文字层），请核对"
FLAG_ROW_CUT = "该行在页面边缘被截断，此列超出页面，未能读取"
FLAG_OCR_UNSURE = "扫描件文字识别不确定，请对照原页面核对此值"
FLAG_OCR_UNREAD = "扫描件此格有字迹但未能识别，请对照原页面核对"
_ROW_CUT = re.compile(re.escape(ROW_CUT_PREFIX) + r"[：:]页面上有(\d{1,4})列数值〕")
"""A row cut mark as the parser sees it (folded: the full-width colon may be ASCII)."""


_UNIT = r"(?:万元|亿元|千元|元|件|个|项|条|次|笔|人次|家)"
_SPACED_UNIT = r"(?:万元|亿元|千元|元|件|个|项)"
"""Unit words that belong to the number before them even when a space separates them (`12.5 万元`)."""
MAX_DIGITS = 18
"""A cell with more digits than this is not a count or an amount (and would not fit int() limits)."""
_NUMBER = r"[+\-]?(?:\d{1,3}(?:,\d{3}){1,5}|\d{1,18})(?:\.\d{1,12})?"
NUMBER_CELL = re.compile(rf"(?P<num>{_NUMBER})[ ]*(?P<unit>{_UNIT})?")
NUMBER_WITH_EXTRA = re.compile(rf"(?P<num>{_NUMBER})[ ]*(?:{_UNIT})?[ ]*[(\[【].*")
BLANK_MARK = re.compile(r"[-—–~/\\_*]+|无|空|—+|\.\.\.|…+")
STRAY = re.compile(
    r"[-—–][ ]*\d{1,4}[ ]*[-—–]"  # - 4 -
    r"|第[ ]*\d{1,4}[ ]*页(?:[ ]*[,/]?[ ]*共[ ]*\d{1,4}[ ]*页)?"  # 第 4 页 (共 10 页)
    r"|\d{1,4}[ ]*/[ ]*\d{1,4}"  # 4/10
    r"|[ ]*\d{1,2}[ ]*[.、]"  # a row ordinal on its own: 1.
    r"|\(\d{1,2}\)"  # (1)
    r"|(?:19|20)\d{2}[ ]*年(?:[ ]*\d{1,2}[ ]*月(?:[ ]*\d{1,2}[ ]*日)?)?"  # 2020年1月10日
    r"|(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}"
)
INLINE_RUN = re.compile(
    rf"[ ]*(?:(?!(?:19|20)\d{{2}}[ ]*年|\d{{1,4}}[ ]*/[ ]*\d)[+\-]?\d[\d,]{{0,300}}(?:\.\d{{1,12}})?(?![.、])(?:[ ]*(?:万元|亿元|千元|元)|[ ]+{_SPACED_UNIT}(?!\S))?[ ]*)+"
)
"""Numbers written straight after a label on the same line (separated by spaces, or glued together); a number
followed by `.` or `、` is the ordinal of the next label (`… 0 3119 2 3.要求提供…`), not a value; a year
(`2021年1月20日`, a date dropped into a one-line table) and a page number `3/10` are no values either."""
SPACE_SPLIT = re.compile(rf"\S*\d(?!\S)(?:[ ]+{_SPACED_UNIT}(?!\S))?|\S+")
"""Space-separated parts of a cell; a unit word set apart by spaces stays with the number before it."""
_HAS_DIGIT = re.compile(r"\d")
CHANGE_WORDS = re.compile(
    r"(?:(?P<up>增加|增长|增)|(?P<down>减少|下降|减))[ ]*(?P<num>\d{1,18})[ ]*(?:个|项|件)?|持平"
)
"""A change written in words (增加3, 减少2, 持平): the signed number; only 表二's 本年增/减 column holds one."""
MAYBE_CHANGE_WORDS = re.compile(r"[增减下持](?:[加少长降]?[ ]*\d|平)")
"""A fast search for text that may hold a change written in words (a leading character class scans fast)."""


def change_word_value(text: str) -> int | None:
    """The signed number of a change written in words, None for other text."""
    match = CHANGE_WORDS.fullmatch(text)
    if match is None:
        return None
    if match.group("num") is None:
        return 0
    value = int(match.group("num"))
    return -value if match.group("down") else value


@cache
def _label_debris() -> tuple[str, frozenset[str]]:
    """Every row and group label of the forms and their match fragments (spellings such as 其它处理; folded, no
    spaces, one per line), and the labels' own words without their ordinals (a part equal to one of those is a
    row's label, not a fragment of one)."""
    texts: set[str] = set()
    cores: set[str] = set()
    for table in formbook().tables.values():
        for row in table.rows.values():
            for label in (row.label, row.label_2021, row.group, *row.match):
                if label:
                    texts.add("".join(fold(label).split()))
            for label in (row.label, *row.match):
                cores.add(_LABEL_ORDINAL.sub("", "".join(fold(label).split())))
    return "\n".join(sorted(texts)), frozenset(cores)


_LABEL_ORDINAL = re.compile(
    r"^(?:\d{1,2}[.、]|\([一二三四五六七八九十]{1,2}\)|[一二三四五六七八九十]{1,2}、)"
)


def is_label_debris(part: str) -> bool:
    """A piece of a wrapped or vertical label (`、`, `无法提`, `予处理`) printed on another row's value line
    in layout text: no digit, a substring of some form label, and not a whole row label."""
    if not part or _HAS_DIGIT.search(part) is not None:
        return False
    texts, cores = _label_debris()
    return part in texts and part not in cores


def number_value(text: str) -> Number:
    """The number in a folded cell text such as '1,234', '+3', '-1', '4549040.96', '251000元'."""
    match = NUMBER_CELL.match(text)
    if match is None:
        raise ValueError(text)
    body = match.group("num").replace(",", "")
    if "." in body:
        return float(body)
    return int(body)


def classify(norm: str, start: int, end: int, line: int, explicit: bool, out: list[Token]) -> None:
    """Append the token(s) of one cell norm[start:end] (already cut at separators) to `out`."""
    cell = norm[start:end]
    text = cell.strip()
    if not text:
        if explicit:
            out.append(Token(Kind.BLANK, start, start, line))
        return
    if len(text) != len(cell):
        start += len(cell) - len(cell.lstrip())
    end = start + len(text)
    if text[-1] == "〕" and (text.endswith(OFF_PAGE_MARK) or text.startswith(ROW_CUT_PREFIX)):
        _classify_off_page(norm, start, end, line, out)
        return
    if text[-1] == "〕" and text.endswith(OCR_UNSURE_MARK):
        _classify_ocr_unsure(norm, start, end, line, out)
        return
    if text.isdigit() and text.isascii() and len(text) <= MAX_DIGITS:
        out.append(Token(Kind.NUMBER, start, end, line, int(text)))
        return
    if NUMBER_CELL.fullmatch(text):
        out.append(Token(Kind.NUMBER, start, end, line, number_value(text)))
        return
    if STRAY.fullmatch(text):
        out.append(Token(Kind.STRAY, start, end, line))
        return
    if BLANK_MARK.fullmatch(text):
        out.append(Token(Kind.BLANK, start, end, line))
        return
    change = change_word_value(text) if text[0] in "增减下持" else None
    if change is not None:
        out.append(Token(Kind.NUMBER, start, end, line, change))
        return
    if " " in text:
        parts = list(SPACE_SPLIT.finditer(norm, start, end))
        if all(NUMBER_CELL.fullmatch(p.group()) for p in parts):
            for p in parts:
                out.append(Token(Kind.NUMBER, p.start(), p.end(), line, number_value(p.group())))
            return
        first_number = next((i for i, p in enumerate(parts) if NUMBER_CELL.fullmatch(p.group())), len(parts))
        if (
            0 < first_number <= len(parts) - 2
            and all(NUMBER_CELL.fullmatch(p.group()) for p in parts[first_number + 1 :])
            and all(_is_lead_debris(p.group()) for p in parts[:first_number])
        ):
            # Pieces of labels printed at the head of a row of values in layout text: one character of a
            # vertical label (三/、/本/年/… of a merged cell) or a fragment of a wrapped one (无法提, 予处理).
            # They are one text cell, the rest the row's values.
            out.append(Token(Kind.TEXT, parts[0].start(), parts[first_number - 1].end(), line))
            for p in parts[first_number:]:
                out.append(Token(Kind.NUMBER, p.start(), p.end(), line, number_value(p.group())))
            return
    extra = NUMBER_WITH_EXTRA.fullmatch(text)
    if extra is not None:
        out.append(Token(Kind.NUMBER, start, end, line, number_value(extra.group("num")), extra=True))
        return
    out.append(Token(Kind.TEXT, start, end, line))


def _classify_off_page(norm: str, start: int, end: int, line: int, out: list[Token]) -> None:
    """A cell the PDF reader marked as beyond the page edge (see gikai_desk.ingest): a flagged empty cell, or
    the number the text layer holds there, flagged; a row cut at the page edge ends in a cell whose Token
    carries FLAG_ROW_CUT and, as its value, how many value columns the page shows."""
    cut = _ROW_CUT.fullmatch(norm, start, end)
    if cut is not None:
        out.append(Token(Kind.BLANK, start, end, line, int(cut.group(1)), flag=FLAG_ROW_CUT))
        return
    if not norm.endswith(OFF_PAGE_MARK, start, end):
        out.append(Token(Kind.TEXT, start, end, line))
        return
    body_end = end - len(OFF_PAGE_MARK)
    body = norm[start:body_end].strip()
    if not body:
        out.append(Token(Kind.BLANK, body_end, end, line, flag=FLAG_OFF_PAGE))
        return
    first = start + len(norm[start:body_end]) - len(norm[start:body_end].lstrip())
    if NUMBER_CELL.fullmatch(body):
        value = number_value(body)
        out.append(Token(Kind.NUMBER, first, first + len(body), line, value, flag=FLAG_OFF_PAGE_VALUE))
    else:
        out.append(Token(Kind.TEXT, first, first + len(body), line))


def _classify_ocr_unsure(norm: str, start: int, end: int, line: int, out: list[Token]) -> None:
    """A cell of a scanned page OCR was not sure of (see gikai_desk.ingest.OCR_UNSURE_MARK): its number, or an
    empty cell, flagged; text stays text."""
    body_end = end - len(OCR_UNSURE_MARK)
    raw = norm[start:body_end]
    body = raw.strip()
    if not body:
        out.append(Token(Kind.BLANK, body_end, end, line, flag=FLAG_OCR_UNREAD))
        return
    first = start + len(raw) - len(raw.lstrip())
    compact = body.replace(" ", "")
    if NUMBER_CELL.fullmatch(compact):
        out.append(Token(Kind.NUMBER, first, first + len(body), line, number_value(compact), flag=FLAG_OCR_UNSURE))
    elif BLANK_MARK.fullmatch(compact):
        out.append(Token(Kind.BLANK, first, first + len(body), line, flag=FLAG_OCR_UNSURE))
    else:
        out.append(Token(Kind.TEXT, first, first + len(body), line))


def _is_lead_debris(part: str) -> bool:
    return (len(part) == 1 and "\u4e00" <= part <= "\u9fff") or is_label_debris(part)


_LINE = re.compile(r"[^\n]*[^\n ][^\n]*")
"""A line holding something other than spaces (a TAB counts: it separates blank cells)."""


def tokenize(
    norm: str,
    start: int,
    end: int,
    pipes: PipeStyle,
    mid_line_start: bool,
    mid_line_end: bool,
    stop_at_text_after_values: bool = False,
) -> list[Token]:
    """Cells of norm[start:end]. The first segment is the rest of a label's cell when `mid_line_start`, and the
    last one the beginning of the next label's cell when `mid_line_end`; both are dropped. Token.line is 0 for
    the line `start` is on, then increases line by line (lines holding nothing are skipped). With
    `stop_at_text_after_values`, reading stops at the first text cell that follows a value or empty cell."""
    out: list[Token] = []
    append = out.append
    number = Kind.NUMBER
    seen_value = False
    line = 0
    pos = start
    pieces = norm[start:end].split("\n")
    last = len(pieces) - 1
    for index, text in enumerate(pieces):
        line_start = pos
        pos += len(text) + 1
        if not text.strip(" "):
            continue  # a line holding nothing (a TAB counts: it separates blank cells)
        if index:
            line += 1
        if "\t" not in text and (pipes is PipeStyle.NONE or "|" not in text):
            if (index == 0 and mid_line_start) or (index == last and mid_line_end):
                continue
            stripped = text.strip()  # one cell per line: the common case, no split
            if stripped.isdigit() and stripped.isascii() and len(stripped) <= MAX_DIGITS:
                first = line_start + len(text) - len(text.lstrip())
                append(Token(number, first, first + len(stripped), line, int(stripped)))
                seen_value = True
                continue
            cells, explicit = [(line_start, text)], False
        else:
            cells, explicit = _line_cells(
                text, line_start, pipes, index == 0 and mid_line_start, index == last and mid_line_end
            )
        for cell_start, cell in cells:
            stripped = cell.strip()
            if not stripped:
                if explicit:
                    append(Token(Kind.BLANK, cell_start, cell_start, line))
                    seen_value = True
                continue
            if stripped.isdigit() and stripped.isascii() and len(stripped) <= MAX_DIGITS:  # common case
                first = cell_start + len(cell) - len(cell.lstrip())
                append(Token(number, first, first + len(stripped), line, int(stripped)))
                seen_value = True
                continue
            first_new = len(out)
            classify(norm, cell_start, cell_start + len(cell), line, explicit, out)
            if (
                len(out) > first_new
                and out[first_new].kind is Kind.TEXT
                and seen_value
                and stop_at_text_after_values
            ):
                del out[first_new + 1 :]  # values after a vertical-label character belong to the next row
                return out
            kind = out[-1].kind
            if kind is Kind.TEXT:
                if seen_value and stop_at_text_after_values:
                    return out
            elif kind is not Kind.STRAY:
                seen_value = True
    return out


def _line_cells(
    text: str, pos: int, pipes: PipeStyle, drop_first: bool, drop_last: bool
) -> tuple[list[tuple[int, str]], bool]:
    """(start, text) of one line's cells — TAB-separated, pipe-separated or the whole line — and whether an
    empty cell counts (it does only between explicit separators)."""
    if "\t" in text:
        parts = text.split("\t")
        explicit = True
    else:
        bar = text.find("|") if pipes is not PipeStyle.NONE else -1
        if bar < 0:
            parts = [text]
            explicit = False
        elif pipes is PipeStyle.TERMINATED:
            return ([] if drop_first else [(pos, text[:bar])]), True
        else:
            parts = text.split("|")
            explicit = True
            drop_first = drop_first or not parts[0].strip()  # `| a | b |`: nothing before the first pipe
            drop_last = drop_last or not parts[-1].strip()
    cells: list[tuple[int, str]] = []
    offset = pos
    last = len(parts) - 1
    for index, part in enumerate(parts):
        if not ((index == 0 and drop_first) or (index == last and drop_last)):
            cells.append((offset, part))
        offset += len(part) + 1
    return cells, explicit
