"""Benchmark: parse_document alone per seed (target: well under 1 ms for a 15 KB text), and its stages.

Run from the repository: `python bench/bench_parse.py [--seeds DIR] [--runs N]`. Prints figures only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gikai_desk.ingest import SourceDocument, read_source  # noqa: E402
from gikai_desk.parse import parse_document  # noqa: E402
from gikai_desk.parse.meta import read_metadata  # noqa: E402
from gikai_desk.parse.narrative import read_narrative  # noqa: E402
from gikai_desk.parse.normalize import fold  # noqa: E402
from gikai_desk.parse.tables import locate  # noqa: E402


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()
    times: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=Path, default=REPO.parent / "shared" / "seeds")
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    paths = sorted(args.seeds.glob("*.txt")) + sorted(args.corpus.glob("*.txt"))
    if not paths:
        print(f"no seeds found in {args.seeds}")
        return 0
    print(f"python {sys.version.split()[0]}; median of {args.runs} runs (ms)")
    print(f"{'file':34s} {'chars':>6s} {'parse':>7s} {'fold+locate':>12s} {'meta':>6s} {'narrative':>10s}")
    for path in paths:
        doc: SourceDocument = read_source(path)
        text = doc.text
        whole = median_ms(lambda doc=doc: parse_document(doc), args.runs)  # type: ignore[misc]
        find = median_ms(lambda text=text: locate(fold(text)), args.runs)  # type: ignore[misc]
        meta = median_ms(lambda text=text: read_metadata(text), args.runs)  # type: ignore[misc]
        narrative = median_ms(lambda text=text: read_narrative(text, []), args.runs)  # type: ignore[misc]
        print(f"{path.name:34s} {len(text):6d} {whole:7.3f} {find:12.3f} {meta:6.3f} {narrative:10.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
