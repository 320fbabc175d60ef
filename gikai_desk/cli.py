"""Command line: `gikai-desk extract|check|export ...`; without a sub-command it opens the window."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from gikai_desk import ingest
from gikai_desk.errors import InputError
from gikai_desk.model import Cell, Report, Violation

if TYPE_CHECKING:
    from gikai_desk.excel import SummaryEntry

COMMANDS = ("extract", "check", "export", "import", "workspace")
REPORT_SUFFIXES = ingest.REPORT_SUFFIXES
FOLDER_SUFFIXES = ingest.REPORT_SUFFIXES | ingest.LEGACY_SUFFIXES
"""Files taken from a folder (a file named on the command line is always read, whatever its name): legacy
office files too, so they are listed as unreadable with the reader's "save as .docx/.xlsx" message."""

EXIT_OK = 0
EXIT_ERRORS_FOUND = 1
EXIT_UNREADABLE = 2

SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
BLANK_LIST_LIMIT = 8
NOTE_LIMIT = 5
CANNOT_LIST_LIMIT = 3


# ---------------------------------------------------------------- processing one file


@dataclass
class Outcome:
    """What happened to one input file."""

    file: str
    report: Report | None = None
    violations: list[Violation] = field(default_factory=list)
    error: str | None = None

    @property
    def errors(self) -> int:
        return sum(1 for v in self.violations if v.status == "fail" and v.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for v in self.violations if v.status == "fail" and v.severity == "warning")


def process_file(path: Path) -> Outcome:
    """Read, parse and check one file; bad input and internal errors become Outcome.error, never an exception."""
    from gikai_desk.extract import extract_and_check
    from gikai_desk.ingest.ocr import on_page

    name = str(path)
    try:
        with on_page(_ocr_progress(name)):
            report, violations = extract_and_check(path)
    except InputError as exc:
        return Outcome(file=name, error=exc.reason)
    except Exception as exc:  # one bad file must not stop the batch (RecursionError, MemoryError included)
        if os.environ.get("GIKAI_DEBUG"):
            traceback.print_exc()
        return Outcome(file=name, error=f"internal error: {type(exc).__name__}: {exc}")
    return Outcome(file=name, report=report, violations=violations)


def _ocr_progress(name: str) -> Callable[[int, int], None]:
    """Per-page progress of a scan being read by OCR, on stderr."""

    def show(done: int, total: int) -> None:
        print(f"识别扫描件 OCR {name}: {done}/{total} 页", file=sys.stderr, flush=True)

    return show


def collect_files(paths: Sequence[str]) -> list[tuple[Path, str | None]]:
    """Files named, and report files inside folders (recursive, sorted); (path, reason) when a path is missing."""
    out: list[tuple[Path, str | None]] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = ingest.page_folders(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and p.suffix.lower() in FOLDER_SUFFIXES
                    and not any(part.startswith((".", "~$")) for part in p.relative_to(path).parts)
                )
            )
            for item in found:
                if item not in seen:
                    seen.add(item)
                    out.append((item, None))
        elif path.exists():
            if path not in seen:
                seen.add(path)
                out.append((path, None))
        else:
            out.append((path, "找不到文件或文件夹 not found"))
    return out


# ---------------------------------------------------------------- progress bar


class ProgressBar:
    """'[#####-----] 12/40' on stderr: redrawn in place on a terminal, a few plain lines otherwise."""

    def __init__(self, total: int, stream: TextIO, width: int = 20) -> None:
        self.total = total
        self.stream = stream
        self.width = width
        self.interactive = bool(getattr(stream, "isatty", lambda: False)())
        self._last_filled = -1

    def _bar(self, done: int) -> tuple[str, int]:
        filled = self.width * done // max(self.total, 1)
        return f"[{'#' * filled}{'-' * (self.width - filled)}] {done}/{self.total}", filled

    def update(self, done: int) -> None:
        text, filled = self._bar(done)
        if self.interactive:
            self.stream.write("\r" + text)
            if done >= self.total:
                self.stream.write("\n")
        elif filled != self._last_filled or done >= self.total:
            self.stream.write(text + "\n")
        self._last_filled = filled
        self.stream.flush()

    def clear(self) -> None:
        """Wipe the bar on a terminal before other output is printed."""
        if self.interactive:
            self.stream.write("\r" + " " * (self.width + 16) + "\r")
            self.stream.flush()


