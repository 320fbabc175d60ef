"""The window fits office screens (issue 11): 表三's seven value columns and their headings in view at 1366×768,
all fifteen 表四 values at 1920×1080, no sideways scrolling, no empty frozen block, headings that stay in view,
headers readable in Chinese and English, pane sizes remembered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QRect, QSettings, QStandardPaths, Qt
from PySide6.QtWidgets import QApplication

from gikai_desk.formlayout import table_layout
from gikai_desk.gui.main_window import MainWindow, demo_path

pytestmark = pytest.mark.gui

T3_ROW = [k for k in table_layout("t3", "2021").keys if k.startswith("t3.new.")]
T4_KEYS = table_layout("t4", "2021").keys


@pytest.fixture
def fresh_settings(tmp_path: Path) -> None:
    QStandardPaths.setTestModeEnabled(True)
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "settings"))


def _window(tmp_path: Path, width: int, height: int) -> MainWindow:
    from gikai_desk.gui import create_main_window

    window = create_main_window(tmp_path / f"fit{width}.gikai")
    window.resize(width, height)
    window.show()
    QApplication.processEvents()
    window.open_paths([demo_path()])
    assert window.wait_idle(60_000)
    QApplication.processEvents()
    return window


@pytest.fixture
def laptop(qapp: QApplication, tmp_path: Path, fresh_settings: None) -> Iterator[MainWindow]:
    window = _window(tmp_path, 1366, 768)
    yield window
    window.close()
    window.store.close()


@pytest.fixture
def desktop(qapp: QApplication, tmp_path: Path, fresh_settings: None) -> Iterator[MainWindow]:
    window = _window(tmp_path, 1920, 1080)
    yield window
    window.close()
    window.store.close()


def _in_view(window: MainWindow, key: str) -> bool:
    grid = window.grid_view
    rect = grid.visualRect(window.grid_model.index_of(key))
    labels = grid.frozen_labels.width() if grid.frozen_labels.isVisible() else 0
    headings = grid.frozen_headers.height() if grid.frozen_headers.isVisible() else 0
    visible = QRect(labels, headings, grid.viewport().width() - labels, grid.viewport().height() - headings)
    return visible.contains(rect)


def test_table_three_row_and_headings_in_view_at_1366x768(laptop: MainWindow) -> None:
    grid = laptop.grid_view
    assert laptop.select_cell(T3_ROW[0])
    QApplication.processEvents()
    assert all(_in_view(laptop, k) for k in T3_ROW), "the seven 表三 values of a row side by side"
    assert grid.horizontalScrollBar().maximum() == 0  # no sideways scrolling at all
    # deep in 表三 the column headings stay in view above the row being read
    assert laptop.select_cell(table_layout("t3", "2021").keys[-1])  # 四、结转下年度继续办理 / 总计
    QApplication.processEvents()
    shown = grid.heading_rows_shown()
    assert shown is not None and grid.frozen_headers.isVisible()
    texts = {
        str(laptop.grid_model.index(r, c).data())
        for r in range(shown[0], shown[1] + 1)
        for c in range(laptop.grid_model.columnCount())
    }
    assert {"自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"} <= texts
    key = laptop.current_key()
    assert key is not None and _in_view(laptop, key)  # the current cell is never under the headings


def test_all_fifteen_table_four_values_in_view_at_1920x1080(desktop: MainWindow) -> None:
    grid = desktop.grid_view
    assert desktop.select_cell(T4_KEYS[0])
    grid.scrollToBottom()
    QApplication.processEvents()
    assert sum(_in_view(desktop, k) for k in T4_KEYS) == 15
    assert grid.horizontalScrollBar().maximum() == 0


def test_table_four_also_fits_the_laptop_and_has_no_empty_label_block(laptop: MainWindow) -> None:
    grid = laptop.grid_view
    laptop.select_cell(T4_KEYS[-1])
    grid.scrollToBottom()
    QApplication.processEvents()
    assert sum(_in_view(laptop, k) for k in T4_KEYS) == 15
    layout = laptop.grid_model.layout
    for key in T4_KEYS[::5]:
        row = layout.positions[key][0]
        labels = [layout.rows[row][c].text for c in range(3)] + [
            layout.rows[r][c].text for r in range(row - 1, row) for c in range(3)
        ]
        assert any(labels), f"an empty label block beside {key}"


def test_headers_are_readable_in_chinese_and_english(laptop: MainWindow) -> None:
    from gikai_desk.gui.i18n import install_language

    def cut_headers() -> list[str]:
        view = laptop.queue_view
        metrics = view.horizontalHeader().fontMetrics()
        model = view.model()
        return [
            str(model.headerData(c, Qt.Orientation.Horizontal))
            for c in range(model.columnCount())
            if not view.isColumnHidden(c)
            and metrics.horizontalAdvance(str(model.headerData(c, Qt.Orientation.Horizontal))) + 8
            > view.columnWidth(c)
        ]

    assert cut_headers() == []
    try:
        install_language("en")
        QApplication.processEvents()
        assert laptop.queue_model.headerData(5, Qt.Orientation.Horizontal) != "错误"
        assert cut_headers() == []
    finally:
        install_language("zh")
        QApplication.processEvents()


def test_pane_sizes_are_remembered(qapp: QApplication, tmp_path: Path, fresh_settings: None) -> None:
    from gikai_desk.gui import create_main_window

    first = create_main_window(tmp_path / "panes.gikai")
    first.resize(1600, 1000)
    first.show()
    QApplication.processEvents()
    total = sum(first.splitter.sizes())
    first.splitter.setSizes([total // 4, total - total // 4])  # a wider grid than the default
    QApplication.processEvents()
    wanted = first.splitter.sizes()
    first.close()
    first.store.close()
    second = create_main_window(tmp_path / "panes.gikai")
    second.resize(1600, 1000)
    second.show()
    QApplication.processEvents()
    try:
        assert abs(second.splitter.sizes()[0] - wanted[0]) <= 2
    finally:
        second.close()
        second.store.close()


def test_the_wheel_over_the_frozen_headings_scrolls_the_grid(laptop: MainWindow) -> None:
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    grid = laptop.grid_view
    laptop.select_cell(table_layout("t3", "2021").keys[-1])
    QApplication.processEvents()
    assert grid.frozen_headers.isVisible()
    before = grid.verticalScrollBar().value()
    position = QPointF(grid.frozen_headers.viewport().rect().center())
    wheel = QWheelEvent(
        position,
        QPointF(grid.frozen_headers.viewport().mapToGlobal(position.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120),  # one notch up
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(grid.frozen_headers.viewport(), wheel)
    QApplication.processEvents()
    assert grid.verticalScrollBar().value() < before  # the grid scrolled, not the overlay alone
    shown = grid.heading_rows_shown()
    if shown is not None:  # still inside 表三: the overlay shows 表三's own headings
        assert laptop.grid_model.index(shown[0], 0).data() == "三、收到和处理政府信息公开申请情况"


def test_a_longer_number_widens_its_column(laptop: MainWindow) -> None:
    grid = laptop.grid_view
    index = laptop.grid_model.index_of("t3.deny_secret.research")
    before = grid.columnWidth(index.column())
    laptop.set_cells({"t3.deny_secret.research": 123456789})
    QApplication.processEvents()
    text_width = grid.fontMetrics().horizontalAdvance("123456789")
    assert grid.columnWidth(index.column()) >= text_width + 8 > before


def test_a_2019_form_table_three_also_fits_the_laptop(laptop: MainWindow) -> None:
    """The 2019 form's 表三 labels are longer (三、本年度办理结果 → （四）无法提供 → 1.本机关不掌握…): the label columns
    wrap more rather than push the 总计 column out of view."""
    from tests.conftest import seed_path

    seed = seed_path("001")  # a 2019-form report
    laptop.open_paths([seed])
    assert laptop.wait_idle(60_000)
    laptop.select_report(next(s.id for s in laptop.store.reports() if s.file == seed.name))
    QApplication.processEvents()
    row = [k for k in table_layout("t3", "2019").keys if k.startswith("t3.new.")]
    assert laptop.select_cell(row[0])
    QApplication.processEvents()
    assert all(_in_view(laptop, k) for k in row)
    assert laptop.grid_view.horizontalScrollBar().maximum() == 0
