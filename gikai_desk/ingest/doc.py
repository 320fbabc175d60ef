"""Word 97-2003 .doc and WPS .wps (the Word binary format in an OLE compound file): text and tables.

What is read, after [MS-DOC]:
- the FIB (file information block) at the start of the WordDocument stream: which table stream holds the
  document's structures (0Table/1Table), whether the file is encrypted, how long the main text is;
- the piece table (Clx in the table stream): where each run of the main text lies in the WordDocument stream and
  whether it is 8-bit (cp1252) or UTF-16;
- paragraph properties (PAPX in FKP pages, located through PlcBtePapx): whether a paragraph lies in a table
  (sprmPFInTable / sprmPItap) and whether its mark ends a table row (sprmPFTtp) — a cell mark (U+0007) ends a cell,
  the row-end mark (also U+0007) carries the row's table properties: the cell edges (sprmTDefTable's
  rgdxaCenter), horizontal merges (TC80 fFirstMerged/fMerged, sprmTMerge) and vertical merges (TC80
  fVertMerge/fVertRestart, sprmTVertMerge);
- character properties (CHPX) only for deleted revisions (sprmCFRMarkDel), which are not shown, as the .docx
  reader skips <w:del>.

Tables go to the same grid as .docx: the cell edges of all rows of a table make its grid columns, a cell spans the
grid columns between its edges (Word's gridSpan), a row starting right of the table's left edge gets empty
leading positions (gridBefore), a vertically merged continuation is an empty covered cell. Field codes are
hidden and their results shown (as <w:instrText> and <w:t>). Headers, footers, footnotes, comments and text boxes
(other parts of the text stream) are not read, as for .docx (which reads text boxes anchored in the body).
Every offset and count read from the file is checked against the stream it points into.
"""

from __future__ import annotations

import re
import struct
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from gikai_desk.errors import InputError
from gikai_desk.ingest import SourceDocument
from gikai_desk.ingest.grid import GridCell, clean_cell_text, render_grid, table_rows
from gikai_desk.ingest.ole import CORRUPT as OLE_CORRUPT
from gikai_desk.ingest.ole import ENCRYPTED, open_ole
from gikai_desk.ingest.text import finish_text
from gikai_desk.limits import Limits

CORRUPT = "损坏的Word文件 corrupt .doc/.wps"
WORD97_IDENT = 0xA5EC
MIN_WORD97_NFIB = 0xC0
"""nFib of Word 97 (0xC1) and later; Word 6.0 writes 101, Word 95 104: a different layout."""
OLDER_WORD = (
    "Word 6.0/95 或更早的文件格式不支持，请另存为 .docx an older Word (6.0/95) or WPS format, not Word "
    "97-2003: save it as .docx"
)
MAX_TABLE_DEPTH = 64
MAX_CELLS_PER_ROW = 64
"""Word allows 63 columns."""
_F_ENCRYPTED, _F_WHICH_TABLE, _F_OBFUSCATED = 0x0100, 0x0200, 0x8000
_FC_CLX, _FC_BTE_CHPX, _FC_BTE_PAPX = 33, 12, 13
"""Indices of fcClx, fcPlcfBteChpx, fcPlcfBtePapx in the FIB's fc/lcb pairs."""
_MARKS = re.compile("[\r\x07]")
_FIELD_CHARS = re.compile("[\x13\x14\x15]")
_DROP = re.compile("[\x00-\x06\x08\x0e-\x1d\x1f\ufffe\uffff]")
"""Anchors of pictures, objects, footnote and comment references, optional hyphens: no text."""
_LINE_BREAKS = re.compile("[\x0b\x0c]")

SPRM_P_IN_TABLE, SPRM_P_TTP, SPRM_P_ITAP, SPRM_P_DTAP = 0x2416, 0x2417, 0x6649, 0x664A
SPRM_P_INNER_CELL, SPRM_P_INNER_TTP = 0x244B, 0x244C
SPRM_T_DEF_TABLE, SPRM_T_DEF_TABLE10, SPRM_P_CHG_TABS = 0xD608, 0xD606, 0xC615
SPRM_T_MERGE, SPRM_T_SPLIT, SPRM_T_VERT_MERGE = 0x5624, 0x5625, 0xD62B
SPRM_C_RMARK_DEL = 0x0800
SPRM_P_HUGE_PAPX = 0x6646
"""Paragraph properties too large for an FKP page (a table row's properties with eight or more cells): the
operand is the position of the property modifiers in the Data stream."""
_TC80_SIZE = 20
_TC_FIRST_MERGED, _TC_MERGED, _TC_VERT_MERGE, _TC_VERT_RESTART = 0x0001, 0x0002, 0x0020, 0x0040


