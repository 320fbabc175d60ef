"""Benchmark: extract+check per report (text, HTML), re-check after one edit, and 1,000 reports through `check`.

Run from the repository: `python bench/bench_extract.py [--seeds DIR] [--batch N]`. Prints figures; targets:
extract+check median <= 2 ms per text/HTML report, re-check after one cell edit median <= 0.2 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gikai_desk.errors import InputError  # noqa: E402
from gikai_desk.extract import extract_and_check  # noqa: E402
from gikai_desk.forms import formbook  # noqa: E402
from gikai_desk.model import Cell, Report  # noqa: E402
from gikai_desk.rules import RuleEngine, check  # noqa: E402

TARGET_EXTRACT_MS = 2.0
TARGET_RECHECK_MS = 0.2


def median_ms(action: Callable[[], object], repeat: int) -> float:
    action()  # warm-up: imports, regex compilation, caches
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def seed_to_html(text: str) -> str:
    """An HTML page in the shape government sites publish: prose paragraphs, tables as <table> rows.

    Table rows are taken from the seed's Markdown-like lines (`| a | b |`) or tab-separated lines."""
    out = ["<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>年报</title></head><body>"]
    in_table = False
    for line in text.splitlines():
        stripped = line.strip()
        cells: list[str] | None = None
        if stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 4:
            cells = [c.strip() for c in stripped.strip("|").split("|")]
        elif "\t" in line:
            cells = [c.strip() for c in line.split("\t")]
        if cells is not None:
            if not in_table:
                out.append("<table border=\"1\">")
                in_table = True
            out.append("<tr>" + "".join(f"<td>{html.escape(c) or '&nbsp;'}</td>" for c in cells) + "</tr>")
            continue
        if in_table:
            out.append("</table>")
            in_table = False
        if stripped:
            out.append(f"<p>{html.escape(stripped)}</p>")
    if in_table:
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out)


def synthetic_report() -> Report:
    """A full 2019-form report (every key, consistent zeros) for the re-check figure."""
    forms = {"t2": "2019", "t3": "2019", "t4": "2019"}
    cells = {k: Cell(key=k, value=0, parsed=0, raw="0") for k in formbook().all_keys(forms)}
    return Report(file="synthetic", text="", forms=forms, template="2019", year=2019, cells=cells)


def bench_extract(seeds: list[Path], repeat: int) -> None:
    print("extract + check, one report (median of", repeat, "runs):")
    for path in seeds:
        try:
            report, violations = extract_and_check(path)
        except InputError as exc:
            print(f"  {path.name}: cannot read ({exc.reason})")
            continue
        ms = median_ms(lambda p=path: extract_and_check(p), repeat)  # type: ignore[misc]
        verdict = "ok" if ms <= TARGET_EXTRACT_MS else "OVER TARGET"
        print(
            f"  text  {path.name:32s} {ms:7.3f} ms  ({len(report.cells)} cells, {len(violations)} findings)"
            f"  target {TARGET_EXTRACT_MS} ms: {verdict}"
        )
    with tempfile.TemporaryDirectory() as folder:
        for path in seeds:
            page_text = seed_to_html(path.read_text(encoding="utf-8"))
            if "<table" not in page_text:
                continue
            page = Path(folder) / (path.stem + ".html")
            page.write_text(page_text, encoding="utf-8")
            try:
                report, violations = extract_and_check(page)
            except InputError as exc:
                print(f"  html  {page.name}: cannot read ({exc.reason})")
                continue
            ms = median_ms(lambda p=page: extract_and_check(p), repeat)  # type: ignore[misc]
            verdict = "ok" if ms <= TARGET_EXTRACT_MS else "OVER TARGET"
            print(
                f"  html  {page.name:32s} {ms:7.3f} ms  ({len(report.cells)} cells, {len(violations)} findings)"
                f"  target {TARGET_EXTRACT_MS} ms: {verdict}"
            )
    report = synthetic_report()
    print(f"  check only (synthetic full 2019 report)    {median_ms(lambda: check(report), repeat):7.3f} ms")


def bench_stages(seeds: list[Path], repeat: int) -> None:
    """Where the time goes: reading, parsing (tables), metadata + narrative, rules."""
    from gikai_desk.ingest import read_source
    from gikai_desk.parse import parse_document
    from gikai_desk.parse.meta import read_metadata
    from gikai_desk.parse.narrative import read_narrative

    print("stages (median ms): read | parse (incl. meta+narrative) | meta | narrative (whole text) | check")
    for path in seeds:
        try:
            doc = read_source(path)
            report = parse_document(doc)
        except InputError:
            continue
        read_ms = median_ms(lambda p=path: read_source(p), repeat)  # type: ignore[misc]
        parse_ms = median_ms(lambda d=doc: parse_document(d), repeat)  # type: ignore[misc]
        meta_ms = median_ms(lambda t=doc.text: read_metadata.__wrapped__(t), repeat)  # type: ignore[misc]
        narrative_ms = median_ms(
            lambda t=doc.text, y=report.year: read_narrative(t, [], year=y), repeat  # type: ignore[misc]
        )
        check_ms = median_ms(lambda r=report: check(r), repeat)  # type: ignore[misc]
        print(
            f"  {path.name:32s} {read_ms:6.3f} | {parse_ms:6.3f} | {meta_ms:6.3f} | {narrative_ms:6.3f} | {check_ms:6.3f}"
        )


