"""The .gikai file format: SQLite schema versions and the migration steps between them."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

Migration = Callable[[sqlite3.Connection], None]

APPLICATION_ID = 0x4B494147
"""PRAGMA application_id of a .gikai workspace ('GAIK'), so a random SQLite file is not taken for one."""


def _v1_initial(conn: sqlite3.Connection) -> None:
    """Version 1: documents with their parsed report, corrections, decisions, status and note."""
    conn.execute(
        """CREATE TABLE reports (
            id INTEGER PRIMARY KEY,
            file TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT '',
            data BLOB NOT NULL,
            report_json TEXT,
            error TEXT,
            status TEXT NOT NULL DEFAULT 'pending',
            note TEXT NOT NULL DEFAULT '',
            added TEXT NOT NULL
        )"""
    )
    conn.execute(
        """CREATE TABLE corrections (
            id INTEGER PRIMARY KEY,
            report_id INTEGER NOT NULL REFERENCES reports(id),
            key TEXT NOT NULL,
            old,
            new,
            reviewer TEXT NOT NULL,
            time TEXT NOT NULL,
            reason TEXT
        )"""
    )
    conn.execute(
        """CREATE TABLE decisions (
            report_id INTEGER NOT NULL REFERENCES reports(id),
            ident TEXT NOT NULL,
            rule TEXT NOT NULL,
            location TEXT NOT NULL,
            kind TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            reviewer TEXT NOT NULL,
            time TEXT NOT NULL,
            PRIMARY KEY (report_id, ident)
        )"""
    )


def _v2_summary_and_audit(conn: sqlite3.Connection) -> None:
    """Version 2: stored queue summary columns, re-parse conflicts, decision log and indexes.

    The summary columns of existing rows start empty with `summary_stale` = 1; Workspace.open refreshes them
    (it needs the rules, which this module must not import).
    """
    for column in (
        "agency TEXT",
        "year INTEGER",
        "template TEXT",
        "errors INTEGER NOT NULL DEFAULT 0",
        "warnings INTEGER NOT NULL DEFAULT 0",
        "unsure INTEGER NOT NULL DEFAULT 0",
        "summary_stale INTEGER NOT NULL DEFAULT 1",
    ):
        conn.execute(f"ALTER TABLE reports ADD COLUMN {column}")
    conn.execute(
        """CREATE TABLE conflicts (
            report_id INTEGER NOT NULL REFERENCES reports(id),
            key TEXT NOT NULL,
            reason TEXT NOT NULL,
            time TEXT NOT NULL,
            PRIMARY KEY (report_id, key)
        )"""
    )
    conn.execute(
        """CREATE TABLE decision_log (
            id INTEGER PRIMARY KEY,
            report_id INTEGER NOT NULL REFERENCES reports(id),
            ident TEXT NOT NULL,
            kind TEXT,
            note TEXT NOT NULL DEFAULT '',
            reviewer TEXT NOT NULL,
            time TEXT NOT NULL
        )"""
    )
    conn.execute(
        "INSERT INTO decision_log (report_id, ident, kind, note, reviewer, time) "
        "SELECT report_id, ident, kind, note, reviewer, time FROM decisions"
    )
    conn.execute("CREATE INDEX corrections_by_report ON corrections(report_id, id)")
    conn.execute("CREATE INDEX decision_log_by_report ON decision_log(report_id, id)")


def _v3_cross_year(conn: sqlite3.Connection) -> None:
    """Version 3: the queue counts include CROSS_YEAR_CARRY (same organ, year before), found by (year, agency).

    Every stored summary is marked stale so Workspace.open recounts it with the cross-year findings.
    """
    conn.execute("CREATE INDEX reports_by_year ON reports(year, agency)")
    conn.execute("UPDATE reports SET summary_stale = 1 WHERE report_json IS NOT NULL")


def _v4_reviewers(conn: sqlite3.Connection) -> None:
    """Version 4: several reviewers. Each report gets a version (raised by every change to it, so a write based on
    an older reading is refused), who changed it last and when; `claims` (who is reviewing which report, a lease
    renewed by a heartbeat) and `report_log` (status and note changes: who, when)."""
    for sql in _V4_SQL:
        conn.execute(sql.format(id="INTEGER PRIMARY KEY", real="REAL"))


_V4_SQL = (
    "ALTER TABLE reports ADD COLUMN version INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE reports ADD COLUMN changed_by TEXT",
    "ALTER TABLE reports ADD COLUMN changed_at TEXT",
    "ALTER TABLE reports ADD COLUMN last_tx TEXT",
    """CREATE TABLE claims (
        report_id INTEGER PRIMARY KEY REFERENCES reports(id),
        reviewer TEXT NOT NULL,
        client TEXT NOT NULL,
        since TEXT NOT NULL,
        expires {real} NOT NULL
    )""",
    """CREATE TABLE report_log (
        id {id},
        report_id INTEGER NOT NULL REFERENCES reports(id),
        what TEXT NOT NULL,
        value TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        time TEXT NOT NULL
    )""",
    "CREATE INDEX report_log_by_report ON report_log(report_id, id)",
)


def _v5_removal_versions_pending(conn: sqlite3.Connection) -> None:
    """Version 5: a removed report stays in the workspace (reports.removed, the time; restore() brings it back);
    a revised file of a report keeps the earlier files in report_versions; the queue counts pending items
    (gikai_desk.pending: unsure rows, not cells), so every stored summary is recounted on open."""
    for sql in _V5_SQL:
        conn.execute(sql.format(id="INTEGER PRIMARY KEY", blob="BLOB"))


_V5_SQL = (
    "ALTER TABLE reports ADD COLUMN removed TEXT",
    """CREATE TABLE report_versions (
        id {id},
        report_id INTEGER NOT NULL REFERENCES reports(id),
        file TEXT NOT NULL,
        origin TEXT NOT NULL,
        data {blob} NOT NULL,
        report_json TEXT,
        added TEXT NOT NULL,
        replaced TEXT NOT NULL
    )""",
    "UPDATE reports SET summary_stale = 1 WHERE report_json IS NOT NULL",
)


MIGRATIONS: tuple[Migration, ...] = (
    _v1_initial,
    _v2_summary_and_audit,
    _v3_cross_year,
    _v4_reviewers,
    _v5_removal_versions_pending,
)
"""MIGRATIONS[i] takes a file from user_version i to i + 1. Append new steps; never edit released ones."""

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(
    conn: sqlite3.Connection, target: int = SCHEMA_VERSION, steps: Sequence[Migration] = MIGRATIONS
) -> int:
    """Bring the database to `target`, one transaction per step. Returns the version it started from.

    Raises ValueError for a file written by a newer version of the program (user_version > target).
    """
    start = schema_version(conn)
    if start > target:
        raise ValueError(f"workspace schema version {start} is newer than this program supports ({target})")
    for version in range(start, target):
        conn.execute("BEGIN IMMEDIATE")
        try:
            steps[version](conn)
            if version == 0:
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return start


# ---------------------------------------------------------------- PostgreSQL

PG_ID = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
"""Ids the database hands out, which `workspace copy` may still set explicitly (BY DEFAULT)."""

PG_APPLICATION = "gikai-desk"
PG_LOCK_KEY = 0x4B494147
"""pg_advisory_xact_lock key held while migrating, so two clients opening an old database do not both migrate."""


def _pg_v1(conn: Any) -> None:
    conn.execute(
        f"""CREATE TABLE reports (
            id {PG_ID},
            file TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT '',
            data BYTEA NOT NULL,
            report_json TEXT,
            error TEXT,
            status TEXT NOT NULL DEFAULT 'pending',
            note TEXT NOT NULL DEFAULT '',
            added TEXT NOT NULL
        )"""
    )
    conn.execute(
        f"""CREATE TABLE corrections (
            id {PG_ID},
            report_id BIGINT NOT NULL REFERENCES reports(id),
            key TEXT NOT NULL,
            old JSONB,
            new JSONB,
            reviewer TEXT NOT NULL,
            time TEXT NOT NULL,
            reason TEXT
        )"""
    )
    conn.execute(
        """CREATE TABLE decisions (
            report_id BIGINT NOT NULL REFERENCES reports(id),
            ident TEXT NOT NULL,
            rule TEXT NOT NULL,
            location TEXT NOT NULL,
            kind TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            reviewer TEXT NOT NULL,
            time TEXT NOT NULL,
            PRIMARY KEY (report_id, ident)
        )"""
    )


def _pg_v2(conn: Any) -> None:
    for column in (
        "agency TEXT",
        "year INTEGER",
        "template TEXT",
        "errors INTEGER NOT NULL DEFAULT 0",
        "warnings INTEGER NOT NULL DEFAULT 0",
        "unsure INTEGER NOT NULL DEFAULT 0",
        "summary_stale INTEGER NOT NULL DEFAULT 1",
    ):
        conn.execute(f"ALTER TABLE reports ADD COLUMN {column}")
    conn.execute(
        """CREATE TABLE conflicts (
            report_id BIGINT NOT NULL REFERENCES reports(id),
            key TEXT NOT NULL,
            reason TEXT NOT NULL,
            time TEXT NOT NULL,
            PRIMARY KEY (report_id, key)
        )"""
    )
    conn.execute(
        f"""CREATE TABLE decision_log (
            id {PG_ID},
            report_id BIGINT NOT NULL REFERENCES reports(id),
            ident TEXT NOT NULL,
            kind TEXT,
            note TEXT NOT NULL DEFAULT '',
            reviewer TEXT NOT NULL,
            time TEXT NOT NULL
        )"""
    )
    conn.execute(
        "INSERT INTO decision_log (report_id, ident, kind, note, reviewer, time) "
        "SELECT report_id, ident, kind, note, reviewer, time FROM decisions"
    )
    conn.execute("CREATE INDEX corrections_by_report ON corrections(report_id, id)")
    conn.execute("CREATE INDEX decision_log_by_report ON decision_log(report_id, id)")


def _pg_v4(conn: Any) -> None:
    for sql in _V4_SQL:
        conn.execute(
            sql.format(id=PG_ID, real="DOUBLE PRECISION").replace("report_id INTEGER", "report_id BIGINT")
        )


def _pg_v5(conn: Any) -> None:
    for sql in _V5_SQL:
        conn.execute(sql.format(id=PG_ID, blob="BYTEA").replace("report_id INTEGER", "report_id BIGINT"))


PG_MIGRATIONS: tuple[Callable[[Any], None], ...] = (
    _pg_v1,
    _pg_v2,
    _v3_cross_year,  # plain SQL, the same on both
    _pg_v4,
    _pg_v5,
)
"""The same steps as MIGRATIONS, in PostgreSQL's types; PG_MIGRATIONS[i] takes version i to i + 1."""
assert len(PG_MIGRATIONS) == len(MIGRATIONS)


