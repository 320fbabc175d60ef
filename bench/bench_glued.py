"""Benchmark: splitting glued table cells (a whole 表三 of 25 rows, a 表四 blob, hostile blobs).

Run from the repository: `python bench/bench_glued.py`. Prints the median and best time per case; the
target is a whole pingtan-style 表三 in a few milliseconds and every hostile blob bounded (well under 1 s).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gikai_desk.forms import formbook  # noqa: E402
from gikai_desk.parse.glued import Constraint, GluedSolution, rule_constraints, solve_glued  # noqa: E402


def timed(action: Callable[[], GluedSolution], repeat: int) -> tuple[float, float, GluedSolution]:
    """(median ms, best ms, last result)."""
    result = action()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), min(samples), result


def glued_table(rng: random.Random, height: int, high: int) -> list[str]:
    """A random 表三-like block: rows of six counts plus their total, the last row the column sums."""
    rows = [[rng.choice([0, 0, 0, rng.randint(0, high)]) for _ in range(6)] for _ in range(height - 1)]
    rows.append([sum(col) for col in zip(*rows, strict=True)])
    return ["".join(str(v) for v in [*row, sum(row)]) for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    book = formbook()
    keys21 = book.keys("t3", "2021")
    t3_rows = (
        ["640020470", "0000000", "270020130", "500000 5"]
        + ["0000000"] * 4
        + ["1000001", "0000000", "6000006", "1000001", "220000325"]
        + ["0000000"] * 9
        + ["1000001", "630020469", "1000001 "]
    )
    t3_constraints = rule_constraints(keys21, book)
    t4_constraints = rule_constraints(book.keys("t4", "2021"), book)
    row_total = [Constraint(tuple(range(6)), (6,))]
    cases: list[tuple[str, Callable[[], GluedSolution]]] = [
        ("表三 2021 form, 25 rows x 7, 39 rules", lambda: solve_glued(t3_rows, [7] * 25, t3_constraints)),
        ("表四 17 digits into 15 cells", lambda: solve_glued(["10203120001200000"], [15], t4_constraints)),
        ("表二 row 3960181 into 3, no rule", lambda: solve_glued(["3960181"], [3], [])),
        (
            "one 表三 row, 21 digits (5-digit counts)",
            lambda: solve_glued(["291301200352010030458"], [7], row_total),
        ),
        ("hostile: 200 digits into 7", lambda: solve_glued(["1" * 200], [7], row_total)),
        (
            "hostile: 200 digits into 20 with a total",
            lambda: solve_glued(["1234567890" * 20], [20], [Constraint(tuple(range(19)), (19,))]),
        ),
        ("hostile: 5,000 digits into 7", lambda: solve_glued(["9" * 5000], [7], [])),
    ]
    print(f"{'case':48} {'median ms':>10} {'best ms':>9}  outcome")
    for name, action in cases:
        median, best, result = timed(action, args.repeat)
        outcome = f"{result.solutions} solution(s)" + (", flagged" if result.ambiguous else "")
        print(f"{name:48} {median:10.3f} {best:9.3f}  {outcome}")

    rng = random.Random(7)
    for high in (120, 9999):
        samples = []
        flagged = 0
        for _ in range(200):
            blobs = glued_table(rng, rng.randint(2, 5), high)
            height = len(blobs)
            constraints = [Constraint(tuple(range(r * 7, r * 7 + 6)), (r * 7 + 6,)) for r in range(height)]
            constraints += [
                Constraint(tuple(r * 7 + c for r in range(height - 1)), ((height - 1) * 7 + c,))
                for c in range(7)
            ]
            start = time.perf_counter()
            result = solve_glued(blobs, [7] * height, constraints)
            samples.append((time.perf_counter() - start) * 1000)
            flagged += result.ambiguous
        samples.sort()
        print(
            f"random tables, counts up to {high:>5}: median {statistics.median(samples):.2f} ms, "
            f"95th {samples[int(len(samples) * 0.95)]:.1f} ms, max {samples[-1]:.1f} ms, "
            f"{flagged}/{len(samples)} left ambiguous"
        )


if __name__ == "__main__":
    main()
