"""The review loop as a clerk works it: what is pending, in which order, suggestions, decisions (issue 10)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gikai_desk.gui.main_window import MainWindow
from tests.test_gui import add_report, synthetic_report, value_at

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("active_window")]


def messages(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


def select_item(window: MainWindow, ident: str) -> None:
    row = window.issue_model.row_of(ident)
    assert row >= 0, ident
    window.issue_view.setCurrentIndex(window.issue_model.index(row, 0))


def test_a_safe_suggestion_is_taken_and_resolves_its_finding(window: MainWindow) -> None:
    add_report(window, synthetic_report({"t4.review.total": 99}))
    select_item(window, "T4_TOTAL@review")
    assert "Ctrl+Shift+A" in messages(window)
    assert window.apply_suggested()
    assert value_at(window, "t4.review.total") == "0"
    assert window.issue_model.row_of("T4_TOTAL@review") == -1
