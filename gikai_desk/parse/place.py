"""Place the values of rows that do not fit one per cell, using the 勾稽关系 as constraints.

A row that printed fewer values than columns (cells lost) or more (ghost columns of merged cells) has several
admissible readings. This module builds them, narrows them with the form's rules (`formbook().rules`, as
`glued.Constraint`s, jointly across the rows of a table) and marks a cell sure exactly when every reading left
gives it the same value. See docs/parser.md (Placement).

Readings of a row with `found` cells for `count` columns:

- found < count (cells lost): the found cells keep their order at every choice of `found` of the `count`
  places. Each lost cell held nothing or a lost value. Nothing reads blank in a row that writes nothing as
  blank (no 0 among its cells); elsewhere it may have been blank or 0 ("n": never sure). A lost value is what
  the row's own rule demands (one lost cell in a rule: total minus the others; two or more: unknown, "w"),
  when that is not 0. A lost value's cell is never sure: the document does not hold it. So a rule can never
  "confirm" a placement that hides a lost value: the reading that lost the value is admissible as well and
  disagrees. Readings meet the row's own rules; when no placement with the lost cells blank does (the row
  itself may be wrong), every placement is kept (`breaks_row`).
- found > count (ghost columns): every order-preserving choice of `count` cells dropping only blank or 0
  cells (distinct value sequences only: twelve zeros for seven columns are one reading).

Solving (`_solve`): the rows' readings are combined through the cross-row rules; if some combinations meet
every rule, a row keeps the readings they use. If none does (the report itself is wrong somewhere), the rules
are taken group by group (the rules of one 表三 column): a group no combination meets narrows nothing, two
groups that leave a row no reading in common are both set aside, a row breaking its own rules is not narrowed,
and each other row keeps the readings every remaining group allows. A cell is sure when every reading its row
keeps gives it the same value. When the search budget runs out, every reading of each row counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from math import comb
from operator import mul

from gikai_desk.model import Number
from gikai_desk.parse.glued import Constraint
from gikai_desk.parse.rows import CellRead

MAX_PLACEMENTS = 120
"""Placements of a row that lost cells tried at most (C(count, found)); a row with more is left flagged."""
MAX_READINGS = 64
"""Distinct readings kept per row; a row with more is left flagged (its cells take part in no rule)."""
ROW_STEP_BUDGET = 2_000
"""Steps spent enumerating the readings of one row with surplus cells."""
SEARCH_BUDGET = 5_000
"""Steps spent combining the rows' readings through the cross-row rules."""

REASON_SEVERAL = "有多种位置安排都满足勾稽关系，无法确定该单元格的值"
REASON_NO_RULE = "无勾稽关系可据以判断，无法确定该单元格的值"
REASON_CONFLICT = "任何位置安排都不能同时满足勾稽关系，无法确定该单元格的值"
REASON_NOTHING = "该单元格在文档中缺失，原为空白还是0无法确定，请人工核对"
REASON_ROW_BROKEN = (
    "任何位置安排都不满足本行的合计关系（可能缺失了数值，或报表本行有误），无法确定该单元格的值"
)
REASON_BUDGET = "可能的位置安排过多，无法确定该单元格的值"
REASON_LOST = "该单元格的数值可能在文档中缺失（按本行合计推算应为{}），请人工核对"

_NAN = float("nan")
_FAST_ONE_LOST = True
"""Use _one_lost for rows that lost one cell under one rule (tests turn it off to compare with the general path)."""
_ROW_REASON_TAIL = "，无法确定各值所在列"
"""Dropped from the row's own flag when the placement says what it could not tell."""
_EPS = 1e-9
_Key = tuple[str, Number | None]
"""What a reading gives one cell: ("v", value) read or blank, ("x", value) a lost value, ("n", None) a lost cell
worth nothing (blank or 0), ("w", None) unknown."""
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
    breaks_row: bool = False
    """The reading breaks the row's own rule (kept only when no plain reading of the row meets it)."""


_FIXED = [_Reading((), ())]
"""The one reading of a row read whole (the solver only needs its numbers, in `flat`)."""


@dataclass
class Placed:
    """The outcome for one spare row: its cells (None when the row was left as it was) and whether every cell
    is sure."""

    cells: list[CellRead] | None
    sure: bool = False


