"""Scanned reports (image-only PDFs, PNG/JPEG/TIFF pages) read offline with RapidOCR, cell by cell.

Each page image is deskewed, its ruling lines are found by morphology and handed, with one Char per recognised
text line, to the same page layout as a text-layer PDF (gikai_desk.ingest.pdf): tables, merged cells, tables
across pages, page furniture and prose come out exactly as they do there. Table cells are recognised one by one
(the ink inside each cell, line by line): a whole-page detector misses many lone small digits. A cell holding
a number OCR was not sure of, or ink it could not read, ends with OCR_UNSURE_MARK, which the parser flags.

The `[ocr]` extra (rapidocr, onnxruntime, opencv-python-headless) is optional: without it a scan is refused with
a message saying how to install it. Models ship inside the rapidocr wheel and are opened by path, so nothing is
ever downloaded.
"""

from __future__ import annotations

import copy
import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gikai_desk.errors import InputError
from gikai_desk.ingest import OCR_UNSURE_MARK, PAGE_IMAGE_SUFFIXES, SourceDocument
from gikai_desk.ingest import pdf as _pdf
from gikai_desk.limits import Limits

Progress = Callable[[int, int], None]
"""Called with (pages done, pages in all) after each page; raising from it cancels the reading."""

DIGIT_CONFIDENCE = 0.93
"""A cell's number is sure only when every character of it was recognised at least this confidently."""
BLURRED_SCORE = 0.75
"""A page whose median line confidence is below this is too blurred to read sure: all its values are flagged."""
DIGIT_WIDTH = 0.85
"""Ink wider than this many times its height per character is not digits (a digit is about 0.55)."""
UNREAD_TEXT = "〔文字无法识别〕"
"""Written for a table cell holding text OCR could not read (a label): text, never a number."""
BLURRED_SHARE = 0.2
"""...or where more than this share of its numbers were recognised unsure (a sharp scan has next to none)."""
MIN_DPI, MAX_DPI = 150.0, 300.0
"""Scans are read at their own resolution, within these bounds."""
A4_WIDTH_IN = 8.27
"""A page image without a resolution of its own is taken as A4 wide."""

_NO_OCR = f'{_pdf._SCANNED}（未安装文字识别组件 OCR is not installed: pip install "gikai-desk[ocr]"）'
_OCR_OFF = f"{_pdf._SCANNED}（文字识别已关闭 OCR is off: --no-ocr / GIKAI_NO_OCR）"
_SEPARATOR_DOUBT = re.compile(r"\d[.,]\d{3}(?!\d)|,")
"""A comma, or a point followed by exactly three digits: a thousands separator and a decimal point look alike
on a scan (1,234 read as 1.234), so such a number is never read sure."""
_LOCAL = threading.local()
_NUMERIC_CELL = re.compile(r"[+\-]?[\d,]*\d[\d,]*(?:\.\d+)?")
_ENGINE_LOCK = threading.Lock()
_CREATE_LOCK = threading.Lock()
_ENGINE: Any = None
_DIGITLIKE = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "S": "5", "B": "8"})
"""Letters OCR gives for digits in a cell that holds nothing else."""


@contextmanager
def on_page(progress: Progress | None) -> Iterator[None]:
    """Report OCR progress to `progress` for reads made by this thread inside the block."""
    previous = getattr(_LOCAL, "progress", None)
    _LOCAL.progress = progress
    try:
        yield
    finally:
        _LOCAL.progress = previous


@contextmanager
def on_partial(show: Callable[[SourceDocument], None] | None) -> Iterator[None]:
    """After each page but the last of a scan read by this thread inside the block, hand `show` the document
    of the pages read so far (the window shows the first pages' cells while later pages are still read)."""
    previous = getattr(_LOCAL, "partial", None)
    _LOCAL.partial = show
    try:
        yield
    finally:
        _LOCAL.partial = previous


def available() -> bool:
    """True when the [ocr] extra is installed and its models are in place."""
    return _missing() is None


def _missing() -> str | None:
    """Why OCR cannot run here (a module or a model file missing), or None."""
    try:
        _model_paths()
    except ImportError as exc:
        return f"{type(exc).__name__}: {exc}"
    except FileNotFoundError as exc:
        return f"model file missing: {exc}"
    return None


