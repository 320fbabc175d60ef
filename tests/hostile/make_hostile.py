"""Generator of hostile inputs (bombs, huge, deep, broken, mis-encoded files) for tests/test_hostile.py."""
# Run `python tests/hostile/make_hostile.py` to (re)write the small committed fixtures in tests/hostile/files/;
# the big ones (zip bomb, 200 MB text, 100k-deep HTML) are made by the tests in a temporary folder.

from __future__ import annotations

import io
import random
import struct
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
BILLION_LAUGHS_DTD = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    + "]>"
)


def docx_bytes(document_xml: str | bytes) -> bytes:
    """A minimal .docx around the given word/document.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("word/document.xml", document_xml)
    return buffer.getvalue()


def document_xml(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
    )


def paragraph(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def replace_member(archive_bytes: bytes, member: str, data: bytes) -> bytes:
    """The archive with `member` replaced by (or, when absent, added as) `data`."""
    source = zipfile.ZipFile(io.BytesIO(archive_bytes))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, data if info.filename == member else source.read(info.filename))
        if member not in source.namelist():
            target.writestr(member, data)
    return buffer.getvalue()


# -- the hostile files ----------------------------------------------------------------------------------


def entity_bomb_docx(folder: Path) -> Path:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        + BILLION_LAUGHS_DTD
        + f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
    )
    path = folder / "entity-bomb.docx"
    path.write_bytes(docx_bytes(xml))
    return path


def entity_bomb_xlsx(folder: Path) -> Path:
    base = xlsx_bytes([["一、本年新收政府信息公开申请数量", 1, 2, 3]])
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        + BILLION_LAUGHS_DTD
        + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    path = folder / "entity-bomb.xlsx"
    path.write_bytes(replace_member(base, "xl/worksheets/sheet1.xml", sheet.encode()))
    return path


def zip_bomb_docx(folder: Path, megabytes: int = 200) -> Path:
    """A real, modest zip bomb: word/document.xml is `megabytes` MB of zeros (about 0.2 MB compressed)."""
    path = folder / "zip-bomb.docx"
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(chunk)
    return path


def forged_size_docx(folder: Path, megabytes: int = 20) -> Path:
    """A zip bomb whose headers lie: they claim word/document.xml is 2 KB, it inflates to `megabytes` MB."""
    honest = io.BytesIO()
    xml = document_xml(paragraph("x")).encode()
    with zipfile.ZipFile(honest, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("word/document.xml", xml + b" " * (megabytes * 1024 * 1024))
    data = bytearray(honest.getvalue())
    claimed = 2048
    # the uncompressed size sits at offset 22 of a local file header, 24 of a central directory entry
    name = b"word/document.xml"
    for signature, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_offset = 30 if signature == b"PK\x03\x04" else 46
            if data[start + name_offset : start + name_offset + len(name)] == name:
                struct.pack_into("<I", data, start + size_offset, claimed)
            start += 4
    path = folder / "forged-size.docx"
    path.write_bytes(bytes(data))
    return path


def big_text(folder: Path, megabytes: int = 200) -> Path:
    """A text file of `megabytes` MB: a report's first line, then a sparse hole (nothing written to disk)."""
    path = folder / f"big-{megabytes}mb.txt"
    with path.open("wb") as stream:
        stream.write("泉州市某局2019年政府信息公开工作年度报告\n".encode())
        stream.truncate(megabytes * 1024 * 1024)
    return path


def deep_html(folder: Path, levels: int = 100_000) -> Path:
    path = folder / "deep.html"
    inner = "<table><tr><td>一、本年新收政府信息公开申请数量</td><td>5</td></tr></table>"
    path.write_text(
        "<html><body><p>深层嵌套</p>" + "<div>" * levels + inner + "</div>" * levels + "</body></html>",
        encoding="utf-8",
    )
    return path


REPORT_TEXT_LINES = [
    "{organ}2019年政府信息公开工作年度报告",
    "一、总体情况",
    "2019年，本机关共收到政府信息公开申请5件，结转下年度继续办理0件。",
    "三、收到和处理政府信息公开申请情况",
]


def organ_equals_html(folder: Path) -> Path:
    """A report page whose organ name begins with "=" (a formula to a spreadsheet): it must stay text."""
    organ = '=HYPERLINK("http://x","点击")市某局'
    head = "".join(f"<p>{line.format(organ=organ)}</p>" for line in REPORT_TEXT_LINES)
    table = (
        "<table border=1><tr><td>本年度办理结果</td><td>自然人</td><td>商业企业</td><td>科研机构</td>"
        "<td>社会公益组织</td><td>法律服务机构</td><td>其他</td><td>总计</td></tr>"
        "<tr><td>一、本年新收政府信息公开申请数量</td><td>5</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td>"
        "<td>5</td></tr></table>"
    )
    path = folder / "organ-equals.html"
    path.write_text(f"<html><head><title>{organ}</title></head><body>{head}{table}</body></html>", "utf-8")
    return path