def place(rows: Sequence[PlaceRow], constraints: Sequence[Constraint]) -> list[Placed]:
    """Place every spare row's values (one Placed per row; fixed rows get Placed(None))."""
    local, cross, in_cross = _classify(constraints, tuple(row.count for row in rows))

    readings: list[list[_Reading]] = []
    flat: list[float] = []
    """Every cell's number in a sum when its row has one reading (NaN: unknown), 0 for rows still open."""
    gave_up: set[int] = set()
    for r, row in enumerate(rows):
        if not row.spare:
            readings.append(_FIXED)  # its numbers are all the solver needs
            flat.extend([(c.value or 0) if c.sure else _NAN for c in row.cells])
            continue
        found = _row_readings(row, local.get(r, []))
        if not found:
            gave_up.add(r)
            found = [_Reading((_WILD,) * row.count, (-1,) * row.count)]
        readings.append(found)
        if len(found) == 1:
            flat.extend([_NAN if (number := _number(key)) is None else number for key in found[0].keys])
        else:
            flat.extend([0.0] * row.count)

    bases = [0]
    for row in rows:
        bases.append(bases[-1] + row.count)
    kept, chosen, how = _solve(readings, cross, flat, bases)

    out: list[Placed] = []
    for r, row in enumerate(rows):
        if not row.spare or r in gave_up:
            out.append(Placed(None))
            continue
        touched = bool(local.get(r)) or r in in_cross
        if any(reading.breaks_row for reading in readings[r]):
            why = REASON_ROW_BROKEN
        elif how == "budget":
            why = REASON_BUDGET
        elif how == "conflict":
            why = REASON_CONFLICT
        elif touched:
            why = REASON_SEVERAL
        else:
            why = REASON_NO_RULE
        out.append(_cells(row, [readings[r][i] for i in kept[r]], readings[r][chosen[r]], why))
    return out


_CLASSIFIED: dict[tuple[int, tuple[int, ...]], tuple[object, _Classified]] = {}


_Cross = tuple[dict[int, tuple[tuple[int, int], ...]], frozenset[int], tuple[int, ...], tuple[int, ...]]
"""A cross-row rule: per row it touches, its (row-local cell, coefficient) terms; the row-local cells it touches
(the rules of one 表三 column touch one cell of each row); its cells' global indexes and coefficients."""
_Classified = tuple[dict[int, list[list[tuple[int, int]]]], list[_Cross], frozenset[int]]


def _classify(constraints: Sequence[Constraint], counts: tuple[int, ...]) -> _Classified:
    """(per row its own rules in row-local cell indexes, the cross-row rules, the rows they touch); cached for
    the parser's cached constraint tuples (the same few recur from report to report)."""
    key = (id(constraints), counts)
    hit = _CLASSIFIED.get(key)
    if hit is not None and hit[0] is constraints:
        return hit[1]
    bases: list[int] = []
    base = 0
    for count in counts:
        bases.append(base)
        base += count
    row_of = [r for r, count in enumerate(counts) for _ in range(count)]
    local: dict[int, list[list[tuple[int, int]]]] = {}
    cross: list[_Cross] = []
    in_cross: set[int] = set()
    for constraint in constraints:
        terms = _terms(constraint)
        if not terms:
            continue
        by_row: dict[int, list[tuple[int, int]]] = {}
        for g, c in terms:
            by_row.setdefault(row_of[g], []).append((g - bases[row_of[g]], c))
        if len(by_row) == 1:
            ((r, row_terms),) = by_row.items()
            local.setdefault(r, []).append(row_terms)
        else:
            in_cross.update(by_row)
            cross.append(
                (
                    {r: tuple(row_terms) for r, row_terms in by_row.items()},
                    frozenset(k for row_terms in by_row.values() for k, _ in row_terms),
                    tuple(g for g, _ in terms),
                    tuple(c for _, c in terms),
                )
            )
    result = (local, cross, frozenset(in_cross))
    if isinstance(constraints, tuple):
        if len(_CLASSIFIED) > 256:
            _CLASSIFIED.clear()
        _CLASSIFIED[key] = (constraints, result)
    return result


