"""Consistency rules (勾稽关系) and other checks as pure functions of a report, with an incremental engine."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal, Protocol

from gikai_desk.forms import TABLE_NAMES, FormBook, RuleDef, formbook, split_key
from gikai_desk.model import Cell, NarrativeFigure, Number, Report, Severity, Violation

LITIGATION_TOTAL_KEY = "t4.litigation.total"
"""Synthetic narrative key: 行政诉讼 N 件 in the prose = t4.direct.total + t4.after_review.total."""

SYNTHETIC_SUMS: dict[str, tuple[str, ...]] = {
    LITIGATION_TOTAL_KEY: ("t4.direct.total", "t4.after_review.total"),
}
"""Narrative keys that are not cells but the sum of cells (documented in the README)."""

ALTERNATIVE_READINGS: dict[str, tuple[str, ...]] = {
    "t3.new.total": ("t3.new.total", "t3.carried_in.total"),
}
"""A prose figure that may also mean a sum: 'received N applications' is sometimes written including the ones
carried over (收到申请45件（含上年结转3件）). The narrative check passes when either reading agrees, so such
wording never raises a false alarm."""

FIRST_YEAR_OF_2021_FORM = 2021
"""Statistics years from 2021 on use the 2021 form (国办公开办函〔2021〕30号); earlier years the 2019 form."""

_EPSILON = 1e-6

_new_object = object.__new__
_set_attribute = object.__setattr__
_ALL_VIOLATION_FIELDS = set(Violation.model_fields)
"""Shared fields-set of fast-built violations (pydantic only adds names already in it, and copies it on
model_copy)."""


def make_violation(
    rule: str,
    where: str,
    severity: Severity,
    message: str,
    cells: list[str],
    status: Literal["fail", "cannot_check"] = "fail",
    expected: Number | None = None,
    target: str | None = None,
    blanks_as_zero: list[str] | None = None,
) -> Violation:
    """A Violation built without validation (the arguments are already typed; a report with ~200 findings
    would spend ~0.4 ms validating them). Equal to `Violation(...)` with the same arguments (tested)."""
    violation = _new_object(Violation)
    fields = {
        "rule": rule,
        "where": where,
        "severity": severity,
        "status": status,
        "cells": cells,
        "message": message,
        "expected": expected,
        "target": target,
        "blanks_as_zero": [] if blanks_as_zero is None else blanks_as_zero,
    }
    _set_attribute(violation, "__dict__", fields)
    _set_attribute(violation, "__pydantic_fields_set__", _ALL_VIOLATION_FIELDS)
    _set_attribute(violation, "__pydantic_extra__", None)
    _set_attribute(violation, "__pydantic_private__", None)
    return violation


class RuleInstance(Protocol):
    """One concrete check (a rule at one location) that can be evaluated on its own."""

    @property
    def ident(self) -> str: ...

    @property
    def keys(self) -> tuple[str, ...]: ...

    def evaluate(self, report: Report) -> Violation | None: ...


# ---------------------------------------------------------------- formatting helpers


def format_number(value: Number | None, blank: str = "空白") -> str:
    """A number as a reviewer reads it: integers plain, decimals without trailing zeros, `blank` for None."""
    if value is None:
        return blank
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def _tidy(value: float) -> Number:
    """Sum result: an int when whole, else rounded to 6 decimals (so 0.1+0.2 reads 0.3)."""
    rounded = round(value, 6)
    return int(rounded) if float(rounded).is_integer() else rounded


def _equal(a: float, b: float) -> bool:
    return abs(a - b) <= _EPSILON * max(1.0, abs(a), abs(b))


def _value(cell: Cell | None) -> Number:
    if cell is None or cell.value is None:
        return 0
    return cell.value


def _row_label(book: FormBook, table: str, row: str) -> str:
    tdef = book.table(table)
    if row not in tdef.rows:
        return row
    ldef = tdef.rows[row]
    if table == "t4" and ldef.group:
        return f"{ldef.group}·{ldef.label}"
    return ldef.label


def _col_label(book: FormBook, table: str, col: str) -> str:
    tdef = book.table(table)
    return tdef.columns[col].label if col in tdef.columns else col


def _short_label(book: FormBook, key: str, along: str) -> str:
    """Label of a cell inside a rule: the column name for a row rule, the row name for a column rule."""
    table, row, col = split_key(key)
    return _col_label(book, table, col) if along == "row" else _row_label(book, table, row)


@cache
def cell_label(key: str) -> str:
    """'表三 一、本年新收政府信息公开申请数量 / 总计' for a cell key; synthetic keys get their own wording."""
    if key == LITIGATION_TOTAL_KEY:
        return "表四 行政诉讼（未经复议直接起诉 + 复议后起诉）/ 总计"
    book = formbook()
    table, row, col = split_key(key)
    if table not in book.tables:
        return key
    return f"{TABLE_NAMES[table]} {_row_label(book, table, row)} / {_col_label(book, table, col)}"


def _blank_note(blanks: list[str], labels: dict[str, str]) -> str:
    if not blanks:
        return ""
    return "（空白按 0 计：" + "、".join(labels[k] for k in blanks) + "）"


def _unsettled(report: Report, keys: Iterable[str]) -> list[str]:
    out: list[str] = []
    for key in keys:
        cell = report.cells.get(key)
        if cell is not None and not (cell.sure or cell.corrected):  # Cell.settled, inlined (hot path)
            out.append(key)
    return out


_CANNOT_CHECK_MESSAGES: dict[tuple[str, str, str, str, tuple[str, ...], tuple[str | None, ...]], str] = {}
"""Cannot-check messages by everything they are made of (a flagged row gives the same message in every report
that has it, and in every re-check); cleared when it grows past _MESSAGE_CACHE_SIZE."""
_MESSAGE_CACHE_SIZE = 4096


def _cannot_check(
    rule: str, where: str, where_label: str, formula: str, keys: list[str], unsure: list[str], report: Report
) -> Violation:
    cells = report.cells
    flags = tuple([cells[key].flag for key in unsure])
    cache_key = (rule, where, where_label, formula, tuple(unsure), flags)
    message = _CANNOT_CHECK_MESSAGES.get(cache_key)
    if message is None:
        message = _cannot_check_message(where_label, formula, unsure, flags)
        if len(_CANNOT_CHECK_MESSAGES) >= _MESSAGE_CACHE_SIZE:
            _CANNOT_CHECK_MESSAGES.clear()
        _CANNOT_CHECK_MESSAGES[cache_key] = message
    return make_violation(rule, where, "info", message, keys, status="cannot_check")


def _cannot_check_message(
    where_label: str, formula: str, unsure: list[str], flags: tuple[str | None, ...]
) -> str:
    by_reason: dict[str, list[str]] = {}
    for key, flag in zip(unsure, flags, strict=True):
        by_reason.setdefault(flag or "解析不确定", []).append(key)
    reasons = []
    for reason, group in by_reason.items():
        if len(group) <= 2:
            named = "、".join(cell_label(k) for k in group)
        else:
            named = f"{cell_label(group[0])} 等 {len(group)} 个单元格"
        reasons.append(f"{named}（{reason}）")
    return f"{where_label}：无法核对「{formula}」，尚未确定：" + "；".join(reasons) + "。请先核实这些单元格。"


# ---------------------------------------------------------------- rule instances


@dataclass(frozen=True, slots=True)
class EquationRule:
    """sum(left) == sum(right); `target` is the cell that would settle it alone (first candidate that fits)."""

    rule: str
    where: str
    severity: Severity
    where_label: str
    formula: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    targets: tuple[str, ...]
    labels: tuple[tuple[str, str], ...]
    row_sum: bool
    """True: left is one total cell and right its parts (message '总计应为 …')."""

    @property
    def ident(self) -> str:
        return f"{self.rule}@{self.where}"

    @property
    def keys(self) -> tuple[str, ...]:
        return self.left + self.right

    def evaluate(self, report: Report) -> Violation | None:
        # Fast path (most instances hold): one pass, no lists; anything else goes to the full evaluation.
        cells = report.cells
        sums: list[Number] = [0, 0]
        counts = [0, 0]
        for side, keys in enumerate((self.left, self.right)):
            for key in keys:
                cell = cells.get(key)
                if cell is None:
                    continue
                if not (cell.sure or cell.corrected):
                    return self._cannot_check(report)
                counts[side] += 1
                value = cell.value
                if value is not None:
                    sums[side] += value
        if not counts[0] or not counts[1] or _equal(sums[0], sums[1]):
            return None
        return self._evaluate(report)

    def _cannot_check(self, report: Report) -> Violation | None:
        """What _evaluate gives when a cell is unsure, in one pass over the cells."""
        cells = report.cells
        keys: list[str] = []
        unsure: list[str] = []
        present = [False, False]
        for side, side_keys in enumerate((self.left, self.right)):
            for key in side_keys:
                cell = cells.get(key)
                if cell is None:
                    continue
                present[side] = True
                keys.append(key)
                if not (cell.sure or cell.corrected):
                    unsure.append(key)
        if not (present[0] and present[1]):
            return None
        if not unsure:
            return self._evaluate(report)
        return _cannot_check(self.rule, self.where, self.where_label, self.formula, keys, unsure, report)

    def _evaluate(self, report: Report) -> Violation | None:
        cells = report.cells
        present_left = [k for k in self.left if k in cells]
        present_right = [k for k in self.right if k in cells]
        if not present_left or not present_right:
            return None
        keys = present_left + present_right
        unsure = _unsettled(report, keys)
        if unsure:
            return _cannot_check(self.rule, self.where, self.where_label, self.formula, keys, unsure, report)
        left_sum = sum(_value(cells[k]) for k in present_left)
        right_sum = sum(_value(cells[k]) for k in present_right)
        if _equal(left_sum, right_sum):
            return None
        labels = dict(self.labels)
        blanks = [k for k in keys if cells[k].value is None]
        expected, target = self._settling_value(report, present_left, present_right)
        if self.row_sum:
            total_key = present_left[0]
            message = (
                f"{self.where_label}：{labels[total_key]}应为 {self.formula} = "
                f"{self._terms(report, present_right, labels)} = {format_number(_tidy(right_sum))}，"
                f"表中为 {format_number(cells[total_key].value)}"
            )
        else:
            message = (
                f"{self.where_label}：{self.formula} 不成立："
                f"{self._terms(report, present_left, labels)} = {format_number(_tidy(left_sum))}，"
                f"{self._terms(report, present_right, labels)} = {format_number(_tidy(right_sum))}"
            )
            if target is not None and expected is not None:
                message += f"；若{labels[target]}为 {format_number(expected)} 即平衡"
        message += _blank_note(blanks, labels)
        return make_violation(
            self.rule,
            self.where,
            self.severity,
            message,
            keys,
            expected=expected,
            target=target,
            blanks_as_zero=blanks,
        )

    def _settling_value(
        self, report: Report, left: list[str], right: list[str]
    ) -> tuple[Number | None, str | None]:
        cells = report.cells
        for target in self.targets:
            if target in left:
                same, other = left, right
            elif target in right:
                same, other = right, left
            else:
                continue
            needed = sum(_value(cells[k]) for k in other) - sum(_value(cells[k]) for k in same if k != target)
            if needed >= -_EPSILON:
                return _tidy(max(needed, 0)), target
        return None, None

    @staticmethod
    def _terms(report: Report, keys: list[str], labels: dict[str, str]) -> str:
        if len(keys) <= 6:
            return "+".join(format_number(_value(report.cells[k])) for k in keys)
        nonzero = [k for k in keys if _value(report.cells[k]) != 0]
        if not nonzero:
            return "0"
        return " + ".join(f"{labels[k]} {format_number(report.cells[k].value)}" for k in nonzero)


@dataclass(frozen=True, slots=True)
class BlankCellRule:
    """A required number left blank (the forms want 0)."""

    key: str
    label: str
    severity: Severity
    message: str = ""
    """Filled in by blank_rule (the finding's message never changes: built once per form)."""

    @property
    def ident(self) -> str:
        return f"BLANK_CELL@{self.key}"

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.key,)

    def evaluate(self, report: Report) -> Violation | None:
        cell = report.cells.get(self.key)
        if cell is None or cell.value is not None:
            return None
        if not (cell.sure or cell.corrected):  # Cell.settled, inlined (hot path)
            return _cannot_check(
                "BLANK_CELL", self.key, self.label, "是否为空白", [self.key], [self.key], report
            )
        return make_violation(
            "BLANK_CELL",
            self.key,
            self.severity,
            self.message or blank_message(self.label),
            [self.key],
            expected=0,
            target=self.key,
        )


