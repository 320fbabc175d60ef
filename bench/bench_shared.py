"""Benchmark: a shared workspace on PostgreSQL — one committed edit (target ≤ 5 ms median), the 1,000-report queue
in a fresh process (target ≤ 2 s), a change seen by a second client (target ≤ 1 s).

    python bench/bench_shared.py                      # a throwaway local server (initdb + pg_ctl, fsync on)
    python bench/bench_shared.py --url postgresql://… # an empty database on a real server
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_workspace import OPEN_AND_QUEUE, build  # noqa: E402

from gikai_desk.workspace import Workspace  # noqa: E402

WATCHER = r"""
import sys, time
from gikai_desk.workspace import Workspace
ws = Workspace.open(sys.argv[1], reviewer="watcher")
ws.changes()
print("READY", flush=True)
while True:
    for change in ws.changes(timeout=5.0):
        seen = time.time()
        for rid in change.reports or ():
            summary = ws.summary(rid)  # what the queue shows: refreshed counts and status
            print(f"SEEN {seen:.6f} {time.time():.6f} {summary.version}", flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--url", default=None, help="an empty PostgreSQL database (default: a throwaway server)")
    args = parser.parse_args()
    server = None
    if args.url:
        url = args.url
    else:
        from tests.pgserver import PgServer, skip_reason

        reason = skip_reason()
        if reason:
            print(f"bench_shared: SKIPPED — {reason}")
            return
        server = PgServer(fsync=True)
        url = server.create_database()
        print(f"throwaway PostgreSQL server ({server.bin}), unix socket, fsync on")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        build_s, seeds = build(url, args.reports)
        print(f"built {args.reports} reports ({'half from ' + str(seeds) + ' parsed seeds' if seeds else 'synthetic'}) "
              f"in {build_s:.2f} s (one transaction)")

        runs = []
        rows = "?"
        for _ in range(3):
            out = subprocess.run([sys.executable, "-c", OPEN_AND_QUEUE, url], capture_output=True, text=True,
                                 check=True, env=env)
            seconds, rows = out.stdout.split()
            runs.append(float(seconds))
        print(f"fresh process: import + Workspace.open + reports() of {rows} rows: "
              f"median {statistics.median(runs) * 1000:.0f} ms (target ≤ 2000 ms)")

        ws = Workspace.open(url, reviewer="bench")
        start = time.perf_counter()
        queue = ws.reports()
        print(f"in process: reports(): {(time.perf_counter() - start) * 1000:.1f} ms, {len(queue)} rows")
        rid = queue[len(queue) // 2].id
        ws.claim(rid)
        report = ws.report(rid)
        assert report is not None
        key = sorted(report.cells)[0]
        edits = []
        for i in range(50):
            start = time.perf_counter()
            ws.set_cell(rid, key, i)
            edits.append(time.perf_counter() - start)
        print(f"set_cell (version check, claim check, rules re-run, summary, NOTIFY, COMMIT): "
              f"median {statistics.median(edits) * 1000:.2f} ms, max {max(edits) * 1000:.1f} ms (target ≤ 5 ms)")
        notes = []
        for i in range(50):
            start = time.perf_counter()
            ws.set_note(rid, f"note {i}")
            notes.append(time.perf_counter() - start)
        print(f"set_note (a change without re-running the rules): median {statistics.median(notes) * 1000:.2f} ms")

        watcher = subprocess.Popen([sys.executable, "-c", WATCHER, url], stdout=subprocess.PIPE, text=True, env=env)
        assert watcher.stdout is not None
        assert watcher.stdout.readline().strip() == "READY"
        delays, shown = [], []
        for i in range(20):
            ws.set_cell(rid, key, 1000 + i)
            committed = time.time()
            line = watcher.stdout.readline().split()
            assert line and line[0] == "SEEN", line
            delays.append(float(line[1]) - committed)
            shown.append(float(line[2]) - committed)
            time.sleep(0.05)
        watcher.kill()
        watcher.wait()
        print(f"change seen by a second client (LISTEN/NOTIFY): median {statistics.median(delays) * 1000:.1f} ms, "
              f"max {max(delays) * 1000:.1f} ms; with its queue row re-read: median "
              f"{statistics.median(shown) * 1000:.1f} ms (target ≤ 1000 ms)")
        ws.close()
    finally:
        if server is not None:
            server.close()


if __name__ == "__main__":
    main()
