"""Benchmark: the 1,000-report batch summary workbook (target <= 5 s) and per-report form workbooks."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gikai_desk.excel import SummaryEntry, write_report_workbook, write_summary  # noqa: E402
from gikai_desk.excel.findings import finding_rows  # noqa: E402
from gikai_desk.review import Correction  # noqa: E402
from gikai_desk.rules import check  # noqa: E402
from gikai_desk.workspace.synthetic import synthetic_report  # noqa: E402


def entries(count: int) -> list[SummaryEntry]:
    out: list[SummaryEntry] = []
    for i in range(count):
        report = synthetic_report(i, "2019" if i % 3 == 0 else "2021")
        corrections = []
        if i % 4 == 0:  # every fourth report has a correction that breaks a sum
            key = "t3.new.natural"
            old = report.value(key)
            report.cells[key].value = (old or 0) + 5
            report.cells[key].corrected = True
            corrections.append(Correction(key=key, old=old, new=(old or 0) + 5, reviewer="审核员",
                                          time="2024-03-01T10:00:00+08:00", reason="据原件"))
        out.append(SummaryEntry(file=report.file, report=report, error=None, violations=check(report),
                                corrections=corrections, status="reviewed" if i % 2 else "pending"))
    return out


def seed_entries(count: int) -> list[SummaryEntry]:
    """`count` entries cycling through the real seeds as parsed now (their findings are far denser)."""
    from gikai_desk.errors import InputError
    from gikai_desk.extract import extract

    seeds_dir = REPO.parent / "shared" / "seeds"
    reports = []
    for path in sorted(seeds_dir.glob("*.txt")) if seeds_dir.is_dir() else []:
        try:
            reports.append(extract(path))
        except InputError:
            continue
    if not reports:
        return []
    out = []
    for i in range(count):
        report = reports[i % len(reports)]
        out.append(SummaryEntry(file=f"{i:04d}-{Path(report.file).name}", report=report, error=None,
                                violations=check(report)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--per-report", type=int, default=50, help="how many per-report workbooks to time")
    args = parser.parse_args()
    batch = entries(args.reports)
    issues = sum(len(e.violations) for e in batch)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "summary.xlsx"
        start = time.perf_counter()
        write_summary(batch, target)
        seconds = time.perf_counter() - start
        print(f"summary of {len(batch)} reports ({issues} issues) written in {seconds:.2f} s (target <= 5 s); "
              f"{target.stat().st_size / 1e6:.1f} MB")
        seeded = seed_entries(args.reports)
        if seeded:
            seeded_issues = sum(len(e.violations) for e in seeded)
            issue_rows = sum(len(finding_rows(e)) for e in seeded)
            start = time.perf_counter()
            write_summary(seeded, target)
            seconds = time.perf_counter() - start
            print(f"summary of {len(seeded)} copies of the real seeds ({seeded_issues} issues, "
                  f"{seeded_issues / len(seeded):.0f} per report, {issue_rows} rows in 问题清单 after folding "
                  f"blank cells and cannot-check findings) written in {seconds:.2f} s (target <= 5 s); "
                  f"{target.stat().st_size / 1e6:.1f} MB")
        start = time.perf_counter()
        for i, entry in enumerate(batch[: args.per_report]):
            write_report_workbook(entry, Path(tmp) / f"r{i}.xlsx")
        per = (time.perf_counter() - start) / max(1, min(args.per_report, len(batch)))
        print(f"per-report form workbook: {per * 1000:.0f} ms each "
              f"(~{per * len(batch):.0f} s for {len(batch)} reports)")


if __name__ == "__main__":
    main()
