"""Long fuzz run: the strategies of tests/test_fuzz.py for N minutes; prints documents tried and any failure.

    python tools/fuzz_long.py --minutes 10 [--save failures/] [--only mutated_seed,random_html]

A failure is any exception other than InputError, or a document taking longer than 1 s. Failing documents are
saved (with their origin) so they can be replayed. Exit code 0 when nothing failed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import faulthandler
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from fuzzing import DOCUMENT_BUDGET_S, STRATEGIES, FuzzDocument, run_pipeline  # type: ignore[import-not-found]  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402

CHUNK = 200
HANG_ABORT_S = 60
"""A single document still running after this long is a hang: dump every thread's stack and stop."""


@dataclass
class Tally:
    tried: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")


def try_document(document: FuzzDocument, strategy: str, tally: Tally, save: Path) -> None:
    tally.tried[strategy] += 1
    faulthandler.dump_traceback_later(HANG_ABORT_S, exit=True)
    try:
        outcome = run_pipeline(document)
    except Exception as exc:
        problem = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
    else:
        problem = ""
        if outcome.error is not None:
            tally.refused[strategy] += 1
        if outcome.elapsed > tally.slowest[0]:
            tally.slowest = (outcome.elapsed, document.origin)
        if outcome.elapsed >= DOCUMENT_BUDGET_S:
            problem = f"took {outcome.elapsed:.2f} s (budget {DOCUMENT_BUDGET_S:.0f} s)"
    finally:
        faulthandler.cancel_dump_traceback_later()
    if problem:
        index = len(tally.failures) + 1
        target = save / f"failure-{index:03d}-{document.name}"
        target.write_bytes(document.data)
        target.with_suffix(target.suffix + ".txt").write_text(
            f"{document.origin}\n{problem}", encoding="utf-8"
        )
        tally.failures.append(f"{strategy}: {document.origin}: {problem.splitlines()[0]} -> {target}")
        print(f"FAILURE {tally.failures[-1]}", flush=True)


def run_chunk(strategy: str, tally: Tally, save: Path) -> None:
    @settings(
        max_examples=CHUNK,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(STRATEGIES[strategy])
    def chunk(document: FuzzDocument) -> None:
        try_document(document, strategy, tally, save)

    chunk()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument(
        "--save", type=Path, default=None, help="folder for failing documents (default: a temp dir)"
    )
    parser.add_argument("--only", default="", help=f"comma-separated strategies of {', '.join(STRATEGIES)}")
    args = parser.parse_args(argv)
    chosen = [s for s in args.only.split(",") if s] or list(STRATEGIES)
    unknown = [s for s in chosen if s not in STRATEGIES]
    if unknown:
        parser.error(f"unknown strategies {unknown}")
    save: Path = args.save or Path(tempfile.mkdtemp(prefix="gikai-fuzz-"))
    save.mkdir(parents=True, exist_ok=True)
    tally = Tally()
    started = time.monotonic()
    deadline = started + args.minutes * 60
    rounds = 0
    while time.monotonic() < deadline:
        strategy = chosen[rounds % len(chosen)]
        run_chunk(strategy, tally, save)
        rounds += 1
        elapsed = time.monotonic() - started
        print(
            f"{elapsed:7.0f} s  {sum(tally.tried.values()):7d} documents  {len(tally.failures)} failures",
            flush=True,
        )
    total = sum(tally.tried.values())
    minutes = (time.monotonic() - started) / 60
    print(f"\nfuzz_long: {total} documents tried in {minutes:.1f} min, {len(tally.failures)} failures")
    for strategy in chosen:
        print(
            f"  {strategy:18s} tried {tally.tried[strategy]:6d}  refused with InputError {tally.refused[strategy]:6d}"
        )
    print(f"  slowest document: {tally.slowest[0] * 1000:.0f} ms ({tally.slowest[1]})")
    for failure in tally.failures:
        print(f"  FAILED {failure}")
    if tally.failures:
        print(f"failing documents saved in {save}")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
