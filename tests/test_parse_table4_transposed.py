"""A transposed 表四 (one row per group: label, then five values) is read cell for cell in every layout."""

from __future__ import annotations

import pytest

from gikai_desk.forms import formbook
from gikai_desk.ingest import SourceDocument
from gikai_desk.model import Number, Report
from gikai_desk.parse import parse_document

COLUMN_WORDS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
GROUP_LABELS = {
    "review": "行政复议",
    "direct": "行政诉讼（未经复议直接起诉）",
    "after_review": "行政诉讼（复议后起诉）",
}
SHORT_LABELS = {"review": "行政复议", "direct": "未经复议直接起诉", "after_review": "复议后起诉"}
VALUES: dict[str, list[Number | None]] = {
    "review": [1, 0, 0, 1, 2],
    "direct": [0, 0, 1, 0, 1],
    "after_review": [3, 1, 0, 2, 6],
}
HEADING = "四、政府信息公开行政复议、行政诉讼情况"


def _fmt(value: Number | None) -> str:
    return "" if value is None else str(value)


def _row_line(cells: list[str], layout: str) -> list[str]:
    if layout == "tab":
        return ["\t".join(cells)]
    if layout == "markdown":
        return ["| " + " | ".join(cells) + " |"]
    if layout == "pipe":
        return [f"{c} |" if c else "|" for c in cells]
    return [c for c in cells if c] or [""]  # cell per line: empty cells vanish


def _t3_tab() -> list[str]:
    """A small 表三 (2019 form, TAB grid, all zeros) so the document is a report."""
    t3 = formbook().table("t3")
    variant = t3.variants["2019"]
    lines = [
        "三、收到和处理政府信息公开申请情况",
        "\t".join(["", "", *(t3.columns[c].label for c in variant.columns)]),
    ]
    for row in variant.rows:
        lines.append("\t".join([t3.rows[row].label, *("0" for _ in variant.columns)]))
    return lines


def _document(t4_lines: list[str]) -> str:
    lines = ["某县人民政府办公室2020年政府信息公开工作年度报告", "一、总体情况", "本年度工作有序开展。"]
    lines += _t3_tab()
    lines += t4_lines
    lines += ["五、存在的主要问题及改进情况", "公开意识有待加强。"]
    return "\n".join(lines) + "\n"


def transposed_t4(
    layout: str,
    values: dict[str, list[Number | None]] = VALUES,
    labels: dict[str, str] = GROUP_LABELS,
    drop: tuple[str, int] | None = None,
) -> list[str]:
    lines = [HEADING]
    lines += _row_line(["", *COLUMN_WORDS], layout)
    for group, label in labels.items():
        cells = [_fmt(v) for v in values[group]]
        if drop is not None and drop[0] == group:
            del cells[drop[1]]
        lines += _row_line([label, *cells], layout)
    return lines


def _parse(text: str) -> tuple[Report, str]:
    report = parse_document(SourceDocument(path="t4.txt", kind="text", text=text))
    return report, report.text


def _assert_read(report: Report, values: dict[str, list[Number | None]]) -> None:
    t4 = formbook().table("t4")
    columns = t4.variants["2019"].columns
    for group, vals in values.items():
        for col, value in zip(columns, vals, strict=True):
            cell = report.cells[f"t4.{group}.{col}"]
            assert cell.value == value, (cell.key, cell.value, value)
            assert cell.sure, (cell.key, cell.flag)
            for start, end in cell.spans:
                assert report.text[start:end] == cell.raw


@pytest.mark.parametrize("layout", ["tab", "markdown", "pipe", "lines"])
@pytest.mark.parametrize("labels", [GROUP_LABELS, SHORT_LABELS], ids=["prefixed", "short"])
def test_transposed_t4_read_cell_for_cell(layout: str, labels: dict[str, str]) -> None:
    report, _ = _parse(_document(transposed_t4(layout, labels=labels)))
    _assert_read(report, VALUES)
    assert set(k for k in report.cells if k.startswith("t4.")) == {
        f"t4.{g}.{c}" for g in VALUES for c in formbook().table("t4").variants["2019"].columns
    }


def test_transposed_t4_with_blank_cells_in_tab_grid() -> None:
    values: dict[str, list[Number | None]] = {
        "review": [1, None, 0, 1, 2],
        "direct": [0, 0, 1, 0, 1],
        "after_review": [None, None, None, None, None],
    }
    report, _ = _parse(_document(transposed_t4("tab", values=values)))
    _assert_read(report, values)


def test_transposed_t4_with_separate_group_line() -> None:
    lines = [HEADING, "\t" + "\t".join(COLUMN_WORDS), "行政复议\t1\t0\t0\t1\t2", "行政诉讼"]
    lines += ["未经复议直接起诉\t0\t0\t1\t0\t1", "复议后起诉\t3\t1\t0\t2\t6"]
    report, _ = _parse(_document(lines))
    _assert_read(report, VALUES)


def test_transposed_t4_spaced_values_on_label_line() -> None:
    lines = [HEADING, "      ".join(COLUMN_WORDS)]
    lines += [f"{GROUP_LABELS[g]}   " + "   ".join(str(v) for v in VALUES[g]) for g in VALUES]
    report, _ = _parse(_document(lines))
    _assert_read(report, VALUES)


