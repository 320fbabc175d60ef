"""Edit-to-repaint time of the reviewer window for a full report (setData -> undo command -> workspace commit
-> incremental re-check -> dataChanged -> repaint; target <= 50 ms), and how responsive the window stays while
a batch of 20 files (copies of the seeds, when ../shared is there) is parsed."""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QStandardPaths, Qt, QTimer
from PySide6.QtWidgets import QApplication

EDITS = int(os.environ.get("BENCH_EDITS", "60"))


def main() -> int:
    QStandardPaths.setTestModeEnabled(True)
    from gikai_desk.gui import create_main_window
    from gikai_desk.gui.main_window import demo_path

    with tempfile.TemporaryDirectory() as folder:
        window = create_main_window(Path(folder) / "bench.gikai")
        window.resize(1600, 1000)
        window.show()
        window.open_paths([demo_path()])
        window.wait_idle(60000)
        document = window.document
        if document is None:
            print("bench_gui: the demo report could not be parsed")
            return 1
        keys = [k for k in window.grid_model.layout.cell_keys() if k.startswith("t3.")]
        model = window.grid_model
        timings: list[float] = []
        for i in range(EDITS):
            key = keys[(i * 7) % len(keys)]
            index = model.index_of(key)
            value = (i % 9) + 1
            QApplication.processEvents()
            start = time.perf_counter()
            model.setData(index, str(value), Qt.ItemDataRole.EditRole)
            QApplication.processEvents()  # paints the regions dataChanged marked dirty
            timings.append((time.perf_counter() - start) * 1000)
        recheck: list[float] = []
        for i in range(EDITS):
            key = keys[(i * 5) % len(keys)]
            start = time.perf_counter()
            document.engine.recheck([key])
            recheck.append((time.perf_counter() - start) * 1000)
        commit: list[float] = []
        for i in range(EDITS):
            key = keys[(i * 3) % len(keys)]
            start = time.perf_counter()
            window.store.set_cell(document.rid, key, i % 5, "bench")
            commit.append((time.perf_counter() - start) * 1000)
        cells = len(window.grid_model.layout.cell_keys())
        full: list[float] = []
        for _ in range(10):
            start = time.perf_counter()
            window.grid_view.viewport().repaint()
            full.append((time.perf_counter() - start) * 1000)
        print(
            f"bench_gui: {EDITS} edits on a {cells}-cell report: edit-to-repaint median "
            f"{statistics.median(timings):.1f} ms (p90 {sorted(timings)[int(EDITS * 0.9)]:.1f} ms, "
            f"max {max(timings):.1f} ms; target <= 50 ms); incremental recheck alone median "
            f"{statistics.median(recheck):.2f} ms; Workspace.set_cell alone median {statistics.median(commit):.1f} ms; "
            f"full grid repaint median {statistics.median(full):.1f} ms"
        )
        batch_figures(window, Path(folder))
        window.close()
        window.store.close()
        window.deleteLater()
        QApplication.processEvents()
        del window, document, model
    return 0


def batch_figures(window: object, folder: Path) -> None:
    """Open 20 copies of the seeds; print the wall time and the longest gap between 5 ms timer ticks."""

    from gikai_desk.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    seeds = sorted((Path(__file__).resolve().parents[2] / "shared" / "seeds").glob("*.txt"))
    if not seeds:
        print("bench_gui batch: ../shared/seeds absent, skipped")
        return
    batch = folder / "batch"
    batch.mkdir()
    for i in range(20):
        seed = seeds[i % len(seeds)]  # a trailing line makes each copy distinct (identical files are queued once)
        (batch / f"{i:02d}_{seed.name}").write_bytes(seed.read_bytes() + f"\ncopy {i}\n".encode())
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    start = time.perf_counter()
    window.open_paths([batch])
    idle = window.wait_idle(300_000)
    wall = (time.perf_counter() - start) * 1000
    timer.stop()
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(ticks)]
    print(
        f"bench_gui batch: 20 files opened in {wall:.0f} ms (idle={idle}); event loop kept ticking: "
        f"{len(ticks)} ticks, longest gap {max(gaps, default=0):.0f} ms, median gap "
        f"{statistics.median(gaps) if gaps else 0:.1f} ms"
    )


if __name__ == "__main__":
    raise SystemExit(main())
