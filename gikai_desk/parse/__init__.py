"""Parser: SourceDocument text -> Report (三张表的单元格、来源位置、元数据、正文数字)."""

from __future__ import annotations

from gikai_desk.ingest import SourceDocument
from gikai_desk.model import Report


def parse_document(doc: SourceDocument) -> Report:
    """Parse a read document into a Report. Raises NotAReportError when no table is found."""
    return Report(file=doc.path, text=doc.text, kind=doc.kind)
