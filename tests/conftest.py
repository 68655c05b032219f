"""Shared fixtures: sample paths, a warm renderer, PDF readers, and a guard on log warnings."""

from __future__ import annotations

import importlib.util
import io
import logging
import resource
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pypdf
import pytest
import weasyprint.logger  # noqa: F401 - its import adds a handler: before any test's snapshot

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
FAILURES = ROOT / "tests" / "_failures"


def load_bench() -> ModuleType:
    """``tools/bench.py`` as a module (the benchmarks are not a package)."""
    spec = importlib.util.spec_from_file_location("bench", ROOT / "tools" / "bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench", module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


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
def process_state_kept() -> Iterator[None]:
    """Fail a test that leaves process-wide state changed: resource limits, the SIGINT handler,
    or the printbrief and WeasyPrint loggers (handlers, propagation). Put back first, so one
    failure does not spread to later tests.

    Worker set-up changes all three; run in the pytest process, it once capped it at 2 GiB
    (a later thread then died in its start-up and the suite hung), and once stopped the
    loggers propagating, so later tests never saw the warnings they check.
    """
    kinds = (resource.RLIMIT_AS, resource.RLIMIT_NOFILE, resource.RLIMIT_DATA)
    limits = {kind: resource.getrlimit(kind) for kind in kinds}
    handler = signal.getsignal(signal.SIGINT)
    loggers = {name: _logger_state(name) for name in ("printbrief", "weasyprint")}
    yield
    changed = [f"limit {kind}" for kind, was in limits.items() if resource.getrlimit(kind) != was]
    for kind, was in limits.items():
        resource.setrlimit(kind, was)
    if signal.getsignal(signal.SIGINT) != handler:
        changed.append("SIGINT handler")
        signal.signal(signal.SIGINT, handler)
    for name, (propagate, handlers) in loggers.items():
        logger = logging.getLogger(name)
        if _logger_state(name) != (propagate, handlers):
            changed.append(f"logger {name}")
            logger.propagate, logger.handlers[:] = propagate, handlers
    assert not changed, f"the test left process-wide state changed: {', '.join(changed)}"


def _logger_state(name: str) -> tuple[bool, list[logging.Handler]]:
    logger = logging.getLogger(name)
    return logger.propagate, list(logger.handlers)


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
