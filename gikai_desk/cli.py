"""Command line: `gikai-desk extract|check|export ...`; without a sub-command it opens the window."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in {"--version", "-V"}:
        from gikai_desk import __version__

        print(f"gikai-desk {__version__}")
        return 0
    return 0
