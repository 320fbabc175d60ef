"""Shared Excel helpers: atomic saving with lock detection, text-safe cells, styles and column widths."""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

FORMULA_PREFIXES = ("=", "+", "-", "@")
PAPERSIZE_A4 = "9"
"""openpyxl page_setup.paperSize code of A4."""

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
SECTION_FILL = PatternFill("solid", fgColor="EDEDED")
CORRECTED_FILL = PatternFill("solid", fgColor="FFF2CC")
FAIL_FILL = PatternFill("solid", fgColor="FFC7CE")
UNSURE_FILL = PatternFill("solid", fgColor="FCE4D6")
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
FAIL_FONT = Font(color="9C0006")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


class ExcelWriteError(Exception):
    """A workbook could not be written (target open/locked elsewhere, no permission, folder missing)."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def clean_text(value: str) -> str:
    """Text a worksheet may hold: control characters removed."""
    return str(ILLEGAL_CHARACTERS_RE.sub("", value))


def set_text(cell: Any, value: str | None) -> None:
    """Write document text as text: a value starting with = + - @ never becomes a formula."""
    if value is None or value == "":
        cell.value = None
        return
    text = clean_text(value)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True


def display_width(text: str) -> int:
    """Approximate column width of text: East Asian wide characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def lock_files(target: Path) -> list[Path]:
    """Lock files Excel/WPS (~$name) or LibreOffice (.~lock.name#) leave next to an open workbook."""
    name = target.name
    candidates = [f"~${name}", f"~${name[2:]}" if len(name) > 2 else "", f".~lock.{name}#"]
    return [target.parent / c for c in candidates if c and (target.parent / c).exists()]


def atomic_save(write: Callable[[Path], None], path: str | Path) -> None:
    """Run write(temporary path) in the target folder, then os.replace() the result over the target.

    `write` builds and saves the workbook; it is only called once the target is known to be writable.

    Raises ExcelWriteError when the target is open elsewhere (a lock file exists, or the replace is refused)
    or cannot be written; in every failure case the target is left as it was and no temporary file remains.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    locks = lock_files(target)
    if locks:
        raise ExcelWriteError(
            target,
            f"文件正被其他程序打开（发现锁文件 {locks[0].name}），请先在 Excel/WPS/LibreOffice 中关闭后重试 "
            "the file is open in another program",
        )
    if not folder.is_dir():
        raise ExcelWriteError(target, "目标文件夹不存在 folder does not exist")
    if target.exists() and not os.access(target, os.W_OK):
        raise ExcelWriteError(target, "目标文件为只读 the file is read-only")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".~gikai-", suffix=".xlsx", dir=folder)
    except OSError as exc:
        raise ExcelWriteError(
            target, f"无法在目标文件夹中写入 cannot write in the folder: {exc.strerror or exc}"
        ) from exc
    tmp = Path(tmp_name)
    try:
        os.close(fd)
        os.chmod(tmp, _target_mode(target))
        write(tmp)
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except PermissionError as exc:
        raise ExcelWriteError(
            target,
            "无法替换目标文件：它可能正被 Excel/WPS 打开，或没有写权限 the file is open elsewhere or not writable",
        ) from exc
    except OSError as exc:
        raise ExcelWriteError(target, f"写入失败 write failed: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _target_mode(target: Path) -> int:
    """Permissions the saved file should have: the old file's, else the usual ones under the umask."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


LINE_HEIGHT = 14.5
"""Points per line of wrapped text at the default 11 pt font."""
WIDE_CHAR_FACTOR = 0.85
"""A Chinese character takes about 1.7 column-width units, not the 2 display_width counts."""


def wrapped_lines(text: str | None, width: float) -> int:
    """Lines `text` needs in a wrapping column of `width` units (explicit line breaks included)."""
    if not text:
        return 1
    room = max(width - 1, 4)
    return sum(max(1, math.ceil(display_width(part) * WIDE_CHAR_FACTOR / room)) for part in text.split("\n"))


def row_height(texts: Sequence[tuple[str | None, float]], max_lines: int = 12) -> float | None:
    """Height of a row whose wrapping cells hold (text, column width), or None when one line is enough.

    Spreadsheet programs do not grow such rows when opening a file, so printed text would be cut off.
    """
    lines = min(max((wrapped_lines(text, width) for text, width in texts), default=1), max_lines)
    return LINE_HEIGHT * lines + 3 if lines > 1 else None


DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
"""Number format of time cells: a real Excel date-time, shown to the second."""


def local_datetime(iso: str | None) -> datetime | None:
    """A stored ISO-8601 time (with its UTC offset) as a naive date-time in this computer's local time.

    Excel dates carry no time zone, so a time is written as the office reads its clocks. None when `iso` is
    empty or not a time (it is then written as text, unchanged).
    """
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return moment.replace(microsecond=0)


def local_time_text(iso: str) -> str:
    """「2026-12-08 08:37:17」 in local time, or `iso` itself when it is not a time."""
    moment = local_datetime(iso)
    return iso if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")
