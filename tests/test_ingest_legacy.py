"""Word 97 .doc / WPS .wps, Excel 97 .xls / WPS .et and OFD, read against their twins cell for cell.

The .doc/.xls fixtures in tests/fixtures/legacy were made by LibreOffice from documents the readers already read
(tests/fixtures/legacy/make_legacy.py), the .ofd ones from the text-layer PDF fixtures by make_ofd.py; the twin
of each is listed in twins.json. Each one must give what its
twin's golden says, cell for cell, with the same flags and rule violations; a .doc made from a .docx and a .xls
made from a .xlsx must moreover give the very same displayed text as the twin.
"""

from __future__ import annotations

import io
import json
import shutil
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gikai_desk.errors import InputError
from gikai_desk.ingest import read_source
from tests import test_cousins as first_round
from tests import test_cousins2, test_cousins3

FIXTURES = Path(__file__).parent / "fixtures"
LEGACY = FIXTURES / "legacy"
TWINS: dict[str, str] = json.loads((LEGACY / "twins.json").read_text("utf-8"))

# Fixtures read wrong today: fixture name -> exact description of the bug (strict xfail).
KNOWN_BUGS: dict[str, str] = {
    "beiping-jiaoyu-2020-utf8.doc": (
        "the HTML twin's 表三 row 3.补正后申请内容仍不明确 lacks a <td>; LibreOffice's .doc fills the row up with an "
        "empty cell that has the borders of its neighbours, so the .doc itself shows a full row with a blank 总计 "
        "and nothing tells the reader the row was short"
    ),
    "beiping-jiaoyu-2020-utf8.rtf": (
        "as beiping-jiaoyu-2020-utf8.doc: LibreOffice's RTF fills the short row up with a bordered empty cell"
    ),
}


TWIN_BUGS = {**first_round.KNOWN_BUGS, **test_cousins2.KNOWN_BUGS, **test_cousins3.KNOWN_BUGS}
"""The twins' own known bugs (by golden name): the legacy rendering inherits them."""


def _cases(with_known_bugs: bool = True) -> list[Any]:
    cases = []
    for fixture in sorted(TWINS):
        marks = []
        twin_bug = TWIN_BUGS.get(Path(TWINS[fixture]).name + ".golden.json")
        if with_known_bugs and fixture in KNOWN_BUGS:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[fixture]))
        elif with_known_bugs and twin_bug:
            marks.append(pytest.mark.xfail(strict=True, reason=f"as its twin {TWINS[fixture]}: {twin_bug}"))
        cases.append(pytest.param(fixture, id=fixture, marks=marks))
    return cases


def test_every_fixture_is_there_and_small() -> None:
    assert len(TWINS) >= 20
    assert {Path(name).suffix for name in TWINS} == {".doc", ".xls", ".ofd", ".rtf"}
    for fixture, twin in TWINS.items():
        assert (LEGACY / fixture).is_file(), fixture
        assert (FIXTURES / twin).is_file(), twin
        assert (FIXTURES / (twin + ".golden.json")).is_file(), twin
        limit = 200 if fixture.endswith(".rtf") else 100  # LibreOffice writes every CJK character as \uN?
        assert (LEGACY / fixture).stat().st_size < limit * 1024, fixture


