"""Hostile shapes of real reports (shuffled, repeated, glued junk) go through read, parse and check in bounded time."""
# Only a generous hang bound is asserted here (CI machines are noisy); the real figures are printed by
# bench/bench_extract.py ("hostile documents").

from __future__ import annotations

import contextlib
import random
import re
import time
from pathlib import Path

import pytest
from conftest import corpus_path

from gikai_desk.errors import InputError
from gikai_desk.forms import formbook
from gikai_desk.ingest.dispatch import read_bytes
from gikai_desk.limits import Limits
from gikai_desk.parse import parse_document
from gikai_desk.parse.glued import REASON_TOO_MANY, rule_constraints, solve_glued
from gikai_desk.rules import check

BOUND_S = 1.0
DEMO = Path(__file__).resolve().parent.parent / "resources" / "demo" / "demo-report.txt"


def pipeline_seconds(text: str) -> float:
    started = time.perf_counter()
    with contextlib.suppress(InputError):
        check(parse_document(read_bytes(text.encode("utf-8"), "hostile.txt", Limits())))
    return time.perf_counter() - started


def demo_lines() -> list[str]:
    return DEMO.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("seed", [1, 2, 3, 42])
def test_line_shuffled_report_is_bounded(seed: int) -> None:
    lines = demo_lines()
    random.Random(seed).shuffle(lines)
    assert pipeline_seconds("\n".join(lines)) < BOUND_S


def test_repeated_tables_and_many_labels_are_bounded() -> None:
    lines = demo_lines()
    middle = lines[len(lines) // 3 : 2 * len(lines) // 3]
    assert pipeline_seconds("\n".join(lines + middle * 50)) < BOUND_S
    assert pipeline_seconds("\n".join(lines * 20)) < BOUND_S
    labels = [row.label for table in formbook().tables.values() for row in table.rows.values()]
    rng = random.Random(7)
    assert pipeline_seconds("\n".join(lines + [rng.choice(labels) for _ in range(10_000)])) < BOUND_S


def test_glued_table_of_junk_is_bounded_and_flagged() -> None:
    book = formbook()
    constraints = rule_constraints(book.keys("t3", "2021"), book)
    for digits in (20, 30, 45):
        started = time.perf_counter()
        solution = solve_glued(["9" * digits] * 25, [7] * 25, constraints)
        assert time.perf_counter() - started < BOUND_S
        assert solution.ambiguous and not any(cell.sure for cell in solution.cells)
        assert REASON_TOO_MANY in (solution.reason or "")


def test_glued_report_with_junk_rows_is_bounded() -> None:
    text = corpus_path("pingtan-2021.txt").read_text(encoding="utf-8")
    for digits in (20, 30, 45):
        hostile = re.sub(r"(?<=[^\d.])\d{7,}(?=\D)", "9" * digits, text)
        assert hostile != text
        started = time.perf_counter()
        report = parse_document(read_bytes(hostile.encode("utf-8"), "hostile.txt", Limits()))
        check(report)
        assert time.perf_counter() - started < BOUND_S
        assert not report.cells["t3.new.total"].sure
