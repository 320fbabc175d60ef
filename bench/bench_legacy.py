"""Benchmark: Word 97 .doc, Excel 97 .xls and OFD against their .docx/.xlsx/PDF twins (read, and read + extract).

Run from the repository: `python bench/bench_legacy.py [--repeat N]`. For every fixture in tests/fixtures/legacy
it prints the median milliseconds of reading the legacy file and its twin, and the ratio; the target is a .doc or
.xls read within 2x the time of its .docx/.xlsx twin. The last lines give the ratio over all pairs of a kind.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench_ingest import timed  # noqa: E402

from gikai_desk.extract import extract_and_check  # noqa: E402
from gikai_desk.ingest.dispatch import read_bytes  # noqa: E402
from gikai_desk.limits import Limits  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures"
LEGACY = FIXTURES / "legacy"
LIMITS = Limits()


def median_ms(action: Callable[[], object], repeat: int) -> float:
    return timed(action, repeat)[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    twins: dict[str, str] = json.loads((LEGACY / "twins.json").read_text("utf-8"))
    totals: dict[str, list[float]] = {}
    print(
        f"{'fixture':48} {'twin':>6} {'read':>8} {'twin':>8} {'ratio':>6} {'+extract':>9} {'twin':>8} {'ratio':>6}"
    )
    for fixture, twin in sorted(twins.items()):
        legacy_path, twin_path = LEGACY / fixture, FIXTURES / twin
        legacy_data, twin_data = legacy_path.read_bytes(), twin_path.read_bytes()
        read_legacy = median_ms(partial(read_bytes, legacy_data, fixture, LIMITS), args.repeat)
        read_twin = median_ms(partial(read_bytes, twin_data, twin, LIMITS), args.repeat)
        full_legacy = median_ms(partial(extract_and_check, legacy_path), max(3, args.repeat // 3))
        full_twin = median_ms(partial(extract_and_check, twin_path), max(3, args.repeat // 3))
        kind = f"{legacy_path.suffix} vs {twin_path.suffix}"
        sums = totals.setdefault(kind, [0.0, 0.0, 0.0, 0.0])
        for index, value in enumerate((read_legacy, read_twin, full_legacy, full_twin)):
            sums[index] += value
        print(
            f"{fixture:48} {twin_path.suffix:>6} {read_legacy:8.2f} {read_twin:8.2f} {read_legacy / read_twin:6.2f} "
            f"{full_legacy:9.2f} {full_twin:8.2f} {full_legacy / full_twin:6.2f}"
        )
    print()
    for kind, (legacy, before, full_legacy, full_twin) in sorted(totals.items()):
        print(
            f"{kind:14} read {legacy:8.1f} ms / {before:8.1f} ms = {legacy / before:.2f}x; "
            f"read + extract + check {full_legacy:8.1f} / {full_twin:8.1f} ms = {full_legacy / full_twin:.2f}x"
        )


if __name__ == "__main__":
    main()
