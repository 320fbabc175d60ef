"""`gikai-desk workspace copy SRC DST`: a whole workspace from one store to the other (file <-> server).

Everything is copied with its ids: reports with their original bytes and parsed reading, corrections, decisions,
the decision log, re-parse conflicts, the status/note log, review status, notes, report versions (the version
number and the earlier files of revised reports) and removed reports. Claims are
not (they belong to the clients connected to the source). The target must be new (a file that does not exist yet,
or a database without a workspace); the copy is one transaction there: all of it, or nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from gikai_desk.workspace import Workspace, WorkspaceError
from gikai_desk.workspace.db import is_url

REPORT_COLUMNS = (
    "id, file, origin, data, report_json, error, status, note, added, agency, year, template, errors, warnings, "
    "unsure, summary_stale, version, changed_by, changed_at, last_tx, removed"
)
TABLES: tuple[tuple[str, str, str, tuple[int, ...]], ...] = (
    # table, columns, order, positions of cell values (JSONB on PostgreSQL)
    ("corrections", "id, report_id, key, old, new, reviewer, time, reason", "id", (3, 4)),
    ("decisions", "report_id, ident, rule, location, kind, note, reviewer, time", "report_id, ident", ()),
    ("decision_log", "id, report_id, ident, kind, note, reviewer, time", "id", ()),
    ("conflicts", "report_id, key, reason, time", "report_id, key", ()),
    ("report_log", "id, report_id, what, value, reviewer, time", "id", ()),
    ("report_versions", "id, report_id, file, origin, data, report_json, added, replaced", "id", ()),
)
IDENTITY_TABLES = ("reports", "corrections", "decision_log", "report_log", "report_versions")


def copy_workspace(source: str, target: str, progress: Callable[[int, int], None] | None = None) -> int:
    """Copy the workspace at `source` into a new workspace at `target` (paths or postgresql:// addresses).
    Returns the number of reports copied. Raises WorkspaceError (source unusable, target exists…)."""
    with Workspace.open(source) as src:
        ids = [int(r[0]) for r in src._conn.execute("SELECT id FROM reports ORDER BY id").fetchall()]
        created_file = not is_url(target) and not Path(target).exists()
        dst = Workspace.create(target)
        try:
            with dst._tx() as conn:
                marks = ", ".join("?" for _ in REPORT_COLUMNS.split(","))
                for done, rid in enumerate(ids, start=1):  # one at a time: the original bytes may be large
                    row = src._conn.execute(
                        f"SELECT {REPORT_COLUMNS} FROM reports WHERE id = ?", (rid,)
                    ).fetchone()
                    values = list(row)
                    values[3] = bytes(values[3])
                    conn.execute(f"INSERT INTO reports ({REPORT_COLUMNS}) VALUES ({marks})", tuple(values))
                    if progress is not None:
                        progress(done, len(ids))
                for table, columns, order, numbers in TABLES:
                    rows = src._conn.execute(f"SELECT {columns} FROM {table} ORDER BY {order}").fetchall()
                    if not rows:
                        continue
                    marks = ", ".join("?" for _ in columns.split(","))
                    conn.executemany(
                        f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                        [
                            tuple(
                                dst._num(v) if i in numbers else bytes(v) if isinstance(v, memoryview) else v
                                for i, v in enumerate(row)
                            )
                            for row in rows
                        ],
                    )
                if dst.is_shared:  # the next id handed out follows the copied ones
                    for table in IDENTITY_TABLES:
                        conn.execute(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                        )
                dst._notify_all()
        except BaseException:
            dst.close()
            if created_file:
                for suffix in ("", "-wal", "-shm"):
                    with contextlib.suppress(OSError):
                        Path(target + suffix).unlink()
            raise
        dst.close()
    return len(ids)


__all__ = ["WorkspaceError", "copy_workspace"]
