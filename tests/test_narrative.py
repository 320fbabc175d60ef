"""Figures read from the prose: the real sentences of DOMAIN.md and the seeds, and sentences that must give nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from gikai_desk.parse.narrative import LITIGATION_TOTAL_KEY, read_narrative
from gikai_desk.rules import LITIGATION_TOTAL_KEY as RULES_LITIGATION_KEY
from tests.conftest import seed_path


def figures(text: str, year: int | None = 2024) -> list[tuple[str, int]]:
    return [(f.key, int(f.value)) for f in read_narrative(text, [], year=year)]


def test_huaian_sentence() -> None:
    text = (
        "2024 年，全市共受理政府信息公开申请 3119 件，答复 3050 件（含上年度结转申请 34 件，另有 103 件顺延到下年度"
        "答复），均在法定期限内予以答复。政府信息公开行政复议 351 件，其中结果维持 72 件，结果纠正 64 件，其他结果"
        " 178 件，尚未审结 37 件；政府信息公开行政诉讼 46 件，其中结果维持 25 件，结果纠正 5 件。"
    )
    assert figures(text) == [
        ("t3.new.total", 3119),
        ("t3.carried_in.total", 34),
        ("t3.carried_out.total", 103),
        ("t4.review.total", 351),
        (LITIGATION_TOTAL_KEY, 46),
    ]


def test_line_breaks_inside_a_phrase_as_in_pdf_text() -> None:
    text = "全市共受理政府信息公开申请 3119 件，答\n复 3050 件。政府信息公开行政复议 351\n件，其中结果维持 72 件。"
    found = read_narrative(text, [], year=2024)
    assert [(f.key, f.value) for f in found] == [("t3.new.total", 3119), ("t4.review.total", 351)]
    review = found[1]
    assert text[review.span[0] : review.span[1]] == review.text == "行政复议 351\n件"


def test_second_domain_sentence() -> None:
    text = (
        "累计接收政府信息公开申请 29130件，办结27006件（含上年度结转申请1400件，另有2124件申请因需补正顺延到下年度答复）。"
        "全年行政诉讼立案731件，其中，未经复议直接起诉442件，复议后起诉289件。"
    )
    assert figures(text) == [
        ("t3.new.total", 29130),
        ("t3.carried_in.total", 1400),
        ("t3.carried_out.total", 2124),
        (LITIGATION_TOTAL_KEY, 731),
        ("t4.direct.total", 442),
        ("t4.after_review.total", 289),
    ]
    assert LITIGATION_TOTAL_KEY == RULES_LITIGATION_KEY


def test_seed_002_sentence_and_its_part() -> None:
    text = (
        "2019年度，区政府各级各部门共收到政府信息公开申请45件，其中区政府本级17件，各街道办事处、区直各单位共38件。"
        "从办理结果来看，“予以公开”的11件；结转下年度继续办理的3件。"
    )
    assert figures(text, year=2019) == [("t3.new.total", 45), ("t3.carried_out.total", 3)]


@pytest.mark.parametrize(
    "text",
    [
        "其中区政府本级17件。",
        "2018年共收到政府信息公开申请30件。",
        "去年共受理政府信息公开申请20件。",
        "收到政府信息公开申请数量较上年增加10件。",
        "通过网上收到申请5件。",
        "没有收到行政复议或投诉。",
        "1条正在进行行政复议，为结果纠正。",
        "收到申请人补正材料3件。",
        "因政府信息公开申请行政复议、提起行政诉讼的情况",
        "行政复议决定维持2件。",
        "申请户外广告设置许可证783条。",
        "按要求更新市长信箱选登信访件44152件。",
    ],
)
def test_sentences_that_map_to_nothing(text: str) -> None:
    assert figures(text, year=2019) == []


def test_a_part_after_the_total_is_not_a_total() -> None:
    text = "共收到政府信息公开申请45件，其中区政府本级受理申请17件。"
    assert figures(text, year=2019) == [("t3.new.total", 45)]


def test_full_width_digits_and_thousands_separator() -> None:
    assert figures("全年共受理政府信息公开申请４５件。", year=2019) == [("t3.new.total", 45)]
    assert figures("全年共受理政府信息公开申请3,119件。", year=2019) == [("t3.new.total", 3119)]


def test_number_before_the_word_applications() -> None:
    text = "本年度全区共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理。"
    assert figures(text, year=2021) == [("t3.new.total", 70), ("t3.carried_out.total", 1)]


def test_figures_inside_tables_are_ignored() -> None:
    prose = "共收到政府信息公开申请12件。\n"
    table = "一、本年新收政府信息公开申请数量\t5\t0\t0\t0\t0\t0\t5\n行政复议案件3件\n"
    text = prose + table + "收到申请7件。"
    found = read_narrative(text, [(len(prose), len(prose) + len(table))], year=2019)
    assert [(f.key, f.value) for f in found] == [("t3.new.total", 12), ("t3.new.total", 7)]


def _table_span(text: str) -> list[tuple[int, int]]:
    """The tables of a seed lie between part 二 and part 五 (the parser gives exact spans)."""
    start = text.find("二、主动公开政府信息情况")
    end = text.find("五、存在的主要问题")
    return [(start, end)] if 0 <= start < end else []


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("000", []),
        ("001", [("t3.new.total", 11)]),
        ("002", [("t3.new.total", 45), ("t3.carried_out.total", 3)]),
        ("003", [("t3.new.total", 6)]),
        ("004", []),
    ],
)
def test_seeds(prefix: str, expected: list[tuple[str, int]]) -> None:
    path: Path = seed_path(prefix)
    text = path.read_text(encoding="utf-8")
    found = read_narrative(text, _table_span(text))
    assert [(f.key, f.value) for f in found] == expected
    for item in found:
        assert text[item.span[0] : item.span[1]] == item.text


def test_year_is_read_from_the_document_when_not_given() -> None:
    text = "某区2019年政府信息公开工作年度报告\n2018年共收到申请30件。2019年共收到政府信息公开申请45件。"
    assert [(f.key, f.value) for f in read_narrative(text, [])] == [("t3.new.total", 45)]
