"""The parser's fast paths give exactly what the general code gives (rows, pipe-style votes)."""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from gikai_desk import rules
from gikai_desk.ingest import read_source
from gikai_desk.parse import parse_document
from gikai_desk.parse.rows import plain_row, read_row_general
from gikai_desk.parse.tables import _PIPE_MARKDOWN, _PIPE_TERMINATED, pipe_style
from gikai_desk.parse.tokens import PipeStyle
from tests.conftest import seed_path

NUMBERS = st.sampled_from(["0", "1", "12", "3119", "007", "1234567890123456789", "１２"])
CELLS = st.one_of(
    NUMBERS,
    st.sampled_from(["", " ", "  ", " 5 ", "-", "无", "1.5", "+3", "3项(41笔)", "251000元", "12 3", "- 4 -", "5 万元", "7 件"]),
)
OTHER_LINES = st.sampled_from(
    [
        "",
        "   ",
        "第 4 页 共 6 页",
        "- 4 -",
        "三、本年度办理结果",
        "某县2023年政府信息公开工作年度报告",
        "2020年1月10日",
        "（三）不予公开",
        "1.",
        "第二十条第(五)项\t\t\t",
        "\t\t\t",
        "\t5\t\t",
        "| 5 | 6 |",
        "7 |",
        "无",
        "8",
        "  9  ",
        "4/10",
        "结   2 0 0 0 0 0 2",
        "年   无法提   4 1 0 0 0 0 5",
        "予处理 2 0",
        "、  35 4 0 1 1 1 42",
        "合计 1 2",
    ]
)


MOSTLY_NUMBERS = st.one_of(NUMBERS, NUMBERS, NUMBERS, CELLS)


@st.composite
def per_line_regions(draw: st.DrawFn) -> tuple[str, int]:
    """Rows of one-cell-per-line text: the label line's rest, value lines with blank lines, then anything;
    and a column count, usually the number of cells."""
    rest_of_label = draw(st.sampled_from(["", "", "  ", "数量"]))
    lines = [rest_of_label]
    cells = draw(st.lists(MOSTLY_NUMBERS, min_size=1, max_size=9))
    for cell in cells:
        lines.append("    " + cell)
        if draw(st.booleans()):
            lines.append("")
    lines.extend(draw(st.lists(OTHER_LINES, max_size=3)))
    region = "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n    ", "  "]))
    return region, max(1, len(cells) + draw(st.sampled_from([0, 0, 0, -1, 1])))


TAB_CELLS = st.one_of(NUMBERS, NUMBERS, st.just(""), st.just(""), st.just(" "), CELLS)


@st.composite
def tab_regions(draw: st.DrawFn) -> tuple[str, int]:
    """A TAB row after its label, then the next lines (section headers, padding rows, anything); and a
    column count, usually the number of cells or fewer (padding)."""
    cells = draw(st.lists(TAB_CELLS, min_size=1, max_size=10))
    lines = ["\t" + "\t".join(cells)]
    lines.extend(draw(st.lists(OTHER_LINES, max_size=3)))
    region = "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n    ", "\n\t"]))
    return region, max(1, len(cells) - draw(st.sampled_from([0, 0, 1, 2, 3, -1])))


@st.composite
def markdown_regions(draw: st.DrawFn) -> tuple[str, int]:
    """`| a | b |` rows after their label cell (maybe with empty padding cells), then the next lines."""
    cells = draw(st.lists(TAB_CELLS, min_size=1, max_size=10))
    lead = draw(st.sampled_from(["", " ", "", "数量 "]))
    tail = draw(st.sampled_from(["|", "| ||", "", "|  "]))
    lines = [lead + "| " + " | ".join(cells) + " " + tail]
    lines.extend(draw(st.lists(st.one_of(OTHER_LINES, st.just("| 1 | 2 |"), st.just("|")), max_size=3)))
    region = "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n|", "\n| "]))
    return region, max(1, len(cells) - draw(st.sampled_from([0, 0, 1, 2, -1])))


@st.composite
def terminated_regions(draw: st.DrawFn) -> tuple[str, int]:
    """Pipe-terminated cells (`2 |`, bare `|`) one per line after the label's `|`, then the next lines."""
    cells = draw(st.lists(TAB_CELLS, min_size=1, max_size=9))
    lines = [draw(st.sampled_from(["|", " |", "| |||", "||"]))]
    for cell in cells:
        lines.append(f"{cell} |" if cell.strip() else draw(st.sampled_from(["|", " |", "| |"])))
        if draw(st.integers(0, 4)) == 0:
            lines.append("")
    extra = st.one_of(OTHER_LINES, st.just("第二十条第(五)项 | |||"), st.just("信息内容 |"), st.just("|"))
    lines.extend(draw(st.lists(extra, max_size=3)))
    region = "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n    ", "  "]))
    return region, max(1, len(cells) - draw(st.sampled_from([0, 0, 0, 1, -1])))


def _compare(region: str, count: int, prefer_leading: bool, next_label_on_same_line: bool) -> bool:
    """True when the fast path took the row (and then it must equal the general reading)."""
    before = "（一）予以公开"
    after = "（二）部分公开\t1\t2\n" if not next_label_on_same_line else "（二）部分公开"
    norm = before + region + after
    start, end = len(before), len(before) + len(region)
    taken = False
    for pipes in PipeStyle:
        for sum_groups in (0, 1):
            fast = plain_row(norm, start, end, count, prefer_leading, pipes, sum_groups)
            if fast is None:
                continue
            taken = True
            general = read_row_general(norm, start, end, count, pipes, prefer_leading, sum_groups)
            assert fast == general, (region, count, prefer_leading, pipes, sum_groups)
    return taken


