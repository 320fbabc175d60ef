"""Scanned reports read by OCR (gikai_desk.ingest.ocr): our own PDFs rendered and degraded into scans, page
images and folders of pages, bad scans, limits, and the real scan in ../shared when it is there."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES, SHARED
from scan_render import FITS_PDF, image_pdf, scanned_pages
from test_no_network import network_guard  # noqa: F401  (a fixture, used by name)

from gikai_desk.errors import InputError
from gikai_desk.ingest import OCR_UNSURE_MARK, read_source
from gikai_desk.ingest.dispatch import read_bytes
from gikai_desk.limits import Limits
from gikai_desk.parse.tokens import FLAG_OCR_UNREAD, FLAG_OCR_UNSURE, Kind, PipeStyle, tokenize

ocr = pytest.importorskip("gikai_desk.ingest.ocr")
if not ocr.available():
    pytest.skip('the [ocr] extra is not installed (pip install -e ".[dev,ocr]")', allow_module_level=True)

from gikai_desk.extract import extract  # noqa: E402
from gikai_desk.model import Report  # noqa: E402

EXPECTED: dict[str, int | float | None] = json.loads(
    (FIXTURES / "pdfedge" / "expected.json").read_text("utf-8")
)["cells"]


def score(report: Report, expected: dict[str, int | float | None]) -> tuple[int, list[str], list[str]]:
    """(cells right and sure, cells flagged, cells wrong and NOT flagged)."""
    right, flagged, silent = 0, [], []
    for key, want in expected.items():
        cell = report.cells.get(key)
        got = cell.value if cell is not None else None
        if cell is not None and not cell.sure:
            flagged.append(key)
        elif got == want or (got is not None and want is not None and abs(float(got) - float(want)) < 1e-9):
            right += 1
        else:
            silent.append(f"{key}: {got!r}, want {want!r}")
    return right, flagged, silent


def test_a_scanned_table_without_rulings() -> None:
    """Columns from the alignment of the ink (no rulings to find), on a page turned 0.35° that has no long line
    to level it by: every cell right or flagged."""
    page = scanned_pages(FITS_PDF.with_name("borderless-fits.pdf"), angle=0.35, seed=8)[0]
    report = extract_text(read_bytes(page, "borderless.jpg", Limits()))
    t3 = {k: v for k, v in EXPECTED.items() if k.startswith("t3.")}
    right, _, silent = score(report, t3)
    assert silent == []
    assert right >= 0.97 * len(t3)


@pytest.fixture(scope="module")
def fits_scan() -> list[bytes]:
    return scanned_pages(FITS_PDF)


def test_a_scanned_pdf_reads_like_its_text_layer(fits_scan: list[bytes], tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_pdf(fits_scan))
    pages: list[tuple[int, int]] = []
    with ocr.on_page(lambda done, total: pages.append((done, total))):
        report = extract(path)
    right, flagged, silent = score(report, EXPECTED)
    assert silent == []
    assert right >= 0.97 * len(EXPECTED), flagged
    assert pages == [(1, 2), (2, 2)]  # progress page by page
    assert any("OCR" in note for note in report.notes)


def test_page_images_one_file_and_a_folder(fits_scan: list[bytes], tmp_path: Path) -> None:
    from gikai_desk.cli import collect_files

    folder = tmp_path / "pages"
    folder.mkdir()
    for index, page in enumerate(fits_scan):
        (folder / f"page{index + 1}.jpg").write_bytes(page)
    (tmp_path / "other.txt").write_text("not a page", encoding="utf-8")
    # a folder of pages is one report, read in page order
    assert [p for p, _ in collect_files([str(tmp_path)])] == [tmp_path / "other.txt", folder]
    right, _, silent = score(extract(folder), EXPECTED)
    assert silent == [] and right >= 0.97 * len(EXPECTED)
    # one image named on its own is a report of one page (表三 only here)
    t3 = {k: v for k, v in EXPECTED.items() if k.startswith("t3.")}
    right, _, silent = score(extract(folder / "page1.jpg"), t3)
    assert silent == [] and right >= 0.97 * len(t3)


import urllib3  # noqa: E402, F401  (see test_ocr_stays_offline)


@pytest.mark.usefixtures("network_guard")
def test_ocr_stays_offline(fits_scan: list[bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    """The models are opened from the wheel: a fresh engine loads and reads with every connection refused.
    rapidocr imports requests (for its model download command, which we never call); urllib3 probes for IPv6 at
    import by binding a socket to ::1 (loopback, nothing is sent), so that import is done before the guard."""
    monkeypatch.setattr(ocr, "_ENGINE", None)
    doc = read_bytes(fits_scan[1], "page2.jpg", Limits())
    assert doc.kind == "image" and doc.text.strip()


def test_no_ocr_refuses_scans_as_before(fits_scan: list[bytes]) -> None:
    off = Limits(ocr=False)
    for data, name in ((image_pdf(fits_scan[:1]), "scan.pdf"), (fits_scan[0], "page.jpg")):
        with pytest.raises(InputError) as info:
            read_bytes(data, name, off)
        assert "no text layer" in info.value.reason and info.value.file == name


def test_too_many_pages_are_refused_before_reading() -> None:
    import io

    from PIL import Image

    out = io.BytesIO()
    pages = [Image.new("L", (60, 80), 255) for _ in range(5)]
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:])
    with pytest.raises(InputError) as info:
        read_bytes(out.getvalue(), "big.pdf", Limits(max_ocr_pages=4))
    assert "too many scanned pages: 5 (limit 4" in info.value.reason
    tiff = io.BytesIO()
    frames = [Image.new("L", (60, 80), 255) for _ in range(5)]
    frames[0].save(tiff, "TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(InputError) as info:
        read_bytes(tiff.getvalue(), "pages.tif", Limits(max_ocr_pages=4))
    assert "too many scanned pages: 5 (limit 4)" in info.value.reason


def test_a_blank_scan_is_refused_with_a_reason() -> None:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (1240, 1754), 255).save(out, "PNG")
    with pytest.raises(InputError) as info:
        read_bytes(out.getvalue(), "blank.png", Limits())
    assert "扫描件无法识别" in info.value.reason


def test_a_blurred_scan_says_so_and_puts_no_wrong_number_unflagged(tmp_path: Path) -> None:
    blurred = scanned_pages(FITS_PDF, blur=2.2, noise=5, quality=70)[:1]
    doc = read_bytes(blurred[0], "blurred.jpg", Limits())
    assert any("模糊" in note for note in doc.notes)
    try:
        report = extract_text(doc)
    except InputError:
        return  # not even the table labels could be read: refused with its reason, which is fine
    t3 = {k: v for k, v in EXPECTED.items() if k.startswith("t3.")}
    _, _, silent = score(report, t3)
    assert silent == []


def extract_text(doc: object) -> Report:
    from gikai_desk.parse import parse_document

    return parse_document(doc)  # type: ignore[arg-type]


def test_unsure_marks_become_flagged_cells() -> None:
    text = f"12{OCR_UNSURE_MARK}\t{OCR_UNSURE_MARK}\t7\t属于{OCR_UNSURE_MARK}"
    tokens = tokenize(text, 0, len(text), PipeStyle.NONE, False, False)
    assert [(t.kind, t.value, t.flag) for t in tokens] == [
        (Kind.NUMBER, 12, FLAG_OCR_UNSURE),
        (Kind.BLANK, None, FLAG_OCR_UNREAD),
        (Kind.NUMBER, 7, None),
        (Kind.TEXT, None, None),
    ]
    assert text[tokens[0].start : tokens[0].end] == "12"


def test_the_shared_scan_every_cell_right_or_flagged() -> None:
    path = CORPUS / "huaian-city-2024-scan.pdf"
    labels = SHARED / "eval" / "labels" / "huaian-city-2024-scan.json"
    if not path.is_file() or not labels.is_file():
        pytest.skip(f"the shared scan or its labels are absent ({path})")
    label = json.loads(labels.read_text("utf-8"))
    expected = {k: v for k, v in label["cells"].items() if k not in set(label.get("ambiguous", []))}
    report = read_source(path)
    from gikai_desk.parse import parse_document

    right, _, silent = score(parse_document(report), expected)
    assert silent == []
    assert right >= 0.99 * len(expected)


def test_a_failing_rule_on_a_scan_flags_its_least_certain_cell(fits_scan: list[bytes]) -> None:
    """A digit OCR misread with confidence breaks a 勾稽 rule: the rule's least certain cell is flagged (never a
    silent wrong value, and the report is not accused of an error before the reviewer has looked)."""
    import dataclasses

    from gikai_desk.parse import parse_document
    from gikai_desk.parse.scanned import FLAG_OCR_RULE
    from gikai_desk.rules import check

    doc = read_bytes(fits_scan[0], "page1.jpg", Limits())
    assert parse_document(doc).cells["t3.new.natural"].value == EXPECTED["t3.new.natural"] == 78
    start = next(off for off in doc.confidence if doc.text.startswith("78\t", off))
    confidence = dict(doc.confidence)
    confidence[start] = min(confidence.values()) - 0.01  # what OCR would say of a digit it half saw
    misread = dataclasses.replace(
        doc, text=doc.text[:start] + "76" + doc.text[start + 2 :], confidence=confidence
    )
    report = parse_document(misread)
    cell = report.cells["t3.new.natural"]
    assert (cell.value, cell.sure, cell.flag) == (76, False, FLAG_OCR_RULE)
    assert [k for k, c in report.cells.items() if not c.sure] == ["t3.new.natural"]
    assert not [v for v in check(report) if v.status == "fail" and v.severity == "error"]
    # the same text without OCR confidences (a text layer) accuses the report, as before
    plain = parse_document(dataclasses.replace(misread, confidence={}))
    assert plain.cells["t3.new.natural"].sure
    assert [v for v in check(plain) if v.status == "fail" and v.severity == "error"]


def test_a_bad_page_in_a_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "page1.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a picture")
    with pytest.raises(InputError) as info:
        read_source(tmp_path)
    assert info.value.file == str(tmp_path) and info.value.reason.startswith("page1.jpg: 图片无法读取")


def test_an_unsure_number_as_wide_as_chinese_characters_is_a_label() -> None:
    """总计 in a small header font read as "21" with low confidence: its ink is twice as wide per character as
    digits are, so the cell is written as unread text, never as a number."""
    assert ocr._too_wide_for_digits(ocr._Piece(0, 0, 40, 20, None), "21")  # two Chinese characters
    assert not ocr._too_wide_for_digits(ocr._Piece(0, 0, 22, 20, None), "21")  # two digits
    assert not ocr._too_wide_for_digits(ocr._Piece(0, 0, 60, 20, None), "96171.6")
    text = ocr.UNREAD_TEXT
    tokens = tokenize(text, 0, len(text), PipeStyle.NONE, False, False)
    assert [t.kind for t in tokens] == [Kind.TEXT]


def test_a_bold_scan_whose_table4_headers_are_unreadable() -> None:
    """OCR garbles 表四's header (行政诉讼 as 行政养运, 总计 unread), so its group words read like the row labels of a
    transposed 表四; but a group's worth of numbers (the values row) is left that no such row took: the labels were
    a header, and no cell may come out a sure blank. The one line of fifteen numbers whose group totals all hold
    is the values row."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(3)
    doc = pdfium.PdfDocument(str(FITS_PDF))
    pages: list[bytes] = []
    for index in range(len(doc)):
        image = doc[index].render(scale=150 / 72, grayscale=True).to_pil().convert("L")
        image = image.filter(ImageFilter.MinFilter(3)).rotate(
            0.5, resample=Image.Resampling.BILINEAR, fillcolor=255
        )
        pixels = np.asarray(image.filter(ImageFilter.GaussianBlur(0.8)), dtype=np.float32) * 0.85 + 20
        pixels += rng.normal(0, 8, pixels.shape)
        out = io.BytesIO()
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(out, "JPEG", quality=55)
        pages.append(out.getvalue())
    doc.close()
    report = extract_text(read_bytes(image_pdf(pages), "bold.pdf", Limits()))
    t4 = {k: v for k, v in EXPECTED.items() if k.startswith("t4.")}
    right, flagged, silent = score(report, t4)
    assert silent == []
    assert right == len(t4) and flagged == []


def test_a_thousands_separator_is_never_read_sure() -> None:
    """1,234 and 1.234 look alike on a scan: a number with a comma, or a point before exactly three digits, is
    marked unsure; an amount such as 96171.6 is not."""
    doubt = ocr._SEPARATOR_DOUBT
    assert doubt.search("1,234") and doubt.search("1.234")
    assert not doubt.search("96171.6") and not doubt.search("3985758") and not doubt.search("12.50")
