"""Several processes editing one workspace, SIGKILLed at random moments: no acknowledged edit is lost, no write
overwrites another silently, the workspace always reopens.

Writers 0-3 each edit their own report holding a claim (released now and then); writers 4 and 5 edit the same
report without claims, so only the version check keeps them apart (read, a little pause, write). A writer prints
`ACK name index key read after` once set_cell has returned (committed); a refused write prints `REFUSED`.

    python -m tests.shared_stress --edits 500            # the full run, on a throwaway PostgreSQL server
    python -m tests.shared_stress --edits 500 --url postgresql://…   # on a given (empty) database
    python -m tests.shared_stress --edits 100 --store sqlite
The unit test (tests/test_workspace_shared_stress.py) runs a small version of this.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LEASE = 1.5
"""Lease of the writers' claims (seconds): short, so a killed writer's report is free again soon."""

WRITER = r"""
import random, sys, time
import gikai_desk.workspace as wsm
from gikai_desk.workspace import ConflictError, Workspace

url, rid, name, start, count, mode, lease = sys.argv[1:8]
rid, start, count, lease = int(rid), int(start), int(count), float(lease)
wsm.LEASE_SECONDS = lease
rng = random.Random(start * 7919 + len(name))
ws = Workspace.open(url, reviewer=name)
keys = sorted(k for k in ws.report(rid).cells if k.startswith("t3."))
print("READY", flush=True)
done, i = 0, start
while done < count:
    try:
        if mode == "claim":
            ws.claim(rid)
        ws.report(rid)
        read = ws.seen_version(rid)
        if mode == "version":
            time.sleep(rng.uniform(0, 0.02))  # long enough that the two writers of one report collide
        key = keys[i % len(keys)]
        ws.set_cell(rid, key, i, name, f"{name} {i}")
        print(f"ACK {name} {i} {key} {read} {ws.seen_version(rid)}", flush=True)
        done += 1
        if mode == "claim" and i % 7 == 6:
            ws.release(rid)
            time.sleep(0.002)
    except ConflictError as exc:
        print(f"REFUSED {name} {i} {type(exc).__name__}", flush=True)
        time.sleep(rng.uniform(0.001, 0.02))
    i += 1
ws.close()
print("DONE", flush=True)
"""


@dataclass
class Ack:
    name: str
    index: int
    key: str
    read: int
    after: int


@dataclass
class Writer:
    name: str
    rid: int
    mode: str
    acks: list[Ack] = field(default_factory=list)
    refused: int = 0
    next_index: int = 0
    kills: int = 0
    process: subprocess.Popen[str] | None = None
    output: Path | None = None


@dataclass
class Outcome:
    acknowledged: int
    refused: int
    kills: int
    lost: int
    silent_overwrites: int
    broken_chains: int
    reopen_failures: int
    seconds: float

    def line(self) -> str:
        return (
            f"{self.acknowledged} acknowledged edits, {self.refused} refused (conflict/claimed), "
            f"{self.kills} SIGKILLs, lost {self.lost}, silent overwrites {self.silent_overwrites}, "
            f"broken old->new chains {self.broken_chains}, failed reopenings {self.reopen_failures}, "
            f"{self.seconds:.1f} s"
        )


def prepare(location: str) -> list[int]:
    """A new workspace with five synthetic reports; returns their ids."""
    from gikai_desk.workspace import Workspace
    from gikai_desk.workspace.synthetic import synthetic_report

    with Workspace.create(location, reviewer="setup") as ws:
        reports = [synthetic_report(index) for index in range(1, 6)]
        return ws.add_documents([(r.file, r.text.encode("utf-8"), r, None) for r in reports])


def _start(writer: Writer, location: str, count: int, env: dict[str, str], folder: Path) -> None:
    writer.output = folder / f"{writer.name}-{writer.next_index}.out"
    with writer.output.open("w") as out:  # a file, not a pipe: a full pipe would stall the writer
        writer.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                WRITER,
                location,
                str(writer.rid),
                writer.name,
                str(writer.next_index),
                str(count),
                writer.mode,
                str(LEASE),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )


def _finish(writer: Writer) -> None:
    """Wait for the writer's process to end and take its acknowledgements."""
    assert writer.process is not None and writer.output is not None
    code = writer.process.wait(timeout=600)
    output = writer.output.read_text(errors="replace")
    if code not in (0, -signal.SIGKILL):
        raise RuntimeError(f"writer {writer.name} failed ({code}):\n{output[-3000:]}")
    writer.process = None
    _collect(writer, output)


