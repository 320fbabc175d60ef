"""Place the values of rows that do not fit one per cell, using the 勾稽关系 as constraints.

A row that printed fewer values than columns (cells lost) or more (ghost columns of merged cells) has several
admissible readings. This module builds them, narrows them with the form's rules (`formbook().rules`, as
`glued.Constraint`s, jointly across the rows of a table) and marks a cell sure exactly when every reading left
gives it the same value. See docs/parser.md (Placement).

Readings of a row with `found` cells for `count` columns:

- found < count (cells lost): the found cells keep their order at every choice of `found` of the `count`
  places. Each lost cell held nothing (read blank: every rule counts blank as 0) or a lost value. A lost value
  is what the row's own rule demands (one lost cell in a rule: total minus the others; two or more: unknown,
  "wild"), and only when that is not 0 (a lost 0 is the lost blank again, read blank). A lost value's cell is
  never sure: the document does not hold it. So a rule can never "confirm" a placement that hides a lost
  value: the reading that lost the value is admissible as well and disagrees.
- found > count (ghost columns): every order-preserving choice of `count` of the cells (distinct value
  sequences only: twelve zeros for seven columns are one reading).

Solving: the readings of every row meet its own rule (built so). The rows' readings are then combined through
the cross-row rules; the combinations breaking the fewest rules are kept (none when the report is right; a
report whose own figures are wrong breaks some rule whatever the placement, and such a rule does not narrow
anything). A cell is sure when every kept combination gives it the same value. When the search budget runs
out, every reading of each row counts (cells where they disagree are flagged).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from math import comb

from gikai_desk.model import Number
from gikai_desk.parse.glued import Constraint
from gikai_desk.parse.rows import CellRead

MAX_PLACEMENTS = 400
"""Placements of a row that lost cells tried at most (C(count, found)); a row with more is left flagged."""
MAX_READINGS = 256
"""Distinct readings kept per row; a row with more is left flagged (its cells take part in no rule)."""
ROW_STEP_BUDGET = 20_000
"""Steps spent enumerating the readings of one row with surplus cells."""
SEARCH_BUDGET = 60_000
"""Steps spent combining the rows' readings through the cross-row rules."""

REASON_SEVERAL = "有多种位置安排都满足勾稽关系，无法确定该单元格的值"
REASON_NO_RULE = "无勾稽关系可据以判断，无法确定该单元格的值"
REASON_CONFLICT = "任何位置安排都不能同时满足勾稽关系，按违反最少的安排仍无法确定该单元格的值"
REASON_BUDGET = "可能的位置安排过多，无法确定该单元格的值"
REASON_LOST = "该单元格的数值可能在文档中缺失（按本行合计推算），请人工核对"

_ROW_REASON_TAIL = "，无法确定各值所在列"
"""Dropped from the row's own flag when the placement says what it could not tell."""
_EPS = 1e-9
_Key = tuple[str, Number | None]
"""What a reading gives one cell: ("v", value) read or blank, ("x", value) a lost value, ("w", None) unknown."""
_WILD: _Key = ("w", None)


@dataclass
class PlaceRow:
    """One row of a table for placement: fixed cells (len == count) or, when `spare`, the cells read that do
    not fit (to be placed)."""

    count: int
    cells: list[CellRead]
    spare: bool = False
    prefer_leading: bool = False
    reason: str = ""
    """The row's own flag (该行有6个值，应为7个…), put before the placement's reason."""


@dataclass
class _Reading:
    keys: tuple[_Key, ...]
    sources: tuple[int, ...]
    """Index of the cell read for each column, -1 when the cell was lost."""


@dataclass
class Placed:
    """The outcome for one spare row: its cells (None when the row was left as it was) and whether every cell
    is sure."""

    cells: list[CellRead] | None
    sure: bool = False


