"""Hypothesis strategies for hostile documents and the read-parse-check pipeline they go through (tests, tools)."""

from __future__ import annotations

import io
import os
import random
import re
import time
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from hypothesis import strategies as st

from gikai_desk.errors import InputError
from gikai_desk.limits import Limits

os.environ.setdefault("GIKAI_LIBREOFFICE", "0")  # damaged FIBs must not start an installed LibreOffice
REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GIKAI_SHARED", REPO.parent / "shared"))
DOCUMENT_BUDGET_S = 1.0
"""Hang guard: one document may take at most this long through read, parse and check."""


@dataclass(frozen=True)
class FuzzDocument:
    name: str
    data: bytes
    origin: str
    """Which strategy made it (for failure messages)."""


@dataclass(frozen=True)
class Outcome:
    elapsed: float
    error: InputError | None
    """The documented input error the document was refused with, or None when it was read, parsed and checked."""


def run_pipeline(document: FuzzDocument, limits: Limits | None = None) -> Outcome:
    """read_bytes -> parse_document -> check. Raises whatever an undocumented failure raises."""
    from gikai_desk.ingest.dispatch import read_bytes
    from gikai_desk.parse import parse_document
    from gikai_desk.rules import check

    started = time.perf_counter()
    error: InputError | None = None
    try:
        report = parse_document(read_bytes(document.data, document.name, limits or Limits()))
        check(report)
    except InputError as exc:
        error = exc
    return Outcome(time.perf_counter() - started, error)


@cache
def seed_texts() -> tuple[str, ...]:
    """Real report texts to mutate: ../shared seeds and glued corpus texts, else the bundled demo report."""
    texts: list[str] = []
    for folder, pattern in ((SHARED / "seeds", "*.txt"), (SHARED / "corpus", "*.txt"), (REPO / "resources" / "demo", "*.txt")):
        if folder.is_dir():
            texts.extend(p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.glob(pattern)))
    if not texts:
        texts.append("某局2021年政府信息公开工作年度报告\n一、本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1\n")
    return tuple(texts)


@cache
def real_pdf() -> bytes | None:
    path = SHARED / "corpus" / "huaian-city-2024.pdf"
    return path.read_bytes() if path.is_file() else None


@cache
def form_labels() -> tuple[str, ...]:
    """Row and column labels of every table, from resources/forms.json."""
    from gikai_desk.forms import formbook

    labels: list[str] = []
    for table in formbook().tables.values():
        labels.extend(row.label for row in table.rows.values())
        labels.extend(col.label for col in table.columns.values())
        labels.append(table.title)
    return tuple(labels)


NUMBER_TEXT = st.one_of(
    st.integers(min_value=-10**12, max_value=10**12).map(str),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda v: f"{v:.2f}"),
    st.sampled_from(["0", "-", "—", "/", "无", "1,234", "１２", "3万元", "2021年", "- 4 -", "12 34", "９９９９９９９９９９９９９９９"]),
)
JUNK_TEXT = st.text(
    alphabet=st.sampled_from(list("0123456789\t |｜,.，。、()（）一二三四五六七八九十-—/\\\n\r\u3000\ufeff⼀年月日件")),
    max_size=40,
)


@st.composite
def mutated_seed(draw: st.DrawFn) -> FuzzDocument:
    """A real report text with byte flips, truncation, shuffled/duplicated lines, inserted numbers and labels,
    deleted pipes/tabs, re-encoded as UTF-8, GB18030 or UTF-16."""
    text = draw(st.sampled_from(seed_texts()))
    lines = text.splitlines()
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    operations = draw(
        st.lists(
            st.sampled_from(["shuffle", "insert_number", "insert_label", "drop_separators", "duplicate",
                             "delete_lines", "glue_lines", "truncate", "junk"]),
            min_size=1,
            max_size=5,
        )
    )
    applied: list[str] = []
    for operation in operations:
        if not lines:
            break
        applied.append(operation)
        if operation == "shuffle":
            start = rng.randrange(len(lines))
            block = lines[start : start + rng.randint(2, 30)]
            rng.shuffle(block)
            lines[start : start + len(block)] = block
        elif operation == "insert_number":
            for _ in range(rng.randint(1, 20)):
                i = rng.randrange(len(lines))
                pos = rng.randint(0, len(lines[i]))
                lines[i] = lines[i][:pos] + draw(NUMBER_TEXT) + lines[i][pos:]
        elif operation == "insert_label":
            for _ in range(rng.randint(1, 10)):
                lines.insert(rng.randint(0, len(lines)), draw(st.sampled_from(form_labels())) + draw(JUNK_TEXT))
        elif operation == "drop_separators":
            table = {ord(c): None for c in rng.sample(["|", "\t", " ", "｜", "\u3000"], rng.randint(1, 3))}
            lines = [line.translate(table) for line in lines]
        elif operation == "duplicate":
            start = rng.randrange(len(lines))
            lines[start:start] = lines[start : start + rng.randint(1, 40)] * rng.randint(1, 5)
        elif operation == "delete_lines":
            for _ in range(rng.randint(1, 20)):
                if lines:
                    del lines[rng.randrange(len(lines))]
        elif operation == "glue_lines":
            start = rng.randrange(len(lines))
            lines[start : start + 6] = ["".join(lines[start : start + 6])]
        elif operation == "truncate":
            lines = lines[: rng.randint(0, len(lines))]
        elif operation == "junk":
            lines.insert(rng.randint(0, len(lines)), draw(JUNK_TEXT))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "gb18030", "utf-16", "utf-8-sig"]))
    data = bytearray("\n".join(lines).encode(encoding, errors="replace"))
    flips = draw(st.integers(0, 8))
    for _ in range(flips if data else 0):
        data[rng.randrange(len(data))] = rng.randrange(256)
    if data and draw(st.booleans()):
        data = data[: rng.randint(0, len(data))]
    origin = f"mutated seed ({', '.join(applied)}; {encoding}; {flips} byte flips)"
    return FuzzDocument("mutated.txt", bytes(data), origin)


