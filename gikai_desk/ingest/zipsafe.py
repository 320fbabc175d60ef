"""Safe access to the zip container of .docx/.xlsx: member size and ratio limits, bounded reads, no DTDs."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from xml.etree.ElementTree import Element

from gikai_desk.errors import InputError
from gikai_desk.limits import Limits

MAX_MEMBERS = 10_000
"""A real .docx/.xlsx holds tens of parts; more than this is refused."""
RATIO_CHECK_FLOOR = 1024 * 1024
"""Members smaller than this (uncompressed) are not ratio-checked: tiny XML parts compress very well."""

ZIP_BOMB = "疑似压缩炸弹 zip bomb"


def open_zip(data: bytes, name: str, label: str) -> zipfile.ZipFile:
    """Open the archive; `label` names the format in messages (e.g. "损坏的Word文件 corrupt .docx")."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(name, f"{label}: {exc}") from exc
    if len(archive.infolist()) > MAX_MEMBERS:
        raise InputError(name, f"{label}: 压缩包成员过多 too many zip members ({len(archive.infolist())})")
    return archive


def check_members(archive: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """Refuse, from the zip headers alone and before reading anything, members that are too big or too compressed."""
    total = 0
    for info in archive.infolist():
        _check_member(info, name, limits)
        total += info.file_size
    if limits.max_zip_member_bytes and total > 4 * limits.max_zip_member_bytes:
        raise InputError(name, f"{ZIP_BOMB}: 解压后共 {total} 字节 members total {total} bytes uncompressed")


def _check_member(info: zipfile.ZipInfo, name: str, limits: Limits) -> None:
    if limits.max_zip_member_bytes and info.file_size > limits.max_zip_member_bytes:
        raise InputError(
            name,
            f"{ZIP_BOMB}: 成员 {info.filename} 解压后 {info.file_size} 字节，超过上限 "
            f"member {info.filename} is {info.file_size} bytes uncompressed "
            f"(limit {limits.max_zip_member_bytes})",
        )
    if limits.max_zip_ratio and info.file_size >= RATIO_CHECK_FLOOR:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_zip_ratio:
            raise InputError(
                name,
                f"{ZIP_BOMB}: 成员 {info.filename} 压缩比 {ratio:.0f}:1 "
                f"member {info.filename} compression ratio {ratio:.0f}:1 (limit {limits.max_zip_ratio}:1)",
            )


def read_member(archive: zipfile.ZipFile, member: str, name: str, limits: Limits, label: str) -> bytes:
    """Read one member, never more than the limit even when its header lies about the size."""
    try:
        info = archive.getinfo(member)
    except KeyError as exc:
        raise InputError(name, f"{label}: 缺少 {member} missing part {member}") from exc
    _check_member(info, name, limits)
    cap = limits.max_zip_member_bytes or info.file_size
    try:
        with archive.open(info) as stream:
            data = stream.read(cap + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise InputError(name, f"{label}: {member}: {exc}") from exc
    if len(data) > cap:
        raise InputError(
            name, f"{ZIP_BOMB}: 成员 {member} 超过 {cap} 字节 member {member} exceeds {cap} bytes"
        )
    return data


def refuse_dtd(xml: bytes, member: str, name: str) -> None:
    """Office XML never carries a DTD; one is the mark of an entity bomb or external-entity attack."""
    if xml[:2] in (b"\xff\xfe", b"\xfe\xff"):
        probe = xml.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    else:
        probe = xml
    if b"<!DOCTYPE" in probe or b"<!ENTITY" in probe:
        raise InputError(
            name, f"XML含有DTD/实体定义（疑似实体炸弹），拒绝解析 {member}: DTD/entity declarations refused"
        )


def parse_xml(xml: bytes, member: str, name: str, label: str) -> Element:
    """A part of an Office/OFD package parsed with defusedxml, DTDs and entity declarations refused first."""
    import defusedxml.ElementTree as safe_xml
    from defusedxml import DefusedXmlException

    refuse_dtd(xml, member, name)
    try:
        root: Element = safe_xml.fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise InputError(name, f"XML含有DTD/实体定义，拒绝解析 {member}: {exc}") from exc
    except Exception as exc:
        raise InputError(name, f"{label}: {member}: {exc}") from exc
    return root


@contextmanager
def guarded(name: str, label: str) -> Iterator[None]:
    """Turn any zip/XML failure inside the block into InputError naming the file."""
    try:
        yield
    except InputError:
        raise
    except Exception as exc:
        raise InputError(name, f"{label}: {type(exc).__name__}: {exc}") from exc
