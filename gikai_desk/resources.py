"""Locate bundled data files (resources/) in a source tree, an installed wheel or a PyInstaller folder."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


@cache
def resource_dir() -> Path:
    """The folder that holds forms.json, translations, icons and the demo sample."""
    here = Path(__file__).resolve().parent
    candidates = [
        here / "resources",  # installed wheel (force-included)
        here.parent / "resources",  # source checkout / editable install
    ]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.insert(0, Path(frozen) / "gikai_desk" / "resources")
    for candidate in candidates:
        if (candidate / "forms.json").is_file():
            return candidate
    raise FileNotFoundError("gikai-desk resources folder (forms.json) not found")


def resource_path(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)
