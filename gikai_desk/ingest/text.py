"""Plain text: decode by BOM, strict UTF-8, or detection among Chinese encodings; refuse binary junk."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from gikai_desk.errors import InputError
from gikai_desk.ingest import SourceDocument
from gikai_desk.ingest.textgrid import convert_text_tables
from gikai_desk.limits import Limits

NOT_TEXT = "不是文本文件 binary file, not a text document"

CANDIDATE_ENCODINGS = ("utf_8", "gb18030", "big5", "utf_16_le", "utf_16_be")
"""What Chinese government documents arrive in: GB18030 is a superset of GBK and GB2312."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf_32_le"),
    (codecs.BOM_UTF32_BE, "utf_32_be"),
    (codecs.BOM_UTF8, "utf_8"),
    (codecs.BOM_UTF16_LE, "utf_16_le"),
    (codecs.BOM_UTF16_BE, "utf_16_be"),
)
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312_80": "gb18030",
    "cp936": "gb18030",
    "x_gbk": "gb18030",
    "euc_cn": "gb18030",
    "hz_gb_2312": "gb18030",
    "big5hkscs": "big5hkscs",
    "cp950": "big5",
    "x_mac_chinese_simp": "gb18030",
    "utf8": "utf_8",
    "unicode": "utf_16_le",
}
_FOREIGN_RUN = re.compile(rb"(?:[\x81-\xfe][\x30-\x39][\x81-\xfe][\x30-\x39]|[\x80-\xff][\x40-\x7e]?)+")
"""Stretches of non-ASCII bytes, with the ASCII trail bytes of GBK pairs and GB18030 four-byte sequences."""
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\v\x1a") + b"\x7f"
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f\x7f]")
_NEWLINES = re.compile(r"\r\n?")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    notes: list[str]


