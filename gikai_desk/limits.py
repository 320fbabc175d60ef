"""Input size limits and timeouts, configurable by environment variables (documented in the README)."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return max(0, int(raw))
    except ValueError:
        return default


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return max(0.0, float(raw))
    except ValueError:
        return default


@dataclass(frozen=True)
class Limits:
    """Bounds on what one input file may cost. 0 disables a size limit."""

    max_file_bytes: int = 64 * 1024 * 1024
    """Files larger than this are refused before reading (GIKAI_MAX_FILE_MB)."""
    max_text_chars: int = 4 * 1024 * 1024
    """Decoded/extracted text longer than this is refused (GIKAI_MAX_TEXT_CHARS)."""
    max_zip_member_bytes: int = 64 * 1024 * 1024
    """Largest uncompressed member of a docx/xlsx (GIKAI_MAX_ZIP_MEMBER_MB)."""
    max_zip_ratio: int = 200
    """Largest compression ratio of a docx/xlsx member before it counts as a zip bomb (GIKAI_MAX_ZIP_RATIO)."""
    max_pdf_pages: int = 200
    """PDFs with more pages are refused (GIKAI_MAX_PDF_PAGES)."""
    max_html_depth: int = 400
    """Deeper HTML nesting is flattened/refused (GIKAI_MAX_HTML_DEPTH)."""
    timeout_seconds: float = 20.0
    """Wall-clock budget for reading and parsing one file (GIKAI_TIMEOUT_S)."""
    ocr: bool = True
    """Read scanned PDFs and page images by OCR when the [ocr] extra is installed (GIKAI_NO_OCR=1 or --no-ocr
    turns it off: scans are then refused as having no text layer)."""
    max_ocr_pages: int = 60
    """Scans with more pages are refused before any page is read (GIKAI_MAX_OCR_PAGES)."""
    ocr_seconds_per_page: float = 15.0
    """A scan's reading budget is this per page, or timeout_seconds when that is more (GIKAI_OCR_PAGE_S)."""

    @classmethod
    def from_env(cls) -> Limits:
        mb = 1024 * 1024
        return cls(
            max_file_bytes=_env_int("GIKAI_MAX_FILE_MB", 64) * mb,
            max_text_chars=_env_int("GIKAI_MAX_TEXT_CHARS", 4 * mb),
            max_zip_member_bytes=_env_int("GIKAI_MAX_ZIP_MEMBER_MB", 64) * mb,
            max_zip_ratio=_env_int("GIKAI_MAX_ZIP_RATIO", 200),
            max_pdf_pages=_env_int("GIKAI_MAX_PDF_PAGES", 200),
            max_html_depth=_env_int("GIKAI_MAX_HTML_DEPTH", 400),
            timeout_seconds=_env_float("GIKAI_TIMEOUT_S", 20.0),
            ocr=os.environ.get("GIKAI_NO_OCR", "") in ("", "0"),
            max_ocr_pages=_env_int("GIKAI_MAX_OCR_PAGES", 60),
            ocr_seconds_per_page=_env_float("GIKAI_OCR_PAGE_S", 15.0),
        )
