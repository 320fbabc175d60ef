"""Agency, statistics year and publication date read from a report's text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metadata:
    agency: str | None = None
    year: int | None = None
    published: str | None = None


def read_metadata(text: str) -> Metadata:
    return Metadata()
