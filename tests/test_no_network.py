"""No network: opening, extracting, checking and exporting reports never opens an internet socket."""

from __future__ import annotations

import importlib
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CORPUS, SEEDS

from gikai_desk.errors import InputError

REPO = Path(__file__).resolve().parent.parent
INTERNET_FAMILIES = {socket.AF_INET, socket.AF_INET6}


class NetworkAttempt(AssertionError):
    """Raised where code tried to reach the network (and recorded, in case the caller swallows it)."""


class NetworkGuard:
    def __init__(self) -> None:
        self.attempts: list[str] = []

    def refuse(self, what: str) -> NetworkAttempt:
        self.attempts.append(what)
        return NetworkAttempt(f"network access attempted: {what}")


@pytest.fixture
def network_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkGuard]:
    """Every way of opening an internet connection fails and is recorded; the test asserts none happened."""
    guard = NetworkGuard()
    original_init = socket.socket.__init__

    def guarded_init(self: socket.socket, family: int = -1, type: int = -1, proto: int = -1, fileno: int | None = None) -> None:
        effective = socket.AF_INET if family == -1 and fileno is None else family
        if effective in INTERNET_FAMILIES and fileno is None:
            raise guard.refuse(f"socket.socket(family={effective!r})")
        original_init(self, family, type, proto, fileno)

    def refuse(name: str):  # type: ignore[no-untyped-def]
        def refused(*args: object, **kwargs: object) -> object:
            raise guard.refuse(f"{name}{args!r}")

        return refused

    monkeypatch.setattr(socket.socket, "__init__", guarded_init)
    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("socket.getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", refuse("socket.gethostbyname"))
    yield guard
    assert guard.attempts == [], f"code tried to use the network: {guard.attempts}"


def real_reports() -> list[Path]:
    files = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    # the scan is left out here (OCR takes seconds a page, and these tests read every file several times);
    # test_ocr.py reads scans with the same guard
    files += (
        sorted(p for p in CORPUS.glob("*") if p.suffix in {".txt", ".pdf"} and "scan" not in p.stem)
        if CORPUS.is_dir()
        else []
    )
    demo = REPO / "resources" / "demo"
    files += sorted(p for p in demo.glob("*") if p.is_file()) if demo.is_dir() else []
    if not files:
        pytest.skip("no report files: ../shared and resources/demo are absent")
    return files


def require(module: str) -> object:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        pytest.skip(f"module {module} is absent ({exc}); its network check is skipped")


def test_guard_catches_connections(network_guard: NetworkGuard) -> None:
    """The guard itself works: an attempted connection fails and is recorded."""
    with pytest.raises(NetworkAttempt):
        socket.create_connection(("127.0.0.1", 9), timeout=0.1)
    with pytest.raises(NetworkAttempt):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(NetworkAttempt):
        socket.getaddrinfo("example.org", 80)
    assert len(network_guard.attempts) == 3
    network_guard.attempts.clear()


def test_extract_and_check_stay_offline(network_guard: NetworkGuard) -> None:
    from gikai_desk.extract import extract
    from gikai_desk.rules import check

    read = 0
    for path in real_reports():
        try:
            report = extract(path)
        except InputError:
            continue
        check(report)
        read += 1
    assert read > 0, "no report could be read, so nothing was exercised"


def test_cli_check_and_extract_stay_offline(
    network_guard: NetworkGuard, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gikai_desk.cli import main

    files = [str(p) for p in real_reports()]
    assert main(["check", *files, "--xlsx", str(tmp_path / "summary.xlsx")]) in (0, 1, 2)
    assert main(["extract", "--json", *files]) in (0, 1, 2)
    out = capsys.readouterr().out
    assert out.strip(), "the commands printed nothing"


def test_workspace_and_excel_export_stay_offline(network_guard: NetworkGuard, tmp_path: Path) -> None:
    workspace = require("gikai_desk.workspace")
    excel = require("gikai_desk.excel")
    ws = workspace.Workspace.create(tmp_path / "offline.gikai")  # type: ignore[attr-defined]
    try:
        ids = [ws.add_file(path) for path in real_reports()]
        first = next((rid for rid in ids if ws.report(rid) is not None), None)
        if first is not None:
            report = ws.report(first)
            key = next(iter(report.cells), None)
            if key is not None:
                ws.set_cell(first, key, 7, "tester", "offline test")
        excel.export_workspace(ws, tmp_path / "summary.xlsx", tmp_path / "per-report")  # type: ignore[attr-defined]
    finally:
        ws.close()
    assert (tmp_path / "summary.xlsx").is_file()


@pytest.mark.gui
def test_window_open_stays_offline(
    network_guard: NetworkGuard, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: object
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    gui = require("gikai_desk.gui")
    window = gui.create_main_window(tmp_path / "window.gikai")  # type: ignore[attr-defined]
    try:
        window.open_paths(real_reports()[:3])
        assert window.wait_idle(30000)
    finally:
        window.close()


NETWORK_IMPORT = re.compile(
    r"^\s*(?:import|from)\s+(socket|ssl|urllib\.request|http\.client|ftplib|smtplib|requests|httpx|aiohttp"
    r"|PySide6\.QtNetwork|PySide6\.QtWebEngine\w*)\b",
    re.MULTILINE,
)


def test_no_module_imports_a_network_library() -> None:
    offenders = [
        f"{path.relative_to(REPO)}: {match.group(0).strip()}"
        for path in sorted((REPO / "gikai_desk").rglob("*.py"))
        for match in NETWORK_IMPORT.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def _inet_peers() -> list[str]:
    """Remote addresses of this process's open TCP sockets (Linux /proc; libpq's sockets are not Python's)."""
    inodes = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = fd.readlink()
        except OSError:
            continue
        if str(target).startswith("socket:["):
            inodes.add(str(target)[8:-1])
    peers = []
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        lines = Path(table).read_text().splitlines()[1:] if Path(table).exists() else []
        peers += [fields[2] for fields in (line.split() for line in lines) if fields[9] in inodes]
    return peers


def test_shared_workspace_talks_only_to_its_server(network_guard: NetworkGuard, pg_server: object) -> None:
    """A PostgreSQL workspace reaches exactly the configured server (here its unix socket), nothing else."""
    if not Path("/proc/self/net/tcp").exists():
        pytest.skip("needs Linux /proc to list the process's sockets")
    from gikai_desk.workspace import Workspace
    from gikai_desk.workspace.synthetic import synthetic_report

    url = pg_server.create_database()  # type: ignore[attr-defined]
    with Workspace.create(url) as ws:
        report = synthetic_report(1)
        rid = ws.add_document(report.file, b"", report, None)
        ws.changes()
        ws.claim(rid)
        ws.set_cell(rid, "t3.new.natural", 1, "tester")
        ws.changes(timeout=0.1)
        server = ws._conn.raw.info
        assert server.host == str(pg_server.root)  # type: ignore[attr-defined]
        assert _inet_peers() == [], "a TCP connection besides the configured server's socket"
