"""OFD (GB/T 33190, the national fixed-layout format): text objects and rulings into the PDF page reader.

An OFD file is a zip package of XML parts: OFD.xml names the document (DocBody/DocRoot), Document.xml lists its
pages (Pages/Page BaseLoc) and the page size (CommonData/PageArea/PhysicalBox), each page's Content.xml holds
layers of graphic units. What is read:
- TextObject: Boundary (its box on the page), CTM (an optional transform inside the box), Size (font size);
  each TextCode gives the first glyph's position (X, Y: the baseline) and DeltaX/DeltaY the offsets to the next
  glyphs (`g 3 1.5` repeats 1.5 three times). Each character becomes a box from its position to the next
  glyph's (the last one: one em for CJK, half an em otherwise), ascent 0.88 em and descent 0.12 em;
- PathObject: straight segments of AbbreviatedData (M/S move, L line, C close; curves only move the pen) and thin
  filled boxes, which are table rulings;
- PageBlock groups are opened; template pages (Template TemplateID → CommonData/TemplatePage) are read with their
  page; images and composite objects carry no text.
OFD measures in millimetres from the top left; everything is converted to PDF user space (points, y upwards), and
the pages go through the same page-geometry reader as text-layer PDFs (gikai_desk.ingest.pdf.compose_pages):
ruled and space-aligned tables, running headers, tables continued across pages.

The package is opened with the same zip limits as .docx/.xlsx (members' sizes and compression ratios checked
from the headers, bounded reads) and its XML with the same refusal of DTDs and entity declarations.
"""

from __future__ import annotations

import math
import posixpath
import re
import time
import zipfile
from xml.etree.ElementTree import Element

from gikai_desk.errors import InputError
from gikai_desk.ingest import SourceDocument
from gikai_desk.ingest.pdf import _MAX_OBJECTS, _THIN, Char, _add_segment, _RawPage, _Segments, compose_pages
from gikai_desk.ingest.zipsafe import check_members, guarded, open_zip, parse_xml, read_member
from gikai_desk.limits import Limits

CORRUPT = "损坏的OFD文件 corrupt OFD document"
POINTS_PER_MM = 72 / 25.4
ASCENT, DESCENT = 0.88, 0.12
"""Parts of the em above and below the baseline of a character's box (as PDFium's loose boxes)."""
DEFAULT_BOX = (0.0, 0.0, 210.0, 297.0)
"""A4 in millimetres, when neither the page nor the document gives a PhysicalBox."""
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_WIDE = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")

Matrix = tuple[float, float, float, float, float, float]


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def _parse(xml: bytes, member: str, name: str) -> Element:
    return parse_xml(xml, member, name, CORRUPT)


def _child(element: Element | None, *path: str) -> Element | None:
    """The first descendant along `path` by local names (namespace-agnostic: producers differ)."""
    for step in path:
        if element is None:
            return None
        element = next((child for child in element if _local(child.tag) == step), None)
    return element


def _children(element: Element | None, name: str) -> list[Element]:
    return [] if element is None else [child for child in element if _local(child.tag) == name]


def _numbers(text: str | None, limit: int = 100_000) -> list[float]:
    if not text:
        return []
    values: list[float] = []
    for found in _NUMBER.finditer(text):
        value = float(found.group())
        if not math.isfinite(value):
            continue
        values.append(value)
        if len(values) >= limit:
            break
    return values


def _deltas(text: str | None, limit: int) -> list[float]:
    """DeltaX/DeltaY: numbers, with `g N v` standing for N times v."""
    if not text:
        return []
    tokens = text.split()
    out: list[float] = []
    i = 0
    while i < len(tokens) and len(out) < limit:
        token = tokens[i]
        if token == "g" and i + 2 < len(tokens):
            count = _numbers(tokens[i + 1])
            value = _numbers(tokens[i + 2])
            if count and value:
                out.extend([value[0]] * max(0, min(int(count[0]), limit - len(out))))
            i += 3
            continue
        value = _numbers(token)
        if value:
            out.append(value[0])
        i += 1
    return out


def _box(text: str | None) -> tuple[float, float, float, float] | None:
    values = _numbers(text, 4)
    if len(values) < 4 or values[2] <= 0 or values[3] <= 0:
        return None
    return values[0], values[1], values[2], values[3]


