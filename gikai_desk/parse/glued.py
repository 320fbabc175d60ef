"""Split table cells that arrive glued together without separators, using the 勾稽关系 as constraints."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from gikai_desk.forms import FormBook

MAX_CELL_DIGITS = 15
"""A cell holds at most this many digits; longer readings are not considered numbers."""
ROW_NODE_BUDGET = 50_000
"""Search steps spent enumerating the splits of one row before giving up on it."""
TABLE_NODE_BUDGET = 30_000
"""Search and sum-range steps spent on all the rows of one call together (a 表三 of 25 glued rows of 3-4 digit
counts takes up to ~18,000): once spent, the rows left are treated as having too many splits. Bounds the time a
table of hostile glued rows takes to well under 0.1 s."""
ROW_CANDIDATE_CAP = 4_096
"""Splits of one row kept at most; a row with more is treated as unsplittable with certainty."""
SEARCH_NODE_BUDGET = 200_000
"""Search steps spent combining rows through the cross-row constraints."""
MAX_ROW_CELLS = 200
"""Rows said to hold more cells than this are not split at all."""

REASON_NO_RULE = "粘连数字有多种拆分方式，且无勾稽关系可据以判断，请人工核对"
REASON_SEVERAL = "粘连数字有多种拆分方式均满足勾稽关系，请人工核对"
REASON_CONFLICT = "粘连数字的任何拆分都不能同时满足勾稽关系，已按本行可能的拆分取值，请人工核对"
REASON_ROW_CONFLICT = "粘连数字的任何拆分都不满足本行的合计关系，请人工核对"
REASON_TOO_MANY = "粘连数字过长，可能的拆分过多，无法确定，请人工核对"
REASON_UNREADABLE = "粘连数字无法拆分为应有的单元格数，请人工核对"

_UNITS = ("万元", "亿元", "千元", "元")
_NUMBER_CHARS = frozenset("0123456789.+-")
_CELL_PATTERN = re.compile(r"[+-]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_CHAR_MAP = {
    **{chr(0xFF10 + d): str(d) for d in range(10)},
    "．": ".",
    "＋": "+",
    "－": "-",
    "−": "-",
}


@dataclass(frozen=True)
class Constraint:
    """sum(values[plus]) == sum(values[minus]), over global row-major cell indexes."""

    plus: tuple[int, ...]
    minus: tuple[int, ...]


@dataclass(frozen=True)
class GluedCell:
    """One cell read out of a glued row; start/end are offsets within that row's blob."""

    value: int | float | None
    """The number read (the most plausible reading when not sure); None when the row cannot be split."""
    start: int
    end: int
    sure: bool
    reason: str | None = None
    """Why the cell is not sure (Chinese), None when sure."""
    unit: str = ""
    """A unit written after the number (元, 万元 ...), included in [start, end)."""


@dataclass
class GluedSolution:
    """The split of every glued row, cell by cell in global order, and how certain it is."""

    cells: list[GluedCell]
    solutions: int
    """Number of splits satisfying every constraint that were found (capped at max_solutions)."""
    ambiguous: bool
    reason: str | None
    ambiguous_rows: tuple[int, ...] = field(default_factory=tuple)
    """Rows holding at least one unsure cell."""

    @property
    def candidates(self) -> int:
        """Alias of `solutions`."""
        return self.solutions


class _Read(NamedTuple):
    """One reading of one cell: its text, scaled integer value and span in the blob."""

    text: str
    scaled: int
    start: int
    end: int
    unit: str


_Split = tuple[_Read, ...]
_EMPTY_RANGE = (1, 0)
_ANY_RANGE = (-(10**400), 10**400)
_UNKNOWN = ("too_many", "too_long", "unreadable")
"""Row states whose values are not known well enough to take part in cross-row constraints."""


@dataclass
class _Run:
    """A maximal run of number characters in a blob, with a unit that may follow it."""

    start: int
    end: int
    unit: str = ""
    unit_end: int = 0


@dataclass
class _Row:
    index: int
    blob: str
    count: int
    base: int
    local: list[list[tuple[int, int]]] = field(default_factory=list)
    """Row-local constraints as (local cell index, coefficient) lists."""
    splits: list[_Split] = field(default_factory=list)
    """Splits satisfying the row-local constraints (or every split when none does)."""
    conflict: bool = False
    """No split meets the row's own constraints."""
    status: str = "ok"
    """ok | conflict (no split meets the row's own constraints) | too_many | too_long | unreadable."""


