"""`pdftotext -layout` rows: a unit set apart from its number by a space, and pieces of wrapped or vertical labels
printed on another row's value line."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gikai_desk.ingest import SourceDocument
from gikai_desk.parse import parse_document
from gikai_desk.parse.tokens import Kind, PipeStyle, Token, classify, is_label_debris, tokenize

FIXTURES = Path(__file__).parent / "fixtures"
LAYOUT_TEXTS = [
    FIXTURES / "cousins2" / "liuan-2022-split-header-layout.txt",
    FIXTURES / "cousins2" / "nanhu-2020-word-layout.txt",
    FIXTURES / "cousins" / "linchuanhu-2021-pdftotext-layout.txt",
]


def _classify(text: str) -> list[tuple[Kind, Any, str]]:
    out: list[Token] = []
    classify(text, 0, len(text), 0, False, out)
    return [(t.kind, t.value, text[t.start : t.end]) for t in out]


def _document(text: str) -> SourceDocument:
    return SourceDocument(path="layout.txt", kind="text", text=text)


# --------------------------------------------------------------------------------------------------------
# a. a unit word after a space belongs to the number before it


@pytest.mark.parametrize("unit", ["元", "万元", "千元", "亿元", "件", "项", "个"])
def test_a_unit_after_a_space_is_part_of_its_number(unit: str) -> None:
    assert _classify(f"12.5 {unit}") == [(Kind.NUMBER, 12.5, f"12.5 {unit}")]
    assert _classify(f"27   251000 {unit}") == [(Kind.NUMBER, 27, "27"), (Kind.NUMBER, 251000, f"251000 {unit}")]
    assert _classify(f"3 {unit}  4{unit}") == [(Kind.NUMBER, 3, f"3 {unit}"), (Kind.NUMBER, 4, f"4{unit}")]


def test_numbers_without_units_and_units_without_numbers_are_unchanged() -> None:
    assert _classify("12 3") == [(Kind.NUMBER, 12, "12"), (Kind.NUMBER, 3, "3")]
    assert [kind for kind, _, _ in _classify("收费 元")] == [Kind.TEXT]
    assert [kind for kind, _, _ in _classify("12 元钱")] == [Kind.TEXT]  # 元钱 is not a unit word
    assert _classify("3项(41笔)")[0][:2] == (Kind.NUMBER, 3)


T2_LAYOUT = [
    "某县人民政府2020年政府信息公开工作年度报告",
    "二、主动公开政府信息情况",
    "                   第二十条第（一）项",
    "    信息内容       本年新制作数量    本年新公开数量       对外公开总数量",
    "     规章           1          1                6",
    "   规范性文件          12         12              131",
    "                    第二十条第（五）项",
    "    信息内容       上一年项目数量       本年增/减         处理决定数量",
    "    行政许可          214         +5 件               12,608 件",
    " 其他对外管理服务事项       97           -183 项          2,245",
    "                    第二十条第（六）项",
    "    信息内容       上一年项目数量       本年增/减         处理决定数量",
    "    行政处罚          402         +11             1,093",
    "    行政强制          38           -3               52",
    "                   第二十条第（八）项",
    "    信息内容       上一年项目数量                     本年增/减",
    "  行政事业性收费         9                          -1",
    "                   第二十条第（九）项",
    "    信息内容        采购项目数量                  采购总金额",
    "   政府集中采购         27                    12.5 万元",
    "三、收到和处理政府信息公开申请情况",
    "                 自然人  商业企业 科研机构 社会公益组织 法律服务机构 其他  总计",
    "一、本年新收政府信息公开申请数量      1     0     0    0    0    0   1",
    "四、政府信息公开行政复议、行政诉讼情况",
]


def test_layout_table_two_rows_with_spaced_units_read_sure_with_spans_over_number_and_unit() -> None:
    text = "\n".join(T2_LAYOUT) + "\n"
    report = parse_document(_document(text))
    expected = {
        "t2.licensing.prev_items": (214, "214"),
        "t2.licensing.change": (5, "+5 件"),
        "t2.licensing.decisions": (12608, "12,608 件"),
        "t2.other_admin.change": (-183, "-183 项"),
        "t2.procurement.items": (27, "27"),
        "t2.procurement.amount": (12.5, "12.5 万元"),
    }
    for key, (value, shown) in expected.items():
        cell = report.cells[key]
        assert (cell.value, cell.sure) == (value, True), key
        assert [text[s:e] for s, e in cell.spans] == [shown], key
    assert not [k for k, c in report.cells.items() if k.startswith("t2.") and not c.sure]


def test_a_lone_number_set_apart_from_its_label_by_a_wide_gap_is_a_column_not_glue() -> None:
    """`政府集中采购   27` with the amount lost: 27 is one column, never split into 2 and 7."""
    text = "\n".join(T2_LAYOUT).replace("27                    12.5 万元", "27") + "\n"
    report = parse_document(_document(text))
    for key in ("t2.procurement.items", "t2.procurement.amount"):
        assert not report.cells[key].sure, key
    glued = "\n".join(T2_LAYOUT).replace("   政府集中采购         27                    12.5 万元", "政府集中采购27")
    report = parse_document(_document(glued + "\n"))
    assert [report.value("t2.procurement.items"), report.value("t2.procurement.amount")] == [2, 7]


# --------------------------------------------------------------------------------------------------------
# b. pieces of other labels on a value line are label debris


def test_label_debris_is_a_digit_free_piece_of_a_form_label_but_never_a_whole_row_label() -> None:
    for piece in ("、", "年", "无法提", "予处理", "不予公", "(四)", "其他处", "其它处", "定\"", "府信息", "行制作"):
        assert is_label_debris(piece), piece
    for piece in ("合计", "总计", "规章", "其他", "其它", "行政许可", "2.重复申请", "35", "", "某某", "本列数据"):
        assert not is_label_debris(piece), piece


@pytest.mark.parametrize(
    ("line", "values"),
    [
        ("、                     35      4    0     1    1        1      42", [35, 4, 0, 1, 1, 1, 42]),
        ("年   无法提               4       1    0     0    0        0       5", [4, 1, 0, 0, 0, 0, 5]),
        ("     予处理                         2       0   0       0     0    0      2", [2, 0, 0, 0, 0, 0, 2]),
        ("结   2 0 0 0 0 0 2", [2, 0, 0, 0, 0, 0, 2]),
    ],
)
def test_a_value_line_led_by_label_debris_keeps_its_values(line: str, values: list[int]) -> None:
    norm = f"标签\n{line}\n"
    tokens = tokenize(norm, 2, len(norm), PipeStyle.NONE, False, False, stop_at_text_after_values=True)
    assert tokens[0].kind is Kind.TEXT
    assert [(t.kind, t.value) for t in tokens[1:]] == [(Kind.NUMBER, v) for v in values]
    # after the row's own values the same line belongs to the next row: it ends the row, none of it is taken
    norm = f"标签  9 9\n{line}\n"
    tokens = tokenize(norm, 2, len(norm), PipeStyle.NONE, False, False, stop_at_text_after_values=True)
    assert [(t.kind, t.value) for t in tokens] == [(Kind.NUMBER, 9), (Kind.NUMBER, 9), (Kind.TEXT, None)]


def test_words_that_are_not_label_pieces_still_hide_their_numbers() -> None:
    for line in ("合计 4 5 6", "规章 4 5 6", "某某 4 5 6", "无法提 4", "2.重复 4 5 6"):
        tokens = tokenize(line + "\n", 0, len(line), PipeStyle.NONE, False, False)
        assert [t.kind for t in tokens] == [Kind.TEXT], line


def _golden_for(document: Path) -> dict[str, Any]:
    golden: dict[str, Any] = json.loads(document.with_name(document.name + ".golden.json").read_text("utf-8"))
    return golden


def _sure_but_wrong(text: str, golden: dict[str, Any], blanked: float | None = None) -> list[str]:
    """Cells read sure with another value than the golden's. `blanked`: the number a damaged line lost to
    spaces; in space-aligned text that is what a blank cell looks like, so one cell may read blank there."""
    report = parse_document(_document(text))
    flags = report.flags()
    wrong = [
        key
        for key, value in golden["cells"].items()
        if key.startswith(("t2.", "t3.")) and key in report.cells and key not in flags
        and report.cells[key].value != value
    ]
    blank = [k for k in wrong if report.cells[k].value is None and golden["cells"][k] == blanked]
    wrong = [k for k in wrong if k not in blank[:1]]
    if blanked is None:
        # A whole line dropped: the row it held may read as a row the document leaves out (blank, with a note).
        rows = {k.rsplit(".", 1)[0] for k in wrong}
        absent = {r for r in rows if all(c.value is None for k, c in report.cells.items() if k.startswith(r + "."))}
        if len(absent) == 1 and any("没有以下行" in note for note in report.notes):
            wrong = [k for k in wrong if k.rsplit(".", 1)[0] not in absent]
    return wrong


@pytest.fixture(scope="module")
def two_tables_layout(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    """pdftotext -layout of the two-tables PDF (表三 split over two pages, `无法提` on a value line)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = FIXTURES / "cousins2" / "beiling-jiaotong-2021-two-tables.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True).stdout
    return text.decode("utf-8"), _golden_for(pdf)


