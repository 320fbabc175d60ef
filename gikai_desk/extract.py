"""One call from a path to a checked Report: read, parse, check."""

from __future__ import annotations

from pathlib import Path

from gikai_desk.ingest import read_source
from gikai_desk.limits import Limits
from gikai_desk.model import Report, Violation
from gikai_desk.parse import parse_document


def extract(path: str | Path, limits: Limits | None = None) -> Report:
    return parse_document(read_source(path, limits))


def extract_and_check(path: str | Path, limits: Limits | None = None) -> tuple[Report, list[Violation]]:
    from gikai_desk.rules import check

    report = extract(path, limits)
    return report, check(report)