@pytest.mark.parametrize("fixture", _cases())
def test_legacy_reads_cell_for_cell(fixture: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The twin's golden holds for the legacy rendering: every cell, every flag, every violated rule."""
    want = json.loads((FIXTURES / (TWINS[fixture] + ".golden.json")).read_text("utf-8"))
    want["file"] = fixture
    golden = tmp_path / (fixture + ".golden.json")
    golden.write_text(json.dumps(want, ensure_ascii=False), "utf-8")
    monkeypatch.setattr(first_round, "COUSINS", LEGACY)
    first_round.test_cousin_read_cell_for_cell(golden)


@pytest.mark.parametrize(
    "fixture", [name for name, twin in sorted(TWINS.items()) if twin.endswith((".docx", ".xlsx"))]
)
def test_legacy_text_is_the_twins_text(fixture: str) -> None:
    """A .doc saved from a .docx (a .xls from a .xlsx) shows the same lines and TAB cells as its twin."""
    legacy = read_source(LEGACY / fixture)
    twin = read_source(FIXTURES / TWINS[fixture])
    assert legacy.structured
    assert legacy.kind == Path(fixture).suffix.lstrip(".")
    assert legacy.text.splitlines() == twin.text.splitlines()


def test_word_tables_keep_merged_cells() -> None:
    """表四's header (行政复议 over five columns, 行政诉讼 over ten) and 表三's label columns keep their grid."""
    text = read_source(LEGACY / "linchuanhu-2021.doc").text
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("行政复议"))
    assert header.split("\t") == ["行政复议", "", "", "", "", "行政诉讼", *[""] * 9]
    row = next(line for line in lines if line.startswith("一、本年新收"))
    assert row.split("\t")[:4] == ["一、本年新收政府信息公开申请数量", "", "", "240"]


def test_tracked_deletion_is_not_shown() -> None:
    """Deleted revisions (sprmCFRMarkDel) are skipped as <w:del> is in .docx."""
    legacy = read_source(LEGACY / "xihe-sifa-2021-tracked.doc").text
    twin = read_source(FIXTURES / TWINS["xihe-sifa-2021-tracked.doc"]).text
    assert legacy == twin


def test_hidden_sheet_skipped_in_xls() -> None:
    document = read_source(LEGACY / "cuiping-caizheng-2021-hidden-lastyear.xls")
    assert any("隐藏的工作表未读：2020年" in note for note in document.notes)
    assert "2020年" not in document.text.splitlines()


def test_xls_numbers_are_numbers() -> None:
    """Integral floats without .0, fractions kept, as the .xlsx reader writes them."""
    text = read_source(LEGACY / "cuiping-caizheng-2021.xls").text
    assert "36.0825" in text
    assert ".0\t" not in text and not any(
        cell.endswith(".0") for line in text.splitlines() for cell in line.split("\t")
    )


@pytest.mark.parametrize(
    ("fixture", "renamed"),
    [("linchuanhu-2021.doc", "report.wps"), ("cuiping-caizheng-2021.xls", "report.et")],
)
def test_wps_names_read_by_content(fixture: str, renamed: str, tmp_path: Path) -> None:
    """WPS's .wps/.et are the same OLE formats (no genuine WPS sample was at hand: a renamed file stands in)."""
    copy = tmp_path / renamed
    shutil.copyfile(LEGACY / fixture, copy)
    assert read_source(copy).text == read_source(LEGACY / fixture).text


@pytest.mark.parametrize(
    "twin",
    [
        "cousins/linchuanhu-2021.docx",
        "cousins/beiping-jiaoyu-2020-utf8.html",
        "cousins2/cuiping-caizheng-2021.xlsx",
    ],
)
def test_doc_named_file_read_as_what_it_is(twin: str, tmp_path: Path) -> None:
    """A .doc/.xls that is really .docx, HTML or .xlsx (as web sites serve them) is read as what it is."""
    copy = tmp_path / ("report.xls" if twin.endswith(".xlsx") else "report.doc")
    shutil.copyfile(FIXTURES / twin, copy)
    assert read_source(copy).text == read_source(FIXTURES / twin).text


def test_unknown_ole_and_presentation_refused(tmp_path: Path) -> None:
    import olefile

    data = (LEGACY / "linchuanhu-2021.doc").read_bytes()
    renamed = data.replace("WordDocument".encode("utf-16-le"), "WordDokument".encode("utf-16-le"))
    path = tmp_path / "odd.doc"
    path.write_bytes(renamed)
    assert olefile.isOleFile(str(path))
    with pytest.raises(InputError, match="neither a Word document nor an Excel workbook"):
        read_source(path)
    slides = data.replace("WordDocument".encode("utf-16-le"), "PowerPoint Document"[:12].encode("utf-16-le"))
    path.write_bytes(slides)
    with pytest.raises(InputError):
        read_source(path)