def _model_paths() -> dict[str, Path]:
    # onnxruntime (1.2x and later) otherwise writes a device id and a telemetry database under ~/.cache at import
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    import rapidocr

    folder = Path(rapidocr.__file__).resolve().parent / "models"
    paths = {
        "Det": folder / "PP-OCRv6_det_small.onnx",
        "Rec": folder / "PP-OCRv6_rec_small.onnx",
        "Cls": folder / "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    }
    for path in paths.values():
        if not path.is_file():
            raise FileNotFoundError(str(path))
    import cv2  # noqa: F401  (the headless build; fail here, not halfway through a page)
    import onnxruntime  # noqa: F401

    return paths


def _engine() -> Any:
    """The RapidOCR engine, made once, from the models inside the wheel (never downloaded)."""
    global _ENGINE
    with _CREATE_LOCK:
        if _ENGINE is None:
            _ENGINE = _new_engine()
    return _ENGINE


def _new_engine() -> Any:
    import logging

    from rapidocr import RapidOCR

    params: dict[str, Any] = {"Global.log_level": "error"}
    for task, path in _model_paths().items():
        params[f"{task}.model_path"] = str(path)
    engine = RapidOCR(params=params)
    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    return engine


# ---------------------------------------------------------------------------------------------------------
# Entry points


def refuse_reason(limits: Limits) -> str | None:
    """Why a scan cannot be read here (OCR off or not installed), or None."""
    if not limits.ocr:
        return _OCR_OFF
    missing = _missing()
    if missing is not None:
        return f"{_NO_OCR} [{missing[:200]}]"
    return None


def read_scanned_pdf(data: bytes, name: str, limits: Limits, page_count: int) -> SourceDocument:
    """Read an image-only PDF by OCR (read_pdf calls this when no page has a text layer)."""
    reason = refuse_reason(limits)
    if reason is not None:
        raise InputError(name, reason)
    if limits.max_ocr_pages and page_count > limits.max_ocr_pages:
        raise InputError(
            name,
            f"扫描件页数过多 too many scanned pages: {page_count} (limit {limits.max_ocr_pages}, GIKAI_MAX_OCR_PAGES)",
        )
    import pypdfium2 as pdfium

    def pages() -> Iterator[tuple[Any, float]]:
        with _pdf._PDFIUM_LOCK:
            doc = pdfium.PdfDocument(data)
        try:
            for index in range(len(doc)):
                with _pdf._PDFIUM_LOCK:
                    page = doc[index]
                    width_pt = page.get_width()
                    dpi = _native_dpi(page, width_pt)
                    bitmap = page.render(scale=dpi / 72.0, grayscale=True)
                    gray = bitmap.to_numpy().copy()
                    page.close()
                if gray.ndim == 3:
                    gray = gray[:, :, 0]
                yield gray, dpi
        finally:
            with _pdf._PDFIUM_LOCK:
                doc.close()

    return _read_pages(pages(), page_count, name, limits, "pdf")


def read_image_bytes(data: bytes, name: str, limits: Limits) -> SourceDocument:
    """Read one image file holding a report's page(s) (a multi-page TIFF gives several pages)."""
    reason = refuse_reason(limits)
    if reason is not None:
        raise InputError(name, reason)
    frames = _decode_frames(data, name, limits.max_ocr_pages)
    return _read_pages(iter(frames), len(frames), name, limits, "image")


def image_pages_pdf(data: bytes, name: str = "image") -> bytes:
    """An image report's pages as an image-only PDF, each page as large (in points) as the OCR read it, so the
    page view draws the cells' boxes (Report.boxes) on it as on a scanned PDF."""
    import io

    from PIL import Image

    frames = _decode_frames(data, name)
    images = [Image.fromarray(gray) for gray, _dpi in frames]
    if not images:
        raise InputError(name, "图片无法读取 unreadable image: no pages")
    out = io.BytesIO()
    # one resolution per file: PIL's PDF writer takes one; pages of one scanner share it
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=frames[0][1])
    return out.getvalue()


