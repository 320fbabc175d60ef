"""表三 printed with its value columns in another order than the form's: read by the header, or flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from gikai_desk.extract import extract
from gikai_desk.forms import formbook
from gikai_desk.ingest import SourceDocument
from gikai_desk.model import Report
from gikai_desk.parse import parse_document
from gikai_desk.parse.tables import FLAG_COLUMN_ORDER

T3 = formbook().table("t3")
VARIANT = T3.variants["2019"]
COLUMNS = VARIANT.columns  # form order: natural … other_org, total
NAMES = {c: T3.columns[c].label for c in COLUMNS}
ORGS = [c for c in COLUMNS if T3.columns[c].group == "法人或其他组织"]
TOTAL_FIRST = ["total", *(c for c in COLUMNS if c != "total")]


def _values(index: int) -> dict[str, int]:
    """Distinct values per column (a shift by one column changes every cell), the total their sum."""
    parts = {c: (index * 7 + i) % 9 + 1 for i, c in enumerate(COLUMNS) if c != "total"}
    return {**parts, "total": sum(parts.values())}


VALUES = {row: _values(i) for i, row in enumerate(VARIANT.rows)}


def _document(table_lines: list[str]) -> str:
    lines = ["某县人民政府办公室2020年政府信息公开工作年度报告", "一、总体情况", "本年度工作有序开展。"]
    lines += ["三、收到和处理政府信息公开申请情况", *table_lines]
    lines += ["五、存在的主要问题及改进情况", "公开意识有待加强。"]
    return "\n".join(lines) + "\n"


def _tab_table(order: list[str], two_line_header: bool = False) -> list[str]:
    if two_line_header:
        # 申请人情况 / [总计] 自然人 法人或其他组织 (spanning the organisations) [总计], organisations below.
        top = ["", *(NAMES[c] if c in ("natural", "total") else "" for c in order)]
        first_org = min(order.index(c) for c in ORGS)
        top[1 + first_org] = "法人或其他组织"
        bottom = ["", *(NAMES[c] if c in ORGS else "" for c in order)]
        header = ["\t".join(["", "申请人情况"] + [""] * (len(order) - 1)), "\t".join(top), "\t".join(bottom)]
    else:
        header = ["\t".join(["", *(NAMES[c] for c in order)])]
    rows = ["\t".join([T3.rows[r].label, *(str(VALUES[r][c]) for c in order)]) for r in VARIANT.rows]
    return header + rows


def _parse(text: str) -> Report:
    return parse_document(SourceDocument(path="t3.txt", kind="text", text=text, structured=True))


def _assert_read(report: Report) -> None:
    for row in VARIANT.rows:
        for column in COLUMNS:
            cell = report.cells[f"t3.{row}.{column}"]
            assert cell.sure, (cell.key, cell.flag)
            assert cell.value == VALUES[row][column], (cell.key, cell.value, VALUES[row][column])
            assert cell.spans and all(report.text[s:e] == str(cell.value) for s, e in cell.spans), cell.key


def _assert_all_flagged(report: Report) -> None:
    for row in VARIANT.rows:
        for column in COLUMNS:
            cell = report.cells[f"t3.{row}.{column}"]
            assert not cell.sure and cell.flag == FLAG_COLUMN_ORDER, (cell.key, cell.flag)


@pytest.mark.parametrize("two_line_header", [False, True], ids=["one-line", "two-line"])
@pytest.mark.parametrize(
    "order",
    [COLUMNS, TOTAL_FIRST, ["natural", "total", *ORGS], [*reversed(ORGS), "natural", "total"]],
    ids=["form", "total-first", "total-second", "orgs-reversed"],
)
def test_tab_header_order_is_followed(order: list[str], two_line_header: bool) -> None:
    report = _parse(_document(_tab_table(list(order), two_line_header)))
    _assert_read(report)


def test_markdown_header_order_is_followed() -> None:
    header = "| | " + " | ".join(NAMES[c] for c in TOTAL_FIRST) + " |"
    rows = [
        "| " + T3.rows[r].label + " | " + " | ".join(str(VALUES[r][c]) for c in TOTAL_FIRST) + " |"
        for r in VARIANT.rows
    ]
    report = parse_document(SourceDocument(path="t3.md", kind="text", text=_document([header, *rows])))
    _assert_read(report)


def _html(order: list[str]) -> str:
    def tr(cells: list[str]) -> str:
        return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"

    body = [tr(["", *(NAMES[c] for c in order)])]
    body += [tr([T3.rows[r].label, *(str(VALUES[r][c]) for c in order)]) for r in VARIANT.rows]
    return (
        "<html><head><meta charset='utf-8'></head><body>"
        "<p>某县人民政府办公室2020年政府信息公开工作年度报告</p><p>一、总体情况</p><p>本年度工作有序开展。</p>"
        "<p>三、收到和处理政府信息公开申请情况</p><table>" + "".join(body) + "</table>"
        "<p>五、存在的主要问题及改进情况</p><p>公开意识有待加强。</p></body></html>"
    )


@pytest.mark.parametrize("order", [COLUMNS, TOTAL_FIRST], ids=["form", "total-first"])
def test_html_header_order_is_followed(order: list[str], tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(_html(list(order)), encoding="utf-8")
    _assert_read(extract(path))


def test_tab_header_out_of_order_but_not_readable_flags_every_cell() -> None:
    lines = _tab_table(TOTAL_FIRST)
    lines[0] = lines[0].replace(NAMES["research"], "科研")  # one column cannot be named
    _assert_all_flagged(_parse(_document(lines)))


def test_cell_per_line_header_with_total_first_flags_every_cell() -> None:
    lines = ["申请人情况", *(NAMES[c] for c in TOTAL_FIRST)]
    for row in VARIANT.rows:
        lines += [T3.rows[row].label, *(str(VALUES[row][c]) for c in TOTAL_FIRST)]
    report = parse_document(SourceDocument(path="t3.txt", kind="text", text=_document(lines)))
    _assert_all_flagged(report)
    assert any(FLAG_COLUMN_ORDER in note for note in report.notes)


def test_cell_per_line_standard_header_is_read_by_position() -> None:
    lines = ["申请人情况", NAMES["natural"], "法人或其他组织", NAMES["total"], *(NAMES[c] for c in ORGS)]
    for row in VARIANT.rows:
        lines += [T3.rows[row].label, *(str(VALUES[row][c]) for c in COLUMNS)]
    report = parse_document(SourceDocument(path="t3.txt", kind="text", text=_document(lines)))
    _assert_read(report)


# --------------------------------------------------------------------------------------------------------
# 表二's 本年增/减 written in words

T2_CHANGES = {
    "licensing": ("增加3", 3),
    "other_admin": ("持平", 0),
    "penalty": ("减少2", -2),
    "coercion": ("--", None),
}


def _t2_document(layout: str, change_column: bool = True) -> str:
    rows = {
        "licensing": ["31", T2_CHANGES["licensing"][0], "1024"],
        "other_admin": ["9", T2_CHANGES["other_admin"][0], "218"],
        "penalty": ["118", T2_CHANGES["penalty"][0], "66"],
        "coercion": ["6", T2_CHANGES["coercion"][0], "3"],
    }
    if not change_column:  # the word printed under 处理决定数量 instead
        rows["licensing"] = ["31", "5", "增加3"]
    t2 = formbook().table("t2")

    def line(cells: list[str]) -> list[str]:
        return ["\t".join(cells)] if layout == "tab" else [c for c in cells if c]

    lines = ["二、主动公开政府信息情况", "第二十条第（一）项"]
    lines += line(["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"])
    lines += line(["规章", "0", "0", "0"]) + line(["规范性文件", "2", "2", "17"])
    for section, members in (
        ("第二十条第（五）项", ("licensing", "other_admin")),
        ("第二十条第（六）项", ("penalty", "coercion")),
    ):
        lines += [section, *line(["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"])]
        for row in members:
            lines += line([t2.rows[row].label, *rows[row]])
    return _document(lines)


@pytest.mark.parametrize("layout", ["tab", "lines"])
def test_change_words_read_as_signed_numbers_in_the_change_column(layout: str) -> None:
    report = parse_document(SourceDocument(path="t2.txt", kind="text", text=_t2_document(layout)))
    for row, (raw, value) in T2_CHANGES.items():
        cell = report.cells[f"t2.{row}.change"]
        assert cell.sure, (cell.key, cell.flag)
        assert cell.value == value and cell.raw == raw, (cell.key, cell.value, cell.raw)
    assert report.cells["t2.licensing.decisions"].value == 1024
    assert report.cells["t2.penalty.decisions"].value == 66
    assert report.cells["t2.other_admin.prev_items"].value == 9


def test_change_word_outside_the_change_column_is_flagged() -> None:
    report = parse_document(SourceDocument(path="t2.txt", kind="text", text=_t2_document("tab", False)))
    for column in ("prev_items", "change", "decisions"):
        cell = report.cells[f"t2.licensing.{column}"]
        assert not cell.sure and cell.flag, cell.key
    assert report.cells["t2.penalty.change"].value == -2 and report.cells["t2.penalty.change"].sure


def test_change_word_in_t3_is_flagged_not_read() -> None:
    lines = _tab_table(list(COLUMNS))
    lines[1] = lines[1].replace("\t" + str(VALUES[VARIANT.rows[0]]["natural"]) + "\t", "\t增加3\t", 1)
    report = _parse(_document(lines))
    row = VARIANT.rows[0]
    assert all(not report.cells[f"t3.{row}.{c}"].sure for c in COLUMNS)


def test_a_header_one_word_per_line_with_a_note_over_lines_keeps_the_form_order() -> None:
    """`pdftotext -raw` of a Word table: the note in brackets runs over lines and names 总计, the merged 法人或其他组织
    and 总计 come before the organisations, and names are broken over lines: no evidence of another order."""
    from gikai_desk.ingest import SourceDocument
    from gikai_desk.parse import parse_document

    lines = ["某局2021年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况（表三）",
             "（本列数据的勾稽关系为：本年新", "收 + 上年结转 = 办理结果总计 +", "结转下年度）", "申请人情况", "自然",
             "人", "法人或其他组织 总计", "商业", "企业", "科研", "机构", "社会", "公益", "组织", "法律", "服务", "机构", "其他",
             "一、本年新收政府信息公开申请数", "量", "3 1 0 0 0 0 4", "二、上年结转政府信息公开申请数", "量",
             "0 0 0 0 0 0 0", "（七）总计 2 1 0 0 0 0 3", "四、结转下年度继续办理 1 0 0 0 0 0 1",
             "四、政府信息公开行政复议、行政诉讼情况"]  # fmt: skip
    report = parse_document(SourceDocument(path="raw.txt", kind="text", text="\n".join(lines) + "\n"))
    for column, value in zip(("natural", "commercial", "total"), (3, 1, 4), strict=True):
        cell = report.cells[f"t3.new.{column}"]
        assert (cell.value, cell.sure) == (value, True), (column, cell.flag)


def test_a_staircased_header_is_judged_by_the_row_totals() -> None:
    """A spreadsheet's import of some web pages shifts the header's lines against each other: by cell index 总计
    (first line) stands before 其他 (second line, one cell further right), though the rows print 总计 last. The
    rows' totals hold only in the form's order, which therefore stands."""
    top = ["", NAMES["natural"], "法人或其他组织", "", "", "", NAMES["total"]]
    bottom = ["", "", *(NAMES[c] for c in ORGS[:-1]), "", NAMES[ORGS[-1]]]
    header = ["\t".join(["", "申请人情况"]), "\t".join(top), "\t".join(bottom)]
    rows = _tab_table(COLUMNS)[1:]
    _assert_read(_parse(_document(header + rows)))


def test_a_header_order_neither_reading_explains_flags_every_cell() -> None:
    """The header says 总计 first, but the rows' totals hold in neither order (values shuffled): not known."""
    lines = _tab_table(TOTAL_FIRST)
    shuffled = [lines[0]]
    for line in lines[1:]:
        label, *values = line.split("\t")
        shuffled.append("\t".join([label, *values[1:3], values[0], *values[3:]]))
    _assert_all_flagged(_parse(_document(shuffled)))
