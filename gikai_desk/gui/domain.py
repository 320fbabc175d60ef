"""Thin adapters from the window to the domain: opening the workspace and the incremental rule engine."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, cast

from gikai_desk.model import Report, Violation
from gikai_desk.workspace import Workspace


class RuleChecker(Protocol):
    """The part of gikai_desk.rules.RuleEngine the window uses."""

    @property
    def violations(self) -> list[Violation]: ...

    def recheck(self, changed_keys: Iterable[str]) -> list[Violation]: ...

    def rules_of(self, key: str) -> list[str]: ...


def open_store(path: Path) -> Workspace:
    """Open (or create) the workspace file at `path` (its folder is created when missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return Workspace.open_or_create(path)


class _FullRecheck:
    """Fallback when gikai_desk.rules has no RuleEngine: re-run every rule after each change."""

    def __init__(self, report: Report) -> None:
        from gikai_desk.rules import check

        self._report = report
        self._check = check
        self._violations = check(report)

    @property
    def violations(self) -> list[Violation]:
        return self._violations

    def recheck(self, changed_keys: Iterable[str]) -> list[Violation]:
        self._violations = self._check(self._report)
        return self._violations

    def rules_of(self, key: str) -> list[str]:
        return [v.ident for v in self._violations if key in v.cells]


def rule_engine(report: Report) -> RuleChecker:
    """The incremental rule engine for `report` (it reads the report's cells in place)."""
    rules = importlib.import_module("gikai_desk.rules")
    engine_class: Any = getattr(rules, "RuleEngine", None)
    if engine_class is None:
        return _FullRecheck(report)
    return cast(RuleChecker, engine_class(report))


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
