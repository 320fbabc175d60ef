"""Text in a PDF's object order (what a viewer's copy gives): a block of row labels printed after the values of
its rows, so the row before the block seems to hold several rows' values (parse/displaced.py)."""

from __future__ import annotations

import random

import pytest

from gikai_desk.forms import formbook
from gikai_desk.ingest import SourceDocument
from gikai_desk.parse import parse_document
from gikai_desk.parse.displaced import FLAG_DISPLACED

HEADER = ["三、收到和处理政府信息公开申请情况", "申请人情况", "自然人", "法人或其他组织", "商业企业", "科研机构",
          "社会公益组织", "法律服务机构", "其他", "总计"]  # fmt: skip
T4 = ["四、政府信息公开行政复议、行政诉讼情况", "行政复议", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计",
      *["0"] * 15, "五、存在的主要问题及改进情况", "无。"]  # fmt: skip


def _values(seed: int) -> dict[str, list[int]]:
    """A consistent 2021-form 表三: row totals, the results total and the balance hold."""
    rng = random.Random(seed)
    variant = formbook().table("t3").variants["2021"]
    results = [r for r in variant.rows if r not in ("new", "carried_in", "total", "carried_out")]
    rows: dict[str, list[int]] = {}
    for row in results:
        parts = [rng.choice((0, 0, 1, 2, 5, 13)) for _ in range(6)]
        rows[row] = [*parts, sum(parts)]
    total = [sum(rows[r][c] for r in results) for c in range(7)]
    carried_in = [rng.choice((0, 1, 3)) for _ in range(6)]
    carried_out = [rng.choice((0, 1)) for _ in range(6)]
    new = [max(0, t + o - i) for t, o, i in zip(total, carried_out, carried_in, strict=False)]
    carried_in = [t + o - n for t, o, n in zip(total, carried_out, new, strict=False)]
    rows["total"] = total
    rows["new"] = [*new, sum(new)]
    rows["carried_in"] = [*carried_in, sum(carried_in)]
    rows["carried_out"] = [*carried_out, sum(carried_out)]
    return rows


def _label(row: str) -> str:
    definition = formbook().table("t3").rows[row]
    return definition.label_2021 or definition.label


def _viewer_copy(values: dict[str, list[int]], displaced: dict[str, int]) -> str:
    """One item per line; for each `row: k` of `displaced`, the labels of the k rows after `row` are printed
    after the table's last values (their values stay in place, right after `row`'s own)."""
    order = list(formbook().table("t3").variants["2021"].rows)
    moved = {order[order.index(row) + i] for row, k in displaced.items() for i in range(1, k + 1)}
    lines = ["某市人民政府2021年政府信息公开工作年度报告", *HEADER]
    for row in order:
        if row not in moved:
            lines.append(_label(row))
        lines.extend(str(v) for v in values[row])
        lines.append("")
    lines += ["三、本年度办理结果", "（三）不予公开", "-4-"]
    lines += [_label(row) for row in order if row in moved]
    return "\n".join([*lines, *T4]) + "\n"


def _parse(text: str):  # type: ignore[no-untyped-def]
    return parse_document(SourceDocument(path="viewer-copy.txt", kind="text", text=text))


@pytest.mark.parametrize("seed", range(6))
def test_values_printed_before_their_labels_are_read_in_form_order(seed: int) -> None:
    values = _values(seed)
    report = _parse(_viewer_copy(values, {"carried_in": 2, "reject_mass": 4}))
    for row, numbers in values.items():
        for column, number in zip(formbook().table("t3").variants["2021"].columns, numbers, strict=True):
            cell = report.cells[f"t3.{row}.{column}"]
            assert cell.value == number, (row, column)
            assert cell.sure, (row, column, cell.flag)
            assert report.text[cell.spans[0][0] : cell.spans[0][1]] == str(number)
    assert any("已按表格行序归入" in note for note in report.notes)


def test_a_row_whose_total_fails_after_the_move_is_flagged_not_trusted() -> None:
    values = _values(1)
    values["granted"] = [*values["granted"][:6], values["granted"][6] + 1]  # the printed total is wrong
    report = _parse(_viewer_copy(values, {"carried_in": 2}))
    granted = [report.cells[f"t3.granted.{c}"] for c in ("natural", "total")]
    assert all(not cell.sure and cell.flag == FLAG_DISPLACED for cell in granted)
    assert report.cells["t3.partial.total"].sure


