"""Hybrid forms (2021 表二 with the 2019 single (六)其他处理 row, and the reverse): detected per table, carried
into the JSON, and reported by TEMPLATE_YEAR together with form/year disagreement."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from gikai_desk.forms import formbook
from gikai_desk.ingest import SourceDocument
from gikai_desk.jsonout import dumps_line, report_json
from gikai_desk.model import Number, Report
from gikai_desk.parse import parse_document
from gikai_desk.rules import check

Row = list[str]
Tagged = list[tuple[str, Row]]
Values = dict[str, Number | None]

HEADINGS = {
    "t2": "二、主动公开政府信息情况",
    "t3": "三、收到和处理政府信息公开申请情况",
    "t4": "四、政府信息公开行政复议、行政诉讼情况",
}


def prose_before(organ: str, year: int) -> list[str]:
    return [
        f"{organ}{year}年政府信息公开工作年度报告",
        "一、总体情况",
        f"{year}年，本单位认真落实政府信息公开工作要求，规章、规范性文件均已公开。",
    ]


def prose_after(organ: str, year: int) -> list[str]:
    return [
        "五、存在的主要问题及改进情况",
        "公开意识有待加强。",
        "六、其他需要报告的事项",
        "无",
        organ,
        f"{year + 1}年1月15日",
    ]


def _text(value: Number | None) -> str:
    return "" if value is None else str(value)


def tables(forms: Mapping[str, str], values: Mapping[str, Number | None]) -> Tagged:
    """The three tables as tagged rows of cells ('heading', 'header', or the row key)."""
    book = formbook()
    rows: Tagged = [("heading", [HEADINGS["t2"]])]
    t2 = book.table("t2")
    newer_t2 = t2.variants[forms["t2"]].template == "2021"
    for section in t2.variants[forms["t2"]].layout():
        rows.append(("header", [section.label]))
        columns = [
            (t2.columns[c].label_2021 or t2.columns[c].label) if newer_t2 else t2.columns[c].label
            for c in section.columns
        ]
        rows.append(("header", ["信息内容", *columns]))
        for row in section.rows:
            definition = t2.rows[row]
            label = definition.label_2021 if newer_t2 and definition.label_2021 else definition.label
            rows.append((f"t2.{row}", [label, *(_text(values[f"t2.{row}.{c}"]) for c in section.columns)]))
    t3 = book.table("t3")
    variant = t3.variants[forms["t3"]]
    rows.append(("heading", [HEADINGS["t3"]]))
    rows.append(
        ("header", ["本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和", "申请人情况"])
    )
    rows.append(("header", ["自然人", "法人或其他组织", "总计"]))
    rows.append(("header", ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]))
    for row in variant.rows:
        definition = t3.rows[row]
        if row == "granted":
            rows.append(("header", ["三、本年度办理结果"]))
        if row in ("deny_secret", "unable_no_info", "reject_petition", "other_no_correction"):
            rows.append(("header", [str(definition.group)]))
        rows.append(
            (f"t3.{row}", [definition.label, *(_text(values[f"t3.{row}.{c}"]) for c in variant.columns)])
        )
    t4 = book.table("t4").variants[forms["t4"]]
    rows.append(("heading", [HEADINGS["t4"]]))
    rows.append(("header", ["行政复议", "行政诉讼"]))
    rows.append(
        ("header", ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"])
    )
    rows.append(("header", ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2))
    rows.append(("t4", [_text(values[f"t4.{g}.{c}"]) for g in t4.rows for c in t4.columns]))
    return rows


def cell_per_line(rows: Tagged) -> list[str]:
    """Text copied from a web page: each filled cell on its own indented line, blank lines between."""
    out: list[str] = []
    for _, cells in rows:
        for cell in cells:
            if cell:
                out.extend([f"    {cell}", ""])
    return out


def tabbed(rows: Tagged) -> list[str]:
    """The readers' TAB convention: one table row per line, cells separated by TAB."""
    return ["\t".join(cells) if len(cells) > 1 or tag == "t4" else cells[0] for tag, cells in rows]


def markdown(rows: Tagged) -> list[str]:
    """`| a | b |` rows (headings stay prose lines)."""
    return [cells[0] if tag == "heading" else "| " + " | ".join(cells) + " |" for tag, cells in rows]


LAYOUTS: dict[str, tuple[Callable[[Tagged], list[str]], bool]] = {
    "cell_per_line": (cell_per_line, False),  # blank cells vanish in this layout: values without blanks
    "tabbed": (tabbed, True),
    "markdown": (markdown, True),
}