@lru_cache(maxsize=4096)
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
    # A lost cell worth nothing reads blank in a row that writes nothing as blank (seed 001); elsewhere it may
    # have been a blank or a 0, which differ in the report: unknown ("n"), never sure.
    nothing: _Key = ("v", None) if None in values and 0 not in values else ("n", None)
    if _FAST_ONE_LOST and found == count - 1 and len(local) == 1 and len(local[0]) == count:
        return _one_lost(row.prefer_leading, values, local[0], negative, nothing)
    in_rule: dict[int, int] = {}
    for j, terms in enumerate(local):
        for k, _ in terms:
            in_rule[k] = -1 if k in in_rule else j  # -1: a cell in two rules (no such form; unknown)
    orders = list(combinations(range(count), found))
    if row.prefer_leading:
        orders.reverse()  # missing cells first: values keep to the right, where the total column is
    out: list[_Reading] = []
    broken: list[_Reading] = []
    """Placements with the lost cells blank that break the row's own rule."""
    seen: set[tuple[_Key, ...]] = set()
    for positions in orders:
        sources = [-1] * count
        for i, p in enumerate(positions):
            sources[p] = i
        base: list[_Key] = [("v", values[s]) if s >= 0 else nothing for s in sources]
        # Options per rule for its lost cells: a list of {cell: key}. A rule no option meets (the report's own
        # error in that rule, e.g. one 表四 group, or a loss elsewhere) gets its lost cells blank, and the
        # placement's readings count as breaking the row's rules.
        choices: list[list[dict[int, _Key]]] = []
        breaks = False
        blank_meets = True
        """The lost cells blank, the row's own rules hold."""
        for terms in local:
            rest = 0.0
            lost: list[tuple[int, int]] = []
            for k, coeff in terms:
                source = sources[k]
                if source < 0:
                    lost.append((k, coeff))
                else:
                    rest += coeff * (values[source] or 0)
            blank_meets = blank_meets and abs(rest) < _EPS
            options = _lost_options(rest, lost, negative, in_rule, nothing)
            if not options:
                breaks = True
                options = [{k: nothing for k, _ in lost}]
            choices.append(options)
        if not blank_meets:
            broken.append(
                _Reading(tuple(base), tuple(sources), True)
            )  # lost cells blank: the row rule breaks
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
            if breaks:
                broken.append(_Reading(key_tuple, tuple(sources), True))
                if len(broken) > 4 * MAX_READINGS:
                    return []
                continue
            if key_tuple in seen:
                continue
            seen.add(key_tuple)
            out.append(_Reading(key_tuple, tuple(sources)))
        if len(out) > MAX_READINGS:
            return []
    if not any(_plain(reading) for reading in out):
        # No placement of the cells read meets the row's own rules: the row itself may be wrong (the report's
        # error), so every placement stays, beside the readings that lost a value.
        known = {reading.keys for reading in out}
        for reading in broken:
            if reading.keys not in known:
                known.add(reading.keys)
                out.append(reading)
        if len(out) > MAX_READINGS:
            return []
    out.sort(key=lambda reading: sum(k[0] in "xw" for k in reading.keys))  # lost values and unknowns last
    return out


def _one_lost(
    leading: bool, values: list[Number | None], terms: list[tuple[int, int]], negative: bool, nothing: _Key
) -> list[_Reading]:
    """_lost_readings for the common case, one cell lost from a row whose one rule covers every cell (a 表三
    row): the same readings in the same order, with prefix sums instead of a pass per placement."""
    count = len(values) + 1
    coeff = [0] * count
    for k, c in terms:
        coeff[k] = c
    numbers = [v or 0 for v in values]
    before = [0.0] * (count + 1)  # before[k]: the rule's sum over places < k (cell j at place j)
    for j in range(count - 1):
        before[j + 1] = before[j] + coeff[j] * numbers[j]
    after = [0.0] * (count + 1)  # after[k]: the sum over places > k (cell j - 1 at place j)
    for j in range(count - 1, 0, -1):
        after[j - 1] = after[j] + coeff[j] * numbers[j - 1]
    keys = [("v", v) for v in values]
    out: list[_Reading] = []
    broken: list[_Reading] = []
    seen: set[tuple[_Key, ...]] = set()
    for k in range(count) if leading else range(count - 1, -1, -1):
        rest = before[k] + after[k]
        sources = (*range(k), -1, *range(k, count - 1))
        base = (*keys[:k], nothing, *keys[k:])
        if abs(rest) < _EPS:
            if base not in seen:
                seen.add(base)
                out.append(_Reading(base, sources))
            continue
        broken.append(_Reading(base, sources, True))
        value = -rest / coeff[k]
        if value < 0 and not negative:
            continue
        number: Number = round(value) if abs(value - round(value)) < _EPS else value
        lost = (*keys[:k], ("x", number), *keys[k:])
        if lost not in seen:
            seen.add(lost)
            out.append(_Reading(lost, sources))
    if not any(_plain(reading) for reading in out):
        for reading in broken:
            if reading.keys not in seen:
                seen.add(reading.keys)
                out.append(reading)
    out.sort(key=lambda reading: sum(key[0] in "xw" for key in reading.keys))
    return out


