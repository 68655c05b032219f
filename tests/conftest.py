"""Shared fixtures: sample paths, a warm renderer, PDF readers, and a guard on log warnings."""

from __future__ import annotations

import io
import logging
import resource
import signal
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
FAILURES = ROOT / "tests" / "_failures"


@pytest.fixture(scope="session")
def renderer():  # type: ignore[no-untyped-def]
    """One warm A4 newsbrief renderer for the whole session."""
    from printbrief import Renderer

    return Renderer("newsbrief")


@pytest.fixture(autouse=True)
def no_unexpected_warnings(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """Fail any test during which printbrief or WeasyPrint logs a warning it did not expect.

    Tests that expect warnings mark themselves ``@pytest.mark.allow_warnings``.
    """
    caplog.set_level(logging.WARNING)
    yield
    if request.node.get_closest_marker("allow_warnings"):
        return
    # In teardown `caplog.records` holds only teardown's records: read the test's own phases.
    records = caplog.get_records("setup") + caplog.get_records("call")
    bad = [
        r
        for r in records
        if r.levelno >= logging.WARNING and r.name.split(".")[0] in ("printbrief", "weasyprint")
    ]
    assert not bad, "unexpected log lines:\n" + "\n".join(
        f"{r.name}: {r.getMessage()}" for r in bad
    )


@pytest.fixture(autouse=True)
def process_limits_kept() -> Iterator[None]:
    """Fail a test that leaves the test process's resource limits or SIGINT handler changed.

    Worker set-up caps the address space (``Limits.max_worker_memory``): left on the pytest
    process, it once made a later thread die in its start-up and the suite hang.
    """
    kinds = (resource.RLIMIT_AS, resource.RLIMIT_NOFILE, resource.RLIMIT_DATA)
    limits = {kind: resource.getrlimit(kind) for kind in kinds}
    handler = signal.getsignal(signal.SIGINT)
    yield
    changed = [(kind, was) for kind, was in limits.items() if resource.getrlimit(kind) != was]
    for kind, was in changed:  # put back first, so one failure does not spread to later tests
        resource.setrlimit(kind, was)
    moved = signal.getsignal(signal.SIGINT) != handler
    signal.signal(signal.SIGINT, handler)
    assert not changed and not moved, f"the test changed limits {changed} or SIGINT: {moved}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allow_warnings: the test expects logged warnings")


def reader(pdf: bytes) -> pypdf.PdfReader:
    """A pypdf reader over PDF bytes."""
    return pypdf.PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    """Text of every page, in reading order, via pypdfium2."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def band_text(pdf: bytes, page: int, y0: float, y1: float) -> str:
    """Text whose glyph tops lie between ``y0`` and ``y1`` points from the page's top edge."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = [c for c in doc.pages[page].chars if y0 <= c["top"] <= y1]
        return "".join(c["text"] for c in chars)


def page_height(pdf: bytes, page: int = 0) -> float:
    """Height of a page in points."""
    return float(reader(pdf).pages[page].mediabox.height)


def save_failure(name: str, pdf: bytes) -> Path:
    """Write a failing PDF and a PNG of its first page to tests/_failures/ and return the PNG."""
    import pypdfium2 as pdfium

    FAILURES.mkdir(parents=True, exist_ok=True)
    (FAILURES / f"{name}.pdf").write_bytes(pdf)
    doc = pdfium.PdfDocument(pdf)
    png = FAILURES / f"{name}.png"
    doc[0].render(scale=1).to_pil().save(png)
    doc.close()
    return png
