"""Input limits: every size limit and the timeout can be set by an environment variable; bad values are ignored."""

from __future__ import annotations

import pytest

from gikai_desk.limits import Limits

MB = 1024 * 1024


def test_defaults_without_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GIKAI_MAX_FILE_MB", "GIKAI_MAX_TEXT_CHARS", "GIKAI_MAX_ZIP_MEMBER_MB", "GIKAI_MAX_ZIP_RATIO",
                 "GIKAI_MAX_PDF_PAGES", "GIKAI_MAX_HTML_DEPTH", "GIKAI_TIMEOUT_S"):
        monkeypatch.delenv(name, raising=False)
    assert Limits.from_env() == Limits()


def test_every_limit_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = {
        "GIKAI_MAX_FILE_MB": "5",
        "GIKAI_MAX_TEXT_CHARS": "1000",
        "GIKAI_MAX_ZIP_MEMBER_MB": "2",
        "GIKAI_MAX_ZIP_RATIO": "50",
        "GIKAI_MAX_PDF_PAGES": "10",
        "GIKAI_MAX_HTML_DEPTH": "30",
        "GIKAI_TIMEOUT_S": "2.5",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    assert Limits.from_env() == Limits(
        max_file_bytes=5 * MB,
        max_text_chars=1000,
        max_zip_member_bytes=2 * MB,
        max_zip_ratio=50,
        max_pdf_pages=10,
        max_html_depth=30,
        timeout_seconds=2.5,
    )


@pytest.mark.parametrize("bad", ["", "lots", "1e3x"])
def test_unreadable_values_fall_back_to_the_default(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("GIKAI_MAX_PDF_PAGES", bad)
    monkeypatch.setenv("GIKAI_TIMEOUT_S", bad)
    limits = Limits.from_env()
    assert limits.max_pdf_pages == Limits().max_pdf_pages
    assert limits.timeout_seconds == Limits().timeout_seconds


def test_negative_values_are_clamped_to_zero_which_disables_a_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIKAI_MAX_FILE_MB", "-3")
    assert Limits.from_env().max_file_bytes == 0