def _matrix(text: str | None) -> Matrix | None:
    values = _numbers(text, 6)
    if len(values) < 6:
        return None
    return values[0], values[1], values[2], values[3], values[4], values[5]


def _resolve(base: str, location: str) -> str:
    """A part named relative to the part that names it (or absolute from the package root)."""
    location = location.strip().replace("\\", "/")
    if location.startswith("/"):
        return posixpath.normpath(location.lstrip("/"))
    return posixpath.normpath(posixpath.join(base, location))


class _Page:
    """One page's characters and rulings, converted from millimetres (y down) to points (y up)."""

    def __init__(self, box: tuple[float, float, float, float], deadline: float) -> None:
        self.box = box
        self.chars: list[Char] = []
        self.hsegs: _Segments = []
        self.vsegs: _Segments = []
        self.objects = 0
        self.deadline = deadline

    def point(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.box[0]) * POINTS_PER_MM, (self.box[1] + self.box[3] - y) * POINTS_PER_MM

    def raw(self) -> _RawPage:
        width, height = self.box[2] * POINTS_PER_MM, self.box[3] * POINTS_PER_MM
        return self.chars, self.hsegs, self.vsegs, (0.0, 0.0, width, height)

    def read(self, layer: Element) -> None:
        stack = list(reversed(list(layer)))
        while stack:
            node = stack.pop()
            self.objects += 1
            if self.objects > _MAX_OBJECTS or (self.objects & 1023 == 0 and time.monotonic() > self.deadline):
                return
            kind = _local(node.tag)
            if kind == "TextObject":
                self._text(node)
            elif kind == "PathObject":
                self._path(node)
            elif kind == "PageBlock":
                stack.extend(reversed(list(node)))

    def _placed(self, node: Element) -> tuple[tuple[float, float, float, float], Matrix] | None:
        box = _box(node.get("Boundary"))
        if box is None:
            return None
        return box, _matrix(node.get("CTM")) or (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

    def _text(self, node: Element) -> None:
        placed = self._placed(node)
        if placed is None:
            return
        (bx, by, _w, _h), ctm = placed
        sizes = _numbers(node.get("Size") or node.get("size"), 1)
        size = sizes[0] if sizes and sizes[0] > 0 else 3.5
        scale = math.sqrt(abs(ctm[0] * ctm[3] - ctm[1] * ctm[2])) or 1.0
        x = y = 0.0
        for code in _children(node, "TextCode"):
            text = code.text or ""
            if not text:
                continue
            xs, ys = _numbers(code.get("X"), 1), _numbers(code.get("Y"), 1)
            x = xs[0] if xs else x
            y = ys[0] if ys else y
            dx = _deltas(code.get("DeltaX"), len(text))
            dy = _deltas(code.get("DeltaY"), len(text))
            for index, ch in enumerate(text):
                advance = dx[index] if index < len(dx) else size * (1.0 if _WIDE.match(ch) else 0.5)
                if not ch.isspace() and ch >= " ":
                    self._char(ch, x, y, advance, size, bx, by, ctm, scale)
                x += advance
                if index < len(dy):
                    y += dy[index]
            if len(self.chars) > 4_000_000:
                return

    def _char(
        self,
        ch: str,
        x: float,
        y: float,
        advance: float,
        size: float,
        bx: float,
        by: float,
        ctm: Matrix,
        scale: float,
    ) -> None:
        a, b, c, d, e, f = ctm
        left = (a * x + c * y + e + bx, b * x + d * y + f + by)
        right = (a * (x + advance) + c * y + e + bx, b * (x + advance) + d * y + f + by)
        x0, baseline = self.point(*left)
        x1, _ = self.point(*right)
        em = size * scale * POINTS_PER_MM
        if x1 < x0:
            x0, x1 = x1, x0
        self.chars.append((ch, x0, baseline - DESCENT * em, x1, baseline + ASCENT * em, baseline))

    def _path(self, node: Element) -> None:
        placed = self._placed(node)
        if placed is None:
            return
        (bx, by, _w, _h), ctm = placed
        a, b, c, d, e, f = ctm
        stroke = (node.get("Stroke") or "true").lower() != "false"
        fill = (node.get("Fill") or "false").lower() == "true"
        data = _child(node, "AbbreviatedData")
        tokens = (data.text or "").split() if data is not None else []
        points: list[tuple[float, float]] = []
        segments: list[tuple[tuple[float, float], tuple[float, float]]] = []
        arity = {"M": 2, "S": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}
        start = current = None
        i = 0
        while i < len(tokens) and len(points) < 4000:
            op = tokens[i]
            count = arity.get(op)
            if count is None:
                i += 1
                continue
            values = _numbers(" ".join(tokens[i + 1 : i + 1 + count]), count)
            i += 1 + count
            if len(values) < count:
                break
            if op == "C":
                if current is not None and start is not None:
                    segments.append((current, start))
                current = start
                continue
            px, py = values[-2], values[-1]
            page = self.point(a * px + c * py + e + bx, b * px + d * py + f + by)
            points.append(page)
            if op == "L" and current is not None:
                segments.append((current, page))
            if op in ("M", "S"):
                start = page
            current = page
        if not points:
            return
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        width, height = max(xs) - min(xs), max(ys) - min(ys)
        if (stroke or fill) and width <= _THIN < height:
            self.vsegs.append(((min(xs) + max(xs)) / 2, min(ys), max(ys)))
        elif (stroke or fill) and height <= _THIN < width:
            self.hsegs.append(((min(ys) + max(ys)) / 2, min(xs), max(xs)))
        elif stroke:
            for p, q in segments:
                _add_segment(p, q, self.hsegs, self.vsegs)


def _read_pages(archive: zipfile.ZipFile, name: str, limits: Limits, deadline: float) -> list[_RawPage]:
    def part(member: str) -> Element:
        if member not in names:
            raise InputError(name, f"{CORRUPT}: 缺少 {member} missing part {member}")
        return _parse(read_member(archive, member, name, limits, CORRUPT), member, name)

    names = set(archive.namelist())
    root = part("OFD.xml")
    doc_root = _child(root, "DocBody", "DocRoot")
    if doc_root is None or not (doc_root.text or "").strip():
        raise InputError(name, f"{CORRUPT}: OFD.xml 没有 DocRoot no document named in OFD.xml")
    doc_path = _resolve("", doc_root.text or "")
    document = part(doc_path)
    base = posixpath.dirname(doc_path)
    common = _child(document, "CommonData")
    physical = _child(common, "PageArea", "PhysicalBox")
    default_box = _box(physical.text if physical is not None else None) or DEFAULT_BOX
    templates = {
        template.get("ID", ""): _resolve(base, template.get("BaseLoc", ""))
        for template in _children(common, "TemplatePage")
        if template.get("BaseLoc")
    }
    entries = _children(_child(document, "Pages"), "Page")
    if not entries:
        raise InputError(name, f"{CORRUPT}: 没有页面 no pages")
    if limits.max_pdf_pages and len(entries) > limits.max_pdf_pages:
        raise InputError(name, f"页数过多 too many pages: {len(entries)} (limit {limits.max_pdf_pages})")
    pages: list[_RawPage] = []
    total = 0
    for entry in entries:
        if time.monotonic() > deadline:
            raise InputError(name, f"读取超时 timeout: more than {limits.timeout_seconds:g} s")
        location = entry.get("BaseLoc")
        if not location:
            continue
        content = part(_resolve(base, location))
        area = _child(content, "Area", "PhysicalBox")
        if area is None:
            area = _child(content, "Content", "PageArea", "PhysicalBox")
        page = _Page(_box(area.text if area is not None else None) or default_box, deadline)
        for template in _children(content, "Template"):
            location = templates.get(template.get("TemplateID", ""))
            if location and location in names:
                for layer in _children(_child(part(location), "Content"), "Layer"):
                    page.read(layer)
        for layer in _children(_child(content, "Content"), "Layer"):
            page.read(layer)
        total += len(page.chars)
        if limits.max_text_chars and total > limits.max_text_chars:
            raise InputError(name, f"文字过多 too much text (more than {limits.max_text_chars} characters)")
        pages.append(page.raw())
    return pages


def read_ofd(data: bytes, name: str, limits: Limits) -> SourceDocument:
    """An OFD document's text objects, laid out as a text-layer PDF's characters are."""
    started = time.monotonic()
    deadline = started + limits.timeout_seconds if limits.timeout_seconds > 0 else math.inf
    with guarded(name, CORRUPT):
        archive = open_zip(data, name, CORRUPT)
        check_members(archive, name, limits)
        pages = _read_pages(archive, name, limits, deadline)
    return compose_pages(pages, name, limits, deadline, [], "ofd")
