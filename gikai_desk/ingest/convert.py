"""LibreOffice as a fallback converter for the Word formats our own reader does not take (Word 6.0/95).

Never required: when no LibreOffice is installed (or GIKAI_LIBREOFFICE=0) the file is refused with its message as
before. When one is, the file is converted to .docx in a temporary folder with a private LibreOffice profile
(so a running LibreOffice of the user's is not disturbed), within the file's time budget, and read by the .docx
reader; the document carries a note saying so. GIKAI_LIBREOFFICE may also name the program (soffice) itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from gikai_desk.limits import Limits

WINDOWS_PLACES = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
NOTE = "本文件由本机 LibreOffice 转换为 .docx 后读取 converted to .docx by the LibreOffice installed here"


def libreoffice() -> str | None:
    """The LibreOffice program to convert with, or None."""
    setting = os.environ.get("GIKAI_LIBREOFFICE", "")
    if setting == "0":
        return None
    if setting and setting != "1":
        return setting if Path(setting).is_file() else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return next((place for place in WINDOWS_PLACES if Path(place).is_file()), None)


def to_docx(data: bytes, suffix: str, limits: Limits) -> bytes | None:
    """`data` converted to .docx by LibreOffice, or None (none installed, it failed, or it ran out of time)."""
    program = libreoffice()
    if program is None:
        return None
    with tempfile.TemporaryDirectory(prefix="gikai-convert-") as work:
        folder = Path(work)
        source = folder / f"source{suffix}"
        source.write_bytes(data)
        command = [
            program,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to",
            "docx",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            subprocess.run(
                command,
                capture_output=True,
                timeout=limits.timeout_seconds or 120,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        made = folder / "source.docx"
        if not made.is_file():
            return None
        size = made.stat().st_size
        if limits.max_file_bytes and size > limits.max_file_bytes:
            return None
        return made.read_bytes()
