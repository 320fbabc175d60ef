"""Text where each row's values stand before its label (a PDF viewer's copy): read that way when the text
shows it, flagged where it cannot be told (parse/convention.py)."""

from __future__ import annotations

from gikai_desk.ingest import SourceDocument
from gikai_desk.model import Report
from gikai_desk.parse import parse_document
from gikai_desk.parse.convention import FLAG_ORDER

HEAD = ["某区人民政府2021年政府信息公开工作年度报告", "二、主动公开政府信息情况", "第二十条第（一）项", "信息内容",
        "本年制发件数", "本年废止件数", "现行有效件数"]  # fmt: skip
T3 = ["三、收到和处理政府信息公开申请情况", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计",
      "一、本年新收政府信息公开申请数量", *"1000001", "二、上年结转政府信息公开申请数量", *"0000000",
      "（一）予以公开", *"1000001", "（七）总计", *"1000001", "四、结转下年度继续办理", *"0000000",
      "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "无。"]  # fmt: skip


def _t2(*items: str) -> list[str]:
    return [*HEAD, *items]


def _parse(lines: list[str]) -> Report:
    return parse_document(SourceDocument(path="copy.txt", kind="text", text="\n".join(lines) + "\n"))


def test_values_before_every_label_are_read_so_when_the_first_row_holds_values() -> None:
    report = _parse(_t2("3", "1", "5", "规章", "7", "0", "26", "行政规范性文件", "第二十条第（五）项", "信息内容",
                        "本年处理决定数量", "12", "行政许可", *T3))  # fmt: skip
    want = {"t2.regulations.made": 3, "t2.regulations.in_force": 5, "t2.normative.made": 7,
            "t2.normative.in_force": 26, "t2.licensing.decisions": 12}  # fmt: skip
    for key, value in want.items():
        assert (report.cells[key].value, report.cells[key].sure) == (value, True), key
    assert any("之前" in note for note in report.notes)


def test_values_between_two_labels_that_either_could_own_are_flagged() -> None:
    # 规章 blank, its values lost; 7 0 26 may follow 规章 or precede 行政规范性文件: never read sure.
    report = _parse(_t2("规章", "7", "0", "26", "行政规范性文件", "第二十条第（五）项", "信息内容", "本年处理决定数量",
                        "行政许可", *T3))  # fmt: skip
    for key in ("t2.regulations.made", "t2.normative.made"):
        cell = report.cells[key]
        assert not cell.sure and cell.flag is not None, key
    assert report.cells["t2.regulations.made"].flag == FLAG_ORDER


def test_values_after_the_last_label_keep_the_usual_reading() -> None:
    report = _parse(_t2("规章", "3", "1", "5", "行政规范性文件", "7", "0", "26", "第二十条第（五）项", "信息内容",
                        "本年处理决定数量", "行政许可", "12", *T3))  # fmt: skip
    assert (report.cells["t2.regulations.made"].value, report.cells["t2.regulations.made"].sure) == (3, True)
    assert (report.cells["t2.licensing.decisions"].value, report.cells["t2.licensing.decisions"].sure) == (
        12,
        True,
    )


def test_a_row_printed_on_its_label_line_keeps_the_usual_reading() -> None:
    report = _parse(_t2("规章 3 1 5", "行政规范性文件", "7", "0", "26", "第二十条第（五）项", "信息内容", "本年处理决定数量",
                        "行政许可", "12", *T3))  # fmt: skip
    assert (report.cells["t2.normative.in_force"].value, report.cells["t2.normative.in_force"].sure) == (
        26,
        True,
    )


def test_a_section_printed_column_by_column_is_never_read_sure() -> None:
    """Labels of a 表二 section first, then its values column by column, header words between the columns."""
    lines = ["某区人民政府2019年政府信息公开工作年度报告", "二、主动公开政府信息情况", "第二十条第（一）项", "信息内容",
             "本年新制作数量", "本年新公开数量", "对外公开总数量", "0", "0", "0", "规章", "89", "89", "89", "规范性文件",
             "第二十条第（五）项", "信息内容", "行政许可", "其他对外管理服务事项", "上一年项目数量", "396", "10", "本年增/减",
             "处理决定数量", "0", "0", "181", "153", "上一年项目数量", "35", "本年增/减", "0", "行政事业性收费",
             "第二十条第（九）项", "信息内容", "采购项目数量", "采购总金额", "135", "75394432.52", "政府集中采购",
             *T3]  # fmt: skip
    report = _parse(lines)
    want = {"t2.licensing.prev_items": 396, "t2.licensing.decisions": 181, "t2.other_admin.prev_items": 10,
            "t2.other_admin.decisions": 153, "t2.fees.prev_items": 35, "t2.fees.change": 0}  # fmt: skip
    for key, value in want.items():
        cell = report.cells[key]
        assert cell.value == value or not cell.sure, (key, cell.value)
    assert (report.cells["t2.normative.new_made"].value, report.cells["t2.normative.new_made"].sure) == (
        89,
        True,
    )
    assert (report.cells["t2.procurement.amount"].value, report.cells["t2.procurement.amount"].sure) == (
        75394432.52,
        True,
    )