def _patched(source: Path, target: Path, stream: str, patch: Callable[[bytearray], None]) -> Path:
    """A copy of an OLE fixture with one stream changed in place (same size), through olefile."""
    import olefile

    shutil.copyfile(source, target)
    with olefile.OleFileIO(str(target), write_mode=True) as ole:
        data = bytearray(ole.openstream(stream).read())
        patch(data)
        ole.write_stream(stream, bytes(data))
    return target


def _encrypt_flag(word: bytearray) -> None:
    """Set fEncrypted in the FIB, as Word does when the file is saved with a password."""
    struct.pack_into("<H", word, 10, struct.unpack_from("<H", word, 10)[0] | 0x0100)


def _filepass(workbook: bytearray) -> None:
    """Turn the record after BOF (INTERFACEHDR, 2 bytes) into FILEPASS, as Excel writes a password's header."""
    assert struct.unpack_from("<HH", workbook, 20) == (0xE1, 2)
    struct.pack_into("<H", workbook, 20, 0x2F)


@pytest.mark.parametrize(
    ("fixture", "stream", "patch"),
    [
        ("linchuanhu-2021.doc", "WordDocument", _encrypt_flag),
        ("cuiping-caizheng-2021.xls", "Workbook", _filepass),
    ],
)
def test_password_protected_legacy_files_say_so(
    fixture: str, stream: str, patch: Callable[[bytearray], None], tmp_path: Path
) -> None:
    path = _patched(LEGACY / fixture, tmp_path / fixture, stream, patch)
    with pytest.raises(InputError, match="文件已加密") as caught:
        read_source(path)
    assert caught.value.file == str(path)


def test_password_protected_docx_says_so() -> None:
    """An encrypted .docx is an OLE file holding EncryptionInfo/EncryptedPackage (made with msoffcrypto-tool's
    OOXMLFile.encrypt, password `gikai`)."""
    with pytest.raises(InputError, match="password-protected"):
        read_source(LEGACY / "encrypted-password-gikai.docx")


def test_tables_on_one_sheet_keep_their_own_columns() -> None:
    """A web page opened in a spreadsheet program lays all its tables on one column grid: 表二's narrow columns
    must not split 表三's merged cells into extra blank columns (each table keeps the columns its cells begin in)."""
    import openpyxl

    from gikai_desk.ingest.dispatch import read_bytes
    from gikai_desk.limits import Limits

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["信息内容", "本年制发件数", None, "本年废止件数", None])
    sheet.append(["规章", 3, None, 0, None])
    sheet.append(["三、收到和处理政府信息公开申请情况"])
    sheet.append(["一、本年新收政府信息公开申请数量", 5, None, 7, None])
    sheet.append(["二、上年结转政府信息公开申请数量", 1, None, 2, None])
    for row in (4, 5):
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
        sheet.merge_cells(start_row=row, start_column=4, end_row=row, end_column=5)
    sheet["C1"], sheet["C2"] = "备注", "无"
    buffer = io.BytesIO()
    workbook.save(buffer)
    lines = read_bytes(buffer.getvalue(), "page.xlsx", Limits()).text.splitlines()
    assert lines[1:] == [
        "信息内容\t本年制发件数\t备注\t本年废止件数",
        "规章\t3\t无\t0",
        "三、收到和处理政府信息公开申请情况\t\t\t",
        "一、本年新收政府信息公开申请数量\t5\t7",
        "二、上年结转政府信息公开申请数量\t1\t2",
    ]


