"""Kill a process that is editing a workspace (SIGKILL at random moments); every acknowledged edit survives."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gikai_desk.workspace import Workspace
from gikai_desk.workspace.synthetic import synthetic_report

REPO = Path(__file__).resolve().parent.parent

EDITOR = r"""
import sys
from gikai_desk.workspace import Workspace

path, rid, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ws = Workspace.open(path)
keys = sorted(ws.report(rid).cells)
print("READY", flush=True)
i = start
while True:
    if i % 7 == 3:
        ws.set_note(rid, f"note {i}")
        print(f"ACK note {i}", flush=True)
    elif i % 11 == 5 and (found := ws.violations(rid)):
        ws.decide(rid, found[i % len(found)].ident, "resolved", f"decision {i}", "kill")
        print(f"ACK decide {i}", flush=True)
    else:
        key = keys[i % len(keys)]
        ws.set_cell(rid, key, i, "kill", f"edit {i}")
        print(f"ACK cell {i} {key}", flush=True)
    i += 1
"""

ROUNDS = 10


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX only")
def test_sigkill_loses_no_acknowledged_edit(tmp_path: Path) -> None:
    path = tmp_path / "kill.gikai"
    with Workspace.create(path) as ws:
        report = synthetic_report(1)
        rid = ws.add_document(report.file, report.text.encode(), report, None)
    rng = random.Random(20240521)
    acked_cells: list[tuple[str, int]] = []
    acked_notes: list[int] = []
    acked_decisions: list[int] = []
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    next_index = 0
    for _round in range(ROUNDS):
        child = subprocess.Popen(
            [sys.executable, "-c", EDITOR, str(path), str(rid), str(next_index)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert child.stdout is not None
        ready = child.stdout.readline()
        assert ready.strip() == "READY", child.stderr.read() if child.stderr else ready
        time.sleep(rng.uniform(0.0, 0.4))
        child.send_signal(signal.SIGKILL)
        rest, _err = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL
        for line in rest.splitlines():
            parts = line.split()
            if len(parts) < 3 or parts[0] != "ACK":
                continue  # a line cut short by the kill is not an acknowledgement
            kind, index = parts[1], int(parts[2])
            if kind == "cell" and len(parts) == 4:
                acked_cells.append((parts[3], index))
            elif kind == "note":
                acked_notes.append(index)
            elif kind == "decide":
                acked_decisions.append(index)
            next_index = max(next_index, index + 1)
        next_index += 1000  # the killed process may have committed one edit it did not acknowledge

        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        with Workspace.open(path) as ws:
            history = ws.history(rid)
            stored = {(c.key, c.new) for c in history}
            assert all(c.reason == f"edit {c.new}" for c in history)
            missing = [edit for edit in acked_cells if edit not in stored]
            assert not missing, f"acknowledged edits lost: {missing[:5]}"
            if acked_notes:
                note = ws.summary(rid).note
                assert int(note.split()[1]) >= acked_notes[-1]
            logged = {event.note for event in ws.decision_history(rid)}
            assert all(f"decision {i}" in logged for i in acked_decisions)
            current = ws.report(rid)
            assert current is not None
            for key, value in dict(acked_cells).items():
                latest = [c.new for c in history if c.key == key][-1]
                assert current.value(key) == latest and isinstance(latest, int) and latest >= value
    assert len(acked_cells) > ROUNDS, "the editor should have acknowledged edits before being killed"
    print(f"{ROUNDS} kills, {len(acked_cells)} acknowledged cell edits, {len(acked_notes)} notes, {len(acked_decisions)} decisions")
