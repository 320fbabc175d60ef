"""The glued-cell pages of ../shared/corpus (pingtan) read cell for cell against hand-made goldens."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from gikai_desk.extract import extract
from gikai_desk.model import Report
from tests.conftest import corpus_path

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = ["pingtan-2019", "pingtan-2021"]


def golden(name: str) -> dict[str, Any]:
    with (GOLDEN / f"{name}.json").open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@cache
def _extracted(path: Path) -> Report:
    return extract(path)


def extracted(name: str) -> Report:
    return _extracted(corpus_path(f"{name}.txt"))


def test_goldens_are_consistent_with_the_forms() -> None:
    from gikai_desk.forms import formbook

    book = formbook()
    for name in CASES:
        data = golden(name)
        assert list(data["cells"]) == book.all_keys(data["forms"])
        assert set(data["flagged"]) <= set(data["cells"])


@pytest.mark.parametrize("name", CASES)
def test_form_and_metadata(name: str) -> None:
    expected = golden(name)
    report = extracted(name)
    assert report.template == expected["template"]
    assert report.forms == expected["forms"]
    assert report.year == expected["year"]
    assert report.agency == expected["agency"]


@pytest.mark.parametrize("name", CASES)
def test_every_cell_matches_the_golden(name: str) -> None:
    expected = golden(name)
    report = extracted(name)
    assert set(report.cells) == set(expected["cells"])
    flagged = set(expected["flagged"])
    wrong = {
        key: (report.cells[key].value, value)
        for key, value in expected["cells"].items()
        if key not in flagged and report.cells[key].value != value
    }
    assert wrong == {}, "cells read wrong (got, expected)"
    # flagged cells still carry a reading (the solver's most plausible split) for the reviewer
    assert all(report.cells[key].value is not None for key in flagged)


@pytest.mark.parametrize("name", CASES)
def test_flagged_set_matches_the_golden(name: str) -> None:
    expected = golden(name)
    report = extracted(name)
    unsure = {key for key, cell in report.cells.items() if not cell.sure}
    assert unsure == set(expected["flagged"])
    assert all(report.cells[key].flag for key in unsure)


@pytest.mark.parametrize("name", CASES)
def test_spans_point_at_the_values(name: str) -> None:
    report = extracted(name)
    for key, cell in report.cells.items():
        if cell.value is None or not cell.sure:
            continue
        assert cell.spans, key
        source = "".join(report.text[a:b] for a, b in cell.spans)
        digits = re.sub(r"[^0-9.+\-]", "", source)
        assert float(digits) == cell.value, (key, source)
