"""Several reviewers on one workspace: report versions, claims (leases), live changes, the who/when log, copying
between the file and the server, and what a lost or unreachable server does. Run on both stores where it applies
(`store` fixture: a .gikai file and a throwaway PostgreSQL database)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import gikai_desk.workspace as workspace_module
from gikai_desk.cli import main
from gikai_desk.workspace import (
    ClaimedError,
    ConflictError,
    ConnectionLostError,
    Workspace,
    WorkspaceError,
)
from gikai_desk.workspace.copy import copy_workspace
from gikai_desk.workspace.db import redact_url
from gikai_desk.workspace.synthetic import synthetic_report

KEY = "t3.new.natural"


@pytest.fixture
def pair(store: str) -> Iterator[tuple[Workspace, Workspace, int]]:
    """Two clients (reviewers 甲 and 乙) on one new workspace holding one report."""
    first = Workspace.create(store, reviewer="甲")
    report = synthetic_report(1)
    rid = first.add_document(report.file, report.text.encode("utf-8"), report, None)
    second = Workspace.open(store, reviewer="乙")
    yield first, second, rid
    second.close()
    first.close()


def test_a_write_based_on_an_old_reading_is_refused_and_stores_nothing(
    pair: tuple[Workspace, Workspace, int],
) -> None:
    first, second, rid = pair
    first.report(rid)
    second.report(rid)
    second.set_cell(rid, KEY, 11)
    first.violations(rid)  # looking at findings is not reading the report for an edit
    first.cross_year_violations(rid)
    with pytest.raises(ConflictError, match="乙") as refused:
        first.set_cell(rid, KEY, 22)
    assert refused.value.changed_by == "乙" and "未保存" in refused.value.reason
    assert [(c.new, c.reviewer) for c in first.history(rid)] == [(11, "乙")]
    for change in (lambda: first.set_status(rid, "reviewed"), lambda: first.set_note(rid, "x")):
        with pytest.raises(ConflictError):
            change()
    assert first.summary(rid).status == "pending"
    report = first.report(rid)  # read again: now the write is based on the current version
    assert report is not None and report.value(KEY) == 11
    first.set_cell(rid, KEY, 22)
    assert second.summary(rid).version == first.summary(rid).version == 2
    assert second.summary(rid).changed_by == "甲"
    with pytest.raises(ConflictError):
        first.set_cell(rid, KEY, 33, version=1)  # an explicit version is checked too


def test_claims_make_others_read_only_until_released_or_taken_over(
    pair: tuple[Workspace, Workspace, int],
) -> None:
    first, second, rid = pair
    claim = first.claim(rid)
    assert claim.mine and claim.reviewer == "甲"
    assert first.claim(rid).since == claim.since  # renewing keeps the start
    with pytest.raises(ClaimedError, match="正在由 甲 审核") as refused:
        second.claim(rid)
    assert refused.value.holder == "甲"
    held = second.claim_of(rid)
    assert held is not None and not held.mine and held.reviewer == "甲"
    assert second.summary(rid).claimed_by == "甲" and first.summary(rid).claimed_by is None
    assert [s.claimed_by for s in second.reports()] == ["甲"]
    with pytest.raises(ClaimedError):
        second.set_cell(rid, KEY, 5)
    assert second.history(rid) == []
    first.set_cell(rid, KEY, 6)  # the holder writes

    second.claim(rid, take_over=True)  # 「接手」
    assert first.heartbeat() == [rid]  # the first window learns it lost the report
    with pytest.raises(ClaimedError, match="乙"):
        first.set_cell(rid, KEY, 7)
    second.report(rid)
    second.set_cell(rid, KEY, 8)
    second.release(rid)
    assert first.claim_of(rid) is None
    first.claim(rid)
    assert [c.new for c in first.history(rid)] == [6, 8]


def test_a_claim_of_a_client_that_died_expires(
    pair: tuple[Workspace, Workspace, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, rid = pair
    monkeypatch.setattr(workspace_module, "LEASE_SECONDS", 0.5)
    first.claim(rid)  # and then no heartbeat: as if the process were killed
    with pytest.raises(ClaimedError):
        second.claim(rid)
    time.sleep(0.7)
    assert second.claim_of(rid) is None and second.summary(rid).claimed_by is None
    assert second.claim(rid).mine
    assert first.heartbeat() == [rid]


def test_closing_releases_claims(store: str) -> None:
    with Workspace.create(store, reviewer="甲") as first:
        report = synthetic_report(2)
        rid = first.add_document(report.file, b"", report, None)
        first.claim(rid)
    with Workspace.open(store, reviewer="乙") as second:
        assert second.claim_of(rid) is None


def test_other_clients_see_changes(pair: tuple[Workspace, Workspace, int]) -> None:
    first, second, rid = pair
    assert second.changes() == []  # starts listening
    first.set_note(rid, "已电话核实")
    started = time.monotonic()
    seen: list[Any] = []
    while not seen and time.monotonic() - started < 2:
        seen = second.changes(timeout=0.2)
    assert seen, "the second client did not see the change"
    assert time.monotonic() - started < 1.0
    if second.is_shared:
        assert any(c.reports == (rid,) and c.client == first.client for c in seen)
        assert second.notify_fileno() is not None
    assert second.summary(rid).note == "已电话核实"
    first.set_status(rid, "reviewed")
    assert first.changes() == [] or not first.is_shared  # a client is not told about its own changes


def test_log_says_who_changed_status_and_note(store: str) -> None:
    with Workspace.create(store) as ws:
        assert ws.reviewer == workspace_module.default_reviewer()
        report = synthetic_report(3)
        rid = ws.add_document(report.file, b"", report, None)
        ws.set_status(rid, "in_review", reviewer="张三")
        ws.set_note(rid, "请补充表四")
        ws.set_cell(rid, KEY, 1)
        events = ws.report_log(rid)
        assert [(e.what, e.value, e.reviewer) for e in events] == [
            ("status", "in_review", "张三"),
            ("note", "请补充表四", ws.reviewer),
        ]
        assert all(e.time for e in events) and ws.history(rid)[0].reviewer == ws.reviewer


def snapshot(ws: Workspace) -> dict[str, Any]:
    """Everything a workspace holds, in comparable form (claims aside)."""
    out: dict[str, Any] = {"queue": [s.model_dump(exclude={"claimed_by"}) for s in ws.reports()]}
    out["removed"] = [s.model_dump(exclude={"claimed_by"}) for s in ws.removed_reports()]
    for item in ws.reports() + ws.removed_reports():
        rid = item.id
        parsed = ws.parsed_report(rid)
        current = ws.report(rid)
        out[f"report {rid}"] = (
            ws.source_bytes(rid),
            ws.source_name(rid),
            None if parsed is None else parsed.model_dump_json(),
            None if current is None else current.model_dump_json(),
            [c.model_dump() for c in ws.history(rid)],
            {k: d.model_dump() for k, d in ws.decisions(rid).items()},
            [d.model_dump() for d in ws.decision_history(rid)],
            ws.conflicts(rid),
            [e.model_dump() for e in ws.report_log(rid)],
            ws.versions(rid),
        )
    return out


def fill(ws: Workspace) -> list[int]:
    ids = []
    for index in range(1, 4):
        report = synthetic_report(index)
        ids.append(
            ws.add_document(
                f"/batch/{report.file}", report.text.encode("utf-8") + bytes([0, 255]), report, None
            )
        )
    ws.add_document("/batch/scan.pdf", b"%PDF-1.4 \x00\x01", None, "no text layer")
    ws.set_cell(ids[0], KEY, 100000, "王五", "据原件")
    ws.set_cell(ids[0], "t2.normative.made", 12.5, "王五")
    ws.set_cell(ids[0], "t4.review.total", 3.0, "王五")
    ws.decide(ids[0], "T3_BALANCE@natural", "report_error", "报告本身如此", "王五")
    ws.decide(ids[0], "T3_ROW_TOTAL@new", "resolved", "", "王五")
    ws.decide(ids[0], "T3_ROW_TOTAL@new", None, "", "赵六")
    ws.set_status(ids[1], "returned")
    ws.set_note(ids[1], "请补充表四")
    ws.revise(ids[1], "/x/revised.txt", b"revised bytes", synthetic_report(2))
    ws.remove(ids[2])
    return ids


def test_copy_file_to_server_and_back_keeps_everything(tmp_path: Path, pg_server: Any) -> None:
    source = str(tmp_path / "local.gikai")
    with Workspace.create(source, reviewer="王五") as ws:
        fill(ws)
        before = snapshot(ws)
    server = pg_server.create_database()
    assert copy_workspace(source, server) == 4  # the removed report too: it stays until restored
    with Workspace.open(server) as ws:
        assert snapshot(ws) == before
        report = synthetic_report(9)
        new_id = ws.add_document(report.file, b"", report, None)  # ids go on after the copied ones
        assert new_id > max(s.id for s in ws.reports() if s.id != new_id)
        ws.remove(new_id)
        on_server = snapshot(ws)
    back = str(tmp_path / "back.gikai")
    assert main(["workspace", "copy", server, back]) == 0
    with Workspace.open(back) as ws:
        assert snapshot(ws) == on_server
        history = ws.history(before["queue"][0]["id"])
        assert [type(c.new) for c in history] == [int, float, float]  # 3.0 stays a float, 100000 an int


def test_copy_refuses_a_target_that_holds_a_workspace(tmp_path: Path, store: str, capsys: Any) -> None:
    source = str(tmp_path / "src.gikai")
    with Workspace.create(source) as ws:
        fill(ws)
    Workspace.create(store).close()
    with pytest.raises(WorkspaceError, match="已"):
        copy_workspace(source, store)
    assert main(["workspace", "copy", source, store]) == 2
    assert "已" in capsys.readouterr().err
    with Workspace.open(store) as ws:
        assert ws.reports() == []


def test_unreachable_server_missing_database_and_not_a_workspace(pg_server: Any, tmp_path: Path) -> None:
    nowhere = f"postgresql://gikai:secret@/gikai?host={tmp_path}&port=5999"
    with pytest.raises(WorkspaceError, match="无法连接") as refused:
        Workspace.open(nowhere)
    assert "secret" not in str(refused.value)
    missing = pg_server.url("no_such_database")
    with pytest.raises(WorkspaceError, match="没有这个数据库"):
        Workspace.open(missing)
    empty = pg_server.create_database()
    with pytest.raises(WorkspaceError, match="没有工作区"):
        Workspace.open(empty)
    with pytest.raises(WorkspaceError, match="无法连接"):
        Workspace.open(empty.replace("user=gikai", "user=nobody_here"))
    with Workspace.open_or_create(empty) as ws:
        assert ws.is_shared and ws.reports() == []
    assert redact_url("postgresql://u:pw@host/db?sslmode=require&password=x") == (
        "postgresql://u@host/db?sslmode=require&password=***"
    )


def terminate_others(pg_server: Any, url: str) -> None:
    """Kill the server side of every other connection to the database (a dropped network link)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def test_dropped_connection_mid_edit_says_not_saved_and_recovers(pg_server: Any) -> None:
    url = pg_server.create_database()
    with Workspace.create(url, reviewer="甲") as ws:
        report = synthetic_report(4)
        rid = ws.add_document(report.file, b"", report, None)
        ws.report(rid)
        ws.claim(rid)
        ws.set_cell(rid, KEY, 1)
        terminate_others(pg_server, url)
        with pytest.raises(ConnectionLostError, match="未保存") as lost:
            ws.set_cell(rid, KEY, 2)
        assert lost.value.saved is False
        ws.set_cell(rid, KEY, 3)  # reconnected: the claim and the version still hold
        assert [c.new for c in ws.history(rid)] == [1, 3]
        terminate_others(pg_server, url)
        with pytest.raises(ConnectionLostError, match="连接中断"):
            ws.reports()  # a read: one clear message, the next call reconnects
        assert ws.summary(rid).version == 2


