"""The command line through main(argv): JSON lines, summaries, exit codes, progress bar, bad files in a batch."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from gikai_desk import __version__
from gikai_desk.cli import main
from gikai_desk.errors import InputError
from gikai_desk.forms import formbook
from gikai_desk.model import Cell, Report, Violation
from tests.conftest import REPO, seed_path

FORMS = {"t2": "2019", "t3": "2019", "t4": "2019"}


def _fake_extract_and_check(path: str | Path, limits: object = None) -> tuple[Report, list[Violation]]:
    """Reads the file for real (so bad input fails as it would), then builds a report from a one-word script:
    OK -> consistent report, ERROR -> 表三 row total wrong, CRASH -> an unexpected exception."""
    from gikai_desk.ingest import read_source
    from gikai_desk.rules import check

    doc = read_source(path)
    word = doc.text.strip().split()[0] if doc.text.strip() else ""
    if word == "CRASH":
        raise RuntimeError("boom")
    if word not in {"OK", "ERROR", "MIXED"}:
        raise InputError(str(path), "不是年报 not an annual report")
    forms = {**FORMS, "t2": "2021"} if word == "MIXED" else dict(FORMS)
    cells = {k: Cell(key=k, value=0, raw="0") for k in formbook().all_keys(forms)}
    if word == "ERROR":
        cells["t3.new.natural"].value = 3
        cells["t3.new.total"].value = 4
        cells["t3.new.total"].raw = "4"
    cells["t3.granted.natural"].sure = False
    cells["t3.granted.natural"].flag = "列位置不确定"
    report = Report(
        file=str(path), text=doc.text, forms=forms, template="2021" if word == "MIXED" else "2019", year=2019, agency="某市信访局",
        published="2020-01-10", cells=cells,
    )
    return report, check(report)


@pytest.fixture
def fake_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("gikai_desk.extract.extract_and_check", _fake_extract_and_check)


def write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"gikai-desk {__version__}"


def test_help_is_chinese_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help"]) == 0
    assert "文件夹" in capsys.readouterr().out


def test_extract_json_lines(fake_parser: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "a.txt", "ERROR")
    assert main(["extract", str(good), "--json"]) == 0
    out = capsys.readouterr().out
    assert "某市信访局" in out  # UTF-8, not ASCII-escaped
    lines = out.strip().splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert set(obj) == {"file", "template", "year", "agency", "published", "cells", "raw", "flags", "violations"}
    assert obj["template"] == "2019" and obj["year"] == 2019 and obj["published"] == "2020-01-10"
    assert obj["cells"]["t3.new.total"] == 4 and obj["raw"]["t3.new.total"] == "4"
    assert obj["flags"] == {"t3.granted.natural": "列位置不确定"}
    assert set(obj["cells"]) == set(formbook().all_keys(FORMS))
    row_total = next(v for v in obj["violations"] if v["rule"] == "T3_ROW_TOTAL" and v["where"] == "new")
    assert {"rule", "where", "severity", "cells", "message", "expected"} <= set(row_total)
    assert row_total["expected"] == 3 and row_total["severity"] == "error"
    assert any(v["status"] == "cannot_check" for v in obj["violations"])


def test_extract_mixed_forms_carry_forms_and_template_year(
    fake_parser: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mixed = write(tmp_path, "mixed.txt", "MIXED")
    assert main(["extract", str(mixed), "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["forms"] == {"t2": "2021", "t3": "2019", "t4": "2019"}
    assert obj["template"] == "2021"
    assert "t2.fees.amount" in obj["cells"] and "t2.procurement.amount" not in obj["cells"]
    template_year = next(v for v in obj["violations"] if v["rule"] == "TEMPLATE_YEAR")
    assert template_year["where"] == "" and template_year["severity"] == "warning"


def test_extract_unreadable_file_continues_and_exits_2(
    fake_parser: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = write(tmp_path, "empty.txt", "")
    crash = write(tmp_path, "crash.txt", "CRASH")
    good = write(tmp_path, "good.txt", "OK")
    missing = tmp_path / "missing.txt"
    assert main(["extract", str(empty), str(crash), str(missing), str(good), "--json"]) == 2
    objs = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert [o["file"] for o in objs] == [str(empty), str(crash), str(missing), str(good)]
    assert "error" in objs[0] and set(objs[0]) == {"file", "error"}
    assert objs[1]["error"].startswith("internal error: RuntimeError")
    assert "error" in objs[2]
    assert objs[3]["cells"]["t3.new.total"] == 0


def test_check_exit_codes(fake_parser: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ok = write(tmp_path, "ok.txt", "OK")
    bad = write(tmp_path, "bad.txt", "ERROR")
    assert main(["check", str(ok)]) == 0
    out = capsys.readouterr()
    assert "某市信访局" in out.out and "2019 年度" in out.out and "错误 0" in out.out
    assert out.err == ""  # no progress bar for one file
    assert main(["check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "错误 3 · 警告 0" in out  # the row total and the balance of two columns
    assert "[错误] T3_ROW_TOTAL：" in out and "表中为 4" in out
    assert "[无法核对]" in out


def test_check_folder_batch_goes_on_after_bad_files(
    fake_parser: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "b/2.txt", "ERROR")
    write(tmp_path, "a/1.txt", "OK")
    write(tmp_path, "a/0-empty.txt", "")
    write(tmp_path, "c/crash.html", "CRASH")
    write(tmp_path, "c/notes.png", "OK")  # not a report file name: skipped inside folders
    write(tmp_path, ".hidden/x.txt", "OK")
    assert main(["check", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    out = captured.out
    assert f"{tmp_path / 'a' / '0-empty.txt'}: " in out
    assert f"{tmp_path / 'c' / 'crash.html'}: internal error: RuntimeError: boom" in out
    assert out.index("0-empty.txt") < out.index("1.txt") < out.index("2.txt") < out.index("crash.html")
    assert "notes.png" not in out and "x.txt" not in out
    assert "共 4 个文件" in out
    assert "] 4/4" in captured.err and "[####################] 4/4" in captured.err
    assert "Traceback" not in captured.err


def test_check_folder_lists_legacy_office_files_as_unreadable(
    fake_parser: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Broken .doc/.xls/.wps files and an .rtf that is no report inside a folder are reported with the reader's
    message (as the window does), not skipped; the batch exits 2 like any unreadable input."""
    ole = bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504
    (tmp_path / "old.doc").write_bytes(ole)
    (tmp_path / "sheet.XLS").write_bytes(ole)
    (tmp_path / "wps.wps").write_bytes(ole)
    (tmp_path / "rich.rtf").write_bytes(b"{\\rtf1\\ansi hello}")
    write(tmp_path, "ok.txt", "OK")
    assert main(["check", str(tmp_path)]) == 2
    out = capsys.readouterr().out
    for name in ("old.doc", "sheet.XLS", "wps.wps"):
        assert f"{tmp_path / name}: " in out
        line = next(line for line in out.splitlines() if name in line)
        assert "损坏的Office文件" in line
    rtf_line = next(line for line in out.splitlines() if "rich.rtf" in line)
    assert f"{tmp_path / 'rich.rtf'}: " in rtf_line
    assert "共 5 个文件" in out


