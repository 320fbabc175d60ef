"""Third-round cousin documents (CMS pages with Word-pasted tables, borderless PDF, HTML-made docx, odd 表二/表三/表四)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import test_cousins as first_round

COUSINS3 = Path(__file__).parent / "fixtures" / "cousins3"
GOLDENS = sorted(COUSINS3.glob("*.golden.json"))
DOCUMENT_SUFFIXES = {".html", ".txt", ".docx", ".pdf"}

# Fixtures the pipeline reads wrong today: golden file name -> exact description of the bug.
KNOWN_BUGS: dict[str, str] = {
    "lanshan-renshe-2020-html2docx.docx.golden.json":
        "docx reader renders a layout table (a cell holding paragraphs and nested w:tbl, as LibreOffice makes from "
        "an HTML page) as one TAB row with every paragraph and nested-table row joined by spaces, so the whole "
        "report is one line and the closing date 2021年1月27日 is not found: published is None",
    "taoyuan-wenlv-2021-noborders.pdf.golden.json":
        "PDF reader on a borderless (space-aligned) table: 表二 rows come out with values scattered over extra "
        "columns ('规章\\t0\\t\\t0\\t\\t\\t0\\t') so t2.regulations/normative are flagged 该行有6个值，应为3个 "
        "(t2.normative.in_force shown 0 instead of 8), and the 行政事业性收费 label is glued to the next heading "
        "('行政事业性收费三、收到和处理政府信息公开申请情况') so t2.fees.amount is lost "
        "(the same PDF through pdftotext -layout, taoyuan-wenlv-2021-noborders-layout.txt, reads right)",
}


def _cases(with_known_bugs: bool = True) -> list[Any]:
    cases = []
    for golden in GOLDENS:
        marks = []
        if with_known_bugs and golden.name in KNOWN_BUGS:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[golden.name]))
        cases.append(pytest.param(golden, id=golden.name.removesuffix(".golden.json"), marks=marks))
    return cases


def test_every_fixture_has_a_golden() -> None:
    documents = [p for p in COUSINS3.iterdir() if p.suffix in DOCUMENT_SUFFIXES]
    assert len(documents) >= 8
    for doc in documents:
        assert (COUSINS3 / (doc.name + ".golden.json")).is_file(), doc.name
        assert doc.stat().st_size < 128 * 1024, doc.name


@pytest.mark.parametrize("golden", _cases())
def test_cousin3_read_cell_for_cell(golden: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(first_round, "COUSINS", COUSINS3)
    first_round.test_cousin_read_cell_for_cell(golden)


@pytest.mark.parametrize("golden", _cases(with_known_bugs=False))
def test_cousin3_golden_is_consistent(golden: Path) -> None:
    first_round.test_cousin_golden_is_consistent(golden)


def _read(name: str) -> tuple[Any, list[Any]]:
    from gikai_desk.extract import extract_and_check

    return extract_and_check(COUSINS3 / name)


def test_blank_t4_raises_no_false_rule_failure() -> None:
    """表四 printed with 15 blank cells: whatever the parser is sure of, no rule other than BLANK_CELL may fail."""
    report, violations = _read("songlin-2022-t4-blank.html")
    assert {v.rule for v in violations if v.status == "fail"} <= {"BLANK_CELL"}
    assert all(report.value(f"t4.{g}.total") is None for g in ("review", "direct", "after_review"))


def test_change_printed_as_dashes_is_a_blank() -> None:
    """本年增/减 printed as -- is an empty cell: read as blank and reported by BLANK_CELL at that cell."""
    report, violations = _read("yuping-jiaotong-2019-change-words.html")
    assert report.value("t2.coercion.change") is None
    assert report.value("t2.coercion.decisions") == 3
    assert any(v.rule == "BLANK_CELL" and v.status == "fail" and "t2.coercion.change" in (v.where, *v.cells)
               for v in violations)


@pytest.mark.parametrize(("name", "expected"), [("jiangkou-sifa-2022-none-zero.html", set()),
                                                 ("jiangkou-sifa-2022-none-two.html", {"NARRATIVE_MISMATCH"})])
def test_no_review_prose_against_table(name: str, expected: set[str]) -> None:
    """未发生…行政复议和行政诉讼 agrees with a 表四 of zeros and disagrees with one that counts 2 行政复议."""
    _report, violations = _read(name)
    assert {v.rule for v in violations if v.status == "fail"} == expected
    if expected:
        assert any(v.rule == "NARRATIVE_MISMATCH" and "t4.review.total" in (v.where, *v.cells) for v in violations)