def blank_message(label: str) -> str:
    return f"{label} 为空白；报表要求填写数字（没有时填 0），核对时按 0 计"


@dataclass(frozen=True, slots=True)
class NarrativeRule:
    """Figures the prose states for one key, compared with the table."""

    key: str
    figures: tuple[NarrativeFigure, ...]
    cell_keys: tuple[str, ...]
    severity: Severity
    alternative: tuple[str, ...] = ()
    """Cells whose sum is another accepted reading of the figure (ALTERNATIVE_READINGS)."""

    @property
    def ident(self) -> str:
        return f"NARRATIVE_MISMATCH@{self.key}"

    @property
    def keys(self) -> tuple[str, ...]:
        return self.cell_keys + tuple(k for k in self.alternative if k not in self.cell_keys)

    def _alternative_agrees(self, report: Report) -> bool | None:
        """True/False when the alternative reading can be judged, None when a cell of it is unsure."""
        if not self.alternative or any(k not in report.cells for k in self.alternative):
            return False
        if _unsettled(report, self.alternative):
            return None
        total = _tidy(sum(_value(report.cells[k]) for k in self.alternative))
        return any(_equal(f.value, total) for f in self.figures)

    def evaluate(self, report: Report) -> Violation | None:
        present = [k for k in self.cell_keys if k in report.cells]
        if len(present) != len(self.cell_keys):
            return None
        label = cell_label(self.key)
        quoted = "、".join(f"「{f.text}」" for f in self.figures)
        unsure = _unsettled(report, present)
        if unsure:
            return _cannot_check(
                "NARRATIVE_MISMATCH", self.key, label, f"正文 {quoted} 与表格一致", present, unsure, report
            )
        table_value = _tidy(sum(_value(report.cells[k]) for k in present))
        if any(_equal(f.value, table_value) for f in self.figures):
            return None
        alternative = self._alternative_agrees(report)
        if alternative:
            return None
        if alternative is None:
            unsure = _unsettled(report, self.alternative)
            return _cannot_check(
                "NARRATIVE_MISMATCH",
                self.key,
                label,
                f"正文 {quoted} 与表格一致",
                list(self.keys),
                unsure,
                report,
            )
        blanks = [k for k in present if report.cells[k].value is None]
        if len(present) == 1:
            shown = format_number(report.cells[present[0]].value)
        else:
            parts = "+".join(format_number(_value(report.cells[k])) for k in present)
            shown = f"{parts} = {format_number(table_value)}"
        stated = "、".join(format_number(f.value) for f in self.figures)
        message = f"正文称 {quoted}（{stated}），而{label} 为 {shown}"
        if blanks:
            message += "（空白按 0 计：" + "、".join(cell_label(k) for k in blanks) + "）"
        if self.alternative:
            total = _tidy(sum(_value(report.cells[k]) for k in self.alternative))
            if not _equal(total, table_value):
                book = formbook()
                names = " + ".join(_short_label(book, k, "column") for k in self.alternative)
                message += f"；按 {names} 计为 {format_number(total)}，也不相符"
        single = len(present) == 1 and len({f.value for f in self.figures}) == 1
        return Violation(
            rule="NARRATIVE_MISMATCH",
            where=self.key,
            severity=self.severity,
            cells=present,
            message=message,
            expected=self.figures[0].value if single else None,
            target=present[0] if single else None,
            blanks_as_zero=blanks,
        )