def _plain(reading: _Reading) -> bool:
    """Neither a lost value nor an unknown in the reading."""
    return all(key[0] in "vn" for key in reading.keys)


def _lost_options(
    rest: float, lost: list[tuple[int, int]], negative: bool, in_rule: dict[int, int], nothing: _Key
) -> list[dict[int, _Key]]:
    """What the lost cells of one rule (sum coeff * value == 0, `rest` the cells read) may hold."""
    blank: dict[int, _Key] = {k: nothing for k, _ in lost}
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
    """Readings of a row holding more cells than columns: the surplus cells are ghost columns (merged cells),
    which hold nothing (blank or 0); every order-preserving choice of `count` cells whose dropped cells are
    such. (Dropping a repeated value too would let a wrong report's sums pick a wrong choice.) A choice of any `count` of the values would let the rules pick a
    wrong one (seven of twelve values that happen to be 0 always meet the row total)."""
    count = row.count
    cells = row.cells
    found = len(cells)
    if found > 2 * count:
        return []  # more than one row's worth of values: not ghost columns
    values = [c.value for c in cells]
    if not values[0] and values.count(values[0]) == found:
        # Every cell worth the same nothing (seed 004's twelve zeros): one reading.
        return [_Reading((("v", values[0]),) * count, tuple(range(count)))]
    droppable = [not value for value in values]
    out: list[_Reading] = []
    every: list[_Reading] = []
    """Choices that break the row's own rule: kept when none meets it (the row itself may be wrong)."""
    seen: set[tuple[_Key, ...]] = set()
    chosen: list[int] = []
    steps = [ROW_STEP_BUDGET]

    def walk(start: int) -> bool:
        depth = len(chosen)
        if depth == count:
            if not all(droppable[start:]):
                return True
            keys = tuple(("v", values[i]) for i in chosen)
            if keys in seen:
                return True
            seen.add(keys)
            meets = all(abs(sum(c * (values[chosen[k]] or 0) for k, c in terms)) < _EPS for terms in local)
            (out if meets else every).append(_Reading(keys, tuple(chosen), not meets))
            return len(out) + len(every) <= MAX_READINGS
        tried: set[Number | None] = set()
        for i in range(start, found - (count - depth) + 1):
            steps[0] -= 1
            if steps[0] < 0:
                return False
            value = values[i]
            if not value:
                if value in tried:
                    continue  # an earlier cell worth the same nothing leads to every reading this one does
                tried.add(value)
            chosen.append(i)
            ok = walk(i + 1)
            chosen.pop()
            if not ok:
                return False
            if not droppable[i]:
                break  # cell i cannot be skipped: it must be the next cell kept
        return True

    if not walk(0):
        return []
    return out or every


# --------------------------------------------------------------------------------------------------------
# Combining the rows


_Rule = tuple[float, dict[int, list[float | None]]]
"""A cross-row rule: its constant part (rows with one reading) and, per open row, what each reading adds (None:
unknown). It holds when the constant and the chosen readings' amounts add up to 0."""