def _u16(data: bytes, offset: int) -> int:
    return int(struct.unpack_from("<H", data, offset)[0])


def _u32(data: bytes, offset: int) -> int:
    return int(struct.unpack_from("<I", data, offset)[0])


def _i16(data: bytes, offset: int) -> int:
    return int(struct.unpack_from("<h", data, offset)[0])


def sprms(grpprl: bytes) -> Iterator[tuple[int, bytes]]:
    """(opcode, operand) of each property modifier in a grpprl; stops at the first one that does not fit."""
    pos, end = 0, len(grpprl)
    while pos + 2 <= end:
        opcode = _u16(grpprl, pos)
        spra = opcode >> 13
        start = pos + 2
        if spra in (0, 1):
            size = 1
        elif spra in (2, 4, 5):
            size = 2
        elif spra == 3:
            size = 4
        elif spra == 7:
            size = 3
        elif opcode in (SPRM_T_DEF_TABLE, SPRM_T_DEF_TABLE10):
            if start + 2 > end:
                return
            size = _u16(grpprl, start) + 1  # cb counts the operand after it plus one
            start += 2
            size -= 2
            start, size = start, max(size, 0)
        elif opcode == SPRM_P_CHG_TABS and start < end and grpprl[start] == 255:
            deleted = grpprl[start + 1] if start + 1 < end else 0
            added_at = start + 2 + 4 * deleted
            added = grpprl[added_at] if added_at < end else 0
            size = 2 + 4 * deleted + 1 + 3 * added
        else:
            if start >= end:
                return
            size = grpprl[start]
            start += 1
        if start + size > end:
            return
        yield opcode, grpprl[start : start + size]
        pos = start + size


@dataclass
class _Fib:
    text_length: int
    table_stream: str
    pairs: list[tuple[int, int]]