def solve_glued(
    blobs: Sequence[str],
    counts: Sequence[int],
    constraints: Sequence[Constraint],
    max_solutions: int = 64,
) -> GluedSolution:
    """Split every glued row into its cells so that every constraint holds; flag what stays ambiguous."""
    if len(blobs) != len(counts):
        raise ValueError("blobs and counts differ in length")
    if any(c < 0 for c in counts):
        raise ValueError("negative cell count")
    max_solutions = max(1, max_solutions)
    rows: list[_Row] = []
    base = 0
    for index, (blob, count) in enumerate(zip(blobs, counts, strict=True)):
        rows.append(_Row(index=index, blob=blob, count=count, base=base))
        base += count
    total_cells = base
    row_of = [row.index for row in rows for _ in range(row.count)]

    cross: list[list[tuple[int, int]]] = []
    for constraint in constraints:
        terms = _terms(constraint, total_cells)
        if not terms:
            continue
        involved = {row_of[g] for g, _ in terms}
        if len(involved) == 1:
            row = rows[involved.pop()]
            row.local.append([(g - row.base, coeff) for g, coeff in terms])
        else:
            cross.append(terms)

    scale = _decimal_scale(blobs)
    budget = TABLE_NODE_BUDGET
    for row in rows:
        budget -= _enumerate_row(row, scale, budget)

    outcomes: dict[int, _Outcome] = {}
    solution_total = 1
    for component_rows, component_constraints in _components(rows, cross, row_of):
        outcome = _solve_component(component_rows, component_constraints, row_of, max_solutions)
        solution_total = min(max_solutions, solution_total * outcome.found)
        for row in component_rows:
            outcomes[row.index] = outcome

    cells: list[GluedCell] = []
    ambiguous_rows: list[int] = []
    messages: list[str] = []
    for row in rows:
        row_cells = _row_cells(row, outcomes[row.index])
        cells.extend(row_cells)
        unsure = [cell for cell in row_cells if not cell.sure]
        if unsure:
            ambiguous_rows.append(row.index)
            messages.extend(cell.reason for cell in unsure if cell.reason)
    return GluedSolution(
        cells=cells,
        solutions=solution_total,
        ambiguous=bool(ambiguous_rows),
        reason="；".join(dict.fromkeys(messages)) if messages else None,
        ambiguous_rows=tuple(ambiguous_rows),
    )


def _terms(constraint: Constraint, total_cells: int) -> list[tuple[int, int]]:
    """The constraint as (global index, coefficient) terms with `plus` positive; cancelled terms dropped."""
    coeff: dict[int, int] = {}
    for sign, indexes in ((1, constraint.plus), (-1, constraint.minus)):
        for g in indexes:
            if not 0 <= g < total_cells:
                raise ValueError(f"constraint cell index {g} outside 0..{total_cells - 1}")
            coeff[g] = coeff.get(g, 0) + sign
    return [(g, c) for g, c in sorted(coeff.items()) if c != 0]


def _normalise(blob: str) -> str:
    """Full-width digits and signs as ASCII, one character for one, so offsets stay valid."""
    return "".join(_CHAR_MAP.get(ch, ch) for ch in blob)


def _runs(text: str) -> list[_Run]:
    runs: list[_Run] = []
    i = 0
    n = len(text)
    while i < n:
        if text[i] not in _NUMBER_CHARS:
            i += 1
            continue
        j = i
        while j < n and text[j] in _NUMBER_CHARS:
            j += 1
        run = _Run(start=i, end=j, unit_end=j)
        for unit in _UNITS:
            if text.startswith(unit, j):
                run.unit = unit
                run.unit_end = j + len(unit)
                break
        runs.append(run)
        i = run.unit_end
    return runs


def _decimal_scale(blobs: Sequence[str]) -> int:
    """Decimal places every value is scaled by, so sums are exact integer arithmetic."""
    scale = 0
    for blob in blobs:
        for match in re.finditer(r"\.([0-9]+)", _normalise(blob)):
            scale = max(scale, min(len(match.group(1)), MAX_CELL_DIGITS))
    return scale


