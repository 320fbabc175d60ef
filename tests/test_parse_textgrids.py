"""Tables drawn as text (box-drawing grids, ASCII grids, Markdown with a delimiter row, Markdown collapsed onto
one line, a merged cell leaving an empty grid column) read cell for cell, every span exact.

The fixtures in tests/fixtures/textgrids/ are made by make_textgrids.py there (w3m dumps of report pages whose
every cell holds its own value); `values()` gives those values.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from test_parse_cousins import assert_spans

from gikai_desk.errors import InputError
from gikai_desk.ingest.dispatch import read_bytes
from gikai_desk.ingest.textgrid import convert_text_tables
from gikai_desk.limits import Limits
from gikai_desk.model import Report
from gikai_desk.parse import parse_document

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "textgrids"
sys.path.insert(0, str(FIXTURES))

from make_textgrids import GHOST_VALUES, values  # noqa: E402

LIMITS = Limits()
GRID_NOTE = "文本中的框线表格已转换为制表符分隔的行"


def read(name: str) -> Report:
    data = (FIXTURES / name).read_bytes()
    return parse_document(read_bytes(data, name, LIMITS))


def assert_every_cell(report: Report, want: dict[str, int | float | None]) -> None:
    wrong = {
        key: (expected, report.cells[key].value if key in report.cells else "<absent>")
        for key, expected in want.items()
        if key not in report.cells or report.cells[key].value != expected
    }
    assert not wrong
    flagged = {key: report.cells[key].flag for key in want if not report.cells[key].sure}
    assert not flagged
    assert_spans(report)


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("w3m-wide-2019.txt", "2019"),
        ("w3m-narrow-2019.txt", "2019"),
        ("w3m-narrow-2021.txt", "2021"),
        ("ascii-2019.txt", "2019"),
        ("double-2021.txt", "2021"),
    ],
)
def test_box_grids_read_cell_for_cell(name: str, form: str) -> None:
    report = read(name)
    assert report.forms == {"t2": form, "t3": form, "t4": form}
    assert_every_cell(report, values(form))
    assert any(note.startswith(GRID_NOTE) and "3 个表格" in note for note in report.notes)
    assert not any(char in report.text for char in "│┌┐└┘├┤┬┴┼─║═╬")  # every grid converted
    assert "+--" not in report.text and "|" not in report.text


@pytest.mark.parametrize("name", ["markdown-2019.md", "one-line-2019.md"])
def test_markdown_with_delimiter_row_and_on_one_line(name: str) -> None:
    report = read(name)
    assert_every_cell(report, values("2019"))
    if name.startswith("one-line"):
        assert any("Markdown" in note and "48 行" in note for note in report.notes)
        assert report.text.count("\n") > 48


@pytest.mark.parametrize("name", ["ghost-t2.txt", "ghost-t2.md"])
def test_an_empty_grid_column_of_a_merged_cell_never_shifts_values(name: str) -> None:
    report = read(name)
    assert_every_cell(report, GHOST_VALUES)


def test_wrapped_cell_text_is_joined_and_the_grid_matches_its_cells() -> None:
    text = (FIXTURES / "w3m-narrow-2021.txt").read_text(encoding="utf-8")
    converted = convert_text_tables(text).text
    lines = converted.split("\n")
    assert "\t\t2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\t" in converted
    assert "\t（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t\t" in converted
    header = next(line for line in lines if "商业企业" in line)
    assert header.split("\t")[3:] == ["", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""]
    # prose lines are kept verbatim
    assert "本局依法做好政府信息公开工作，现将有关情况报告如下。" in lines


SMALL = """表格
┌────┬────┐
│规章│12  │
├────┼────┤
│合计│3   │
└────┴────┘
后文
"""


def test_a_small_grid_and_its_prose_around_it() -> None:
    assert convert_text_tables(SMALL).text == "表格\n规章\t12\n合计\t3\n后文\n"


def test_cjk_width_counts_two_columns_and_ambiguous_quotes_one() -> None:
    grid = "┌──────────┬──┐\n│“三安全”  │5 │\n├──────────┼──┤\n│自然人    │  │\n└──────────┴──┘\n"
    assert convert_text_tables(grid).text == "“三安全”\t5\n自然人\t\n"


def test_ambiguous_characters_two_columns_wide_when_that_lines_up() -> None:
    grid = "┌─────────┬──┐\n│“三安全” │5 │\n└─────────┴──┘\n"
    assert convert_text_tables(grid).text == "“三安全”\t5\n"


def test_rowspan_and_colspan_place_text_top_left() -> None:
    grid = (
        "+------+---+---+\n"
        "|      | a | b |\n"
        "| head +---+---+\n"
        "|      | 1 | 2 |\n"
        "+------+---+---+\n"
        "| wide     | 3 |\n"
        "+----------+---+\n"
    )
    # the grid's columns: head | a | b; `wide` covers two columns and keeps its text in the first
    assert convert_text_tables(grid).text == "head\ta\tb\n\t1\t2\nwide\t\t3\n"


def test_a_console_table_with_a_header_rule() -> None:
    grid = "+------+-----+\n| 名称 | 数  |\n+======+=====+\n| 规章 | -1  |\n| 其他 | +5  |\n+------+-----+\n"
    # MySQL / tabulate rule only under the header: lines stacking numbers are rows, not one wrapped cell
    assert convert_text_tables(grid).text == "名称\t数\n规章\t-1\n其他\t+5\n"


def test_misaligned_bars_are_moved_back_and_a_hopeless_grid_is_read_line_by_line() -> None:
    shifted = "┌──────┬───┐\n│规章│1  │\n├──────┼───┤\n│其他  │12345│\n└──────┴───┘\n"
    assert convert_text_tables(shifted).text == "规章\t1\n其他\t12345\n"
    stray = "┌──────┬───┐\n│规章  │1 │2│\n├──────┼───┤\n│其他  │2  │\n└──────┴───┘\n"
    assert convert_text_tables(stray).text == "规章\t1 2\n其他\t2\n"  # a stray bar is a space: 1 2, never 12
    hopeless = "┌──────┬───┐\n│规章 1│\n├──────┼───┤\n│其他  │2  │\n└──────┴───┘\n"
    converted = convert_text_tables(hopeless)
    assert converted.text == "规章 1\n其他\t2\n"  # read line by line: the row is narrower than its peers
    assert any("未对齐" in note for note in converted.notes)


def test_an_ascii_grid_read_line_by_line_keeps_signs() -> None:
    from gikai_desk.ingest.textgrid import _ASCII, _line_by_line

    lines = ["+------+-----+", "|规章  | +5  |", "+------+-----+", "|其他  | -3  |", "+------+-----+"]
    assert _line_by_line(lines, _ASCII) == ["规章\t+5", "其他\t-3"]
    # a row that lost a bar the lines above and below draw: its text is marked, not placed in the first column
    lost = (
        "+------+-----+---+\n|规章  | 1   | 2 |\n+------+-----+---+\n|其他  | -3   4 |\n+------+-----+---+\n"
        "|合计  | 5   | 6 |\n+------+-----+---+\n"
    )
    assert convert_text_tables(lost).text == "规章\t1\t2\n其他\t-3\t4\n合计\t5\t6\n"
    assert convert_text_tables(lost.replace("-3   4", "-3    ")).text == "规章\t1\t2\n其他\t-3 ¦\t\n合计\t5\t6\n"
    # a heading across the whole grid is a merged cell, whatever the `+` above and below it
    heading = "+------+-----+\n|规章  | 1   |\n+------+-----+\n|第二十条     |\n+------+-----+\n|其他  | 2   |\n+------+-----+\n"
    assert convert_text_tables(heading).text == "规章\t1\n第二十条\n其他\t2\n"


def test_a_lost_separator_is_not_taken_for_a_merged_cell() -> None:
    # the rules above and below draw the line between 4 and the next column: the row lost it, and which column
    # the text belongs to cannot be told, so it is marked ¦ (text, never a value: the parser flags the row)
    grid = (
        "┌────┬──┬──┬──┐\n│规章│1 │2 │3 │\n├────┼──┼──┼──┤\n│其他│4    6 │9 │\n├────┼──┼──┼──┤\n"
        "│合计│5 │8 │12│\n└────┴──┴──┴──┘\n"
    )
    converted = convert_text_tables(grid)
    # one number per column the cell covers: each in its column
    assert converted.text == "规章\t1\t2\t3\n其他\t4\t6\t9\n合计\t5\t8\t12\n"
    one = grid.replace("│4    6 │", "│4      │")
    converted = convert_text_tables(one)
    assert converted.text == "规章\t1\t2\t3\n其他\t4 ¦\t\t9\n合计\t5\t8\t12\n"
    assert any("竖线缺失" in note for note in converted.notes)
    # a real merged cell: the rule above or below has no junction there
    merged = "┌────┬──┬──┐\n│规章│1 │2 │\n├────┼──┴──┤\n│其他│4    │\n└────┴─────┘\n"
    assert convert_text_tables(merged).text == "规章\t1\t2\n其他\t4\t\n"
    report = parse_document(read_bytes(LOST.encode(), "lost.txt", LIMITS))
    assert report.cells["t2.licensing.prev_items"].value == 7 and report.cells["t2.licensing.prev_items"].sure
    flagged = ("t2.other_admin.prev_items", "t2.other_admin.change", "t2.other_admin.decisions")
    assert all(not report.cells[key].sure for key in flagged)


LOST = (
    "二、主动公开政府信息情况（表二）\n"
    "┌──────────────────────────────────────────────────────────┐\n"
    "│第二十条第（一）项                                        │\n"
    "├────────────────────┬──────────────┬─────────┬────────────┤\n"
    "│信息内容            │本年新制作数量│本年新公开数量│对外公开总数量│\n"
    "├────────────────────┼──────────────┼─────────┼────────────┤\n"
    "│规章                │1             │2        │3           │\n"
    "├────────────────────┴──────────────┴─────────┴────────────┤\n"
    "│第二十条第（五）项                                        │\n"
    "├────────────────────┬──────────────┬─────────┬────────────┤\n"
    "│信息内容            │上一年项目数量│本年增/减│处理决定数量│\n"
    "├────────────────────┼──────────────┼─────────┼────────────┤\n"
    "│行政许可            │7             │1        │9           │\n"
    "├────────────────────┼──────────────┼─────────┼────────────┤\n"
    "│其他对外管理服务事项│10                      │12          │\n"
    "└────────────────────┴──────────────┴─────────┴────────────┘\n"
    "三、收到和处理政府信息公开申请情况（表三）\n本年度未收到申请。\n"
)


def test_plain_text_without_grids_is_untouched() -> None:
    text = "一、总体情况\n增减 +-- 不是表格 --+\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    converted = convert_text_tables(text)
    assert converted.text is text and not converted.notes


def test_one_line_markdown_rows_are_split_by_the_delimiter_column_count() -> None:
    text = "前文 | 名称 | 数 | |---|:---:| | 规章 | | | 其他 | 4 | 后文 | 不是 | 表格 |"
    converted = convert_text_tables(text)
    assert (
        converted.text == "前文\n| 名称 | 数 |\n|---|:---:|\n| 规章 | |\n| 其他 | 4 |\n后文 | 不是 | 表格 |"
    )
    assert len(converted.text) == len(text)  # the spaces became the line breaks


@pytest.mark.parametrize(
    "junk",
    [
        "┌" * 5000,
        "┌──┐\n" * 3000,
        "┌──┬──┐\n│" + "│" * 3000 + "\n└──┴──┘\n",
        "+--+\n|\t|\n+--+\n",
        "┌──┐\n│ab│\n│abc\n└──┘\n",
        "| a | b | |---|---| " * 2000,
        "|---|---|" * 3000,
        "┌" + "─" * 5000 + "┐\n│x│\n└" + "─" * 5000 + "┘\n",
    ],
)
def test_broken_grids_never_crash(junk: str) -> None:
    convert_text_tables(junk)
    try:
        read_bytes(junk.encode("utf-8"), "junk.txt", LIMITS)
    except InputError as exc:
        assert "junk.txt" in str(exc)


def _damaged_label_lines(text: str) -> list[str]:
    """The document once per row line, its label one character shorter or longer (a label
    edited or damaged without padding, so every bar after it moves)."""
    lines = text.split("\n")
    out: list[str] = []
    for index, line in enumerate(lines):
        start = next((i for i, char in enumerate(line) if "\u4e00" <= char <= "\u9fff"), -1)
        if not line.startswith("│") or start < 0 or re.search(r"│\d", line) is None:
            continue  # row lines (values in them): a header that lost 自然人 meets a parser limit, see docs
        border = re.compile("[│├┤┼]").search(line, start)
        if border is None:
            continue
        label_end = len(line[: border.start()].rstrip())
        for damaged in (line[: label_end - 1] + line[label_end:], line[:label_end] + "的" + line[label_end:]):
            out.append("\n".join([*lines[:index], damaged, *lines[index + 1 :]]))
    return out


def test_labels_that_lost_or_gained_width_never_move_values() -> None:
    text = (FIXTURES / "w3m-narrow-2019.txt").read_text(encoding="utf-8")
    want = values("2019")
    documents = _damaged_label_lines(text)
    assert len(documents) > 50
    for document in documents:
        report = parse_document(read_bytes(document.encode("utf-8"), "damaged.txt", LIMITS))
        assert_spans(report)
        for key, expected in want.items():
            cell = report.cells[key]
            assert cell.value == expected or not cell.sure, key  # right, or flagged: never silently wrong


def _grid(rows: int, cols: int) -> list[str]:
    lines = ["┌" + "┬".join(["──"] * cols) + "┐"]
    for row in range(rows):
        lines.append("│" + "│".join(["12"] * cols) + "│")
        lines.append(
            ("├" + "┼".join(["──"] * cols) + "┤") if row < rows - 1 else ("└" + "┴".join(["──"] * cols) + "┘")
        )
    return lines


def test_huge_and_garbled_grids_finish_quickly() -> None:
    import random
    import time

    rng = random.Random(0)
    garbled = _grid(300, 300)
    for index in range(1, len(garbled), 2):
        cells = list(garbled[index][1:-1])
        rng.shuffle(cells)
        garbled[index] = "│" + "".join(cells) + "│"
    one_line = "| 规章 | 1 | |---|---| " * 20000 + "|---|---|" * 20000
    for text in ("\n".join(_grid(400, 600)), "\n".join(garbled), one_line):
        started = time.perf_counter()
        converted = convert_text_tables(text)
        assert time.perf_counter() - started < 5
        assert converted.text.count("\n") >= text.count("\n") // 3  # read line by line or left, never lost


def test_a_one_column_box_is_prose_line_by_line() -> None:
    box = "┌──────────────┐\n│本机关全年共收│\n│到申请45件。  │\n└──────────────┘\n"
    assert convert_text_tables(box).text == "本机关全年共收\n到申请45件。\n"
