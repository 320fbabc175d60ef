"""Synthetic cousins of the seed layouts: the parser must read them cell for cell or flag what it cannot place."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping

import pytest

from gikai_desk.errors import NotAReportError
from gikai_desk.forms import formbook
from gikai_desk.ingest import SourceDocument
from gikai_desk.model import Cell, Number, Report
from gikai_desk.parse import make_cell, parse_document
from gikai_desk.parse.rows import CellRead

Row = list[str]
Values = dict[str, Number | None]

PROSE_BEFORE = [
    "某县人民政府办公室2020年政府信息公开工作年度报告",
    "一、总体情况",
    "2020年，本办共收到政府信息公开申请5件，其中予以公开3件，部分公开1件。规章、规范性文件均已公开。",
]
PROSE_AFTER = [
    "五、存在的主要问题及改进情况",
    "一是公开意识有待加强。",
    "六、其他需要报告的事项",
    "无",
    "某县人民政府办公室",
    "2021年1月20日",
]
T2_HEADINGS = {
    "t2": "二、主动公开政府信息情况",
    "t3": "三、收到和处理政府信息公开申请情况",
    "t4": "四、政府信息公开行政复议、行政诉讼情况",
}


def _fmt(value: Number | None) -> str:
    if value is None:
        return ""
    return str(value)


def table_rows(forms: Mapping[str, str], values: Mapping[str, Number | None]) -> list[tuple[str, Row]]:
    """The three tables as rows of cells, tagged 'heading', 'header' or the row's key ('t3.new' ...)."""
    book = formbook()
    rows: list[tuple[str, Row]] = []
    t2 = book.table("t2")
    rows.append(("heading", [T2_HEADINGS["t2"]]))
    for section in t2.variants[forms["t2"]].layout():
        rows.append(("header", [section.label]))
        labels = [
            (t2.columns[c].label_2021 or t2.columns[c].label)
            if forms["t2"] == "2021"
            else t2.columns[c].label
            for c in section.columns
        ]
        rows.append(("header", ["信息内容", *labels]))
        for row in section.rows:
            label = (
                t2.rows[row].label_2021
                if forms["t2"] == "2021" and t2.rows[row].label_2021
                else t2.rows[row].label
            )
            rows.append((f"t2.{row}", [label, *(_fmt(values[f"t2.{row}.{c}"]) for c in section.columns)]))
    t3 = book.table("t3")
    variant = t3.variants[forms["t3"]]
    rows.append(("heading", [T2_HEADINGS["t3"]]))
    rows.append(
        ("header", ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"])
    )
    rows.append(("header", ["自然人", "法人或其他组织", "总计"]))
    rows.append(("header", ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]))
    groups_done: set[str] = set()
    for row in variant.rows:
        definition = t3.rows[row]
        group = definition.group
        if group and group not in groups_done and not (row == "other" and forms["t3"] == "2019"):
            if group != "三、本年度办理结果" or row == "granted":
                rows.append(("header", [group]))
            groups_done.add(group)
        rows.append(
            (f"t3.{row}", [definition.label, *(_fmt(values[f"t3.{row}.{c}"]) for c in variant.columns)])
        )
    t4 = book.table("t4").variants[forms["t4"]]
    rows.append(("heading", [T2_HEADINGS["t4"]]))
    rows.append(("header", ["行政复议", "行政诉讼"]))
    rows.append(
        ("header", ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"])
    )
    rows.append(("header", ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2))
    rows.append(("t4", [_fmt(values[f"t4.{g}.{c}"]) for g in t4.rows for c in t4.columns]))
    return rows


def cell_per_line(rows: list[tuple[str, Row]]) -> list[str]:
    """Seeds 000/002: every cell on its own indented line, blank lines between (blank cells vanish)."""
    out: list[str] = []
    for _, cells in rows:
        for cell in cells:
            if cell:
                out.extend([f"    {cell}", ""])
    return out


def tabbed(rows: list[tuple[str, Row]]) -> list[str]:
    return ["\t".join(cells) if len(cells) > 1 or tag == "t4" else cells[0] for tag, cells in rows]


def markdown(rows: list[tuple[str, Row]]) -> list[str]:
    """Seed 003: `| a | b |` rows with extra empty trailing cells."""
    return [cells[0] if tag == "heading" else "| " + " | ".join(cells) + " | ||" for tag, cells in rows]


def pipe_terminated(rows: list[tuple[str, Row]]) -> list[str]:
    """Seed 001: each cell on a line ending with `|`, a blank cell a bare `|`."""
    out: list[str] = []
    for tag, cells in rows:
        if tag == "heading":
            out.append(cells[0])
            continue
        out.extend(f"{cell} |" if cell else "|" for cell in cells)
    return out


def document(lines: list[str]) -> SourceDocument:
    text = "\n".join([*PROSE_BEFORE, *lines, *PROSE_AFTER]) + "\n"
    return SourceDocument(path="cousin.txt", kind="text", text=text)


def random_values(forms: Mapping[str, str], seed: int, blanks: bool) -> Values:
    rnd = random.Random(seed)
    values: Values = {}
    for key in formbook().all_keys(dict(forms)):
        if blanks and rnd.random() < 0.2:
            values[key] = None
        elif key.endswith(".change"):
            values[key] = rnd.choice([-3, 0, 5, 12])
        elif key.endswith(".amount"):
            values[key] = rnd.choice([12.5, 251000, 0, 3.1416])
        else:
            values[key] = rnd.choice([0, 1, 2, 13, 250, 3119])
    return values


def assert_reads(report: Report, values: Mapping[str, Number | None]) -> None:
    got = {key: cell.value for key, cell in report.cells.items()}
    assert got == dict(values)
    assert report.flags() == {}
    assert_spans(report)


def assert_spans(report: Report) -> None:
    for key, cell in report.cells.items():
        for start, end in cell.spans:
            assert report.text[start:end] == cell.raw, key
        if cell.value is not None:
            assert cell.raw and cell.spans, key


FORMS = [
    {"t2": "2019", "t3": "2019", "t4": "2019"},
    {"t2": "2019-local", "t3": "2019", "t4": "2019"},
    {"t2": "2021", "t3": "2021", "t4": "2021"},
    {"t2": "2021", "t3": "2019", "t4": "2019"},
]
LAYOUTS: dict[str, tuple[Callable[[list[tuple[str, Row]]], list[str]], bool]] = {
    "cell_per_line": (cell_per_line, False),
    "tabbed": (tabbed, True),
    "markdown": (markdown, True),
    "pipe_terminated": (pipe_terminated, True),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("forms", FORMS, ids=lambda f: "-".join(f.values()))
def test_layouts_read_cell_for_cell(layout: str, forms: dict[str, str]) -> None:
    render, blanks = LAYOUTS[layout]
    for seed in range(3):
        values = random_values(forms, seed, blanks)
        report = parse_document(document(render(table_rows(forms, values))))
        assert report.forms == forms
        assert report.template == forms["t2"].split("-")[0]
        assert_reads(report, values)


def _with_spellings(line: str) -> str:
    return (
        line.replace("（一）予以公开", "（⼀） 予 以 公 开")
        .replace("一、本年新收", "⼀、本年新收")
        .replace("“三安全一稳定”", '"三安全一稳定"')
        .replace("本年增/减", "本年增/")
        .replace("(", "（")
        .replace(")", "）")
    )


def test_full_width_brackets_kangxi_radicals_spaces_and_quotes() -> None:
    forms = FORMS[0]
    values = random_values(forms, 7, blanks=False)
    lines = [_with_spellings(line) for line in cell_per_line(table_rows(forms, values))]
    assert any("⼀" in line for line in lines)
    assert_reads(parse_document(document(lines)), values)


def test_full_width_digits_signs_thousands_and_units() -> None:
    forms = FORMS[0]
    values = random_values(forms, 8, blanks=False)
    rows = table_rows(forms, values)
    for tag, cells in rows:
        if tag == "t2.licensing":
            cells[1:] = ["１,２３４", "+5", "-183"]
        if tag == "t2.procurement":
            cells[1:] = ["12", "251000元"]
        if tag == "t2.penalty":
            cells[1:] = ["3项(41笔)", "0", "0"]
    report = parse_document(document(tabbed(rows)))
    assert report.cells["t2.licensing.prev_items"].value == 1234
    assert report.cells["t2.licensing.change"].value == 5
    assert report.cells["t2.licensing.decisions"].value == -183
    assert report.cells["t2.procurement.amount"].value == 251000
    assert report.cells["t2.procurement.amount"].raw == "251000元"
    assert report.cells["t2.penalty.prev_items"].value == 3
    assert report.flags() == {"t2.penalty.prev_items": "单元格含有额外文字，已取其中的数字"}
    assert_spans(report)


@pytest.mark.parametrize("layout", ["cell_per_line", "tabbed"])
@pytest.mark.parametrize("stray", ["- 4 -", "— 12 —", "第 4 页", "第4页 共10页", "2021年1月20日"])
def test_stray_numbers_inside_table_three_never_shift_a_cell(layout: str, stray: str) -> None:
    forms = FORMS[0]
    values = random_values(forms, 9, blanks=False)
    rows = table_rows(forms, values)
    at = next(i for i, (tag, _) in enumerate(rows) if tag == "t3.deny_law")
    rows.insert(at, ("stray", [stray]))
    rows.insert(at + 3, ("stray", [stray]))
    assert_reads(parse_document(document(LAYOUTS[layout][0](rows))), values)


def test_row_ordinal_split_from_its_label_is_not_a_value() -> None:
    forms = FORMS[0]
    values = random_values(forms, 10, blanks=False)
    lines = cell_per_line(table_rows(forms, values))
    at = lines.index("    1.属于国家秘密")
    lines[at : at + 1] = ["    1.", "", "    属于国家秘密"]
    assert_reads(parse_document(document(lines)), values)


def test_tab_row_that_lost_a_blank_is_flagged_whole_not_shifted() -> None:
    forms = FORMS[0]
    values = random_values(forms, 11, blanks=False)
    values.update(
        {f"t3.granted.{c}": v for c, v in zip(_t3_columns(), [3, None, 0, 0, 0, 1, 4], strict=True)}
    )
    rows = table_rows(forms, values)
    for tag, cells in rows:
        if tag == "t3.granted":
            cells.remove("")  # the reader lost the empty cell
    report = parse_document(document(tabbed(rows)))
    granted = {f"t3.granted.{c}" for c in _t3_columns()}
    assert set(report.flags()) == granted
    # the table's random figures break the rules whatever the placement: nothing narrows the row
    assert all((report.cells[k].flag or "").startswith("该行有6个值，应为7个；") for k in granted)
    assert report.cells["t3.granted.total"].value == 4  # the reading shown satisfies the row total
    others = {k: c.value for k, c in report.cells.items() if k not in granted}
    assert others == {k: v for k, v in values.items() if k not in granted}
    assert_spans(report)


def test_row_with_more_values_than_columns_drops_ghost_zeros() -> None:
    """Five ghost zeros after the row's seven values: the dropped cells hold nothing, so every admissible
    reading keeps the five nonzero values in order and two zeros (parse/place.py)."""
    forms = FORMS[2]
    values = random_values(forms, 12, blanks=False)
    parts = [values[f"t3.partial.{c}"] for c in _t3_columns()[:-1]]
    values["t3.partial.total"] = sum(v or 0 for v in parts)  # the ghost reading is confirmed by the row total
    rows = table_rows(forms, values)
    for tag, cells in rows:
        if tag == "t3.partial":
            cells.extend(["0", "0", "0", "0", "0"])
    report = parse_document(document(tabbed(rows)))
    assert report.flags() == {}
    assert_reads(report, values)


def test_all_blank_row_that_lost_a_blank_is_read_as_blank() -> None:
    forms = FORMS[0]
    values = random_values(forms, 13, blanks=False)
    values.update({f"t3.carried_in.{c}": None for c in _t3_columns()})
    rows = table_rows(forms, values)
    for tag, cells in rows:
        if tag == "t3.carried_in":
            del cells[-1]
    report = parse_document(document(pipe_terminated(rows)))
    assert_reads(report, values)
    assert any("少了空白单元格" in note for note in report.notes)


def test_missing_row_is_read_blank_with_a_note_and_the_next_rows_stay_in_place() -> None:
    # A row the document leaves out between rows read cleanly in form order is read blank with a note, not
    # flagged "not found" (BLANK_CELL lists its cells for the reviewer).
    forms = FORMS[0]
    values = random_values(forms, 14, blanks=False)
    rows = [(tag, cells) for tag, cells in table_rows(forms, values) if tag != "t3.deny_internal"]
    report = parse_document(document(tabbed(rows)))
    missing = {f"t3.deny_internal.{c}" for c in _t3_columns()}
    assert report.flags() == {}
    assert {report.cells[k].value for k in missing} == {None}
    assert any("没有以下行" in note and "属于三类内部事务信息" in note for note in report.notes)
    assert {k: c.value for k, c in report.cells.items() if k not in missing} == {
        k: v for k, v in values.items() if k not in missing
    }


def test_missing_group_labels_do_not_matter() -> None:
    forms = FORMS[0]
    values = random_values(forms, 15, blanks=True)
    rows = [(tag, cells) for tag, cells in table_rows(forms, values) if cells != ["（五）不予处理"]]
    assert_reads(parse_document(document(pipe_terminated(rows))), values)


def test_labels_broken_across_lines_and_vertical_labels() -> None:
    forms = FORMS[0]
    values = random_values(forms, 16, blanks=False)
    lines = cell_per_line(table_rows(forms, values))
    lines[lines.index("    2.其他法律行政法规禁止公开")] = "    2.其他法律行政法规禁止\n    公开"
    lines[lines.index("    行政许可")] = "    行\n    政\n    许\n    可"
    assert_reads(parse_document(document(lines)), values)


def test_row_labels_are_not_taken_for_section_headings() -> None:
    forms = FORMS[0]
    values = random_values(forms, 17, blanks=False)
    report = parse_document(document(tabbed(table_rows(forms, values))))
    assert report.cells["t3.carried_out.total"].value == values["t3.carried_out.total"]
    assert report.cells["t4.review.upheld"].value == values["t4.review.upheld"]


def test_prose_that_names_rows_before_the_tables_is_not_read_as_a_table() -> None:
    forms = FORMS[0]
    values = random_values(forms, 18, blanks=False)
    lines = [
        "本年新收政府信息公开申请23件，上年结转0件，予以公开7件，部分公开1件，结转下年度继续办理2件。",
        "第二十条第（一）项规定的规章、规范性文件已公开。行政许可3件。",
        *tabbed(table_rows(forms, values)),
    ]
    assert_reads(parse_document(document(lines)), values)


def test_glued_cells_are_split_by_the_tables_own_rules() -> None:
    forms = FORMS[2]
    values = random_values(forms, 19, blanks=False)
    for key in values:
        if key.startswith("t3."):
            values[key] = 0
    row_values = {
        "new": [6, 0, 0, 2, 0, 4, 12],
        "granted": [5, 0, 0, 2, 0, 4, 11],
        "unable_no_info": [1, 0, 0, 0, 0, 0, 1],
    }
    row_values["total"] = [
        a + b for a, b in zip(row_values["granted"], row_values["unable_no_info"], strict=True)
    ]
    for row, vals in row_values.items():
        values.update({f"t3.{row}.{c}": v for c, v in zip(_t3_columns(), vals, strict=True)})
    glued = "".join("".join(cells) for _, cells in table_rows(forms, values))
    report = parse_document(
        SourceDocument(
            path="glued.txt", kind="text", text="".join(PROSE_BEFORE) + glued + "".join(PROSE_AFTER)
        )
    )
    t3 = {k: c.value for k, c in report.cells.items() if k.startswith("t3.")}
    assert t3 == {k: v for k, v in values.items() if k.startswith("t3.")}
    assert not any(k.startswith("t3.") for k in report.flags())
    assert any("粘连" in note for note in report.notes)
    assert_spans(report)


def test_not_a_report() -> None:
    for text in (
        "这是一篇普通的文章，没有任何表格。予以公开、行政复议、规章。",
        "随机文字 123 456\n\n789",
        "",
    ):
        with pytest.raises(NotAReportError) as caught:
            parse_document(SourceDocument(path="x.txt", kind="text", text=text))
        assert caught.value.file == "x.txt"
        assert "未找到年报表格" in caught.value.reason


def test_html_page_without_tables_is_not_a_report() -> None:
    from gikai_desk.ingest.dispatch import read_bytes
    from gikai_desk.limits import Limits

    page = "<html><body><p>某局2020年政府信息公开工作年度报告</p><p>本年无申请。</p></body></html>".encode()
    with pytest.raises(NotAReportError):
        parse_document(read_bytes(page, "page.html", Limits()))


@pytest.mark.parametrize("kind", ["html", "xlsx"])
def test_structured_pages_with_merged_cells_round_trip(kind: str) -> None:
    from gikai_desk.ingest.dispatch import read_bytes
    from gikai_desk.limits import Limits
    from tests.report_render import report_html, report_xlsx

    for seed, forms in enumerate(FORMS):
        values = random_values(forms, 100 + seed, blanks=True)
        data = (
            report_html(PROSE_BEFORE, forms, values)
            if kind == "html"
            else report_xlsx(PROSE_BEFORE, forms, values)
        )
        report = parse_document(read_bytes(data, f"r.{kind}", Limits()))
        assert report.forms == forms
        assert_reads(report, values)


def test_fast_cell_construction_matches_a_validated_cell() -> None:
    made = make_cell("t3.new.total", "abc 42 x", CellRead(42, 4, 6, True, None))
    assert made == Cell(key="t3.new.total", value=42, parsed=42, raw="42", spans=[(4, 6)])
    assert made.model_dump() == Cell.model_validate(made.model_dump()).model_dump()
    made.value = 5
    assert made.value == 5 and made.parsed == 42


def _t3_columns() -> tuple[str, ...]:
    return formbook().table("t3").variants["2019"].columns


def test_layout_text_with_wide_gaps_reads_columns_and_never_glues_a_gap() -> None:
    forms = FORMS[0]
    values = random_values(forms, 20, blanks=False)
    rows = table_rows(forms, values)
    lines = ["      ".join(cells) for _, cells in rows]
    assert_reads(parse_document(document(lines)), values)
    for tag, cells in rows:
        if tag == "t2.licensing":
            cells[2] = "   "  # an empty column in `pdftotext -layout` output is only spaces
    report = parse_document(document(["      ".join(cells) for _, cells in rows]))
    licensing = {f"t2.licensing.{c}" for c in ("prev_items", "change", "decisions")}
    assert set(report.flags()) == licensing
    assert (report.cells["t2.licensing.prev_items"].flag or "").startswith("该行有2个值，应为3个；无勾稽关系")


def test_row_without_any_value_in_a_cell_per_line_text_is_flagged() -> None:
    forms = FORMS[0]
    values = random_values(forms, 21, blanks=False)
    values.update({f"t3.partial.{c}": None for c in _t3_columns()})
    report = parse_document(document(cell_per_line(table_rows(forms, values))))
    partial = {f"t3.partial.{c}" for c in _t3_columns()}
    assert set(report.flags()) == partial
    assert {report.cells[k].value for k in partial} == {None}


def test_table_four_heading_alone_is_not_a_report() -> None:
    text = "四、政府信息公开行政复议、行政诉讼情况\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n0\t0\t0\t0\t0\n"
    with pytest.raises(NotAReportError):
        parse_document(SourceDocument(path="t4.txt", kind="text", text=text))


def test_prose_after_table_four_does_not_move_its_values() -> None:
    forms = FORMS[0]
    values = random_values(forms, 22, blanks=False)
    lines = tabbed(table_rows(forms, values))
    lines.append("注：本年度行政复议案件均已审结，行政诉讼总计见上表。")
    assert_reads(
        parse_document(SourceDocument(path="n.txt", kind="text", text="\n".join([*PROSE_BEFORE, *lines]))),
        values,
    )


def test_markdown_rows_without_outer_pipes() -> None:
    forms = FORMS[2]
    values = random_values(
        forms, 23, blanks=False
    )  # without outer pipes a trailing empty cell cannot be told
    lines = [cells[0] if tag == "heading" else " | ".join(cells) for tag, cells in table_rows(forms, values)]
    assert_reads(parse_document(document(lines)), values)


def _mutate(rows: list[tuple[str, Row]], rnd: random.Random, table: str = "t3") -> None:
    """Lose one cell of a random row (an empty one when the row has any: readers lose empty cells, and a row
    left with only empty cells is read as blank), or drop a stray number line into the table."""
    candidates = [i for i, (tag, cells) in enumerate(rows) if tag.startswith(f"{table}.") and len(cells) > 2]
    at = rnd.choice(candidates)
    if rnd.random() < 0.6:
        cells = rows[at][1]
        empty = [i for i in range(1, len(cells)) if not cells[i]]
        del cells[rnd.choice(empty) if empty else rnd.randrange(1, len(cells))]
    else:
        rows.insert(at, ("stray", [rnd.choice(["- 3 -", "第 2 页", "2020年12月31日"])]))


@pytest.mark.parametrize("table", ["t2", "t3"])
@pytest.mark.parametrize("layout", ["tabbed", "markdown", "pipe_terminated"])
def test_a_damaged_row_is_read_right_or_flagged_never_silently_shifted(layout: str, table: str) -> None:
    render = LAYOUTS[layout][0]
    for seed in range(40):
        rnd = random.Random(seed)
        forms = rnd.choice(FORMS)
        values = random_values(forms, 1000 + seed, blanks=True)
        rows = table_rows(forms, values)
        _mutate(rows, rnd, table)
        report = parse_document(document(render(rows)))
        flags = report.flags()
        wrong = {k: (v, report.cells[k].value) for k, v in values.items() if report.cells[k].value != v}
        assert set(wrong) <= set(flags), (seed, wrong)
        assert_spans(report)


def test_absurdly_long_digit_runs_are_not_numbers_and_do_not_crash() -> None:
    forms = FORMS[0]
    values = random_values(forms, 24, blanks=False)
    rows = table_rows(forms, values)
    for tag, cells in rows:
        if tag == "t3.new":
            cells[1] = "9" * 5000
    for render in (tabbed, cell_per_line):
        report = parse_document(document(render(rows)))
        assert (report.cells["t3.new.natural"].flag or "").startswith("该行有6个值，应为7个")
    glued = "".join("".join(cells) for _, cells in rows)
    report = parse_document(SourceDocument(path="g.txt", kind="text", text="".join(PROSE_BEFORE) + glued))
    assert not report.cells["t3.new.natural"].sure