@dataclass(frozen=True, slots=True)
class TemplateYearRule:
    """The form of each table must match the statistics year; forms must not be mixed."""

    severity: Severity
    ident: str = "TEMPLATE_YEAR@"
    keys: tuple[str, ...] = ()

    def evaluate(self, report: Report) -> Violation | None:
        book = formbook()
        templates: dict[str, str] = {}
        for table, variant in report.forms.items():
            if table not in book.tables or variant not in book.table(table).variants:
                continue
            if table in _indistinct_tables():
                continue
            templates[table] = book.table(table).variants[variant].template
        problems: list[str] = []
        if len(set(templates.values())) > 1:
            listed = "、".join(f"{TABLE_NAMES[t]} {v} 版" for t, v in sorted(templates.items()))
            problems.append(f"表格样式混用（{listed}）")
        if report.year is not None and templates:
            expected = "2021" if report.year >= FIRST_YEAR_OF_2021_FORM else "2019"
            wrong = sorted(t for t, v in templates.items() if v != expected)
            if wrong:
                listed = "、".join(f"{TABLE_NAMES[t]} 为 {templates[t]} 版" for t in wrong)
                problems.append(f"统计年度 {report.year} 年应使用 {expected} 版表格，而{listed}")
        if not problems:
            return None
        return Violation(
            rule="TEMPLATE_YEAR", where="", severity=self.severity, cells=[], message="；".join(problems)
        )