def place(rows: Sequence[PlaceRow], constraints: Sequence[Constraint]) -> list[Placed]:
    """Place every spare row's values (one Placed per row; fixed rows get Placed(None))."""
    bases: list[int] = []
    base = 0
    for row in rows:
        bases.append(base)
        base += row.count
    row_of = [r for r, row in enumerate(rows) for _ in range(row.count)]
    local: dict[int, list[list[tuple[int, int]]]] = {}
    cross: list[list[tuple[int, int]]] = []
    for constraint in constraints:
        terms = _terms(constraint)
        if not terms:
            continue
        involved = {row_of[g] for g, _ in terms}
        if len(involved) == 1:
            r = involved.pop()
            local.setdefault(r, []).append([(g - bases[r], c) for g, c in terms])
        else:
            cross.append(terms)

    readings: list[list[_Reading]] = []
    gave_up: set[int] = set()
    for r, row in enumerate(rows):
        if not row.spare:
            keys = tuple(("v", c.value) if c.sure else _WILD for c in row.cells)
            readings.append([_Reading(keys, tuple(range(row.count)))])
            continue
        found = _row_readings(row, local.get(r, []))
        if not found:
            gave_up.add(r)
            found = [_Reading((_WILD,) * row.count, (-1,) * row.count)]
        readings.append(found)

    kept, chosen, violations, exhausted = _solve(rows, readings, cross, bases)

    out: list[Placed] = []
    for r, row in enumerate(rows):
        if not row.spare or r in gave_up:
            out.append(Placed(None))
            continue
        touched = bool(local.get(r)) or any(row_of[g] == r for terms in cross for g, _ in terms)
        if exhausted:
            why = REASON_BUDGET
        elif violations:
            why = REASON_CONFLICT
        elif touched:
            why = REASON_SEVERAL
        else:
            why = REASON_NO_RULE
        out.append(_cells(row, [readings[r][i] for i in kept[r]], readings[r][chosen[r]], why))
    return out


def _terms(constraint: Constraint) -> list[tuple[int, int]]:
    coeff: dict[int, int] = {}
    for sign, indexes in ((1, constraint.plus), (-1, constraint.minus)):
        for g in indexes:
            coeff[g] = coeff.get(g, 0) + sign
    return [(g, c) for g, c in sorted(coeff.items()) if c]


def _number(key: _Key) -> Number | None:
    """A reading's value of a cell inside a sum (blank = 0), None when unknown."""
    if key[0] == "w":
        return None
    return key[1] or 0


# --------------------------------------------------------------------------------------------------------
# Readings of one row


def _row_readings(row: PlaceRow, local: list[list[tuple[int, int]]]) -> list[_Reading]:
    found = len(row.cells)
    if found < row.count:
        return _lost_readings(row, local)
    if found > row.count:
        return _surplus_readings(row, local)
    return []


def _lost_readings(row: PlaceRow, local: list[list[tuple[int, int]]]) -> list[_Reading]:
    count = row.count
    found = len(row.cells)
    if not found or comb(count, found) > MAX_PLACEMENTS:
        return []
    values = [c.value for c in row.cells]
    negative = any(v is not None and v < 0 for v in values)
    in_rule: dict[int, int] = {}
    for j, terms in enumerate(local):
        for k, _ in terms:
            in_rule[k] = -1 if k in in_rule else j  # -1: a cell in two rules (no such form; unknown)
    orders = list(combinations(range(count), found))
    if row.prefer_leading:
        orders.reverse()  # missing cells first: values keep to the right, where the total column is
    out: list[_Reading] = []
    seen: set[tuple[_Key, ...]] = set()
    for positions in orders:
        sources = [-1] * count
        for i, p in enumerate(positions):
            sources[p] = i
        base: list[_Key] = [("v", values[s]) if s >= 0 else ("v", None) for s in sources]
        # Options per rule for its lost cells: a list of {cell: key} (empty list: the placement is impossible).
        choices: list[list[dict[int, _Key]]] = []
        possible = True
        for terms in local:
            rest = 0.0
            lost: list[tuple[int, int]] = []
            for k, coeff in terms:
                if sources[k] < 0:
                    lost.append((k, coeff))
                else:
                    rest += coeff * (values[sources[k]] or 0)
            options = _lost_options(rest, lost, negative, in_rule)
            if not options:
                possible = False
                break
            choices.append(options)
        if not possible:
            continue
        free = [k for k in range(count) if sources[k] < 0 and k not in in_rule]
        variants: list[dict[int, _Key]] = [{}]
        for options in choices:
            variants = [{**v, **o} for v in variants for o in options]
        if free:
            variants += [{**v, **{k: _WILD for k in free}} for v in variants]
        for variant in variants:
            keys = list(base)
            for k, key in variant.items():
                keys[k] = key
            key_tuple = tuple(keys)
            if key_tuple in seen:
                continue
            seen.add(key_tuple)
            out.append(_Reading(key_tuple, tuple(sources)))
            if len(out) > MAX_READINGS:
                return []
    out.sort(key=lambda reading: sum(k[0] != "v" for k in reading.keys))  # lost values and unknowns last
    return out