def consistent_values(forms: Mapping[str, str], seed: int, blanks: bool) -> Values:
    """Random values whose 表三/表四 sums hold, so that only TEMPLATE_YEAR (and BLANK_CELL) can fire."""
    rnd = random.Random(seed)
    book = formbook()
    values: Values = {}
    for key in book.keys("t2", forms["t2"]):
        if blanks and rnd.random() < 0.2:
            values[key] = None
        elif key.endswith(".change"):
            values[key] = rnd.choice([-3, 0, 5])
        elif key.endswith(".amount"):
            values[key] = rnd.choice([12.5, 251000, 3])
        else:
            values[key] = rnd.randint(1, 40)
    t3 = book.table("t3").variants[forms["t3"]]
    parts = [c for c in t3.columns if c != "total"]
    results = [r for r in t3.rows if r not in ("new", "carried_in", "total", "carried_out")]
    column_totals: dict[str, dict[str, int]] = {c: {} for c in parts}
    for c in parts:
        for r in results:
            column_totals[c][r] = rnd.choice([0, 0, 1, 2, 7])
        total = sum(column_totals[c].values())
        carried_in = rnd.randint(0, 3)
        carried_out = rnd.randint(0, 3)
        column_totals[c]["total"] = total
        column_totals[c]["carried_in"] = carried_in
        column_totals[c]["carried_out"] = carried_out
        column_totals[c]["new"] = total + carried_out - carried_in
    for r in t3.rows:
        row_sum = 0
        for c in parts:
            value = column_totals[c][r]
            row_sum += value
            values[f"t3.{r}.{c}"] = None if blanks and value == 0 and rnd.random() < 0.3 else value
        values[f"t3.{r}.total"] = row_sum
    t4 = book.table("t4").variants[forms["t4"]]
    for g in t4.rows:
        group_sum = 0
        for c in t4.columns:
            if c == "total":
                continue
            value = rnd.randint(0, 4)
            group_sum += value
            values[f"t4.{g}.{c}"] = value
        values[f"t4.{g}.total"] = group_sum
    return values


def parse_lines(lines: list[str], organ: str = "某县人民政府办公室", year: int = 2023) -> Report:
    text = "\n".join([*prose_before(organ, year), *lines, *prose_after(organ, year)]) + "\n"
    return parse_document(SourceDocument(path="hybrid.txt", kind="text", text=text))


def assert_read_exactly(report: Report, values: Mapping[str, Number | None]) -> None:
    assert {k: c.value for k, c in report.cells.items()} == dict(values)
    assert report.flags() == {}
    for key, cell in report.cells.items():
        for start, end in cell.spans:
            assert report.text[start:end] == cell.raw, key


def template_year(report: Report) -> list[str]:
    return [v.message for v in check(report) if v.rule == "TEMPLATE_YEAR"]


HYBRID = {"t2": "2021", "t3": "2019", "t4": "2019"}
REVERSE_HYBRID = {"t2": "2019", "t3": "2021", "t4": "2021"}


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("forms", [HYBRID, REVERSE_HYBRID], ids=["t2-2021+t3-2019", "t2-2019+t3-2021"])
def test_hybrid_forms_are_detected_per_table_and_read_cell_for_cell(
    layout: str, forms: dict[str, str]
) -> None:
    render, blanks = LAYOUTS[layout]
    for seed in range(3):
        values = consistent_values(forms, seed, blanks)
        report = parse_lines(render(tables(forms, values)))
        assert report.forms == forms
        assert report.template == forms["t2"]
        assert report.mixed_forms
        assert_read_exactly(report, values)
        findings = check(report)
        assert {v.rule for v in findings} <= {"TEMPLATE_YEAR", "BLANK_CELL"}
        mixed = [v for v in findings if v.rule == "TEMPLATE_YEAR"]
        assert len(mixed) == 1 and "表格样式混用" in mixed[0].message
        assert mixed[0].severity == "warning" and mixed[0].where == ""


def test_2023_report_with_2021_t2_and_single_other_row_keeps_the_2019_t3_cells() -> None:
    values = consistent_values(HYBRID, 11, blanks=False)
    report = parse_lines(tabbed(tables(HYBRID, values)), year=2023)
    assert report.year == 2023
    assert "t3.other.total" in report.cells
    assert not any(k.startswith("t3.other_") for k in report.cells)
    assert "t2.regulations.made" in report.cells and "t2.regulations.new_made" not in report.cells
    messages = template_year(report)
    assert len(messages) == 1
    # mixed forms, and the 2019 表三 does not belong in a 2023 report
    assert "表格样式混用" in messages[0] and "表三 为 2019 版" in messages[0]
    assert "表二" not in messages[0].split("而")[-1]


