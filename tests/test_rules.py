"""Rules on hand-built reports: pass, fail with the settling value, blanks as 0, cannot-check, incremental re-check."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gikai_desk.forms import formbook
from gikai_desk.model import Cell, NarrativeFigure, Number, Report, Violation
from gikai_desk.rules import LITIGATION_TOTAL_KEY, RuleEngine, check, check_cross_year

FORMS_2019 = {"t2": "2019", "t3": "2019", "t4": "2019"}
FORMS_2021 = {"t2": "2021", "t3": "2021", "t4": "2021"}

# A consistent 表三/表四: every 勾稽关系 holds.
CONSISTENT: dict[str, Number] = {
    "t3.new.natural": 8, "t3.new.commercial": 2, "t3.new.total": 10,
    "t3.granted.natural": 6, "t3.granted.total": 6,
    "t3.partial.commercial": 2, "t3.partial.total": 2,
    "t3.unable_no_info.natural": 1, "t3.unable_no_info.total": 1,
    "t3.total.natural": 7, "t3.total.commercial": 2, "t3.total.total": 9,
    "t3.carried_out.natural": 1, "t3.carried_out.total": 1,
    "t4.review.upheld": 1, "t4.review.total": 1,
    "t4.direct.pending": 1, "t4.direct.total": 1,
    "t4.after_review.other": 1, "t4.after_review.total": 1,
}


def make_report(
    values: dict[str, Number | None] | None = None,
    forms: dict[str, str] | None = None,
    year: int | None = 2019,
    narrative: list[NarrativeFigure] | None = None,
    file: str = "report.txt",
    agency: str | None = "某市信访局",
) -> Report:
    forms = dict(FORMS_2019 if forms is None else forms)
    cells = {key: Cell(key=key, value=0, parsed=0, raw="0") for key in formbook().all_keys(forms)}
    for key, value in {**CONSISTENT, **(values or {})}.items():
        if key in cells:
            cells[key].value = value
            cells[key].parsed = value
    template = forms.get("t2")
    return Report(
        file=file, text="", forms=forms, template=template.split("-")[0] if template else None,  # type: ignore[arg-type]
        year=year, agency=agency, cells=cells, narrative=narrative or [],
    )


def by_ident(violations: list[Violation]) -> dict[str, Violation]:
    return {v.ident: v for v in violations}


def test_consistent_report_has_no_findings() -> None:
    assert check(make_report()) == []
    assert check(make_report(forms=FORMS_2021, year=2021)) == []


def test_row_total_fails_with_the_value_that_settles_it() -> None:
    found = by_ident(check(make_report({"t3.new.total": 11})))
    violation = found["T3_ROW_TOTAL@new"]
    assert violation.severity == "error" and violation.status == "fail"
    assert violation.expected == 10 and violation.target == "t3.new.total"
    assert violation.cells[0] == "t3.new.total" and "t3.new.natural" in violation.cells
    assert "自然人+商业企业+科研机构+社会公益组织+法律服务机构+其他 = 8+2+0+0+0+0 = 10" in violation.message
    assert "表中为 11" in violation.message
    # the same cell also breaks the balance of the 总计 column
    assert found["T3_BALANCE@total"].status == "fail"


def test_results_total_column_names_the_nonzero_parts() -> None:
    found = by_ident(check(make_report({"t3.total.natural": 8, "t3.total.total": 10, "t3.carried_out.natural": 0,
                                        "t3.carried_out.total": 0})))
    violation = found["T3_RESULTS_TOTAL@natural"]
    assert violation.expected == 7 and violation.target == "t3.total.natural"
    assert "予以公开 6" in violation.message and "本机关不掌握相关政府信息 1" in violation.message
    assert "表中为 8" in violation.message


def test_balance_points_at_carried_out() -> None:
    found = by_ident(check(make_report({"t3.carried_out.natural": 0, "t3.carried_out.total": 0,
                                        "t3.new.natural": 8})))
    violation = found["T3_BALANCE@natural"]
    assert violation.status == "fail" and violation.severity == "error"
    assert violation.target == "t3.carried_out.natural" and violation.expected == 1
    assert set(violation.cells) == {"t3.new.natural", "t3.carried_in.natural", "t3.total.natural",
                                    "t3.carried_out.natural"}


def test_t4_total() -> None:
    found = by_ident(check(make_report({"t4.review.corrected": 2})))
    violation = found["T4_TOTAL@review"]
    assert violation.expected == 3 and violation.target == "t4.review.total"
    assert "结果维持+结果纠正+其他结果+尚未审结 = 1+2+0+0 = 3，表中为 1" in violation.message
    assert set(by_ident(check(make_report()))) == set()


def test_blanks_count_as_zero_and_are_named() -> None:
    report = make_report({"t3.new.commercial": None, "t3.new.total": 8, "t3.partial.commercial": None,
                          "t3.partial.total": None, "t3.total.commercial": None, "t3.total.total": 7,
                          "t3.carried_out.total": 1})
    found = by_ident(check(report))
    assert "T3_ROW_TOTAL@new" not in found  # 8 + blank = 8 holds
    blank = found["BLANK_CELL@t3.new.commercial"]
    assert blank.severity == "info" and blank.status == "fail" and blank.cells == ["t3.new.commercial"]
    # a failing sum that took blanks as 0 says so
    report.cells["t3.new.natural"].value = 9
    violation = by_ident(check(report))["T3_ROW_TOTAL@new"]
    assert violation.blanks_as_zero == ["t3.new.commercial"]
    assert "空白按 0 计：商业企业" in violation.message
    assert violation.expected == 9


def test_blank_total_expected_value() -> None:
    violation = by_ident(check(make_report({"t3.new.total": None})))["T3_ROW_TOTAL@new"]
    assert violation.expected == 10 and violation.target == "t3.new.total"
    assert "t3.new.total" in violation.blanks_as_zero and "表中为 空白" in violation.message


def test_unsure_cell_makes_its_rules_cannot_check_and_correction_settles_it() -> None:
    report = make_report({"t3.new.total": 11})
    cell = report.cells["t3.new.total"]
    cell.sure = False
    cell.flag = "该行有一个空白单元格丢失，列位置不确定"
    found = by_ident(check(report))
    for ident in ("T3_ROW_TOTAL@new", "T3_BALANCE@total"):
        assert found[ident].status == "cannot_check"
        assert found[ident].severity == "info"
        assert "列位置不确定" in found[ident].message
    assert not any(v.status == "fail" and v.severity == "error" for v in found.values())
    # a reviewer corrects the cell: it is settled, the rules check again
    cell.value = 10
    cell.corrected = True
    assert check(report) == []
    cell.value = 12
    assert by_ident(check(report))["T3_ROW_TOTAL@new"].status == "fail"


def test_rules_never_change_the_report() -> None:
    report = make_report({"t3.new.total": 11, "t3.partial.total": None})
    before = report.model_dump()
    check(report)
    engine = RuleEngine(report)
    engine.recheck(["t3.new.total"])
    assert report.model_dump() == before


def test_template_year() -> None:
    found = by_ident(check(make_report(year=2021)))
    assert "TEMPLATE_YEAR@" in found
    assert found["TEMPLATE_YEAR@"].severity == "warning" and "2021" in found["TEMPLATE_YEAR@"].message
    assert "TEMPLATE_YEAR@" not in by_ident(check(make_report(year=2020)))
    assert "TEMPLATE_YEAR@" in by_ident(check(make_report(forms=FORMS_2021, year=2019)))
    mixed = make_report(forms={"t2": "2021", "t3": "2019", "t4": "2021"}, year=2021)
    message = by_ident(check(mixed))["TEMPLATE_YEAR@"].message
    assert "混用" in message and "表三" in message
    # 表四 is the same in both forms: its recorded form says nothing about the year
    assert "TEMPLATE_YEAR@" not in by_ident(check(make_report(forms={**FORMS_2021, "t4": "2019"}, year=2021)))
    # the local 表二 variant is a 2019 form
    assert "TEMPLATE_YEAR@" not in by_ident(check(make_report(forms={**FORMS_2019, "t2": "2019-local"})))
    assert "TEMPLATE_YEAR@" not in by_ident(check(make_report(year=None)))


def test_missing_table_is_reported_once_per_table() -> None:
    found = by_ident(check(make_report(forms={"t3": "2019", "t4": "2019"})))
    missing = found["MISSING_TABLE@t2"]
    assert missing.severity == "warning" and "表二" in missing.message
    assert "MISSING_TABLE@t3" not in found and "MISSING_TABLE@t4" not in found
    assert not any(v.rule == "MISSING_TABLE" for v in check(make_report()))


def test_2021_results_total_includes_the_three_other_rows() -> None:
    report = make_report({"t3.other_misc.natural": 1, "t3.other_misc.total": 1}, forms=FORMS_2021, year=2021)
    violation = by_ident(check(report))["T3_RESULTS_TOTAL@natural"]
    assert violation.expected == 8 and "3.其他 1" in violation.message


def figure(key: str, value: int, text: str) -> NarrativeFigure:
    return NarrativeFigure(key=key, value=value, span=(0, len(text)), text=text)


def test_narrative_mismatch() -> None:
    prose = figure("t3.new.total", 45, "共收到政府信息公开申请45件")
    violation = by_ident(check(make_report(narrative=[prose])))["NARRATIVE_MISMATCH@t3.new.total"]
    assert violation.severity == "warning" and violation.status == "fail"
    assert violation.expected == 45 and violation.target == "t3.new.total"
    assert "45" in violation.message and "为 10" in violation.message
    agreeing = figure("t3.new.total", 10, "收到申请10件")
    assert "NARRATIVE_MISMATCH@t3.new.total" not in by_ident(check(make_report(narrative=[agreeing])))


def test_narrative_received_may_include_carried_over_applications() -> None:
    prose = figure("t3.new.total", 13, "共收到申请13件（含上年结转3件）")
    report = make_report({"t3.carried_in.natural": 3, "t3.carried_in.total": 3, "t3.carried_out.natural": 4,
                          "t3.carried_out.total": 4}, narrative=[prose])
    assert check(report) == []
    report.cells["t3.carried_in.total"].sure = False
    assert by_ident(check(report))["NARRATIVE_MISMATCH@t3.new.total"].status == "cannot_check"
    wrong = figure("t3.new.total", 14, "共收到申请14件")
    violation = by_ident(check(make_report(narrative=[wrong])))["NARRATIVE_MISMATCH@t3.new.total"]
    assert "也不相符" not in violation.message and violation.expected == 14  # nothing carried over: one reading
    report.cells["t3.carried_in.total"].sure = True
    report.narrative = [wrong]
    violation = by_ident(check(report))["NARRATIVE_MISMATCH@t3.new.total"]
    assert "按 一、本年新收政府信息公开申请数量 + 二、上年结转政府信息公开申请数量 计为 13，也不相符" in violation.message


def test_narrative_litigation_total_is_the_sum_of_both_litigation_groups() -> None:
    agreeing = figure(LITIGATION_TOTAL_KEY, 2, "行政诉讼2件")
    assert check(make_report(narrative=[agreeing])) == []
    wrong = figure(LITIGATION_TOTAL_KEY, 3, "行政诉讼3件")
    violation = by_ident(check(make_report(narrative=[wrong])))[f"NARRATIVE_MISMATCH@{LITIGATION_TOTAL_KEY}"]
    assert violation.cells == ["t4.direct.total", "t4.after_review.total"]
    assert violation.expected is None and "1+1 = 2" in violation.message


def test_narrative_with_unsure_cell_cannot_check() -> None:
    report = make_report({"t3.new.total": 42}, narrative=[figure("t3.new.total", 45, "收到申请45件")])
    report.cells["t3.new.total"].sure = False
    violation = by_ident(check(report))["NARRATIVE_MISMATCH@t3.new.total"]
    assert violation.status == "cannot_check" and violation.severity == "info"


def test_cross_year_carry() -> None:
    last = make_report(file="2019.txt", year=2019, values={"t3.carried_out.natural": 3, "t3.carried_out.total": 3})
    this = make_report(file="2020.txt", year=2020, values={"t3.carried_in.natural": 2, "t3.carried_in.total": 2})
    other = make_report(file="other.txt", year=2020, agency="另一个局")
    found = check_cross_year([this, last, other])
    assert found["2019.txt"] == [] and found["other.txt"] == []
    violations = by_ident(found["2020.txt"])
    assert violations["CROSS_YEAR_CARRY@natural"].expected == 3
    assert violations["CROSS_YEAR_CARRY@natural"].target == "t3.carried_in.natural"
    assert violations["CROSS_YEAR_CARRY@natural"].severity == "warning"
    this.cells["t3.carried_in.natural"].value = 3
    this.cells["t3.carried_in.total"].value = 3
    assert check_cross_year([this, last])["2020.txt"] == []


def test_rules_of_lists_every_check_a_cell_takes_part_in() -> None:
    report = make_report(narrative=[figure("t3.new.total", 10, "收到申请10件")])
    engine = RuleEngine(report)
    assert "NARRATIVE_MISMATCH@t3.new.total" in engine.rules_of("t3.carried_in.total")
    assert set(engine.rules_of("t3.new.total")) == {
        "T3_ROW_TOTAL@new", "T3_BALANCE@total", "BLANK_CELL@t3.new.total", "NARRATIVE_MISMATCH@t3.new.total",
    }
    assert set(engine.rules_of("t3.granted.natural")) == {
        "T3_ROW_TOTAL@granted", "T3_RESULTS_TOTAL@natural", "BLANK_CELL@t3.granted.natural",
    }
    assert "T4_TOTAL@direct" in engine.rules_of("t4.direct.total")
    assert f"NARRATIVE_MISMATCH@{LITIGATION_TOTAL_KEY}" not in engine.rules_of("t4.direct.total")


EDIT_KEYS = sorted(formbook().all_keys(FORMS_2019))
edits = st.lists(
    st.tuples(
        st.sampled_from(EDIT_KEYS),
        st.one_of(st.none(), st.integers(min_value=0, max_value=12)),
        st.sampled_from(["value", "unsure", "corrected"]),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(edits)
def test_recheck_equals_full_check_after_random_edits(changes: list[tuple[str, int | None, str]]) -> None:
    narrative = [figure("t3.new.total", 10, "收到申请10件"), figure(LITIGATION_TOTAL_KEY, 2, "行政诉讼2件")]
    report = make_report(narrative=narrative)
    engine = RuleEngine(report)
    for key, value, kind in changes:
        cell = report.cells[key]
        if kind == "value":
            cell.value = value
        elif kind == "unsure":
            cell.sure = not cell.sure
        else:
            cell.value = value
            cell.corrected = True
        incremental = engine.recheck([key])
        assert [v.model_dump() for v in incremental] == [v.model_dump() for v in check(report)]