@dataclass(frozen=True, slots=True)
class MissingTableRule:
    """A report must carry 表二, 表三 and 表四; a table the parser did not find is worth a look."""

    table: str
    severity: Severity
    ident: str
    keys: tuple[str, ...] = ()

    def evaluate(self, report: Report) -> Violation | None:
        if self.table in report.forms:
            return None
        title = formbook().table(self.table).title
        return Violation(
            rule="MISSING_TABLE",
            where=self.table,
            severity=self.severity,
            cells=[],
            message=f"未找到{TABLE_NAMES[self.table]}（{title}）：报告缺少该表，或表格未能识别，请核对原文",
        )


@cache
def _indistinct_tables() -> frozenset[str]:
    """Tables whose 2019 and 2021 forms have the same cells (表四): their form says nothing about the year."""
    book = formbook()
    out: set[str] = set()
    for table, tdef in book.tables.items():
        by_template: dict[str, set[tuple[str, ...]]] = {}
        for name, variant in tdef.variants.items():
            by_template.setdefault(variant.template, set()).add(tuple(book.keys(table, name)))
        layouts = list(by_template.values())
        if len(layouts) > 1 and all(layout == layouts[0] for layout in layouts):
            out.add(table)
    return frozenset(out)


# ---------------------------------------------------------------- building instances per form


