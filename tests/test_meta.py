"""Agency, statistics year and publication date from real titles, header lines and signature blocks."""

from __future__ import annotations

import pytest

from gikai_desk.parse.meta import Metadata, read_metadata
from tests.conftest import corpus_path, seed_path


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("000", Metadata("泉州市人民政府信访局", 2019, "2020-01-19")),
        ("001", Metadata("内蒙古自治区信访局", 2019, "2020-01-10")),
        ("002", Metadata("泉州市丰泽区", 2019, "2020-01-10")),
        ("003", Metadata("佳木斯市民政局", 2019, "2020-01-22")),
        ("004", Metadata("周口市信访局", 2021, None)),
    ],
)
def test_seeds(prefix: str, expected: Metadata) -> None:
    text = seed_path(prefix).read_text(encoding="utf-8")
    assert read_metadata(text) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pingtan-2019.txt", Metadata("平潭综合实验区", 2019, "2020-01-20")),
        ("pingtan-2021.txt", Metadata("平潭综合实验区", 2021, "2022-02-08")),
    ],
)
def test_corpus_pages(name: str, expected: Metadata) -> None:
    assert read_metadata(corpus_path(name).read_text(encoding="utf-8")) == expected


@pytest.mark.parametrize(
    ("title", "agency", "year"),
    [
        ("泉州市人民政府信访局关于2019年度泉州市信访局政府信息公开工作年度报告", "泉州市人民政府信访局", 2019),
        ("周口市信访局2021年政府信息公开工作年度报告", "周口市信访局", 2021),
        ("平潭综合实验区2019年度政府信息公开工作年度报告", "平潭综合实验区", 2019),
        ("标题: 平潭综合实验区2021年度政府信息公开工作年度报告", "平潭综合实验区", 2021),
        ("2019年度泉州市信访局政府信息公开工作年度报告", "泉州市信访局", 2019),
        ("佳木斯市民政局2019年政府信息\n公开工作年度报告", "佳木斯市民政局", 2019),
        ("淮安市人民政府\n2024 年政府信息公开工作年度报告", "淮安市人民政府", 2024),
        ("某市人民政府办公室关于印发某市2020年政府信息公开工作年度报告的通知", "某市", 2020),
    ],
)
def test_titles(title: str, agency: str, year: int) -> None:
    meta = read_metadata(title + "\n一、总体情况\n正文……")
    assert (meta.agency, meta.year) == (agency, year)


def test_organ_named_in_prose_and_expanded_to_its_full_name() -> None:
    text = (
        "现将自治区信访局2019年政务信息公开工作报告如下。\n一、总体情况\n"
        "重新修订《内蒙古自治区信访局政府信息公开指南》。\n"
    )
    assert read_metadata(text).agency == "内蒙古自治区信访局"


def test_signature_block_dates() -> None:
    body = "某某县人民政府2020年政府信息公开工作年度报告\n正文。\n"
    assert read_metadata(body + "某某县人民政府\n2021年1月20日\n").published == "2021-01-20"
    assert read_metadata(body + "某某县人民政府\n二〇二一年一月二十日\n").published == "2021-01-20"
    # garbled: the 年/月/日 characters were lost; a unique reading is accepted
    assert read_metadata(body + "某某县人民政府\n202017\n").published == "2020-01-07"
    # two readings (2020-1-11 and 2020-11-1): not guessed
    assert read_metadata(body + "某某县人民政府\n2020111\n").published is None


def test_signature_names_the_organ_when_there_is_no_title() -> None:
    text = "一、总体情况\n本报告所列数据的统计期限自2020年1月1日起至2020年12月31日止。\n……\n某某市民政局\n2021年1月15日\n"
    assert read_metadata(text) == Metadata("某某市民政局", 2020, "2021-01-15")


def test_header_publication_time_beats_generation_date() -> None:
    text = "公文生成日期:2020-01-02\n某区2019年政府信息公开工作年度报告\n时间:2020-01-10 09:41\n"
    assert read_metadata(text).published == "2020-01-10"
    assert read_metadata("发布时间: 2020-01-20 15:22\n").published == "2020-01-20"


def test_garbled_prose_year_is_not_a_year() -> None:
    text = "某市信访局2019年度政府信息公开工作年度报告\n20191月机构改革后，我局调整为市政府工作部门。\n"
    assert read_metadata(text).year == 2019


def test_nothing_to_read() -> None:
    assert read_metadata("") == Metadata()
    assert read_metadata("这是一段与年报无关的文字。") == Metadata()
