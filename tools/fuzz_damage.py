#!/usr/bin/env python3
"""Damage fuzzing at length: the labelled shared documents printed in text layouts (TAB, Markdown, cell per
line, pipe-terminated, one line) and damaged at random (tests/damage.py: a cell lost or doubled, a stray
number, page number, date or text, a label lost or damaged, two lines swapped or joined). Prints every
document with a cell read wrong and not flagged, and a tally by layout and damage.

    python tools/fuzz_damage.py                 # 2,000 documents
    python tools/fuzz_damage.py -n 20000 --seed 7 --only tab,markdown
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from damage import ROW_LAYOUTS, damage, labelled, render, silent_cells


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="documents to damage")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", help="comma-separated layouts")
    args = parser.parse_args()
    docs = labelled()
    if not docs:
        print("no labels in ../shared/eval/labels")
        return 2
    layouts = args.only.split(",") if args.only else [*ROW_LAYOUTS, "one-line"]
    tally: Counter[tuple[str, str]] = Counter()
    started = time.perf_counter()
    for k in range(args.n):
        rng = random.Random(args.seed * 1_000_003 + k)
        doc = rng.choice(docs)
        layout = rng.choice(layouts)
        base = "tab" if layout == "one-line" else layout
        damaged = damage(render(doc, base), base, rng)
        silent = silent_cells(damaged.lines, doc.values, layout == "one-line")
        if silent:
            tally[(layout, damaged.what.split("@")[0])] += 1
            print(f"SILENT {doc.name} {layout} {damaged.what} (seed {args.seed}, #{k}): {silent[:4]}")
    elapsed = time.perf_counter() - started
    print(f"{args.n} documents in {elapsed:.1f} s, {sum(tally.values())} with silent cells")
    for (layout, kind), n in sorted(tally.items()):
        print(f"  {layout:16} {kind:14} {n}")
    return 1 if tally else 0


if __name__ == "__main__":
    raise SystemExit(main())
