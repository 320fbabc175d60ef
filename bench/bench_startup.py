"""Start-up: a fresh process to a shown reviewer window (issue 11: under 1 s), with an empty workspace and with
the five seeds in it. Runs `python -c` in a new process (offscreen) and takes the wall time from starting it to
the window's first shown event loop pass; five runs, median and worst."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = Path(os.environ.get("GIKAI_SHARED", REPO.parent / "shared")) / "seeds"

CHILD = """
import sys
from PySide6.QtCore import QStandardPaths, QTimer
from PySide6.QtWidgets import QApplication
QStandardPaths.setTestModeEnabled(True)
app = QApplication([])
from gikai_desk.gui import create_main_window
window = create_main_window(__import__("pathlib").Path(sys.argv[1]))
window.show()
QTimer.singleShot(0, lambda: (print("shown", flush=True), window.close(), app.quit()))
app.exec()
window.store.close()
"""


def run_once(workspace: Path) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(workspace)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(b"shown"):
            shown = time.perf_counter() - start
            break
    else:
        raise RuntimeError("the window did not show")
    proc.wait(60)
    return shown


def main() -> int:
    print(f"bench_startup: load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.gikai"
        seeded = Path(tmp) / "seeded.gikai"
        if SEEDS.is_dir():
            from gikai_desk.workspace import Workspace

            with Workspace.create(seeded) as ws:
                for seed in sorted(SEEDS.glob("*.txt")):
                    ws.add_file(seed)
        worst = 0.0
        for name, path in (("empty workspace", empty), ("five seeds", seeded)):
            if name == "five seeds" and not SEEDS.is_dir():
                print("bench_startup: ../shared/seeds absent, seeded run skipped")
                continue
            times = [run_once(path) for _ in range(5)]
            worst = max(worst, max(times))
            print(
                f"bench_startup: {name}: process start to shown window median {statistics.median(times):.2f} s, "
                f"worst {max(times):.2f} s (target < 1 s)"
            )
    return 0 if worst < 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