# ---------------------------------------------------------------- output


def _utf8_stdout() -> None:
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(ValueError, OSError):
            reconfigure(encoding="utf-8", errors="replace")


def _form_text(report: Report) -> str:
    if report.mixed_forms:
        names = {"t2": "表二", "t3": "表三", "t4": "表四"}
        listed = "、".join(f"{names.get(t, t)} {v}" for t, v in sorted(report.forms.items()))
        return f"表格混用（{listed}）"
    if report.template is None:
        return "表格样式未识别"
    variants = {v for v in report.forms.values() if v != report.template}
    extra = f"（{'、'.join(sorted(variants))}）" if variants else ""
    return f"{report.template} 版表格{extra}"


def format_summary(outcome: Outcome) -> str:
    """Readable Chinese summary of one checked report."""
    from gikai_desk.rules import cell_label

    report = outcome.report
    assert report is not None
    organ = report.agency or "（未识别机关）"
    year = f"{report.year} 年度" if report.year is not None else "年度未识别"
    cannot = [v for v in outcome.violations if v.status == "cannot_check"]
    blanks = [v for v in outcome.violations if v.rule == "BLANK_CELL" and v.status == "fail"]
    listed = [v for v in outcome.violations if v.status == "fail" and v.rule != "BLANK_CELL"]
    lines = [
        f"== {organ} · {year} · {_form_text(report)}",
        f"   文件：{outcome.file}",
        f"   错误 {outcome.errors} · 警告 {outcome.warnings} · 无法核对 {len(cannot)} · "
        f"空白单元格 {len(blanks)} · 解析存疑 {len(report.flags())}",
    ]
    order = {"error": 0, "warning": 1, "info": 2}
    for violation in sorted(listed, key=lambda v: order[v.severity]):
        lines.append(f"   [{SEVERITY_NAMES[violation.severity]}] {violation.rule}：{violation.message}")
    if len(cannot) <= CANNOT_LIST_LIMIT:
        for violation in cannot:
            lines.append(f"   [无法核对] {violation.rule}：{violation.message}")
    else:
        idents = "、".join(v.ident for v in cannot[:CANNOT_LIST_LIMIT])
        lines.append(f"   [无法核对] {len(cannot)} 项检查涉及存疑单元格，核实后再核对：{idents} 等")
    for note in report.notes[:NOTE_LIMIT]:
        lines.append(f"   [解析] {note}")
    if len(report.notes) > NOTE_LIMIT:
        lines.append(f"   [解析] …… 另有 {len(report.notes) - NOTE_LIMIT} 条解析说明")
    if blanks:
        shown = "、".join(cell_label(v.where) for v in blanks[:BLANK_LIST_LIMIT])
        more = f" 等 {len(blanks)} 个" if len(blanks) > BLANK_LIST_LIMIT else ""
        lines.append(f"   [提示] 空白单元格（核对时按 0 计）：{shown}{more}")
    if not listed and not cannot:
        lines.append("   勾稽关系全部通过 all checks passed")
    return "\n".join(lines)


def _slim(report: Report) -> Report:
    """Only what the cross-year check needs (keeps memory flat over thousands of reports)."""
    keep: dict[str, Cell] = {
        key: cell
        for key, cell in report.cells.items()
        if key.startswith(("t3.carried_in.", "t3.carried_out."))
    }
    return Report(file=report.file, text="", agency=report.agency, year=report.year, cells=keep)


# ---------------------------------------------------------------- commands


def cmd_extract(args: argparse.Namespace) -> int:
    from gikai_desk.jsonout import dumps_line, error_json, report_json

    _utf8_stdout()
    status = EXIT_OK
    for path, missing in collect_files(args.files):
        if missing is not None:
            print(dumps_line(error_json(str(path), missing)), flush=True)
            status = EXIT_UNREADABLE
            continue
        outcome = process_file(path)
        if outcome.report is None:
            print(dumps_line(error_json(outcome.file, outcome.error or "unknown error")), flush=True)
            status = EXIT_UNREADABLE
            continue
        print(dumps_line(report_json(outcome.report, outcome.violations)), flush=True)
    return status


