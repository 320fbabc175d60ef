"""Shared fixtures: the real seeds and corpus from ../shared (skipped with a reason when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GIKAI_LIBREOFFICE", "0")  # a LibreOffice installed here is never run by the tests unasked

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GIKAI_SHARED", REPO.parent / "shared"))
SEEDS = SHARED / "seeds"
CORPUS = SHARED / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def seed_path(prefix: str) -> Path:
    """The seed whose file name starts with `prefix` ("000" ... "004"); skips when ../shared is absent."""
    if not SEEDS.is_dir():
        pytest.skip(f"real seeds not available: {SEEDS} is absent")
    matches = sorted(SEEDS.glob(f"{prefix}*"))
    if not matches:
        pytest.skip(f"seed {prefix} not found in {SEEDS}")
    return matches[0]


def corpus_path(name: str) -> Path:
    """A real report from ../shared/corpus; skips when absent."""
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"corpus file not available: {path}")
    return path


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"real seeds not available: {SEEDS} is absent")
    return SEEDS