def _fib(word: bytes, name: str) -> _Fib:
    if len(word) < 68:
        raise InputError(name, f"{CORRUPT}: WordDocument 流过短 stream too short")
    ident, nfib, flags = _u16(word, 0), _u16(word, 2), _u16(word, 10)
    if ident != WORD97_IDENT or nfib < MIN_WORD97_NFIB:
        raise InputError(name, OLDER_WORD)
    if flags & (_F_ENCRYPTED | _F_OBFUSCATED):
        raise InputError(name, ENCRYPTED)
    csw = _u16(word, 32)
    lw_at = 34 + 2 * csw + 2
    if lw_at > len(word):
        raise InputError(name, f"{CORRUPT}: FIB 不完整 truncated FIB")
    cslw = _u16(word, lw_at - 2)
    if cslw < 4 or lw_at + 4 * cslw + 2 > len(word):
        raise InputError(name, f"{CORRUPT}: FIB 不完整 truncated FIB")
    text_length = _u32(word, lw_at + 12)
    pairs_at = lw_at + 4 * cslw
    count = _u16(word, pairs_at)
    pairs_at += 2
    count = min(count, (len(word) - pairs_at) // 8)
    pairs = [(_u32(word, pairs_at + 8 * i), _u32(word, pairs_at + 8 * i + 4)) for i in range(count)]
    if len(pairs) <= _FC_CLX:
        raise InputError(name, f"{CORRUPT}: FIB 缺少文档结构位置 FIB without the piece table's position")
    return _Fib(text_length, "1Table" if flags & _F_WHICH_TABLE else "0Table", pairs)


def _slice(stream: bytes, fc: int, lcb: int, what: str, name: str) -> bytes:
    if fc + lcb > len(stream):
        raise InputError(name, f"{CORRUPT}: {what} 超出流范围 points beyond its stream")
    return stream[fc : fc + lcb]


@dataclass
class _Piece:
    cp: int
    cp_end: int
    fc: int
    width: int
    """Bytes per character: 1 (8-bit, cp1252) or 2 (UTF-16LE)."""


def _pieces(table: bytes, fib: _Fib, word: bytes, name: str) -> list[_Piece]:
    fc, lcb = fib.pairs[_FC_CLX]
    clx = _slice(table, fc, lcb, "Clx", name)
    pos = 0
    while pos < len(clx) and clx[pos] == 1:  # Prc: property modifiers of fast-saved pieces
        if pos + 3 > len(clx):
            break
        pos += 3 + _i16(clx, pos + 1)
    if pos + 5 > len(clx) or clx[pos] != 2:
        raise InputError(name, f"{CORRUPT}: 没有文本片段表 no piece table (Pcdt)")
    size = _u32(clx, pos + 1)
    plc = clx[pos + 5 : pos + 5 + size]
    count = (len(plc) - 4) // 12
    if count <= 0:
        raise InputError(name, f"{CORRUPT}: 文本片段表为空 empty piece table")
    pieces: list[_Piece] = []
    for i in range(count):
        cp, cp_end = _u32(plc, 4 * i), _u32(plc, 4 * i + 4)
        raw = _u32(plc, 4 * (count + 1) + 8 * i + 2)
        if raw & 0x40000000:
            piece = _Piece(cp, cp_end, (raw & 0x3FFFFFFF) // 2, 1)
        else:
            piece = _Piece(cp, cp_end, raw, 2)
        if cp_end < cp or piece.fc + (cp_end - cp) * piece.width > len(word):
            raise InputError(name, f"{CORRUPT}: 文本片段超出流范围 a text piece points beyond the stream")
        pieces.append(piece)
    return pieces


def _main_text(word: bytes, pieces: list[_Piece], length: int, limits: Limits, name: str) -> str:
    if limits.max_text_chars and length > limits.max_text_chars:
        raise InputError(name, f"文本过长 text too long ({length} characters, limit {limits.max_text_chars})")
    parts: list[str] = []
    for piece in pieces:
        if piece.cp >= length:
            break
        count = min(piece.cp_end, length) - piece.cp
        raw = word[piece.fc : piece.fc + count * piece.width]
        parts.append(
            raw.decode("cp1252", "replace") if piece.width == 1 else raw.decode("utf-16-le", "replace")
        )
    return "".join(parts)


def _fc_of(pieces: list[_Piece], starts: list[int], cp: int) -> int:
    index = bisect_right(starts, cp) - 1
    if index < 0:
        return -1
    piece = pieces[index]
    if cp >= piece.cp_end:
        return -1
    return piece.fc + (cp - piece.cp) * piece.width


@dataclass
class _Runs:
    """Property runs over file positions: [starts[i], ends[i]) has grpprls[i]."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    grpprls: list[bytes] = field(default_factory=list)

    def at(self, fc: int) -> bytes | None:
        index = bisect_right(self.starts, fc) - 1
        if index < 0 or fc >= self.ends[index]:
            return None
        return self.grpprls[index]


def _fkp_runs(word: bytes, table: bytes, pair: tuple[int, int], paragraph: bool, name: str) -> _Runs:
    """The runs of every FKP page listed in a PlcBte (paragraph or character properties)."""
    plc = _slice(table, pair[0], pair[1], "PlcBte", name)
    count = (len(plc) - 4) // 8
    found: list[tuple[int, int, bytes]] = []
    seen: set[int] = set()
    for i in range(max(count, 0)):
        page = _u32(plc, 4 * (count + 1) + 4 * i) & 0x3FFFFF
        if page in seen or (page + 1) * 512 > len(word):
            continue
        seen.add(page)
        fkp = word[page * 512 : page * 512 + 512]
        runs = fkp[511]
        if 4 * (runs + 1) + (13 if paragraph else 1) * runs > 511:
            continue
        for run in range(runs):
            start, end = _u32(fkp, 4 * run), _u32(fkp, 4 * run + 4)
            where = 4 * (runs + 1) + (13 * run if paragraph else run)
            offset = 2 * fkp[where]
            grpprl = b""
            if offset:
                if paragraph:
                    size = fkp[offset]
                    if size:
                        grpprl = fkp[offset + 1 : offset + 2 * size]
                    else:
                        grpprl = fkp[offset + 2 : offset + 2 + 2 * fkp[offset + 1]]
                    grpprl = grpprl[2:]  # istd, the paragraph's style
                else:
                    grpprl = fkp[offset + 1 : offset + 1 + fkp[offset]]
            found.append((start, end, grpprl))
    found.sort(key=lambda run: run[0])
    runs_out = _Runs()
    for start, end, grpprl in found:
        runs_out.starts.append(start)
        runs_out.ends.append(end)
        runs_out.grpprls.append(grpprl)
    return runs_out


@dataclass
class _Para:
    depth: int = 0
    row_end: bool = False
    inner_cell: bool = False
    inner_row_end: bool = False
    edges: list[int] = field(default_factory=list)
    flags: list[int] = field(default_factory=list)
    drawn: list[bool] = field(default_factory=list)
    """Per cell: whether it has a border (a TC80 of zeros is a filler LibreOffice writes after a short row)."""


def _huge(grpprl: bytes, data: bytes) -> bytes:
    """The modifiers themselves when a paragraph's are kept in the Data stream (sprmPHugePapx)."""
    for opcode, operand in sprms(grpprl):
        if opcode == SPRM_P_HUGE_PAPX and len(operand) == 4:
            at = _u32(operand, 0)
            if at + 2 <= len(data):
                size = _u16(data, at)
                return grpprl + data[at + 2 : at + 2 + size]
    return grpprl


def _para(grpprl: bytes | None, data: bytes = b"") -> _Para:
    para = _Para()
    if not grpprl:
        return para
    for opcode, operand in sprms(_huge(grpprl, data)):
        if opcode == SPRM_P_IN_TABLE and operand:
            para.depth = max(para.depth, 1 if operand[0] else 0)
        elif opcode == SPRM_P_ITAP and len(operand) == 4:
            para.depth = min(max(_u32(operand, 0) & 0x7FFFFFFF, 0), MAX_TABLE_DEPTH)
        elif opcode == SPRM_P_DTAP and len(operand) == 4:
            para.depth = min(max(para.depth + struct.unpack("<i", operand)[0], 0), MAX_TABLE_DEPTH)
        elif opcode == SPRM_P_TTP and operand:
            para.row_end = bool(operand[0])
        elif opcode == SPRM_P_INNER_CELL and operand:
            para.inner_cell = bool(operand[0])
        elif opcode == SPRM_P_INNER_TTP and operand:
            para.inner_row_end = bool(operand[0])
        elif opcode == SPRM_T_DEF_TABLE and operand:
            columns = min(operand[0], MAX_CELLS_PER_ROW)
            if 1 + 2 * (columns + 1) <= len(operand):
                para.edges = [_i16(operand, 1 + 2 * i) for i in range(columns + 1)]
                tcs = 1 + 2 * (columns + 1)
                para.flags = [
                    _u16(operand, tcs + _TC80_SIZE * i) if tcs + _TC80_SIZE * i + 2 <= len(operand) else 0
                    for i in range(columns)
                ]
                para.drawn = [
                    any(operand[tcs + _TC80_SIZE * i + 4 : tcs + _TC80_SIZE * (i + 1)])
                    if tcs + _TC80_SIZE * (i + 1) <= len(operand)
                    else True
                    for i in range(columns)
                ]
        elif opcode == SPRM_T_MERGE and len(operand) >= 2:
            first, limit = operand[0], min(operand[1], len(para.flags))
            for i in range(first, limit):
                para.flags[i] |= _TC_FIRST_MERGED if i == first else _TC_MERGED
        elif opcode == SPRM_T_SPLIT and len(operand) >= 2:
            for i in range(operand[0], min(operand[1], len(para.flags))):
                para.flags[i] &= ~(_TC_FIRST_MERGED | _TC_MERGED)
        elif opcode == SPRM_T_VERT_MERGE and len(operand) >= 2 and operand[0] < len(para.flags):
            flags = para.flags[operand[0]] & ~(_TC_VERT_MERGE | _TC_VERT_RESTART)
            if operand[1] == 1:
                flags |= _TC_VERT_MERGE
            elif operand[1] == 3:
                flags |= _TC_VERT_MERGE | _TC_VERT_RESTART
            para.flags[operand[0]] = flags
    return para


@dataclass
class _Row:
    cells: list[str]
    edges: list[int]
    flags: list[int]
    drawn: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        """A short row (a <w:tc> deleted, an HTML row missing a <td>) saved by LibreOffice is filled up with empty
        cells without borders or width: they are not cells of the table, and the row ends before them, as the
        .docx and HTML readers end such a row (a blank there would read as a real blank)."""
        if any(self.drawn):
            while (
                self.cells
                and len(self.cells) <= len(self.drawn)
                and not self.cells[-1]
                and not self.drawn[len(self.cells) - 1]
            ):
                self.cells.pop()


def _hidden_ranges(text: str, deleted: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character ranges not shown: field codes (between U+0013 and U+0014, or U+0015 without a separator) and
    deleted revisions; the field characters themselves are dropped later with the other anchors."""
    hidden: list[tuple[int, int]] = list(deleted)
    stack: list[list[int]] = []  # per open field: [start of its code, whether the code is still running]
    for found in _FIELD_CHARS.finditer(text):
        char, at = found.group(), found.start()
        if char == "\x13":
            if len(stack) < 64:
                stack.append([at, 1])
        elif char == "\x14" and stack and stack[-1][1]:
            hidden.append((stack[-1][0], at))
            stack[-1][1] = 0
        elif char == "\x15" and stack:
            start, running = stack.pop()
            if running:
                hidden.append((start, at))
    hidden.sort()
    merged: list[tuple[int, int]] = []
    for start, end in hidden:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _visible(text: str, start: int, end: int, hidden: list[tuple[int, int]], starts: list[int]) -> str:
    """The shown characters of text[start:end] (a paragraph without its mark)."""
    if not hidden:
        piece = text[start:end]
    else:
        parts: list[str] = []
        at = start
        index = max(bisect_right(starts, start) - 1, 0)
        while index < len(hidden) and hidden[index][0] < end:
            hide_start, hide_end = hidden[index]
            if hide_end > at:
                if hide_start > at:
                    parts.append(text[at:hide_start])
                at = max(at, hide_end)
            index += 1
        if at < end:
            parts.append(text[at:end])
        piece = "".join(parts)
    piece = _DROP.sub("", piece.replace("\t", " ").replace("\x1e", "-"))
    return piece


def _deleted(chars: _Runs, pieces: list[_Piece], length: int) -> list[tuple[int, int]]:
    """Character ranges of deleted revisions (sprmCFRMarkDel), as text positions."""
    marked = [
        (start, end)
        for start, end, grpprl in zip(chars.starts, chars.ends, chars.grpprls, strict=True)
        if grpprl and any(op == SPRM_C_RMARK_DEL and operand[:1] == b"\x01" for op, operand in sprms(grpprl))
    ]
    if not marked:
        return []
    ranges: list[tuple[int, int]] = []
    for piece in pieces:
        if piece.cp >= length:
            break
        piece_end = piece.fc + (min(piece.cp_end, length) - piece.cp) * piece.width
        for start, end in marked:
            low, high = max(start, piece.fc), min(end, piece_end)
            if low < high:
                ranges.append(
                    (
                        piece.cp + (low - piece.fc) // piece.width,
                        piece.cp + (high - piece.fc + piece.width - 1) // piece.width,
                    )
                )
    return ranges


def _table_lines(rows: list[_Row]) -> list[str]:
    """A table's rows on the grid made by the cell edges of all its rows (as Word makes gridCol)."""
    edges = sorted({edge for row in rows for edge in row.edges})
    position = {edge: index for index, edge in enumerate(edges)}
    grid_rows: list[list[GridCell]] = []
    for row in rows:
        cells: list[GridCell] = []
        usable = len(row.edges) >= 2 and all(a <= b for a, b in zip(row.edges, row.edges[1:], strict=False))
        if usable and position[row.edges[0]] > 0:
            cells.append(GridCell("", colspan=position[row.edges[0]], absent=True))
        for index, text in enumerate(row.cells[:MAX_CELLS_PER_ROW]):
            span = 1
            flags = row.flags[index] if index < len(row.flags) else 0
            if usable and index + 1 < len(row.edges):
                span = max(position[row.edges[index + 1]] - position[row.edges[index]], 1)
            if flags & _TC_MERGED and not flags & _TC_FIRST_MERGED and cells and not cells[-1].absent:
                cells[-1].colspan += span  # old-style horizontal merge: the cell on the left grows
                if text:
                    cells[-1].text = f"{cells[-1].text} {text}".strip()
                continue
            continued = bool(flags & _TC_VERT_MERGE) and not flags & _TC_VERT_RESTART
            cells.append(GridCell(text, colspan=span, continues_above=continued))
        grid_rows.append(cells)
    return render_grid(table_rows(grid_rows), keep_blank_rows=True)


def _lines(text: str, marks_props: list[_Para], hidden: list[tuple[int, int]]) -> list[str]:
    """Prose lines and table rows in document order."""
    lines: list[str] = []
    rows: list[_Row] = []
    cells: list[str] = []
    cell_parts: list[str] = []
    hidden_starts = [start for start, _end in hidden]
    start = 0
    for found, para in zip(_MARKS.finditer(text), marks_props, strict=True):
        at = found.start()
        shown = _visible(text, start, at, hidden, hidden_starts)
        start = at + 1
        mark = found.group()
        if para.depth >= 1 or mark == "\x07":
            if mark == "\x07" and para.row_end:
                rows.append(_Row(cells, para.edges, para.flags, para.drawn))
                cells, cell_parts = [], []
            elif mark == "\x07" and (para.depth <= 1 or not para.inner_cell):
                cell_parts.append(shown)
                cells.append(clean_cell_text(" ".join(_LINE_BREAKS.sub(" ", part) for part in cell_parts)))
                cell_parts = []
            else:
                cell_parts.append(shown)  # a paragraph inside a cell, or a nested table's cell
            continue
        if cell_parts or cells:  # table text without its row end: keep it as a row
            if cell_parts:
                cells.append(clean_cell_text(" ".join(cell_parts)))
            rows.append(_Row(cells, [], []))
            cells, cell_parts = [], []
        if rows:
            lines.extend(_table_lines(rows))
            rows = []
        for line in _LINE_BREAKS.split(shown):
            cleaned = clean_cell_text(line)
            if cleaned:
                lines.append(cleaned)
    if cell_parts or cells:
        if cell_parts:
            cells.append(clean_cell_text(" ".join(cell_parts)))
        rows.append(_Row(cells, [], []))
    if rows:
        lines.extend(_table_lines(rows))
    tail = _visible(text, start, len(text), hidden, hidden_starts)
    lines.extend(cleaned for line in _LINE_BREAKS.split(tail) if (cleaned := clean_cell_text(line)))
    return lines


def read_doc(data: bytes, name: str, limits: Limits) -> SourceDocument:
    """A Word 97-2003 (or WPS) binary document: body paragraphs and tables in the TAB convention."""
    ole = open_ole(data, name)
    word = ole.read("WordDocument", limits)
    try:
        fib = _fib(word, name)
    except InputError as refused:
        if refused.reason != OLDER_WORD:
            raise
        return _converted(data, name, limits, refused)
    if fib.table_stream.lower() not in ole.streams:
        raise InputError(name, f"{OLE_CORRUPT}: 缺少 {fib.table_stream} stream missing")
    table = ole.read(fib.table_stream, limits)
    extra = ole.read("Data", limits) if "data" in ole.streams else b""
    try:
        pieces = _pieces(table, fib, word, name)
        text = _main_text(word, pieces, fib.text_length, limits, name)
        starts = [piece.cp for piece in pieces]
        paragraphs = _fkp_runs(word, table, fib.pairs[_FC_BTE_PAPX], True, name)
        characters = _fkp_runs(word, table, fib.pairs[_FC_BTE_CHPX], False, name)
        props = [
            _para(paragraphs.at(_fc_of(pieces, starts, found.start())), extra)
            for found in _MARKS.finditer(text)
        ]
        hidden = _hidden_ranges(text, _deleted(characters, pieces, len(text)))
        lines = _lines(text, props, hidden)
    except InputError:
        raise
    except (struct.error, IndexError, ValueError, KeyError) as exc:
        raise InputError(name, f"{CORRUPT}: {type(exc).__name__}: {exc}") from exc
    result = finish_text("\n".join(lines) + "\n" if lines else "", name, limits)
    if not result.strip():
        raise InputError(name, "Word文件中没有文字 .doc without text")
    return SourceDocument(path=name, kind="doc", text=result, structured=True)


def _converted(data: bytes, name: str, limits: Limits, refused: InputError) -> SourceDocument:
    """A Word 6.0/95 file through the LibreOffice installed here, if any (never required); else the refusal."""
    from gikai_desk.ingest.convert import NOTE, to_docx
    from gikai_desk.ingest.docx import read_docx

    docx = to_docx(data, ".doc", limits)
    if docx is None:
        raise refused
    document = read_docx(docx, name, limits)
    return SourceDocument(
        path=name, kind="doc", text=document.text, structured=True, notes=[*document.notes, NOTE]
    )