def read_image_folder(folder: Path, limits: Limits) -> SourceDocument:
    """A folder of page images (one report, pages in file name order)."""
    name = str(folder)
    reason = refuse_reason(limits)
    if reason is not None:
        raise InputError(name, reason)
    files = image_files(folder)
    if not files:
        raise InputError(name, "文件夹中没有页面图片 no page images in this folder")
    if limits.max_ocr_pages and len(files) > limits.max_ocr_pages:
        raise InputError(
            name, f"扫描件页数过多 too many scanned pages: {len(files)} (limit {limits.max_ocr_pages})"
        )

    def pages() -> Iterator[tuple[Any, float]]:
        for path in files:
            try:
                if limits.max_file_bytes and path.stat().st_size > limits.max_file_bytes:
                    raise InputError(
                        name, f"页面图片过大 page image too large: {path.name} (GIKAI_MAX_FILE_MB)"
                    )
                data = path.read_bytes()
            except OSError as exc:
                raise InputError(name, f"无法读取页面图片 {path.name}: {exc.strerror or exc}") from exc
            try:
                frames = _decode_frames(data, f"{name}/{path.name}")
            except InputError as exc:
                raise InputError(name, f"{path.name}: {exc.reason}") from exc
            yield from frames

    return _read_pages(pages(), len(files), name, limits, "image")


def image_files(folder: Path) -> list[Path]:
    """Page images in a folder, in natural name order (page2 before page10)."""

    def key(path: Path) -> list[Any]:
        return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name.lower())]

    return sorted(
        (
            p
            for p in folder.iterdir()
            if p.is_file() and p.suffix.lower() in PAGE_IMAGE_SUFFIXES and not p.name.startswith(".")
        ),
        key=key,
    )


def _decode_frames(data: bytes, name: str, max_pages: int = 0) -> list[tuple[Any, float]]:
    """The grey pages of an image file at their reading resolution; more than `max_pages` frames (a multi-page
    TIFF) are refused before any is decoded."""
    import io

    import numpy as np
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = 120_000_000
    frames: list[tuple[Any, float]] = []
    try:
        with Image.open(io.BytesIO(data)) as image:
            count = getattr(image, "n_frames", 1)
            if max_pages and count > max_pages:
                raise InputError(name, f"扫描件页数过多 too many scanned pages: {count} (limit {max_pages})")
            for k in range(count):
                image.seek(k)
                frame = ImageOps.exif_transpose(image.convert("L"))
                dpi_info = image.info.get("dpi")
                width = frame.width
                dpi = float(dpi_info[0]) if dpi_info and dpi_info[0] and float(dpi_info[0]) > 50 else 0.0
                if not dpi or not 5.0 <= width / dpi <= 12.0:
                    dpi = width / A4_WIDTH_IN
                gray: Any = np.asarray(frame, dtype=np.uint8)
                if dpi < MIN_DPI or dpi > MAX_DPI:  # read at 150..300 dpi, as PDF pages are
                    import cv2

                    factor = min(max(dpi, MIN_DPI), MAX_DPI) / dpi
                    method = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
                    gray = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=method)
                    dpi *= factor
                frames.append((gray, dpi))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InputError(name, f"图片无法读取 unreadable image: {exc}") from exc
    return frames


def _native_dpi(page: Any, width_pt: float) -> float:
    """The resolution of the scan on the page (its largest image), within MIN_DPI..MAX_DPI."""
    best = 0.0
    try:
        for obj in page.get_objects():
            if obj.type == 3:  # FPDF_PAGEOBJ_IMAGE
                left, _, right, _ = obj.get_pos()
                px_w, _ = obj.get_px_size()
                if right - left > 0.3 * width_pt:
                    best = max(best, px_w / ((right - left) / 72.0))
    except Exception:
        best = 0.0
    return min(max(best or MIN_DPI, MIN_DPI), MAX_DPI)


# ---------------------------------------------------------------------------------------------------------
# Pages


@dataclass
class _PageResult:
    chars: list[_pdf.Char]
    hsegs: list[tuple[float, float, float]]
    vsegs: list[tuple[float, float, float]]
    box: tuple[float, float, float, float]
    notes: list[str]
    confidence: dict[_pdf.Char, float]
    """The lowest character confidence of each table cell's Char."""


