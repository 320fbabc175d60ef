"""The two stores behind a Workspace: the embedded SQLite file and a PostgreSQL database (psycopg 3).

The Workspace speaks one small SQL dialect (`?` placeholders, portable upserts); `PgConnection` adapts it to
PostgreSQL. Passwords are never handled here: libpq finds them itself (~/.pgpass, the service file
pg_service.conf, PGPASSWORD and the other PG* environment variables), and `sslmode` in the address is honoured.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

URL_SCHEMES = ("postgresql://", "postgres://")
CONNECT_TIMEOUT = 5
"""Seconds to wait for the server before saying it cannot be reached."""
CHANNEL = "gikai_desk"
"""The LISTEN/NOTIFY channel every committed change is announced on."""


def is_url(location: object) -> bool:
    """True for a PostgreSQL address (postgresql://… or postgres://…), False for a workspace file path."""
    return isinstance(location, str) and location.strip().lower().startswith(URL_SCHEMES)


def redact_url(url: str) -> str:
    """The address without a password (for messages, logs and the window title)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "postgresql://…"
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        name = user.split(":", 1)[0]
        netloc = f"{name}@{host}" if name else host
    query = re.sub(r"(?i)(^|&)password=[^&]*", r"\1password=***", parts.query)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def url_without_password(url: str) -> str:
    """The address to remember (preferences): any password dropped; libpq finds it again in pgpass or a service
    file, so we never keep one in plain text."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        name = user.split(":", 1)[0]
        netloc = f"{name}@{host}" if name else host
    query = "&".join(p for p in parts.query.split("&") if p and not p.lower().startswith("password="))
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def connection_reason(exc: BaseException) -> str:
    """One clear line for a failed connection (server unreachable, wrong credentials, missing database…)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    low = text.lower()
    if "password" in low or "authentication" in low:
        return f"用户名或密码错误，或服务器拒绝登录 authentication failed: {text}"
    if "does not exist" in low and "database" in low:
        return f"服务器上没有这个数据库 database does not exist: {text}"
    if "timeout" in low or "timed out" in low:
        return f"连接数据库服务器超时 server did not answer within {CONNECT_TIMEOUT} s: {text}"
    return f"无法连接数据库服务器 cannot connect to the database server: {text}"


_QMARK = re.compile(r"\?")
_INDEXED_BY = re.compile(r"\s+INDEXED BY \w+", re.IGNORECASE)


def to_pg(sql: str) -> str:
    """The Workspace's SQLite-flavoured SQL for PostgreSQL: placeholders, BEGIN, index hints."""
    sql = _INDEXED_BY.sub("", sql)
    if sql.strip().upper() == "BEGIN IMMEDIATE":
        return "BEGIN"
    return _QMARK.sub("%s", sql.replace("%", "%%"))


class PgConnection:
    """A psycopg connection with the sqlite3.Connection methods the Workspace uses (`execute`, `executemany`).

    Autocommit mode: the Workspace opens its transactions itself (BEGIN … COMMIT), one per change.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: Any = self._open()

    def _open(self) -> Any:
        import psycopg

        return psycopg.connect(
            self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT, application_name="gikai-desk"
        )

    @property
    def raw(self) -> Any:
        return self._conn

    @property
    def broken(self) -> bool:
        return bool(self._conn.closed or self._conn.broken)

    def reconnect(self) -> None:
        with contextlib.suppress(Exception):  # already gone
            self._conn.close()
        self._conn = self._open()

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        import psycopg

        try:
            return self._conn.execute(to_pg(sql), tuple(_adapt(a) for a in args))
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            raise self._lost(exc) from exc

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any:
        import psycopg

        try:
            cursor = self._conn.cursor()
            cursor.executemany(to_pg(sql), [tuple(_adapt(a) for a in row) for row in rows])
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            raise self._lost(exc) from exc
        return cursor

    def _lost(self, exc: Exception) -> Exception:
        """ConnectionLostError when the connection broke; the error itself otherwise (deadlock, cancel…)."""
        from gikai_desk.workspace.errors import ConnectionLostError

        if self.broken:
            return ConnectionLostError(redact_url(self.url), " ".join(str(exc).split()) or type(exc).__name__)
        return exc

    def in_transaction(self) -> bool:
        from psycopg import pq

        return bool(self._conn.pgconn.transaction_status != pq.TransactionStatus.IDLE)

    def close(self) -> None:
        self._conn.close()


class Num:
    """A cell value (int, float or None) bound for a JSONB column (keeps 3 and 3.0 apart, as SQLite does)."""

    __slots__ = ("value",)

    def __init__(self, value: int | float | None) -> None:
        self.value = value


def _adapt(value: Any) -> Any:
    if isinstance(value, Num):
        if value.value is None:
            return None
        from psycopg.types.json import Jsonb

        return Jsonb(value.value)
    return value


class Listener:
    """A second connection that LISTENs for committed changes (PostgreSQL)."""

    def __init__(self, url: str) -> None:
        import psycopg

        self._conn: Any = psycopg.connect(
            url, autocommit=True, connect_timeout=CONNECT_TIMEOUT, application_name="gikai-desk listen"
        )
        self._conn.execute(f"LISTEN {CHANNEL}")

    def fileno(self) -> int:
        return int(self._conn.fileno())

    def payloads(self, timeout: float = 0.0) -> Iterator[str]:
        """Payloads of the notifications that arrived (waiting up to `timeout` seconds for the first)."""
        deadline = time.monotonic() + timeout
        first = True
        while True:
            wait = max(0.0, deadline - time.monotonic()) if first else 0.0
            got = False
            for note in self._conn.notifies(timeout=wait, stop_after=1):
                got = True
                yield str(note.payload)
            if not got:
                return
            first = False

    def close(self) -> None:
        self._conn.close()