@st.composite
def random_bytes(draw: st.DrawFn) -> FuzzDocument:
    prefix = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"<html>", b"%PDF-1.7\n", b"PK\x03\x04", b"<table>"]))
    data = prefix + draw(st.binary(min_size=0, max_size=4096))
    return FuzzDocument("random.bin", data, f"random bytes after {prefix!r}")


def _cell_text(draw: st.DrawFn) -> str:
    return draw(st.one_of(NUMBER_TEXT, st.sampled_from(form_labels()), JUNK_TEXT, st.just("&nbsp;")))


@st.composite
def random_html(draw: st.DrawFn) -> FuzzDocument:
    """Random HTML tables: odd rowspan/colspan values, nesting, unclosed tags, labels and numbers as cells."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    span_values = ["1", "2", "3", "0", "-1", "999999", "abc", "2.5", ""]
    parts = ["<html><head>"]
    parts.append(draw(st.sampled_from(["", '<meta charset="gbk">', '<meta charset="utf-8">',
                                       '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
                                       '<meta charset="no-such-charset">'])))
    parts.append("</head><body>")
    depth = draw(st.integers(0, 60))
    parts.append("<div>" * depth)
    for _ in range(draw(st.integers(1, 4))):
        parts.append("<table>")
        for _ in range(draw(st.integers(0, 30))):
            parts.append("<tr>")
            for _ in range(draw(st.integers(0, 9))):
                tag = rng.choice(["td", "th", "td"])
                attrs = ""
                if rng.random() < 0.2:
                    attrs += f' rowspan="{rng.choice(span_values)}"'
                if rng.random() < 0.2:
                    attrs += f' colspan="{rng.choice(span_values)}"'
                close = f"</{tag}>" if rng.random() < 0.9 else ""
                inner = _cell_text(draw)
                if rng.random() < 0.05:
                    inner = "<table><tr><td>" + inner + "</td></tr></table>"
                parts.append(f"<{tag}{attrs}>{inner}{close}")
            if rng.random() < 0.9:
                parts.append("</tr>")
        if rng.random() < 0.9:
            parts.append("</table>")
        parts.append(f"<p>{_cell_text(draw)}</p>")
    parts.append("</div>" * rng.randint(0, depth))
    parts.append("</body></html>")
    encoding = draw(st.sampled_from(["utf-8", "gb18030", "utf-16"]))
    return FuzzDocument("random.html", "".join(parts).encode(encoding, errors="replace"), f"random HTML ({encoding})")


DOCX_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCX_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="word/document.xml"/></Relationships>'
)


def _docx_xml(draw: st.DrawFn, rng: random.Random) -> bytes:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        if rng.random() < 0.3:
            body.append(f"<w:p><w:r><w:t>{escape(_cell_text(draw))}</w:t></w:r></w:p>")
            continue
        body.append("<w:tbl>")
        for _ in range(draw(st.integers(0, 12))):
            body.append("<w:tr>")
            for _ in range(draw(st.integers(0, 8))):
                props = ""
                if rng.random() < 0.2:
                    props += f'<w:gridSpan w:val="{rng.choice(["2", "0", "-3", "99999", "x"])}"/>'
                if rng.random() < 0.2:
                    props += rng.choice(['<w:vMerge w:val="restart"/>', "<w:vMerge/>"])
                text = escape(_cell_text(draw))
                body.append(f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>")
            body.append("</w:tr>")
        body.append("</w:tbl>")
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document {w}><w:body>{"".join(body)}</w:body></w:document>'
    if rng.random() < 0.15:
        xml = xml[: rng.randint(0, len(xml))]
    if rng.random() < 0.1:
        xml = '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>' + xml.replace(
            "<w:body>", "<w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p>", 1
        )
    return xml.encode("utf-8")


def _xlsx_members(draw: st.DrawFn, rng: random.Random) -> dict[str, bytes]:
    """A real workbook written by openpyxl (labels, numbers, merged cells), maybe with one member cut short."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = draw(st.sampled_from(["表三", "Sheet1", "=SUM(A1)", "x" * 31]))
    for r in range(1, draw(st.integers(1, 30))):
        for c in range(1, draw(st.integers(1, 9))):
            value: object = draw(st.one_of(NUMBER_TEXT, st.sampled_from(form_labels()), st.integers(-10**6, 10**6),
                                           st.floats(allow_nan=False, allow_infinity=False), st.none()))
            sheet.cell(row=r, column=c, value=value)
    if rng.random() < 0.3:
        sheet.merge_cells(start_row=1, start_column=1, end_row=rng.randint(1, 5), end_column=rng.randint(1, 5))
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    if rng.random() < 0.3:
        victim = rng.choice(sorted(members))
        members[victim] = members[victim][: rng.randint(0, len(members[victim]))]
    return members


