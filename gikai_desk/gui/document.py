"""One report under review: its cells, rule findings and decisions; the object undo commands act on."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping

from PySide6.QtCore import QObject, Signal

from gikai_desk.forms import formbook
from gikai_desk.gui.domain import RuleChecker, rule_engine
from gikai_desk.model import Cell, Number, Report, Violation
from gikai_desk.pending import ReviewItem, pending_counts, review_items
from gikai_desk.review import Decision, DecisionKind
from gikai_desk.rules import carry_findings, check
from gikai_desk.suggest import Suggestion, suggestion
from gikai_desk.workspace import Workspace, check_value

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
CARRIED_IN_PREFIX = "t3.carried_in."
"""Cells whose edits change the report's CROSS_YEAR_CARRY findings (against last year's 结转下年度)."""
CARRIED_OUT_PREFIX = "t3.carried_out."
"""Cells whose edits change next year's report's CROSS_YEAR_CARRY findings."""

# Cell state bits (the grid paints them)
ERROR = 1
WARNING = 2
INFO = 4
UNSURE = 8
CORRECTED = 16
HIGHLIGHT = 32
DECIDED = 64


class ReviewDocument(QObject):
    """A report loaded from the workspace, with its incremental rule engine. Every change is stored at once."""

    cellsChanged = Signal(list)
    """Keys whose value or marking changed."""
    issuesChanged = Signal()
    """Violations or decisions changed."""
    carryOverChanged = Signal()
    storeRefused = Signal(object)  # noqa: RUF100
    """A change the workspace refused or could not store (WorkspaceError): the step was dropped."""
    """A 结转下年度 cell changed: next year's report of the organ has new CROSS_YEAR_CARRY findings."""

    def __init__(
        self,
        store: Workspace,
        rid: int,
        report: Report,
        reviewer: Callable[[], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.rid = rid
        self.report = report
        self._reviewer = reviewer
        self.engine: RuleChecker = rule_engine(report)
        self.decisions: dict[str, Decision] = store.decisions(rid)
        self.highlighted: str | None = None
        """ident of the violation whose cells are highlighted together."""
        self._cross_year: list[Violation] = store.cross_year_violations(rid)
        """CROSS_YEAR_CARRY findings from the workspace (the rule engine sees only this report)."""
        self._violations: list[Violation] = []
        self._items: list[ReviewItem] | None = None
        self._index_violations(self.engine.violations)
        self._index_spans()

    # ------------------------------------------------------------------ reading

    @property
    def violations(self) -> list[Violation]:
        return self._violations

    def value(self, key: str) -> Number | None:
        return self.report.value(key)

    def cell(self, key: str) -> Cell | None:
        return self.report.cells.get(key)

    def violations_of(self, key: str) -> list[Violation]:
        return self._by_cell.get(key, [])

    def violation(self, ident: str) -> Violation | None:
        for violation in self._violations:
            if violation.ident == ident:
                return violation
        return None

    def is_open(self, violation: Violation) -> bool:
        """Still needs the reviewer: no decision recorded."""
        return violation.ident not in self.decisions

    def open_violations(self) -> list[Violation]:
        return [v for v in self._violations if self.is_open(v)]

    def items(self) -> list[ReviewItem]:
        """The issue list: pending items first, in the order to work through them (see gikai_desk.pending)."""
        if self._items is None:
            self._items = review_items(self.report, self._violations, self.decisions)
        return self._items

    def item(self, ident: str) -> ReviewItem | None:
        return next((item for item in self.items() if item.ident == ident), None)

    def pending_items(self) -> list[ReviewItem]:
        return [item for item in self.items() if item.pending]

    def suggestion(self, violation: Violation) -> Suggestion | None:
        """The finding's suggested value, judged against every rule its cell takes part in (cross-year too)."""
        previous = self.store.previous_year_report(self.rid)

        def findings(report: Report) -> list[Violation]:
            return check(report) + (carry_findings(report, previous) if previous is not None else [])

        return suggestion(self.report, violation, self._violations, findings)

    def counts(self) -> tuple[int, int, int]:
        """Pending errors, warnings and unsure rows: the queue's columns, counted as the workspace does."""
        return pending_counts(self.items())

    def state(self, key: str) -> int:
        """Bit set of ERROR/WARNING/INFO/UNSURE/CORRECTED/HIGHLIGHT/DECIDED for one cell."""
        bits = 0
        cell = self.report.cells.get(key)
        if cell is not None:
            if not cell.settled:
                bits |= UNSURE
            if cell.corrected:
                bits |= CORRECTED
        for violation in self._by_cell.get(key, ()):
            if violation.ident == self.highlighted:
                bits |= HIGHLIGHT
            if violation.status != "fail":
                continue
            if not self.is_open(violation):
                bits |= DECIDED
            elif violation.severity == "error":
                bits |= ERROR
            elif violation.severity == "warning":
                bits |= WARNING
            else:
                bits |= INFO
        return bits

    def key_at(self, position: int) -> str | None:
        """The cell whose source span contains text offset `position`, if any."""
        i = bisect.bisect_right(self._span_starts, position) - 1
        while i >= 0:
            start, end, key = self._spans[i]
            if start <= position < end or (position == end and start < end):
                return key
            if self._span_starts[i] < position - 200:
                break
            i -= 1
        return None

    # ------------------------------------------------------------------ changing

    def set_values(
        self,
        changes: Mapping[str, Number | None],
        reason: str | None = None,
        corrected: Mapping[str, bool] | None = None,
    ) -> None:
        """Store new values (one correction per cell), re-check the rules they take part in, notify views."""
        for value in changes.values():
            check_value(value)  # refuse the whole step before anything is stored, never half of it
        reviewer = self._reviewer()
        before = self._states_in_violations()
        for key, value in changes.items():
            self.store.set_cell(self.rid, key, value, reviewer, reason)
            cell = self.report.cells.get(key)
            if cell is None:
                cell = Cell(key=key, parsed=None, raw="")
                self.report.cells[key] = cell
            cell.value = value
            cell.corrected = True if corrected is None else corrected.get(key, True)
        if any(key.startswith(CARRIED_IN_PREFIX) for key in changes):
            self._cross_year = self.store.cross_year_violations(self.rid)
        self._index_violations(self.engine.recheck(list(changes)))
        after = self._states_in_violations()
        affected = set(changes) | {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        self.cellsChanged.emit(sorted(affected))
        self.issuesChanged.emit()
        if any(key.startswith(CARRIED_OUT_PREFIX) for key in changes):
            self.carryOverChanged.emit()

    def decide(self, ident: str, kind: DecisionKind | None, note: str) -> None:
        """Record (kind None: withdraw) a decision on one finding."""
        self.store.decide(self.rid, ident, kind, note, self._reviewer())
        self.decisions = self.store.decisions(self.rid)
        self._items = None
        violation = self.violation(ident)
        self.cellsChanged.emit(sorted(violation.cells) if violation else [])
        self.issuesChanged.emit()

    def refresh_cross_year(self) -> bool:
        """Re-read the CROSS_YEAR_CARRY findings (last year's report may have been edited, added or removed);
        notify views when they changed. True when they did."""
        fresh = self.store.cross_year_violations(self.rid)
        if fresh == self._cross_year:
            return False
        before = self._states_in_violations()
        self._cross_year = fresh
        self._index_violations(self.engine.violations)
        after = self._states_in_violations()
        self.cellsChanged.emit(
            sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        )
        self.issuesChanged.emit()
        return True

    def set_highlight(self, ident: str | None) -> None:
        """Mark every cell of one finding (None: none)."""
        if ident == self.highlighted:
            return
        old = self.violation(self.highlighted) if self.highlighted else None
        self.highlighted = ident
        new = self.violation(ident) if ident else None
        keys = set(old.cells if old else ()) | set(new.cells if new else ())
        self.cellsChanged.emit(sorted(keys))

    # ------------------------------------------------------------------ internals

    def _index_violations(self, violations: Iterable[Violation]) -> None:
        """Index the rule engine's findings together with the cross-year ones."""
        self._items = None
        self._violations = sorted(
            [*violations, *self._cross_year],
            key=lambda v: (SEVERITY_ORDER.get(v.severity, 3), v.status != "fail", v.rule, v.where),
        )
        self._by_cell: dict[str, list[Violation]] = {}
        for violation in self._violations:
            for key in violation.cells:
                self._by_cell.setdefault(key, []).append(violation)

    def _states_in_violations(self) -> dict[str, int]:
        return {key: self.state(key) for key in self._by_cell}

    def _index_spans(self) -> None:
        spans = sorted(
            (start, end, key)
            for key, cell in self.report.cells.items()
            for start, end in cell.spans
            if end > start
        )
        self._spans = spans
        self._span_starts = [s[0] for s in spans]


def describe_location(violation: Violation) -> str:
    """Chinese description of where a finding is: a cell, a row, a column or a 表四 group."""
    book = formbook()
    where = violation.where
    if not where:
        return ""
    if where.count(".") >= 2:
        try:
            return book.label(where)
        except KeyError:
            return where
    rule = book.rules.get(violation.rule)
    table: str | None = rule.table if rule and rule.table else None
    if (
        table is None and violation.cells
    ):  # a rule over several tables or reports (CROSS_YEAR_CARRY): its cells'
        table = violation.cells[0].split(".", 1)[0]
    if table is None or table not in book.tables:
        return where
    tdef = book.table(table)
    if where in tdef.rows and (rule is None or rule.kind != "column_sum") and violation.rule != "T3_BALANCE":
        return f"{tdef.rows[where].label}"
    if where in tdef.columns:
        return f"{tdef.columns[where].label}"
    return where


def formula_with_numbers(violation: Violation, report: Report) -> str:
    """The rule's formula with the report's current numbers, e.g. '总计 = 自然人 + ...: 4 ≠ 2 + 1 + 0 ...'."""
    book = formbook()
    rule = book.rules.get(violation.rule)
    if rule is None or rule.table is None or not violation.where:
        return rule.formula or "" if rule else ""

    def shown(key: str) -> str:
        value = report.value(key)
        return "空" if value is None else f"{value:g}" if isinstance(value, float) else str(value)

    table, where = rule.table, violation.where
    if rule.kind == "row_sum" and rule.total:
        parts = [f"{table}.{where}.{p}" for p in rule.parts]
        total = f"{table}.{where}.{rule.total}"
    elif rule.kind == "column_sum" and rule.total:
        parts = [f"{table}.{p}.{where}" for p in rule.parts if f"{table}.{p}.{where}" in report.cells]
        total = f"{table}.{rule.total}.{where}"
    elif rule.kind == "balance":
        left = " + ".join(shown(f"{table}.{p}.{where}") for p in rule.left)
        right = " + ".join(shown(f"{table}.{p}.{where}") for p in rule.right)
        return f"{rule.formula}：{left} ≠ {right}" if violation.status == "fail" else f"{rule.formula}"
    else:
        return rule.formula or ""
    summed = " + ".join(shown(k) for k in parts)
    sign = "≠" if violation.status == "fail" else "="
    return f"{rule.formula}：{shown(total)} {sign} {summed}"