def _scaled(text: str, scale: int) -> int:
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    whole, _, frac = body.partition(".")
    return sign * int(whole + frac.ljust(scale, "0"))


def _cell_ends(text: str, run: _Run) -> dict[int, list[int]]:
    """For each start offset in the run, the end offsets making a valid number."""
    ends: dict[int, list[int]] = {}
    if text[run.start : run.end].isdigit():
        # digits only (no sign, no point): every digit string without a leading 0, up to MAX_CELL_DIGITS
        for i in range(run.start, run.end):
            ends[i] = [i + 1] if text[i] == "0" else list(range(i + 1, min(i + MAX_CELL_DIGITS, run.end) + 1))
        return ends
    for i in range(run.start, run.end):
        found: list[int] = []
        digits = 0
        for j in range(i + 1, run.end + 1):
            if text[j - 1].isdigit():
                digits += 1
            if digits > MAX_CELL_DIGITS:
                break
            if j < run.end and text[j] == ".":
                continue  # a decimal point is never the edge of a cell
            if _CELL_PATTERN.fullmatch(text, i, j):
                found.append(j)
        if found:
            ends[i] = found
    return ends


class _RowSplitter:
    """The valid ways to cut one row's text into numbers: cell ends per start, feasibility, enumeration."""

    def __init__(self, blob: str, count: int, scale: int) -> None:
        self.text = _normalise(blob)
        self.count = count
        self.scale = scale
        self.runs = _runs(self.text)
        self.ends: dict[int, list[int]] = {}
        self.run_of: dict[int, int] = {}
        for r, run in enumerate(self.runs):
            for start, found in _cell_ends(self.text, run).items():
                self.ends[start] = found
                self.run_of[start] = r
        self.end_mark = len(self.text) + 1
        self._digit_prefix: list[int] = [0]
        for ch in self.text:
            self._digit_prefix.append(self._digit_prefix[-1] + ch.isdigit())
        self._feasible: dict[tuple[int, int, int], bool] = {}
        self._reads: dict[tuple[int, int], _Read] = {}
        self._sums: dict[tuple[int, int, int], tuple[int, int]] = {}
        self.budget = 0
        """Steps left to the running enumerate() (its search and sum-range pruning share them)."""
        self.steps = 0
        """Steps taken by enumerate() calls so far."""

    @property
    def first(self) -> int:
        return self.runs[0].start if self.runs else self.end_mark

    def next_start(self, end: int, r: int) -> int:
        """Where the next cell starts after a cell ending at `end` in run r (runs end at a boundary)."""
        if end < self.runs[r].end:
            return end
        return self.runs[r + 1].start if r + 1 < len(self.runs) else self.end_mark

    def digits_before(self, pos: int) -> int:
        return self._digit_prefix[min(pos, len(self.text))]

    def can_finish(self, pos: int, k: int) -> bool:
        """The text from `pos` on can be cut into exactly k valid numbers."""
        return self.can_reach(pos, k, self.end_mark)

    def can_reach(self, pos: int, k: int, stop: int) -> bool:
        """The text from `pos` up to the cell start `stop` can be cut into exactly k valid numbers."""
        if pos == stop:
            return k == 0
        key = (pos, k, stop)
        cached = self._feasible.get(key)
        if cached is not None:
            return cached
        cached = False
        ends = self.ends.get(pos)
        if k and ends is not None:
            prefix = self._digit_prefix
            last = len(prefix) - 1
            digits = prefix[stop if stop < last else last] - prefix[pos if pos < last else last]
            if k <= digits <= k * MAX_CELL_DIGITS:
                r = self.run_of[pos]
                for end in ends:
                    if end > stop:
                        break
                    if self.can_reach(stop if end == stop else self.next_start(end, r), k - 1, stop):
                        cached = True
                        break
        self._feasible[key] = cached
        return cached

    def sum_range(self, pos: int, k: int, stop: int) -> tuple[int, int]:
        """The smallest and the largest sum (scaled) of k numbers the text from `pos` up to `stop` can be cut
        into; (1, 0) (empty) when it cannot be. Takes steps from the running enumerate()'s budget; once it is
        spent, unknown ranges are unbounded (no pruning, never wrong)."""
        if k == 0:
            return (0, 0) if pos == stop else _EMPTY_RANGE
        if pos == stop:
            return _EMPTY_RANGE
        key = (pos, k, stop)
        cached = self._sums.get(key)
        if cached is not None:
            return cached
        if self.budget <= 0:
            return _ANY_RANGE
        low: int | None = None
        high = 0
        ends = self.ends.get(pos)
        if ends is not None:
            r = self.run_of[pos]
            for end in ends:
                if end > stop:
                    break
                self.budget -= 1
                rest_low, rest_high = self.sum_range(
                    stop if end == stop else self.next_start(end, r), k - 1, stop
                )
                if rest_low > rest_high:
                    continue
                value = self.read(pos, end, r).scaled
                low = value + rest_low if low is None else min(low, value + rest_low)
                high = max(high, value + rest_high)
        cached = _EMPTY_RANGE if low is None else (low, high)
        self._sums[key] = cached
        return cached

    def following(self, end: int, r: int, stop: int) -> int:
        return stop if end == stop else self.next_start(end, r)

    def read(self, pos: int, end: int, r: int) -> _Read:
        key = (pos, end)
        cached = self._reads.get(key)
        if cached is None:
            cached = self._reads[key] = self._read(pos, end, r)
        return cached

    def _read(self, pos: int, end: int, r: int) -> _Read:
        run = self.runs[r]
        cell_text = self.text[pos:end]
        value = _scaled(cell_text, self.scale)
        if end == run.end and run.unit:
            return _Read(cell_text, value, pos, run.unit_end, run.unit)
        return _Read(cell_text, value, pos, end, "")

    def enumerate(
        self, local: list[list[tuple[int, int]]], node_budget: int = ROW_NODE_BUDGET
    ) -> list[_Split] | None:
        """Every split meeting the `local` constraints; None when the budget (`node_budget` search steps, taken
        ones counted in self.steps) or the cap runs out.

        Constraints are checked as soon as a cell is placed: exactly once all their cells are known,
        and, when no value can be negative, as bounds before (a part may not exceed its total). When the
        last cell takes part in a constraint (a row total) it is placed first, so the bound bites early.
        """
        count = self.count
        may_be_negative = "-" in self.text
        constraints_of: dict[int, list[list[tuple[int, int]]]] = {}
        for terms in local:
            for k, _ in terms:
                constraints_of.setdefault(k, []).append(terms)
        unit_terms = {id(terms) for terms in local if all(abs(coeff) == 1 for _, coeff in terms)}
        values: list[int | None] = [None] * count
        found: list[_Split] = []
        current: list[_Read] = []
        node_budget = max(0, node_budget)
        self.budget = node_budget

        def room(terms: list[tuple[int, int]]) -> tuple[int, int, int] | None:
            """(what the open cells must add up to, how many are open, their smallest |coefficient|) when
            no value can be negative and every open cell counts with the same sign; None otherwise."""
            fixed = 0
            signs = 0
            opened = 0
            smallest = 0
            for i, coeff in terms:
                value = values[i]
                if value is None:
                    signs |= 1 if coeff > 0 else 2
                    opened += 1
                    smallest = abs(coeff) if opened == 1 else min(smallest, abs(coeff))
                else:
                    fixed += coeff * value
            if opened == 0:
                return (fixed, 0, 1) if fixed == 0 else (-1, 0, 1)
            if may_be_negative or signs == 3:
                return None
            return (-fixed if signs == 1 else fixed, opened, smallest)

        def holds(k: int, following: int, stop: int, remaining: int) -> bool:
            """The constraints of the just-placed cell k can still be met by the cells not yet placed."""
            for terms in constraints_of.get(k, ()):
                need = room(terms)
                if need is None:
                    continue
                total, opened, smallest = need
                if total < 0:
                    return False
                if opened == 0:
                    continue
                digits = self.digits_before(stop) - self.digits_before(following)
                if total > opened * int(10 ** max(0, digits - opened + 1 + self.scale)):
                    return False  # the open cells cannot add up to that much
                if (
                    opened == remaining
                    and self.scale == 0
                    and digits > remaining * len(str(total // smallest))
                ):
                    return False  # every open cell is at most `total`: too many digits left for them
                if opened == remaining and id(terms) in unit_terms:
                    low, high = self.sum_range(following, opened, stop)
                    if not low <= total <= high:
                        return False  # no cut of the text left adds up to `total`
            return True

        def cap(k: int) -> int | None:
            """The largest value cell k may take before one of its constraints overflows."""
            limit: int | None = None
            for terms in constraints_of.get(k, ()):
                need = room(terms)
                if need is not None and need[1] > 0:
                    coeff = next(abs(c) for i, c in terms if i == k)
                    limit = need[0] // coeff if limit is None else min(limit, need[0] // coeff)
            return limit

        def walk(pos: int, k: int, stop: int, tail: tuple[_Read, ...]) -> bool:
            """Place cell k at `pos`; False once the budget or the cap is exhausted."""
            if pos == stop:
                found.append((*current, *tail))
                return len(found) < ROW_CANDIDATE_CAP
            r = self.run_of[pos]
            remaining = count - len(tail) - k - 1
            most = cap(k)
            for end in self.ends[pos]:
                if end > stop:
                    break
                self.budget -= 1
                if self.budget < 0:
                    return False
                following = self.following(end, r, stop)
                if not self.can_reach(following, remaining, stop):
                    continue
                read = self.read(pos, end, r)
                if most is not None and read.scaled > most:
                    break  # longer readings only grow
                current.append(read)
                values[k] = read.scaled
                ok = walk(following, k + 1, stop, tail) if holds(k, following, stop, remaining) else True
                values[k] = None
                current.pop()
                if not ok:
                    return False
            return True

        last = count - 1
        try:
            if count < 2 or last not in constraints_of:
                return found if walk(self.first, 0, self.end_mark, ()) else None
            last_run = len(self.runs) - 1
            run_end = self.runs[last_run].end
            for start in range(self.runs[last_run].start, run_end):
                if run_end not in self.ends.get(start, ()) or not self.can_reach(self.first, last, start):
                    continue
                read = self.read(start, run_end, last_run)
                values[last] = read.scaled
                if holds(last, self.first, start, last) and not walk(self.first, 0, start, (read,)):
                    return None
                values[last] = None
            return found
        finally:
            self.steps += node_budget - max(self.budget, 0)

    def balanced(self) -> _Split:
        """The valid split with the most even digit lengths (a guess shown for review, never trusted)."""
        best: dict[tuple[int, int], tuple[int, int] | None] = {}
        """(pos, cells left) -> (smallest cost of the rest, end of the cell at pos in that reading), or None when
        the text from pos cannot be cut into that many numbers."""
        end_mark = self.end_mark
        prefix = self._digit_prefix
        digits_total = prefix[-1]

        def cost(pos: int, k: int) -> int | None:
            if pos == end_mark:
                return 0 if k == 0 else None
            key = (pos, k)
            if key in best:
                found = best[key]
                return None if found is None else found[0]
            result: tuple[int, int] | None = None
            ends = self.ends.get(pos)
            if k and ends is not None and k <= digits_total - prefix[pos] <= k * MAX_CELL_DIGITS:
                r = self.run_of[pos]
                for end in ends:
                    rest = cost(self.next_start(end, r), k - 1)
                    if rest is None:
                        continue
                    total = (end - pos) ** 2 + rest
                    if result is None or total < result[0]:
                        result = (total, end)
            best[key] = result
            return None if result is None else result[0]

        cost(self.first, self.count)
        reads: list[_Read] = []
        pos = self.first
        k = self.count
        while pos != self.end_mark:
            step = best[(pos, k)]
            assert step is not None  # only called where can_finish(first, count) holds
            end = step[1]
            r = self.run_of[pos]
            reads.append(self.read(pos, end, r))
            pos = self.next_start(end, r)
            k -= 1
        return tuple(reads)


def _enumerate_row(row: _Row, scale: int, budget: int) -> int:
    """Fill row.splits and row.status: the splits meeting the row's own constraints, bounded by
    ROW_NODE_BUDGET per enumeration and `budget` search steps in all; returns the steps taken."""
    if row.count == 0:
        return 0
    if row.count > MAX_ROW_CELLS:
        row.status = "too_long"
        return 0
    text = _normalise(row.blob)
    if sum(ch.isdigit() for ch in text) > row.count * MAX_CELL_DIGITS:
        row.status = "unreadable"
        return 0
    chars = [i for i, ch in enumerate(text) if ch in _NUMBER_CHARS]
    if len(chars) == row.count and all(text[i].isdigit() for i in chars) and "元" not in text[: chars[-1]]:
        # as many digits as cells: one digit per cell is the only possible split
        split = tuple(_Read(text[i], int(text[i]) * 10**scale, i, i + 1, "") for i in chars)
        row.splits = [_with_unit(split, text)]
        meets = all(sum(coeff * split[k].scaled for k, coeff in terms) == 0 for terms in row.local)
        if not meets:
            row.status = "conflict"
        return 0
    splitter = _RowSplitter(row.blob, row.count, scale)
    if not splitter.can_finish(splitter.first, row.count):
        row.status = "unreadable"
        return 0
    meeting = splitter.enumerate(row.local, min(ROW_NODE_BUDGET, budget))
    if meeting is None:
        row.status = "too_many"
        row.splits = [splitter.balanced()]
        return splitter.steps
    if meeting:
        row.splits = meeting
        return splitter.steps
    every = splitter.enumerate([], min(ROW_NODE_BUDGET, budget - splitter.steps))
    if every is None:
        row.status = "too_many"
        row.conflict = True
        row.splits = [splitter.balanced()]
        return splitter.steps
    row.status = "conflict"
    row.splits = every
    return splitter.steps


def _with_unit(split: _Split, text: str) -> _Split:
    """The split with a unit written right after its last number included in that cell."""
    last = split[-1]
    for unit in _UNITS:
        if text.startswith(unit, last.end):
            return (*split[:-1], last._replace(end=last.end + len(unit), unit=unit))
    return split


def _components(
    rows: list[_Row], cross: list[list[tuple[int, int]]], row_of: list[int]
) -> list[tuple[list[_Row], list[list[tuple[int, int]]]]]:
    """Rows linked by cross-row constraints, each group with its constraints (unusable ones dropped)."""
    parent = list(range(len(rows)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    usable: list[list[tuple[int, int]]] = []
    for terms in cross:
        involved = sorted({row_of[g] for g, _ in terms})
        if any(rows[r].status in _UNKNOWN for r in involved):
            continue  # an unknown row makes the constraint useless for the others
        usable.append(terms)
        for r in involved[1:]:
            parent[find(r)] = find(involved[0])
    groups: dict[int, tuple[list[_Row], list[list[tuple[int, int]]]]] = {}
    for row in rows:
        groups.setdefault(find(row.index), ([], []))[0].append(row)
    for terms in usable:
        groups[find(row_of[terms[0][0]])][1].append(terms)
    return list(groups.values())


def _score(split: _Split) -> tuple[int, int]:
    """Smaller is more plausible: repeated equal numbers first, then even digit lengths."""
    distinct = len({read.scaled for read in split})
    return (distinct - len(split), sum((read.end - read.start - len(read.unit)) ** 2 for read in split))


@dataclass
class _Outcome:
    """What the search decided for one group of linked rows."""

    found: int
    chosen: dict[int, _Split] = field(default_factory=dict)
    allowed: dict[int, list[_Split]] = field(default_factory=dict)
    """Per row, the splits some admissible reading uses; a cell is sure when they all agree on it."""
    reason: str | None = None
    """Why cells that differ between allowed splits are unsure."""


def _solve_component(
    rows: list[_Row],
    constraints: list[list[tuple[int, int]]],
    row_of: list[int],
    max_solutions: int,
) -> _Outcome:
    if not constraints:
        return _solve_alone(rows[0], max_solutions)
    position = {row.index: p for p, row in enumerate(rows)}
    # contribution[c][p][i]: what split i of row p adds to constraint c.
    contribution: list[dict[int, list[int]]] = []
    for terms in constraints:
        per_row: dict[int, list[tuple[int, int]]] = {}
        for g, coeff in terms:
            p = position[row_of[g]]
            per_row.setdefault(p, []).append((g - rows[p].base, coeff))
        contribution.append(
            {
                p: [sum(coeff * split[k].scaled for k, coeff in cells) for split in rows[p].splits]
                for p, cells in per_row.items()
            }
        )
    domains = [list(range(len(row.splits))) for row in rows]
    solutions: list[list[int]] = []
    exhausted = False
    if _propagate(domains, contribution):
        exhausted = _search(domains, contribution, solutions, max_solutions)
    if not solutions:
        # Nothing satisfies every constraint: fall back to what each row allows by itself.
        return _Outcome(
            found=0,
            chosen={row.index: min(row.splits, key=_score) for row in rows},
            allowed={row.index: row.splits for row in rows},
            reason=REASON_TOO_MANY if exhausted else REASON_CONFLICT,
        )
    best = min(solutions, key=lambda solution: _total_score(rows, solution))
    complete = not exhausted and len(solutions) < max_solutions
    allowed: dict[int, list[_Split]] = {}
    for p, row in enumerate(rows):
        used = sorted({solution[p] for solution in solutions}) if complete else domains[p]
        allowed[row.index] = [row.splits[i] for i in used]
    return _Outcome(
        found=len(solutions),
        chosen={row.index: row.splits[best[p]] for p, row in enumerate(rows)},
        allowed=allowed,
        reason=REASON_TOO_MANY if exhausted else REASON_SEVERAL,
    )


def _solve_alone(row: _Row, max_solutions: int) -> _Outcome:
    """A row no cross-row constraint reaches: its own splits are all there is."""
    if row.count == 0:
        return _Outcome(found=1)
    if row.status in ("unreadable", "too_long"):
        return _Outcome(found=0)
    if row.status == "too_many":
        return _Outcome(found=max_solutions, chosen={row.index: row.splits[0]}, reason=REASON_TOO_MANY)
    if row.status == "conflict":
        reason = REASON_ROW_CONFLICT
    elif row.local:
        reason = REASON_SEVERAL
    else:
        reason = REASON_NO_RULE
    return _Outcome(
        found=0 if row.status == "conflict" else min(max_solutions, len(row.splits)),
        chosen={row.index: min(row.splits, key=_score)},
        allowed={row.index: row.splits},
        reason=reason,
    )


def _total_score(rows: list[_Row], solution: list[int]) -> tuple[int, int]:
    repeats = 0
    balance = 0
    for p, row in enumerate(rows):
        a, b = _score(row.splits[solution[p]])
        repeats += a
        balance += b
    return repeats, balance


def _propagate(domains: list[list[int]], contribution: list[dict[int, list[int]]]) -> bool:
    """Drop splits that no choice in the other rows can complete (bounds reasoning); False if one empties."""
    changed = True
    while changed:
        changed = False
        for per_row in contribution:
            lows = {p: min(values[i] for i in domains[p]) for p, values in per_row.items()}
            highs = {p: max(values[i] for i in domains[p]) for p, values in per_row.items()}
            low_sum = sum(lows.values())
            high_sum = sum(highs.values())
            for p, values in per_row.items():
                others_low = low_sum - lows[p]
                others_high = high_sum - highs[p]
                kept = [i for i in domains[p] if others_low <= -values[i] <= others_high]
                if len(kept) != len(domains[p]):
                    if not kept:
                        return False
                    domains[p] = kept
                    changed = True
            if changed:
                break
    return True


def _search(
    domains: list[list[int]],
    contribution: list[dict[int, list[int]]],
    solutions: list[list[int]],
    max_solutions: int,
) -> bool:
    """Backtracking over rows (fewest splits first) with bounds pruning; True when the budget ran out."""
    order = sorted(range(len(domains)), key=lambda p: len(domains[p]))
    lows = [
        {p: min(values[i] for i in domains[p]) for p, values in per_row.items()} for per_row in contribution
    ]
    highs = [
        {p: max(values[i] for i in domains[p]) for p, values in per_row.items()} for per_row in contribution
    ]
    touching: dict[int, list[int]] = {}
    for c, per_row in enumerate(contribution):
        for p in per_row:
            touching.setdefault(p, []).append(c)
    fixed = [0] * len(contribution)
    low_rest = [sum(low.values()) for low in lows]
    high_rest = [sum(high.values()) for high in highs]
    choice = [0] * len(domains)
    budget = [SEARCH_NODE_BUDGET]

    def walk(depth: int) -> bool:
        if depth == len(order):
            solutions.append(list(choice))
            return True
        p = order[depth]
        cs = touching.get(p, [])
        for i in domains[p]:
            budget[0] -= 1
            if budget[0] < 0:
                return False
            for c in cs:
                fixed[c] += contribution[c][p][i]
                low_rest[c] -= lows[c][p]
                high_rest[c] -= highs[c][p]
            if all(fixed[c] + low_rest[c] <= 0 <= fixed[c] + high_rest[c] for c in cs):
                choice[p] = i
                if not walk(depth + 1):
                    return False
            for c in cs:
                fixed[c] -= contribution[c][p][i]
                low_rest[c] += lows[c][p]
                high_rest[c] += highs[c][p]
            if len(solutions) >= max_solutions:
                return True
        return True

    # undo bookkeeping is skipped on early exit, which is fine: the state is not reused.
    return not walk(0)


def _row_cells(row: _Row, outcome: _Outcome) -> list[GluedCell]:
    """The row's cells: the chosen reading, sure where every allowed split agrees on value and span."""
    if row.count == 0:
        return []
    chosen = outcome.chosen.get(row.index)
    if chosen is None:
        stripped = row.blob.strip()
        start = row.blob.find(stripped) if stripped else 0
        why = REASON_TOO_MANY if row.status == "too_long" else REASON_UNREADABLE
        return [GluedCell(None, start, start + len(stripped), False, why) for _ in range(row.count)]
    if row.status == "too_many":
        why = REASON_ROW_CONFLICT if row.conflict else REASON_TOO_MANY
        return [GluedCell(_value(r.text), r.start, r.end, False, why, r.unit) for r in chosen]
    allowed = outcome.allowed.get(row.index) or [chosen]
    conflict = row.status == "conflict"
    unsure_reason = REASON_ROW_CONFLICT if conflict else outcome.reason
    cells: list[GluedCell] = []
    for k, r in enumerate(chosen):
        # A row no split explains may have lost a cell: reading its digits as one cell fewer, with the lost
        # cell anywhere holding what the row's total asks, is admissible too, and it disagrees with every
        # split on some cell (the total's place at least), so no cell of such a row is sure.
        sure = not conflict and all(split[k][:4] == r[:4] for split in allowed)
        cells.append(GluedCell(_value(r.text), r.start, r.end, sure, None if sure else unsure_reason, r.unit))
    return cells


def _value(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def rule_constraints(keys: Sequence[str], book: FormBook) -> list[Constraint]:
    """The form's sum rules (T3_ROW_TOTAL, T3_RESULTS_TOTAL, T3_BALANCE, T4_TOTAL) over `keys`.

    `keys` are the canonical cell keys in global cell order. Rows and columns absent from `keys` are
    taken as not part of the form; a rule instance missing one of its cells otherwise is left out (pass a
    cell read elsewhere as a one-cell blob to let it take part).
    """
    index = {key: g for g, key in enumerate(keys)}
    layout: dict[str, tuple[list[str], list[str]]] = {}
    for key in keys:
        table, row, col = key.split(".", 2)
        rows, cols = layout.setdefault(table, ([], []))
        if row not in rows:
            rows.append(row)
        if col not in cols:
            cols.append(col)
    out: list[Constraint] = []

    def add(plus: list[str], minus: list[str]) -> None:
        if plus and minus and all(key in index for key in (*plus, *minus)):
            out.append(Constraint(tuple(index[k] for k in plus), tuple(index[k] for k in minus)))

    for rule in book.rules.values():
        if rule.table is None or rule.table not in layout:
            continue
        rows, cols = layout[rule.table]
        prefix = rule.table
        if rule.kind == "row_sum" and rule.total is not None:
            for row in rows:
                parts = [f"{prefix}.{row}.{c}" for c in rule.parts if c in cols]
                add(parts, [f"{prefix}.{row}.{rule.total}"])
        elif rule.kind == "column_sum" and rule.total is not None:
            for col in cols:
                parts = [f"{prefix}.{r}.{col}" for r in rule.parts if r in rows]
                add(parts, [f"{prefix}.{rule.total}.{col}"])
        elif rule.kind == "balance":
            for col in cols:
                add([f"{prefix}.{r}.{col}" for r in rule.left], [f"{prefix}.{r}.{col}" for r in rule.right])
    return out