def _lost_options(
    rest: float, lost: list[tuple[int, int]], negative: bool, in_rule: dict[int, int]
) -> list[dict[int, _Key]]:
    """What the lost cells of one rule (sum coeff * value == 0, `rest` the cells read) may hold."""
    blank: dict[int, _Key] = {k: ("v", None) for k, _ in lost}
    if not lost:
        return [{}] if abs(rest) < _EPS else []
    if any(in_rule.get(k, -1) < 0 for k, _ in lost):
        return [blank, {k: _WILD for k, _ in lost}]
    if len(lost) == 1:
        k, coeff = lost[0]
        value = -rest / coeff
        if abs(value) < _EPS:
            return [blank]
        if value < 0 and not negative:
            return []
        number: Number = round(value) if abs(value - round(value)) < _EPS else value
        return [{k: ("x", number)}]
    signs = {coeff > 0 for _, coeff in lost}
    options: list[dict[int, _Key]] = []
    if abs(rest) < _EPS:
        options.append(blank)
        if len(signs) == 1 and not negative:
            return options  # non-negative cells adding up to 0: all of them 0
    elif len(signs) == 1 and not negative and (-rest / lost[0][1]) < 0:
        return []  # non-negative cells cannot add up to a negative amount
    options.append({k: _WILD for k, _ in lost})
    return options


def _surplus_readings(row: PlaceRow, local: list[list[tuple[int, int]]]) -> list[_Reading]:
    count = row.count
    cells = row.cells
    found = len(cells)
    if found > 2 * count:
        return []  # more than one row's worth of values: not ghost columns
    values = [c.value for c in cells]
    out: list[_Reading] = []
    chosen: list[int] = []
    steps = [ROW_STEP_BUDGET]

    def walk(start: int) -> bool:
        depth = len(chosen)
        if depth == count:
            keys = tuple(("v", values[i]) for i in chosen)
            if all(abs(sum(c * (values[chosen[k]] or 0) for k, c in terms)) < _EPS for terms in local):
                out.append(_Reading(keys, tuple(chosen)))
                if len(out) > MAX_READINGS:
                    return False
            return True
        tried: set[Number | None] = set()
        for i in range(start, found - (count - depth) + 1):
            steps[0] -= 1
            if steps[0] < 0:
                return False
            value = values[i]
            if value in tried:
                continue  # the same value taken earlier leads to every sequence this one does
            tried.add(value)
            chosen.append(i)
            ok = walk(i + 1)
            chosen.pop()
            if not ok:
                return False
        return True

    if not walk(0):
        return []
    return out


# --------------------------------------------------------------------------------------------------------
# Combining the rows