@settings(max_examples=400, deadline=None)
@given(per_line_regions(), st.booleans(), st.booleans())
def test_plain_per_line_rows_equal_the_general_reading(
    row: tuple[str, int], prefer_leading: bool, same_line: bool
) -> None:
    _compare(*row, prefer_leading, same_line)


@settings(max_examples=400, deadline=None)
@given(tab_regions(), st.booleans(), st.booleans())
def test_plain_tab_rows_equal_the_general_reading(
    row: tuple[str, int], prefer_leading: bool, same_line: bool
) -> None:
    _compare(*row, prefer_leading, same_line)


@settings(max_examples=400, deadline=None)
@given(markdown_regions(), st.booleans(), st.booleans())
def test_plain_markdown_rows_equal_the_general_reading(
    row: tuple[str, int], prefer_leading: bool, same_line: bool
) -> None:
    _compare(*row, prefer_leading, same_line)


@settings(max_examples=400, deadline=None)
@given(terminated_regions(), st.booleans(), st.booleans())
def test_plain_pipe_terminated_rows_equal_the_general_reading(
    row: tuple[str, int], prefer_leading: bool, same_line: bool
) -> None:
    _compare(*row, prefer_leading, same_line)


def test_fast_paths_are_taken_for_the_common_rows() -> None:
    """The cases the fast path exists for (so the property tests above compare something)."""
    cases = [
        ("\n\n    0\n\n    12\n\n    3\n\n", 3, True),
        ("\n    0\n    12\n    3\n    三、本年度办理结果\n", 3, True),
        ("\n\n    0\n\n    12\n\n    3\n\n    ", 3, True),
        ("\t0\t12\t3\n", 3, True),
        ("\t\t\t0\t12\t3\n第二十条第(五)项\t\t\t\n", 3, True),
        ("\t0\t\t\n", 1, True),  # padding dropped as fit() drops it
        ("\t\t\t\n\n", 3, True),
        ("\n    0\n    - 4 -\n    3\n", 2, False),  # a page number among the values: general reader
        ("\t0\t1.5\t3\n", 3, False),
        ("\t\t\t\n\t1\t2\t3\n", 3, False),  # an empty label line, values below: general reader
        ("| 0 | 12 | 3 |\n|", 3, True),
        ("| 0 | 12 | 3 | ||\n| 第二十条第(五)项 | |||\n", 3, True),
        ("|\n|\n2 |\n4 |\n第二十条第(五)项 | |||\n", 3, True),
        ("|\n|\n|\n|\n", 3, True),  # three bare `|` cells up to the next label
    ]
    for region, count, taken in cases:
        assert _compare(region, count, True, False) is taken, region


def _pipe_style_reference(norm: str, start: int, end: int) -> PipeStyle:
    """pipe_style as first written: both patterns over the whole range."""
    if norm.find("|", start, end) < 0:
        return PipeStyle.NONE
    markdown = len(_PIPE_MARKDOWN.findall(norm, start, end))
    terminated = len(_PIPE_TERMINATED.findall(norm, start, end))
    return PipeStyle.TERMINATED if terminated > markdown else PipeStyle.MARKDOWN


def test_pipe_style_votes_equal_the_full_scan() -> None:
    rnd = random.Random(5)
    pieces = ["|", " ", "\n", "a", "12", "\t", "||", "| ", "某"]
    for _ in range(8000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 40)))
        start = rnd.randint(0, len(text))
        end = rnd.randint(start, len(text))
        assert pipe_style(text, start, end) == _pipe_style_reference(text, start, end), (text, start, end)
    assert re.search(r"\|", "a | b")


def test_cannot_check_findings_equal_the_full_evaluation_and_follow_the_flags() -> None:
    """Sum rules meeting an unsure cell take a one-pass path with cached messages: same finding as the full
    evaluation, first time and cached, and a changed flag changes the message."""
    report = parse_document(read_source(seed_path("004")))
    # Its rows of 12 values for 7 are all zeros (placed sure since parse/place.py): flag the cells of most
    # 表三 rows as an unplaceable row would be, so the sum rules meet unsure cells.
    for key, cell in list(report.cells.items()):
        if key.startswith("t3.") and not key.startswith(("t3.new.", "t3.carried_in.")):
            report.cells[key] = cell.model_copy(update={"sure": False, "flag": "该行有12个值，应为7个，无法确定各值所在列"})
    engine = rules.RuleEngine(report)
    equations = [i for i in engine._instances if isinstance(i, rules.EquationRule)]
    cannot = 0
    for instance in equations:
        rules._CANNOT_CHECK_MESSAGES.clear()
        full = instance._evaluate(report)
        assert instance.evaluate(report) == full, instance.ident
        assert instance.evaluate(report) == full, instance.ident  # from the message cache
        cannot += full is not None and full.status == "cannot_check"
    assert cannot >= 30
    finding = next(v for v in engine.violations if v.status == "cannot_check")
    key = next(k for k in finding.cells if not report.cells[k].sure)  # same unsure cells, another reason
    report.cells[key] = report.cells[key].model_copy(update={"flag": "另一个原因"})
    rechecked = next(v for v in engine.recheck([key]) if v.rule == finding.rule and v.where == finding.where)
    assert "另一个原因" in rechecked.message and "另一个原因" not in finding.message
