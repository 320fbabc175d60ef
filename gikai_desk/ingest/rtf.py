"""RTF (a .doc that is really Rich Text, as Word and WPS save it and as web sites serve it): text and tables.

A linear scan of the control words, one pass, no recursion: groups push and pop a small state (characters to skip
after \\uN, whether the group is a destination that holds no body text, deleted revision text). What is read:
- text: plain characters, \\'hh bytes in the document's code page (\\ansicpgN, e.g. 936 → GBK), \\uN Unicode with
  its \\ucN fallback skipped; \\par and \\line end a line, \\tab and \\cell inside a cell are spaces;
- tables: \\trowd starts a row's definition, \\cellxN gives each cell's right edge (\\trleftN the row's left edge),
  \\clmgf/\\clmrg a horizontal and \\clvmgf/\\clvmrg a vertical merge; \\cell ends a cell and \\row the row. The
  rows then go to the Word 97 reader's grid (cell edges of all rows → grid columns), which hands them to the .docx
  table grid;
- skipped: font, colour and style tables, \\info, pictures, objects, shapes, headers and footers, footnotes,
  comments, field instructions (the field result is shown), every {\\*\\...} destination, and text marked \\deleted.
"""

from __future__ import annotations

import codecs
import re

from gikai_desk.errors import InputError
from gikai_desk.ingest import SourceDocument
from gikai_desk.ingest.doc import (
    _TC_FIRST_MERGED,
    _TC_MERGED,
    _TC_VERT_MERGE,
    _TC_VERT_RESTART,
    MAX_CELLS_PER_ROW,
    _Row,
    _table_lines,
)
from gikai_desk.ingest.grid import clean_cell_text
from gikai_desk.ingest.text import finish_text
from gikai_desk.limits import Limits

CORRUPT = "损坏的RTF文件 corrupt RTF"
MAX_DEPTH = 2_000
"""Groups nested deeper are refused (Word writes a few dozen)."""
_TOKEN = re.compile(
    rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z'])|([{}])|([\r\n]+)|([^\\{}\r\n]+)"
)
_SKIPPED = frozenset(
    {
        b"fonttbl",
        b"colortbl",
        b"stylesheet",
        b"info",
        b"pict",
        b"object",
        b"shp",
        b"shpinst",
        b"nonshppict",
        b"header",
        b"headerl",
        b"headerr",
        b"headerf",
        b"footer",
        b"footerl",
        b"footerr",
        b"footerf",
        b"footnote",
        b"annotation",
        b"fldinst",
        b"listtable",
        b"listoverridetable",
        b"revtbl",
        b"rsidtbl",
        b"xmlnstbl",
        b"themedata",
        b"colorschememapping",
        b"latentstyles",
        b"datastore",
        b"pgdsctbl",
        b"filetbl",
        b"generator",
        b"bkmkstart",
        b"bkmkend",
    }
)
_SYMBOLS = {b"~": "\xa0", b"_": "-", b"-": "", b"\\": "\\", b"{": "{", b"}": "}"}
_CHARACTERS = {
    b"emdash": "—",
    b"endash": "–",
    b"lquote": "‘",
    b"rquote": "’",
    b"ldblquote": "“",
    b"rdblquote": "”",
    b"bullet": "•",
    b"emspace": " ",
    b"enspace": " ",
    b"qmspace": " ",
}
_CODEPAGES = {936: "gb18030", 950: "big5", 932: "cp932", 949: "cp949", 65001: "utf-8"}


class _Group:
    __slots__ = ("deleted", "skip", "uc")

    def __init__(self, skip: bool = False, uc: int = 1, deleted: bool = False) -> None:
        self.skip = skip
        self.uc = uc
        self.deleted = deleted


