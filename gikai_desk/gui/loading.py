"""Storing a parsed batch without freezing the window: duplicates found by digest, files stored in slices.

Parsing runs in worker threads (gui/worker.py). What is left on the main thread — the workspace is a SQLite
connection of that thread — is storing: inserting the document, counting its findings, adding its queue row.
The window stores the files that are ready in slices of about `STORE_SLICE_S`, several per transaction (one
disk sync each), and lets the event loop run between slices.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gikai_desk.gui.worker import ParsedFile
    from gikai_desk.workspace import Workspace

STORE_SLICE_S = 0.03
"""Main-thread time spent storing before the event loop runs again (well under the 100 ms a user notices)."""
CHUNK_S = 0.02
"""Aim of one transaction's time: its size follows the measured cost of storing a file."""
CHUNK_MAX = 8
PROGRESS_EVERY_S = 0.2
"""The progress bar is set at most this often (QProgressBar.setValue repaints at once)."""


class ChunkSizer:
    """How many files to store in the next transaction so that it takes about CHUNK_S (a running average of
    the time one file took; a transaction's sync is shared by its files)."""

    def __init__(self) -> None:
        self.per_file_s = 0.004

    def size(self, left_s: float | None) -> int:
        room = CHUNK_S if left_s is None else max(0.0, min(CHUNK_S, left_s))
        return max(1, min(CHUNK_MAX, int(room / self.per_file_s)))

    def took(self, files: int, seconds: float) -> None:
        if files:
            self.per_file_s = 0.6 * self.per_file_s + 0.4 * max(seconds / files, 0.0005)


class DuplicateIndex:
    """Which report of the workspace holds exactly the bytes of a parsed file.

    Candidates are reports of the same organ and year, or of the same file name (so two reports without an
    organ are not compared); their bytes are hashed once, on first need, and the digests kept. Built from one
    query when a batch starts, and told of every report the batch adds.
    """

    def __init__(self, store: Workspace) -> None:
        self.store = store
        self._by_organ: dict[tuple[str, int | None], list[int]] = {}
        self._by_name: dict[str, list[int]] = {}
        self._digests: dict[int, bytes] = {}
        self.names: dict[int, str] = {}
        for item in store.reports():
            self._index(item.id, item.agency, item.year, item.file)

    def _index(self, rid: int, agency: str | None, year: int | None, name: str) -> None:
        if agency:
            self._by_organ.setdefault((agency, year), []).append(rid)
        self._by_name.setdefault(name, []).append(rid)
        self.names[rid] = name

    def add(self, rid: int, parsed: ParsedFile) -> None:
        report = parsed.report
        self._index(rid, report.agency if report else None, report.year if report else None, parsed.path.name)
        self._digests[rid] = parsed.digest or hashlib.sha256(parsed.data).digest()

    def _digest(self, rid: int) -> bytes:
        digest = self._digests.get(rid)
        if digest is None:
            digest = self._digests[rid] = hashlib.sha256(self.store.source_bytes(rid)).digest()
        return digest

    def find(self, parsed: ParsedFile) -> int | None:
        """The report with the same bytes, or None."""
        report = parsed.report
        candidates: list[int] = []
        if report is not None and report.agency:
            candidates += self._by_organ.get((report.agency, report.year), [])
        candidates += self._by_name.get(parsed.path.name, [])
        digest = parsed.digest or hashlib.sha256(parsed.data).digest()
        for rid in dict.fromkeys(candidates):
            if self._digest(rid) == digest and self.store.source_bytes(rid) == parsed.data:
                return rid
        return None