@st.composite
def random_office_zip(draw: st.DrawFn) -> FuzzDocument:
    """Zip containers named .docx/.xlsx: random Word tables, random sheets, garbage members, truncated archives."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["docx", "docx", "xlsx", "garbage"]))
    if kind == "docx":
        members = {
            "[Content_Types].xml": DOCX_CONTENT_TYPES,
            "_rels/.rels": DOCX_RELS,
            "word/document.xml": _docx_xml(draw, rng),
        }
    elif kind == "xlsx":
        members = _xlsx_members(draw, rng)
    else:
        members = {draw(st.sampled_from(["word/document.xml", "xl/workbook.xml", "a.txt"])): draw(st.binary(max_size=512))}
    buffer = io.BytesIO()
    compression = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for member, payload in members.items():
            archive.writestr(member, payload)
    data = bytearray(buffer.getvalue())
    damage = draw(st.sampled_from(["none", "none", "truncate", "flip"]))
    if damage == "truncate":
        data = data[: rng.randint(0, len(data))]
    elif damage == "flip":
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    name = "random.xlsx" if kind == "xlsx" else "random.docx"
    return FuzzDocument(name, bytes(data), f"zip {kind} ({damage})")


@st.composite
def mutated_pdf(draw: st.DrawFn) -> FuzzDocument:
    """The real text-layer PDF with byte flips or truncation, or a tiny hand-made PDF with random claims."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    base = real_pdf()
    if base is None or draw(st.booleans()):
        count = draw(st.sampled_from(["1", "0", "-1", "1000000", "x"]))
        data = bytearray(
            (
                "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                f"2 0 obj<</Type/Pages/Kids[3 0 R]/Count {count}>>endobj\n"
                "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
            ).encode()
        )
        origin = f"small PDF claiming /Count {count}"
    else:
        data = bytearray(base)
        origin = "real PDF"
    flips = draw(st.integers(0, 30))
    for _ in range(flips):
        data[rng.randrange(len(data))] = rng.randrange(256)
    if draw(st.booleans()):
        data = data[: rng.randint(8, len(data))]
        origin += ", truncated"
    return FuzzDocument("mutated.pdf", bytes(data), f"{origin}, {flips} byte flips")


LEGACY_FIXTURES = REPO / "tests" / "fixtures" / "legacy"


@cache
def legacy_files() -> tuple[tuple[str, bytes], ...]:
    """The committed .doc/.xls/.ofd/.rtf renderings of real-looking reports (tests/fixtures/legacy)."""
    return tuple(
        (path.name, path.read_bytes())
        for path in sorted(LEGACY_FIXTURES.iterdir())
        if path.suffix in (".doc", ".xls", ".ofd", ".rtf")
    )