def cmd_check(args: argparse.Namespace) -> int:
    from gikai_desk.rules import cross_year_findings

    _utf8_stdout()
    files = collect_files(args.paths)
    progress = ProgressBar(len(files), sys.stderr) if len(files) > 1 else None
    entries: list[SummaryEntry] = []
    slim_reports: list[Report] = []
    unreadable = 0
    with_errors = 0
    for done, (path, missing) in enumerate(files, start=1):
        outcome = Outcome(file=str(path), error=missing) if missing is not None else process_file(path)
        if progress is not None:
            progress.clear()
        if outcome.report is None:
            unreadable += 1
            print(f"{outcome.file}: {outcome.error}")
        else:
            if outcome.errors:
                with_errors += 1
            print(format_summary(outcome))
            slim_reports.append(_slim(outcome.report))
        sys.stdout.flush()
        if args.xlsx is not None:
            entries.append(_entry(outcome))
        if progress is not None:
            progress.update(done)

    cross: dict[str, list[Violation]] = {}
    for slim, found in zip(slim_reports, cross_year_findings(slim_reports), strict=True):
        if found:  # organ names matched loosely (whitespace, brackets): see rules.organ_key
            cross.setdefault(slim.file, []).extend(found)
    if cross:
        print("== 跨年度结转核对 CROSS_YEAR_CARRY")
        for file, found in cross.items():
            for violation in found:
                print(f"   {file}：{violation.message}")
        for entry in entries:
            entry.violations.extend(cross.get(entry.file, []))

    readable = len(files) - unreadable
    print(f"共 {len(files)} 个文件：{readable} 份报告已核对，{with_errors} 份有错误，{unreadable} 个无法读取")
    status = EXIT_UNREADABLE if unreadable else EXIT_ERRORS_FOUND if with_errors else EXIT_OK
    if args.xlsx is not None:
        written = _write_summary(entries, Path(args.xlsx))
        if not written:
            status = EXIT_UNREADABLE
    return status


def _entry(outcome: Outcome) -> SummaryEntry:
    from gikai_desk.excel import SummaryEntry

    return SummaryEntry(
        file=outcome.file, report=outcome.report, error=outcome.error, violations=list(outcome.violations)
    )


def _write_summary(entries: list[SummaryEntry], target: Path) -> bool:
    try:
        from gikai_desk.excel import ExcelWriteError, write_summary
    except ImportError as exc:
        print(f"{target}: 无法写出 Excel cannot write ({exc})", file=sys.stderr)
        return False
    try:
        write_summary(entries, target)
    except ExcelWriteError as exc:
        print(f"{target}: {exc.reason}", file=sys.stderr)
        return False
    except OSError as exc:
        print(f"{target}: 无法写出 cannot write: {exc.strerror or exc}", file=sys.stderr)
        return False
    print(f"汇总表已写出 summary written: {target}")
    return True


