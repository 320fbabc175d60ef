"""Does the window keep answering while a big batch loads? (issue 11: the event loop never stalls > 100 ms)

Writes N distinct report files (synthetic reports from gikai_desk.workspace.synthetic, and every fifth a copy of
one of the real seeds with a distinct last line when ../shared is there), opens them in the reviewer window
(offscreen, 1366×768), and measures the gaps between the ticks of a 10 ms QTimer from the moment the files are
opened until the batch is stored and the first report is shown. Prints the worst gap (the longest stall), the
99th percentile and the wall time.

    python bench/bench_load.py            # 300 and 1,000 reports
    python bench/bench_load.py 300        # one size
"""

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

from PySide6.QtCore import QStandardPaths, QTimer
from PySide6.QtWidgets import QApplication

SEEDS = Path(os.environ.get("GIKAI_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "seeds"
STALL_TARGET_MS = 100.0


def write_batch(folder: Path, count: int) -> None:
    """`count` distinct report files: synthetic 2019/2021 reports, every fifth a real seed copy."""
    from gikai_desk.workspace.synthetic import synthetic_report

    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    folder.mkdir(parents=True)
    for i in range(count):
        if seeds and i % 5 == 4:
            seed = seeds[(i // 5) % len(seeds)]
            data = seed.read_bytes() + f"\n（第 {i} 份副本）\n".encode()
            (folder / f"{i:04d}_{seed.name}").write_bytes(data)
        else:
            report = synthetic_report(i, "2019" if i % 3 == 0 else "2021")
            (folder / f"{i:04d}_synthetic.txt").write_text(report.text, encoding="utf-8")


def measure(count: int) -> float:
    from gikai_desk.gui import create_main_window

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "batch"
        write_batch(folder, count)
        window = create_main_window(Path(tmp) / "load.gikai")
        window.resize(1366, 768)
        window.show()
        QApplication.processEvents()
        ticks: list[float] = []
        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
        timer.start()
        QApplication.processEvents()
        start = time.perf_counter()
        ticks.append(start)
        window.open_paths([folder])
        idle = window.wait_idle(600_000)
        QApplication.processEvents()
        end = time.perf_counter()
        ticks.append(end)
        timer.stop()
        gaps = sorted(((b - a) * 1000 for a, b in itertools.pairwise(ticks)), reverse=True)
        stored = window.queue_model.rowCount()
        worst = gaps[0] if gaps else 0.0
        p99 = gaps[len(gaps) // 100] if gaps else 0.0
        print(
            f"bench_load: {count} reports opened in {end - start:.1f} s (idle={idle}, {stored} in the queue); "
            f"10 ms timer: worst gap {worst:.0f} ms (target <= {STALL_TARGET_MS:.0f} ms), "
            f"p99 {p99:.0f} ms, median {statistics.median(gaps):.1f} ms, {len(gaps)} ticks; "
            f"next worst {', '.join(f'{g:.0f}' for g in gaps[1:5])} ms"
        )
        window.close()
        window.store.close()
        window.deleteLater()
        QApplication.processEvents()
        return worst


def main(argv: list[str]) -> int:
    QStandardPaths.setTestModeEnabled(True)
    _app = QApplication.instance() or QApplication([])
    sizes = [int(a) for a in argv] or [300, 1000]
    print(f"bench_load: load average {os.getloadavg()[0]:.2f} at start, {os.cpu_count()} cores")
    worst = max(measure(n) for n in sizes)
    print(f"bench_load: load average {os.getloadavg()[0]:.2f} at end")
    return 0 if worst <= STALL_TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
