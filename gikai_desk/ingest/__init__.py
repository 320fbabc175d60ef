"""Readers: turn a file (text, HTML, docx, PDF, xlsx) into one displayed text the parser reads.

Convention shared by every reader and the parser: structured readers (HTML, docx, xlsx, PDF) render each
table row as ONE line whose cells are separated by a TAB character, blank cells as empty strings between tabs
(rowspan/colspan covered positions are empty cells; the text sits in the top-left position only). A row that
has fewer cells than the table's grid (a <tr> missing a <td>, a Word row ending in gridAfter) is written SHORT,
never padded, so the parser can tell a lost cell from a real blank; positions before a Word row's first cell
(gridBefore) are empty cells. Grid columns in which no cell of their own begins (sliver columns that only
merged cells reach into, as office programs make them) are dropped from every row. Prose stays as ordinary
lines. Plain text files are passed through unchanged (after decoding). Every span the parser
records indexes into `SourceDocument.text`, which is exactly what the GUI shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gikai_desk.errors import InputError
from gikai_desk.limits import Limits


@dataclass(frozen=True)
class SourceDocument:
    path: str
    kind: str
    """text, html, docx, pdf or xlsx."""
    text: str
    structured: bool = False
    """True when table rows are tab-separated lines made by a reader that knew the cell boundaries."""
    notes: list[str] = field(default_factory=list)
    """Reader remarks (e.g. pages dropped, encoding detected)."""


def read_source(path: str | Path, limits: Limits | None = None) -> SourceDocument:
    """Read any supported file. Raises InputError (naming the file and the reason) for bad input."""
    from gikai_desk.ingest.dispatch import read_path

    return read_path(Path(path), limits or Limits.from_env())


__all__ = ["InputError", "SourceDocument", "read_source"]