def test_layout_text_of_the_two_tables_pdf_reads_cell_for_cell(two_tables_layout: tuple[str, Any]) -> None:
    text, golden = two_tables_layout
    report = parse_document(_document(text))
    for key, value in golden["cells"].items():
        if key.startswith(("t2.", "t3.", "t4.")):
            cell = report.cells[key]
            assert (cell.value, cell.sure) == (value, True), (key, cell.flag)
            for start, end in cell.spans:
                assert text[start:end].startswith(cell.raw), key


_NUMBER = re.compile(r"(?<!\S)[+-]?[\d,]+(?:\.\d+)?(?: ?万元| ?元)?(?!\S)")


def _damaged(text: str) -> list[tuple[str, float | None]]:
    """Each table line holding numbers: dropped whole, its numbers dropped (text kept), one number replaced by
    spaces (with that number: the cell it stood in may read blank)."""
    lines = text.split("\n")
    out: list[tuple[str, float | None]] = []
    for i, line in enumerate(lines):
        numbers = list(_NUMBER.finditer(line))
        if not numbers:
            continue
        out.append(("\n".join(lines[:i] + lines[i + 1 :]), None))
        out.append(("\n".join([*lines[:i], _NUMBER.sub("", line), *lines[i + 1 :]]), None))
        for m in numbers:
            blanked = line[: m.start()] + " " * (m.end() - m.start()) + line[m.end() :]
            try:
                lost: float | None = float(m.group().replace(",", "").rstrip("万元 "))
            except ValueError:
                lost = None
            out.append(("\n".join([*lines[:i], blanked, *lines[i + 1 :]]), lost))
    return out


@pytest.mark.parametrize("path", LAYOUT_TEXTS, ids=lambda p: p.name)
def test_damaged_layout_text_is_read_right_or_flagged_never_silently_wrong(path: Path) -> None:
    text = path.read_text("utf-8")
    golden = _golden_for(path)
    assert _sure_but_wrong(text, golden) == []
    damaged = _damaged(text)
    assert len(damaged) > 100
    for number, (variant, lost) in enumerate(damaged):
        assert _sure_but_wrong(variant, golden, lost) == [], number


def test_damaged_layout_text_of_the_two_tables_pdf_is_never_silently_wrong(
    two_tables_layout: tuple[str, Any],
) -> None:
    text, golden = two_tables_layout
    for number, (variant, lost) in enumerate(_damaged(text)):
        assert _sure_but_wrong(variant, golden, lost) == [], number
