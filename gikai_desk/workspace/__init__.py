"""A batch of reports under review, kept in one SQLite file (.gikai) or a PostgreSQL database shared by several
reviewers; every edit is committed as it is made."""

from __future__ import annotations

import getpass
import json
import logging
import math
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn, get_args

from gikai_desk.errors import InputError
from gikai_desk.forms import formbook
from gikai_desk.model import Cell, Number, Report, Violation
from gikai_desk.pending import pending_counts, review_items
from gikai_desk.review import (
    Correction,
    Decision,
    DecisionEvent,
    DecisionKind,
    ReportEvent,
    ReportSummary,
    ReviewStatus,
)
from gikai_desk.rules import carry_findings, organ_key
from gikai_desk.workspace.db import (
    CHANNEL,
    Listener,
    Num,
    PgConnection,
    connection_reason,
    is_url,
    redact_url,
)
from gikai_desk.workspace.errors import ClaimedError, ConflictError, ConnectionLostError, WorkspaceError
from gikai_desk.workspace.schema import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    migrate,
    pg_is_workspace,
    pg_migrate,
    pg_schema_version,
    schema_version,
)

log = logging.getLogger(__name__)

SUFFIX = ".gikai"
MAX_ABS_VALUE = 1e15
"""Largest magnitude a cell value may have (keeps integers inside SQLite's 64-bit range)."""


_RETURNING = sqlite3.sqlite_version_info >= (3, 35)
"""UPDATE … RETURNING (PostgreSQL always; SQLite from 3.35, older system libraries read the row again)."""

LEASE_SECONDS = 30.0
"""How long a claim lasts without a heartbeat: a client that died frees its reports after this long."""
HEARTBEAT_SECONDS = 10.0
"""How often a window renews its claims (Workspace.heartbeat)."""


def default_reviewer() -> str:
    """The operating-system user name (the reviewer's name when none is configured)."""
    try:
        return getpass.getuser() or "reviewer"
    except Exception:  # no user name in the environment (e.g. some service accounts)
        return "reviewer"


@dataclass(frozen=True)
class Claim:
    """Who has a report open for editing: reviewer name, client (one per open Workspace), since when."""

    report_id: int
    reviewer: str
    client: str
    since: str
    mine: bool