def cmd_export(args: argparse.Namespace) -> int:
    from gikai_desk.excel import ExcelWriteError, export_workspace
    from gikai_desk.workspace import Workspace, WorkspaceError

    if args.xlsx is None and args.per_report is None:
        print("export: 请指定 --xlsx OUT 或 --per-report DIR (nothing to write)", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        workspace = Workspace.open(args.workspace)
    except WorkspaceError as exc:
        print(f"{exc.path}: {exc.reason}", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        xlsx = Path(args.xlsx) if args.xlsx is not None else None
        per_report = Path(args.per_report) if args.per_report is not None else None
        export_workspace(workspace, xlsx, per_report)
    except ExcelWriteError as exc:
        print(f"{exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except OSError as exc:
        print(f"{workspace.location}: 导出失败 export failed: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    finally:
        workspace.close()
    for what, target in (("汇总表 summary", args.xlsx), ("逐份报告 per-report workbooks", args.per_report)):
        if target is not None:
            print(f"{what}: {target}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """Apply edited per-report workbooks to the reports of a workspace they were exported from."""
    import getpass

    from gikai_desk.excel.reimport import find_report
    from gikai_desk.workspace import Workspace, WorkspaceError

    try:
        workspace = Workspace.open(args.workspace)
    except WorkspaceError as exc:
        print(f"{exc.path}: {exc.reason}", file=sys.stderr)
        return EXIT_UNREADABLE
    reviewer = args.reviewer or getpass.getuser()
    status = EXIT_OK
    try:
        for name in args.workbooks:
            path = Path(name)
            try:
                rid = find_report(workspace, path)
                applied = workspace.import_workbook(rid, path, reviewer)
            except InputError as exc:
                print(f"{path}: {exc.reason}", file=sys.stderr)
                status = EXIT_UNREADABLE
                continue
            target = workspace.summary(rid).file
            if applied:
                print(f"{path}: 已导入 {len(applied)} 处修改 → {target} (applied {len(applied)} changes)")
            else:
                print(f"{path}: 与 {target} 没有不同 (no changes)")
    finally:
        workspace.close()
    return status


def cmd_workspace_copy(args: argparse.Namespace) -> int:
    from gikai_desk.workspace import WorkspaceError
    from gikai_desk.workspace.copy import copy_workspace
    from gikai_desk.workspace.db import is_url, redact_url

    def shown(location: str) -> str:
        return redact_url(location) if is_url(location) else location

    try:
        count = copy_workspace(args.source, args.target)
    except WorkspaceError as exc:
        print(f"{exc.path}: {exc.reason}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(f"已复制 {count} 份报告 copied {count} reports: {shown(args.source)} -> {shown(args.target)}")
    return EXIT_OK


# ---------------------------------------------------------------- parser and entry point


def build_parser() -> argparse.ArgumentParser:
    from gikai_desk import __version__

    parser = argparse.ArgumentParser(
        prog="gikai-desk",
        description=(
            "政府信息公开工作年度报告审核工具 (annual report reviewer)。"
            "不带子命令时打开窗口 (GUI): gikai-desk [FILE...] [--demo]"
        ),
        epilog="退出码 exit codes: 0 = 无错误 no error; 1 = 发现错误 errors found; 2 = 有文件无法读取 unreadable input",
    )
    parser.add_argument("-V", "--version", action="version", version=f"gikai-desk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    extract = sub.add_parser(
        "extract",
        help="读取报告，每个文件输出一行 JSON (one JSON object per file per line)",
        description='读取报告并核对，每个文件输出一行 JSON (UTF-8)。无法读取的文件输出 {"file", "error"}，退出码 2。',
    )
    extract.add_argument(
        "files", nargs="+", metavar="FILE", help="报告文件 (txt/html/docx/pdf/xlsx) 或文件夹"
    )
    extract.add_argument("--json", action="store_true", help="JSON 输出（默认即为 JSON）")
    extract.add_argument("--no-ocr", action="store_true", help="不识别扫描件（无文字层的 PDF 和图片照旧拒绝）")
    extract.set_defaults(func=cmd_extract)

    check = sub.add_parser(
        "check",
        help="核对报告并输出中文摘要 (check reports, readable summary)",
        description="核对报告的勾稽关系、正文数字、表格样式与年度；文件夹递归读取。",
        epilog="退出码: 0 = 无错误; 1 = 发现错误级问题; 2 = 有文件无法读取",
    )
    check.add_argument("paths", nargs="+", metavar="PATH", help="报告文件或文件夹 (files or folders)")
    check.add_argument("--xlsx", metavar="OUT", default=None, help="把批量核对结果写入 Excel 汇总表")
    check.add_argument("--no-ocr", action="store_true", help="不识别扫描件（无文字层的 PDF 和图片照旧拒绝）")
    check.set_defaults(func=cmd_check)

    export = sub.add_parser(
        "export",
        help="从工作区导出 Excel (export a workspace)",
        description="把工作区（含审核人的更正与决定）导出为 Excel 汇总表和/或逐份报告的工作簿。",
    )
    export.add_argument("workspace", metavar="WORKSPACE", help="工作区文件 (.gikai) 或 postgresql://…")
    export.add_argument("--xlsx", metavar="OUT", default=None, help="汇总表 summary workbook")
    export.add_argument("--per-report", metavar="DIR", default=None, help="逐份报告工作簿的文件夹")
    export.set_defaults(func=cmd_export)

    reimport = sub.add_parser(
        "import",
        help="把编辑过的单份报告工作簿导入工作区 (apply edited per-report workbooks)",
        description=(
            "把导出后编辑过的单份报告工作簿作为审核修改写入工作区：每个工作簿只写入它导出自的那份报告，"
            "只写入该报告表式中的单元格。"
        ),
        epilog="退出码: 0 = 全部导入; 2 = 有工作簿被拒绝或无法读取 (refused or unreadable)",
    )
    reimport.add_argument("workbooks", nargs="+", metavar="WORKBOOK", help="单份报告工作簿 (.xlsx)")
    reimport.add_argument("--workspace", required=True, metavar="WS", help="工作区文件 (.gikai)")
    reimport.add_argument("--reviewer", default=None, help="记录为修改人的姓名（默认：系统用户名）")
    reimport.set_defaults(func=cmd_import)

    workspace = sub.add_parser(
        "workspace",
        help="工作区操作 (workspace tools: copy between a file and a PostgreSQL server)",
        description="工作区可以是文件 (.gikai) 或 PostgreSQL 地址 postgresql://用户@服务器/数据库"
        "（密码由 libpq 从 ~/.pgpass、pg_service.conf 或 PGPASSWORD 取得，不写在命令行上）。",
    )
    workspace_sub = workspace.add_subparsers(dest="workspace_command", metavar="ACTION", required=True)
    copy = workspace_sub.add_parser(
        "copy",
        help="复制整个工作区 (copy a whole workspace: reports, original bytes, corrections, decisions, history)",
        description="把工作区整体复制到一个新的文件或数据库（目标必须尚无工作区）。",
    )
    copy.add_argument("source", metavar="SRC", help="源工作区：文件或 postgresql://…")
    copy.add_argument("target", metavar="DST", help="目标：新文件或 postgresql://…（数据库须已存在且为空）")
    copy.set_defaults(func=cmd_workspace_copy)
    return parser


def _unknown_command(word: str) -> bool:
    """A first word that is no command, no option and no file or folder, nor looks like one (no suffix, no
    folder part): a mistyped command (`imprt`). `gikai-desk gone.pdf` still opens the window, which says so."""
    if word in COMMANDS or word.startswith("-") or Path(word).exists():
        return False
    return not Path(word).suffix and not any(sep in word for sep in ("/", "\\"))


def _run_gui(args: list[str]) -> int:
    try:
        gui = importlib.import_module(
            "gikai_desk.gui"
        )  # imported only here: extract/check/export never load Qt
        run = gui.run
    except (ImportError, AttributeError) as exc:
        print(f"gikai-desk: 无法打开窗口 cannot start the GUI ({exc})", file=sys.stderr)
        return EXIT_UNREADABLE
    return int(run(args))


def main(argv: Iterable[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if args and _unknown_command(args[0]):
        parser.print_usage(sys.stderr)
        print(
            f"gikai-desk: 未知命令 unknown command: {args[0]}（可用 commands: {', '.join(COMMANDS)}；"
            "打开报告文件请给出存在的文件或文件夹）",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    if not args or (args[0] not in COMMANDS and args[0] not in {"-h", "--help", "-V", "--version"}):
        return _run_gui(args)
    try:
        namespace = parser.parse_args(args)
        if getattr(namespace, "no_ocr", False):
            os.environ["GIKAI_NO_OCR"] = "1"  # read by Limits.from_env for every file of this run
        status: int = namespace.func(namespace)
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_UNREADABLE)
    except KeyboardInterrupt:
        print("\n已中断 interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        with contextlib.suppress(OSError, ValueError):
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERRORS_FOUND
    return status


__all__ = [
    "Outcome",
    "ProgressBar",
    "build_parser",
    "collect_files",
    "format_summary",
    "main",
    "process_file",
]
