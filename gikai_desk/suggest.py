"""Suggested values a reviewer can take with one key: offered only where they cannot send the reviewer round in
circles.

A finding may name one cell and the value that would make its rule hold (Violation.target / expected). Taking it
is safe only when, with that value, every rule the cell takes part in holds: then each accepted suggestion leaves
strictly fewer failing rules, so following suggestions always ends. Where the rules a cell takes part in want
different values for it (a row total says 3, the balance 4), no value is offered; the reviewer is told which rules
disagree instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gikai_desk.forms import formbook
from gikai_desk.model import Number, Report, Violation
from gikai_desk.rules import format_number

Findings = Callable[[Report], list[Violation]]
"""Every finding of a report (the rules, and the cross-year rule where the caller knows last year's report)."""


@dataclass(frozen=True)
class Suggestion:
    key: str
    value: Number
    safe: bool
    """Every rule `key` takes part in holds with `value`."""
    reason: str = ""
    """When not safe: which rules want which values for the cell."""


def _rule_title(rule: str) -> str:
    found = formbook().rules.get(rule)
    return found.title if found is not None else rule


def _with_value(report: Report, key: str, value: Number) -> Report:
    """A copy of `report` sharing every cell but `key`, which holds `value` as a reviewer's correction."""
    cells = dict(report.cells)
    cell = cells.get(key)
    if cell is not None:
        cells[key] = cell.model_copy(update={"value": value, "corrected": True})
    return report.model_copy(update={"cells": cells})


def _counts(violation: Violation) -> bool:
    return violation.status == "fail" and violation.severity in ("error", "warning")


def suggestion(
    report: Report, violation: Violation, current: Sequence[Violation], findings: Findings
) -> Suggestion | None:
    """The finding's suggested value, judged safe or not; None where the finding suggests nothing.

    `current` are the report's findings now; `findings` re-checks a changed copy of the report.
    """
    key, value = violation.target, violation.expected
    if key is None or value is None or key not in report.cells:
        return None
    after = [v for v in findings(_with_value(report, key, value)) if key in v.cells and _counts(v)]
    if not after:
        return Suggestion(key, value, True)
    wants: list[str] = []
    seen: set[str] = set()
    for other in [*current, *after]:
        if key not in other.cells or not _counts(other) or other.ident in seen:
            continue
        seen.add(other.ident)
        title = _rule_title(other.rule)
        if other.target == key and other.expected is not None:
            wants.append(f"「{title}」要求 {format_number(other.expected)}")
        elif other in after:
            wants.append(f"「{title}」将不成立")
    label = formbook().label(key)
    reason = f"{label}：各规则要求的值不一致（" + "；".join(wants) + "），请核对原文后手工填写"
    return Suggestion(key, value, False, reason)