@pytest.mark.parametrize("layout", ["tab", "markdown", "pipe", "lines"])
@pytest.mark.parametrize("position", [0, 2, 4])
def test_transposed_t4_row_that_lost_a_value_is_flagged_not_shifted(layout: str, position: int) -> None:
    report, _ = _parse(_document(transposed_t4(layout, drop=("direct", position))))
    columns = formbook().table("t4").variants["2019"].columns
    for col in columns:
        cell = report.cells[f"t4.direct.{col}"]
        assert not cell.sure and cell.flag, cell.key
    # The other groups are untouched: nothing shifted into or out of them.
    _assert_read(report, {g: VALUES[g] for g in ("review", "after_review")})
    assert any("表四" in note and "未经复议直接起诉" in note for note in report.notes)


def test_transposed_t4_missing_group_row_is_flagged() -> None:
    lines = [HEADING, "\t" + "\t".join(COLUMN_WORDS), "行政复议\t1\t0\t0\t1\t2", "复议后起诉\t3\t1\t0\t2\t6"]
    report, _ = _parse(_document(lines))
    _assert_read(report, {g: VALUES[g] for g in ("review", "after_review")})
    for col in formbook().table("t4").variants["2019"].columns:
        cell = report.cells[f"t4.direct.{col}"]
        assert not cell.sure and cell.value is None


@pytest.mark.parametrize("layout", ["tab", "lines"])
def test_header_words_of_transposed_form_with_values_in_official_run(layout: str) -> None:
    """The header names every group (transposed-looking header), then one run of fifteen values: the
    official layout, read in form order."""
    lines = [HEADING]
    lines += _row_line(["", *COLUMN_WORDS], layout)
    lines += _row_line(list(GROUP_LABELS.values()), layout)
    flat = [_fmt(v) for g in ("review", "direct", "after_review") for v in VALUES[g]]
    lines += _row_line(flat, layout)
    report, _ = _parse(_document(lines))
    _assert_read(report, VALUES)


def test_official_layout_still_one_run_of_fifteen() -> None:
    lines = [HEADING, "行政复议\t行政诉讼", "\t".join(COLUMN_WORDS)]
    lines += ["\t".join(["未经复议直接起诉", "复议后起诉"]), "\t".join(COLUMN_WORDS * 2)]
    lines += ["\t".join(_fmt(v) for g in ("review", "direct", "after_review") for v in VALUES[g])]
    report, _ = _parse(_document(lines))
    _assert_read(report, VALUES)


def test_official_layout_followed_by_prose_naming_groups() -> None:
    """Prose after an official 表四 that names 直接起诉 with a figure is not a transposed row."""
    lines = [HEADING, "行政复议\t行政诉讼", "\t".join(COLUMN_WORDS)]
    lines += ["\t".join(["未经复议直接起诉", "复议后起诉"]), "\t".join(COLUMN_WORDS * 2)]
    lines += ["\t".join(_fmt(v) for g in ("review", "direct", "after_review") for v in VALUES[g])]
    lines += ["本年度行政复议2件，未经复议直接起诉1件，复议后起诉6件。"]
    report, _ = _parse(_document(lines))
    _assert_read(report, VALUES)


@pytest.mark.parametrize("layout", ["tab", "markdown", "pipe"])
def test_transposed_t4_with_blank_leading_rows_in_grids(layout: str) -> None:
    values: dict[str, list[Number | None]] = {
        "review": [None] * 5,
        "direct": [None] * 5,
        "after_review": [3, 1, 0, 2, 6],
    }
    report, _ = _parse(_document(transposed_t4(layout, values=values)))
    _assert_read(report, values)


@pytest.mark.parametrize("layout", ["markdown", "pipe"])
def test_header_words_then_official_run_in_pipe_layouts(layout: str) -> None:
    lines = [HEADING]
    lines += _row_line(["", *COLUMN_WORDS], layout)
    lines += _row_line(list(GROUP_LABELS.values()), layout)
    lines += _row_line([_fmt(v) for g in ("review", "direct", "after_review") for v in VALUES[g]], layout)
    report, _ = _parse(_document(lines))
    _assert_read(report, VALUES)


def test_transposed_t4_glued_row_is_flagged_not_split() -> None:
    lines = [HEADING, "\t" + "\t".join(COLUMN_WORDS)]
    lines += ["行政复议\t1\t0\t0\t1\t2", "未经复议直接起诉00101", "复议后起诉\t3\t1\t0\t2\t6"]
    report, _ = _parse(_document(lines))
    _assert_read(report, {g: VALUES[g] for g in ("review", "after_review")})
    for col in formbook().table("t4").variants["2019"].columns:
        assert not report.cells[f"t4.direct.{col}"].sure


def test_transposed_t4_from_an_html_table() -> None:
    from gikai_desk.ingest.html import read_html
    from gikai_desk.limits import Limits

    rows = [["", *COLUMN_WORDS], *([GROUP_LABELS[g], *(_fmt(v) for v in VALUES[g])] for g in VALUES)]
    t4_html = (
        "<table>"
        + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
        + "</table>"
    )
    t3 = "".join(f"<p>{line}</p>" for line in _t3_tab()[:1])
    t3 += (
        "<table>"
        + "".join(
            "<tr>" + "".join(f"<td>{c}</td>" for c in line.split("\t")) + "</tr>" for line in _t3_tab()[1:]
        )
        + "</table>"
    )
    html = f"<html><body><p>报告</p>{t3}<p>{HEADING}</p>{t4_html}<p>五、存在的主要问题</p></body></html>"
    doc = read_html(html.encode("utf-8"), "t4.html", Limits())
    report = parse_document(doc)
    _assert_read(report, VALUES)