def no_tables_html(folder: Path) -> Path:
    path = folder / "no-tables.html"
    path.write_bytes(
        '<!DOCTYPE html><html><head><meta charset="gbk"><title>通知</title></head><body>'
        "<h1>关于做好政务公开工作的通知</h1><p>各单位：请认真落实。</p></body></html>".encode("gbk")
    )
    return path


def invalid_utf8(folder: Path) -> Path:
    """UTF-8 text with stray bytes that are valid in no encoding (0xFF) and truncated sequences."""
    text = "\n".join(line.format(organ="某县人民政府") for line in REPORT_TEXT_LINES).encode()
    path = folder / "invalid-utf8.txt"
    path.write_bytes(text[:20] + b"\xff\xfe\xff" + text[20:60] + b"\xe4\xb8" + text[60:] + b"\n\xc3")
    return path


def mixed_encodings(folder: Path) -> Path:
    """Lines in UTF-8 and lines in GBK in one file (pasted together from two sources)."""
    lines = [line.format(organ="某县人民政府") for line in REPORT_TEXT_LINES]
    data = b"".join((line + "\n").encode("gbk" if index % 2 else "utf-8") for index, line in enumerate(lines))
    path = folder / "mixed-encodings.txt"
    path.write_bytes(data)
    return path


def empty_file(folder: Path) -> Path:
    path = folder / "empty.txt"
    path.write_bytes(b"")
    return path


def binary_junk(folder: Path) -> Path:
    path = folder / "junk.txt"
    path.write_bytes(random.Random(20191231).randbytes(4096))
    return path


