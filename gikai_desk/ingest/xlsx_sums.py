"""Evaluate the simple sums (=SUM(D5:I5), =D5+E5-F5) of an Excel sheet's formulas that carry no cached value."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation

Position = tuple[int, int]
"""A cell: row (from 1), column (from 0)."""
Area = tuple[int, int, int, int]
"""A rectangle of cells: first row, first column, last row, last column."""

MAX_CELLS_PER_FORMULA = 10_000
"""Cells one formula may add up (a whole-column range is not a report's total)."""
MAX_DEPTH = 50
"""Formulas over formulas followed at most; deeper chains stay unknown."""

_REFERENCE = r"\$?([A-Z]{1,3})\$?(\d{1,7})"
_NUMBER = r"\d{1,15}(?:\.\d{1,12})?"
_ARGUMENT = rf"(?:{_REFERENCE}(?::{_REFERENCE})?|[+-]?{_NUMBER})"
_TERM = rf"(?:SUM\({_ARGUMENT}(?:,{_ARGUMENT})*\)|{_REFERENCE}|{_NUMBER})"
_EXPRESSION = re.compile(rf"=[+-]?{_TERM}(?:[+-]{_TERM})*")
_SIGNED_TERM = re.compile(rf"([+-]?)(?:SUM\(([^()]*)\)|{_REFERENCE}|({_NUMBER}))")
_AREA = re.compile(rf"{_REFERENCE}(?::{_REFERENCE})?")


def _column(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _area(text: str) -> Area | None:
    found = _AREA.fullmatch(text)
    if found is None:
        return None
    left, top = _column(found.group(1)), int(found.group(2))
    right = _column(found.group(3)) if found.group(3) else left
    bottom = int(found.group(4)) if found.group(4) else top
    top, bottom = sorted((top, bottom))
    left, right = sorted((left, right))
    return top, left, bottom, right


Parts = list[tuple[int, Area | Decimal]]
"""A sum as signed parts: +1/-1 and an area of cells or a number."""


def sum_parts(formula: str) -> Parts | None:
    """The signed parts of a formula that only adds and subtracts cells, ranges and numbers (SUM over the same
    sheet), or None for anything else (other functions, other sheets, names, parentheses)."""
    compact = "".join(formula.split()).upper()
    if _EXPRESSION.fullmatch(compact) is None:
        return None
    parts: Parts = []
    for found in _SIGNED_TERM.finditer(compact, 1):
        sign = -1 if found.group(1) == "-" else 1
        if found.group(2) is not None:
            for argument in found.group(2).split(","):
                area = _area(argument)
                if area is not None:
                    parts.append((sign, area))
                else:
                    parts.append((sign, Decimal(argument)))
        elif found.group(5) is not None:
            parts.append((sign, Decimal(found.group(5))))
        else:
            area = _area(found.group(0).lstrip("+-"))
            if area is None:
                return None
            parts.append((sign, area))
    cells = sum(
        (part[2] - part[0] + 1) * (part[3] - part[1] + 1) for _sign, part in parts if isinstance(part, tuple)
    )
    return parts if cells <= MAX_CELLS_PER_FORMULA else None


def referenced(parts: Parts) -> Iterable[Position]:
    """Every cell a sum reads."""
    for _sign, part in parts:
        if isinstance(part, tuple):
            top, left, bottom, right = part
            for row in range(top, bottom + 1):
                for column in range(left, right + 1):
                    yield row, column


def _number(value: object) -> Decimal | None:
    """A cell value as an exact number: blank is 0 (as Excel adds it); text, dates, booleans, errors: None."""
    if value is None:
        return Decimal(0)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def evaluate_sums(
    formulas: Mapping[Position, Parts | None], value_at: Callable[[Position], object]
) -> dict[Position, Decimal]:
    """The value of each formula cell whose sum can be worked out exactly: every cell it reads holds a number, is
    blank, or is such a formula in turn. Text in a range (a number stored as text, a label) leaves the formula
    unknown rather than skipped as Excel would skip it: the author may have meant it."""
    known: dict[Position, Decimal] = {}
    failed: set[Position] = set()

    def value(position: Position, depth: int) -> Decimal | None:
        if position in known:
            return known[position]
        if position in failed or depth > MAX_DEPTH:
            return None
        if position not in formulas:
            return _number(value_at(position))
        parts = formulas[position]
        failed.add(position)  # until worked out: a formula that reads itself stays unknown
        if parts is None:
            return None
        total = Decimal(0)
        for sign, part in parts:
            if isinstance(part, Decimal):
                total += sign * part
                continue
            top, left, bottom, right = part
            for row in range(top, bottom + 1):
                for column in range(left, right + 1):
                    found = value((row, column), depth + 1)
                    if found is None:
                        return None
                    total += sign * found
        failed.discard(position)
        known[position] = total
        return total

    for position in formulas:
        value(position, 0)
    return known