def test_server_restart_loses_nothing_acknowledged(pg_server: Any) -> None:
    url = pg_server.create_database()
    with Workspace.create(url) as ws, Workspace.open(url) as watcher:
        report = synthetic_report(5)
        rid = ws.add_document(report.file, b"", report, None)
        watcher.changes()
        for value in range(5):
            ws.set_cell(rid, KEY, value)
        pg_server.stop("immediate")  # a crash: the server replays its log when it comes back
        try:
            for value in (98, 99):  # the first finds the connection dead, the second cannot reconnect
                with pytest.raises(ConnectionLostError, match="未保存") as lost:
                    ws.set_cell(rid, KEY, value)
                assert lost.value.saved is False
        finally:
            pg_server.start()
        ws.set_cell(rid, KEY, 100)
        assert [c.new for c in ws.history(rid)] == [0, 1, 2, 3, 4, 100]
        assert watcher.changes() == [workspace_module.Change(None, None)]  # reload all after the outage
        assert watcher.changes() == []
        ws.set_note(rid, "after")
        deadline = time.monotonic() + 2
        seen: list[Any] = []
        while not seen and time.monotonic() < deadline:
            seen = watcher.changes(timeout=0.2)
        assert seen


def test_excel_export_says_who_changed_what_and_when(store: str, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from gikai_desk.excel import export_workspace

    with Workspace.create(store, reviewer="王五") as ws:
        report = synthetic_report(6)
        rid = ws.add_document(report.file, b"", report, None)
        ws.set_cell(rid, KEY, 5, reason="据原件")
        ws.set_status(rid, "reviewed", reviewer="赵六")
        ws.set_note(rid, "已电话核实")
        export_workspace(ws, tmp_path / "summary.xlsx", None)
    rows = list(load_workbook(tmp_path / "summary.xlsx")["修改记录"].iter_rows(values_only=True))
    header = rows[0]
    who, kind, new = header.index("审核人"), header.index("类型"), header.index("新值")
    events = {(r[kind], r[new], r[who]) for r in rows[1:]}
    assert ("修改单元格", 5, "王五") in events
    assert ("审核状态", "已审核", "赵六") in events
    assert ("备注", "已电话核实", "王五") in events
    assert all(r[header.index("时间")] for r in rows[1:])


def test_server_schema_migrates_like_the_file_and_refuses_a_newer_one(pg_server: Any) -> None:
    from gikai_desk.workspace import SCHEMA_VERSION
    from gikai_desk.workspace.db import PgConnection
    from gikai_desk.workspace.schema import pg_migrate, pg_schema_version

    url = pg_server.create_database()
    conn = PgConnection(url)
    pg_migrate(conn, target=3)  # a database made by the version before several reviewers
    report = synthetic_report(7)
    conn.execute(
        "INSERT INTO reports (file, origin, data, report_json, added, summary_stale) VALUES (?, ?, ?, ?, ?, 1)",
        (report.file, report.file, b"x", report.model_dump_json(), "2024-01-01T00:00:00+08:00"),
    )
    assert pg_schema_version(conn) == 3
    with Workspace.open(url) as ws:
        assert ws.schema_version == SCHEMA_VERSION == 5
        (item,) = ws.reports()
        assert item.version == 0 and item.agency == report.agency  # stale summary recounted on opening
        ws.report(item.id)
        ws.set_cell(item.id, KEY, 1)
    conn.execute("UPDATE gikai_meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(WorkspaceError, match="更新版本"):
        Workspace.open(url)
