"""Space-aligned text (pdftotext -layout, w3m -dump) whose blank cells left only spaces: the numbers of a
short row are placed under the columns the complete rows show (parse/aligned.py)."""

from __future__ import annotations

import unicodedata

import pytest

from gikai_desk.forms import formbook
from gikai_desk.ingest import SourceDocument
from gikai_desk.model import Report
from gikai_desk.parse import parse_document

COLUMNS = ("natural", "commercial", "research", "ngo", "legal", "other_org", "total")


def _width(text: str, wide: bool) -> int:
    return sum(2 if wide and unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _line(label: str, cells: list[int | None], wide: bool, at: int = 40, step: int = 8) -> str:
    """The label, then each number centred under its column (column i centred at at + i * step)."""
    out = label
    for i, value in enumerate(cells):
        if value is None:
            continue
        text = str(value)
        start = at + i * step - len(text) // 2
        out += " " * max(1, start - _width(out, wide)) + text
    return out


def _report(rows: dict[str, list[int | None]], wide: bool) -> Report:
    t3 = formbook().table("t3")
    lines = ["某区人民政府2021年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况",
             " " * 30 + "自然人  商业企业 科研机构 社会公益组织 法律服务机构 其他  总计"]  # fmt: skip
    for row in t3.variants["2021"].rows:
        label = t3.rows[row].label_2021 or t3.rows[row].label
        lines.append(_line(label, rows.get(row, [0] * 7), wide))
    lines += ["四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "无。"]
    return parse_document(SourceDocument(path="layout.txt", kind="text", text="\n".join(lines) + "\n"))


@pytest.mark.parametrize("wide", [False, True], ids=["pdftotext-chars", "w3m-display-width"])
def test_numbers_of_a_short_row_go_under_their_columns(wide: bool) -> None:
    rows = {
        "new": [10, 1, 0, 0, 0, 0, 11],
        "carried_in": [1, None, None, None, None, None, 1],
        "granted": [None, 3, None, None, 2, None, 5],
        "total": [10, 4, 0, 0, 2, 0, 16],
    }
    report = _report(rows, wide)
    for row, values in rows.items():
        for column, value in zip(COLUMNS, values, strict=True):
            cell = report.cells[f"t3.{row}.{column}"]
            assert (cell.value, cell.sure) == (value, True), (row, column, cell.flag)


def test_a_number_between_two_columns_leaves_the_row_flagged() -> None:
    rows = {"new": [10, 1, 0, 0, 0, 0, 11], "granted": [None, 3, None, None, 2, None, 5]}
    report = _report(rows, wide=False)
    text = report.text
    # move granted's 3 half-way between two columns
    line = next(s for s in text.split("\n") if s.startswith("（一）予以公开"))
    moved = line.replace("       3", "   3    ", 1)
    report = parse_document(SourceDocument(path="layout.txt", kind="text", text=text.replace(line, moved)))
    assert not report.cells["t3.granted.commercial"].sure