def _read_pages(
    pages: Iterator[tuple[Any, float]], count: int, name: str, limits: Limits, kind: str
) -> SourceDocument:
    started = time.monotonic()
    budget = max(limits.timeout_seconds, limits.ocr_seconds_per_page * count) if limits.timeout_seconds else 0
    deadline = started + budget if budget else math.inf
    progress: Progress | None = getattr(_LOCAL, "progress", None)
    partial: Callable[[SourceDocument], None] | None = getattr(_LOCAL, "partial", None)
    notes: list[str] = [f"扫描件，经文字识别（OCR）读取，共{count}页；识别不确定的数字已标记待核对"]
    built: list[_pdf._Page] = []
    unreadable: list[int] = []
    confidence: dict[_pdf.Char, float] = {}
    for index, (gray, dpi) in enumerate(pages):
        if time.monotonic() > deadline:
            raise InputError(name, f"读取超时 timeout: OCR took more than {budget:g} s (GIKAI_OCR_PAGE_S)")
        result = read_page(gray, dpi, index)
        notes.extend(result.notes)
        confidence.update(result.confidence)
        if not result.chars:
            unreadable.append(index + 1)
        layout = _pdf._PageLayout(index, result.box)
        built.append(
            _pdf._Page(
                index, layout.blocks(result.chars, result.hsegs, result.vsegs), result.box[1], result.box[3]
            )
        )
        if progress is not None:
            progress(index + 1, count)
        if partial is not None and index + 1 < count and len(unreadable) < len(built):
            so_far = copy.deepcopy(built)  # composing drops running headers and joins tables: not on `built`
            partial(_document(so_far, [*notes, f"正在识别：已读{index + 1}/{count}页"], confidence, name, kind))
    if len(unreadable) == len(built):
        raise InputError(
            name, "扫描件无法识别 no text could be recognised on any page (blank or unreadable scan)"
        )
    if unreadable:
        notes.append(f"第{'、'.join(map(str, unreadable))}页未识别出文字")
    document = _document(built, notes, confidence, name, kind)
    if limits.max_text_chars and len(document.text) > limits.max_text_chars:
        raise InputError(name, f"文字过多 too much text ({len(document.text)} characters)")
    return document


def _document(
    built: list[_pdf._Page], notes: list[str], confidence: dict[_pdf.Char, float], name: str, kind: str
) -> SourceDocument:
    """The document of the pages read: text, each table cell's lowest confidence and its box on the page."""
    text = _pdf._compose(built, notes)
    offsets = _cell_confidence(built, text, confidence)
    offsets[-1] = 1.0  # never empty for a scan: cells of tables without rulings have no entry (taken as 1.0)
    boxes = _pdf.cell_boxes(built, text)
    return SourceDocument(
        path=name, kind=kind, text=text, structured=True, notes=notes, confidence=offsets, boxes=boxes
    )


def _cell_confidence(
    pages: list[_pdf._Page], text: str, confidence: dict[_pdf.Char, float]
) -> dict[int, float]:
    """Where each ruled table cell's text starts in the composed text -> the lowest character confidence OCR gave
    it."""
    return {
        offset: min(confidence.get(ch, 1.0) for ch in chars)
        for offset, _, chars in _pdf.table_cell_chars(pages, text)
    }


@dataclass
class _Piece:
    """One line of ink to recognise: its pixel box, the table cell it lies in (None for prose)."""

    x0: int
    y0: int
    x1: int
    y1: int
    cell: tuple[int, int] | None


