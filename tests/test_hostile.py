"""Hostile inputs: a clear InputError naming the file (or a sane document), fast, bounded memory, batch goes on."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
from hostile import make_hostile

from gikai_desk.errors import InputError
from gikai_desk.ingest import SourceDocument
from gikai_desk.ingest.dispatch import read_path
from gikai_desk.limits import Limits

LIMITS = Limits()
HANG = 5.0
"""Generous wall-clock bound (seconds) that only a hang or a runaway would exceed; real timings are in bench/."""

REFUSED: dict[str, str] = {
    "entity-bomb.docx": "DTD",
    "entity-bomb.xlsx": "DTD",
    "forged-size.docx": "损坏的Word文件 corrupt .docx",
    "empty.txt": "空文件 empty file",
    "junk.txt": "不是文本文件 binary file",
    "truncated.docx": "corrupt",
    "corrupt.xlsx": "损坏的Excel文件 corrupt .xlsx",
    "legacy.doc": "损坏的Office文件 corrupt OLE compound file",
    "sector-loop.doc": "sector chain loops back on itself",
    "sector-loop.xls": "sector chain loops back on itself",
    "oversized-stream.doc": "损坏的Office文件 corrupt OLE compound file",
    "truncated.doc": "损坏的Office文件 corrupt OLE compound file",
    "lying-fib.doc": "文本过长 text too long",
    "entity-bomb.ofd": "DTD",
    "deep.rtf": "groups nested deeper than 2000",
    "zip-bomb.ofd": "zip bomb",
    "zip-bomb.docx": "zip bomb",
    "big-200mb.txt": "文件过大 file too large",
    "big-50mb.txt": "文本文件过大 text file too large",
}
"""Hostile file -> part of the reason it must be refused with."""


def _check_read(path: Path) -> SourceDocument:
    expected = REFUSED.get(path.name)
    start = time.perf_counter()
    if expected is None:
        doc = read_path(path, LIMITS)
    else:
        with pytest.raises(InputError) as caught:
            read_path(path, LIMITS)
        error = caught.value
        assert error.file == str(path)
        assert expected in error.reason
        assert str(error).startswith(f"{path}: ")
        doc = SourceDocument(path=str(path), kind="refused", text="")
    assert time.perf_counter() - start < HANG
    return doc


def _readable(doc: SourceDocument, name: str) -> None:
    """What the hostile files that are still documents must read as."""
    if name == "organ-equals.html":
        assert doc.kind == "html"
        assert doc.text.startswith('=HYPERLINK("http://x","点击")市某局2019年政府信息公开工作年度报告\n')
        assert "一、本年新收政府信息公开申请数量\t5\t0\t0\t0\t0\t0\t5\n" in doc.text
    elif name == "no-tables.html":
        assert doc.text == "关于做好政务公开工作的通知\n各单位：请认真落实。\n"  # title inside line 1
        assert "页面中没有表格 the page holds no tables" in doc.notes
    elif name == "invalid-utf8.txt":
        assert "\ufffd" in doc.text and "三、收到和处理政府信息公开申请情况" in doc.text
        assert any("无法解码" in note for note in doc.notes)
    elif name == "mixed-encodings.txt":
        assert doc.text.splitlines() == [line.format(organ="某县人民政府") for line in make_hostile.REPORT_TEXT_LINES]
    elif name == "deep.html":
        assert doc.text == "深层嵌套\n一、本年新收政府信息公开申请数量\t5\n"
    else:
        raise AssertionError(f"{name} should have been refused")


@pytest.fixture(scope="module")
def big_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile-big")
    return {name: make(folder) for name, make in make_hostile.BIG.items()}


@pytest.mark.parametrize("name", sorted(make_hostile.SMALL))
def test_committed_hostile_file(name: str) -> None:
    path = make_hostile.FILES / name
    assert path.is_file(), "run: python tests/hostile/make_hostile.py"
    doc = _check_read(path)
    if name not in REFUSED:
        _readable(doc, name)


@pytest.mark.parametrize("name", sorted(make_hostile.SMALL))
def test_freshly_generated_hostile_file(name: str, tmp_path: Path) -> None:
    path = make_hostile.SMALL[name](tmp_path)
    assert path.name == name
    doc = _check_read(path)
    if name not in REFUSED:
        _readable(doc, name)


@pytest.mark.parametrize("name", sorted(make_hostile.BIG))
def test_big_hostile_file_within_time_and_memory(name: str, big_files: dict[str, Path]) -> None:
    path = big_files[name]
    tracemalloc.start()
    try:
        doc = _check_read(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024, f"{name}: peak {peak / 1e6:.0f} MB"
    if name not in REFUSED:
        _readable(doc, name)


def test_a_batch_carries_on_after_every_hostile_file(big_files: dict[str, Path], tmp_path: Path) -> None:
    good = tmp_path / "good.html"
    good.write_text("<html><body><p>正常的报告</p><table><tr><td>规章</td><td>1</td></tr></table></body></html>")
    paths = [make_hostile.FILES / name for name in sorted(make_hostile.SMALL)] + list(big_files.values())
    outcomes: list[str] = []
    for path in paths:
        for target in (path, good):
            try:
                outcomes.append(read_path(target, LIMITS).kind)
            except InputError as error:
                assert error.file == str(target)
                outcomes.append("error")
    assert outcomes[1::2] == ["html"] * len(paths)
    assert outcomes[0::2].count("error") == len(REFUSED)


def test_cli_check_names_every_bad_file_and_goes_on(
    big_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gikai_desk.cli import main

    good = (make_hostile.FILES / "organ-equals.html").read_bytes()
    paths = [make_hostile.FILES / name for name in sorted(REFUSED) if name in make_hostile.SMALL]
    paths += [big_files[name] for name in sorted(make_hostile.BIG) if name in REFUSED]
    batch: list[Path] = []
    for index, path in enumerate(paths):
        copy = tmp_path / f"good-{index}.html"
        copy.write_bytes(good)
        batch += [path, copy]
    start = time.perf_counter()
    code = main(["check", *map(str, batch)])
    assert time.perf_counter() - start < HANG * 3
    lines = capsys.readouterr().out.splitlines()
    assert code == 2
    for path in paths:
        said = [line for line in lines if line.startswith(f"{path}: ")]
        assert len(said) == 1 and REFUSED[path.name] in said[0], path.name
    for copy in batch[1::2]:  # the good report after each hostile file is still read and checked
        assert any(str(copy) in line for line in lines), copy.name
        assert not any(line.startswith(f"{copy}: ") for line in lines), copy.name
