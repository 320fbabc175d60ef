"""Cross-year carry check (CROSS_YEAR_CARRY) between reports of one organ whose names differ only in form."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from gikai_desk.model import Report, Violation

IGNORED_IN_ORGAN = frozenset("()（）[]［］【】〔〕〖〗<>《》〈〉「」『』\"'“”‘’·・•")
"""Brackets, quotes and dots dropped when matching organ names (after NFKC)."""


def organ_key(agency: str) -> str:
    """The organ name as matched across years: NFKC, no whitespace, no brackets/quotes/dots.

    `泉州市 人民政府（信访局）` and `泉州市人民政府信访局` match; anything else must be equal after this.
    """
    text = unicodedata.normalize("NFKC", agency)
    return "".join(ch for ch in text if not ch.isspace() and ch not in IGNORED_IN_ORGAN)


def cross_year_pair(report: Report, previous: Report) -> list[Violation]:
    """CROSS_YEAR_CARRY findings of `report` against `previous` (taken to be the same organ, the year before)."""
    from gikai_desk.rules import check_cross_year

    if report.year is None or previous.year != report.year - 1:
        return []
    shared = organ_key(report.agency or previous.agency or "?")
    this = report.model_copy(update={"agency": shared})
    last = previous.model_copy(update={"agency": shared})
    return list(check_cross_year([last, this]).get(this.file, []))


def cross_year_findings(reports: Sequence[Report]) -> list[list[Violation]]:
    """CROSS_YEAR_CARRY findings per report, in the order given (they sit on the later report).

    Organs are matched by organ_key; when a batch holds several reports of one organ and year, the first one
    is the partner of the next year's report.
    """
    first: dict[tuple[str, int], int] = {}
    for index, report in enumerate(reports):
        if report.agency and report.year is not None:
            first.setdefault((organ_key(report.agency), report.year), index)
    out: list[list[Violation]] = [[] for _ in reports]
    for index, report in enumerate(reports):
        if not report.agency or report.year is None:
            continue
        partner = first.get((organ_key(report.agency), report.year - 1))
        if partner is not None:
            out[index] = cross_year_pair(report, reports[partner])
    return out


__all__ = ["cross_year_findings", "cross_year_pair", "organ_key"]