def read_page(gray: Any, dpi: float, index: int = 0) -> _PageResult:
    """Rulings and recognised text of one grey page image (numpy uint8), in PDF points (y up)."""
    import cv2
    import numpy as np

    unit = dpi / 150.0
    gray = _deskew(gray, unit)
    height, width = gray.shape
    binary = cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, _odd(31 * unit), 15
    )
    hmask = cv2.morphologyEx(
        binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (_odd(30 * unit), 1))
    )
    vmask = cv2.morphologyEx(
        binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, _odd(26 * unit)))
    )
    scale = 72.0 / dpi
    height_pt = height * scale
    hsegs = _segments(hmask, horizontal=True, unit=unit, scale=scale, height_pt=height_pt)
    vsegs = _segments(vmask, horizontal=False, unit=unit, scale=scale, height_pt=height_pt)
    tables = [t for t in _pdf._find_tables(hsegs, vsegs) if _is_table(t)]
    hsegs = [seg for t in tables for seg in t.hsegs]
    vsegs = [seg for t in tables for seg in t.vsegs]
    # ruling pixels are blanked inside the tables only: elsewhere the same strokes are characters
    covered = np.zeros_like(binary)
    for table in tables:
        x_lo, x_hi = round(table.xs[0] / scale), round(table.xs[-1] / scale)
        y_lo, y_hi = round((height_pt - table.ys[0]) / scale), round((height_pt - table.ys[-1]) / scale)
        pad = round(4 * unit)
        covered[max(0, y_lo - pad) : y_hi + pad + 1, max(0, x_lo - pad) : x_hi + pad + 1] = 255
    lines = cv2.dilate(
        cv2.bitwise_or(hmask, vmask), np.ones((3, 3), np.uint8), iterations=max(1, round(unit))
    )
    lines = cv2.bitwise_and(lines, covered)
    ink = cv2.bitwise_and(binary, cv2.bitwise_not(lines))
    ink = _drop_specks(ink, unit)
    clean = gray.copy()
    clean[lines > 0] = 255

    pieces: list[_Piece] = []
    cells_with_ink: set[tuple[int, int]] = set()
    for t, table in enumerate(tables):
        _pdf._fill_table(table)
        for cell, (r0, c0) in table.origin.items():
            r1, c1 = table.last_row[cell], table.last_col[cell]
            x0, x1 = round(table.xs[c0] / scale), round(table.xs[c1 + 1] / scale)
            y0, y1 = round((height_pt - table.ys[r0]) / scale), round((height_pt - table.ys[r1 + 1]) / scale)
            inset = max(1, round(2 * unit))
            found = _ink_lines(ink, x0 + inset, y0 + inset, x1 - inset, y1 - inset, unit)
            if found:
                cells_with_ink.add((t, cell))
            pieces.extend(_Piece(a, b, c, d, (t, cell)) for a, b, c, d in found)
    # prose and tables without rulings: lines of ink on the rest of the page
    rest_ink = cv2.bitwise_and(ink, cv2.bitwise_not(covered))
    pieces.extend(_prose_pieces(rest_ink, unit))

    texts = _recognise(clean, pieces, unit)
    chars: list[_pdf.Char] = []
    notes: list[str] = []
    by_cell: dict[tuple[int, int], list[tuple[_Piece, str, float]]] = {}
    scores: list[float] = []
    for piece, (text, score, low) in zip(pieces, texts, strict=True):
        if text.strip():
            scores.append(score)
        if piece.cell is not None:
            by_cell.setdefault(piece.cell, []).append((piece, text, low))
        elif text.strip():
            chars.append(_char(text.strip(), piece, scale, height_pt))
    numbers = [
        low
        for piece, (text, _, low) in zip(pieces, texts, strict=True)
        if piece.cell is not None and _NUMERIC_CELL.fullmatch(text.replace(" ", ""))
    ]
    unsure_share = sum(low < DIGIT_CONFIDENCE for low in numbers) / len(numbers) if len(numbers) >= 5 else 0.0
    blurred = (bool(scores) and float(np.median(scores)) < BLURRED_SCORE) or unsure_share > BLURRED_SHARE
    confidence: dict[_pdf.Char, float] = {}
    if blurred:
        notes.append(f"第{index + 1}页图像模糊，文字识别不可靠，本页的数字均已标记待核对")
    for key in sorted(cells_with_ink):
        got = by_cell.get(key, [])
        read = [(p, _digitise(text.strip()), low, text.strip()) for p, text, low in got if text.strip()]
        if not read:  # ink the recogniser could not read: never a sure blank
            p = got[0][0]
            chars.append(_char(OCR_UNSURE_MARK, p, scale, height_pt))
            continue
        numeric = (
            _NUMERIC_CELL.fullmatch("".join(text for _, text, _, _ in read).replace(" ", "")) is not None
        )
        unsure = numeric and (
            blurred
            or any(low < DIGIT_CONFIDENCE or text != raw for _, text, low, raw in read)
            or any(_SEPARATOR_DOUBT.search(text) for _, text, _, _ in read)
        )
        if unsure and not blurred and any(_too_wide_for_digits(p, text) for p, text, _, _ in read):
            # an unsure "number" whose glyphs are as wide as Chinese characters: a label OCR could not read
            # (总计 taken for 21), never a value
            p = read[0][0]
            chars.append(_char(UNREAD_TEXT, p, scale, height_pt))
            continue
        for k, (p, text, low, _) in enumerate(read):
            mark = OCR_UNSURE_MARK if unsure and k == len(read) - 1 else ""
            char = _char(text + mark, p, scale, height_pt)
            chars.append(char)
            confidence[char] = low
    box = (0.0, 0.0, width * scale, height_pt)
    return _PageResult(chars, hsegs, vsegs, box, notes, confidence)


