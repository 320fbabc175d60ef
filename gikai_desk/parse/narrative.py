"""Figures stated in the prose (共收到申请N件, 结转N件, 行政复议N件 ...) mapped to table cells."""

from __future__ import annotations

from gikai_desk.model import NarrativeFigure


def read_narrative(text: str, table_spans: list[tuple[int, int]]) -> list[NarrativeFigure]:
    """Figures from the prose outside `table_spans` (character ranges of the tables)."""
    return []
