"""Readers: turn a file (text, HTML, docx/doc/wps, PDF, xlsx/xls/et) into one displayed text the parser reads.

Convention shared by every reader and the parser: structured readers (HTML, docx, xlsx, PDF) render each
table row as ONE line whose cells are separated by a TAB character, blank cells as empty strings between tabs
(rowspan/colspan covered positions are empty cells; the text sits in the top-left position only). A row that
has fewer cells than the table's grid (a <tr> missing a <td>, a Word row ending in gridAfter) is written SHORT,
never padded, so the parser can tell a lost cell from a real blank; positions before a Word row's first cell
(gridBefore) are empty cells. Grid columns in which no cell of their own begins (sliver columns that only
merged cells reach into, as office programs make them) are dropped from every row. Prose stays as ordinary
lines. Plain text files are passed through unchanged (after decoding), except tables drawn as text: box-drawing
and ASCII grids (`w3m -dump`, console tools) are rewritten into the same TAB rows, and Markdown tables collapsed
onto one line are broken into one line per row (`gikai_desk.ingest.textgrid`; a note says so). Every span the parser
records indexes into `SourceDocument.text`, which is exactly what the GUI shows.

A cell whose value the file does not hold (an Excel formula never calculated: no cached value) is never written
as a blank. When the reader can work the value out exactly (a plain sum of the sheet's own numbers) it writes the
number followed by the formula in brackets, `73 (=SUM(D5:I5))`, which the parser reads as the number with extra
text and flags for checking; otherwise it writes the formula alone, `=AVERAGE(D5:I5)`, which is no number, so the
row cannot be read sure. Either way the document carries a note. Hidden sheets are not read unless no visible
sheet holds a table.

A PDF table wider than its page (a Word table whose right columns run past the page edge) is written with
marks the parser flags cell by cell, never as blanks or a short row: a cell whose column lies (partly) beyond the
page's visible box ends with OFF_PAGE_MARK, after whatever text the file holds there (`〔超出页面〕` alone, or
`12〔超出页面〕` when the number is in the text layer but not on the visible page); a row whose remaining columns
are cut off at the page edge, their number unknown, ends with one row_cut_mark() cell, which says how many
value columns (the columns after the table's label columns) the page shows. Either way the document
carries a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gikai_desk.errors import InputError
from gikai_desk.limits import Limits

PAGE_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})
"""Scanned page images: named one by one, each file is a report; found in a folder, the folder's images are the
pages of one report (page_folders)."""
REPORT_SUFFIXES = frozenset(
    {
        *(".txt", ".text", ".md", ".csv", ".tsv"),
        *(".htm", ".html", ".shtml", ".xhtml", ".mht", ".mhtml"),
        *(".docx", ".pdf", ".xlsx", ".xlsm"),
        *(".doc", ".wps", ".xls", ".et", ".ofd", ".rtf"),
        *PAGE_IMAGE_SUFFIXES,
    }
)
"""File name endings (lower case) of the files the readers take, for picking report files out of a folder. The
readers themselves go by content, never by name: a file named on its own is always read."""
LEGACY_SUFFIXES: frozenset[str] = frozenset()
"""Endings of office files the readers refuse with a "save as" message (worth listing, not reading): none left
since .doc/.wps/.xls/.et/.rtf are read; kept so a format that must be refused can be listed again."""


OFF_PAGE_MARK = "〔超出页面〕"
"""Ends a PDF table cell whose column runs past the page edge: not visible on the page, so never read sure."""
ROW_CUT_PREFIX = "〔页面边缘截断"
OCR_UNSURE_MARK = "〔识别存疑〕"
"""Ends a cell of a scanned page whose number OCR was not sure of (or whose ink it could not read): the parser
flags the cell, never reads it sure."""


def row_cut_mark(value_columns: int) -> str:
    """The last cell of a PDF table row cut at the page edge, which may have further cells (how many is unknown)
    off the page; `value_columns` is how many of the table's columns after its label columns the page shows."""
    return f"{ROW_CUT_PREFIX}：页面上有{value_columns}列数值〕"


@dataclass(frozen=True)
class SourceDocument:
    path: str
    kind: str
    """text, html, docx, doc, rtf, pdf, ofd, xlsx or xls."""
    text: str
    structured: bool = False
    """True when table rows are tab-separated lines made by a reader that knew the cell boundaries."""
    notes: list[str] = field(default_factory=list)
    """Reader remarks (e.g. pages dropped, encoding detected)."""
    confidence: dict[int, float] = field(default_factory=dict)
    """Scans read by OCR: where a table cell's text starts in `text` -> the lowest confidence OCR gave one of
    its characters (0..1); never empty for a scan (key -1 at least). The parser flags the least certain cells of
    a rule that fails on a scan."""
    boxes: dict[int, tuple[int, float, float, float, float]] = field(default_factory=dict)
    """PDFs and scans: where a table cell's text starts in `text` -> (page index, x0, y0, x1, y1), the box of the
    characters it was read from in PDF points (y up), for the page view."""


def page_folders(files: list[Path]) -> list[Path]:
    """Files found in a folder, with page images replaced by the folder holding them (one report per folder of
    pages, read in name order), in the order first met. Only a folder holding page images and no other report
    file is a folder of pages; images beside other reports (a logo, a screenshot) are left out, as before."""
    mixed = {p.parent for p in files if p.suffix.lower() not in PAGE_IMAGE_SUFFIXES}
    out: list[Path] = []
    seen: set[Path] = set()
    for path in files:
        item = path
        if path.suffix.lower() in PAGE_IMAGE_SUFFIXES:
            if path.parent in mixed:
                continue
            item = path.parent
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def read_source(path: str | Path, limits: Limits | None = None) -> SourceDocument:
    """Read any supported file. Raises InputError (naming the file and the reason) for bad input."""
    from gikai_desk.ingest.dispatch import read_path

    return read_path(Path(path), limits or Limits.from_env())


__all__ = [
    "LEGACY_SUFFIXES",
    "OCR_UNSURE_MARK",
    "OFF_PAGE_MARK",
    "PAGE_IMAGE_SUFFIXES",
    "REPORT_SUFFIXES",
    "ROW_CUT_PREFIX",
    "InputError",
    "SourceDocument",
    "page_folders",
    "read_source",
    "row_cut_mark",
]
