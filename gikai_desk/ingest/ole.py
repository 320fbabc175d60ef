"""OLE compound files (Word 97 .doc, WPS .wps, Excel 97 .xls, WPS .et, encrypted Office files): what is inside.

The container is opened with olefile (pure Python, bounded loops over the FAT, sector loops refused). Which reader
takes the file is decided by the streams it holds, never by the file name: `WordDocument` → the Word reader,
`Workbook`/`Book` → the Excel reader, `EncryptionInfo`/`EncryptedPackage` → a password-protected .docx/.xlsx
(Office encrypts OOXML inside an OLE container). A stream larger than the file itself, or than the zip member
limit, is refused before it is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gikai_desk.errors import InputError
from gikai_desk.limits import Limits

CORRUPT = "损坏的Office文件 corrupt OLE compound file (.doc/.xls/.wps/.et)"
ENCRYPTED = (
    "文件已加密，需要密码才能打开，请让报送单位提供未加密的文件 "
    "password-protected (encrypted) Office file: ask the agency for a copy without a password"
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class OleFile:
    """An opened compound file and the top-level stream names (lower case) it holds."""

    ole: Any
    streams: set[str]
    name: str
    size: int

    def read(self, stream: str, limits: Limits) -> bytes:
        """A stream's bytes; refused when its declared size exceeds the file or the member limit."""
        try:
            declared = int(self.ole.get_size(stream))
        except Exception as exc:
            raise InputError(self.name, f"{CORRUPT}: 缺少 {stream} stream missing ({exc})") from exc
        cap = limits.max_zip_member_bytes or declared
        if declared > self.size or declared > cap:
            raise InputError(
                self.name,
                f"{CORRUPT}: {stream} 声明 {declared} 字节，超过文件大小或上限 stream {stream} declares "
                f"{declared} bytes, more than the file ({self.size}) or the limit",
            )
        self._check_chain(stream, declared)
        try:
            with self.ole.openstream(stream) as handle:
                data: bytes = handle.read(declared + 1)
        except InputError:
            raise
        except Exception as exc:
            raise InputError(self.name, f"{CORRUPT}: {stream}: {type(exc).__name__}: {exc}") from exc
        return data[:declared]

    def _check_chain(self, stream: str, declared: int) -> None:
        """Walk the stream's sector chain once: a chain that runs back on itself (a FAT loop) or ends early is
        refused (olefile reads a fixed number of sectors and would return whatever the loop repeats)."""
        try:
            entry = self.ole.direntries[self.ole._find(stream)]
            small = declared < self.ole.minisectorcutoff
            if small:
                self.ole.loadminifat()
            table = self.ole.minifat if small else self.ole.fat
            size = self.ole.minisectorsize if small else self.ole.sectorsize
        except Exception as exc:
            raise InputError(self.name, f"{CORRUPT}: {stream}: {type(exc).__name__}: {exc}") from exc
        needed = (declared + size - 1) // size
        sector, seen = entry.isectStart, set()
        for _ in range(needed):
            if sector in seen:
                raise InputError(
                    self.name, f"{CORRUPT}: {stream} 扇区链循环 sector chain loops back on itself"
                )
            if not 0 <= sector < len(table):
                raise InputError(self.name, f"{CORRUPT}: {stream} 扇区链中断 sector chain ends early")
            seen.add(sector)
            sector = table[sector]


def open_ole(data: bytes, name: str) -> OleFile:
    import olefile

    try:
        ole = olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT)
        streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=False)}
    except Exception as exc:
        raise InputError(name, f"{CORRUPT}: {type(exc).__name__}: {exc}") from exc
    return OleFile(ole, streams, name, len(data))


def ole_kind(ole: OleFile) -> str:
    """word, excel, encrypted (an encrypted .docx/.xlsx), presentation or unknown."""
    streams = ole.streams
    if "encryptioninfo" in streams or "encryptedpackage" in streams:
        return "encrypted"
    if "worddocument" in streams:
        return "word"
    if "workbook" in streams or "book" in streams:
        return "excel"
    if "powerpoint document" in streams:
        return "presentation"
    return "unknown"