def pipeline_ms(text: str) -> float:
    """read_bytes -> parse_document -> check of one text document, in ms (refusals count as done)."""
    from gikai_desk.ingest.dispatch import read_bytes
    from gikai_desk.limits import Limits
    from gikai_desk.parse import parse_document

    start = time.perf_counter()
    with contextlib.suppress(InputError):
        check(parse_document(read_bytes(text.encode("utf-8"), "hostile.txt", Limits())))
    return (time.perf_counter() - start) * 1000


def bench_hostile(seeds: list[Path], shuffles: int) -> None:
    """Documents the fuzz run found slow: shuffled lines, repeated tables, label floods, glued junk."""
    import re

    from gikai_desk.parse.glued import rule_constraints, solve_glued

    print("hostile documents through read -> parse -> check (worst / median ms):")
    labels = [row.label for table in formbook().tables.values() for row in table.rows.values()]
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in seeds]
    corpus = seeds[0].parent.parent / "corpus"
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted(corpus.glob("*.txt"))]
    cases: dict[str, list[float]] = {}
    for text in texts:
        lines = text.splitlines()
        for number in range(shuffles):
            rng = random.Random(number)
            shuffled = list(lines)
            rng.shuffle(shuffled)
            cases.setdefault(f"lines shuffled ({shuffles} orders per text)", []).append(pipeline_ms("\n".join(shuffled)))
            blocks = list(lines)
            for _ in range(5):
                start = rng.randrange(len(blocks))
                block = blocks[start : start + rng.randint(2, 30)]
                rng.shuffle(block)
                blocks[start : start + len(block)] = block
            cases.setdefault("blocks of lines shuffled", []).append(pipeline_ms("\n".join(blocks)))
        middle = lines[len(lines) // 3 : 2 * len(lines) // 3]
        cases.setdefault("middle third repeated 50 times", []).append(pipeline_ms("\n".join(lines + middle * 50)))
        cases.setdefault("whole text repeated 20 times", []).append(pipeline_ms("\n".join(lines * 20)))
        rng = random.Random(1)
        flood = lines + [rng.choice(labels) for _ in range(10_000)]
        cases.setdefault("10,000 label lines appended", []).append(pipeline_ms("\n".join(flood)))
        if re.search(r"[^\d.]\d{7,}\D", text):  # glued tables (pingtan): every glued run made 30 nines
            junk = re.sub(r"(?<=[^\d.])\d{7,}(?=\D)", "9" * 30, text)
            cases.setdefault("glued report, every glued run 30 nines", []).append(pipeline_ms(junk))
    for name, samples in cases.items():
        print(f"  {name:44s} {max(samples):8.2f} / {statistics.median(samples):6.2f} ms  ({len(samples)} documents)")
    book = formbook()
    constraints = rule_constraints(book.keys("t3", "2021"), book)
    for digits in (20, 30, 45, 90):
        began = time.perf_counter()
        solve_glued(["9" * digits] * 25, [7] * 25, constraints)
        elapsed = (time.perf_counter() - began) * 1000
        print(f"  glued solver: 表三 of 25 rows of {digits} nines        {elapsed:8.2f} ms")


def bench_recheck(seeds: list[Path], repeat: int) -> None:
    reports: list[Report] = []
    for path in seeds:
        try:
            parsed, _ = extract_and_check(path)
        except InputError:
            continue
        if parsed.cells:
            reports.append(parsed)
    if not reports:
        reports.append(synthetic_report())
    rng = random.Random(7)
    samples: list[float] = []
    for report in reports:
        engine = RuleEngine(report)
        keys = list(report.cells)
        for _ in range(repeat):
            key = rng.choice(keys)
            report.cells[key].value = rng.randint(0, 50)
            report.cells[key].corrected = True
            start = time.perf_counter()
            engine.recheck([key])
            samples.append(time.perf_counter() - start)
    ms = statistics.median(samples) * 1000
    verdict = "ok" if ms <= TARGET_RECHECK_MS else "OVER TARGET"
    print(
        f"re-check after one cell edit: median {ms:.4f} ms over {len(samples)} edits in {len(reports)} reports"
        f"  target {TARGET_RECHECK_MS} ms: {verdict}"
    )


def bench_batch(seeds: list[Path], count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for number in range(count):
            source = seeds[number % len(seeds)]
            shutil.copyfile(source, Path(folder) / f"{number:05d}_{source.name}")
        command = [sys.executable, "-m", "gikai_desk", "check", folder]
        start = time.perf_counter()
        result = subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        elapsed = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    print(
        f"{count} reports through `gikai-desk check`: {elapsed:.2f} s, {count / elapsed:.0f} reports/s, "
        f"peak RSS {peak_mb:.0f} MB, exit code {result.returncode} (process start included)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=Path, default=REPO.parent / "shared" / "seeds")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--shuffles", type=int, default=20, help="random line orders per text (hostile documents)")
    args = parser.parse_args()
    seeds = sorted(p for p in args.seeds.glob("*") if p.is_file())
    if not seeds:
        print(f"no seeds in {args.seeds}")
        return 1
    print(f"python {sys.version.split()[0]} on {sys.platform}")
    bench_extract(seeds, args.repeat)
    bench_stages(seeds, args.repeat)
    bench_hostile(seeds, args.shuffles)
    bench_recheck(seeds, args.repeat * 5)
    bench_batch(seeds, args.batch)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