@st.composite
def mutated_legacy(draw: st.DrawFn) -> FuzzDocument:
    """A Word 97 .doc, Excel 97 .xls or OFD fixture with damage: byte flips (half of them in the first 4 KB, where
    the OLE header, FAT and directory and the Word FIB live), a truncation, or for OFD flips inside one XML part
    of the package, which is then zipped again (so the damage reaches the reader, not just the CRC check)."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    name, base = draw(st.sampled_from(legacy_files()))
    flips = draw(st.integers(0, 40))
    if name.endswith(".ofd"):
        with zipfile.ZipFile(io.BytesIO(base)) as archive:
            members = {info.filename: archive.read(info) for info in archive.infolist()}
        target = draw(st.sampled_from(sorted(members)))
        part = bytearray(members[target])
        for _ in range(flips):
            part[rng.randrange(len(part))] = rng.choice(b'<>"/= 0123456789-.gXYL\x00\xff')
        members[target] = bytes(part)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for member, content in members.items():
                archive.writestr(member, content)
        return FuzzDocument(name, out.getvalue(), f"{name}: {flips} flips in {target}")
    data = bytearray(base)
    for index in range(flips):
        limit = min(4096, len(data)) if index % 2 else len(data)
        data[rng.randrange(limit)] = rng.randrange(256)
    origin = f"{name}: {flips} byte flips"
    if draw(st.booleans()):
        data = data[: rng.randint(512, len(data))]
        origin += ", truncated"
    return FuzzDocument(name, bytes(data), origin)


_CELL_SPLIT = re.compile(r"\t+|[|｜]+| {2,}|\u3000+")


def _seed_rows(text: str) -> list[list[str]]:
    return [[cell.strip() for cell in _CELL_SPLIT.split(line) if cell.strip()] for line in text.splitlines()]


@st.composite
def structured_seed(draw: st.DrawFn) -> FuzzDocument:
    """A (mutated) real report rewritten as an HTML page or a Word file: its table lines become table rows,
    with random cells merged (rowspan/colspan, gridSpan/vMerge) or dropped, so the parser's structured path
    sees report-like tables."""
    mutated = draw(mutated_seed())
    text = mutated.data.decode("utf-8", errors="replace") if mutated.data[:2] not in (b"\xff\xfe", b"\xfe\xff") else (
        mutated.data.decode("utf-16", errors="replace")
    )
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    rows = _seed_rows(text)
    as_docx = draw(st.booleans())
    if as_docx:
        body: list[str] = []
        in_table = False
        for cells in rows:
            if len(cells) > 1:
                if not in_table:
                    body.append("<w:tbl>")
                    in_table = True
                tcs = []
                for cell in cells:
                    if rng.random() < 0.03:
                        continue
                    props = '<w:gridSpan w:val="2"/>' if rng.random() < 0.05 else ""
                    props += "<w:vMerge/>" if rng.random() < 0.03 else ""
                    tcs.append(f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{escape(cell)}</w:t></w:r></w:p></w:tc>")
                body.append(f"<w:tr>{''.join(tcs)}</w:tr>")
            else:
                if in_table:
                    body.append("</w:tbl>")
                    in_table = False
                body.append(f"<w:p><w:r><w:t>{escape(''.join(cells))}</w:t></w:r></w:p>")
        if in_table:
            body.append("</w:tbl>")
        w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document {w}><w:body>{"".join(body)}</w:body></w:document>'
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
            archive.writestr("_rels/.rels", DOCX_RELS)
            archive.writestr("word/document.xml", xml.encode("utf-8"))
        return FuzzDocument("structured.docx", buffer.getvalue(), f"{mutated.origin} as .docx")
    parts = ['<html><head><meta charset="utf-8"></head><body>']
    in_table = False
    for cells in rows:
        if len(cells) > 1:
            if not in_table:
                parts.append("<table border=1>")
                in_table = True
            tds = []
            for cell in cells:
                if rng.random() < 0.03:
                    continue
                attrs = f' rowspan="{rng.randint(2, 4)}"' if rng.random() < 0.04 else ""
                attrs += f' colspan="{rng.randint(2, 4)}"' if rng.random() < 0.04 else ""
                tds.append(f"<td{attrs}>{escape(cell) if rng.random() > 0.02 else '&nbsp;'}</td>")
            parts.append(f"<tr>{''.join(tds)}</tr>")
        else:
            if in_table:
                parts.append("</table>")
                in_table = False
            parts.append(f"<p>{escape(''.join(cells))}</p>")
    parts.append("</table></body></html>" if in_table else "</body></html>")
    return FuzzDocument("structured.html", "".join(parts).encode("utf-8"), f"{mutated.origin} as HTML")


STRATEGIES = {
    "mutated_seed": mutated_seed(),
    "structured_seed": structured_seed(),
    "random_bytes": random_bytes(),
    "random_html": random_html(),
    "random_office_zip": random_office_zip(),
    "mutated_pdf": mutated_pdf(),
    "mutated_legacy": mutated_legacy(),
}
ANY_DOCUMENT = st.one_of(*STRATEGIES.values())
