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


# --------------------------------------------------------------------------------------------------------
# Columns from the header words, bare label rows, wrapped labels and numbers (both measures)

T2_2019 = formbook().table("t2").variants["2019"]
T3_2019 = formbook().table("t3").variants["2019"]
T4_COLS = ("upheld", "corrected", "other", "pending", "total")
MEASURES = pytest.mark.parametrize("wide", [False, True], ids=["pdftotext-chars", "w3m-display-width"])
AT, STEP = 70, 14
"""Column i is centred at AT + i * STEP (display width or characters): wider than any header word."""


def _put(line: str, text: str, centre: float, wide: bool) -> str:
    """`line` with `text` centred at `centre` (at least one space after what is there)."""
    start = round(centre - _width(text, wide) / 2)
    return line + " " * max(1 if line else 0, start - _width(line, wide)) + text


def _row(label: str, values: list[int | None], wide: bool, at: int = AT) -> str:
    line = label
    for i, value in enumerate(values):
        if value is not None:
            line = _put(line, str(value), at + i * STEP, wide)
    return line


def _header(words: list[str], wide: bool, at: int = AT, lead: str = "") -> str:
    line = lead
    for i, word in enumerate(words):
        line = _put(line, word, at + i * STEP, wide)
    return line


def _vertical_header(words: list[str], wide: bool, at: int = AT) -> list[str]:
    """Each word one character per line (a narrow PDF cell), the characters of a word one above the other."""
    out = []
    for k in range(max(len(w) for w in words)):
        line = ""
        for i, word in enumerate(words):
            if k < len(word):
                line = _put(line, word[k], at + i * STEP, wide)
        out.append(line)
    return out


T3_WORDS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def _t3_lines(rows: dict[str, list[int | None]], wide: bool) -> list[str]:
    t3 = formbook().table("t3")
    lines = [
        "三、收到和处理政府信息公开申请情况",
        _header(["申请人情况"], wide, AT + 3 * STEP),
        _header(T3_WORDS, wide),
    ]
    for row in T3_2019.rows:
        lines.append(_row(t3.rows[row].label, rows.get(row, [None] * 7), wide))
        lines.append("")
    return lines


def _t2_lines(rows: dict[str, list[int | None]], wide: bool) -> list[str]:
    t2 = formbook().table("t2")
    lines = ["二、主动公开政府信息情况"]
    for section in T2_2019.layout():
        lines.append(section.label)
        lines.append(_header([t2.columns[c].label for c in section.columns], wide, lead="信息内容"))
        for row in section.rows:
            lines.append(_row(t2.rows[row].label, rows.get(row, [None] * len(section.columns)), wide))
    return lines


def _t4_lines(values: list[int | None], wide: bool, vertical: bool = False) -> list[str]:
    words = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
    lines = [
        "四、政府信息公开行政复议、行政诉讼情况",
        _header(["行政复议", "行政诉讼"], wide, 10, ""),
        "未经复议直接起诉   复议后起诉",
    ]
    lines += _vertical_header(words, wide, 4) if vertical else [_header(words, wide, 4)]
    lines.append(_row("", values, wide, 4))
    return lines


def _doc(*tables: list[str]) -> Report:
    lines = ["某区人民政府2019年政府信息公开工作年度报告", "一、总体情况", "略。"]
    for table in tables:
        lines += table
    lines += ["五、存在的主要问题及改进情况", "无。"]
    return parse_document(SourceDocument(path="layout.txt", kind="text", text="\n".join(lines) + "\n"))


def _assert_cells(
    report: Report, table: str, rows: dict[str, list[int | None]], columns: dict[str, tuple[str, ...]]
) -> None:
    for row, values in rows.items():
        for column, value in zip(columns[row], values, strict=True):
            cell = report.cells[f"{table}.{row}.{column}"]
            assert (cell.value, cell.sure) == (value, True), (row, column, cell.value, cell.flag)


T3_SHORT = {
    "new": [None, None, None, None, 1, 10, 11],
    "granted": [None, None, None, None, None, 10, 10],
    "unable_no_info": [None, None, None, None, 1, None, 1],
    "total": [None, None, None, None, 1, 10, 11],
}
T3_COLUMNS = {row: COLUMNS for row in T3_2019.rows}