def _severity(rule: str) -> Severity:
    return formbook().rules[rule].severity


def _equations_for(table: str, variant: str) -> list[EquationRule]:
    book = formbook()
    tdef = book.table(table)
    var = tdef.variants[variant]
    out: list[EquationRule] = []
    for rule_id, rdef in book.rules.items():
        if rdef.table != table:
            continue
        if rdef.kind == "row_sum":
            out.extend(_row_sums(book, rule_id, rdef, table, var.rows, var.columns))
        elif rdef.kind == "column_sum":
            out.extend(_column_sums(book, rule_id, rdef, table, var.rows, var.columns))
        elif rdef.kind == "balance":
            out.extend(_balances(book, rule_id, rdef, table, var.rows, var.columns))
    return out


def _row_sums(
    book: FormBook, rule_id: str, rdef: RuleDef, table: str, rows: Sequence[str], columns: Sequence[str]
) -> list[EquationRule]:
    if rdef.total not in columns:
        return []
    parts = [c for c in rdef.parts if c in columns]
    formula = "+".join(_col_label(book, table, c) for c in parts)
    out = []
    for row in rows:
        total = f"{table}.{row}.{rdef.total}"
        keys = [f"{table}.{row}.{c}" for c in parts]
        out.append(
            EquationRule(
                rule=rule_id,
                where=row,
                severity=rdef.severity,
                where_label=f"{TABLE_NAMES[table]}「{_row_label(book, table, row)}」行",
                formula=formula,
                left=(total,),
                right=tuple(keys),
                targets=(total,),
                labels=tuple((k, _short_label(book, k, "row")) for k in [total, *keys]),
                row_sum=True,
            )
        )
    return out


def _column_sums(
    book: FormBook, rule_id: str, rdef: RuleDef, table: str, rows: Sequence[str], columns: Sequence[str]
) -> list[EquationRule]:
    if rdef.total not in rows:
        return []
    parts = [r for r in rdef.parts if r in rows]
    if len(parts) <= 6:
        formula = "+".join(_row_label(book, table, r) for r in parts)
    else:
        formula = (rdef.formula or "").split("=", 1)[-1].strip() or "各项之和"
    out = []
    for col in columns:
        total = f"{table}.{rdef.total}.{col}"
        keys = [f"{table}.{r}.{col}" for r in parts]
        out.append(
            EquationRule(
                rule=rule_id,
                where=col,
                severity=rdef.severity,
                where_label=f"{TABLE_NAMES[table]}「{_col_label(book, table, col)}」列",
                formula=formula,
                left=(total,),
                right=tuple(keys),
                targets=(total,),
                labels=tuple((k, _short_label(book, k, "column")) for k in [total, *keys]),
                row_sum=True,
            )
        )
    return out


