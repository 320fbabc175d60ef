"""A report's findings as the rows a clerk reads: blank cells and cannot-check findings folded per report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from gikai_desk.excel.entry import SummaryEntry
from gikai_desk.forms import TABLE_NAMES, formbook
from gikai_desk.model import Violation
from gikai_desk.review import DECISION_LABELS, Decision

BLANK_RULE = "BLANK_CELL"
NAMED_BLANKS = 5
"""How many blank cells a folded BLANK_CELL row names before 「等 N 个」."""
NAMED_LOCATIONS = 6
"""How many locations a folded cannot-check row lists before 「等 N 处」."""
NAMED_UNSURE = 3
"""How many unsettled cells a folded cannot-check row names."""


@dataclass
class FindingRow:
    """One line of an issue list: a single finding, or several of one report folded together."""

    rule: str
    severity: str
    status: str
    location: str
    message: str
    violations: list[Violation] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    """Decisions on the row's findings (those decided), in finding order."""

    @property
    def folded(self) -> bool:
        return len(self.violations) > 1 or (self.rule == BLANK_RULE and self.status == "fail")

    @property
    def decision_text(self) -> str | None:
        """The decision in words; a folded row says how many of its findings are decided when they differ."""
        if not self.decisions:
            return None
        kinds = {d.kind for d in self.decisions}
        if len(self.decisions) == len(self.violations) and len(kinds) == 1:
            return DECISION_LABELS[self.decisions[0].kind]
        return f"已处理 {len(self.decisions)} / {len(self.violations)} 项"

    @property
    def decision_note(self) -> str | None:
        notes = list(dict.fromkeys(d.note for d in self.decisions if d.note))
        return "；".join(notes) or None

    @property
    def latest_decision(self) -> Decision | None:
        return max(self.decisions, key=lambda d: d.time, default=None)


def where_text(rule: str, where: str, cells: Sequence[str] = ()) -> str:
    """A finding's location in words: a cell key becomes its label, a row/column key the row's or column's name
    (of the rule's table, or for a rule without one, like CROSS_YEAR_CARRY, the table of its first cell)."""
    if not where:
        return ""
    book = formbook()
    if where.count(".") == 2:
        try:
            return book.label(where)
        except (KeyError, ValueError):
            return where
    table: str | None = book.rules[rule].table if rule in book.rules else None
    if not table and cells:
        table = cells[0].split(".", 1)[0]
    if table and table in book.tables and table in TABLE_NAMES:
        tdef = book.table(table)
        for defs in (tdef.rows, tdef.columns):
            if where in defs:
                return f"{TABLE_NAMES[table]} {defs[where].label}"
    return where


def _names(items: Sequence[str], shown: int, unit: str) -> str:
    """「甲、乙、丙」 or 「甲、乙 … 等 N 个」."""
    named = "、".join(items[:shown])
    return named if len(items) <= shown else f"{named} 等 {len(items)} {unit}"


def _blank_row(violations: list[Violation]) -> FindingRow:
    count = len(violations)
    places = [where_text(v.rule, v.where) for v in violations]
    message = f"空白单元格 {count} 个：{_names(places, NAMED_BLANKS, '个')}；报表要求填写数字（没有时填 0），核对时按 0 计"
    return FindingRow(
        BLANK_RULE, violations[0].severity, "fail", f"{count} 个空白单元格", message, violations
    )


def _cannot_check_row(entry: SummaryEntry, violations: list[Violation]) -> FindingRow:
    first = violations[0]
    places = list(dict.fromkeys(where_text(v.rule, v.where, v.cells) or v.where for v in violations))
    rule = formbook().rules.get(first.rule)
    title = f"「{rule.title}」" if rule is not None else first.rule
    flags = entry.report.flags() if entry.report is not None else {}
    unsure = list(dict.fromkeys(k for v in violations for k in v.cells if k in flags))
    message = f"{len(violations)} 处无法核对{title}"
    if unsure:
        labels = [where_text(first.rule, k) for k in unsure]
        reasons = list(dict.fromkeys(flags[k] for k in unsure))
        message += (
            f"，尚未确定：{_names(labels, NAMED_UNSURE, '个单元格')}"
            f"（{'；'.join(reasons[:2])}{' 等' if len(reasons) > 2 else ''}）"
        )
    message += "。请先核实这些单元格。"
    location = f"{len(places)} 处：{_names(places, NAMED_LOCATIONS, '处')}"
    return FindingRow(first.rule, first.severity, "cannot_check", location, message, violations)


def finding_rows(entry: SummaryEntry) -> list[FindingRow]:
    """The report's findings in order, each failing error/warning on its own row; all failing BLANK_CELL
    findings folded into one row, and the cannot-check findings of each rule into one row (when several),
    each folded row standing where its first finding stood."""
    groups: dict[tuple[str, str], list[Violation]] = {}
    order: list[Violation | tuple[str, str]] = []
    for v in entry.violations:
        if v.status == "cannot_check" or v.rule == BLANK_RULE:
            group = (v.rule, v.status)
            if group not in groups:
                groups[group] = []
                order.append(group)
            groups[group].append(v)
        else:
            order.append(v)
    rows: list[FindingRow] = []
    for item in order:
        if isinstance(item, Violation):
            row = FindingRow(
                item.rule,
                item.severity,
                item.status,
                where_text(item.rule, item.where, item.cells),
                item.message,
                [item],
            )
        else:
            members = groups[item]
            if item == (BLANK_RULE, "fail"):
                row = _blank_row(members)
            elif len(members) == 1:
                v = members[0]
                row = FindingRow(
                    v.rule, v.severity, v.status, where_text(v.rule, v.where, v.cells), v.message, members
                )
            else:
                row = _cannot_check_row(entry, members)
        row.decisions = [entry.decisions[v.ident] for v in row.violations if v.ident in entry.decisions]
        rows.append(row)
    return rows