@MEASURES
def test_short_rows_under_the_header_words_and_bare_rows_blank(wide: bool) -> None:
    """No complete row at all: the header words give the columns; the rows with only a label are blank."""
    report = _doc(_t3_lines(T3_SHORT, wide))
    every = {row: T3_SHORT.get(row, [None] * 7) for row in T3_2019.rows}
    _assert_cells(report, "t3", every, T3_COLUMNS)


@MEASURES
def test_a_table_that_writes_0_keeps_its_bare_rows_flagged(wide: bool) -> None:
    rows = dict(T3_SHORT, carried_in=[0, None, None, None, None, None, 0])
    report = _doc(_t3_lines(rows, wide))
    # By characters the placements stand only when every row is read and the column rules hold.
    assert report.cells["t3.new.total"].sure == wide
    assert not report.cells["t3.partial.natural"].sure


@MEASURES
def test_complete_rows_only_give_no_evidence_of_blanks(wide: bool) -> None:
    """Every row with values complete: a bare label may be a row that lost its numbers, not a blank one."""
    complete: list[int | None] = [1, 2, 1, 1, 1, 1, 7]
    report = _doc(_t3_lines({"new": complete, "granted": complete, "total": complete}, wide))
    assert not report.cells["t3.carried_in.total"].sure


@MEASURES
def test_a_number_between_header_words_leaves_the_row_flagged(wide: bool) -> None:
    lines = _t3_lines(T3_SHORT, wide)
    i = next(k for k, line in enumerate(lines) if line.startswith("1.本机关不掌握"))
    lines[i] = _put("1.本机关不掌握相关政府信息", "1", AT + 4.5 * STEP, wide)
    lines[i] = _put(lines[i], "1", AT + 6 * STEP, wide)
    report = _doc(lines)
    assert not report.cells["t3.unable_no_info.legal"].sure
    assert not report.cells["t3.unable_no_info.other_org"].sure


@MEASURES
def test_a_short_row_whose_total_breaks_is_not_placed(wide: bool) -> None:
    rows = dict(T3_SHORT, unable_no_info=[None, None, None, None, 1, None, 2])
    report = _doc(_t3_lines(rows, wide))
    assert not report.cells["t3.unable_no_info.legal"].sure


T2_ROWS = {"normative": [2, 2, 4], "licensing": [5, None, 3], "procurement": [3, 4549040]}
T2_COLUMNS = {row: s.columns for s in T2_2019.layout() for row in s.rows}


@MEASURES
def test_table2_sections_placed_by_their_header_words(wide: bool) -> None:
    """行政许可 (one row with values in its section, no complete row of its width elsewhere) placed under 上一
    年项目数量 and 处理决定数量; the bare rows of the report read blank (it leaves cells blank)."""
    report = _doc(_t2_lines(T2_ROWS, wide), _t3_lines(T3_SHORT, wide))
    every = {row: T2_ROWS.get(row, [None] * len(T2_COLUMNS[row])) for row in T2_COLUMNS}
    _assert_cells(report, "t2", every, T2_COLUMNS)


@MEASURES
@pytest.mark.parametrize("vertical", [False, True], ids=["whole-words", "one-character-per-line"])
def test_table4_values_under_the_header_words(wide: bool, vertical: bool) -> None:
    values: list[int | None] = [None, 1, None, None, 1, None, None, None, 2, 2, 3, None, None, None, 3]
    report = _doc(_t3_lines(T3_SHORT, wide), _t4_lines(values, wide, vertical))
    for g, group in enumerate(("review", "direct", "after_review")):
        for c, column in enumerate(T4_COLS):
            cell = report.cells[f"t4.{group}.{column}"]
            assert (cell.value, cell.sure) == (values[g * 5 + c], True), (group, column, cell.flag)


