"""Benchmark: reading a scanned PDF by OCR, seconds per page, and how long the first page takes.

    python bench/bench_ocr.py [SCAN.pdf] [--repeat N]

Without a file it reads ../shared/corpus/huaian-city-2024-scan.pdf, or, when that is absent, a scan made from
tests/fixtures/pdfedge/fits.pdf (rendered at 150 dpi, rotated, blurred, noisy, JPEG). The machine's load average
is printed before and after: on a shared 2-core machine the figures move with it. Target: <= 3 s per page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from gikai_desk.limits import Limits  # noqa: E402

DEFAULT_SCAN = REPO.parent / "shared" / "corpus" / "huaian-city-2024-scan.pdf"


def load() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scan", nargs="?", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from gikai_desk.ingest import ocr

    if not ocr.available():
        print('the [ocr] extra is not installed: pip install -e ".[ocr]"', file=sys.stderr)
        return 2
    if args.scan is not None:
        data, name = args.scan.read_bytes(), args.scan.name
    elif DEFAULT_SCAN.is_file():
        data, name = DEFAULT_SCAN.read_bytes(), DEFAULT_SCAN.name
    else:
        from scan_render import FITS_PDF, image_pdf, scanned_pages  # type: ignore[import-not-found]

        data, name = image_pdf(scanned_pages(FITS_PDF)), "fits.pdf scanned (made here)"
    from gikai_desk.ingest.dispatch import read_bytes
    from gikai_desk.parse import parse_document

    limits = Limits()
    print(f"{name}: {len(data) // 1024} KB; load average before: {load()}")
    started = time.perf_counter()
    ocr._engine()
    print(f"  engine start (models loaded from the wheel): {time.perf_counter() - started:.2f} s")
    per_page: list[float] = []
    cpu_per_page: list[float] = []
    first_page: list[float] = []
    pages = 0
    for _ in range(args.repeat):
        marks: list[float] = []

        def mark(done: int, total: int, marks: list[float] = marks) -> None:
            marks.append(time.perf_counter())

        start, cpu = time.perf_counter(), time.process_time()
        with ocr.on_page(mark):
            doc = read_bytes(data, name, limits)
        parse_document(doc)
        total = time.perf_counter() - start
        pages = len(marks)
        per_page.append(total / max(pages, 1))
        cpu_per_page.append((time.process_time() - cpu) / max(pages, 1))
        first_page.append(marks[0] - start if marks else total)
    print(
        f"  {pages} pages, {args.repeat} runs: median {statistics.median(per_page):.2f} s per page "
        f"(min {min(per_page):.2f}, max {max(per_page):.2f}); first page read after "
        f"{statistics.median(first_page):.2f} s (target <= 3 s per page)"
    )
    print(
        f"  CPU time (both cores added up): median {statistics.median(cpu_per_page):.2f} s per page, "
        "so about half that in wall time on an idle 2-core machine"
    )
    print(f"  load average after: {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
