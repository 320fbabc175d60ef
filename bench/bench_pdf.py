"""Benchmark: text-layer PDF reading (read_pdf, extract+check) side by side with `pdftotext -layout`."""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gikai_desk.extract import extract_and_check  # noqa: E402
from gikai_desk.ingest.pdf import read_pdf  # noqa: E402
from gikai_desk.limits import Limits  # noqa: E402

DEFAULT_PDF = REPO.parent / "shared" / "corpus" / "huaian-city-2024.pdf"


def interleaved_medians(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median milliseconds of each run, taking turns so that every run sees the same machine load."""
    for run in runs.values():
        run()  # warm-up: imports, PDFium initialisation, caches
    times: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(repeat):
        for label, run in runs.items():
            start = time.perf_counter()
            run()
            times[label].append(time.perf_counter() - start)
    return {label: statistics.median(values) * 1000 for label, values in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("pdf", nargs="?", type=Path, default=DEFAULT_PDF)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    path: Path = args.pdf
    if not path.is_file():
        print(f"PDF not found: {path}", file=sys.stderr)
        return 2
    data = path.read_bytes()
    limits = Limits()
    print(f"{path.name}: {len(data) // 1024} KB, median of {args.repeat} interleaved runs")

    runs: dict[str, Callable[[], object]] = {}
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        command = [pdftotext, "-layout", str(path), "-"]
        runs["pdftotext -layout (subprocess)"] = lambda: subprocess.run(
            command, capture_output=True, check=True
        )
    else:
        print("  pdftotext not installed: no baseline")
    runs["read_pdf"] = lambda: read_pdf(data, path.name, limits)
    runs["extract + check (read+parse)"] = lambda: extract_and_check(path, limits)
    medians = interleaved_medians(runs, args.repeat)
    for label, ms in medians.items():
        print(f"  {label:<32} {ms:8.2f} ms")
    baseline = medians.get("pdftotext -layout (subprocess)")
    if baseline:
        read, full = medians["read_pdf"], medians["extract + check (read+parse)"]
        print(f"  ratio read_pdf / pdftotext        {read / baseline:5.2f}x")
        print(f"  ratio extract+check / pdftotext   {full / baseline:5.2f}x   (target <= 2.00x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