def truncated_docx(folder: Path) -> Path:
    data = docx_bytes(document_xml(paragraph("政府信息公开工作年度报告") * 200))
    path = folder / "truncated.docx"
    path.write_bytes(data[: len(data) // 2])
    return path


def corrupt_xlsx(folder: Path) -> Path:
    data = xlsx_bytes([["一、本年新收政府信息公开申请数量", 1, 2]])
    path = folder / "corrupt.xlsx"
    path.write_bytes(replace_member(data, "xl/workbook.xml", b"<workbook><sheets><sheet name="))
    return path


def legacy_doc(folder: Path) -> Path:
    path = folder / "legacy.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    return path


LEGACY = HERE.parent / "fixtures" / "legacy"
"""LibreOffice-made .doc/.xls fixtures the OLE hostile files are cut from."""


def _ole_entry(data: bytes | bytearray, stream: str) -> tuple[int, int]:
    """(offset of the directory entry of `stream`, its first sector) in an OLE file with 512-byte sectors."""
    directory = struct.unpack_from("<I", data, 0x30)[0]
    wanted = stream.encode("utf-16-le")
    sector = directory
    fat = _ole_fat(data)
    for _ in range(64):
        base = (sector + 1) * 512
        for entry in range(base, base + 512, 128):
            length = struct.unpack_from("<H", data, entry + 64)[0]
            if data[entry : entry + max(length - 2, 0)] == wanted:
                return entry, struct.unpack_from("<I", data, entry + 116)[0]
        sector = fat[sector]
    raise KeyError(stream)


def _ole_fat(data: bytes | bytearray) -> list[int]:
    sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < 0xFFFFFFFA]
    fat: list[int] = []
    for sector in sectors:
        fat.extend(struct.unpack_from("<128I", data, (sector + 1) * 512))
    return fat


def _fat_slot(data: bytes | bytearray, index: int) -> int:
    """File offset of the FAT entry of sector `index`."""
    sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < 0xFFFFFFFA]
    return (sectors[index // 128] + 1) * 512 + 4 * (index % 128)


def _sector_loop(source: str, stream: str, target: Path) -> Path:
    """A copy of `source` whose `stream` has a sector chain running back from its second sector to its first."""
    data = bytearray((LEGACY / source).read_bytes())
    _entry, first = _ole_entry(data, stream)
    second = _ole_fat(data)[first]
    struct.pack_into("<I", data, _fat_slot(data, second), first)
    target.write_bytes(bytes(data))
    return target


def ole_sector_loop_doc(folder: Path) -> Path:
    """A .doc whose WordDocument stream's sector chain runs back on itself (a FAT loop)."""
    return _sector_loop("linchuanhu-2021.doc", "WordDocument", folder / "sector-loop.doc")


def ole_sector_loop_xls(folder: Path) -> Path:
    """The same FAT loop in the Workbook stream of an .xls."""
    return _sector_loop("cuiping-caizheng-2021.xls", "Workbook", folder / "sector-loop.xls")


def ole_oversized_stream_doc(folder: Path) -> Path:
    """A .doc whose directory says WordDocument holds 2 GB (the file is 50 KB)."""
    data = bytearray((LEGACY / "linchuanhu-2021.doc").read_bytes())
    entry, _first = _ole_entry(data, "WordDocument")
    struct.pack_into("<I", data, entry + 120, 0x7FFFFFF0)
    path = folder / "oversized-stream.doc"
    path.write_bytes(bytes(data))
    return path


def ole_truncated_doc(folder: Path) -> Path:
    """The first 6 KB of a .doc (a download cut short): the header names sectors that are not there."""
    path = folder / "truncated.doc"
    path.write_bytes((LEGACY / "linchuanhu-2021.doc").read_bytes()[:6144])
    return path


def lying_fib_doc(folder: Path) -> Path:
    """A .doc whose FIB claims 2 billion characters of text and a piece table beyond the table stream."""
    import olefile

    path = folder / "lying-fib.doc"
    path.write_bytes((LEGACY / "linchuanhu-2021.doc").read_bytes())
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        word = bytearray(ole.openstream("WordDocument").read())
        csw = struct.unpack_from("<H", word, 32)[0]
        struct.pack_into("<I", word, 34 + 2 * csw + 2 + 12, 0x7FFFFFFF)
        ole.write_stream("WordDocument", bytes(word))
    return path


def entity_bomb_ofd(folder: Path) -> Path:
    """An OFD package whose OFD.xml carries the billion-laughs DTD."""
    path = folder / "entity-bomb.ofd"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "OFD.xml",
            '<?xml version="1.0"?>'
            + BILLION_LAUGHS_DTD
            + "<OFD><DocBody><DocRoot>&lol9;</DocRoot></DocBody></OFD>",
        )
    return path


def zip_bomb_ofd(folder: Path, megabytes: int = 200) -> Path:
    """A real zip bomb in OFD's clothes: a page's Content.xml is `megabytes` MB of zeros."""
    path = folder / "zip-bomb.ofd"
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("OFD.xml", "<OFD><DocBody><DocRoot>Doc_0/Document.xml</DocRoot></DocBody></OFD>")
        with archive.open("Doc_0/Pages/Page_0/Content.xml", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(chunk)
    return path


def deep_rtf(folder: Path) -> Path:
    """An RTF whose groups nest 20,000 deep (the reader keeps a stack, and refuses past 2,000)."""
    path = folder / "deep.rtf"
    path.write_bytes(b"{\\rtf1\\ansi " + b"{" * 20_000 + b"x" + b"}" * 20_000 + b"}")
    return path


SMALL: dict[str, Callable[[Path], Path]] = {
    "entity-bomb.docx": entity_bomb_docx,
    "entity-bomb.xlsx": entity_bomb_xlsx,
    "forged-size.docx": forged_size_docx,
    "organ-equals.html": organ_equals_html,
    "no-tables.html": no_tables_html,
    "invalid-utf8.txt": invalid_utf8,
    "mixed-encodings.txt": mixed_encodings,
    "empty.txt": empty_file,
    "junk.txt": binary_junk,
    "truncated.docx": truncated_docx,
    "corrupt.xlsx": corrupt_xlsx,
    "legacy.doc": legacy_doc,
    "sector-loop.doc": ole_sector_loop_doc,
    "sector-loop.xls": ole_sector_loop_xls,
    "oversized-stream.doc": ole_oversized_stream_doc,
    "truncated.doc": ole_truncated_doc,
    "lying-fib.doc": lying_fib_doc,
    "entity-bomb.ofd": entity_bomb_ofd,
    "deep.rtf": deep_rtf,
}
"""Small hostile files, committed under tests/hostile/files/ (and re-creatable with this script)."""
BIG: dict[str, Callable[[Path], Path]] = {
    "zip-bomb.docx": zip_bomb_docx,
    "zip-bomb.ofd": zip_bomb_ofd,
    "big-200mb.txt": big_text,
    "big-50mb.txt": lambda folder: big_text(folder, 50),
    "deep.html": deep_html,
}
"""Big hostile files, made by the tests in a temporary folder (never committed)."""


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else FILES
    folder.mkdir(parents=True, exist_ok=True)
    for name, make in SMALL.items():
        path = make(folder)
        print(f"{path.name}\t{path.stat().st_size} bytes")
        assert path.name == name
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
