"""A checked report as the JSON object of `gikai-desk extract --json` (one object per file, one per line)."""

from __future__ import annotations

import json
from typing import Any

from gikai_desk.model import Report, Violation


def violation_json(violation: Violation) -> dict[str, Any]:
    """{"rule", "where", "severity", "status", "cells", "message", "expected", "target"}."""
    out: dict[str, Any] = {
        "rule": violation.rule,
        "where": violation.where,
        "severity": violation.severity,
        "status": violation.status,
        "cells": list(violation.cells),
        "message": violation.message,
        "expected": violation.expected,
        "target": violation.target,
    }
    if violation.blanks_as_zero:
        out["blanks_as_zero"] = list(violation.blanks_as_zero)
    return out


def report_json(report: Report, violations: list[Violation]) -> dict[str, Any]:
    """The report's metadata, cells (key -> number or null), raw texts, parser flags and violations.

    Only cells of the document's forms appear; "forms" is added when the tables use different forms.
    """
    out: dict[str, Any] = {
        "file": report.file,
        "template": report.template,
        "year": report.year,
        "agency": report.agency,
        "published": report.published,
        "cells": {key: cell.value for key, cell in report.cells.items()},
        "raw": {key: cell.raw for key, cell in report.cells.items()},
        "flags": report.flags(),
        "violations": [violation_json(v) for v in violations],
    }
    if report.mixed_forms:
        out["forms"] = dict(report.forms)
    return out


def error_json(file: str, reason: str) -> dict[str, Any]:
    """A file that could not be read: {"file", "error"}."""
    return {"file": file, "error": reason}


def dumps_line(obj: dict[str, Any]) -> str:
    """One JSON line, UTF-8 text as is (not ASCII-escaped)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


__all__ = ["dumps_line", "error_json", "report_json", "violation_json"]