def pg_schema_version(conn: Any) -> int:
    """The schema version of a PostgreSQL workspace (0: the database holds none)."""
    (table,) = conn.execute("SELECT to_regclass('gikai_meta')::text").fetchone()
    if table is None:
        return 0
    row = conn.execute("SELECT value FROM gikai_meta WHERE key = 'schema_version'").fetchone()
    return 0 if row is None else int(row[0])


def pg_is_workspace(conn: Any) -> bool:
    (table,) = conn.execute("SELECT to_regclass('gikai_meta')::text").fetchone()
    if table is None:
        return False
    row = conn.execute("SELECT value FROM gikai_meta WHERE key = 'application'").fetchone()
    return row is not None and row[0] == PG_APPLICATION


def pg_migrate(conn: Any, target: int = SCHEMA_VERSION) -> int:
    """PostgreSQL's `migrate`: one transaction per step, under an advisory lock. Returns the starting version."""
    start = pg_schema_version(conn)
    if start > target:
        raise ValueError(f"workspace schema version {start} is newer than this program supports ({target})")
    while True:
        conn.execute("BEGIN")
        try:
            conn.execute("SELECT pg_advisory_xact_lock(?)", (PG_LOCK_KEY,))
            version = pg_schema_version(conn)  # another client may have migrated while we waited
            if version >= target:
                conn.execute("COMMIT")
                return start
            if version == 0:
                conn.execute("CREATE TABLE gikai_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                conn.execute(
                    "INSERT INTO gikai_meta VALUES ('application', ?), ('schema_version', '0')",
                    (PG_APPLICATION,),
                )
            PG_MIGRATIONS[version](conn)
            conn.execute("UPDATE gikai_meta SET value = ? WHERE key = 'schema_version'", (str(version + 1),))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
