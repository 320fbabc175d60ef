"""The batch overview (objectName batchOverview): one row per organ and year, charts, filter, click to open."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, QStandardPaths, Qt
from PySide6.QtWidgets import QApplication, QWidget

from gikai_desk.batchstats import NO_ORGAN, rule_rows, workspace_figures
from gikai_desk.gui.main_window import MainWindow
from gikai_desk.gui.overview import BatchOverview, OrganTableModel

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def seeded(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MainWindow]:
    from tests.conftest import SEEDS

    if not SEEDS.is_dir():
        pytest.skip(f"real seeds not available: {SEEDS} is absent")
    settings_dir = tmp_path_factory.mktemp("settings")
    QStandardPaths.setTestModeEnabled(True)
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(settings_dir))
    from gikai_desk.gui import create_main_window

    main = create_main_window(tmp_path_factory.mktemp("ws") / "overview.gikai")
    main.show()
    main.open_paths([SEEDS])
    assert main.wait_idle(120_000)
    yield main
    main.close()
    main.store.close()


def _overview(main: MainWindow) -> BatchOverview:
    found = main.findChild(QWidget, "batchOverview")
    assert isinstance(found, BatchOverview)
    return found


def _finish_counting(overview: BatchOverview) -> None:
    for _ in range(2000):
        if not overview.counting():
            return
        QApplication.processEvents()
    raise AssertionError("the overview never finished counting")


def test_overview_lists_the_organs_of_the_five_seeds(seeded: MainWindow) -> None:
    overview = _overview(seeded)
    seeded.actions_by_name["batch_overview"].trigger()
    assert overview.isVisible()
    reports = seeded.store.reports()
    assert len(reports) == 5
    expected = {r.agency or NO_ORGAN for r in reports}
    assert all(r.agency for r in reports)  # the parser reads every seed's organ
    assert set(overview.organs()) == expected
    rows = overview.model.rows()
    assert sum(r.reports for r in rows) == 5
    assert sum(r.errors for r in rows) == sum(r.errors for r in reports)
    assert sum(r.warnings for r in rows) == sum(r.warnings for r in reports)
    assert sum(r.unsure for r in rows) == sum(r.unsure for r in reports)
    assert "5" in overview.totals_label.text()
    overview.hide()


def test_overview_counts_findings_by_rule_like_the_workspace(seeded: MainWindow) -> None:
    overview = _overview(seeded)
    overview.refresh()
    _finish_counting(overview)
    expected = rule_rows(workspace_figures(seeded.store))
    assert [(r.rule, r.open, r.decided) for r in rule_rows(overview.figures())] == [
        (r.rule, r.open, r.decided) for r in expected
    ]
    assert len(overview.rule_chart.bars) == min(len(expected), BatchOverview.CHART_RULES)
    assert "正在统计" not in overview.rule_chart.title
    worst = [label for label, _values in overview.organ_chart.bars]
    with_findings = [r for r in overview.model.rows() if r.errors + r.warnings]
    assert len(worst) == len(with_findings)
    assert sum(overview.progress_chart.counts.values()) == 5
    image = overview.grab()  # the charts paint without error
    assert not image.isNull()


def test_overview_filters_sorts_and_opens_a_report(seeded: MainWindow) -> None:
    overview = _overview(seeded)
    overview.refresh()
    organs = overview.organs()
    target = organs[-1]
    overview.filter_edit.setText(target)
    assert target in overview.organs() and all(target in organ for organ in overview.organs())
    overview.filter_edit.clear()
    assert len(overview.organs()) == len(organs)
    overview.table.sortByColumn(OrganTableModel.ORGAN, Qt.SortOrder.AscendingOrder)
    assert overview.organs() == sorted(organs)
    overview.problems_only_box.setChecked(True)
    problem_organs = {r.organ for r in overview.model.rows() if r.errors or r.warnings}
    assert set(overview.organs()) == problem_organs
    overview.problems_only_box.setChecked(False)
    # a click opens the organ's report in the main window
    row = overview.organs().index(target)
    rid = next(r.id for r in seeded.store.reports() if (r.agency or NO_ORGAN) == target)
    if seeded.current_rid == rid:  # start from another report
        other = next(r.id for r in seeded.store.reports() if r.id != rid)
        seeded.select_report(other)
    index = overview.proxy.index(row, OrganTableModel.ORGAN)
    overview.table.clicked.emit(index)
    assert seeded.current_rid == rid


def test_overview_follows_a_status_change(seeded: MainWindow) -> None:
    overview = _overview(seeded)
    overview.show()
    overview.refresh()
    before = overview.progress_chart.counts["reviewed"]
    seeded.set_review_status("reviewed")
    overview.refresh()  # (the window refreshes it 0.3 s after the change)
    assert overview.progress_chart.counts["reviewed"] == before + 1
    overview.hide()


def test_overview_in_english(seeded: MainWindow) -> None:
    from gikai_desk.gui.i18n import install_language

    overview = _overview(seeded)
    try:
        install_language("en")
        QApplication.processEvents()
        headers = [
            overview.model.headerData(c, Qt.Orientation.Horizontal)
            for c in range(overview.model.columnCount())
        ]
        assert headers[:3] == ["Organ", "Year", "Reports"]
        assert overview.windowTitle() == "Batch overview"
        assert overview.rule_chart.title.startswith("Findings by rule")
    finally:
        install_language("zh")
        QApplication.processEvents()
