"""The original page beside the grid (gui/page_view.py): rendered in the background, zoom, fit width, page up and
down, and a box around the characters of the selected cell."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, QStandardPaths, Qt
from PySide6.QtWidgets import QApplication

from tests.conftest import FIXTURES

FITS_PDF = FIXTURES / "pdfedge" / "fits.pdf"
"""A two-page text-layer report: 表三 on page 1, 表四 on page 2."""

pytestmark = pytest.mark.gui


def test_pages_render_in_the_background_zoom_and_turn(qapp: QApplication, qtbot: object) -> None:
    from gikai_desk.gui.page_view import PageView

    view = PageView()
    view.resize(700, 900)
    view.show()
    view.set_pdf(FITS_PDF.read_bytes())
    assert view.objectName() == "pageView" and view.page_count == 2 and view.page == 0
    assert view.wait_rendered()
    QApplication.processEvents()
    image = view.current_image()
    assert image is not None and not image.isNull() and image.width() > 300
    fitted = view.zoom
    room = view.scroller.viewport().width()
    assert room - 40 < fitted * 595 <= room  # fit width
    view.zoom_in()
    assert view.zoom == pytest.approx(fitted * 1.25)
    view.fit_width()
    assert view.zoom == pytest.approx(fitted)
    qtbot.keyClick(view, Qt.Key.Key_PageDown)  # type: ignore[attr-defined]
    assert view.page == 1
    view.next_page()
    assert view.page == 1  # the last page stays
    view.previous_page()
    assert view.page == 0
    view.show_boxes([(1, 100.0, 500.0, 140.0, 512.0)])
    assert view.page == 1 and len(view.box_rects()) == 1
    rect = view.box_rects()[0]
    assert rect.width() == pytest.approx(40 * view.zoom + 4, abs=2)
    view.set_pdf(None, "no pages")
    assert view.page_count == 0 and view.box_rects() == [] and view.message.text() == "no pages"
    view.wait_rendered()
    view.close()


@pytest.fixture
def window(qapp: QApplication, tmp_path: Path) -> Iterator[object]:
    QStandardPaths.setTestModeEnabled(True)
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    from gikai_desk.gui import create_main_window

    main = create_main_window(tmp_path / "pages.gikai")
    main.show()
    yield main
    main.page_view.wait_rendered()
    main.close()


def test_selecting_a_cell_frames_its_characters_on_the_page(window: object) -> None:
    main = window
    main.open_paths([FITS_PDF])  # type: ignore[attr-defined]
    assert main.wait_idle(30000)  # type: ignore[attr-defined]
    tabs = main.source_tabs  # type: ignore[attr-defined]
    tabs.setCurrentIndex(1)
    assert tabs.currentWidget().objectName() == "pageView"
    assert main.preferences.page_view  # type: ignore[attr-defined]  # the choice is remembered
    view = main.page_view  # type: ignore[attr-defined]
    assert view.page_count == 2
    assert main.select_cell("t4.review.total")  # type: ignore[attr-defined]
    assert view.page == 1 and len(view.box_rects()) == 1
    assert main.select_cell("t3.new.natural")  # type: ignore[attr-defined]
    assert view.page == 0 and len(view.box_rects()) == 1
    report = main.document.report  # type: ignore[attr-defined]
    page, x0, _, x1, _ = report.boxes[report.cells["t3.new.natural"].spans[0][0]]
    assert page == 0 and x1 - x0 < 30  # the two digits of 78, not the whole row
    # a click on a number on the page selects the cell it fed; elsewhere it says it fed none
    box = view.box_rects()[0]
    assert main.select_cell("t3.granted.total")  # type: ignore[attr-defined]
    view.clicked_at_pixel(box.center().x(), box.center().y())
    assert main.current_key() == "t3.new.natural"  # type: ignore[attr-defined]
    view.clicked_at_pixel(5, 5)
    assert main.current_key() == "t3.new.natural"  # type: ignore[attr-defined]
    assert "没有填入" in main.statusBar().currentMessage()  # type: ignore[attr-defined]
    tabs.setCurrentIndex(0)
    assert not main.preferences.page_view  # type: ignore[attr-defined]


def test_a_scan_reports_its_pages_while_it_is_read(window: object, tmp_path: Path) -> None:
    pytest.importorskip("gikai_desk.ingest.ocr")
    from gikai_desk.ingest import ocr

    if not ocr.available():
        pytest.skip("the [ocr] extra is not installed")
    from scan_render import FITS_PDF as source
    from scan_render import image_pdf, scanned_pages

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(image_pdf(scanned_pages(source)))
    main = window
    seen: list[tuple[int, int]] = []
    original = main._on_scan_page  # type: ignore[attr-defined]

    def probe(name: str, done: int, total: int) -> None:
        seen.append((done, total))
        original(name, done, total)

    main._on_scan_page = probe  # type: ignore[attr-defined]
    previews: list[tuple[object, object, str]] = []
    original_partial = main._on_scan_partial  # type: ignore[attr-defined]

    def preview(name: str, report: object) -> None:
        original_partial(name, report)
        grid = main.grid_model  # type: ignore[attr-defined]
        shown = grid.index(*grid.layout.positions["t3.new.total"]).data() if "t3.new.total" in grid.layout.positions else None
        main.set_cells({"t3.new.total": 1})  # type: ignore[attr-defined]  # refused: the preview is read-only
        previews.append((shown, main.current_rid, main.statusBar().currentMessage()))  # type: ignore[attr-defined]

    main._on_scan_partial = preview  # type: ignore[attr-defined]
    main.open_paths([scan])  # type: ignore[attr-defined]
    assert main.wait_idle(60000)  # type: ignore[attr-defined]
    assert seen == [(1, 2), (2, 2)]
    # after page 1 (表三) its cells were on screen while page 2 (表四) was still being read, read-only
    assert len(previews) == 1
    shown, current, message = previews[0]
    assert shown not in (None, "") and current is None and "只读" in message
    assert main.current_rid is not None and main.document is not None  # type: ignore[attr-defined]
    assert str(main.document.value("t3.new.total")) == str(shown)  # type: ignore[attr-defined]  # the edit was refused
    assert main.select_cell("t3.new.total")  # type: ignore[attr-defined]
    main.source_tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
    assert main.page_view.page_count == 2 and len(main.page_view.box_rects()) == 1  # type: ignore[attr-defined]


def test_reading_a_scan_can_be_cancelled(window: object, tmp_path: Path) -> None:
    pytest.importorskip("gikai_desk.ingest.ocr")
    from gikai_desk.gui.worker import CANCELLED
    from gikai_desk.ingest import ocr

    if not ocr.available():
        pytest.skip("the [ocr] extra is not installed")
    from scan_render import FITS_PDF as source
    from scan_render import image_pdf, scanned_pages

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(image_pdf(scanned_pages(source)))
    main = window
    main.open_paths([scan])  # type: ignore[attr-defined]
    main.cancel_scans()  # type: ignore[attr-defined]  # stops after the page being read
    assert main.wait_idle(60000)  # type: ignore[attr-defined]
    summaries = main.store.reports()  # type: ignore[attr-defined]
    assert [s.error for s in summaries] == [CANCELLED]
    assert not main.cancel_scans_button.isVisible()  # type: ignore[attr-defined]
    main.open_paths([FITS_PDF])  # type: ignore[attr-defined]  # a new batch is not cancelled
    assert main.wait_idle(30000)  # type: ignore[attr-defined]
    assert any(s.error is None for s in main.store.reports())  # type: ignore[attr-defined]


def test_a_page_image_is_shown_with_its_cells_framed(window: object, tmp_path: Path) -> None:
    """A report sent as a page image (PNG/JPEG/TIFF) is shown on the page view too, its boxes where the OCR read."""
    pytest.importorskip("gikai_desk.ingest.ocr")
    from gikai_desk.ingest import ocr

    if not ocr.available():
        pytest.skip("the [ocr] extra is not installed")
    from scan_render import FITS_PDF as source
    from scan_render import scanned_pages

    page = tmp_path / "page1.jpg"
    page.write_bytes(scanned_pages(source)[0])  # 表三's page
    main = window
    main.open_paths([page])  # type: ignore[attr-defined]
    assert main.wait_idle(60000)  # type: ignore[attr-defined]
    rid = next(s.id for s in main.store.reports() if s.file == "page1.jpg")  # type: ignore[attr-defined]
    main.select_report(rid)  # type: ignore[attr-defined]
    main.source_tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
    view = main.page_view  # type: ignore[attr-defined]
    assert view.page_count == 1
    assert main.select_cell("t3.new.total")  # type: ignore[attr-defined]
    (box,) = view.box_rects()
    view.clicked_at_pixel(box.center().x(), box.center().y())
    assert main.current_key() == "t3.new.total"  # type: ignore[attr-defined]