def _collect(writer: Writer, output: str) -> None:
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 6 and parts[0] == "ACK":
            ack = Ack(parts[1], int(parts[2]), parts[3], int(parts[4]), int(parts[5]))
            writer.acks.append(ack)
            writer.next_index = max(writer.next_index, ack.index + 1)
        elif len(parts) >= 3 and parts[0] == "REFUSED":
            writer.refused += 1
            writer.next_index = max(writer.next_index, int(parts[2]) + 1)
    writer.next_index += 1000  # a killed writer may have committed one edit it did not acknowledge


def verify(location: str, writers: list[Writer]) -> tuple[int, int, int]:
    """(lost, silent overwrites, broken chains) after reopening the workspace."""
    from gikai_desk.workspace import Workspace

    lost = silent = broken = 0
    with Workspace.open(location) as ws:
        for rid in sorted({w.rid for w in writers}):
            history = ws.history(rid)
            reasons = {c.reason for c in history}
            acks = [a for w in writers if w.rid == rid for a in w.acks]
            lost += sum(1 for a in acks if f"{a.name} {a.index}" not in reasons)
            # every accepted write was based on the version just before it, and no two share a version
            silent += sum(1 for a in acks if a.after != a.read + 1)
            silent += len(acks) - len({a.after for a in acks})
            parsed = ws.parsed_report(rid)
            assert parsed is not None
            last: dict[str, object] = {}
            for c in history:  # each correction's old value is the value the one before it left
                before = last.get(c.key, parsed.value(c.key))
                broken += 0 if c.old == before else 1
                last[c.key] = c.new
            if ws.summary(rid).version != len(history):
                broken += 1
            current = ws.report(rid)
            assert current is not None
            broken += sum(1 for key, value in last.items() if current.value(key) != value)
    return lost, silent, broken


def reopen(location: str) -> None:
    """Open the workspace as a new client and read the queue (raises when it cannot)."""
    from gikai_desk.workspace import Workspace

    with Workspace.open(location) as ws:
        ws.reports()


def run(
    location: str,
    edits: int,
    seed: int = 1,
    kills: int | None = None,
    pause: tuple[float, float] = (0.05, 0.5),
    log: Callable[[str], None] = print,
) -> Outcome:
    """Run the six writers on a new workspace at `location` until each has `edits` acknowledged edits, killing
    one running writer (SIGKILL) after each random pause, `kills` times (default: edits / 4), restarting it."""
    ids = prepare(location)
    writers = [Writer(f"w{n}", ids[n], "claim") for n in range(4)]
    writers += [Writer("w4", ids[4], "version"), Writer("w5", ids[4], "version")]
    for n, writer in enumerate(writers):
        writer.next_index = n * 10_000_000
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    rng = random.Random(seed)
    kills_left = max(1, edits // 4) if kills is None else kills
    started = time.monotonic()
    reopen_failures = 0
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        for writer in writers:
            _start(writer, location, edits, env, folder)
        while any(w.process is not None for w in writers):
            time.sleep(rng.uniform(*pause))
            running = [w for w in writers if w.process is not None and w.process.poll() is None]
            if kills_left > 0 and running:
                victim = rng.choice(running)
                assert victim.process is not None
                victim.process.send_signal(signal.SIGKILL)
                victim.process.wait()
                victim.kills += 1
                kills_left -= 1
            for writer in writers:
                if writer.process is not None and writer.process.poll() is not None:
                    _finish(writer)
                if writer.process is None and len(writer.acks) < edits:
                    _start(writer, location, edits - len(writer.acks), env, folder)
            try:
                reopen(location)
            except Exception as exc:  # the workspace must always reopen
                reopen_failures += 1
                log(f"reopening failed: {exc}")
            log(" ".join(f"{w.name}:{len(w.acks)}" for w in writers) + f"  kills left {kills_left}")
    lost, silent, broken = verify(location, writers)
    return Outcome(
        acknowledged=sum(len(w.acks) for w in writers),
        refused=sum(w.refused for w in writers),
        kills=sum(w.kills for w in writers),
        lost=lost,
        silent_overwrites=silent,
        broken_chains=broken,
        reopen_failures=reopen_failures,
        seconds=time.monotonic() - started,
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--edits", type=int, default=500, help="acknowledged edits per writer (6 writers)")
    parser.add_argument("--store", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument(
        "--url", default=None, help="an empty PostgreSQL database (default: a throwaway server)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    from tests.pgserver import PgServer

    server: PgServer | None = None
    with tempfile.TemporaryDirectory() as folder:
        if args.store == "sqlite":
            location = str(Path(folder) / "stress.gikai")
        elif args.url:
            location = args.url
        else:
            server = PgServer(fsync=True)
            location = server.create_database()
        try:
            outcome = run(location, args.edits, args.seed)
        finally:
            if server is not None:
                server.close()
    print(f"{args.store}: {outcome.line()}")
    bad = outcome.lost or outcome.silent_overwrites or outcome.broken_chains or outcome.reopen_failures
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
