"""Six writer processes on one workspace, SIGKILLed at random moments (tests/shared_stress.py, small size here;
`python -m tests.shared_stress --edits 500` is the full run): 0 acknowledged edits lost, 0 silent overwrites,
the workspace reopens after every round."""

from __future__ import annotations

import signal

import pytest

from tests.shared_stress import run

EDITS = 35
"""Acknowledged edits per writer (six writers: about 200 in all)."""


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX only")
def test_writers_killed_at_random_lose_nothing_and_never_overwrite_silently(store: str) -> None:
    outcome = run(store, EDITS, seed=7, kills=10, pause=(0.05, 0.3), log=lambda line: None)
    print(outcome.line())
    assert outcome.acknowledged >= 6 * EDITS
    assert outcome.kills == 10
    assert outcome.lost == 0
    assert outcome.silent_overwrites == 0
    assert outcome.broken_chains == 0
    assert outcome.reopen_failures == 0
    assert outcome.refused > 0, (
        "the two writers of one report never collided: the version check was not exercised"
    )
