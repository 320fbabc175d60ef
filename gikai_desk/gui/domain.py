"""Thin adapters from the window to the domain: opening the workspace and the incremental rule engine."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, cast

from PySide6.QtCore import QLockFile

from gikai_desk.model import Report, Violation
from gikai_desk.workspace import Workspace

HOLDER_NAME = "gikai-desk"
"""Named as the holder of a workspace lock (the lock file records the process name, often 'python3.11')."""


class WorkspaceInUseError(Exception):
    """The workspace is open in another window or process (two writers would overwrite each other's work)."""

    def __init__(self, path: Path, holder: str) -> None:
        self.path = path
        super().__init__(
            f"工作区已在另一个窗口或程序中打开（{holder}），请先关闭那里再打开：{path}\n"
            f"workspace is already open elsewhere ({holder}): {path}"
        )


def lock_workspace(path: Path) -> QLockFile | None:
    """Take the workspace's lock file (`<path>.lock`); a lock left by a process that died is taken over.
    Raises WorkspaceInUseError while another window or process holds it; None when no lock file can be made
    there (a read-only folder: opening the workspace then says what is wrong)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = QLockFile(str(path) + ".lock")
    lock.setStaleLockTime(0)  # stale only when its process is gone, however old
    if lock.tryLock(0):
        return lock
    if lock.error() != QLockFile.LockError.LockFailedError:
        return None
    info = lock.getLockInfo()
    holder = "?"
    if isinstance(info, tuple) and len(info) >= 3:  # (pid, host name, application name)
        holder = f"{HOLDER_NAME}，进程 pid {info[0]}，计算机 {info[1] or '?'}"  # not the interpreter's name
    raise WorkspaceInUseError(path, holder)


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