def _too_wide_for_digits(piece: _Piece, text: str) -> bool:
    """The ink is wider than `text` as digits would be: a digit is about half as wide as high, a Chinese
    character about as wide as high."""
    count = len(text.replace(" ", ""))
    height = piece.y1 - piece.y0
    return count > 0 and height > 0 and (piece.x1 - piece.x0) / (height * count) > DIGIT_WIDTH


def _is_table(table: _pdf._Table) -> bool:
    """A ruled table, not strokes of characters that happen to meet: an inch wide at least, and its top and
    bottom rulings run most of its width."""
    width = table.xs[-1] - table.xs[0]
    if width < 72 or table.ys[0] - table.ys[-1] < 14 or len(table.xs) < 3:
        return False
    long = [y for y, x0, x1 in table.hsegs if x1 - x0 >= 0.6 * width]
    return len(long) >= 2 and max(long) - min(long) >= 14


def _odd(value: float) -> int:
    n = max(3, round(value))
    return n if n % 2 else n + 1


def _deskew(gray: Any, unit: float) -> Any:
    """The page turned level: the angle of its long horizontal rulings (or text lines) is measured and undone."""
    import cv2
    import numpy as np

    small = gray if unit <= 1.01 else cv2.resize(gray, None, fx=1 / unit, fy=1 / unit)
    binary = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    lines = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (61, 1)))
    lines = cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_RECT, (31, 3)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(lines)
    angles: list[tuple[float, float]] = []
    for k in range(1, count):
        x, y, w, h, _ = stats[k]
        if w < 250 or h > 40:
            continue
        ys, xs = np.nonzero(binary[y : y + h, x : x + w] & (labels[y : y + h, x : x + w] == k))
        if len(xs) < 100:
            continue
        slope = np.polyfit(xs.astype(np.float64), ys.astype(np.float64), 1)[0]
        angles.append((math.degrees(math.atan(slope)), float(w)))
    if not angles:
        angle = _text_angle(binary)
        if abs(angle) < 0.05:
            return gray
        h, w = gray.shape
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    angles.sort()
    total = sum(w for _, w in angles)
    acc = 0.0
    angle = angles[-1][0]
    for a, w in angles:
        acc += w
        if acc >= total / 2:
            angle = a
            break
    if abs(angle) < 0.05 or abs(angle) > 5:
        return gray
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _text_angle(binary: Any) -> float:
    """The angle that lines the page's text up best (a page without rulings): the turn, within ±3°, whose row
    profile is sharpest (text rows and the gaps between them cleanest)."""
    import cv2
    import numpy as np

    small = cv2.resize(binary, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    h, w = small.shape
    if cv2.countNonZero(small) < 200:
        return 0.0

    def sharpness(angle: float) -> float:
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        turned = cv2.warpAffine(small, matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        rows = turned.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(rows)).sum())

    best = max((a / 4 for a in range(-12, 13)), key=sharpness)
    return max((best + a / 40 for a in range(-10, 11)), key=sharpness)