def normalise_encoding(label: str) -> str | None:
    """Python codec name for a charset label from a page or a detector; GBK family -> gb18030."""
    cleaned = label.strip().strip("\"'").lower().replace("-", "_")
    if not cleaned:
        return None
    cleaned = _ALIASES.get(cleaned, cleaned)
    try:
        codec = codecs.lookup(cleaned).name.replace("-", "_")
    except LookupError:
        return None
    return _ALIASES.get(codec, codec)


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def looks_binary(data: bytes) -> bool:
    """NUL bytes (outside UTF-16) or many control bytes mean this is not a text document."""
    sample = data[:65536]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > max(2, len(sample) // 100)


_PLAUSIBLE = re.compile("[\t\n\r\x20-\x7e\xa0-\xff\u2000-\u206f\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: NUL bytes (from ASCII characters) and a plausible decoding as text."""
    sample = data[:8192]
    if b"\x00" not in sample:
        return None
    sample = sample[: len(sample) // 2 * 2]
    for encoding in ("utf_16_le", "utf_16_be"):
        text = sample.decode(encoding, errors="replace")
        if text and len(_PLAUSIBLE.findall(text)) >= 0.95 * len(text):
            return encoding
    return None


def decode_bytes(data: bytes, name: str, declared: str | None = None) -> Decoded:
    """Decode a text or HTML file: BOM, then UTF-8, then a declared charset that decodes cleanly, then detection.

    Raises InputError for binary junk. A file that no single encoding decodes (UTF-8 mixed with GBK) is decoded
    stretch by stretch in its dominant encoding, the undecodable bytes replaced, and a note says so.
    """
    if not data:
        raise InputError(name, "空文件 empty file")
    bom = bom_encoding(data)
    if bom is not None:
        encoding, skip = bom
        body = data[skip:]
        try:
            return Decoded(body.decode(encoding), encoding, [f"编码 encoding: {encoding} (BOM)"])
        except UnicodeDecodeError:
            text = body.decode(encoding, errors="replace")
            return Decoded(text, encoding, [f"编码 encoding: {encoding} (BOM); 含无法解码的字节，已替换为 �"])
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        try:
            return Decoded(data.decode(utf16), utf16, [f"编码 encoding: {utf16} (detected)"])
        except UnicodeDecodeError:
            pass
    if looks_binary(data):
        raise InputError(name, NOT_TEXT)
    codec = normalise_encoding(declared) if declared else None
    try:
        # valid UTF-8 with non-ASCII bytes is UTF-8 whatever a page declares (GBK text almost never is)
        text = data.decode("utf_8")
    except UnicodeDecodeError:
        pass
    else:
        if codec in (None, "utf_8") or text.isascii():
            return Decoded(text, "utf_8", [])
        return Decoded(text, "utf_8", [f"编码 encoding: utf_8 (页面声明 declared {declared}, 实为 UTF-8)"])
    if codec is not None:
        try:
            return Decoded(data.decode(codec), codec, [f"编码 encoding: {codec} (declared {declared})"])
        except (UnicodeDecodeError, LookupError):
            pass
    detected = _detect(data)
    if detected is not None:
        try:
            return Decoded(data.decode(detected), detected, [f"编码 encoding: {detected} (detected)"])
        except UnicodeDecodeError:
            pass
    return _decode_mixed(data, name)


COMMON_HANZI = frozenset(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后"
    "多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因"
    "由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问"
    "意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山"
    "统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东"
    "导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积"
    "示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书"
    "布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划"
    "选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严申请予"
    "公开告复诉讼审结转办理政府信息年报申请件项目数量总计其他结果维持纠正尚未行政许可处罚强制收费采购金额规章范性文件"
)
"""Frequent characters of mainland government prose; scoring with them separates GB18030 from Big5/UTF-16
readings of the same bytes, which a statistical detector confuses on short texts."""


def _common_share(text: str) -> float:
    if not text:
        return 0.0
    hits = sum(1 for char in text if char in COMMON_HANZI or ("\x1f" < char < "\x7f") or char in "\t\n\r")
    return hits / len(text)


def _detect(data: bytes) -> str | None:
    """charset-normalizer's choice among the Chinese candidates, checked against a plain GB18030 reading."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(CANDIDATE_ENCODINGS)).best()
    guess = normalise_encoding(str(best.encoding)) if best is not None else None
    if guess == "gb18030":
        return guess
    sample = data[:65536]
    gb_reading = sample.decode("gb18030", errors="replace").replace("\ufffd", "\x00")
    if guess is not None:
        guess_reading = sample.decode(guess, errors="replace").replace("\ufffd", "\x00")
        if _common_share(guess_reading) > _common_share(gb_reading):
            return guess
        if _decodes(data, "gb18030"):
            return "gb18030"
    return guess


def _decodes(run: bytes, encoding: str) -> bool:
    try:
        run.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


_LATIN_GREEK_CYRILLIC = re.compile("[\u0080-\u009f\u00a1-\u07ff]+")
"""What GBK pairs look like when they happen to be valid two-byte UTF-8 (一 D2 BB reads as U+04BB)."""
_CHINESE = re.compile("[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


def _as_chinese(run: bytes) -> str | None:
    try:
        text = run.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return text if _CHINESE.fullmatch(text) else None


def _decode_run(run: bytes, order: list[str], dominant: str) -> tuple[str, bool, int]:
    """Decode one stretch of non-ASCII bytes: whole in the first encoding that can, else piece by piece.

    Returns the text, whether an encoding other than the dominant one was used, and how many bytes were replaced.
    """
    if run == b"\xc2\xa0":
        return "\xa0", dominant != "utf_8", 0  # a UTF-8 no-break space, not GBK 聽
    pieces: list[str] = []
    position = 0
    foreign = False
    replaced = 0
    while position < len(run):
        rest = run[position:]
        prefixes: list[tuple[int, str]] = []
        for encoding in order:
            try:
                piece = rest.decode(encoding)
            except UnicodeDecodeError as exc:
                prefixes.append((exc.start, encoding))
                continue
            if encoding == "utf_8" and _LATIN_GREEK_CYRILLIC.fullmatch(piece):
                chinese = _as_chinese(rest)
                if chinese is not None:
                    encoding, piece = "gb18030", chinese
            pieces.append(piece)
            return "".join(pieces), foreign or encoding != dominant, replaced
        usable = [(length, encoding) for length, encoding in prefixes if length > 0]
        if not usable:
            pieces.append("\ufffd")
            replaced += 1
            position += 1
            continue
        length, encoding = usable[0]
        foreign = foreign or encoding != dominant
        pieces.append(rest[:length].decode(encoding))
        position += length
    return "".join(pieces), foreign, replaced


def _decode_mixed(data: bytes, name: str) -> Decoded:
    runs = [(m.start(), m.end()) for m in _FOREIGN_RUN.finditer(data)]
    covered = {"utf_8": 0, "gb18030": 0, "big5": 0}
    for start, end in runs:
        for encoding in covered:
            if _decodes(data[start:end], encoding):
                covered[encoding] += end - start
    dominant = max(covered, key=lambda enc: covered[enc])
    order = [dominant] + [enc for enc in ("utf_8", "gb18030") if enc != dominant]
    # a stretch of three or more bytes that is valid UTF-8 is UTF-8 (GBK text almost never is); shorter
    # stretches (one GBK character) go to the dominant encoding first
    utf8_first = ["utf_8"] + [enc for enc in order if enc != "utf_8"]
    pieces: list[str] = []
    position = 0
    replaced = 0
    other_runs = 0
    for start, end in runs:
        pieces.append(data[position:start].decode("ascii"))
        run = data[start:end]
        piece, foreign, bad = _decode_run(run, utf8_first if len(run) >= 3 else order, dominant)
        pieces.append(piece)
        other_runs += foreign
        replaced += bad
        position = end
    pieces.append(data[position:].decode("ascii"))
    text = "".join(pieces)
    if replaced > max(16, len(text) // 20):
        raise InputError(name, f"{NOT_TEXT}（无法解码 undecodable in every Chinese encoding）")
    if not other_runs and not replaced:
        return Decoded(text, dominant, [f"编码 encoding: {dominant} (detected)"])
    note = f"编码混杂 mixed encodings: 以 {dominant} 为主"
    if other_runs:
        note += f"，{other_runs} 段按其他编码解码 stretches decoded in another encoding"
    if replaced:
        note += f"，{replaced} 处无法解码已替换为 � undecodable bytes replaced"
    return Decoded(text, dominant, [note])


def finish_text(text: str, name: str, limits: Limits) -> str:
    """Normalise line ends, refuse text with control characters or beyond the length limit."""
    text = _NEWLINES.sub("\n", text).replace("\x00", "")
    if limits.max_text_chars and len(text) > limits.max_text_chars:
        raise InputError(
            name,
            f"文本过长 text too long ({len(text)} characters, limit {limits.max_text_chars}; GIKAI_MAX_TEXT_CHARS)",
        )
    if len(_CONTROL_CHARS.findall(text[:65536])) > max(2, min(len(text), 65536) // 100):
        raise InputError(name, NOT_TEXT)
    return text


def read_text(data: bytes, name: str, limits: Limits) -> SourceDocument:
    """A plain text document, decoded and passed through unchanged apart from line ends, except for tables drawn
    as text: box-drawing grids are rewritten into TAB rows and one-line Markdown tables broken into rows
    (`gikai_desk.ingest.textgrid`), each with a note."""
    decoded = decode_bytes(data, name)
    text = finish_text(decoded.text, name, limits)
    if not text.strip():
        raise InputError(name, "空文件 empty file (only whitespace)")
    converted = convert_text_tables(text)
    if converted.text is text:
        return SourceDocument(path=name, kind="text", text=text, notes=decoded.notes)
    return SourceDocument(
        path=name,
        kind="text",
        text=converted.text,
        structured=converted.grids > 0,
        notes=[*decoded.notes, *converted.notes],
    )