class _Writer:
    """Lines and table rows as the control words arrive."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.parts: list[str] = []
        self.cell_parts: list[str] = []
        self.cells: list[str] = []
        self.rows: list[_Row] = []
        self.in_table = False
        self.edges: list[int] = []
        self.flags: list[int] = []
        self.pending_flags = 0
        self.left = 0
        self.drawn: list[bool] = []
        self.pending_drawn = False
        self.border_side = False  # after \\clbrdrX: the next \\brdrX word says the border's style

    def text(self, text: str) -> None:
        self.parts.append(text)

    def paragraph(self) -> None:
        shown = "".join(self.parts)
        self.parts = []
        if self.in_table:
            self.cell_parts.append(shown)
            return
        self.close_table()
        for line in shown.split("\n"):
            cleaned = clean_cell_text(line)
            if cleaned:
                self.lines.append(cleaned)

    def cell(self) -> None:
        self.cell_parts.append("".join(self.parts))
        self.parts = []
        self.cells.append(clean_cell_text(" ".join(self.cell_parts)))
        self.cell_parts = []

    def row(self) -> None:
        if "".join([*self.parts, *self.cell_parts]).strip():
            self.cell()  # text after the last \\cell (a writer that left it out)
        self.parts, self.cell_parts = [], []
        edges = [self.left, *self.edges] if self.edges else []
        cells = self.cells[:MAX_CELLS_PER_ROW]
        self.rows.append(_Row(cells, edges, list(self.flags), list(self.drawn)))
        self.cells = []

    def define_row(self) -> None:
        self.edges, self.flags, self.pending_flags, self.left = [], [], 0, 0
        self.drawn, self.pending_drawn = [], False

    def cell_edge(self, value: int) -> None:
        if len(self.edges) < MAX_CELLS_PER_ROW:
            self.edges.append(value)
            self.flags.append(self.pending_flags)
            self.drawn.append(self.pending_drawn)
        self.pending_flags, self.pending_drawn = 0, False

    def border(self, word: bytes) -> None:
        """\\clbrdrt/l/b/r then a \\brdrX style: a cell with a visible border (\\brdrnone is none)."""
        if word in (b"clbrdrt", b"clbrdrl", b"clbrdrb", b"clbrdrr"):
            self.border_side = True
        elif self.border_side and word not in (b"brdrw", b"brdrcf", b"brdrsp"):
            self.pending_drawn = self.pending_drawn or word != b"brdrnone"
            self.border_side = False

    def close_table(self) -> None:
        if self.cells or "".join(self.cell_parts).strip():
            self.row()
        if self.rows:
            self.lines.extend(_table_lines(self.rows))
            self.rows = []

    def finish(self) -> list[str]:
        if self.parts:
            self.paragraph() if not self.in_table else self.cell()
        self.in_table = False
        self.close_table()
        return self.lines


def _decoder(codepage: int) -> codecs.IncrementalDecoder:
    name = _CODEPAGES.get(codepage, f"cp{codepage}")
    try:
        return codecs.getincrementaldecoder(name)(errors="replace")
    except LookupError:
        return codecs.getincrementaldecoder("cp1252")(errors="replace")


def read_rtf(data: bytes, name: str, limits: Limits) -> SourceDocument:
    """Body paragraphs and tables of an RTF document in the TAB convention."""
    if not data.lstrip().startswith(b"{\\rtf"):
        raise InputError(name, f"{CORRUPT}: 缺少 {{\\rtf 文件头 no {{\\rtf header")
    writer = _Writer()
    stack: list[_Group] = []
    group = _Group()
    decoder = _decoder(1252)
    pending = bytearray()  # \'hh bytes waiting to be decoded together (a GBK character is two of them)
    skip_chars = 0
    total = 0

    def flush() -> None:
        nonlocal pending
        if pending:
            if not group.skip and not group.deleted:
                writer.text(decoder.decode(bytes(pending), final=True))
            pending = bytearray()

    for found in _TOKEN.finditer(data):
        word, argument, hexbyte, symbol, brace, _newline, plain = found.groups()
        if hexbyte is not None:
            if skip_chars:
                skip_chars -= 1
                continue
            pending.append(int(hexbyte, 16))
            continue
        flush()
        if brace == b"{":
            if len(stack) >= MAX_DEPTH:
                raise InputError(name, f"{CORRUPT}: 嵌套过深 groups nested deeper than {MAX_DEPTH}")
            stack.append(group)
            group = _Group(group.skip, group.uc, group.deleted)
            skip_chars = 0
            continue
        if brace == b"}":
            if stack:
                group = stack.pop()
            skip_chars = 0
            continue
        if plain is not None:
            text = plain
            if skip_chars:
                cut = min(skip_chars, len(text))
                skip_chars -= cut
                text = text[cut:]
            if text and not group.skip and not group.deleted:
                writer.text(decoder.decode(text, final=True))
                total += len(text)
            continue
        if symbol is not None:
            if symbol == b"*":  # {\*\name ...}: a destination this reader need not know
                group.skip = True
            elif symbol in (b"\n", b"\r"):
                if not group.skip:
                    writer.paragraph()
            elif not group.skip and not group.deleted:
                writer.text(_SYMBOLS.get(symbol, ""))
            continue
        if word is None:
            continue
        value = int(argument) if argument is not None else None
        if word in _SKIPPED:
            group.skip = True
            continue
        if word == b"ansicpg" and value is not None:
            decoder = _decoder(value)
        elif word == b"uc" and value is not None:
            group.uc = max(0, min(value, 10))
        elif word == b"u" and value is not None:
            if not group.skip and not group.deleted:
                writer.text(
                    chr(value % 65536) if value % 65536 < 0xD800 or value % 65536 > 0xDFFF else "\ufffd"
                )
            skip_chars = group.uc
        elif word == b"deleted":
            group.deleted = value != 0
        elif group.skip:
            continue
        elif word == b"par":
            writer.paragraph()
        elif word in (b"line", b"sect", b"page"):
            writer.text("\n" if not writer.in_table else " ")
        elif word == b"tab":
            writer.text(" ")
        elif word in _CHARACTERS:
            writer.text(_CHARACTERS[word])
        elif word == b"pard":
            writer.in_table = False
        elif word == b"intbl":
            writer.in_table = True
        elif word == b"itap" and value is not None:
            writer.in_table = value > 0
        elif word == b"cell":
            writer.cell()
        elif word in (b"nestcell", b"nestrow"):
            writer.text(" ")
        elif word == b"row":
            writer.row()
        elif word == b"trowd":
            writer.define_row()
        elif word == b"trleft" and value is not None:
            writer.left = value
        elif word == b"cellx" and value is not None:
            writer.cell_edge(value)
        elif word == b"clmgf":
            writer.pending_flags |= _TC_FIRST_MERGED
        elif word == b"clmrg":
            writer.pending_flags |= _TC_MERGED
        elif word == b"clvmgf":
            writer.pending_flags |= _TC_VERT_MERGE | _TC_VERT_RESTART
        elif word == b"clvmrg":
            writer.pending_flags |= _TC_VERT_MERGE
        elif word.startswith((b"clbrdr", b"brdr")):
            writer.border(word)
        if limits.max_text_chars and total > 4 * limits.max_text_chars:
            raise InputError(
                name, f"文本过长 text too long (limit {limits.max_text_chars}; GIKAI_MAX_TEXT_CHARS)"
            )
    flush()
    lines = writer.finish()
    text = finish_text("\n".join(lines) + "\n" if lines else "", name, limits)
    if not text.strip():
        raise InputError(name, "RTF文件中没有文字 RTF without text")
    return SourceDocument(path=name, kind="rtf", text=text, structured=True)
