"""Packaging inputs: version resource, icons, desktop entry, the smoke environment and the smoke sample report."""

from __future__ import annotations

import configparser
import importlib.util
import os
import struct
import sys
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from gikai_desk import __version__

REPO = Path(__file__).resolve().parent.parent
ICONS = REPO / "resources" / "icons"


def load_build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gikai_packaging_build", REPO / "packaging" / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build = load_build()


@pytest.mark.parametrize(
    ("version", "expected"),
    [("0.1.0", (0, 1, 0, 0)), ("1.2.3.4", (1, 2, 3, 4)), ("2.0.0rc1", (2, 0, 0, 0)), ("3", (3, 0, 0, 0))],
)
def test_version_tuple(version: str, expected: tuple[int, int, int, int]) -> None:
    assert build.version_tuple(version) == expected


def test_windows_version_resource_is_generated_from_the_package_version() -> None:
    """Evaluate the generated file the way PyInstaller does, with recording stand-ins for its classes."""

    def record(kind: str):  # type: ignore[no-untyped-def]
        def make(*args: Any, **kwargs: Any) -> dict[str, Any]:
            return {"kind": kind, "args": args, **kwargs}

        return make

    names = ["VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct", "VarFileInfo", "VarStruct"]
    text = build.version_resource_text(__version__)
    info = eval(text, {name: record(name) for name in names})  # the file format is a Python expression
    assert info["ffi"]["filevers"] == build.version_tuple(__version__)
    strings = {s["args"][0]: s["args"][1] for s in info["kids"][0]["args"][0][0]["args"][1]}
    assert strings["FileVersion"] == strings["ProductVersion"] == __version__
    assert strings["OriginalFilename"] == "gikai-desk.exe"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    crc = struct.unpack(">I", data[16 + length : 20 + length])[0]
    assert crc == zlib.crc32(data[12 : 16 + length]) & 0xFFFFFFFF
    return width, height


def test_icons_are_valid_pngs_and_an_ico() -> None:
    for size in (16, 32, 48, 256):
        assert png_size((ICONS / f"gikai-desk-{size}.png").read_bytes()) == (size, size)
    ico = (ICONS / "gikai-desk.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count >= 4
    sizes = set()
    for i in range(count):
        width, _h, _c, _r, _planes, _bits, length, offset = struct.unpack("<BBBBHHII", ico[6 + 16 * i : 22 + 16 * i])
        sizes.add(png_size(ico[offset : offset + length])[0])
        assert (width or 256) in sizes
    assert {16, 32, 48, 256} <= sizes
    assert (ICONS / "gikai-desk.svg").read_text(encoding="utf-8").startswith("<svg")


def test_make_icons_draws_the_committed_icon() -> None:
    spec = importlib.util.spec_from_file_location("gikai_make_icons", REPO / "packaging" / "make_icons.py")
    assert spec is not None and spec.loader is not None
    make_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_icons)
    assert make_icons.png_bytes(16) == (ICONS / "gikai-desk-16.png").read_bytes()


def test_desktop_entry() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(REPO / "packaging" / "gikai-desk.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Exec"].startswith("gikai-desk")
    assert entry["Icon"] == "gikai-desk"
    assert entry["Terminal"] == "false"
    assert "Name[zh_CN]" in entry
    assert os.access(REPO / "packaging" / "install-desktop-entry.sh", os.X_OK) or sys.platform == "win32"


def test_smoke_environment_has_no_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", "/somewhere")
    monkeypatch.setenv("PYTHONHOME", "/elsewhere")
    smoke = build.smoke_environment(tmp_path)
    assert not [key for key in smoke.env if key.upper().startswith("PYTHON")]
    for program in ("python", "python3"):
        assert build.shutil.which(program, path=smoke.env["PATH"]) is None
    assert smoke.env["QT_QPA_PLATFORM"] == "offscreen"
    assert Path(smoke.env["HOME" if sys.platform != "win32" else "USERPROFILE"]) == smoke.home


def test_generated_sample_report_is_read_as_a_consistent_2021_report(tmp_path: Path) -> None:
    """The smoke test's fallback sample (made from forms.json) is a real, consistent report for the reader."""
    from gikai_desk.extract import extract_and_check

    path = tmp_path / "sample.txt"
    path.write_text(build.sample_report_text(), encoding="utf-8")
    report, violations = extract_and_check(path)
    assert report.forms.get("t3") == "2021"
    assert report.cells and all(cell.value in (0, None) for cell in report.cells.values())
    assert [v for v in violations if v.severity == "error" and v.status == "fail"] == []


def test_the_program_uses_only_the_qt_modules_the_build_bundles() -> None:
    import re

    spec_text = (REPO / "packaging" / "gikai-desk.spec").read_text(encoding="utf-8")
    bundled = set(re.findall(r'"PySide6\.(\w+)"', spec_text.split("USED_QT_MODULES = ", 1)[1].split("\n", 1)[0]))
    used: set[str] = set()
    for path in (REPO / "gikai_desk").rglob("*.py"):
        used |= set(re.findall(r"\bPySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    assert bundled == {"QtCore", "QtGui", "QtWidgets"}
    assert used <= bundled, f"modules used but not bundled: {sorted(used - bundled)}"
