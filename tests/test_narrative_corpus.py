"""A corpus of prose sentences as agencies write them (made-up figures), each with exactly what must be read."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gikai_desk.parse.narrative import LITIGATION_TOTAL_KEY, read_narrative

NEW = "t3.new.total"
CARRIED_IN = "t3.carried_in.total"
CARRIED_OUT = "t3.carried_out.total"
REVIEW = "t4.review.total"
LITIGATION = LITIGATION_TOTAL_KEY
DIRECT = "t4.direct.total"
AFTER_REVIEW = "t4.after_review.total"

Expected = list[tuple[str, int]]

# (sentence, expected figures in text order); the report's statistics year is 2021 throughout.
APPLICATIONS: list[tuple[str, Expected]] = [
    ("本年度共收到政府信息公开申请128件、同比增长15%。", [(NEW, 128)]),
    ("2021年，我局共收到政府信息公开申请36件，同比增长12.5%。", [(NEW, 36)]),
    ("全年受理依申请公开52件，其中当面申请10件、网上申请37件、信函申请5件。", [(NEW, 52)]),
    ("共办理政府信息公开申请47件（含上年结转3件），均在法定期限内答复。", [(NEW, 47), (CARRIED_IN, 3)]),
    ("全年收到申请58件，办结55件，结转下年度3件。", [(NEW, 58), (CARRIED_OUT, 3)]),
    ("全年收到申请58件，办结55件。", [(NEW, 58)]),
    ("市政务服务中心进驻部门46个。全年共受理申请12000件，办结12000件。", []),
    ("政务服务中心全年共受理申请12000件，办结12000件。", []),
    ("依申请公开方面，市政务服务中心全年共受理申请1200件。", []),
    ("共收到政府信息公开申请61件，较去年减少9件。", [(NEW, 61)]),
    ("2021年共收到政府信息公开申请50件，2020年收到42件。", [(NEW, 50)]),
    ("2020年收到政府信息公开申请42件。", []),
    ("全市共受理政府信息公开申请500件，其中市本级收到120件，各县区收到380件。", [(NEW, 500)]),
    ("市本级共受理政府信息公开申请120件。", []),
    ("各县（市、区）共受理政府信息公开申请380件。", []),
    ("自2008年条例施行以来累计受理政府信息公开申请1200件。", []),
    ("条例施行以来，我局累计受理政府信息公开申请860件。", []),
    ("截至2021年底，累计收到政府信息公开申请1200件。", []),
    ("近三年共收到政府信息公开申请150件。", []),
    ("全年共收到政府信息公开申请三件，均已按期答复。", [(NEW, 3)]),
    ("本年度收到依申请公开十二件。", [(NEW, 12)]),
    ("全年共受理政府信息公开申请二十五件。", [(NEW, 25)]),
    ("本年度共收到政府信息公开申请一百零五件。", [(NEW, 105)]),
    ("全年收到政府信息公开申请45件次。", [(NEW, 45)]),
    ("共收到和处理信息公开申请共11条。", [(NEW, 11)]),
    ("收到政府信息公开申请书12份。", [(NEW, 12)]),
    ("本年度新收政府信息公开申请40件，上年结转5件，共计45件。", [(NEW, 40), (CARRIED_IN, 5)]),
    ("对疑难申请采取会商方式，提升依申请公开答复质量。本年度全区共收到70件申请，及时办结69件。",
     [(NEW, 70)]),
    ("本年度全区共收到70件申请，及时依法依规办结69件。", [(NEW, 70)]),
    ("全年共受理公民、法人和其他组织提出的政府信息公开申请88件。", [(NEW, 88)]),
    ("共接收政府信息公开申请数量为31件。", [(NEW, 31)]),
    ("全年受理依申请公开政府信息事项27件。", [(NEW, 27)]),
    ("共收到并办结政府信息公开申请19件。", [(NEW, 19)]),
    ("全年通过网上平台、信函等渠道共收到政府信息公开申请45件。", [(NEW, 45)]),
    ("通过信函方式收到政府信息公开申请5件。", []),
    ("其中网上受理申请30件。", []),
    ("全年受理行政许可申请783件，办结780件。", []),
    ("受理城乡低保申请1200件。", []),
    ("收到群众来信120件，收到人大建议15件、政协提案20件。", []),
    ("积极回应社会关切28次，涉及申请人35人。", []),
    ("收到申请人补正材料3件。", []),
    ("共收到政府信息公开申请较上年增加10件。", []),
    ("收到政府信息公开申请100余件。", []),
    ("收到政府信息公开申请数十件。", []),
    ("全年共办理依申请公开45件，均按时答复。", []),
    ("全年答复政府信息公开申请45件。", []),
    ("受理政府信息公开申请45人次。", []),
    ("2021年，全县共受理政府信息公开申请１２件。", [(NEW, 12)]),
    ("全年共受理政府信息公开申请3,119件。", [(NEW, 3119)]),
    ("上年度共收到政府信息公开申请30件。", []),
    ("本年度我局共收到政府信息公开申请45件（其中当面申请5件，网络申请40件）。", [(NEW, 45)]),
    ("全年共受理政府信息公开申请45件，比2020年增加10件。", [(NEW, 45)]),
    ("与上年相比，今年共收到政府信息公开申请45件。", [(NEW, 45)]),
    ("其中，市政府办公室收到政府信息公开申请12件。", []),
    ("全年依申请公开信息45条。", []),
    ("受理政府信息公开申请的数量较上年有所增加。", []),
    ("收到政府信息公开申请45件，其中自然人申请40件，法人或其他组织申请5件。", [(NEW, 45)]),
    ("共收到依申请公开申请45件。", [(NEW, 45)]),
    ("收到涉及土地征收的政府信息公开申请20件。", []),
    ("接收政府信息公开申请表45份。", [(NEW, 45)]),
    ("共受理政府信息公开申请事项45项。", [(NEW, 45)]),
    ("全年收到人大代表建议和政协委员提案共25件，接收政府信息公开咨询120人次。", []),
    ("2021年，我局收到政府信息公开申请30件；截至2022年1月，共收到政府信息公开申请3件。", [(NEW, 30)]),
    ("全年接收申请公开政府信息的来信12件。", []),
    ("与2020年相比，共收到政府信息公开申请增加8件。", []),
]

CARRIED: list[tuple[str, Expected]] = [
    ("全年共收到申请40件（含上年度结转申请2件）。", [(NEW, 40), (CARRIED_IN, 2)]),
    ("2021年度，共新收政府信息公开申请45件，上年结转政府信息公开申请3件。", [(NEW, 45), (CARRIED_IN, 3)]),
    ("上年结转申请3件已全部办结。", [(CARRIED_IN, 3)]),
    ("结转下年度继续办理0件。", [(CARRIED_OUT, 0)]),
    ("收到申请45件结转下年度3件。", [(NEW, 45), (CARRIED_OUT, 3)]),
    ("共收到政府信息公开申请45件，其中3件结转下年度办理。", [(NEW, 45), (CARRIED_OUT, 3)]),
    ("建立健全一条龙服务机制，结转下年度办理。", []),
    ("共收到申请45件，无结转下年度的申请。", [(NEW, 45)]),
    ("上一年度结转的申请4件已全部办结。", [(CARRIED_IN, 4)]),
    ("上年结转至本年度办理的申请3件均已答复。", [(CARRIED_IN, 3)]),
    ("办结69件，1件结转下年度继续办理。", [(CARRIED_OUT, 1)]),
    ("结转至下一年度办理3件。", [(CARRIED_OUT, 3)]),
    ("另有5件申请因需补正顺延到下年度答复。", [(CARRIED_OUT, 5)]),
    ("2件申请延期至2022年答复。", [(CARRIED_OUT, 2)]),
    ("延期至2022年答复的申请2件。", [(CARRIED_OUT, 2)]),
    ("结转到2022年度继续办理的申请4件。", [(CARRIED_OUT, 4)]),
    ("按规定顺延至下一年度的申请2件。", [(CARRIED_OUT, 2)]),
    ("依法延期答复3件。", []),
    ("另有3件顺延办理。", []),
    ("结转下年度的申请较上年减少2件。", []),
    ("2020年结转至2021年的申请5件。", []),
    ("（含2020年度结转申请6件）", [(CARRIED_IN, 6)]),
    ("共办理申请50件，其中上年结转3件。", [(CARRIED_IN, 3)]),
    ("市本级结转下年度办理2件。", []),
]

REVIEWS: list[tuple[str, Expected]] = [
    ("全年发生行政复议3起，行政诉讼1起。", [(REVIEW, 3), (LITIGATION, 1)]),
    ("因政府信息公开被申请行政复议4件、行政诉讼2件。", [(REVIEW, 4), (LITIGATION, 2)]),
    ("因政府信息公开被提起行政复议和行政诉讼各1件。", [(REVIEW, 1), (LITIGATION, 1)]),
    ("本年度因政府信息公开引起行政复议、行政诉讼各2件。", [(REVIEW, 2), (LITIGATION, 2)]),
    ("未发生因政府信息公开引起的行政复议、行政诉讼。", [(REVIEW, 0), (LITIGATION, 0)]),
    ("2021年，我局未发生因政府信息公开引起的行政复议和行政诉讼案件。", [(REVIEW, 0), (LITIGATION, 0)]),
    ("全年无政府信息公开行政复议、行政诉讼案件。", [(REVIEW, 0), (LITIGATION, 0)]),
    ("本年度未发生因政府信息公开申请行政复议、提起行政诉讼的情况。", [(REVIEW, 0), (LITIGATION, 0)]),
    ("未发生因政府信息公开引起的行政诉讼。", [(LITIGATION, 0)]),
    ("2020年未发生因政府信息公开引起的行政复议、行政诉讼。", []),
    ("未发生行政复议被纠错的情况。", []),
    ("未发生行政复议、行政诉讼败诉情况。", []),
    ("未发生败诉的行政复议和行政诉讼案件。", []),
    ("没有收到行政复议或投诉。", []),
    ("行政复议决定维持2件，纠错1件。", []),
    ("复议维持3件。", []),
    ("行政复议纠错1件。", []),
    ("经行政复议维持2件。", []),
    ("行政复议结果维持2件。", []),
    ("行政复议和行政诉讼共5件。", []),
    ("行政诉讼和行政复议案件3件。", []),
    ("政府信息公开行政复议351件，其中结果维持72件。", [(REVIEW, 351)]),
    ("因政府信息公开收到行政复议申请2件。", []),
    ("办理涉及政府信息公开的行政复议案件3件。", []),
    ("代理行政诉讼案件12件。", []),
    ("被提起行政诉讼2起，均在审理中。", [(LITIGATION, 2)]),
    ("发生政府信息公开行政复议案件3件、行政诉讼案件2件。", [(REVIEW, 3), (LITIGATION, 2)]),
    ("行政复议3件，比上年增加1件。", [(REVIEW, 3)]),
    ("行政复议0件，行政诉讼0件。", [(REVIEW, 0), (LITIGATION, 0)]),
    ("本年度政府信息公开行政复议、行政诉讼数量均为0。", [(REVIEW, 0), (LITIGATION, 0)]),
    ("未因政府信息公开引发行政复议和行政诉讼。", [(REVIEW, 0), (LITIGATION, 0)]),
    ("无行政复议和行政诉讼。", [(REVIEW, 0), (LITIGATION, 0)]),
    ("未发生行政诉讼案件，发生行政复议1件。", [(LITIGATION, 0), (REVIEW, 1)]),
    ("对无法提供的申请答复后被申请行政复议。", []),
    ("收到行政复议决定书2份。", []),
    ("行政复议申请人3人。", []),
    ("本年度未发生因政府信息公开引起的行政复议、行政诉讼等情况。", [(REVIEW, 0), (LITIGATION, 0)]),
    ("行政复议和行政诉讼均为一审维持。", []),
    ("将行政复议与行政诉讼一起研究部署。", []),
    ("把行政诉讼一起纳入考核。", []),
    ("行政复议、行政诉讼均为零", [(REVIEW, 0), (LITIGATION, 0)]),
    ("行政复议一件，行政诉讼两起。", [(REVIEW, 1), (LITIGATION, 2)]),
    ("行政复议、行政诉讼各1件，均为结果维持。", [(REVIEW, 1), (LITIGATION, 1)]),
    ("收到行政复议申请2件。", []),
    ("全年共受理行政复议申请256件，其中涉及政府信息公开的3件。", []),
    ("全年办理行政复议案件120件。", []),
    ("全年行政诉讼立案731件，其中，未经复议直接起诉442件，复议后起诉289件。",
     [(LITIGATION, 731), (DIRECT, 442), (AFTER_REVIEW, 289)]),
    ("因政府信息公开引起的行政复议、行政诉讼案件共5件，其中行政复议3件、行政诉讼2件。", []),
    ("上年度行政复议2件。", []),
    ("市本级行政复议3件。", []),
    ("发生行政复议两起。", [(REVIEW, 2)]),
    ("因政府信息公开申请行政复议、提起行政诉讼的情况", []),
]

CASES = [
    pytest.param(text, expected, id=f"{group}-{index:02d}")
    for group, cases in (("apply", APPLICATIONS), ("carry", CARRIED), ("review", REVIEWS))
    for index, (text, expected) in enumerate(cases)
]


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 80


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_sentence(text: str, expected: Expected) -> None:
    found = read_narrative(text, [], year=2021)
    assert [(f.key, f.value) for f in found] == expected
    for figure in found:
        assert text[figure.span[0] : figure.span[1]] == figure.text


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_sentence_inside_a_paragraph_with_line_breaks(text: str, expected: Expected) -> None:
    """The same sentence after an unrelated one, broken over lines as in PDF text, reads the same."""
    lead = "（二）依申请公开情况。我局高度重视这项工作。\n"
    broken = "\n".join(text[i : i + 9] for i in range(0, len(text), 9))
    found = read_narrative(lead + broken, [], year=2021)
    assert [(f.key, f.value) for f in found] == expected
    for figure in found:
        assert (lead + broken)[figure.span[0] : figure.span[1]] == figure.text


FRAGMENTS = [
    "收到", "受理", "办理", "政府信息公开", "依", "申请", "公开", "件", "起", "条", "个", "各", "均为", "无", "未发生",
    "行政复议", "行政诉讼", "、", "和", "，", "。", "（含", "上年度", "结转", "下年度", "顺延到", "延期至", "2022年",
    "2020年", "其中", "本级", "共", "三", "十二", "一百零五", "两", "零", "一", "45", "3,119", "０", " ", "\n",
    "未经复议直接起诉", "复议后起诉", "较上年", "以来", "第", "被申请", "因政府信息公开引起的", "的情况",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_any_mixture_of_the_words_reads_safely(parts: list[str]) -> None:
    """Never an exception; every figure a whole number >= 0 with its exact span, never two on one span for one key."""
    text = "".join(parts)
    found = read_narrative(text, [], year=2021)
    for figure in found:
        assert isinstance(figure.value, int) and figure.value >= 0
        assert text[figure.span[0] : figure.span[1]] == figure.text
    assert len({(f.key, f.span) for f in found}) == len(found)