def _segments(
    mask: Any, horizontal: bool, unit: float, scale: float, height_pt: float
) -> list[tuple[float, float, float]]:
    """Ruling segments of a line mask, in points: (y, x0, x1) for horizontal, (x, y0, y1) for vertical."""
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    out: list[tuple[float, float, float]] = []
    for k in range(1, count):
        x, y, w, h, _ = (int(v) for v in stats[k])
        if horizontal:
            if w < 30 * unit or h > 10 * unit:
                continue
            out.append((height_pt - (y + h / 2) * scale, x * scale, (x + w) * scale))
        else:
            if h < 26 * unit or w > 10 * unit:
                continue
            out.append(((x + w / 2) * scale, height_pt - (y + h) * scale, height_pt - y * scale))
    return out


def _drop_specks(ink: Any, unit: float) -> Any:
    """Ink without the scanner's specks (components smaller than a decimal point)."""
    import cv2
    import numpy as np

    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = np.zeros(count, np.uint8)
    keep[1:] = (stats[1:, cv2.CC_STAT_AREA] >= max(4, round(5 * unit * unit))).astype(np.uint8) * 255
    return keep[labels]


def _ink_lines(ink: Any, x0: int, y0: int, x1: int, y1: int, unit: float) -> list[tuple[int, int, int, int]]:
    """The lines of ink inside a box (a table cell): their pixel boxes, top to bottom."""
    import numpy as np

    if x1 - x0 < 3 or y1 - y0 < 3:
        return []
    region = ink[y0:y1, x0:x1]
    rows = np.count_nonzero(region, axis=1)
    if int(rows.sum()) < 6 * unit * unit:
        return []
    filled = rows > 0
    runs: list[list[int]] = []
    gap_tol = max(1, round(2 * unit))
    start = -1
    last = -(10**9)
    for r, on in enumerate(filled):
        if not on:
            continue
        if start >= 0 and r - last <= gap_tol:
            last = r
            continue
        if start >= 0:
            runs.append([start, last])
        start = last = r
    if start >= 0:
        runs.append([start, last])
    # a sliver (a dot, an underline) joins its neighbour
    merged: list[list[int]] = []
    for run in runs:
        if (
            merged
            and (run[1] - run[0] < 5 * unit or merged[-1][1] - merged[-1][0] < 5 * unit)
            and (run[0] - merged[-1][1] <= 6 * unit)
        ):
            merged[-1][1] = run[1]
        else:
            merged.append(run)
    out: list[tuple[int, int, int, int]] = []
    for top, bottom in merged:
        cols = np.nonzero(np.count_nonzero(region[top : bottom + 1], axis=0))[0]
        if cols.size == 0 or (bottom - top + 1) * (cols[-1] - cols[0] + 1) < 6 * unit * unit:
            continue
        out.append((x0 + int(cols[0]), y0 + top, x0 + int(cols[-1]) + 1, y0 + bottom + 1))
    return out


