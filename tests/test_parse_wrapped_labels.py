"""`pdftotext -layout` text: a 表三 label that wraps inside its cell prints around its value line, and a vertical
label's characters sit at the head of value lines."""

from __future__ import annotations

from gikai_desk.ingest import SourceDocument
from gikai_desk.parse import parse_document
from gikai_desk.parse.tokens import Kind, PipeStyle, tokenize

HEAD = [
    "某区人民政府2021年政府信息公开工作年度报告",
    "三、收到和处理政府信息公开申请情况",
    "                                    申请人情况",
    "                          自然人  商业企业 科研机构 社会公益组织 法律服务机构 其他  总计",
    "一、本年新收政府信息公开申请数量      10     1     0    0    0    0   11",
    "二、上年结转政府信息公开申请数量      1      0     0    0    0    0   1",
    "三      （一）予以公开        5     1    0    0    0    0    6",
    "、 (二)部分公开                 1      0    0   0    0     0      1",
    "本  （三）   1.属于国家秘密     0      0    0   0    0     0      0",
    "年  不予公 2．其他法律行政法规禁",
    "                       2      0    0   0    0     0      2",
    "度   开        止公开",
    "办      3.危及“三安全一稳定”    0      0    0   0    0     0      0",
    "       4．保护第三方合法权益              0       0   0       0     0    0      0",
    "       5.属于三类内部事务信息             0       0   0       0     0    0      0",
    "       6．属于四类过程性信息              0       0   0       0     0    0      0",
    "         7.属于行政执法案卷             0       0   0       0     0    0      0",
    "        8．属于行政查询事项              0       0   0       0     0    0      0",
    "       1．本机关不掌握相关政",
    "                                1      0   0       0     0    0      1",
    "              府信息",
    "  (四)无 2.没有现成信息需要另行",
    "                                1       0   0       0     0    0      1",
    "  法提供          制作",
    "       3．补正后申请内容仍不",
    "                                0       0   0       0     0    0      0",
    "               明确",
    "        1.信访举报投诉类申请             0      0   0       0     0    0      0",
    "            2．重复申请              0       0   0       0     0    0      0",
    "  （五） 3.要求提供公开出版物               0       0   0       0     0    0      0",
    "理",
    "  不予处 4．无正当理由大量反复",
    "结                               1       0   0       0     0    0      1",
    "   理           申请",
    "       5.要求行政机关确认或重",
    "                                0       0   0       0     0    0      0",
    "          新出具已获取信息",
    "       1．申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请  0  0  0  0  0  0  0",
    "  (六)其 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请  0 0 0 0 0 0 0",
    "果    3.其他                      0     0    0       0     0    0       0",
    "         （七）总计                  11    1    0       0     0    0      12",
    "   四、结转下年度继续办理                  0     0    0       0     0    0      0",
    "四、政府信息公开行政复议、行政诉讼情况",
]


def test_labels_wrapped_around_their_value_line_are_read() -> None:
    text = "\n".join(HEAD) + "\n"
    report = parse_document(SourceDocument(path="layout.txt", kind="text", text=text))
    assert report.forms["t3"] == "2021"
    expected = {
        "deny_law": 2,
        "unable_no_info": 1,
        "unable_need_create": 1,
        "unable_unclear": 0,
        "reject_mass": 1,
        "reject_confirm": 0,
        "granted": 6,
        "total": 12,
    }
    for row, total in expected.items():
        cell = report.cells[f"t3.{row}.total"]
        assert (cell.value, cell.sure) == (total, True), row
        assert text[cell.spans[0][0] : cell.spans[0][1]] == str(total)
    assert report.cells["t3.reject_mass.natural"].value == 1
    flagged = {k for k, c in report.cells.items() if k.startswith("t3.") and not c.sure}
    assert flagged == set()


def test_a_vertical_label_character_before_values_is_text_and_ends_the_previous_row() -> None:
    norm = "标签  1 2 3\n结   4 5 6\n"
    tokens = tokenize(norm, 2, len(norm), PipeStyle.NONE, False, False, stop_at_text_after_values=True)
    assert [t.kind for t in tokens] == [Kind.NUMBER] * 3 + [Kind.TEXT]
    tokens = tokenize(norm, 10, len(norm), PipeStyle.NONE, False, False, stop_at_text_after_values=True)
    assert [(t.kind, t.value) for t in tokens] == [(Kind.TEXT, None), *((Kind.NUMBER, v) for v in (4, 5, 6))]
    # a word (not one character) before numbers stays one text cell: its numbers are never taken
    tokens = tokenize("合计 4 5 6\n", 0, 9, PipeStyle.NONE, False, False)
    assert [t.kind for t in tokens] == [Kind.TEXT]


def test_a_label_whose_second_fragment_starts_the_next_line_is_one_label() -> None:
    """`pdftotext -raw`: 2.没有现成信息 / 需要另行制作 / values — the second line is the same label, not a repeat
    that would end the row before its values."""
    lines = ["某区人民政府2021年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况",
             "自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计",
             "一、本年新收政府信息公开申请数量 12 0 0 0 0 0 12", "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0",
             "1.本机关不掌握", "相关政府信息", "1 0 0 0 0 0 1", "2.没有现成信息", "需要另行制作", "11 0 0 0 0 0 11",
             "3.补正后申请内", "容仍不明确", "0 0 0 0 0 0 0", "四、政府信息公开行政复议、行政诉讼情况"]  # fmt: skip
    report = parse_document(SourceDocument(path="raw.txt", kind="text", text="\n".join(lines) + "\n"))
    for column, value in (("natural", 11), ("total", 11)):
        cell = report.cells[f"t3.unable_need_create.{column}"]
        assert (cell.value, cell.sure) == (value, True), cell.flag
