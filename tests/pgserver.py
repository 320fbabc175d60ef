"""A throwaway PostgreSQL server for tests and benchmarks: initdb + pg_ctl in a temporary folder, listening only on
a unix socket there. Under root (CI, some engineers) the server runs as the unprivileged user `nobody`, as
PostgreSQL refuses to run as root. `find_bin_dir()` is None when the server programs are not installed."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

SUPERUSER = "gikai"
PORT = 5432  # only names the socket file; nothing listens on TCP


def find_bin_dir() -> Path | None:
    """The folder with initdb and pg_ctl: $GIKAI_PG_BIN, Debian's /usr/lib/postgresql/<v>/bin, or the PATH."""
    candidates: list[str] = []
    if os.environ.get("GIKAI_PG_BIN"):
        candidates.append(os.environ["GIKAI_PG_BIN"])
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True
    )
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    for folder in candidates:
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


def skip_reason() -> str | None:
    """Why a PostgreSQL test cannot run here, or None."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    if os.name != "posix":
        return "the throwaway server listens on a unix socket (POSIX only)"
    if find_bin_dir() is None:
        return "PostgreSQL server programs (initdb, pg_ctl) not found: apt-get install postgresql, or set GIKAI_PG_BIN"
    return None


class PgServer:
    """One server in its own temporary folder. `url(db)` is a libpq address of database `db` over the socket."""

    def __init__(self, fsync: bool = False) -> None:
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise RuntimeError(skip_reason() or "no PostgreSQL")
        self.bin = bin_dir
        self._as_root = hasattr(os, "geteuid") and os.geteuid() == 0
        # under root in /tmp: `nobody` must be able to reach the folder (root's $TMPDIR may be private); a short
        # path also keeps the socket's name under the 107-byte limit
        self.root = Path(tempfile.mkdtemp(prefix="gikai-pg-", dir="/tmp" if self._as_root else None))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        if self._as_root:  # the server must not run as root: hand the folder to `nobody`
            os.chmod(self.root, 0o755)
            os.chown(self.root, 65534, 65534)
        options = f"-k {self.root} -c listen_addresses='' -p {PORT} -c max_connections=60"
        if not fsync:  # tests: the OS keeps the files; a killed server still loses no committed transaction
            options += " -c fsync=off -c full_page_writes=off"
        self._options = options
        self._run(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-locale"
        )
        self.start()

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, Any] = {}
        if self._as_root:
            kwargs = {"user": 65534, "group": 65534, "extra_groups": []}
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": str(self.root)}
        done = subprocess.run(
            [str(self.bin / program), *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            **kwargs,
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr or done.stdout}\n{log}")
        return done

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            self._options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def url(self, db: str = "postgres") -> str:
        return f"postgresql:///{db}?host={self.root}&port={PORT}&user={SUPERUSER}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its address."""
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PgServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
