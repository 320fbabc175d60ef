"""Edited per-report workbooks go back only into the report they came from (issue 10): in the workspace API, on
the command line (`gikai-desk import`), and a mistyped command is refused."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from gikai_desk.cli import main
from gikai_desk.errors import InputError
from gikai_desk.excel import export_workspace
from gikai_desk.workspace import Workspace
from gikai_desk.workspace.synthetic import synthetic_report


def make_workspace(path: Path, *specs: tuple[int, str, str]) -> tuple[Workspace, list[int]]:
    """A workspace with one synthetic report per (index, template, agency)."""
    ws = Workspace.create(path)
    ids = []
    for index, template, agency in specs:
        report = synthetic_report(index, template, agency=agency)
        ids.append(ws.add_document(f"/in/{agency}.txt", report.text.encode(), report, None))
    return ws, ids


def export_books(ws: Workspace, folder: Path) -> dict[int, Path]:
    export_workspace(ws, None, folder)
    return {int(p.name[:4]): p for p in sorted(folder.iterdir())}


def edit(book: Path, key: str, value: object) -> None:
    wb = openpyxl.load_workbook(book)
    where = {k: (s, c) for k, s, c, *_ in wb["_gikai"].iter_rows(min_row=3, values_only=True)}
    sheet, coordinate = where[key]
    wb[sheet][coordinate].value = value
    wb.save(book)


def test_a_workbook_says_which_report_it_came_from(tmp_path: Path) -> None:
    ws, (a, b) = make_workspace(tmp_path / "w.gikai", (1, "2021", "甲市财政局"), (2, "2021", "乙县教育局"))
    books = export_books(ws, tmp_path / "out")
    edit(books[a], "t3.new.natural", 55)
    assert [c[0] for c in ws.workbook_changes(a, books[a])] == ["t3.new.natural"]
    with pytest.raises(InputError) as refused:
        ws.workbook_changes(b, books[a])  # the same form, another organ: once applied silently
    assert "甲市财政局" in refused.value.reason and "乙县教育局" in refused.value.reason
    assert ws.history(b) == []
    ws.close()


def test_a_workbook_edited_into_another_form_is_refused(tmp_path: Path) -> None:
    ws, (a,) = make_workspace(tmp_path / "w.gikai", (1, "2021", "甲市财政局"))
    books = export_books(ws, tmp_path / "out")
    wb = openpyxl.load_workbook(books[a])
    keys = wb["_gikai"]
    first = next(r for r in keys.iter_rows(min_row=3) if r[0].value)
    first[0].value = "t2.not_a_row.count"  # a cell this report's form does not have
    wb.save(books[a])
    with pytest.raises(InputError, match="表式"):
        ws.workbook_changes(a, books[a])
    ws.close()


def test_import_command_applies_in_its_own_workspace_and_refuses_in_another(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, (a, _b) = make_workspace(tmp_path / "w.gikai", (1, "2021", "甲市财政局"), (2, "2019", "乙县教育局"))
    books = export_books(ws, tmp_path / "out")
    ws.close()
    edit(books[a], "t3.new.natural", 55)
    assert (
        main(["import", str(books[a]), "--workspace", str(tmp_path / "w.gikai"), "--reviewer", "王五"]) == 0
    )
    assert "已导入 1 处修改" in capsys.readouterr().out
    with Workspace.open(tmp_path / "w.gikai") as again:
        (correction,) = again.history(a)
        assert (correction.key, correction.new, correction.reviewer) == ("t3.new.natural", 55, "王五")
        assert again.report(a).value("t3.new.natural") == 55  # type: ignore[union-attr]
    # the same workbook again: nothing to do, still exit 0
    assert main(["import", str(books[a]), "--workspace", str(tmp_path / "w.gikai")]) == 0
    assert "没有不同" in capsys.readouterr().out

    other, _ids = make_workspace(tmp_path / "other.gikai", (3, "2021", "丙区民政局"))
    other.close()
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    code = main(["import", str(books[a]), str(broken), "--workspace", str(tmp_path / "other.gikai")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{books[a]}:" in err and "甲市财政局" in err  # one line per file, naming the report it came from
    assert f"{broken}:" in err
    with Workspace.open(tmp_path / "other.gikai") as untouched:
        assert all(untouched.history(s.id) == [] for s in untouched.reports())


def test_an_unknown_command_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["imprt", "x.xlsx"]) == 2
    err = capsys.readouterr().err
    assert "usage:" in err and "imprt" in err and "import" in err
