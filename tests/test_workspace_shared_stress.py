"""Six writer processes on one workspace, SIGKILLed at random moments (tests/shared_stress.py, small size here;
`python -m tests.shared_stress --edits 500` is the full run): 0 acknowledged edits lost, 0 silent overwrites,
the workspace reopens after every round."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.shared_stress import run

EDITS = 35
"""Acknowledged edits per writer (six writers: about 200 in all)."""


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX only")
def test_writers_killed_at_random_lose_nothing_and_never_overwrite_silently(
    store: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    refused = 0
    for attempt in range(3):  # on a loaded machine the two writers of one report may happen not to overlap
        location = store if attempt == 0 else _fresh(store, tmp_path, attempt, request)
        outcome = run(location, EDITS, seed=7 + attempt, kills=10, pause=(0.05, 0.3), log=lambda line: None)
        print(outcome.line())
        assert outcome.acknowledged >= 6 * EDITS
        assert 1 <= outcome.kills <= 10  # (writers that finish early leave some kills unused)
        assert outcome.lost == 0
        assert outcome.silent_overwrites == 0
        assert outcome.broken_chains == 0
        assert outcome.reopen_failures == 0
        refused += outcome.refused
        if refused:
            break
    assert refused > 0, "the two writers of one report never collided: the version check was not exercised"


def _fresh(store: str, tmp_path: Path, attempt: int, request: pytest.FixtureRequest) -> str:
    """Another new workspace of the same kind as `store` (a file beside it, or a new database)."""
    if store.startswith("postgresql"):
        return str(request.getfixturevalue("pg_server").create_database())
    return str(tmp_path / f"again-{attempt}.gikai")