def _solve(
    readings: list[list[_Reading]], cross: list[_Cross], flat: list[float], bases: list[int]
) -> tuple[list[list[int]], list[int], str]:
    """(per row the readings kept, the reading shown per row, how: "ok" | "conflict" | "budget"). `flat`: every
    cell's number in a sum when its row has one reading (NaN: unknown), 0 in the rows still open; `bases`: where
    each row's cells start in it (and where they end, last)."""
    n = len(readings)
    kept = [list(range(len(readings[r]))) for r in range(n)]
    shown = [0] * n
    open_rows: list[int] = []
    for r in range(n):
        if len(readings[r]) < 2:
            continue
        if any(reading.breaks_row for reading in readings[r]):
            # No placement with the lost cells blank meets the row's own rules: it lost a value, or the report's
            # row is wrong. Which, and where, the other rows' rules must not decide (they would place a loss the
            # report's own error explains): the row keeps every reading, and its cells take part in no rule.
            for k in range(bases[r], bases[r + 1]):
                flat[k] = _NAN
            continue
        open_rows.append(r)
    if not open_rows:
        return kept, shown, "ok"
    position = {r: p for p, r in enumerate(open_rows)}
    rules: list[_Rule] = []
    signatures: list[frozenset[int]] = []
    numbers = {r: [[_number(key) for key in reading.keys] for reading in readings[r]] for r in open_rows}
    """Per open row, per reading, the numbers its cells add to a sum (None: unknown)."""
    varying = {
        r: frozenset(
            k
            for k, column in enumerate(zip(*numbers[r], strict=True))
            if column.count(column[0]) != len(column)
        )
        for r in open_rows
    }
    """Per open row, the cells its readings disagree on (in a sum)."""
    open_set = frozenset(open_rows)
    for by_row, signature, cells_at, coefficients in cross:
        open_touched = sorted(open_set.intersection(by_row))
        if not any(k in varying[r] for r in open_touched for k, _ in by_row[r]):
            continue  # the same whatever the placement: the rule tells nothing about it
        constant = sum(map(mul, coefficients, map(flat.__getitem__, cells_at)))
        if constant != constant:
            continue  # NaN: a cell no reading knows: the rule tells nothing
        open_parts = [(r, by_row[r]) for r in open_touched]
        amounts: dict[int, list[float | None]] = {}
        for r, cells in open_parts:
            column: list[float | None] = []
            for values in numbers[r]:
                total = 0.0
                for k, coeff in cells:
                    value = values[k]
                    if value is None:
                        column.append(None)
                        break
                    total += coeff * value
                else:
                    column.append(total)
            first_amount = column[0]
            if first_amount is not None and column.count(first_amount) == len(column):
                constant += first_amount  # the same whatever the row's reading
            else:
                amounts[position[r]] = column
        if not amounts:
            continue  # settled whatever the placement
        rules.append((constant, amounts))
        signatures.append(signature)
    sizes = [len(readings[r]) for r in open_rows]
    budget = [SEARCH_BUDGET]
    try:
        joint = _exact(sizes, rules, budget)
    except _OutOfSteps:
        return kept, shown, "budget"
    if joint is not None:
        used, first = joint
        for p, r in enumerate(open_rows):
            kept[r] = sorted(used[p])
            shown[r] = first[p]
        return kept, shown, "ok"
    # No placement meets every rule: the report itself is wrong somewhere. The rules are taken group by group
    # (the rules of one column of 表三 form a group); a group no placement meets tells nothing, and two groups
    # that leave one row no reading in common contradict each other: neither is used. Each row keeps the
    # readings every group left in use allows (all of them when they have none in common).
    groups: dict[frozenset[int], list[_Rule]] = {}
    for rule, signature in zip(rules, signatures, strict=True):
        groups.setdefault(signature, []).append(rule)
    narrowed: list[list[set[int] | None]] = []
    for group in groups.values():
        try:
            found = _exact(sizes, group, budget)
        except _OutOfSteps:
            return kept, shown, "budget"
        if found is None:
            continue
        touched = {p for _, amounts in group for p in amounts}
        narrowed.append([found[0][p] if p in touched else None for p in range(len(open_rows))])
    dropped: set[int] = set()
    for i, a in enumerate(narrowed):
        for j in range(i + 1, len(narrowed)):
            b = narrowed[j]
            if any(x is not None and y is not None and not x & y for x, y in zip(a, b, strict=True)):
                dropped.update((i, j))
    for p, r in enumerate(open_rows):
        allowed = set(range(len(readings[r])))
        for i, sets in enumerate(narrowed):
            narrowing = sets[p]
            if i not in dropped and narrowing is not None:
                allowed &= narrowing
        if allowed:
            kept[r] = sorted(allowed)
            shown[r] = kept[r][0]
    return kept, shown, "conflict"