def _balances(
    book: FormBook, rule_id: str, rdef: RuleDef, table: str, rows: Sequence[str], columns: Sequence[str]
) -> list[EquationRule]:
    left_rows = [r for r in rdef.left if r in rows]
    right_rows = [r for r in rdef.right if r in rows]
    if not left_rows or not right_rows:
        return []
    formula = rdef.formula or "左右两边相等"
    out = []
    for col in columns:
        left = tuple(f"{table}.{r}.{col}" for r in left_rows)
        right = tuple(f"{table}.{r}.{col}" for r in right_rows)
        # The carried-over row is what agencies usually forget; failing that, the new applications.
        targets = (right[-1], left[0])
        out.append(
            EquationRule(
                rule=rule_id,
                where=col,
                severity=rdef.severity,
                where_label=f"{TABLE_NAMES[table]}「{_col_label(book, table, col)}」列",
                formula=formula,
                left=left,
                right=right,
                targets=targets,
                labels=tuple((k, _short_label(book, k, "column")) for k in left + right),
                row_sum=False,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class _FormPlan:
    """Rule instances that depend only on the report's forms, with a cell -> instance index."""

    instances: tuple[RuleInstance, ...]
    index: dict[str, tuple[int, ...]]


@cache
def _plan(forms: tuple[tuple[str, str], ...]) -> _FormPlan:
    book = formbook()
    equations: list[RuleInstance] = []
    blanks: list[RuleInstance] = []
    blank_severity = _severity("BLANK_CELL")
    for table, variant in forms:
        if table not in book.tables or variant not in book.table(table).variants:
            continue
        equations.extend(_equations_for(table, variant))
        blanks.extend(
            BlankCellRule(k, cell_label(k), blank_severity, blank_message(cell_label(k)))
            for k in book.keys(table, variant)
        )
    missing_severity = _severity("MISSING_TABLE")
    missing = [MissingTableRule(t, missing_severity, f"MISSING_TABLE@{t}") for t in book.tables]
    instances: tuple[RuleInstance, ...] = (
        TemplateYearRule(_severity("TEMPLATE_YEAR")),
        *missing,
        *equations,
        *blanks,
    )
    index: dict[str, list[int]] = {}
    for position, instance in enumerate(instances):
        for key in instance.keys:
            index.setdefault(key, []).append(position)
    return _FormPlan(instances, {k: tuple(v) for k, v in index.items()})


def _narrative_rules(report: Report) -> list[NarrativeRule]:
    severity = _severity("NARRATIVE_MISMATCH")
    by_key: dict[str, list[NarrativeFigure]] = {}
    for figure in report.narrative:
        by_key.setdefault(figure.key, []).append(figure)
    out = []
    for key, figures in by_key.items():
        cell_keys = SYNTHETIC_SUMS.get(key, (key,))
        out.append(NarrativeRule(key, tuple(figures), cell_keys, severity, ALTERNATIVE_READINGS.get(key, ())))
    return out


# ---------------------------------------------------------------- public API


class RuleEngine:
    """All rule instances of one report, evaluated once; `recheck` re-evaluates only what a change touches.

    The engine reads the report live: change `report.cells[key]` (value/corrected) and call
    `recheck([key])`. It never changes the report.
    """

    def __init__(self, report: Report) -> None:
        self.report = report
        self._build()

    def _build(self) -> None:
        report = self.report
        plan = _plan(tuple(sorted(report.forms.items())))
        self._instances: list[RuleInstance] = list(plan.instances)
        self._index = plan.index
        self._extra_index: dict[str, list[int]] = {}
        for rule in _narrative_rules(report):
            position = len(self._instances)
            self._instances.append(rule)
            for key in rule.keys:
                self._extra_index.setdefault(key, []).append(position)
        self._results: list[Violation | None] = [inst.evaluate(report) for inst in self._instances]

    @property
    def violations(self) -> list[Violation]:
        """Current findings (fail and cannot_check), in a stable order."""
        return [v for v in self._results if v is not None]

    def _positions(self, key: str) -> Iterable[int]:
        yield from self._index.get(key, ())
        yield from self._extra_index.get(key, ())

    def recheck(self, changed_keys: Iterable[str]) -> list[Violation]:
        """Re-evaluate the instances the changed cells take part in; return the full updated list."""
        positions: set[int] = set()
        for key in changed_keys:
            positions.update(self._positions(key))
        report = self.report
        for position in positions:
            self._results[position] = self._instances[position].evaluate(report)
        return self.violations

    def recheck_all(self) -> list[Violation]:
        """Re-evaluate everything (after the year, the forms or the narrative figures changed)."""
        self._build()
        return self.violations

    def rules_of(self, key: str) -> list[str]:
        """Violation idents (rule@where) of every check the cell takes part in."""
        return [self._instances[p].ident for p in self._positions(key)]


def check(report: Report) -> list[Violation]:
    """Every violation (and 'cannot check' finding) of the report."""
    return RuleEngine(report).violations


IGNORED_IN_ORGAN = frozenset("()（）[]［］【】〔〕〖〗<>《》〈〉「」『』\"'“”‘’·・•")
"""Brackets, quotes and dots dropped when matching organ names (after NFKC)."""


def organ_key(agency: str) -> str:
    """The organ name as matched across years: NFKC, no whitespace, no brackets/quotes/dots.

    `泉州市 人民政府（信访局）` and `泉州市人民政府信访局` match; anything else must be equal after this.
    """
    text = unicodedata.normalize("NFKC", agency)
    return "".join(ch for ch in text if not ch.isspace() and ch not in IGNORED_IN_ORGAN)


def carry_findings(report: Report, previous: Report) -> list[Violation]:
    """CROSS_YEAR_CARRY findings of `report` against `previous`, taken to be the same organ the year before."""
    if report.year is None or previous.year != report.year - 1:
        return []
    out: list[Violation] = []
    severity = _severity("CROSS_YEAR_CARRY")
    book = formbook()
    for col in book.table("t3").columns:
        this_key = f"t3.carried_in.{col}"
        last_key = f"t3.carried_out.{col}"
        this_cell = report.cells.get(this_key)
        last_cell = previous.cells.get(last_key)
        if this_cell is None or last_cell is None:
            continue
        where_label = f"表三「{_col_label(book, 't3', col)}」列"
        if not (this_cell.settled and last_cell.settled):
            message = (
                f"{where_label}：无法核对跨年度结转（本年上年结转 = {previous.year} 年结转下年度），"
                "相关单元格尚未确定"
            )
            out.append(
                Violation(
                    rule="CROSS_YEAR_CARRY",
                    where=col,
                    severity="info",
                    status="cannot_check",
                    cells=[this_key],
                    message=message,
                )
            )
            continue
        if _equal(_value(this_cell), _value(last_cell)):
            continue
        blanks = [this_key] if this_cell.value is None else []
        message = (
            f"{where_label}：上年结转应等于 {previous.year} 年报告（{previous.file}）的结转下年度 "
            f"{format_number(_value(last_cell))}，表中为 {format_number(this_cell.value)}"
        )
        out.append(
            Violation(
                rule="CROSS_YEAR_CARRY",
                where=col,
                severity=severity,
                cells=[this_key],
                message=message,
                expected=_value(last_cell),
                target=this_key,
                blanks_as_zero=blanks,
            )
        )
    return out


def cross_year_findings(reports: Sequence[Report]) -> list[list[Violation]]:
    """CROSS_YEAR_CARRY findings per report, in the order given (they sit on the later report).

    Organs are matched by organ_key; when a batch holds several reports of one organ and year, the first one
    is the partner of the next year's report.
    """
    first: dict[tuple[str, int], Report] = {}
    for report in reports:
        if report.agency and report.year is not None:
            first.setdefault((organ_key(report.agency), report.year), report)
    out: list[list[Violation]] = []
    for report in reports:
        partner = None
        if report.agency and report.year is not None:
            partner = first.get((organ_key(report.agency), report.year - 1))
        out.append([] if partner is None else carry_findings(report, partner))
    return out


def check_cross_year(reports: Sequence[Report]) -> dict[str, list[Violation]]:
    """CROSS_YEAR_CARRY over a batch, as a list per report file (empty when nothing to say)."""
    out: dict[str, list[Violation]] = {r.file: [] for r in reports}
    for report, found in zip(reports, cross_year_findings(reports), strict=True):
        out[report.file].extend(found)
    return out


__all__ = [
    "ALTERNATIVE_READINGS",
    "LITIGATION_TOTAL_KEY",
    "SYNTHETIC_SUMS",
    "RuleEngine",
    "carry_findings",
    "cell_label",
    "check",
    "check_cross_year",
    "cross_year_findings",
    "format_number",
    "organ_key",
]