def _solve(
    rows: Sequence[PlaceRow],
    readings: list[list[_Reading]],
    cross: list[list[tuple[int, int]]],
    bases: list[int],
) -> tuple[list[list[int]], list[int], int, bool]:
    """(per row the readings kept, the reading shown per row, rules broken, budget exhausted)."""
    n = len(rows)
    open_rows = [r for r in range(n) if len(readings[r]) > 1]
    kept_all = [list(range(len(readings[r]))) for r in range(n)]
    first = [0] * n
    if not open_rows:
        return kept_all, first, 0, False
    row_of: dict[int, int] = {}
    for r, row in enumerate(rows):
        for k in range(row.count):
            row_of[bases[r] + k] = r
    position = {r: p for p, r in enumerate(open_rows)}
    # Per rule: its constant part (rows with one reading), or None when unknown; per open row the amount each
    # reading adds (None: unknown).
    rules: list[tuple[float, dict[int, list[float | None]]]] = []
    for terms in cross:
        constant: float | None = 0.0
        per_row: dict[int, list[tuple[int, int]]] = {}
        for g, coeff in terms:
            r = row_of[g]
            if r in position:
                per_row.setdefault(position[r], []).append((g - bases[r], coeff))
                continue
            value = _number(readings[r][0].keys[g - bases[r]])
            if value is None or constant is None:
                constant = None
            else:
                constant += coeff * value
        if constant is None:
            continue  # a cell no reading knows: the rule tells nothing
        if not per_row:
            continue  # settled by rows with one reading: the same whatever the placement
        amounts: dict[int, list[float | None]] = {}
        for p, cells in per_row.items():
            column: list[float | None] = []
            for reading in readings[open_rows[p]]:
                total: float | None = 0.0
                for k, coeff in cells:
                    value = _number(reading.keys[k])
                    if value is None or total is None:
                        total = None
                    else:
                        total += coeff * value
                column.append(total)
            amounts[p] = column
        rules.append((constant, amounts))

    order = sorted(range(len(open_rows)), key=lambda p: len(readings[open_rows[p]]))
    depth_of = {p: d for d, p in enumerate(order)}
    closing: list[list[int]] = [[] for _ in order]
    for c, (_, amounts) in enumerate(rules):
        closing[max(depth_of[p] for p in amounts)].append(c)
    choice = [0] * len(open_rows)
    best = [len(rules) + 1]
    used: list[set[int]] = [set() for _ in open_rows]
    best_choice: list[int] = []
    budget = [SEARCH_BUDGET]

    def broken(c: int) -> int:
        constant, amounts = rules[c]
        total = constant
        for p, column in amounts.items():
            value = column[choice[p]]
            if value is None:
                return 0
            total += value
        return 1 if abs(total) > _EPS else 0

    def walk(depth: int, violations: int) -> bool:
        if depth == len(order):
            if violations < best[0]:
                best[0] = violations
                for s in used:
                    s.clear()
                best_choice[:] = choice
            for p, i in enumerate(choice):
                used[p].add(i)
            return True
        p = order[depth]
        for i in range(len(readings[open_rows[p]])):
            budget[0] -= 1
            if budget[0] < 0:
                return False
            choice[p] = i
            added = violations + sum(broken(c) for c in closing[depth])
            if added <= best[0] and not walk(depth + 1, added):
                return False
        return True

    if not walk(0, 0):
        return kept_all, first, 0, True
    kept = [list(range(len(readings[r]))) for r in range(n)]
    for p, r in enumerate(open_rows):
        kept[r] = sorted(used[p])
        first[r] = best_choice[p]
    return kept, first, best[0], False


def _cells(row: PlaceRow, kept: list[_Reading], shown: _Reading, why: str) -> Placed:
    """The row's cells as `shown`, sure where every kept reading gives the same value."""
    prefix = row.reason.replace(_ROW_REASON_TAIL, "") + "；" if row.reason else ""
    out: list[CellRead] = []
    all_sure = True
    for k in range(row.count):
        key = shown.keys[k]
        agree = all(reading.keys[k] == key for reading in kept)
        source = shown.sources[k]
        if key[0] == "x":
            out.append(CellRead(key[1], sure=False, flag=prefix + REASON_LOST))
            all_sure = False
            continue
        if key[0] == "w" or source < 0:
            sure = agree and key[0] == "v"
            out.append(CellRead(None, sure=sure, flag=None if sure else prefix + why))
            all_sure &= sure
            continue
        cell = row.cells[source]
        if agree and cell.sure:
            out.append(CellRead(cell.value, cell.start, cell.end, True, None))
        elif agree:
            out.append(CellRead(cell.value, cell.start, cell.end, False, cell.flag))
            all_sure = False
        else:
            out.append(CellRead(cell.value, cell.start, cell.end, False, prefix + why))
            all_sure = False
    return Placed(out, all_sure)