class _OutOfSteps(Exception):
    """The search budget ran out."""


def _exact(
    sizes: list[int], rules: list[_Rule], budget: list[int]
) -> tuple[list[set[int]], list[int]] | None:
    """The readings (per open row) some combination meeting every rule uses, and the first such combination;
    None when none does (raises _OutOfSteps when the search runs out of steps). Rows no rule touches keep
    all their readings."""
    domains = [list(range(size)) for size in sizes]
    linked: list[tuple[float, list[tuple[int, list[float | None]]]]] = []
    for constant, amounts in rules:
        if len(amounts) == 1:  # one row open: the rule keeps the readings that meet it
            ((p, column),) = amounts.items()
            domains[p] = [i for i in domains[p] if column[i] is None or abs(constant + column[i]) < _EPS]  # type: ignore[operator]
            if not domains[p]:
                return None
        else:
            linked.append((constant, list(amounts.items())))
    touched = sorted({p for _, parts in linked for p, _ in parts})
    order = sorted(touched, key=lambda p: len(domains[p]))
    depth_of = {p: d for d, p in enumerate(order)}
    closing: list[list[tuple[float, list[tuple[int, list[float | None]]]]]] = [[] for _ in order]
    for rule in linked:
        closing[max(depth_of[p] for p, _ in rule[1])].append(rule)
    choice = [domain[0] for domain in domains]
    used: list[set[int]] = [set() if p in depth_of else set(domains[p]) for p in range(len(sizes))]
    found = [False]

    def walk(depth: int) -> bool:
        if depth == len(order):
            if not found[0]:
                found[0] = True
                first[:] = choice
            for p in order:
                used[p].add(choice[p])
            return True
        p = order[depth]
        checks = closing[depth]
        for i in domains[p]:
            budget[0] -= 1
            if budget[0] < 0:
                return False
            choice[p] = i
            for constant, parts in checks:
                total = constant
                for q, column in parts:
                    value = column[choice[q]]
                    if value is None:
                        break
                    total += value
                else:
                    if abs(total) >= _EPS:
                        break
                    continue
            else:
                if not walk(depth + 1):
                    return False
        return True

    first = list(choice)
    if not walk(0):
        raise _OutOfSteps
    if not found[0]:
        return None
    return used, first


def _cells(row: PlaceRow, kept: list[_Reading], shown: _Reading, why: str) -> Placed:
    """The row's cells as `shown`, sure where every kept reading gives the same value."""
    cells = row.cells
    if len(kept) == 1 and all(source >= 0 for source in shown.sources) and not shown.breaks_row:
        # One reading of cells read (ghost columns holding nothing): every cell as read.
        out = [cells[source] for source in shown.sources]
        return Placed(out, all(cell.sure for cell in out))
    prefix = row.reason.replace(_ROW_REASON_TAIL, "") + "；" if row.reason else ""
    out = []
    all_sure = True
    single = len(kept) == 1 and not shown.breaks_row  # a reading that breaks the row's rule confirms nothing
    for k in range(row.count):
        key = shown.keys[k]
        agree = single or (not shown.breaks_row and all(reading.keys[k] == key for reading in kept))
        source = shown.sources[k]
        if key[0] == "x":
            # Not in the document: shown empty (a value needs a source), the number the row total asks in the flag.
            out.append(CellRead(None, sure=False, flag=prefix + REASON_LOST.format(key[1])))
            all_sure = False
            continue
        if key[0] in "wn" or source < 0:
            sure = agree and key[0] == "v"
            reason = REASON_NOTHING if agree and key[0] == "n" else why
            out.append(CellRead(None, sure=sure, flag=None if sure else prefix + reason))
            all_sure &= sure
            continue
        cell = cells[source]
        if agree and cell.sure:
            out.append(CellRead(cell.value, cell.start, cell.end, True, None))
        elif agree:
            out.append(CellRead(cell.value, cell.start, cell.end, False, cell.flag))
            all_sure = False
        else:
            out.append(CellRead(cell.value, cell.start, cell.end, False, prefix + why))
            all_sure = False
    return Placed(out, all_sure)
