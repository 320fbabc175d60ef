"""Documented input errors: the only exceptions readers and the parser may raise for bad input."""

from __future__ import annotations


class InputError(Exception):
    """A file that cannot be read as a report. `reason` is a short Chinese/English phrase for the user."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


class NotAReportError(InputError):
    """Readable, but holds none of the annual report tables."""
