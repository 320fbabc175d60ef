"""What a report asks of its reviewer: the items of its issue list, in the order to work through them.

Pending means "needs the reviewer": open errors and warnings (cross-year findings among them) and the cells the
reader was unsure of, one item per row (confirmed or corrected together). Blank cells counted as 0 are folded into
one line per table, shown but not pending; findings a rule could not check because of unsure cells are not items
of their own (the unsure row is the work), and decided findings stay in the list, done.

The queue's counts, F8 and Ctrl+F8 all read the same list, so "nothing pending" means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from gikai_desk.forms import TABLE_NAMES, formbook, split_key
from gikai_desk.model import Report, Violation

ItemKind = Literal["finding", "unsure", "blanks", "note"]
"""finding: a rule finding; unsure: a row's unsure cells; blanks: a table's blank cells counted as 0;
note: a finding that is not the reviewer's work (could not be checked for another reason, or informational)."""

ItemLevel = Literal["error", "warning", "unsure", "info"]

BLANK_RULE = "BLANK_CELL"

_LEVEL_RANK: dict[str, int] = {"error": 0, "warning": 1, "unsure": 2, "info": 3}
_RULE_KIND_RANK: dict[str | None, int] = {"row_sum": 0, "column_sum": 1, "balance": 2}
"""Within a table, a row-total failure comes before the column and balance failures it explains."""
_TABLE_RANK: dict[str, int] = {table: i for i, table in enumerate(TABLE_NAMES)}


@dataclass(frozen=True)
class ReviewItem:
    """One line of a report's issue list."""

    kind: ItemKind
    ident: str
    """Stable identity: the finding's ident (rule@where), 'unsure@t3.new' for a row, 'blanks@t2' for a table."""
    level: ItemLevel
    cells: tuple[str, ...]
    message: str
    pending: bool
    """Needs the reviewer (F8 stops here; the queue counts it)."""
    violation: Violation | None = None
    decided: bool = False
    """A finding the reviewer decided on (kept in the list, not pending)."""

    @property
    def rule(self) -> str:
        if self.violation is not None:
            return self.violation.rule
        return {"unsure": "UNSURE", "blanks": BLANK_RULE}.get(self.kind, "")


def _order(report: Report) -> dict[str, int]:
    """Position of each cell key in the form's printed order (table, row, column)."""
    return {key: i for i, key in enumerate(formbook().all_keys(report.forms))}


def _position(cells: Iterable[str], order: dict[str, int]) -> tuple[int, int]:
    """(table rank, first cell's form position) of a set of cells; report-level items (no cells) come first."""
    positions = [order.get(key, len(order)) for key in cells]
    tables = [_TABLE_RANK.get(key.split(".", 1)[0], len(_TABLE_RANK)) for key in cells]
    if not positions:
        return -1, -1
    return min(tables), min(positions)


def row_of(key: str) -> str:
    """'t3.new' for 't3.new.natural': the form row a cell key belongs to."""
    table, row, _col = split_key(key)
    return f"{table}.{row}"


def row_label(row: str) -> str:
    """'表三「本年新收申请数」行' for 't3.new'."""
    table, name = row.split(".", 1)
    tdef = formbook().tables.get(table)
    label = tdef.rows[name].label if tdef is not None and name in tdef.rows else name
    return f"{TABLE_NAMES.get(table, table)}「{label}」行"


def review_items(
    report: Report, violations: Sequence[Violation], decided: Container[str] = ()
) -> list[ReviewItem]:
    """The issue list of a report: pending items first (errors, warnings, unsure rows), each group in the form's
    order, then what is done or only informational (decided findings, blank cells counted as 0, notes)."""
    order = _order(report)
    book = formbook()
    unsure_by_row: dict[str, list[str]] = {}
    for key, cell in report.cells.items():
        if not cell.settled:
            unsure_by_row.setdefault(row_of(key), []).append(key)
    unsure = {key for keys in unsure_by_row.values() for key in keys}

    keyed: list[tuple[tuple[int, ...], str, ReviewItem]] = []

    def add(item: ReviewItem, rule_rank: int = 3) -> None:
        done = 0 if item.pending else (1 if item.decided else 2)
        table, position = _position(item.cells, order)
        keyed.append(((done, _LEVEL_RANK[item.level], table, rule_rank, position), item.ident, item))

    blanks: dict[str, list[str]] = {}
    blocked: dict[str, list[Violation]] = {}
    for violation in violations:
        if violation.rule == BLANK_RULE and violation.status == "fail":
            for key in violation.cells:
                blanks.setdefault(key.split(".", 1)[0], []).append(key)
            continue
        if violation.status == "cannot_check":
            held = [key for key in violation.cells if key in unsure]
            if held:
                for key in held:
                    blocked.setdefault(row_of(key), []).append(violation)
                continue
            add(
                ReviewItem(
                    "note",
                    violation.ident,
                    "info",
                    tuple(violation.cells),
                    violation.message,
                    False,
                    violation,
                )
            )
            continue
        rule = book.rules.get(violation.rule)
        rank = _RULE_KIND_RANK.get(rule.kind if rule else None, 3)
        is_decided = violation.ident in decided
        level: ItemLevel = violation.severity
        pending = level in ("error", "warning") and not is_decided
        kind: ItemKind = "finding" if level != "info" else "note"
        add(
            ReviewItem(
                kind,
                violation.ident,
                level,
                tuple(violation.cells),
                violation.message,
                pending,
                violation,
                decided=is_decided,
            ),
            rank,
        )

    for row, keys in unsure_by_row.items():
        keys.sort(key=lambda k: order.get(k, len(order)))
        reasons = sorted({flag for k in keys if (flag := report.cells[k].flag)})
        rules = sorted({v.rule for v in blocked.get(row, ())})
        message = f"{row_label(row)} {len(keys)} 个单元格解析存疑" + (
            "：" + "；".join(reasons) if reasons else ""
        )
        if rules:
            message += f"（{len(rules)} 条规则因此无法核对：{'、'.join(rules)}）"
        message += "。核对原文后改正，或确认读数。"
        add(ReviewItem("unsure", f"unsure@{row}", "unsure", tuple(keys), message, True))

    for table, keys in blanks.items():
        distinct = sorted(set(keys), key=lambda k: order.get(k, len(order)))
        message = f"{TABLE_NAMES.get(table, table)} {len(distinct)} 个空白单元格按 0 计"
        add(ReviewItem("blanks", f"blanks@{table}", "info", tuple(distinct), message, False))

    keyed.sort(key=lambda entry: (entry[0], entry[1]))
    return [item for _key, _ident, item in keyed]


def pending_counts(items: Iterable[ReviewItem]) -> tuple[int, int, int]:
    """(errors, warnings, unsure rows) still pending: the queue's three columns."""
    errors = warnings = unsure = 0
    for item in items:
        if item.pending:
            errors += item.level == "error"
            warnings += item.level == "warning"
            unsure += item.level == "unsure"
    return errors, warnings, unsure
