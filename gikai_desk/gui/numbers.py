"""Reading numbers a reviewer types or pastes: full-width digits, thousands separators, signs, blanks."""

from __future__ import annotations

import re
import unicodedata

from gikai_desk import rules
from gikai_desk.model import Number

_MINUS = "-−－—–"
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_NOTHING = re.compile(r"^(?:-+|/|无)$")
"""What published tables (and so copied rows) write in an empty cell: a dash, a slash, 无 — blank, not 0."""
_COUNT_UNIT = re.compile(r"(?<=\d)(?:件|个|项|条|次|人|家)$")
"""A count's unit after the number ('3件'); money units (元, 万元) are not taken off: the scale would be guessed."""


class NotANumberError(ValueError):
    """The text is not a number a cell can hold."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def parse_number(text: str) -> Number | None:
    """A cell value from typed text: '' -> None (blank); '１，２３４' -> 1234; '+5' -> 5; '3.50' -> 3.5;
    '—', '-', '/', '无' -> None (how tables write an empty cell); '3件' -> 3.

    Raises NotANumberError for anything else.
    """
    cleaned = unicodedata.normalize("NFKC", text).strip()
    for minus in _MINUS:
        cleaned = cleaned.replace(minus, "-")
    cleaned = cleaned.replace("，", ",").replace("\u3000", "").replace(" ", "")
    if cleaned == "" or _NOTHING.match(cleaned):
        return None
    cleaned = _COUNT_UNIT.sub("", cleaned)
    if not _NUMBER.match(cleaned):
        raise NotANumberError(text)
    cleaned = cleaned.replace(",", "")
    if "." in cleaned:
        value = float(cleaned)
        return int(value) if value.is_integer() and cleaned.rstrip("0").endswith(".") else value
    return int(cleaned)


def format_number(value: Number | None) -> str:
    """How a cell value is shown: blank stays blank, integers plain, decimals without trailing zeros."""
    return rules.format_number(value, blank="")


_TOKEN = re.compile(r"[+\-−－]?[0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?")


def number_at(text: str, position: int) -> tuple[int, int] | None:
    """The span [start, end) of the number written at `position` in `text` (the character under or just
    before the cursor), or None when there is none."""
    lo = max(0, position - 40)
    for match in _TOKEN.finditer(text, lo, min(len(text), position + 40)):
        if match.start() <= position <= match.end():
            end = match.end()
            while end > match.start() and text[end - 1] in ",，":
                end -= 1
            return match.start(), end
    return None


def split_pasted(text: str) -> list[list[str]]:
    """Rows of cells from clipboard text: lines, cells split by TAB (or by spaces when there is no TAB)."""
    rows: list[list[str]] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and lines[-1].strip() == "":
        lines.pop()
    for line in lines:
        rows.append(line.split("\t") if "\t" in line else line.split())
    return rows