def test_check_writes_excel_summary(fake_parser: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("openpyxl")
    ok = write(tmp_path, "ok.txt", "OK")
    empty = write(tmp_path, "empty.txt", "")
    target = tmp_path / "summary.xlsx"
    assert main(["check", str(ok), str(empty), "--xlsx", str(target)]) == 2
    assert target.is_file() and target.stat().st_size > 0
    assert str(target) in capsys.readouterr().out


def test_export_missing_workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(tmp_path / "none.gikai"), "--xlsx", str(tmp_path / "o.xlsx")]) == 2
    assert "none.gikai" in capsys.readouterr().err


def test_export_workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace_module = pytest.importorskip("gikai_desk.workspace")
    workspace = workspace_module.Workspace.create(tmp_path / "batch.gikai")
    workspace.close()
    summary = tmp_path / "summary.xlsx"
    per_report = tmp_path / "per"
    assert main(["export", str(tmp_path / "batch.gikai"), "--xlsx", str(summary), "--per-report", str(per_report)]) == 0
    assert summary.is_file()
    assert str(summary) in capsys.readouterr().out
    assert main(["export", str(tmp_path / "batch.gikai")]) == 2  # nothing asked for


def test_other_arguments_open_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    fake_gui = types.ModuleType("gikai_desk.gui")

    def run(argv: list[str]) -> int:
        seen.append(argv)
        return 0

    fake_gui.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "gikai_desk.gui", fake_gui)
    assert main([]) == 0
    assert main(["report.pdf"]) == 0
    assert main(["--demo"]) == 0
    assert seen == [[], ["report.pdf"], ["--demo"]]


def test_check_does_not_import_qt(tmp_path: Path) -> None:
    empty = write(tmp_path, "empty.txt", "")
    code = (
        "import sys; from gikai_desk.cli import main; "
        f"rc = main(['check', {str(empty)!r}]); "
        "print(rc, 'PySide6' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "2 False"


# ---------------------------------------------------------------- end to end on the real seeds (real parser)


def test_extract_seed_002_end_to_end(capsys: pytest.CaptureFixture[str]) -> None:
    path = seed_path("002")
    assert main(["extract", str(path), "--json"]) == 0
    obj = json.loads(capsys.readouterr().out.strip())
    assert obj["agency"] == "泉州市丰泽区" and obj["year"] == 2019 and obj["template"] == "2019"
    assert obj["cells"]["t3.new.total"] == 42
    mismatch = next(
        v for v in obj["violations"] if v["rule"] == "NARRATIVE_MISMATCH" and v["where"] == "t3.new.total"
    )
    assert mismatch["expected"] == 45 and mismatch["severity"] == "warning"


def test_check_seeds_folder_end_to_end(seeds_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(seeds_dir)]) in (0, 1)
    captured = capsys.readouterr()
    assert captured.out.count("== ") == 5
    for organ in ("泉州市人民政府信访局", "内蒙古自治区信访局", "泉州市丰泽区", "佳木斯市民政局", "周口市信访局"):
        assert organ in captured.out
    assert "5/5" in captured.err


def test_check_seed_002_reports_the_narrative_mismatch(capsys: pytest.CaptureFixture[str]) -> None:
    path = seed_path("002")
    assert main(["check", str(path)]) == 0  # warnings only
    out = capsys.readouterr().out
    assert "泉州市丰泽区" in out and "警告 2" in out
    assert "[警告] NARRATIVE_MISMATCH：" in out and "45" in out and "为 42" in out


def test_check_xlsx_of_the_seeds_has_native_charts(seeds_dir: Path, tmp_path: Path) -> None:
    """`gikai-desk check SEEDS --xlsx` writes a workbook whose 汇总 sheet carries charts (issue 11)."""
    import openpyxl

    target = tmp_path / "summary.xlsx"
    main(["check", str(seeds_dir), "--xlsx", str(target)])
    wb = openpyxl.load_workbook(target)
    assert len(wb["汇总"]._charts) >= 1
    assert wb["汇总"].max_row == 2 + len(list(seeds_dir.glob("*.txt")))
