"""The original page of a PDF report (text layer or scan), rendered with pypdfium2 in the background, with boxes
around the characters a cell was read from. Zoom, fit width, page up/down."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from PySide6.QtCore import QObject, QPoint, QRect, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

Box = tuple[int, float, float, float, float]
"""(page index, x0, y0, x1, y1) in PDF points, y up (Report.boxes)."""
CACHE_PAGES = 12
"""Rendered pages kept (per page and resolution)."""
ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.3, 6.0
"""Screen pixels per PDF point."""


class _Signals(QObject):
    rendered = Signal(int, int, float, QImage)
    """generation, page index, render scale, the page image."""


class _RenderTask(QRunnable):
    """Renders one page off the GUI thread (PDFium under the readers' lock: it is not thread-safe)."""

    def __init__(self, data: bytes, page: int, scale: float, generation: int, signals: _Signals) -> None:
        super().__init__()
        self.data, self.page, self.scale, self.generation, self.signals = (
            data,
            page,
            scale,
            generation,
            signals,
        )

    def run(self) -> None:
        import pypdfium2 as pdfium

        from gikai_desk.ingest.pdf import _PDFIUM_LOCK

        try:
            with _PDFIUM_LOCK:
                doc = pdfium.PdfDocument(self.data)
                try:
                    bitmap = doc[self.page].render(scale=self.scale, grayscale=True)
                    width, height, stride = bitmap.width, bitmap.height, bitmap.stride
                    pixels = bytes(bitmap.buffer)
                finally:
                    doc.close()
            image = QImage(pixels, width, height, stride, QImage.Format.Format_Grayscale8).copy()
        except Exception:  # a page PDFium cannot render: show nothing rather than fail the window
            image = QImage()
        self.signals.rendered.emit(self.generation, self.page, self.scale, image)


class _Canvas(QWidget):
    """The page image at the current zoom, and the boxes."""

    def __init__(self, view: PageView) -> None:
        super().__init__()
        self.view = view
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#808080"))
        view = self.view
        image = view.current_image()
        if image is not None and not image.isNull():
            painter.drawImage(QRect(QPoint(0, 0), self.size()), image)
        else:
            painter.fillRect(self.rect(), QColor("white"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, view.tr("正在显示页面…"))
        pen = QPen(QColor(220, 30, 30), 2)
        painter.setPen(pen)
        for rect in view.box_rects():
            painter.drawRect(rect)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.view.clicked_at_pixel(event.position().x(), event.position().y())
        super().mousePressEvent(event)


class PageView(QWidget):
    """objectName `pageView`: the report's original pages. `set_pdf(data)` shows a PDF (None: no page to show),
    `show_boxes(boxes)` turns to the first box's page, scrolls to it and frames every box on that page."""

    pageChanged = Signal(int)
    clickedAt = Signal(int, float, float)
    """A click on the page: page index, x and y in PDF points (y up)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageView")
        self._data: bytes | None = None
        self._sizes: list[tuple[float, float]] = []
        self._page = 0
        self._zoom = 1.5
        self._fit = True
        self._boxes: list[Box] = []
        self._generation = 0
        self._cache: OrderedDict[tuple[int, int, float], QImage] = OrderedDict()
        self._pending: set[tuple[int, int, float]] = set()
        self._signals = _Signals()
        self._signals.rendered.connect(self._on_rendered)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)

        self.message = QLabel()
        self.page_label = QLabel()
        buttons: list[QToolButton] = []
        for name, slot in (
            ("pagePrevious", self.previous_page),
            ("pageNext", self.next_page),
            ("pageZoomOut", self.zoom_out),
            ("pageZoomIn", self.zoom_in),
            ("pageFitWidth", self.fit_width),
        ):
            button = QToolButton()
            button.setObjectName(name)
            button.clicked.connect(slot)
            buttons.append(button)
        self._buttons = buttons
        self.retranslate()
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        for button in buttons[:2]:
            bar.addWidget(button)
        bar.addWidget(self.page_label)
        bar.addStretch(1)
        bar.addWidget(self.message)
        bar.addStretch(1)
        for button in buttons[2:]:
            bar.addWidget(button)
        self.canvas = _Canvas(self)
        self.scroller = QScrollArea()
        self.scroller.setWidget(self.canvas)
        self.scroller.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.scroller, 1)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._update()

    def retranslate(self) -> None:
        texts = (
            ("▲", self.tr("上一页 (PageUp)")),
            ("▼", self.tr("下一页 (PageDown)")),
            ("-", self.tr("缩小")),
            ("+", self.tr("放大")),
            (self.tr("适合宽度"), self.tr("页面适合窗口宽度")),
        )
        for button, (text, tip) in zip(self._buttons, texts, strict=True):
            button.setText(text)
            button.setToolTip(tip)
        if self._sizes:
            self.page_label.setText(self.tr("第 {0}/{1} 页").format(self._page + 1, len(self._sizes)))

    # ------------------------------------------------------------------ state

    @property
    def page(self) -> int:
        return self._page

    @property
    def page_count(self) -> int:
        return len(self._sizes)

    @property
    def zoom(self) -> float:
        return self._zoom

    def set_pdf(self, data: bytes | None, message: str = "") -> None:
        """Show this PDF from its first page (None: nothing to show, `message` says why)."""
        self._generation += 1
        self._cache.clear()
        self._pending.clear()
        self._data, self._sizes, self._page, self._boxes = None, [], 0, []
        self.message.setText(message)
        if data:
            try:
                self._sizes = _page_sizes(data)
                self._data = data
            except Exception:
                self._sizes = []
                self.message.setText(self.tr("无法显示此 PDF 的页面"))
        self._update()

    def set_page(self, page: int) -> None:
        if not self._sizes:
            return
        page = max(0, min(page, len(self._sizes) - 1))
        if page != self._page:
            self._page = page
            self.pageChanged.emit(page)
        self._update()

    def next_page(self) -> None:
        self.set_page(self._page + 1)
        self.scroller.verticalScrollBar().setValue(0)

    def previous_page(self) -> None:
        self.set_page(self._page - 1)
        self.scroller.verticalScrollBar().setValue(0)

    def zoom_in(self) -> None:
        self._set_zoom(self._zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._set_zoom(self._zoom / ZOOM_STEP)

    def fit_width(self) -> None:
        self._fit = True
        self._update()

    def _set_zoom(self, zoom: float) -> None:
        self._fit = False
        self._zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        self._update()

    def show_boxes(self, boxes: Sequence[Box]) -> None:
        """Frame these boxes; turn to the page of the first and scroll it into view (no boxes: clear)."""
        self._boxes = [b for b in boxes if 0 <= b[0] < len(self._sizes)]
        if self._boxes:
            self.set_page(self._boxes[0][0])
            rects = self.box_rects()
            if rects:
                united = rects[0]
                for rect in rects[1:]:
                    united = united.united(rect)
                centre = united.center()
                self.scroller.ensureVisible(
                    centre.x(), centre.y(), united.width() // 2 + 40, united.height() // 2 + 40
                )
        self.canvas.update()

    # ------------------------------------------------------------------ drawing

    def _update(self) -> None:
        if not self._sizes:
            self.page_label.setText("")
            self.canvas.resize(QSize(1, 1))
            self.canvas.update()
            return
        width_pt, height_pt = self._sizes[self._page]
        if self._fit:
            # room beside a vertical scroll bar, shown or not, so fitting never makes the page wider than the view
            bar = self.scroller.verticalScrollBar().sizeHint().width()
            room = self.scroller.width() - 2 * self.scroller.frameWidth() - bar - 4
            self._zoom = max(MIN_ZOOM, min(MAX_ZOOM, room / width_pt)) if room > 50 else self._zoom
        self.page_label.setText(self.tr("第 {0}/{1} 页").format(self._page + 1, len(self._sizes)))
        self.canvas.resize(QSize(round(width_pt * self._zoom), round(height_pt * self._zoom)))
        self._request(self._page)
        if self._page + 1 < len(self._sizes):
            self._request(self._page + 1)  # the next page is likely wanted next
        self.canvas.update()

    def _render_scale(self) -> float:
        """Pixels per point for the screen: the zoom times the screen's device pixel ratio."""
        return round(self._zoom * self.devicePixelRatioF(), 2)

    def _request(self, page: int) -> None:
        if self._data is None:
            return
        key = (self._generation, page, self._render_scale())
        if key in self._cache or key in self._pending:
            return
        self._pending.add(key)
        self._pool.start(_RenderTask(self._data, page, key[2], self._generation, self._signals))

    def _on_rendered(self, generation: int, page: int, scale: float, image: QImage) -> None:
        key = (generation, page, scale)
        self._pending.discard(key)
        if generation != self._generation:
            return
        self._cache[key] = image
        while len(self._cache) > CACHE_PAGES:
            self._cache.popitem(last=False)
        if page == self._page:
            self.canvas.update()

    def current_image(self) -> QImage | None:
        """The best rendering of the current page there is: at the current scale, else any (shown scaled)."""
        exact = self._cache.get((self._generation, self._page, self._render_scale()))
        if exact is not None:
            return exact
        for (generation, page, _), image in reversed(self._cache.items()):
            if generation == self._generation and page == self._page:
                return image
        return None

    def box_rects(self) -> list[QRect]:
        """The boxes on the current page, in canvas pixels (a little larger than the characters)."""
        if not self._sizes:
            return []
        _, height_pt = self._sizes[self._page]
        zoom, pad = self._zoom, 2
        return [
            QRect(
                round(x0 * zoom) - pad,
                round((height_pt - y1) * zoom) - pad,
                round((x1 - x0) * zoom) + 2 * pad,
                round((y1 - y0) * zoom) + 2 * pad,
            )
            for page, x0, y0, x1, y1 in self._boxes
            if page == self._page
        ]

    def clicked_at_pixel(self, x: float, y: float) -> None:
        if self._sizes:
            _, height_pt = self._sizes[self._page]
            self.clickedAt.emit(self._page, x / self._zoom, height_pt - y / self._zoom)

    def wait_rendered(self, timeout_ms: int = 5000) -> bool:
        """Tests and tools: wait for the background renders to finish."""
        return bool(self._pool.waitForDone(timeout_ms))

    # ------------------------------------------------------------------ events

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_PageDown:
            self.next_page()
        elif event.key() == Qt.Key.Key_PageUp:
            self.previous_page()
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event: object) -> None:  # type: ignore[override]
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self._fit:
            self._update()


def _page_sizes(data: bytes) -> list[tuple[float, float]]:
    import pypdfium2 as pdfium

    from gikai_desk.ingest.pdf import _PDFIUM_LOCK

    with _PDFIUM_LOCK:
        doc = pdfium.PdfDocument(data)
        try:
            return [doc.get_page_size(i) for i in range(len(doc))]
        finally:
            doc.close()