def test_rtf_code_page_unicode_and_tables() -> None:
    """\\ansicpg936 with \\'hh GBK bytes, \\uN with its fallback skipped, a field's result shown and its
    instruction hidden, deleted text skipped, a table with a merged header cell."""
    from gikai_desk.ingest.dispatch import read_bytes
    from gikai_desk.limits import Limits

    gbk = "".join(f"\\'{byte:02x}" for byte in "规章".encode("gbk"))
    rtf = (
        "{\\rtf1\\ansi\\ansicpg936\\uc1{\\fonttbl{\\f0 \\'cb\\'ce;}}{\\header 页眉\\par}"
        "\\pard 二、主动公开{\\deleted 删去的}政府信息情况\\par"
        "{\\field{\\*\\fldinst PAGE}{\\fldrslt 第1页}}\\par"
        "\\trowd\\clmgf\\cellx2000\\clmrg\\cellx4000\\cellx6000"
        "\\pard\\intbl 信息内容\\cell\\cell \\u26412?\\u24180?\\cell\\row"
        "\\trowd\\cellx2000\\cellx4000\\cellx6000"
        f"\\pard\\intbl {gbk}\\cell 3\\cell 0\\cell\\row"
        "\\pard 完\\par}"
    )
    document = read_bytes(rtf.encode("gbk"), "a.doc", Limits())
    assert document.kind == "rtf"
    assert document.text.splitlines() == [
        "二、主动公开政府信息情况",
        "第1页",
        "信息内容\t\t本年",
        "规章\t3\t0",
        "完",
    ]


def test_rtf_nested_too_deep_is_refused() -> None:
    from gikai_desk.ingest.dispatch import read_bytes
    from gikai_desk.limits import Limits

    with pytest.raises(InputError, match="nested deeper"):
        read_bytes(b"{\\rtf1 " + b"{" * 5000 + b"x" + b"}" * 5000 + b"}", "deep.rtf", Limits())


def test_xls_with_millions_of_blank_cells_refused_before_xlrd_builds_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """MULBLANK records stand for up to 256 formatted blank cells in 518 bytes: 20 MB of them would be ten million
    cells in xlrd's lists. The record headers are counted first and the workbook refused."""
    import tracemalloc

    from gikai_desk.ingest import ole

    record = struct.pack("<HH", 0xBE, 6 + 2 * 256) + bytes(6 + 2 * 256)
    flood = record * 40_000
    real_read = ole.OleFile.read

    def read(self: ole.OleFile, stream: str, limits: object) -> bytes:
        return flood if stream == "workbook" else real_read(self, stream, limits)  # type: ignore[arg-type]

    monkeypatch.setattr(ole.OleFile, "read", read)
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="more than 2000000 cells"):
            read_source(LEGACY / "cuiping-caizheng-2021.xls")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024


def _word6(tmp_path: Path) -> Path:
    """A .doc whose FIB says Word 6.0 (nFib 100): our reader does not take that layout."""
    return _patched(
        LEGACY / "linchuanhu-2021.doc",
        tmp_path / "word6.doc",
        "WordDocument",
        lambda word: struct.pack_into("<H", word, 2, 100),
    )


def test_word6_refused_without_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIKAI_LIBREOFFICE", "0")
    with pytest.raises(InputError, match=r"Word 6\.0/95"):
        read_source(_word6(tmp_path))


def test_word6_converted_by_an_installed_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fallback's plumbing, with a stand-in `soffice` that writes the .docx twin where LibreOffice would (the
    real program is not needed by the tests and not installed in CI)."""
    import sys

    twin = FIXTURES / TWINS["linchuanhu-2021.doc"]
    program = tmp_path / "soffice"
    program.write_text(
        f"#!{sys.executable}\n"
        "import shutil, sys\n"
        "args = sys.argv[1:]\n"
        "out = args[args.index('--outdir') + 1]\n"
        f"shutil.copyfile({str(twin)!r}, out + '/source.docx')\n"
    )
    program.chmod(0o755)
    monkeypatch.setenv("GIKAI_LIBREOFFICE", str(program))
    document = read_source(_word6(tmp_path))
    assert document.kind == "doc"
    assert document.text == read_source(twin).text
    assert any("LibreOffice" in note for note in document.notes)
