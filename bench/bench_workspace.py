"""Benchmark: a workspace of 1,000 reports — open + queue (target < 2 s), report load, one committed edit."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gikai_desk.model import Report  # noqa: E402
from gikai_desk.workspace import Workspace  # noqa: E402
from gikai_desk.workspace.synthetic import synthetic_report  # noqa: E402

SEEDS = REPO.parent / "shared" / "seeds"

OPEN_AND_QUEUE = r"""
import sys, time
start = time.perf_counter()
from gikai_desk.workspace import Workspace
ws = Workspace.open(sys.argv[1])
queue = ws.reports()
print(f"{time.perf_counter() - start:.4f} {len(queue)}")
"""


def seed_documents() -> list[tuple[str, bytes, Report]]:
    """The real seeds as parsed now (only those the parser reads with cells)."""
    from gikai_desk.errors import InputError
    from gikai_desk.extract import extract

    out: list[tuple[str, bytes, Report]] = []
    for path in sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []:
        try:
            report = extract(path)
        except InputError:
            continue
        if report.cells:
            out.append((path.name, path.read_bytes(), report))
    return out


def build(path: Path | str, count: int) -> tuple[float, int]:
    seeds = seed_documents()
    items: list[tuple[str, bytes, Report | None, str | None]] = []
    for i in range(count):
        if seeds and i % 2 == 0:
            name, data, report = seeds[(i // 2) % len(seeds)]
            items.append((f"{i:04d}-{name}", data, report.model_copy(deep=True), None))
        else:
            # organs report in consecutive years, so CROSS_YEAR_CARRY partners are looked up and compared
            report = synthetic_report(i, "2019" if i % 3 == 0 else "2021", agency=f"测试市第{i // 6}局")
            report = report.model_copy(update={"year": 2019 + (i // 2) % 3})
            items.append((report.file, report.text.encode("utf-8"), report, None))
    start = time.perf_counter()
    with Workspace.create(path) as ws:
        ws.add_documents(items)
    return time.perf_counter() - start, len(seeds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.gikai"
        build_s, seeds = build(path, args.reports)
        size_mb = path.stat().st_size / 1e6
        print(f"built {args.reports} reports ({'half from ' + str(seeds) + ' parsed seeds' if seeds else 'synthetic'}) "
              f"in {build_s:.2f} s (one transaction, rules checked per report); file {size_mb:.1f} MB")

        runs = []
        for _ in range(3):
            out = subprocess.run([sys.executable, "-c", OPEN_AND_QUEUE, str(path)], capture_output=True, text=True,
                                 check=True, env={"PYTHONPATH": str(REPO)})
            seconds, rows = out.stdout.split()
            runs.append(float(seconds))
        print(f"fresh process: import + Workspace.open + reports() of {rows} rows: "
              f"median {statistics.median(runs) * 1000:.0f} ms (target < 2000 ms)")

        start = time.perf_counter()
        ws = Workspace.open(path)
        queue = ws.reports()
        print(f"in process: Workspace.open + reports(): {(time.perf_counter() - start) * 1000:.1f} ms, {len(queue)} rows")
        rid = queue[len(queue) // 2].id
        loads = []
        for _ in range(20):
            start = time.perf_counter()
            report = ws.report(rid)
            loads.append(time.perf_counter() - start)
        print(f"report(rid) with corrections applied: median {statistics.median(loads) * 1000:.2f} ms")
        assert report is not None
        key = sorted(report.cells)[0]
        edits = []
        for i in range(30):
            start = time.perf_counter()
            ws.set_cell(rid, key, i, "bench")
            edits.append(time.perf_counter() - start)
        print(f"set_cell (committed, synchronous=FULL, rules re-run, summary updated): "
              f"median {statistics.median(edits) * 1000:.1f} ms, max {max(edits) * 1000:.1f} ms")

        start = time.perf_counter()
        with_cross = [item.id for item in queue if ws.cross_year_violations(item.id)]
        print(f"cross_year_violations() over the queue: {(time.perf_counter() - start) * 1000:.0f} ms, "
              f"{len(with_cross)} reports with CROSS_YEAR_CARRY findings")
        earlier = next((item for item in queue if item.file.startswith("synthetic") and item.year == 2019), None)
        if earlier is not None:
            edits = []
            for i in range(30):
                start = time.perf_counter()
                ws.set_cell(earlier.id, "t3.carried_out.natural", i, "bench")
                edits.append(time.perf_counter() - start)
            print(f"set_cell on a report whose next year is in the batch (its follower recounted too): "
                  f"median {statistics.median(edits) * 1000:.1f} ms, max {max(edits) * 1000:.1f} ms")
        ws.close()


if __name__ == "__main__":
    main()