def test_json_output_carries_forms_for_a_hybrid_and_not_for_a_plain_report() -> None:
    values = consistent_values(HYBRID, 3, blanks=False)
    report = parse_lines(markdown(tables(HYBRID, values)))
    line = dumps_line(report_json(report, check(report)))
    data = json.loads(line)
    assert data["forms"] == HYBRID
    assert data["template"] == "2021"
    assert data["cells"]["t3.other.total"] == values["t3.other.total"]
    assert any(v["rule"] == "TEMPLATE_YEAR" for v in data["violations"])

    plain = {"t2": "2021", "t3": "2021", "t4": "2021"}
    report = parse_lines(markdown(tables(plain, consistent_values(plain, 3, blanks=False))))
    data = json.loads(dumps_line(report_json(report, check(report))))
    assert "forms" not in data
    assert not any(v["rule"] == "TEMPLATE_YEAR" for v in data["violations"])


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize(
    ("forms", "year", "wrong"),
    [
        ({"t2": "2019", "t3": "2019", "t4": "2019"}, 2022, "统计年度 2022 年应使用 2021 版表格"),
        ({"t2": "2019-local", "t3": "2019", "t4": "2019"}, 2021, "统计年度 2021 年应使用 2021 版表格"),
        ({"t2": "2021", "t3": "2021", "t4": "2021"}, 2020, "统计年度 2020 年应使用 2019 版表格"),
    ],
    ids=["2019-form-for-2022", "2019-local-for-2021", "2021-form-for-2020"],
)
def test_template_year_fires_when_form_and_year_disagree(
    layout: str, forms: dict[str, str], year: int, wrong: str
) -> None:
    render, blanks = LAYOUTS[layout]
    values = consistent_values(forms, year, blanks)
    report = parse_lines(render(tables(forms, values)), organ="某市交通运输局", year=year)
    assert report.year == year and report.agency == "某市交通运输局"
    assert report.forms == forms and not report.mixed_forms
    assert_read_exactly(report, values)
    messages = template_year(report)
    assert len(messages) == 1
    assert wrong in messages[0] and "混用" not in messages[0]
    assert "表二 为" in messages[0] and "表三 为" in messages[0]
    assert "表四" not in messages[0]  # 表四 is the same in both forms: it says nothing about the year
    data = json.loads(dumps_line(report_json(report, check(report))))
    assert "forms" not in data


@pytest.mark.parametrize(
    ("forms", "year"),
    [
        ({"t2": "2019", "t3": "2019", "t4": "2019"}, 2019),
        ({"t2": "2019", "t3": "2019", "t4": "2019"}, 2020),
        ({"t2": "2021", "t3": "2021", "t4": "2021"}, 2021),
        ({"t2": "2021", "t3": "2021", "t4": "2021"}, 2024),
    ],
)
def test_template_year_is_silent_when_form_matches_the_year(forms: dict[str, str], year: int) -> None:
    values = consistent_values(forms, year, blanks=False)
    report = parse_lines(tabbed(tables(forms, values)), year=year)
    assert report.year == year
    assert template_year(report) == []


def test_hybrid_in_the_wrong_year_names_both_problems() -> None:
    """A 2020 report with the 2021 表二 (mixed, and 表二 too new for 2020)."""
    values = consistent_values(HYBRID, 5, blanks=False)
    report = parse_lines(cell_per_line(tables(HYBRID, values)), year=2020)
    messages = template_year(report)
    assert len(messages) == 1
    assert "表格样式混用" in messages[0]
    assert "统计年度 2020 年应使用 2019 版表格，而表二 为 2021 版" in messages[0]


@pytest.mark.parametrize("kind", ["html", "docx", "xlsx"])
def test_hybrid_in_structured_documents_with_merged_cells(kind: str) -> None:
    """The hybrid read back through the HTML / Word / Excel readers (rowspan/colspan, merged cells)."""
    from gikai_desk.ingest.dispatch import read_bytes
    from gikai_desk.limits import Limits
    from tests.report_render import report_docx, report_html, report_xlsx

    values = consistent_values(HYBRID, 61, blanks=True)
    prose = prose_before("某县人民政府办公室", 2023)
    render = {"html": report_html, "docx": report_docx, "xlsx": report_xlsx}[kind]
    data = render(prose, HYBRID, values)
    report = parse_document(read_bytes(data, f"hybrid.{kind}", Limits()))
    assert report.forms == HYBRID
    assert_read_exactly(report, values)
    assert report.year == 2023
    messages = template_year(report)
    assert len(messages) == 1 and "表格样式混用" in messages[0]
    assert json.loads(dumps_line(report_json(report, check(report))))["forms"] == HYBRID


def test_extract_command_prints_forms_for_a_hybrid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gikai_desk.cli import main

    values = consistent_values(HYBRID, 67, blanks=False)
    text = "\n".join([*prose_before("某县人民政府办公室", 2023), *tabbed(tables(HYBRID, values))]) + "\n"
    path = tmp_path / "hybrid-2023.txt"
    path.write_text(text, encoding="utf-8")
    assert main(["extract", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out.strip())
    assert data["forms"] == HYBRID and data["template"] == "2021" and data["year"] == 2023
    assert data["cells"]["t3.other.natural"] == values["t3.other.natural"]
    assert "t3.other_misc.natural" not in data["cells"]
    assert [v["rule"] for v in data["violations"] if v["severity"] != "info"] == ["TEMPLATE_YEAR"]