@MEASURES
def test_table4_whose_group_total_breaks_stays_flagged(wide: bool) -> None:
    values: list[int | None] = [
        None,
        1,
        None,
        None,
        2,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    report = _doc(_t3_lines(T3_SHORT, wide), _t4_lines(values, wide))
    assert not report.cells["t4.review.total"].sure


WRAPPED = """三、收到和处理政府信息公开申请情况（表三）
（本列数据的勾稽关系为：本年新     申请人情况
收 + 上年结转 = 办理结果总计 + 自然  法人或其他组织                      总计
结转下年度）              人   商业  科研  社会    法律        其他
                        企业  机构  公益    服务
                                组织    机构
一、本年新收政府信息公开申请数     0   0   0   0     0         0    0
量
二、上年结转政府信息公开申请数    0   0     0      0       0   0    0
量
三、 （一）予以公开         0   0     0      0       0   0    0
本年 （二）部分公开（区分处理    0   0     0      0       0   0    0
度办 的，只计这一情形，不计其
理结 他情形）
果  （三） 1.属于国家秘密    0   0     0      0       0   0    0
   不予公  2.其他法律行政 0    0   0    0    0    0       0
   开    法规禁止公开
        3.危及“三安全 0    0   0    0    0    0       0
        一稳定”
        4.保护第三方合 0    0   0    0    0    0       0
        法权益
        5.属于三类内部 0    0   0    0    0    0       0
        事务信息
        6.属于四类过程 0    0   0    0    0    0       0
        性信息
        7.属于行政执法 0    0   0    0    0    0       0
        案卷
        8.属于行政查询 0    0   0    0    0    0       0
        事项
    （四） 1.本机关不掌握 0    0   0    0    0    0       0
    无法提 相关政府信息
    供   2.没有现成信息 0    0   0    0    0    0       0
        需要另行制作
        3.补正后申请内 0    0   0    0    0    0       0
        容仍不明确
    （五） 1.信访举报投诉 0    0   0    0    0    0       0
    不予处 类申请
    理   2.重复申请   0    0   0    0    0    0       0
        3.要求提供公开 0    0   0    0    0    0       0
        出版物
        4.无正当理由大 {mass}
        量反复申请
        5.要求行政机关 1    0   0    0    0    0       1
        确认或重新出具
        已获取信息
    （六）其他处理      0    0   0    0    0    0       0
    （七）总计        0    0   0    0    0    0       0
四、结转下年度继续办理      0    0   0    0    0    0       0
"""


@pytest.mark.parametrize(
    ("mass", "sure"),
    [
        ("2   1   0   0     0      0    3", True),
        ("2   1   0   0     0      0    4", False),
        ("2   1   0   0", False),
    ],
    ids=["claimed", "total-breaks", "short"],
)
def test_values_beside_the_first_piece_of_a_wrapped_label(mass: str, sure: bool) -> None:
    """pdftotext -layout wraps 4.无正当理由大 / 量反复申请 (no known fragment in either piece) and
    5.要求行政机关 / 确认或重新出具 / 已获取信息 around their values."""
    text = "某区2019年政府信息公开工作年度报告\n" + WRAPPED.format(mass=mass) + "五、存在的主要问题\n无。\n"
    report = parse_document(SourceDocument(path="layout.txt", kind="text", text=text))
    mass_cells = [report.cells[f"t3.reject_mass.{c}"] for c in COLUMNS]
    if sure:
        assert [(c.value, c.sure) for c in mass_cells] == [(v, True) for v in (2, 1, 0, 0, 0, 0, 3)]
    else:
        assert not all(c.sure for c in mass_cells)
    confirm = [report.cells[f"t3.reject_confirm.{c}"] for c in COLUMNS]
    assert [(c.value, c.sure) for c in confirm] == [(v, True) for v in (1, 0, 0, 0, 0, 0, 1)]


def test_values_beside_no_piece_of_the_label_are_not_claimed() -> None:
    """The numbers stand alone on their line: nothing ties them to 4.无正当理由大量反复申请."""
    text = WRAPPED.format(mass="2   1   0   0     0      0    3").replace(
        "        4.无正当理由大 ", "        "
    )
    report = parse_document(
        SourceDocument(path="layout.txt", kind="text", text="某区2019年报告\n" + text + "五、问题\n")
    )
    assert not report.cells["t3.reject_mass.total"].sure


T4_WRAPPED = """四、政府信息公开行政复议、行政诉讼情况
行政复议             行政诉讼
                 未经复议直接起诉           复议后起诉
结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计
72   64   178   37   {total}   13   4   8   1   26   12   1   1   6   20
                     1
"""


@pytest.mark.parametrize(
    ("total", "value", "sure"), [("35", 351, True), ("350", None, False)], ids=["joined", "holds-alone"]
)
def test_a_number_wrapped_in_a_narrow_table4_cell(total: str, value: int | None, sure: bool) -> None:
    text = (
        "某区2019年政府信息公开工作年度报告\n"
        + WRAPPED.format(mass="0 0 0 0 0 0 0")
        + T4_WRAPPED.format(total=total)
    )
    report = parse_document(SourceDocument(path="layout.txt", kind="text", text=text + "五、问题\n无。\n"))
    cell = report.cells["t4.review.total"]
    if sure:
        assert (cell.value, cell.sure) == (value, True)
        assert report.cells["t4.after_review.total"].sure
    else:
        assert not cell.sure


@MEASURES
def test_a_placement_by_characters_that_breaks_the_column_rules_goes_back(wide: bool) -> None:
    """The 1 of 法律服务机构 printed under 其他 (as a label overflowing its cell pushes it in pdftotext -layout):
    by characters the column rules then break and the placed rows go back to flagged; in display width (w3m
    lays its table out itself) the number stands where the report put it, and the rules report the error."""
    rows = dict(T3_SHORT, unable_no_info=[None, None, None, None, None, 1, 1])
    report = _doc(_t3_lines(rows, wide))
    cell = report.cells["t3.unable_no_info.other_org"]
    assert (cell.value, cell.sure) == (1, True) if wide else not cell.sure
    assert report.cells["t3.new.total"].sure == wide


@MEASURES
def test_a_bare_row_whose_values_may_stand_on_the_next_label_line_keeps_its_flag(wide: bool) -> None:
    """（一）予以公开's line holds a number beyond its columns: it may be 二、上年结转's, printed low."""
    lines = _t3_lines(T3_SHORT, wide)
    i = next(k for k, line in enumerate(lines) if line.startswith("（一）予以公开"))
    lines[i] = _put(lines[i], "1", AT + 8 * STEP, wide)
    report = _doc(lines)
    assert not report.cells["t3.carried_in.total"].sure


@MEASURES
def test_a_bare_row_under_a_stray_number_keeps_its_flag(wide: bool) -> None:
    """A number on a line of its own above 二、上年结转 (read by nobody whole) may be its value printed high."""
    lines = _t3_lines(T3_SHORT, wide)
    i = next(k for k, line in enumerate(lines) if line.startswith("二、上年结转"))
    lines.insert(i, _put("", "1", AT, wide))
    report = _doc(lines)
    assert not report.cells["t3.carried_in.total"].sure


def test_table4_number_pushed_off_its_header_word_is_not_placed() -> None:
    """pdftotext -layout may push text aside: a 表四 number that no longer overlaps its header word (the total
    1 moved five characters right, between 总计 and the next group's 结果维持) leaves 表四 flagged."""
    values: list[int | None] = [
        None,
        1,
        None,
        None,
        1,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    lines = _t3_lines(T3_SHORT, False) + _t4_lines(values, False)
    lines[-1] = lines[-1][:-1].rstrip() + " " * 5 + "1"
    report = _doc(lines)
    assert not report.cells["t4.review.total"].sure
    assert not report.cells["t4.review.corrected"].sure


def test_columns_under_keeps_a_margin_from_the_other_header_words() -> None:
    from gikai_desk.parse.aligned import columns_under

    extents = [(0, 4), (10, 14)]
    assert columns_under([(3, 5)], extents) == [0]
    assert columns_under([(3, 5)], extents, margin=6) is None  # within 6 of the next word
    assert columns_under([(1, 2)], extents, margin=6) == [0]
    assert columns_under([(5, 6)], extents) is None  # between the words