def test_surplus_values_are_not_moved_into_rows_that_hold_values_of_their_own() -> None:
    values = _values(2)
    text = _viewer_copy(values, {})
    extra = "\n".join(["0"] * 7)
    text = text.replace(_label("carried_in") + "\n", _label("carried_in") + "\n" + extra + "\n", 1)
    report = _parse(text)
    for column, number in zip(formbook().table("t3").variants["2021"].columns, values["carried_in"], strict=True):
        cell = report.cells[f"t3.carried_in.{column}"]
        assert cell.value == number or not cell.sure, column  # the ghost zeros may be placed by the rules
    assert report.cells["t3.granted.total"].value == values["granted"][6]
    assert report.cells["t3.granted.total"].sure


def _with_t4(t4_lines: list[str], prose: str = "") -> str:
    text = _viewer_copy(_values(3), {})
    head, _, _ = text.partition(T4[0])
    if prose:
        head = head.replace(
            "三、收到和处理政府信息公开申请情况", prose + "\n三、收到和处理政府信息公开申请情况", 1
        )
    return head + "\n".join([T4[0], *t4_lines, "五、存在的主要问题及改进情况", "无。"]) + "\n"


# 表四 in a PDF's object order: the review group's four values, the after-review group's four under its name,
# the review total, the direct group whole, the after-review total (values: 5 1 2 1 9 | 3 1 0 0 4 | 2 0 1 0 3).
SCRAMBLED = ["行政复议", "行政诉讼", "未经复议直接起诉", "结果", "维持", "结果", "纠正", "其他", "结果", "尚未", "审结",
             "总计", "5", "1", "2", "1", "结果", "复议后起诉", "尚未", "2", "0", "1", "0", "总计", "9", "维持", "纠正",
             "3", "1", "0", "0", "4", "总计", "3"]  # fmt: skip
T4_KEYS = [f"t4.{g}.{c}" for g in ("review", "direct", "after_review") for c in ("upheld", "corrected", "other", "pending", "total")]  # fmt: skip
T4_TRUE = [5, 1, 2, 1, 9, 3, 1, 0, 0, 4, 2, 0, 1, 0, 3]


def test_t4_runs_between_header_words_are_placed_by_totals_names_and_prose() -> None:
    report = _parse(_with_t4(SCRAMBLED, "全年发生政府信息公开行政复议9件，行政诉讼7件。"))
    for key, want in zip(T4_KEYS, T4_TRUE, strict=True):
        cell = report.cells[key]
        assert (cell.value, cell.sure) == (want, True), (key, cell.flag)
        assert report.text[cell.spans[0][0] : cell.spans[0][1]] == str(want)


def test_t4_runs_that_two_orders_explain_are_flagged_where_the_orders_disagree() -> None:
    report = _parse(_with_t4(SCRAMBLED))  # no prose: review and direct may swap
    for key, want in zip(T4_KEYS, T4_TRUE, strict=True):
        cell = report.cells[key]
        if key.startswith("t4.after_review."):
            assert (cell.value, cell.sure) == (want, True), key  # its name stands before its run
        elif cell.value != want:
            assert not cell.sure, key  # never a wrong value without a flag
    assert not all(report.cells[k].sure for k in T4_KEYS[:10])


def test_t4_runs_that_no_order_explains_stay_flagged() -> None:
    broken = [("8" if item == "9" else item) for item in SCRAMBLED]  # the review total no longer adds up
    report = _parse(_with_t4(broken, "全年发生政府信息公开行政复议9件，行政诉讼7件。"))
    assert not all(report.cells[k].sure for k in T4_KEYS)


def test_a_block_of_labels_followed_by_all_their_values_is_read_in_form_order() -> None:
    """A page of the table as some PDFs store it: its row labels first, then every row's values."""
    values = _values(4)
    order = list(formbook().table("t3").variants["2021"].rows)
    split = order.index("unable_no_info")
    lines = ["某市人民政府2021年政府信息公开工作年度报告", *HEADER]
    for row in order[:split]:
        lines += [_label(row), *map(str, values[row]), ""]
    lines += ["-3-", "（续表）", *[_label(row) for row in order[split:]], "申请人情况", "自然人", "总计"]
    lines += [str(v) for row in order[split:] for v in values[row]]
    report = _parse("\n".join([*lines, *T4]) + "\n")
    for row in order:
        for column, number in zip(formbook().table("t3").variants["2021"].columns, values[row], strict=True):
            cell = report.cells[f"t3.{row}.{column}"]
            assert (cell.value, cell.sure) == (number, True), (row, column, cell.flag)
