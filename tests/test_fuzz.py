"""Fuzz: hostile documents through read_bytes, parse_document and check raise only InputError, each within 1 s."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fuzzing import DOCUMENT_BUDGET_S, STRATEGIES, FuzzDocument, Outcome, run_pipeline, seed_texts
from hypothesis import HealthCheck, given, settings

from gikai_desk.errors import InputError

# Bounded for CI: about 200 documents in all. GIKAI_FUZZ_RANDOM=1 explores new examples on every run;
# the default replays the same examples so CI is reproducible. tools/fuzz_long.py runs for minutes.
EXAMPLES = {
    "mutated_seed": 60,
    "structured_seed": 40,
    "random_bytes": 25,
    "random_html": 30,
    "random_office_zip": 30,
    "mutated_pdf": 15,
    "mutated_legacy": 40,
}
RANDOM = os.environ.get("GIKAI_FUZZ_RANDOM") == "1"
tried: dict[str, int] = {}
refused: dict[str, int] = {}


def fuzz_settings(strategy: str) -> settings:
    return settings(
        max_examples=EXAMPLES[strategy],
        deadline=None,  # the per-document budget below is asserted explicitly, with the document's origin
        derandomize=not RANDOM,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module", autouse=True)
def fuzz_summary() -> Iterator[None]:
    """Warm up imports and caches once (so the 1 s budget measures the document), then print what was tried."""
    from fuzzing import form_labels, real_pdf

    seed_texts()
    form_labels()
    real_pdf()
    run_pipeline(FuzzDocument("warm-up.txt", seed_texts()[0].encode("utf-8"), "warm-up"))
    yield
    print(f"\nfuzz: {sum(tried.values())} documents tried {tried}, refused with InputError {refused}")


def assert_survives(document: FuzzDocument, strategy: str) -> Outcome:
    tried[strategy] = tried.get(strategy, 0) + 1
    try:
        outcome = run_pipeline(document)
    except Exception as exc:  # anything but InputError is a bug; say which document caused it
        raise AssertionError(
            f"{document.origin}: {type(exc).__name__}: {exc} (only InputError may escape); "
            f"first bytes {document.data[:80]!r}"
        ) from exc
    assert outcome.elapsed < DOCUMENT_BUDGET_S, f"{document.origin}: took {outcome.elapsed:.2f} s (hang guard 1 s)"
    if outcome.error is not None:
        refused[strategy] = refused.get(strategy, 0) + 1
        assert isinstance(outcome.error, InputError)
        assert outcome.error.file == document.name, "the error must name the file"
        assert outcome.error.reason.strip(), "the error must give a reason"
    return outcome


@fuzz_settings("mutated_seed")
@given(STRATEGIES["mutated_seed"])
def test_mutated_seeds_raise_only_input_errors(document: FuzzDocument) -> None:
    assert_survives(document, "mutated_seed")


@fuzz_settings("structured_seed")
@given(STRATEGIES["structured_seed"])
def test_seeds_as_html_and_docx_raise_only_input_errors(document: FuzzDocument) -> None:
    assert_survives(document, "structured_seed")


@fuzz_settings("random_bytes")
@given(STRATEGIES["random_bytes"])
def test_random_bytes_raise_only_input_errors(document: FuzzDocument) -> None:
    assert_survives(document, "random_bytes")


@fuzz_settings("random_html")
@given(STRATEGIES["random_html"])
def test_random_html_tables_raise_only_input_errors(document: FuzzDocument) -> None:
    assert_survives(document, "random_html")


@fuzz_settings("random_office_zip")
@given(STRATEGIES["random_office_zip"])
def test_random_docx_and_xlsx_zips_raise_only_input_errors(document: FuzzDocument) -> None:
    assert_survives(document, "random_office_zip")


@fuzz_settings("mutated_pdf")
@given(STRATEGIES["mutated_pdf"])
def test_mutated_pdfs_raise_only_input_errors(document: FuzzDocument) -> None:
    assert_survives(document, "mutated_pdf")


@fuzz_settings("mutated_legacy")
@given(STRATEGIES["mutated_legacy"])
def test_mutated_doc_xls_and_ofd_raise_only_input_errors(document: FuzzDocument) -> None:
    assert_survives(document, "mutated_legacy")


def test_unmutated_seed_is_read_as_a_report() -> None:
    """The pipeline under fuzz is the real one: an intact real report goes through without an error."""
    outcome = assert_survives(FuzzDocument("seed.txt", seed_texts()[0].encode("utf-8"), "intact seed"), "intact")
    assert outcome.error is None, f"an intact report was refused: {outcome.error}"
