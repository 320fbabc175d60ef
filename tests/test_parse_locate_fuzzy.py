"""Tables found by evidence (row labels in form order), row labels recognised fuzzily, and 表三 headers laid out
over several lines: hand-written fixtures of each failure class, every cell checked."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping

import pytest

from gikai_desk.forms import formbook
from gikai_desk.ingest import SourceDocument
from gikai_desk.model import Number
from gikai_desk.parse import parse_document
from gikai_desk.parse.labels import similarity
from gikai_desk.parse.tables import FLAG_COLUMN_ORDER, FLAG_FUZZY_AMBIGUOUS
from tests.test_parse_cousins import (
    FORMS,
    Row,
    assert_reads,
    cell_per_line,
    markdown,
    random_values,
    tabbed,
    table_rows,
)
from tests.test_parse_cousins import (
    LAYOUTS as COUSIN_LAYOUTS,
)

Values = dict[str, Number | None]
TITLE = "某县某局2021年政府信息公开工作年度报告"
CLOSING = ["五、存在的主要问题及改进情况", "一是公开意识有待加强。", "某县某局", "2022年1月20日"]
LAYOUTS: dict[str, Callable[[list[tuple[str, Row]]], list[str]]] = {
    "cell_per_line": cell_per_line,
    "tabbed": tabbed,
    "markdown": markdown,
}


def _doc(lines: list[str], prose: list[str] | None = None) -> SourceDocument:
    text = (
        "\n".join([TITLE, "一、总体情况", *(prose or ["本机关认真贯彻落实条例。"]), *lines, *CLOSING]) + "\n"
    )
    return SourceDocument(path="report.txt", kind="text", text=text)


def _values(forms: Mapping[str, str], seed: int) -> Values:
    return random_values(forms, seed, blanks=False)


def _relabel(rows: list[tuple[str, Row]], changes: Mapping[str, str]) -> list[tuple[str, Row]]:
    """Rows with some labels printed otherwise ({row tag: printed label})."""
    out: list[tuple[str, Row]] = []
    for tag, cells in rows:
        if tag in changes:
            cells = [changes[tag], *cells[1:]]
        out.append((tag, cells))
    return out


def _prose(values: Mapping[str, Number | None]) -> list[str]:
    """Prose that names 表三's and 表二's row and column words, with figures, before the tables."""
    v = {k: 0 if x is None else x for k, x in values.items()}
    return [
        f"全年共收到政府信息公开申请{v['t3.new.total']}件，其中申请人中自然人{v['t3.new.natural']}件、商业企业"
        f"{v['t3.new.commercial']}件、科研机构{v['t3.new.research']}件、社会公益组织{v['t3.new.ngo']}件、"
        f"法律服务机构{v['t3.new.legal']}件、其他{v['t3.new.other_org']}件；上年结转政府信息公开申请"
        f"{v['t3.carried_in.total']}件。办理结果：予以公开{v['t3.granted.total']}件，部分公开"
        f"{v['t3.partial.total']}件；结转下年度继续办理{v['t3.carried_out.total']}件。",
        f"全年发生政府信息公开行政复议{v['t4.review.total']}件（结果维持{v['t4.review.upheld']}件、结果纠正"
        f"{v['t4.review.corrected']}件）。规章、行政规范性文件均已按要求公开，行政许可、行政处罚、行政强制信息"
        "及时公开。",
    ]


# --------------------------------------------------------------------------------------------------------
# 1. Prose that names the same words before the tables


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("forms", [FORMS[0], FORMS[2]], ids=["2019", "2021"])
def test_prose_naming_the_row_words_before_the_tables_does_not_capture_them(
    layout: str, forms: dict[str, str]
) -> None:
    values = _values(forms, 1)
    report = parse_document(_doc(LAYOUTS[layout](table_rows(forms, values)), _prose(values)))
    assert report.forms == forms
    assert_reads(report, values)


def test_prose_before_the_tables_stays_prose_for_the_narrative_check() -> None:
    forms = FORMS[0]
    values = _values(forms, 2)
    report = parse_document(_doc(tabbed(table_rows(forms, values)), _prose(values)))
    assert_reads(report, values)
    assert any(f.value == values["t3.new.total"] for f in report.narrative)


# --------------------------------------------------------------------------------------------------------
# 2. The whole report on one line


@pytest.mark.parametrize("forms", FORMS, ids=lambda f: "-".join(f.values()))
def test_whole_report_on_one_line(forms: dict[str, str]) -> None:
    values = _values(forms, 3)
    lines = tabbed(table_rows(forms, values))
    text = re.sub(r"\s+", " ", "\n".join([TITLE, "一、总体情况", *_prose(values), *lines, *CLOSING]))
    report = parse_document(SourceDocument(path="one.txt", kind="text", text=text))
    assert report.forms == forms
    assert_reads(report, values)


# --------------------------------------------------------------------------------------------------------
# 3-6. Damaged labels: two characters dropped, brackets and ordinals changed, OCR-like confusions, wrapped

DROPPED = {
    "t3.new": "一、本年收政府信息公申请数量",  # the first row: sought between the header and the next row
    "t3.carried_out": "四、结转下度继续办",  # the last row: sought after the row before it
    "t3.granted": "（一）予以",  # 公开 dropped: only the ordinal and the form's order say which row
    "t3.deny_secret": "1.属于国家",
    "t3.deny_enforcement": "7.属于政法案卷",
    "t3.reject_publication": "3.要求供公开版物",
    "t2.fees": "行政事业收费",
}
BRACKETS = {
    "t3.granted": "一、予以",
    "t3.partial": "二、部分(区分处理的，只计这一情形，不计其他情形)",
    "t3.deny_secret": "1、属于国家",
    "t3.unable_need_create": "(2)没有现信息需要另制作",
}
OCR = {
    "t3.other_no_fee": "2.申请入逾期末按收费通知要求缴纳费甩、行政机关不再处理其政府信息公开申请",
    "t3.reject_confirm": "5.要求行政机关确仞或重新岀具己获取信息",
    "t3.unable_unclear": "3.补正后申清内谷仍不明碓",
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("changes", [DROPPED, BRACKETS, OCR], ids=["dropped", "brackets", "ocr"])
def test_damaged_labels_are_recognised_by_similarity_and_order(layout: str, changes: dict[str, str]) -> None:
    forms = FORMS[2] if changes is OCR else FORMS[0]
    values = _values(forms, 4)
    rows = _relabel(table_rows(forms, values), changes)
    report = parse_document(_doc(LAYOUTS[layout](rows)))
    assert report.forms == forms
    assert_reads(report, values)


def test_damaged_labels_in_a_one_line_report() -> None:
    forms = FORMS[0]
    values = _values(forms, 5)
    rows = _relabel(
        table_rows(forms, values), {**DROPPED, "t3.unable_need_create": "(2)没有现信息需要另制作"}
    )
    text = re.sub(r"\s+", " ", "\n".join([TITLE, *tabbed(rows), *CLOSING]))
    assert_reads(parse_document(SourceDocument(path="one.txt", kind="text", text=text)), values)


def test_a_damaged_label_wrapped_over_lines() -> None:
    forms = FORMS[0]
    values = _values(forms, 6)
    rows = table_rows(forms, values)
    lines = cell_per_line(rows)
    at = lines.index("    3.补正后申请内容仍不明确")
    lines[at] = "    3.补正后申请\n    内谷仍不明碓"
    assert_reads(parse_document(_doc(lines)), values)


def test_a_damaged_label_spilled_onto_its_own_line_above_its_values() -> None:
    forms = FORMS[0]
    values = _values(forms, 7)
    lines = tabbed(table_rows(forms, values))
    for i, line in enumerate(lines):
        if line.startswith("8.属于行政查询事项\t"):
            lines[i] = "8.属于行政查询" + "\n" + line[len("8.属于行政查询事项") :]
        if line.startswith("2.重复申请\t"):
            lines[i] = "2.重复申\n" + line[len("2.重复申请") :]
    assert_reads(parse_document(_doc(lines)), values)


def test_a_label_two_rows_could_claim_is_flagged_not_read_sure() -> None:
    forms = FORMS[0]
    values = _values(forms, 8)
    rows = _relabel(table_rows(forms, values), {"t2.penalty": "行政强罚"})  # 行政处罚 or 行政强制?
    report = parse_document(_doc(tabbed(rows)))
    penalty = {f"t2.penalty.{c}" for c in ("prev_items", "change", "decisions")}
    assert set(report.flags()) == penalty
    assert {report.flags()[k] for k in penalty} == {FLAG_FUZZY_AMBIGUOUS}
    assert {k: c.value for k, c in report.cells.items() if k not in penalty} == {
        k: v for k, v in values.items() if k not in penalty
    }


def test_similarity_uses_the_printed_ordinal_as_evidence() -> None:
    assert similarity("（一）予以", "t3", "granted") >= 72
    assert similarity("予以", "t3", "granted") < 72
    assert similarity("（二）予以", "t3", "granted") < 72
    assert similarity("第二十条", "t3", "granted") == 0.0


# --------------------------------------------------------------------------------------------------------
# 7. A row the document leaves out between rows found in order


def test_a_row_left_out_between_found_neighbours_is_read_blank_with_a_note() -> None:
    forms = FORMS[0]
    values = _values(forms, 9)
    left_out = ("t2.regulations", "t3.deny_query")
    rows = [(tag, cells) for tag, cells in table_rows(forms, values) if tag not in left_out]
    report = parse_document(_doc(tabbed(rows)))
    absent = {k for k in values if k.rsplit(".", 1)[0] in left_out}
    assert report.flags() == {}
    assert {report.cells[k].value for k in absent} == {None}
    assert {k: c.value for k, c in report.cells.items() if k not in absent} == {
        k: v for k, v in values.items() if k not in absent
    }
    notes = "\n".join(report.notes)
    assert "表二没有以下行" in notes and "规章" in notes
    assert "表三没有以下行" in notes and "属于行政查询事项" in notes


def test_a_row_whose_label_is_unreadable_is_still_flagged_not_found() -> None:
    forms = FORMS[0]
    values = _values(forms, 10)
    rows = _relabel(table_rows(forms, values), {"t3.deny_query": "查询"})
    report = parse_document(_doc(tabbed(rows)))
    query = {k for k in values if k.startswith("t3.deny_query.")}
    flagged = set(report.flags())
    assert query <= flagged
    assert not any("没有以下行" in note for note in report.notes)  # not read as a row left out
    for key in flagged - query:  # the row before swallowed the lost row's values: flagged, never sure
        assert key.startswith("t3.deny_enforcement."), key


# --------------------------------------------------------------------------------------------------------
# 8. 表三 header laid out over several lines (w3m -dump, pdftotext -layout)

T3 = formbook().table("t3")
COLUMNS = T3.variants["2019"].columns


def _w3m_t3(values: Values, total_left: bool = False) -> list[str]:
    """表三 as `w3m -dump` prints a borderless HTML table: 自然人 and 总计 in the middle of the header block,
    法人或其他组织 over the organisations, a bracketed note naming 办理结果总计."""
    pad = " " * 40
    natural, total = ("总计  ", "自然人") if total_left else ("自然人", "总计  ")
    head = [
        "三、收到和处理政府信息公开申请情况",
        "",
        pad + "申请人情况",
        "（本列数据的勾稽关系为：本年新收 + 上年结转 = 办理结果总计 + 结转下年度）" + "  法人或其他组织",
        pad + natural + " " * 44 + total,
        pad + "       商业企业 科研机构 社会公益组织  法律服务机构  其他",
        "",
    ]
    body: list[str] = []
    for row in T3.variants["2019"].rows:
        label = T3.rows[row].label
        cells = "".join(
            f"{'' if values[f't3.{row}.{c}'] is None else values[f't3.{row}.{c}']!s:<7}" for c in COLUMNS
        )
        body += [f"{label:<38}  {cells}".rstrip(), ""]
    return head + body


def test_w3m_style_multi_line_t3_header_reads_by_position() -> None:
    forms = FORMS[0]
    values = _values(forms, 11)
    lines = [line for line in tabbed(table_rows(forms, values))]
    start = lines.index("三、收到和处理政府信息公开申请情况")
    end = lines.index("四、政府信息公开行政复议、行政诉讼情况")
    lines[start:end] = _w3m_t3(values)
    assert_reads(parse_document(_doc(lines)), values)


def test_multi_line_t3_header_with_total_clearly_left_of_natural_is_flagged() -> None:
    forms = FORMS[0]
    values = _values(forms, 12)
    lines = tabbed(table_rows(forms, values))
    start = lines.index("三、收到和处理政府信息公开申请情况")
    end = lines.index("四、政府信息公开行政复议、行政诉讼情况")
    lines[start:end] = _w3m_t3(values, total_left=True)
    report = parse_document(_doc(lines))
    for key in (k for k in values if k.startswith("t3.")):
        assert report.cells[key].flag == FLAG_COLUMN_ORDER, key
    assert not any(k.startswith(("t2.", "t4.")) for k in report.flags())


def test_one_line_t3_header_in_form_order_is_not_flagged() -> None:
    forms = FORMS[0]
    values = _values(forms, 13)
    lines = tabbed(table_rows(forms, values))
    start = lines.index("三、收到和处理政府信息公开申请情况")
    end = lines.index("四、政府信息公开行政复议、行政诉讼情况")
    lines[start:end] = [re.sub(r"\s+", " ", " ".join(_w3m_t3(values)))]
    assert_reads(parse_document(_doc(lines)), values)


# --------------------------------------------------------------------------------------------------------
# Property: labels damaged at random are read right or flagged, never read wrong and sure

_LOOK_ALIKE = "口日目田已己未末人入"
_ALL_LABELS = sorted(
    {
        label
        for table in ("t2", "t3")
        for row in formbook().table(table).rows.values()
        for label in (row.label, row.label_2021)
        if label
    },
    key=lambda s: (-len(s), s),
)


def _damage(text: str, rng: random.Random) -> str:
    """About half the row labels: up to three characters dropped, cut to half, or one character swapped for a
    look-alike."""
    for label in _ALL_LABELS:
        if label not in text or rng.random() < 0.5:
            continue
        chars = list(label)
        kind = rng.randrange(3)
        if kind == 0:
            for _ in range(min(3, len(chars) - 1)):
                del chars[rng.randrange(len(chars))]
        elif kind == 1:
            chars = chars[: max(1, len(chars) // 2)]
        else:
            chars[rng.randrange(len(chars))] = rng.choice(_LOOK_ALIKE)
        text = text.replace(label, "".join(chars), 1)
    return text


def _one_line(rows: list[tuple[str, Row]]) -> list[str]:
    return [re.sub(r"\s+", " ", " ".join(tabbed(rows)))]


DAMAGE_LAYOUTS = {**COUSIN_LAYOUTS, "one_line": (_one_line, False)}


@pytest.mark.parametrize("layout", list(DAMAGE_LAYOUTS))
def test_randomly_damaged_labels_are_read_right_or_flagged(layout: str) -> None:
    render, blanks = DAMAGE_LAYOUTS[layout]
    for seed in range(4):
        for number, forms in enumerate(FORMS):
            values = random_values(forms, seed, blanks)
            text = _damage(_doc(render(table_rows(forms, values))).text, random.Random(seed * 31 + number))
            report = parse_document(SourceDocument(path="damaged.txt", kind="text", text=text))
            flags = report.flags()
            cells = report.cells  # a table too damaged to find is missing, not wrong
            wrong = [k for k, v in values.items() if k in cells and k not in flags and cells[k].value != v]
            assert wrong == [], (seed, number)


# --------------------------------------------------------------------------------------------------------
# A Markdown report on one line: `| |` between two rows looks like an empty cell


def _markdown_one_line(rows: list[tuple[str, Row]]) -> str:
    lines = [cells[0] if tag == "heading" else "| " + " | ".join(cells) + " |" for tag, cells in rows]
    return re.sub(r"\s+", " ", "\n".join([TITLE, *lines, *CLOSING]))


def test_markdown_report_on_one_line_places_t4_by_its_group_totals() -> None:
    forms = FORMS[0]
    values = _values(forms, 14)
    t4 = formbook().table("t4").variants["2019"]
    for group in t4.rows:  # blanks first: the row boundary `| |` before them could pass for one more
        values.update({f"t4.{group}.{c}": None for c in t4.columns})
    values.update({"t4.review.corrected": 1, "t4.review.total": 1, "t4.after_review.pending": 2})
    values["t4.after_review.total"] = 2
    text = _markdown_one_line(table_rows(forms, values))
    assert_reads(parse_document(SourceDocument(path="one.md", kind="text", text=text)), values)


def test_markdown_report_on_one_line_flags_t4_when_its_totals_cannot_place_it() -> None:
    forms = FORMS[0]
    values = _values(forms, 15)
    t4 = formbook().table("t4").variants["2019"]
    for group in t4.rows:
        values.update({f"t4.{group}.{c}": None for c in t4.columns})
    values.update({"t4.review.corrected": 1, "t4.review.total": 5})  # the report's own sum error
    text = _markdown_one_line(table_rows(forms, values))
    report = parse_document(SourceDocument(path="one.md", kind="text", text=text))
    flags = report.flags()
    t4_keys = {k for k in values if k.startswith("t4.")}
    assert set(flags) == t4_keys
    assert {k: c.value for k, c in report.cells.items() if k not in t4_keys} == {
        k: v for k, v in values.items() if k not in t4_keys
    }


def test_tab_header_on_its_own_line_with_total_second_and_a_name_unreadable_is_still_flagged() -> None:
    # Reading order decides only when header and rows share one line; a header line of its own that prints
    # 总计 second (one name unreadable, so its cells cannot be mapped) is real evidence of another order.
    forms = FORMS[0]
    values = _values(forms, 16)
    order = ["natural", "total", *(c for c in COLUMNS if c not in ("natural", "total"))]
    names = {c: T3.columns[c].label for c in COLUMNS} | {"research": "科研"}
    lines = tabbed(table_rows(forms, values))
    start = lines.index("三、收到和处理政府信息公开申请情况")
    end = lines.index("四、政府信息公开行政复议、行政诉讼情况")
    body = [
        "\t".join([T3.rows[r].label, *(str(values[f"t3.{r}.{c}"]) for c in order)])
        for r in T3.variants["2019"].rows
    ]
    lines[start + 1 : end] = ["\t".join(["", *(names[c] for c in order)]), *body]
    report = parse_document(_doc(lines))
    for key in (k for k in values if k.startswith("t3.")):
        assert report.cells[key].flag == FLAG_COLUMN_ORDER, key


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_prose_between_the_t3_heading_and_its_header_stays_prose(layout: str) -> None:
    forms = FORMS[0]
    values = _values(forms, 17)
    lines = LAYOUTS[layout](table_rows(forms, values))
    at = next(i for i, line in enumerate(lines) if "三、收到和处理政府信息公开申请情况" in line)
    lines[at + 1 : at + 1] = ["", *_prose(values)[:1], ""]
    report = parse_document(_doc(lines))
    assert_reads(report, values)
    assert any(f.value == values["t3.new.total"] for f in report.narrative)


def test_a_first_row_whose_label_is_lost_but_values_remain_is_not_read_as_left_out() -> None:
    forms = FORMS[0]
    values = _values(forms, 18)
    lines = tabbed(table_rows(forms, values))
    at = next(i for i, line in enumerate(lines) if line.startswith("一、本年新收"))
    lines[at] = "\t" + lines[at].split("\t", 1)[1]  # the label cell printed empty, the values kept
    report = parse_document(_doc(lines))
    new = {k for k in values if k.startswith("t3.new.")}
    flags = report.flags()
    assert new <= set(flags)
    assert not any("没有以下行" in note for note in report.notes)  # not read as a row left out
    assert {k: c.value for k, c in report.cells.items() if k not in flags} == {
        k: v for k, v in values.items() if k not in flags
    }


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("forms", [FORMS[0], FORMS[2]], ids=["2019", "2021"])
def test_prose_with_figures_between_the_t2_heading_and_its_table(layout: str, forms: dict[str, str]) -> None:
    values = _values(forms, 19)
    lines = LAYOUTS[layout](table_rows(forms, values))
    at = next(i for i, line in enumerate(lines) if "二、主动公开政府信息情况" in line)
    lines[at + 1 : at + 1] = [
        "",
        "本年制发规章2件、行政规范性文件5件，办理行政许可事项30件、行政处罚4件、行政强制1件。",
        "",
    ]
    report = parse_document(_doc(lines))
    assert report.forms == forms
    assert_reads(report, values)


@pytest.mark.parametrize("layout", ["cell_per_line", "one_line"])
def test_a_value_ending_in_3_before_a_label_that_lost_its_ordinal_is_not_the_3_other_row(layout: str) -> None:
    # `13` then `.其他法律行政法规禁止公开` (its 2 lost) must not read as the 2021 row 3.其他.
    forms = FORMS[2]
    values = _values(forms, 20)
    values["t3.deny_secret.total"] = 13
    rows = _relabel(table_rows(forms, values), {"t3.deny_law": ".其他法律行政法规禁止公开"})
    render = cell_per_line if layout == "cell_per_line" else _one_line
    assert_reads(parse_document(_doc(render(rows))), values)
