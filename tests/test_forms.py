from gikai_desk.forms import formbook


def test_form_keys_are_canonical() -> None:
    book = formbook()
    t2_2019 = book.keys("t2", "2019")
    assert t2_2019[:3] == ["t2.regulations.new_made", "t2.regulations.new_published", "t2.regulations.total_published"]
    assert "t2.procurement.amount" in t2_2019
    assert "t2.fees.amount" in book.keys("t2", "2021")
    assert "t2.licensing.current_items" in book.keys("t2", "2019-local")
    t3 = book.keys("t3", "2021")
    assert len(t3) == 25 * 7
    assert "t3.other_misc.total" in t3 and "t3.other.total" not in t3
    assert "t3.other.natural" in book.keys("t3", "2019")
    assert book.keys("t4", "2019") == [f"t4.{g}.{c}" for g in ("review", "direct", "after_review")
                                       for c in ("upheld", "corrected", "other", "pending", "total")]
