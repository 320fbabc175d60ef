"""Cousin documents (saved web pages, Word, Word-made PDFs, web copies) read cell for cell against hand-written goldens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gikai_desk.extract import extract_and_check

COUSINS = Path(__file__).parent / "fixtures" / "cousins"
GOLDENS = sorted(COUSINS.glob("*.golden.json"))

# Fixtures the pipeline reads wrong today: golden file name -> exact description of the bug.
KNOWN_BUGS: dict[str, str] = {
}


def _cases(with_known_bugs: bool = True) -> list[Any]:
    cases = []
    for golden in GOLDENS:
        marks = []
        if with_known_bugs and golden.name in KNOWN_BUGS:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[golden.name]))
        cases.append(pytest.param(golden, id=golden.name.removesuffix(".golden.json"), marks=marks))
    return cases


def _load(golden: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(golden.read_text("utf-8"))
    return data


def test_every_fixture_has_a_golden() -> None:
    documents = [p for p in COUSINS.iterdir() if p.suffix in {".html", ".txt", ".docx", ".pdf"}]
    assert len(documents) >= 7
    for doc in documents:
        assert (COUSINS / (doc.name + ".golden.json")).is_file(), doc.name
    for doc in documents:
        assert doc.stat().st_size < 128 * 1024, doc.name


@pytest.mark.parametrize("golden", _cases())
def test_cousin_read_cell_for_cell(golden: Path) -> None:
    want = _load(golden)
    report, violations = extract_and_check(COUSINS / want["file"])
    problems: list[str] = []

    for field in ("template", "year", "agency", "published"):
        if getattr(report, field) != want[field]:
            problems.append(f"{field}: expected {want[field]!r}, got {getattr(report, field)!r}")
    if report.forms != want["forms"]:
        problems.append(f"forms: expected {want['forms']}, got {report.forms}")

    cells: dict[str, Any] = want["cells"]
    if set(report.cells) != set(cells):
        problems.append(f"cell keys differ: missing {sorted(set(cells) - set(report.cells))}, "
                        f"extra {sorted(set(report.cells) - set(cells))}")
    flags = report.flags()
    flagged = set(want["flagged"])
    for key in sorted(flagged - set(flags)):
        problems.append(f"{key}: should be flagged, is not (value {report.value(key)!r})")
    for key, value in cells.items():
        if key in flagged or key not in report.cells:
            continue
        if key in flags:
            problems.append(f"{key}: unexpected flag {flags[key]!r}")
        got = report.value(key)
        if got != value:
            problems.append(f"{key}: expected {value!r}, got {got!r} (raw {report.cells[key].raw!r})")
    for key, cell in report.cells.items():
        for start, end in cell.spans:
            if report.text[start:end] not in cell.raw and cell.raw not in report.text[start:end]:
                problems.append(f"{key}: span {start}:{end} shows {report.text[start:end]!r}, raw {cell.raw!r}")

    failing = {v.rule for v in violations if v.status == "fail"}
    if failing != set(want["violations"]):
        problems.append(f"violations: expected {sorted(want['violations'])}, got {sorted(failing)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("golden", _cases(with_known_bugs=False))
def test_cousin_golden_is_consistent(golden: Path) -> None:
    """The goldens themselves obey the form: only the deliberate source errors break a rule."""
    want = _load(golden)
    cells: dict[str, Any] = want["cells"]

    def v(key: str) -> float:
        return float(cells.get(key) or 0)

    cols = ["natural", "commercial", "research", "ngo", "legal", "other_org", "total"]
    rows = sorted({k.split(".")[1] for k in cells if k.startswith("t3.")})
    results = [r for r in rows if r not in {"new", "carried_in", "total", "carried_out"}]
    broken = set()
    for row in rows:
        if row.split("_")[0] and v(f"t3.{row}.total") != sum(v(f"t3.{row}.{c}") for c in cols[:-1]):
            broken.add("T3_ROW_TOTAL")
    for col in cols:
        if v(f"t3.total.{col}") != sum(v(f"t3.{r}.{col}") for r in results):
            broken.add("T3_RESULTS_TOTAL")
        if v(f"t3.new.{col}") + v(f"t3.carried_in.{col}") != v(f"t3.total.{col}") + v(f"t3.carried_out.{col}"):
            broken.add("T3_BALANCE")
    for group in ("review", "direct", "after_review"):
        parts = sum(v(f"t4.{group}.{c}") for c in ("upheld", "corrected", "other", "pending"))
        if v(f"t4.{group}.total") != parts:
            broken.add("T4_TOTAL")
    assert broken == {r for r in want["violations"] if r.startswith(("T3_", "T4_"))}
