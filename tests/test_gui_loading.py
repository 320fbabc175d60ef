"""Loading a batch without freezing the window: worker processes, duplicates by digest, stores in slices.

The stall figure itself (worst gap of a 10 ms timer while 300 / 1,000 reports load) is measured by
bench/bench_load.py, not here."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from gikai_desk.gui.loading import CHUNK_MAX, ChunkSizer, DuplicateIndex
from gikai_desk.gui.main_window import demo_path
from gikai_desk.gui.worker import ProcessParser
from gikai_desk.parsejob import ParsedFile, parse_file
from gikai_desk.workspace import Workspace
from gikai_desk.workspace.synthetic import synthetic_report

pytestmark = pytest.mark.gui


def _parsed(tmp_path: Path, name: str, text: str) -> ParsedFile:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_file(path)


def test_duplicate_index_finds_same_bytes_by_organ_or_name(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "d.gikai")
    text = demo_path().read_text(encoding="utf-8")  # a report whose organ the parser reads
    first = _parsed(tmp_path, "a.txt", text)
    rid = ws.add_document(str(first.path), first.data, first.report, first.error)
    assert first.report is not None and first.report.agency
    index = DuplicateIndex(ws)  # built from the workspace: reads bytes only for candidates, hashes once
    copy = _parsed(tmp_path, "copy under another name.txt", text)
    assert index.find(copy) == rid
    changed = _parsed(tmp_path, "a2.txt", text + "\n另一行\n")
    assert index.find(changed) is None
    empty_a = _parsed(tmp_path, "empty-a.txt", "")
    other = ws.add_document(str(empty_a.path), empty_a.data, None, empty_a.error)
    index.add(other, empty_a)
    empty_b = _parsed(tmp_path, "empty-b.txt", "")
    assert index.find(empty_b) is None  # no organ to match, another name: not compared
    assert index.find(_parsed(tmp_path, "empty-a.txt", "")) == other  # the same name: compared, equal
    ws.close()


def test_chunk_sizer_follows_the_measured_cost() -> None:
    sizer = ChunkSizer()
    assert 1 <= sizer.size(None) <= CHUNK_MAX
    for _ in range(10):
        sizer.took(2, 0.1)  # 50 ms a file: one at a time
    assert sizer.size(None) == 1 and sizer.size(0.0) == 1
    for _ in range(20):
        sizer.took(8, 0.004)
    assert sizer.size(None) == CHUNK_MAX


def test_a_dead_worker_process_costs_nothing_but_a_reparse(qapp: QApplication, tmp_path: Path) -> None:
    """When the worker process dies (or its result is lost) the file is parsed again in a thread."""
    path = tmp_path / "r.txt"
    path.write_text(synthetic_report(5).text, encoding="utf-8")
    parser = ProcessParser(QThreadPool())
    got: list[ParsedFile] = []
    parser.finished.connect(got.append)
    broken: Future[ParsedFile] = Future()
    broken.set_exception(RuntimeError("worker process died"))
    parser._done(path, 7, broken)
    parser.shutdown()
    QApplication.processEvents()
    assert len(got) == 1 and got[0].order == 7 and got[0].report is not None and got[0].digest


def test_worker_processes_parse_and_report_back(qapp: QApplication, tmp_path: Path) -> None:
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"{i}.txt")
        paths[-1].write_text(synthetic_report(i).text, encoding="utf-8")
    paths.append(tmp_path / "missing.txt")
    parser = ProcessParser(QThreadPool())
    got: list[ParsedFile] = []
    parser.finished.connect(got.append)
    for order, path in enumerate(paths):
        parser.start(path, order)
    parser.shutdown()
    QApplication.processEvents()
    by_order = {p.order: p for p in got}
    assert sorted(by_order) == [0, 1, 2, 3]
    assert all(by_order[i].report is not None for i in range(3))
    assert by_order[3].report is None and "无法读取文件" in str(by_order[3].error)
