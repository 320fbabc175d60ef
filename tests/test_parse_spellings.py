"""Label spellings seen in real reports but not in the seeds, page furniture inside tables, formula-like organ
names, and the fast (unvalidated) model construction used on the hot path."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from gikai_desk.ingest import SourceDocument
from gikai_desk.model import Number, Report, Violation
from gikai_desk.parse import parse_document
from gikai_desk.parse.meta import read_metadata
from gikai_desk.rules import check, make_violation
from tests.test_parse_hybrid import (
    LAYOUTS,
    Tagged,
    assert_read_exactly,
    cell_per_line,
    consistent_values,
    markdown,
    parse_lines,
    tabbed,
    tables,
)

FORMS_2019 = {"t2": "2019", "t3": "2019", "t4": "2019"}
FORMS_2021 = {"t2": "2021", "t3": "2021", "t4": "2021"}
HYBRID = {"t2": "2021", "t3": "2019", "t4": "2019"}


def respell(rows: Tagged, spellings: Mapping[str, str]) -> Tagged:
    """The rows with their label and header cells rewritten (value cells untouched)."""
    out: Tagged = []
    for tag, cells in rows:
        text_cells = len(cells) if tag in ("heading", "header") else 1
        new_cells = list(cells)
        for index in range(text_cells):
            for old, new in spellings.items():
                new_cells[index] = new_cells[index].replace(old, new)
        out.append((tag, new_cells))
    return out


SPELLINGS: dict[str, tuple[dict[str, str], tuple[dict[str, str], ...]]] = {
    "qita-as-qita2": (
        {
            "（六）其他处理": "（六）其它处理",
            "3.其他": "3.其它",
            "其他对外管理服务事项": "其它对外管理服务事项",
            "其他法律行政法规": "其它法律行政法规",
            "其他结果": "其它结果",
            "法人或其他组织": "法人或其它组织",
        },
        (FORMS_2019, FORMS_2021, HYBRID),
    ),
    "liu-dun-hao": ({"（六）其他处理": "六、其他处理"}, (FORMS_2019, HYBRID)),
    "liu-dun-hao-qita2": ({"（六）其他处理": "六、其它处理"}, (FORMS_2019,)),
    "shu-without-liang": (
        {"一、本年新收政府信息公开申请数量": "一、本年新收政府信息公开申请数"},
        (FORMS_2019, FORMS_2021),
    ),
    "shang-yi-nian-du": (
        {"二、上年结转政府信息公开申请数量": "二、上一年度结转政府信息公开申请数量"},
        (FORMS_2019, FORMS_2021),
    ),
    "heji-for-zongji": ({"总计": "合计"}, (FORMS_2019, FORMS_2021, HYBRID)),
    "ascii-quotes": ({"“三安全一稳定”": '"三安全一稳定"'}, (FORMS_2019, FORMS_2021)),
    "no-quotes": ({"“三安全一稳定”": "三安全一稳定"}, (FORMS_2019, FORMS_2021)),
    "half-width-brackets": ({"（": "(", "）": ")"}, (FORMS_2019, FORMS_2021)),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_real_spellings_are_read_cell_for_cell(spelling: str, layout: str) -> None:
    replacements, form_sets = SPELLINGS[spelling]
    render, blanks = LAYOUTS[layout]
    for forms in form_sets:
        values = consistent_values(forms, 17, blanks)
        rows = respell(tables(forms, values), replacements)
        lines = render(rows)
        text = "\n".join(lines)
        assert any(new in text for new in replacements.values())
        report = parse_lines(lines, year=2021 if forms["t3"] == "2021" else 2020)
        assert report.forms == forms, (spelling, forms)
        assert_read_exactly(report, values)
        assert {v.rule for v in check(report)} <= {"TEMPLATE_YEAR", "BLANK_CELL"}


def _vertical_group_label(rows: Tagged) -> Tagged:
    """三、本年度办理结果 printed one character per line (a vertical merged cell in a PDF)."""
    out: Tagged = []
    for tag, cells in rows:
        if tag == "header" and cells == ["三、本年度办理结果"]:
            out.extend(("header", [ch]) for ch in "三、本年度办理结果")
            continue
        out.append((tag, cells))
    return out


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("forms", [FORMS_2019, FORMS_2021], ids=["2019", "2021"])
def test_vertical_group_label_one_character_per_line(layout: str, forms: dict[str, str]) -> None:
    render, blanks = LAYOUTS[layout]
    values = consistent_values(forms, 23, blanks)
    lines = render(_vertical_group_label(tables(forms, values)))
    assert "度" in [line.strip(" |") for line in lines]
    assert_read_exactly(parse_lines(lines), values)


@pytest.mark.parametrize("forms", [FORMS_2019, FORMS_2021], ids=["2019", "2021"])
def test_vertical_group_label_characters_leading_the_result_rows(forms: dict[str, str]) -> None:
    """A PDF grid where the merged 三、本年度办理结果 cell leaves one character at the head of each row."""
    values = consistent_values(forms, 29, blanks=True)
    rows = [r for r in tables(forms, values) if r[1] != ["三、本年度办理结果"]]
    characters = iter("三、本年度办理结果")
    placed: Tagged = []
    for tag, cells in rows:
        if tag.startswith("t3.") and tag not in ("t3.new", "t3.carried_in", "t3.carried_out"):
            character = next(characters, None)
            if character is not None:
                placed.append((tag, [character, *cells]))
                continue
        placed.append((tag, cells))
    lines = tabbed(placed)
    assert any(line.startswith("度\t") for line in lines)
    assert_read_exactly(parse_lines(lines), values)


PAGE_FURNITURE = {
    "dash-page-number": ["- 4 -"],
    "page-of-pages": ["第 4 页 共 6 页"],
    "title-at-page-top": ["- 4 -", "某县人民政府办公室2023年政府信息公开工作年度报告"],
    "page-number-then-title": ["第 4 页 共 6 页", "某县人民政府办公室2023年政府信息公开工作年度报告"],
}
BREAK_BEFORE = [
    "t2.normative",
    "t2.penalty",
    "t3.partial",
    "t3.deny_query",
    "t3.reject_repeat",
    "t3.total",
    "t4",
]


def _with_page_break(rows: Tagged, before: str, furniture: list[str]) -> Tagged:
    out: Tagged = []
    for tag, cells in rows:
        if tag == before or (before == "t4" and tag == "t4"):
            out.extend(("page", [line]) for line in furniture)
        out.append((tag, cells))
    return out


def _render_with_pages(render: Callable[[Tagged], list[str]], rows: Tagged) -> list[str]:
    """Page furniture lines stay plain lines whatever the table layout."""
    out: list[str] = []
    chunk: Tagged = []
    for tag, cells in rows:
        if tag == "page":
            out.extend(render(chunk))
            chunk = []
            out.append(cells[0])
        else:
            chunk.append((tag, cells))
    out.extend(render(chunk))
    return out


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("furniture", list(PAGE_FURNITURE))
def test_page_numbers_and_repeated_titles_between_rows_never_shift_values(
    layout: str, furniture: str
) -> None:
    render, blanks = LAYOUTS[layout]
    for forms in (FORMS_2019, HYBRID):
        values = consistent_values(forms, 31, blanks)
        for before in BREAK_BEFORE:
            rows = _with_page_break(tables(forms, values), before, PAGE_FURNITURE[furniture])
            report = parse_lines(_render_with_pages(render, rows))
            assert report.forms == forms
            assert_read_exactly(report, values)


@pytest.mark.parametrize("furniture", list(PAGE_FURNITURE))
def test_page_break_between_a_label_and_its_values_one_cell_per_line(furniture: str) -> None:
    values = consistent_values(FORMS_2019, 37, blanks=False)
    for row in ("t3.partial", "t3.deny_safety", "t2.licensing", "t3.carried_out"):
        lines: list[str] = []
        for tag, cells in tables(FORMS_2019, values):
            row_lines = cell_per_line([(tag, cells)])
            if tag == row:
                row_lines = (
                    row_lines[:2] + [f"    {line}" for line in PAGE_FURNITURE[furniture]] + row_lines[2:]
                )
            lines.extend(row_lines)
        assert_read_exactly(parse_lines(lines), values)


def _flagged_or_right(report: Report, values: Mapping[str, Number | None]) -> None:
    for key, expected in values.items():
        cell = report.cells[key]
        assert cell.value == expected or not cell.sure, (key, cell.value, expected)


@pytest.mark.parametrize("furniture", list(PAGE_FURNITURE))
def test_page_break_inside_a_row_of_single_cells_is_flagged_never_shifted(furniture: str) -> None:
    values = consistent_values(FORMS_2019, 41, blanks=False)
    for row in ("t3.granted", "t3.unable_unclear", "t3.new"):
        lines: list[str] = []
        for tag, cells in tables(FORMS_2019, values):
            row_lines = cell_per_line([(tag, cells)])
            if tag == row:
                row_lines = (
                    row_lines[:8] + [f"    {line}" for line in PAGE_FURNITURE[furniture]] + row_lines[8:]
                )
            lines.extend(row_lines)
        _flagged_or_right(parse_lines(lines), values)


def test_repeated_t3_column_header_at_a_page_top_is_not_a_row() -> None:
    for render in (tabbed, markdown, cell_per_line):
        values = consistent_values(FORMS_2021, 43, blanks=render is not cell_per_line)
        rows: Tagged = []
        for tag, cells in tables(FORMS_2021, values):
            if tag == "t3.deny_process":
                rows.append(("page", ["- 5 -"]))
                rows.append(("header", ["自然人", "法人或其他组织", "总计"]))
                rows.append(("header", ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]))
            rows.append((tag, cells))
        report = parse_lines(_render_with_pages(render, rows), year=2021)
        assert_read_exactly(report, values)


# ------------------------------------------------------------------ metadata: organ name as written


@pytest.mark.parametrize("layout", ["html-like", "text"])
def test_organ_name_starting_with_equals_is_kept_as_written(layout: str) -> None:
    organ = '=HYPERLINK("http://x","点击")市某局'
    values = consistent_values(FORMS_2019, 47, blanks=False)
    lines = (
        tabbed(tables(FORMS_2019, values))
        if layout == "html-like"
        else cell_per_line(tables(FORMS_2019, values))
    )
    report = parse_lines(lines, organ=organ, year=2019)
    assert report.agency == organ
    assert report.year == 2019
    assert_read_exactly(report, values)


@pytest.mark.parametrize(
    ("title", "agency"),
    [
        (
            '=HYPERLINK("http://x","点击")市某局2019年政府信息公开工作年度报告',
            '=HYPERLINK("http://x","点击")市某局',
        ),
        ("+某市某局2020年政府信息公开工作年度报告", "+某市某局"),
        ("@某县某局2020年政府信息公开工作年度报告", "@某县某局"),
        ("=某市人民政府办公室2021年政府信息公开工作年度报告", "=某市人民政府办公室"),
        # unchanged behaviour: a title without formula characters, and a prose line naming the organ
        ("泉州市信访局2019年政府信息公开工作年度报告", "泉州市信访局"),
        ("现将自治区信访局2019年政务信息公开工作报告如下", "自治区信访局"),
        ("=2020 某局2019年政府信息公开工作年度报告", "某局"),  # spaces: not one name, keep the organ only
    ],
)
def test_title_organ_as_written(title: str, agency: str) -> None:
    meta = read_metadata(f"{title}\n一、总体情况\n正文。\n")
    assert meta.agency == agency


def test_hostile_organ_equals_page() -> None:
    from pathlib import Path

    from gikai_desk.extract import extract

    page = Path(__file__).parent / "hostile" / "files" / "organ-equals.html"
    if not page.exists():
        pytest.skip("hostile files not generated")
    report = extract(page)
    assert report.agency == '=HYPERLINK("http://x","点击")市某局'
    assert report.year == 2019


# ------------------------------------------------------------------ fast constructors equal validated models


def test_fast_violation_equals_a_validated_violation() -> None:
    fast = make_violation(
        "T3_ROW_TOTAL",
        "new",
        "error",
        "msg",
        ["t3.new.total", "t3.new.natural"],
        expected=3,
        target="t3.new.total",
        blanks_as_zero=["t3.new.natural"],
    )
    slow = Violation(
        rule="T3_ROW_TOTAL",
        where="new",
        severity="error",
        message="msg",
        cells=["t3.new.total", "t3.new.natural"],
        expected=3,
        target="t3.new.total",
        blanks_as_zero=["t3.new.natural"],
    )
    assert fast == slow
    assert fast.model_dump() == slow.model_dump()
    assert Violation.model_validate(fast.model_dump()) == fast
    plain = make_violation("BLANK_CELL", "t3.new.total", "info", "m", ["t3.new.total"], status="cannot_check")
    assert plain == Violation(
        rule="BLANK_CELL",
        where="t3.new.total",
        severity="info",
        status="cannot_check",
        message="m",
        cells=["t3.new.total"],
    )
    assert plain.ident == "BLANK_CELL@t3.new.total"


def test_check_results_equal_validated_violations_on_a_damaged_report() -> None:
    """Every finding the engine builds without validation survives a validation round trip unchanged."""
    values = consistent_values(FORMS_2019, 53, blanks=True)
    values["t3.new.total"] = (values["t3.new.total"] or 0) + 1
    report = parse_lines(tabbed(tables(FORMS_2019, values)), year=2022)
    findings = check(report)
    assert {"T3_ROW_TOTAL", "T3_BALANCE", "TEMPLATE_YEAR", "BLANK_CELL"} <= {v.rule for v in findings}
    for violation in findings:
        assert Violation.model_validate(violation.model_dump()) == violation


def test_document_without_tables_still_refused() -> None:
    from gikai_desk.errors import NotAReportError

    with pytest.raises(NotAReportError):
        parse_document(
            SourceDocument(path="x.txt", kind="text", text="某县2020年政府信息公开工作年度报告\n无\n")
        )
