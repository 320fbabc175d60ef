"""A batch of reports under review, kept in one SQLite file (.gikai) that commits every edit as it is made."""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, get_args

from gikai_desk.errors import InputError
from gikai_desk.forms import formbook
from gikai_desk.model import Cell, Number, Report, Violation
from gikai_desk.pending import pending_counts, review_items
from gikai_desk.review import Correction, Decision, DecisionEvent, DecisionKind, ReportSummary, ReviewStatus
from gikai_desk.rules import carry_findings, organ_key
from gikai_desk.workspace.schema import APPLICATION_ID, SCHEMA_VERSION, migrate, schema_version

log = logging.getLogger(__name__)

SUFFIX = ".gikai"
MAX_ABS_VALUE = 1e15
"""Largest magnitude a cell value may have (keeps integers inside SQLite's 64-bit range)."""


class WorkspaceError(Exception):
    """A workspace file that cannot be opened or used (not a workspace, newer version, wrong thread...)."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def now_iso() -> str:
    """Local time with offset, to the second (ISO-8601)."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def same_number(a: Number | None, b: Number | None) -> bool:
    """Equal as cell values: None only equals None; 3 equals 3.0."""
    if a is None or b is None:
        return a is None and b is None
    return a == b


def format_number(value: Number | None) -> str:
    if value is None:
        return "空白"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_value(value: object) -> Number | None:
    """A value a cell may hold: None, int or finite float of sane size (bool is refused)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"cell value must be a number or None, not {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cell value must be finite, not {value!r}")
    if abs(value) > MAX_ABS_VALUE:
        raise ValueError(f"cell value {value!r} is too large")
    return value


def _parse_bytes(data: bytes, name: str) -> Report:
    from gikai_desk.ingest.dispatch import read_bytes
    from gikai_desk.limits import Limits
    from gikai_desk.parse import parse_document

    return parse_document(read_bytes(data, name, Limits.from_env()))


def _internal_error_reason(exc: BaseException) -> str:
    return f"解析出错（程序内部错误）internal error: {type(exc).__name__}: {exc}"


class Workspace:
    """One batch of reports with everything reviewers did to them.

    Every method that changes something commits before it returns (one transaction each), with WAL and
    synchronous=FULL: once a call returns, the change survives a killed process and a power cut.
    The object may only be used from the thread that opened it.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._thread = threading.get_ident()

    # ---------------------------------------------------------------- opening

    @classmethod
    def create(cls, path: str | Path) -> Workspace:
        """Create a new, empty workspace. Raises WorkspaceError when the file already exists."""
        target = Path(path)
        if target.exists():
            raise WorkspaceError(target, "文件已存在 file already exists")
        return cls._connect(target, create=True)

    @classmethod
    def open(cls, path: str | Path) -> Workspace:
        """Open an existing workspace, migrating an older schema. Raises WorkspaceError when it cannot."""
        target = Path(path)
        if not target.is_file():
            raise WorkspaceError(target, "找不到工作区文件 workspace file not found")
        return cls._connect(target, create=False)

    @classmethod
    def open_or_create(cls, path: str | Path) -> Workspace:
        target = Path(path)
        return cls.open(target) if target.exists() else cls.create(target)

    @classmethod
    def _connect(cls, path: Path, create: bool) -> Workspace:
        try:
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=True)
        except sqlite3.Error as exc:
            raise WorkspaceError(path, f"无法打开 cannot open: {exc}") from exc
        try:
            conn.execute("PRAGMA busy_timeout = 5000")
            version = schema_version(conn)
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            if not create and (version == 0 or app_id != APPLICATION_ID):
                raise WorkspaceError(path, "不是 gikai-desk 工作区文件 not a gikai-desk workspace")
            mode = str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
            if mode != "wal":
                log.warning("workspace %s: journal_mode is %s, not wal", path, mode)
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn)
        except WorkspaceError:
            conn.close()
            raise
        except ValueError as exc:
            conn.close()
            raise WorkspaceError(path, f"由更新版本创建 made by a newer version: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise WorkspaceError(path, f"文件损坏或不是工作区 damaged or not a workspace: {exc}") from exc
        workspace = cls(path, conn)
        workspace._refresh_stale_summaries()
        return workspace

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return schema_version(self._conn)

    # ---------------------------------------------------------------- internals

    def _check_thread(self) -> None:
        if threading.get_ident() != self._thread:
            raise WorkspaceError(self.path, "工作区只能在打开它的线程中使用 used from another thread")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: BEGIN IMMEDIATE ... COMMIT (rolled back on any exception)."""
        self._check_thread()
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _row(self, rid: int, columns: str) -> tuple[Any, ...]:
        self._check_thread()
        row = self._conn.execute(f"SELECT {columns} FROM reports WHERE id = ?", (rid,)).fetchone()
        if row is None:
            raise KeyError(f"no report {rid} in workspace {self.path}")
        return tuple(row)

    def _base_report(self, rid: int) -> Report | None:
        (report_json,) = self._row(rid, "report_json")
        if report_json is None:
            return None
        return Report.model_validate_json(str(report_json))

    def _current_report(self, rid: int) -> Report | None:
        base = self._base_report(rid)
        if base is None:
            return None
        last: dict[str, Number | None] = {}
        for key, new in self._conn.execute(
            "SELECT key, new FROM corrections WHERE report_id = ? ORDER BY id", (rid,)
        ):
            last[str(key)] = new
        for key, new in last.items():
            _apply(base, key, new)
        for key, reason in self._conn.execute(
            "SELECT key, reason FROM conflicts WHERE report_id = ?", (rid,)
        ):
            cell = base.cells.get(str(key))
            if cell is not None:
                cell.corrected = False
                cell.sure = False
                cell.flag = str(reason)
        return base

    def _summary_values(self, rid: int, report: Report | None) -> tuple[int, int, int, int]:
        """errors, warnings, unsure rows, stale: the report's pending items (gikai_desk.pending), the same
        notion the window's issue list, F8 and Ctrl+F8 use."""
        if report is None:
            return 0, 0, 0, 0
        decided = {
            str(r[0]) for r in self._conn.execute("SELECT ident FROM decisions WHERE report_id = ?", (rid,))
        }
        try:
            found = _check(report) + self._cross_year(rid, report)
        except Exception:  # a rules bug must not stop a reviewer's edit from being stored
            log.exception("rules.check failed for report %s", rid)
            return 0, 0, pending_counts(review_items(report, []))[2], 1
        errors, warnings, unsure = pending_counts(review_items(report, found, decided))
        return errors, warnings, unsure, 0

    def _store_summary(self, rid: int, report: Report | None) -> None:
        errors, warnings, unsure, stale = self._summary_values(rid, report)
        self._conn.execute(
            "UPDATE reports SET agency = ?, year = ?, template = ?, errors = ?, warnings = ?, unsure = ?, "
            "summary_stale = ? WHERE id = ?",
            (
                None if report is None else report.agency,
                None if report is None else report.year,
                None if report is None else _template_text(report),
                errors,
                warnings,
                unsure,
                stale,
                rid,
            ),
        )

    def _same_organ_ids(self, agency: str | None, year: int | None, exclude: int) -> list[int]:
        """Ids of readable reports of `year` whose organ matches `agency` (organ_key), oldest first."""
        if not agency or year is None:
            return []
        wanted = organ_key(agency)
        rows = self._conn.execute(
            "SELECT id, agency FROM reports INDEXED BY reports_by_year WHERE year = ? AND agency IS NOT NULL "
            "AND removed IS NULL ORDER BY id",
            (year,),
        ).fetchall()
        return [int(r[0]) for r in rows if int(r[0]) != exclude and organ_key(str(r[1])) == wanted]

    def _previous_year_id(self, rid: int, report: Report) -> int | None:
        """The report CROSS_YEAR_CARRY compares `report` with: the first of the same organ, the year before."""
        if report.year is None:
            return None
        found = self._same_organ_ids(report.agency, report.year - 1, rid)
        return found[0] if found else None

    def _cross_year(self, rid: int, report: Report) -> list[Violation]:
        previous_id = self._previous_year_id(rid, report)
        if previous_id is None:
            return []
        previous = self._current_report(previous_id)
        return [] if previous is None else carry_findings(report, previous)

    def cross_year_violations(self, rid: int) -> list[Violation]:
        """CROSS_YEAR_CARRY findings of the report against the same organ's report of the year before, if any.

        Included in violations(rid) and in the queue counts; a GUI that re-runs the rules itself adds these.
        """
        report = self.report(rid)
        return [] if report is None else self._cross_year(rid, report)

    def previous_year_report(self, rid: int) -> Report | None:
        """The same organ's report of the year before (with its corrections), which CROSS_YEAR_CARRY uses."""
        report = self.report(rid)
        previous_id = None if report is None else self._previous_year_id(rid, report)
        return None if previous_id is None else self._current_report(previous_id)

    def _refresh_followers(self, rid: int, agency: str | None, year: int | None) -> None:
        """Recount the reports of the year after whose cross-year partner is (or was) this organ-year."""
        if year is None:
            return
        for follower in self._same_organ_ids(agency, year + 1, rid):
            self._store_summary(follower, self._current_report(follower))

    def _organ_year(self, rid: int) -> tuple[str | None, int | None]:
        agency, year = self._row(rid, "agency, year")
        return (None if agency is None else str(agency)), (None if year is None else int(year))

    def _refresh_stale_summaries(self) -> None:
        stale = [int(r[0]) for r in self._conn.execute("SELECT id FROM reports WHERE summary_stale = 1")]
        if stale:
            with self._tx():
                for rid in stale:
                    self._store_summary(rid, self._current_report(rid))

    # ---------------------------------------------------------------- adding

    def add_file(self, path: str | Path) -> int:
        """Store a file and its parsed report. An unreadable file is stored with its reason; never raises InputError."""
        from gikai_desk.extract import extract

        source = Path(path)
        report: Report | None = None
        error: str | None = None
        try:
            data = source.read_bytes()
        except OSError as exc:
            data = b""
            error = f"无法读取文件 cannot read: {exc.strerror or exc}"
        if error is None:
            try:
                report = extract(source)
            except InputError as exc:
                error = exc.reason
            except Exception as exc:  # a parser bug: keep the file in the batch, say why
                log.exception("parsing %s failed", source)
                error = _internal_error_reason(exc)
        return self.add_document(str(source), data, report, error)

    def add_document(self, name: str, data: bytes, report: Report | None, error: str | None) -> int:
        """Store a document read elsewhere (e.g. parsed in a worker thread). `error` when it could not be read."""
        with self._tx():
            return self._insert_document(name, data, report, error)

    def _insert_document(self, name: str, data: bytes, report: Report | None, error: str | None) -> int:
        if report is None and error is None:
            error = "未能解析 not parsed"
        cursor = self._conn.execute(
            "INSERT INTO reports (file, origin, data, report_json, error, added, summary_stale) "
            "VALUES (?, ?, ?, ?, ?, ?, 0)",
            (
                Path(name).name or name,
                name,
                data,
                None if report is None else report.model_dump_json(),
                error if report is None else None,
                now_iso(),
            ),
        )
        rid = int(cursor.lastrowid or 0)
        self._store_summary(rid, report)
        if report is not None:
            self._refresh_followers(rid, report.agency, report.year)
        return rid

    def add_documents(self, items: Sequence[tuple[str, bytes, Report | None, str | None]]) -> list[int]:
        """add_document for many documents in one transaction (all stored, or none)."""
        ids: list[int] = []
        with self._tx():
            for name, data, report, error in items:
                ids.append(self._insert_document(name, data, report, error))
        return ids

    def remove(self, rid: int) -> None:
        """Take a report out of the queue. It stays in the workspace, with everything recorded about it, until
        restore() brings it back (removed_reports() lists them)."""
        with self._tx() as conn:
            agency, year = self._organ_year(rid)
            conn.execute("UPDATE reports SET removed = ? WHERE id = ?", (now_iso(), rid))
            self._refresh_followers(rid, agency, year)

    def restore(self, rid: int) -> None:
        """Bring a removed report back into the queue."""
        with self._tx() as conn:
            conn.execute("UPDATE reports SET removed = NULL WHERE id = ?", (rid,))
            self._store_summary(rid, self._current_report(rid))
            self._refresh_followers(rid, *self._organ_year(rid))

    def removed_reports(self) -> list[ReportSummary]:
        """Reports taken out of the queue, most recently removed first."""
        removed = self._summaries_where("removed IS NOT NULL", ())
        times = dict(self._conn.execute("SELECT id, removed FROM reports WHERE removed IS NOT NULL").fetchall())
        return sorted(removed, key=lambda s: str(times.get(s.id, "")), reverse=True)

    def revision_of(self, name: str, report: Report | None) -> int | None:
        """The report in the queue a newly read file revises: one of the same file name, unless both name their
        organ and year and these differ (many organs call their file 「年度报告.pdf」). None: a report of its own."""
        file = Path(name).name or name
        for summary in self._summaries_where("removed IS NULL AND file = ?", (file,)):
            known = report is not None and report.agency and report.year is not None
            if known and summary.agency and summary.year is not None:
                assert report is not None
                if (organ_key(report.agency or ""), report.year) != (organ_key(summary.agency), summary.year):
                    continue
            return summary.id
        return None

    def revise(self, rid: int, name: str, data: bytes, report: Report) -> None:
        """Replace a report's file by a revised one: the earlier file is kept in the report's versions, the
        reviewer's corrections and decisions stay (a corrected cell the new file reads differently is flagged)."""
        time = now_iso()

        def keep_earlier_file(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO report_versions (report_id, file, origin, data, report_json, added, replaced) "
                "SELECT id, file, origin, data, report_json, added, ? FROM reports WHERE id = ?",
                (time, rid),
            )
            conn.execute(
                "UPDATE reports SET file = ?, origin = ?, data = ?, added = ? WHERE id = ?",
                (Path(name).name or name, name, data, time, rid),
            )

        self._replace_reading(rid, report, keep_earlier_file)

    def versions(self, rid: int) -> list[tuple[str, str, str]]:
        """Earlier files of a report, oldest first: (file name, added, replaced)."""
        return [
            (str(r[0]), str(r[1]), str(r[2]))
            for r in self._conn.execute(
                "SELECT file, added, replaced FROM report_versions WHERE report_id = ? ORDER BY id", (rid,)
            )
        ]

    # ---------------------------------------------------------------- reading

    def reports(self) -> list[ReportSummary]:
        """The review queue, from stored summary columns (one query, no parsing)."""
        self._check_thread()
        rows = self._conn.execute(
            "SELECT id, file, agency, year, template, status, errors, warnings, unsure, error, note "
            "FROM reports WHERE removed IS NULL ORDER BY id"
        ).fetchall()
        return [
            ReportSummary(
                id=r[0],
                file=r[1],
                agency=r[2],
                year=r[3],
                template=r[4],
                status=r[5],
                errors=r[6],
                warnings=r[7],
                unsure=r[8],
                error=r[9],
                note=r[10],
            )
            for r in rows
        ]

    def summary(self, rid: int) -> ReportSummary:
        for item in self._summaries_where("id = ?", (rid,)):
            return item
        raise KeyError(f"no report {rid} in workspace {self.path}")

    def _summaries_where(self, where: str, args: tuple[object, ...]) -> list[ReportSummary]:
        self._check_thread()
        rows = self._conn.execute(
            "SELECT id, file, agency, year, template, status, errors, warnings, unsure, error, note "
            f"FROM reports WHERE {where} ORDER BY id",
            args,
        ).fetchall()
        names = (
            "id",
            "file",
            "agency",
            "year",
            "template",
            "status",
            "errors",
            "warnings",
            "unsure",
            "error",
            "note",
        )
        return [ReportSummary.model_validate(dict(zip(names, r, strict=True))) for r in rows]

    def report(self, rid: int) -> Report | None:
        """The report with corrections applied (value = corrected value, corrected=True); None if unreadable.

        A cell whose re-parsed reading differs from both its old reading and the reviewer's correction keeps the
        correction as its value but comes back unsettled (sure=False, corrected=False, flag = why) until a
        reviewer sets it again.
        """
        self._check_thread()
        return self._current_report(rid)

    def parsed_report(self, rid: int) -> Report | None:
        """The report exactly as the parser read it, without corrections."""
        self._check_thread()
        return self._base_report(rid)

    def violations(self, rid: int) -> list[Violation]:
        """The report's findings: its own rules, then CROSS_YEAR_CARRY against last year's report of its organ."""
        report = self.report(rid)
        return [] if report is None else _check(report) + self._cross_year(rid, report)

    def history(self, rid: int) -> list[Correction]:
        """Every correction of the report, oldest first."""
        self._check_thread()
        rows = self._conn.execute(
            "SELECT key, old, new, reviewer, time, reason FROM corrections WHERE report_id = ? ORDER BY id",
            (rid,),
        ).fetchall()
        return [Correction(key=r[0], old=r[1], new=r[2], reviewer=r[3], time=r[4], reason=r[5]) for r in rows]

    def decisions(self, rid: int) -> dict[str, Decision]:
        self._check_thread()
        rows = self._conn.execute(
            "SELECT ident, rule, location, kind, note, reviewer, time FROM decisions WHERE report_id = ?",
            (rid,),
        ).fetchall()
        return {
            str(r[0]): Decision(
                ident=r[0], rule=r[1], where=r[2], kind=r[3], note=r[4], reviewer=r[5], time=r[6]
            )
            for r in rows
        }

    def decision_history(self, rid: int) -> list[DecisionEvent]:
        """Every decision made or withdrawn (kind None) on the report's findings, oldest first."""
        self._check_thread()
        rows = self._conn.execute(
            "SELECT ident, kind, note, reviewer, time FROM decision_log WHERE report_id = ? ORDER BY id",
            (rid,),
        ).fetchall()
        return [DecisionEvent(ident=r[0], kind=r[1], note=r[2], reviewer=r[3], time=r[4]) for r in rows]

    def conflicts(self, rid: int) -> dict[str, str]:
        """Cells flagged by a re-parse (key -> reason) that no reviewer has looked at since."""
        self._check_thread()
        rows = self._conn.execute("SELECT key, reason FROM conflicts WHERE report_id = ?", (rid,)).fetchall()
        return {str(r[0]): str(r[1]) for r in rows}

    def source_bytes(self, rid: int) -> bytes:
        (data,) = self._row(rid, "data")
        return bytes(data)

    def source_name(self, rid: int) -> str:
        """The path the document was added from."""
        (origin,) = self._row(rid, "origin")
        return str(origin)

    # ---------------------------------------------------------------- changing

    def set_cell(
        self, rid: int, key: str, value: Number | None, reviewer: str, reason: str | None = None
    ) -> Correction:
        """Record a reviewer's value for one cell (committed before returning)."""
        checked = check_value(value)
        with self._tx():
            report = self._current_report(rid)
            correction = self._record_correction(rid, report, key, checked, reviewer, reason)
            self._store_summary(rid, report)
            if report is not None:
                self._refresh_followers(rid, report.agency, report.year)
        return correction

    def _record_correction(
        self,
        rid: int,
        report: Report | None,
        key: str,
        value: Number | None,
        reviewer: str,
        reason: str | None,
    ) -> Correction:
        """Insert one correction inside the caller's transaction and apply it to `report` in memory."""
        if report is None:
            raise ValueError(f"report {rid} could not be read; it has no cells to correct")
        if key not in report.cells and key not in formbook().all_keys(report.forms):
            raise ValueError(f"{key!r} is not a cell of report {rid}")
        old = report.value(key)
        correction = Correction(key=key, old=old, new=value, reviewer=reviewer, time=now_iso(), reason=reason)
        self._conn.execute(
            "INSERT INTO corrections (report_id, key, old, new, reviewer, time, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (rid, key, old, value, reviewer, correction.time, reason),
        )
        self._conn.execute("DELETE FROM conflicts WHERE report_id = ? AND key = ?", (rid, key))
        _apply(report, key, value)
        return correction

    def decide(self, rid: int, ident: str, kind: DecisionKind | None, note: str, reviewer: str) -> None:
        """Record (or with kind=None withdraw) a decision on the finding `ident` ("RULE@where").

        A decision (kind not None) is refused with ValueError unless `ident` is a current finding of the report
        (fail or cannot_check, CROSS_YEAR_CARRY included); withdrawing is always allowed, so a decision left on
        a finding that has since gone away can still be taken back.
        """
        if kind is not None and kind not in get_args(DecisionKind):
            raise ValueError(f"unknown decision kind {kind!r}")
        rule, _, where = ident.partition("@")
        time = now_iso()
        with self._tx() as conn:
            self._row(rid, "id")
            report = self._current_report(rid)
            if kind is not None:
                current = (
                    set()
                    if report is None
                    else {v.ident for v in _check(report) + self._cross_year(rid, report)}
                )
                if ident not in current:
                    raise ValueError(
                        f"{ident!r} is not a current finding of report {rid}; a decision needs a finding to decide on"
                    )
            if kind is None:
                conn.execute("DELETE FROM decisions WHERE report_id = ? AND ident = ?", (rid, ident))
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO decisions (report_id, ident, rule, location, kind, note, reviewer, time) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (rid, ident, rule, where, kind, note, reviewer, time),
                )
            conn.execute(
                "INSERT INTO decision_log (report_id, ident, kind, note, reviewer, time) VALUES (?, ?, ?, ?, ?, ?)",
                (rid, ident, kind, note, reviewer, time),
            )
            self._store_summary(rid, report)

    def set_status(self, rid: int, status: ReviewStatus) -> None:
        if status not in get_args(ReviewStatus):
            raise ValueError(f"unknown review status {status!r}")
        with self._tx() as conn:
            self._row(rid, "id")
            conn.execute("UPDATE reports SET status = ? WHERE id = ?", (status, rid))

    def set_note(self, rid: int, note: str) -> None:
        with self._tx() as conn:
            self._row(rid, "id")
            conn.execute("UPDATE reports SET note = ? WHERE id = ?", (note, rid))

    def reparse(self, rid: int) -> None:
        """Parse the stored bytes again (e.g. after a parser improvement), keeping corrections and decisions.

        Corrections are re-applied; a corrected cell whose new reading differs from both its old reading and
        the correction is flagged for a look (see report()). If the document no longer parses but did before,
        the old reading is kept and the InputError is raised; if it never parsed, the new reason is stored.
        """
        self._check_thread()
        data, origin, old_json = self._row(rid, "data, origin, report_json")
        try:
            new = _parse_bytes(bytes(data), str(origin))
        except Exception as exc:
            reason = exc.reason if isinstance(exc, InputError) else _internal_error_reason(exc)
            if old_json is not None:
                raise
            with self._tx() as conn:
                conn.execute("UPDATE reports SET error = ? WHERE id = ?", (reason, rid))
            return
        self._replace_reading(rid, new)

    def _replace_reading(
        self, rid: int, new: Report, first: Callable[[sqlite3.Connection], None] | None = None
    ) -> None:
        """Store a new reading of a report (re-parsed, or of a revised file), keeping corrections and decisions:
        a corrected cell whose new reading differs from both its old reading and the correction is flagged.
        `first` runs in the same transaction, before (a revised file replacing the stored one)."""
        (old_json,) = self._row(rid, "report_json")
        old = None if old_json is None else Report.model_validate_json(str(old_json))
        last: dict[str, Number | None] = {}
        for key, value in self._conn.execute(
            "SELECT key, new FROM corrections WHERE report_id = ? ORDER BY id", (rid,)
        ):
            last[str(key)] = value
        flagged: dict[str, str] = {}
        for key, corrected in last.items():
            before = _parsed(old, key)
            after = _parsed(new, key)
            if not same_number(after, before) and not same_number(after, corrected):
                flagged[key] = (
                    f"重新解析后读数为 {format_number(after)}，与原读数 {format_number(before)} "
                    f"和审核修改值 {format_number(corrected)} 都不同，请复核"
                )
        time = now_iso()
        with self._tx() as conn:
            if first is not None:
                first(conn)
            organ_year_before = self._organ_year(rid)
            conn.execute(
                "UPDATE reports SET report_json = ?, error = NULL WHERE id = ?", (new.model_dump_json(), rid)
            )
            conn.executemany(
                "INSERT OR REPLACE INTO conflicts (report_id, key, reason, time) VALUES (?, ?, ?, ?)",
                [(rid, key, reason, time) for key, reason in flagged.items()],
            )
            self._store_summary(rid, self._current_report(rid))
            self._refresh_followers(rid, *organ_year_before)
            if (new.agency, new.year) != organ_year_before:
                self._refresh_followers(rid, new.agency, new.year)

    # ---------------------------------------------------------------- Excel round trip

    def workbook_changes(self, rid: int, path: str | Path) -> list[tuple[str, Number | None, Number | None]]:
        """Cells whose value in a re-imported per-report workbook differs: (key, current, workbook). InputError for
        a workbook of another report or another form (see gikai_desk.excel.reimport)."""
        from gikai_desk.excel.reimport import workbook_changes

        return workbook_changes(self, rid, path)

    def import_workbook(self, rid: int, path: str | Path, reviewer: str = "import") -> list[Correction]:
        """Apply the differences of a re-imported per-report workbook as corrections, in one transaction."""
        changes = self.workbook_changes(rid, path)
        reason = f"imported from {Path(path).name}"
        out: list[Correction] = []
        with self._tx():
            report = self._current_report(rid)
            for key, _current, value in changes:
                out.append(self._record_correction(rid, report, key, check_value(value), reviewer, reason))
            self._store_summary(rid, report)
            if report is not None:
                self._refresh_followers(rid, report.agency, report.year)
        return out


def _apply(report: Report, key: str, value: Number | None) -> None:
    cell = report.cells.get(key)
    if cell is None:
        cell = Cell(key=key, parsed=None, raw="")
        report.cells[key] = cell
    cell.value = value
    cell.corrected = True


def _parsed(report: Report | None, key: str) -> Number | None:
    if report is None:
        return None
    cell = report.cells.get(key)
    return None if cell is None else cell.parsed


def _template_text(report: Report) -> str | None:
    if report.mixed_forms:
        return "混合 " + "/".join(f"{t}:{v}" for t, v in sorted(report.forms.items()))
    return report.template


def _check(report: Report) -> list[Violation]:
    from gikai_desk.rules import check

    return check(report)


__all__ = [
    "SCHEMA_VERSION",
    "SUFFIX",
    "Workspace",
    "WorkspaceError",
    "now_iso",
    "same_number",
]
