"""The .gikai file format: SQLite schema versions and the migration steps between them."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

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


def _v4_removal_versions_pending(conn: sqlite3.Connection) -> None:
    """Version 4: a removed report stays in the workspace (reports.removed, the time; restore() brings it back);
    a revised file of a report keeps the earlier files in report_versions; the queue counts pending items
    (gikai_desk.pending: unsure rows, not cells), so every stored summary is recounted on open."""
    conn.execute("ALTER TABLE reports ADD COLUMN removed TEXT")
    conn.execute(
        """CREATE TABLE report_versions (
            id INTEGER PRIMARY KEY,
            report_id INTEGER NOT NULL REFERENCES reports(id),
            file TEXT NOT NULL,
            origin TEXT NOT NULL,
            data BLOB NOT NULL,
            report_json TEXT,
            added TEXT NOT NULL,
            replaced TEXT NOT NULL
        )"""
    )
    conn.execute("UPDATE reports SET summary_stale = 1 WHERE report_json IS NOT NULL")


MIGRATIONS: tuple[Migration, ...] = (
    _v1_initial,
    _v2_summary_and_audit,
    _v3_cross_year,
    _v4_removal_versions_pending,
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