@dataclass(frozen=True)
class Change:
    """A change committed by another client: the reports it touched (None: reload everything)."""

    client: str | None
    reports: tuple[int, ...] | None


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
    synchronous=FULL (SQLite) or a synchronous commit (PostgreSQL): once a call returns, the change survives a
    killed process and a power cut. The object may only be used from the thread that opened it.

    Several reviewers (PostgreSQL): every change to a report raises its version; a write is refused with
    ConflictError when the report changed since this client read it (`report(rid)`) or when another client
    holds a live claim on it (ClaimedError). `claim`/`heartbeat`/`release` manage claims (leases);
    `changes()` returns what other clients committed (LISTEN/NOTIFY).
    """

    def __init__(
        self,
        location: str,
        conn: Any,
        url: str | None = None,
        reviewer: str | None = None,
    ) -> None:
        self.location = location
        """The file path, or the server address without its password."""
        self.path = Path(location)
        self.url = url
        """The PostgreSQL address (None for a file)."""
        self.backend = "postgresql" if url is not None else "sqlite"
        self.reviewer = (reviewer or "").strip() or default_reviewer()
        self.client = uuid.uuid4().hex
        self._conn = conn
        self._thread = threading.get_ident()
        self._seen: dict[int, int] = {}
        self._tx_versions: dict[int, int] = {}
        self._tx_notify: set[int] | None = None
        self._tx_token = ""
        self._claimed: set[int] = set()
        self._listener: Listener | None = None
        self._data_version: int | None = None
        now = "extract(epoch from clock_timestamp())::float8"
        self._now = now if self.is_shared else "((julianday('now') - 2440587.5) * 86400.0)"

    @property
    def is_shared(self) -> bool:
        """True for a PostgreSQL workspace (several reviewers), False for a .gikai file."""
        return self.url is not None

    # ---------------------------------------------------------------- opening

    @classmethod
    def create(cls, path: str | Path, reviewer: str | None = None) -> Workspace:
        """Create a new, empty workspace: a file, or in a PostgreSQL database (`postgresql://…`).
        Raises WorkspaceError when the file exists or the database already holds a workspace."""
        if is_url(path):
            return cls._connect_pg(str(path), "create", reviewer)
        target = Path(path)
        if target.exists():
            raise WorkspaceError(target, "文件已存在 file already exists")
        return cls._connect(target, create=True, reviewer=reviewer)

    @classmethod
    def open(cls, path: str | Path, reviewer: str | None = None) -> Workspace:
        """Open an existing workspace (file or `postgresql://…`), migrating an older schema.
        Raises WorkspaceError when it cannot (with the reason: not found, unreachable server, credentials…)."""
        if is_url(path):
            return cls._connect_pg(str(path), "open", reviewer)
        target = Path(path)
        if not target.is_file():
            raise WorkspaceError(target, "找不到工作区文件 workspace file not found")
        return cls._connect(target, create=False, reviewer=reviewer)

    @classmethod
    def open_or_create(cls, path: str | Path, reviewer: str | None = None) -> Workspace:
        if is_url(path):
            return cls._connect_pg(str(path), "either", reviewer)
        target = Path(path)
        return cls.open(target, reviewer) if target.exists() else cls.create(target, reviewer)

    @classmethod
    def _connect_pg(cls, url: str, mode: str, reviewer: str | None) -> Workspace:
        import psycopg

        url = url.strip()
        shown = redact_url(url)
        try:
            conn = PgConnection(url)
        except psycopg.Error as exc:
            raise WorkspaceError(shown, connection_reason(exc)) from exc
        try:
            exists = pg_is_workspace(conn)
            if mode == "create" and exists:
                raise WorkspaceError(shown, "数据库中已有工作区 the database already holds a workspace")
            if mode == "open" and not exists:
                if pg_schema_version(conn) == 0:
                    reason = "数据库中没有工作区（请先新建） no gikai-desk workspace in this database"
                else:
                    reason = "不是 gikai-desk 工作区 not a gikai-desk workspace"
                raise WorkspaceError(shown, reason)
            pg_migrate(conn)
        except WorkspaceError:
            conn.close()
            raise
        except ValueError as exc:
            conn.close()
            raise WorkspaceError(shown, f"由更新版本创建 made by a newer version: {exc}") from exc
        except psycopg.Error as exc:
            conn.close()
            raise WorkspaceError(shown, f"数据库出错 database error: {' '.join(str(exc).split())}") from exc
        workspace = cls(shown, conn, url=url, reviewer=reviewer)
        workspace._refresh_stale_summaries()
        return workspace

    @classmethod
    def _connect(cls, path: Path, create: bool, reviewer: str | None = None) -> Workspace:
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
        workspace = cls(str(path), conn, reviewer=reviewer)
        workspace._refresh_stale_summaries()
        return workspace

    def close(self) -> None:
        """Release this client's claims (best effort: a dead connection lets them expire) and disconnect."""
        if self._claimed and threading.get_ident() == self._thread:
            try:
                with self._tx() as conn:
                    conn.execute("DELETE FROM claims WHERE client = ?", (self.client,))
                    self._tx_notify = None if self._tx_notify is None else self._tx_notify | self._claimed
            except Exception:  # the server is gone: the claims expire by themselves
                log.info("could not release claims of %s", self.location, exc_info=True)
        self._claimed.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self._conn.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        self._check_thread()
        return pg_schema_version(self._conn) if self.is_shared else schema_version(self._conn)

    # ---------------------------------------------------------------- internals

    def _check_thread(self) -> None:
        if threading.get_ident() != self._thread:
            raise WorkspaceError(self.path, "工作区只能在打开它的线程中使用 used from another thread")
        if self.is_shared and self._conn.broken:
            self._reconnect()

    def _reconnect(self) -> None:
        try:
            self._conn.reconnect()
        except Exception as exc:
            raise ConnectionLostError(self.location, connection_reason(exc)) from exc
        log.info("reconnected to %s", self.location)

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        """One write transaction: BEGIN IMMEDIATE ... COMMIT (rolled back on any exception).

        PostgreSQL: the reports it touched are announced (NOTIFY) on commit. A connection lost before COMMIT
        raises ConnectionLostError(saved=False); lost during COMMIT, the client reconnects and looks for this
        transaction's mark (reports.last_tx): found, the change was saved and the call returns normally.
        """
        self._tx_versions = {}
        self._tx_notify = set()
        self._tx_token = uuid.uuid4().hex
        try:
            self._check_thread()  # reconnects after an outage
            self._conn.execute("BEGIN IMMEDIATE")
        except ConnectionLostError as exc:
            raise ConnectionLostError(self.location, exc.detail, saved=False, write=True) from exc
        try:
            yield self._conn
            if self.is_shared and (self._tx_notify is None or self._tx_notify):
                ids: list[int] | None = None if self._tx_notify is None else sorted(self._tx_notify)
                if ids is not None and len(ids) > 200:
                    ids = None
                payload = json.dumps({"c": self.client, "r": ids})
                self._conn.execute("SELECT pg_notify(?, ?)", (CHANNEL, payload))
        except BaseException as exc:
            if isinstance(exc, ConnectionLostError):
                raise ConnectionLostError(self.location, exc.detail, saved=False, write=True) from exc
            try:
                self._conn.execute("ROLLBACK")
            except ConnectionLostError as lost:
                raise ConnectionLostError(self.location, lost.detail, saved=False, write=True) from exc
            if self.is_shared and _is_database_error(exc):  # a deadlock, a cancelled statement…: one message
                detail = " ".join(str(exc).split()) or type(exc).__name__
                raise WorkspaceError(
                    self.location, f"数据库出错，这次修改未保存 database error, change not saved: {detail}"
                ) from exc
            raise
        try:
            self._conn.execute("COMMIT")
        except ConnectionLostError as exc:
            if not self._committed_after_all():
                raise ConnectionLostError(self.location, exc.detail, saved=None, write=True) from exc
            log.warning("connection lost during COMMIT on %s; the change was saved", self.location)
        self._seen.update(self._tx_versions)

    def _committed_after_all(self) -> bool:
        """After a connection lost during COMMIT: did the transaction commit? (its mark is on a report)"""
        if not self._tx_versions:
            return False
        try:
            self._reconnect()
            found = self._conn.execute(
                "SELECT 1 FROM reports WHERE last_tx = ? LIMIT 1", (self._tx_token,)
            ).fetchone()
        except ConnectionLostError:
            return False
        return found is not None

    def _touch(self, rid: int, version: int | None = None) -> None:
        """Inside a write transaction: raise the report's version, refusing the write when another client holds a
        live claim on it (ClaimedError) or it changed since this client read it (or since `version`)."""
        expect = self._seen.get(rid) if version is None else version
        sql = (
            "UPDATE reports SET version = version + 1, changed_by = ?, changed_at = ?, last_tx = ? WHERE id = ? "
            "AND NOT EXISTS (SELECT 1 FROM claims WHERE claims.report_id = reports.id AND claims.client <> ? "
            f"AND claims.expires > {self._now})"
        )
        args: tuple[object, ...] = (self.reviewer, now_iso(), self._tx_token, rid, self.client)
        if expect is not None:
            sql += " AND version = ?"
            args += (expect,)
        if self.is_shared or _RETURNING:
            row = self._conn.execute(sql + " RETURNING version", args).fetchone()
        else:
            updated = self._conn.execute(sql, args).rowcount
            row = (
                self._conn.execute("SELECT version FROM reports WHERE id = ?", (rid,)).fetchone()
                if updated
                else None
            )
        if row is None:
            self._refuse(rid, expect)
        self._tx_versions[rid] = int(row[0])
        if self._tx_notify is not None:
            self._tx_notify.add(rid)

    def _refuse(self, rid: int, expect: int | None) -> NoReturn:
        """Why _touch could not change the report: raises KeyError, ClaimedError or ConflictError."""
        row = self._conn.execute(
            "SELECT version, changed_by, changed_at, file FROM reports WHERE id = ?", (rid,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no report {rid} in workspace {self.location}")
        holder = self._conn.execute(
            f"SELECT reviewer FROM claims WHERE report_id = ? AND client <> ? AND expires > {self._now}",
            (rid, self.client),
        ).fetchone()
        if holder is not None:
            raise ClaimedError(self.location, str(holder[0]))
        raise ConflictError(
            self.location,
            f"《{row[3]}》已被 {row[1] or '另一位审核人'} 于 {row[2] or '?'} 修改（版本 {row[0]}，"
            f"您看到的是版本 {expect}），您的修改未保存，请重新打开该报告后再改 — changed by "
            f"{row[1] or 'another reviewer'} at {row[2] or '?'}; your change was not saved",
            changed_by=None if row[1] is None else str(row[1]),
        )

    def _notify_all(self) -> None:
        """Inside a write transaction: other clients should reload the whole queue."""
        self._tx_notify = None

    def _num(self, value: Number | None) -> object:
        return Num(value) if self.is_shared else value

    def _insert_id(self, sql: str, args: tuple[object, ...]) -> int:
        if self.is_shared:
            return int(self._conn.execute(sql + " RETURNING id", args).fetchone()[0])
        return int(self._conn.execute(sql, args).lastrowid or 0)

    def _row(self, rid: int, columns: str) -> tuple[Any, ...]:
        self._check_thread()
        row = self._conn.execute(f"SELECT {columns} FROM reports WHERE id = ?", (rid,)).fetchone()
        if row is None:
            raise KeyError(f"no report {rid} in workspace {self.location}")
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
        if self._tx_notify is not None:  # its queue row changes: other clients re-read it
            self._tx_notify.add(rid)
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

    def _previous_year_id(self, rid: int, agency: str | None, year: int | None) -> int | None:
        """The report CROSS_YEAR_CARRY compares report `rid` (of `agency`, `year`) with: the first of the same
        organ, the year before."""
        if year is None:
            return None
        found = self._same_organ_ids(agency, year - 1, rid)
        return found[0] if found else None

    def _cross_year(self, rid: int, report: Report) -> list[Violation]:
        previous_id = self._previous_year_id(rid, report.agency, report.year)
        if previous_id is None:
            return []
        previous = self._current_report(previous_id)
        return [] if previous is None else carry_findings(report, previous)

    def cross_year_violations(self, rid: int) -> list[Violation]:
        """CROSS_YEAR_CARRY findings of the report against the same organ's report of the year before, if any.

        Included in violations(rid) and in the queue counts; a GUI that re-runs the rules itself adds these.
        """
        self._check_thread()  # a read that does not count as reading the report for a later write (see report())
        report = self._current_report(rid)
        return [] if report is None else self._cross_year(rid, report)

    def previous_year_report(self, rid: int) -> Report | None:
        """The same organ's report of the year before (with its corrections), which CROSS_YEAR_CARRY uses. Reads
        only the stored organ and year of `rid` (not report(): that would record a version to write against)."""
        previous_id = self._previous_year_id(rid, *self._organ_year(rid))
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
        time = now_iso()
        rid = self._insert_id(
            "INSERT INTO reports (file, origin, data, report_json, error, added, summary_stale, changed_by, "
            "changed_at, last_tx) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
            (
                Path(name).name or name,
                name,
                data,
                None if report is None else report.model_dump_json(),
                error if report is None else None,
                time,
                self.reviewer,
                time,
                self._tx_token,
            ),
        )
        self._tx_versions[rid] = 0
        self._notify_all()
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

    def remove(self, rid: int, version: int | None = None) -> None:
        """Take a report out of the queue. It stays in the workspace, with everything recorded about it, until
        restore() brings it back (removed_reports() lists them)."""
        with self._tx() as conn:
            self._touch(rid, version)
            self._notify_all()
            agency, year = self._organ_year(rid)
            conn.execute("UPDATE reports SET removed = ? WHERE id = ?", (now_iso(), rid))
            self._refresh_followers(rid, agency, year)
        self._seen.pop(rid, None)
        self._claimed.discard(rid)

    def restore(self, rid: int) -> None:
        """Bring a removed report back into the queue."""
        with self._tx() as conn:
            self._touch(rid, self.version(rid))
            self._notify_all()
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

    def revise(self, rid: int, name: str, data: bytes, report: Report, version: int | None = None) -> None:
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

        self._replace_reading(rid, report, keep_earlier_file, version)

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
        """The review queue, from stored summary columns (one query, no parsing), with who else is editing what."""
        self._check_thread()
        rows = self._conn.execute(
            "SELECT id, file, agency, year, template, status, errors, warnings, unsure, error, note, version, "
            "changed_by, changed_at FROM reports WHERE removed IS NULL ORDER BY id"
        ).fetchall()
        holders = self._other_claims()
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
                version=r[11],
                changed_by=r[12],
                changed_at=r[13],
                claimed_by=holders.get(int(r[0])),
            )
            for r in rows
        ]

    def _other_claims(self) -> dict[int, str]:
        rows = self._conn.execute(
            f"SELECT report_id, reviewer FROM claims WHERE client <> ? AND expires > {self._now}",
            (self.client,),
        ).fetchall()
        return {int(r[0]): str(r[1]) for r in rows}

    def summary(self, rid: int) -> ReportSummary:
        for item in self._summaries_where("id = ?", (rid,)):
            return item
        raise KeyError(f"no report {rid} in workspace {self.path}")

    def _summaries_where(self, where: str, args: tuple[object, ...]) -> list[ReportSummary]:
        self._check_thread()
        rows = self._conn.execute(
            "SELECT id, file, agency, year, template, status, errors, warnings, unsure, error, note, version, "
            f"changed_by, changed_at FROM reports WHERE {where} ORDER BY id",
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
            "version",
            "changed_by",
            "changed_at",
        )
        holders = self._other_claims() if rows else {}
        return [
            ReportSummary.model_validate(
                {**dict(zip(names, r, strict=True)), "claimed_by": holders.get(int(r[0]))}
            )
            for r in rows
        ]

    def report(self, rid: int) -> Report | None:
        """The report with corrections applied (value = corrected value, corrected=True); None if unreadable.

        A cell whose re-parsed reading differs from both its old reading and the reviewer's correction keeps the
        correction as its value but comes back unsettled (sure=False, corrected=False, flag = why) until a
        reviewer sets it again.

        Records the version read: a later change by this client is refused (ConflictError) if another client
        changed the report in between.
        """
        self._check_thread()
        (version,) = self._row(rid, "version")
        report = self._current_report(rid)
        self._seen[rid] = int(version)
        return report

    def seen_version(self, rid: int) -> int | None:
        """The version this client last read (report()) or wrote; writes are checked against it."""
        return self._seen.get(rid)

    def version(self, rid: int) -> int:
        """The report's current version (raised by every change to it)."""
        (version,) = self._row(rid, "version")
        return int(version)

    def report_log(self, rid: int) -> list[ReportEvent]:
        """Every change of the report's review status and note (who, when), oldest first."""
        self._check_thread()
        rows = self._conn.execute(
            "SELECT what, value, reviewer, time FROM report_log WHERE report_id = ? ORDER BY id", (rid,)
        ).fetchall()
        return [ReportEvent(what=r[0], value=r[1], reviewer=r[2], time=r[3]) for r in rows]

    def parsed_report(self, rid: int) -> Report | None:
        """The report exactly as the parser read it, without corrections."""
        self._check_thread()
        return self._base_report(rid)

    def violations(self, rid: int) -> list[Violation]:
        """The report's findings: its own rules, then CROSS_YEAR_CARRY against last year's report of its organ."""
        self._check_thread()
        report = self._current_report(rid)
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
        self,
        rid: int,
        key: str,
        value: Number | None,
        reviewer: str | None = None,
        reason: str | None = None,
        version: int | None = None,
    ) -> Correction:
        """Record a reviewer's value for one cell (committed before returning).

        Refused with ConflictError when the report changed since this client read it (or since `version`),
        ClaimedError when another reviewer is editing it."""
        checked = check_value(value)
        reviewer = reviewer or self.reviewer
        with self._tx():
            self._touch(rid, version)
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
            (rid, key, self._num(old), self._num(value), reviewer, correction.time, reason),
        )
        self._conn.execute("DELETE FROM conflicts WHERE report_id = ? AND key = ?", (rid, key))
        _apply(report, key, value)
        return correction

    def decide(
        self,
        rid: int,
        ident: str,
        kind: DecisionKind | None,
        note: str,
        reviewer: str | None = None,
        version: int | None = None,
    ) -> None:
        """Record (or with kind=None withdraw) a decision on the finding `ident` ("RULE@where").

        A decision (kind not None) is refused with ValueError unless `ident` is a current finding of the report
        (fail or cannot_check, CROSS_YEAR_CARRY included); withdrawing is always allowed, so a decision left on
        a finding that has since gone away can still be taken back.
        """
        if kind is not None and kind not in get_args(DecisionKind):
            raise ValueError(f"unknown decision kind {kind!r}")
        rule, _, where = ident.partition("@")
        time = now_iso()
        reviewer = reviewer or self.reviewer
        with self._tx() as conn:
            self._touch(rid, version)
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
                    "INSERT INTO decisions (report_id, ident, rule, location, kind, note, reviewer, time) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (report_id, ident) DO UPDATE SET "
                    "rule = excluded.rule, location = excluded.location, kind = excluded.kind, "
                    "note = excluded.note, reviewer = excluded.reviewer, time = excluded.time",
                    (rid, ident, rule, where, kind, note, reviewer, time),
                )
            conn.execute(
                "INSERT INTO decision_log (report_id, ident, kind, note, reviewer, time) VALUES (?, ?, ?, ?, ?, ?)",
                (rid, ident, kind, note, reviewer, time),
            )
            self._store_summary(rid, report)

    def set_status(
        self, rid: int, status: ReviewStatus, reviewer: str | None = None, version: int | None = None
    ) -> None:
        if status not in get_args(ReviewStatus):
            raise ValueError(f"unknown review status {status!r}")
        with self._tx() as conn:
            self._touch(rid, version)
            conn.execute("UPDATE reports SET status = ? WHERE id = ?", (status, rid))
            self._log(rid, "status", status, reviewer)

    def set_note(self, rid: int, note: str, reviewer: str | None = None, version: int | None = None) -> None:
        with self._tx() as conn:
            self._touch(rid, version)
            conn.execute("UPDATE reports SET note = ? WHERE id = ?", (note, rid))
            self._log(rid, "note", note, reviewer)

    def _log(self, rid: int, what: str, value: str, reviewer: str | None) -> None:
        self._conn.execute(
            "INSERT INTO report_log (report_id, what, value, reviewer, time) VALUES (?, ?, ?, ?, ?)",
            (rid, what, value, reviewer or self.reviewer, now_iso()),
        )

    def reparse(self, rid: int, version: int | None = None) -> None:
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
                self._touch(rid, version)
                conn.execute("UPDATE reports SET error = ? WHERE id = ?", (reason, rid))
            return
        self._replace_reading(rid, new, version=version)

    def _replace_reading(
        self,
        rid: int,
        new: Report,
        first: Callable[[sqlite3.Connection], None] | None = None,
        version: int | None = None,
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
            self._touch(rid, version)
            if first is not None:
                first(conn)
            organ_year_before = self._organ_year(rid)
            conn.execute(
                "UPDATE reports SET report_json = ?, error = NULL WHERE id = ?", (new.model_dump_json(), rid)
            )
            conn.executemany(
                "INSERT INTO conflicts (report_id, key, reason, time) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (report_id, key) DO UPDATE SET reason = excluded.reason, time = excluded.time",
                [(rid, key, reason, time) for key, reason in flagged.items()],
            )
            self._store_summary(rid, self._current_report(rid))
            self._refresh_followers(rid, *organ_year_before)
            if (new.agency, new.year) != organ_year_before:
                self._refresh_followers(rid, new.agency, new.year)

    # ---------------------------------------------------------------- several reviewers

    def claim(self, rid: int, take_over: bool = False) -> Claim:
        """Open the report for editing: a lease of LEASE_SECONDS, kept alive by heartbeat().

        Raises ClaimedError when another client holds a live claim, unless `take_over` (the other reviewer's
        further writes are then refused). Renewing one's own claim always succeeds.
        """
        with self._tx() as conn:
            self._row(rid, "id")
            sql = (
                "INSERT INTO claims (report_id, reviewer, client, since, expires) "
                f"VALUES (?, ?, ?, ?, {self._now} + ?) ON CONFLICT (report_id) DO UPDATE SET "
                "reviewer = excluded.reviewer, client = excluded.client, expires = excluded.expires, "
                "since = CASE WHEN claims.client = excluded.client THEN claims.since ELSE excluded.since END"
            )
            if not take_over:
                sql += f" WHERE claims.client = excluded.client OR claims.expires <= {self._now}"
            cursor = conn.execute(sql, (rid, self.reviewer, self.client, now_iso(), LEASE_SECONDS))
            if cursor.rowcount == 0:
                holder = conn.execute("SELECT reviewer FROM claims WHERE report_id = ?", (rid,)).fetchone()
                raise ClaimedError(self.location, "?" if holder is None else str(holder[0]))
            if self._tx_notify is not None:
                self._tx_notify.add(rid)
        self._claimed.add(rid)
        claim = self.claim_of(rid)
        assert claim is not None
        return claim

    def release(self, rid: int) -> None:
        """Close the report for editing (others may claim it at once)."""
        with self._tx() as conn:
            conn.execute("DELETE FROM claims WHERE report_id = ? AND client = ?", (rid, self.client))
            if self._tx_notify is not None:
                self._tx_notify.add(rid)
        self._claimed.discard(rid)

    def heartbeat(self) -> list[int]:
        """Renew this client's claims (call every HEARTBEAT_SECONDS). Returns the reports whose claim was lost
        (taken over by another reviewer, or expired and claimed by another): their editors go read-only."""
        if not self._claimed:
            return []
        with self._tx() as conn:
            conn.execute(
                f"UPDATE claims SET expires = {self._now} + ? WHERE client = ?", (LEASE_SECONDS, self.client)
            )
            rows = conn.execute("SELECT report_id FROM claims WHERE client = ?", (self.client,)).fetchall()
        held = {int(r[0]) for r in rows}
        lost = sorted(self._claimed - held)
        self._claimed &= held
        return lost

    def claim_of(self, rid: int) -> Claim | None:
        """The live claim on the report (this client's or another's), None when nobody is editing it."""
        self._check_thread()
        row = self._conn.execute(
            f"SELECT reviewer, client, since FROM claims WHERE report_id = ? AND expires > {self._now}",
            (rid,),
        ).fetchone()
        if row is None:
            return None
        return Claim(rid, str(row[0]), str(row[1]), str(row[2]), str(row[1]) == self.client)

    def changes(self, timeout: float = 0.0) -> list[Change]:
        """What other clients committed since the last call (waiting up to `timeout` s for something).

        PostgreSQL: LISTEN/NOTIFY on a second connection (opened by the first call; `notify_fileno()` gives its
        socket for a QSocketNotifier). SQLite: PRAGMA data_version (a Change with reports None when another
        connection committed anything). After a lost listening connection everything is reported as changed.
        """
        self._check_thread()
        if not self.is_shared:
            (data_version,) = self._conn.execute("PRAGMA data_version").fetchone()
            before, self._data_version = self._data_version, int(data_version)
            return [] if before is None or before == data_version else [Change(None, None)]
        import psycopg

        assert self.url is not None
        if self._listener is None:
            try:
                self._listener = Listener(self.url)
            except psycopg.Error as exc:
                raise ConnectionLostError(self.location, connection_reason(exc)) from exc
            return []
        out: list[Change] = []
        try:
            for payload in self._listener.payloads(timeout):
                try:
                    data = json.loads(payload)
                    client, ids = data.get("c"), data.get("r")
                except (ValueError, AttributeError):
                    client, ids = None, None
                if client == self.client:
                    continue
                out.append(Change(client, None if ids is None else tuple(int(i) for i in ids)))
        except psycopg.Error:
            log.warning("listening connection to %s lost; reconnecting", self.location, exc_info=True)
            self._listener.close()
            self._listener = None
            return [Change(None, None)]
        return out

    def notify_fileno(self) -> int | None:
        """The socket notifications arrive on (PostgreSQL, after a first changes()); None for a file."""
        return None if self._listener is None else self._listener.fileno()

    # ---------------------------------------------------------------- Excel round trip

    def workbook_changes(self, rid: int, path: str | Path) -> list[tuple[str, Number | None, Number | None]]:
        """Cells whose value in a re-imported per-report workbook differs: (key, current, workbook). InputError for
        a workbook of another report or another form (see gikai_desk.excel.reimport)."""
        from gikai_desk.excel.reimport import workbook_changes

        return workbook_changes(self, rid, path)

    def import_workbook(
        self, rid: int, path: str | Path, reviewer: str = "import", version: int | None = None
    ) -> list[Correction]:
        """Apply the differences of a re-imported per-report workbook as corrections, in one transaction."""
        changes = self.workbook_changes(rid, path)
        reason = f"imported from {Path(path).name}"
        out: list[Correction] = []
        with self._tx():
            self._touch(rid, version)
            report = self._current_report(rid)
            for key, _current, value in changes:
                out.append(self._record_correction(rid, report, key, check_value(value), reviewer, reason))
            self._store_summary(rid, report)
            if report is not None:
                self._refresh_followers(rid, report.agency, report.year)
        return out


def _is_database_error(exc: BaseException) -> bool:
    import psycopg

    return isinstance(exc, psycopg.Error)


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
    "HEARTBEAT_SECONDS",
    "LEASE_SECONDS",
    "SCHEMA_VERSION",
    "SUFFIX",
    "Change",
    "Claim",
    "ClaimedError",
    "ConflictError",
    "ConnectionLostError",
    "Workspace",
    "WorkspaceError",
    "default_reviewer",
    "is_url",
    "now_iso",
    "same_number",
]
