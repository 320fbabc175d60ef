"""Second-round cousin documents (xlsx, MHTML, th-headed pages, split PDF tables, UTF-16/GB18030 text) against goldens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import test_cousins as first_round

COUSINS2 = Path(__file__).parent / "fixtures" / "cousins2"
GOLDENS = sorted(COUSINS2.glob("*.golden.json"))
DOCUMENT_SUFFIXES = {".html", ".mhtml", ".txt", ".docx", ".pdf", ".xlsx"}

# Fixtures the pipeline reads wrong today: golden file name -> exact description of the bug.
# (empty: every bug these fixtures found has been fixed; add an entry with a strict xfail when a new one shows)
KNOWN_BUGS: dict[str, str] = {}


def _cases(with_known_bugs: bool = True) -> list[Any]:
    cases = []
    for golden in GOLDENS:
        marks = []
        if with_known_bugs and golden.name in KNOWN_BUGS:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[golden.name]))
        cases.append(pytest.param(golden, id=golden.name.removesuffix(".golden.json"), marks=marks))
    return cases


def test_every_fixture_has_a_golden() -> None:
    documents = [p for p in COUSINS2.iterdir() if p.suffix in DOCUMENT_SUFFIXES]
    assert len(documents) >= 10
    for doc in documents:
        assert (COUSINS2 / (doc.name + ".golden.json")).is_file(), doc.name
        assert doc.stat().st_size < 100 * 1024, doc.name


@pytest.mark.parametrize("golden", _cases())
def test_cousin2_read_cell_for_cell(golden: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(first_round, "COUSINS", COUSINS2)
    first_round.test_cousin_read_cell_for_cell(golden)


@pytest.mark.parametrize("golden", _cases(with_known_bugs=False))
def test_cousin2_golden_is_consistent(golden: Path) -> None:
    first_round.test_cousin_golden_is_consistent(golden)


def test_folder_check_takes_every_readable_fixture() -> None:
    from gikai_desk.cli import collect_files

    taken = {path.name for path, _reason in collect_files([str(COUSINS2)])}
    documents = {p.name for p in COUSINS2.iterdir() if p.suffix in DOCUMENT_SUFFIXES}
    assert documents - taken == set()