def _prose_pieces(ink: Any, unit: float) -> list[_Piece]:
    """Runs of text outside the ruled tables: ink joined across gaps narrower than about half a character (the
    strokes of one character joined up and down), each run cut into its lines. Columns of a table without
    rulings stay apart, and so do rows that a tall label beside them spans, so the page layout sees the same
    pieces a text layer gives; a lone digit is a run of its own, recognised on its own."""
    import cv2

    closed = cv2.morphologyEx(
        ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, _odd(5 * unit)))
    )
    joined = cv2.dilate(closed, cv2.getStructuringElement(cv2.MORPH_RECT, (_odd(9 * unit), 1)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    pieces: list[_Piece] = []
    for k in range(1, count):
        x, y, w, h, _ = (int(v) for v in stats[k])
        own = ink[y : y + h, x : x + w].copy()
        own[labels[y : y + h, x : x + w] != k] = 0
        for a, b, c, d in _ink_lines(own, 0, 0, w, h, unit):
            pieces.append(_Piece(x + a, y + b, x + c, y + d, None))
    return _join_runs(pieces)


def _join_runs(pieces: list[_Piece]) -> list[_Piece]:
    """Runs on one line closer than the line is high are one piece (a prose line cut at its punctuation): fewer,
    longer crops read faster and with more context; a wider gap (a column) keeps them apart."""
    pieces.sort(key=lambda p: (p.x0, p.y0))
    out: list[_Piece] = []
    for piece in pieces:
        height = piece.y1 - piece.y0
        for other in reversed(out):
            overlap = min(other.y1, piece.y1) - max(other.y0, piece.y0)
            low = min(height, other.y1 - other.y0)
            gap = piece.x0 - other.x1
            if (
                overlap >= 0.7 * low
                and abs(height - (other.y1 - other.y0)) <= 0.5 * max(height, 1)
                and (-2 <= gap <= max(height, other.y1 - other.y0))
            ):
                other.x1 = max(other.x1, piece.x1)
                other.y0, other.y1 = min(other.y0, piece.y0), max(other.y1, piece.y1)
                break
        else:
            out.append(piece)
    return out


REC_HEIGHT = 48
"""The recogniser's input height (PP-OCR)."""
MIN_REC_RATIO = 2.0
"""Narrowest input (width / height) a crop is padded to: a lone digit needs no 320-pixel canvas."""
REC_BATCH = 4
"""Crops recognised together: small batches waste little on padding to the widest (measured: 4 beats 8, 16, 32)."""


def _recognise(clean: Any, pieces: list[_Piece], unit: float) -> list[tuple[str, float, float]]:
    """(text, line confidence, lowest character confidence) of each piece. Crops of a like width go through the
    recogniser together, each batch only as wide as its widest crop (rapidocr pads every crop to 320 pixels,
    which makes a page of lone digits six times slower)."""
    import cv2
    import numpy as np

    if not pieces:
        return []
    h, w = clean.shape
    crops: list[Any] = []
    for p in pieces:
        pad = max(2, round(4 * unit))
        crop = clean[max(0, p.y0 - pad) : min(h, p.y1 + pad), max(0, p.x0 - pad) : min(w, p.x1 + pad)]
        ratio = crop.shape[1] / max(1, crop.shape[0])
        width = max(8, math.ceil(REC_HEIGHT * ratio))
        crops.append(
            cv2.resize(
                crop, (width, REC_HEIGHT), interpolation=cv2.INTER_AREA if unit > 1 else cv2.INTER_LINEAR
            )
        )
    order = sorted(range(len(crops)), key=lambda k: crops[k].shape[1])
    recogniser = _engine()._load_rec_model()
    results: list[tuple[str, float, float]] = [("", 0.0, 0.0)] * len(crops)
    for start in range(0, len(order), REC_BATCH):
        chunk = order[start : start + REC_BATCH]
        width = max(max(crops[k].shape[1] for k in chunk), round(REC_HEIGHT * MIN_REC_RATIO))
        batch = np.zeros((len(chunk), 3, REC_HEIGHT, width), np.float32)
        for row, k in enumerate(chunk):
            crop = crops[k].astype(np.float32) / 127.5 - 1.0
            batch[row, :, :, : crop.shape[1]] = crop[None, :, :]
        with _ENGINE_LOCK:
            preds = recogniser.session(batch)
        lines, words = recogniser.postprocess_op(
            preds, True, wh_ratio_list=[1.0] * len(chunk), max_wh_ratio=1.0
        )
        for row, k in enumerate(chunk):
            text, score = lines[row]
            confs = [float(c) for c in getattr(words[row], "confs", []) or []]
            results[k] = (str(text), float(score), min(confs) if confs and text else 0.0)
    return results


def _digitise(text: str) -> str:
    """A cell's text with letters OCR gives for digits put right, when the cell holds a number and nothing else."""
    compact = text.replace(" ", "")
    mapped = compact.translate(_DIGITLIKE)
    if (
        mapped != compact
        and mapped.replace(".", "").replace(",", "").isdigit()
        and any(c.isdigit() for c in compact)
    ):
        return mapped
    return text


def _char(text: str, piece: _Piece, scale: float, height_pt: float) -> _pdf.Char:
    x0, x1 = piece.x0 * scale, piece.x1 * scale
    top, bottom = height_pt - piece.y0 * scale, height_pt - piece.y1 * scale
    return (text, x0, bottom, x1, top, bottom)
