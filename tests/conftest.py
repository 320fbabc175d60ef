"""Shared fixtures: the real seeds and corpus from ../shared (skipped with a reason when absent)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from gikai_desk.gui.main_window import MainWindow

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GIKAI_LIBREOFFICE", "0")  # a LibreOffice installed here is never run by the tests unasked

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GIKAI_SHARED", REPO.parent / "shared"))
SEEDS = SHARED / "seeds"
CORPUS = SHARED / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def seed_path(prefix: str) -> Path:
    """The seed whose file name starts with `prefix` ("000" ... "004"); skips when ../shared is absent."""
    if not SEEDS.is_dir():
        pytest.skip(f"real seeds not available: {SEEDS} is absent")
    matches = sorted(SEEDS.glob(f"{prefix}*"))
    if not matches:
        pytest.skip(f"seed {prefix} not found in {SEEDS}")
    return matches[0]


def corpus_path(name: str) -> Path:
    """A real report from ../shared/corpus; skips when absent."""
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"corpus file not available: {path}")
    return path


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"real seeds not available: {SEEDS} is absent")
    return SEEDS


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A throwaway PostgreSQL server for the session (tests/pgserver.py); skips with the reason when there is none."""
    from tests.pgserver import PgServer, skip_reason

    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    server = PgServer()
    yield server
    server.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a new workspace goes, once per store: a .gikai file path, or an empty database's address."""
    if request.param == "sqlite":
        return str(tmp_path / "batch.gikai")
    return str(request.getfixturevalue("pg_server").create_database())


# ---------------------------------------------------------------- a clerk's window (GUI test modules)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """QSettings of the tests kept in a folder of their own (never the user's)."""
    pytest.importorskip("PySide6")
    from PySide6.QtCore import QSettings, QStandardPaths

    QStandardPaths.setTestModeEnabled(True)
    folder = tmp_path_factory.mktemp("settings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))


@pytest.fixture(scope="module")
def window(qapp: object, settings: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MainWindow]:
    """One shown window per test module, with a workspace of its own and a named reviewer."""
    from PySide6.QtWidgets import QApplication

    from gikai_desk.gui import create_main_window

    main = create_main_window(tmp_path_factory.mktemp("ws") / "clerk.gikai")
    main.preferences.reviewer = "测试员"
    main.show()
    QApplication.processEvents()
    yield main
    main.close()
    main.store.close()


@pytest.fixture
def active_window(window: MainWindow) -> None:
    """Shortcuts reach the active window only: give it back after a test that showed a window of its own."""
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    QApplication.processEvents()
