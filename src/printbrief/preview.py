"""Proofs: PDF pages to PNG images with pypdfium2 (no system tool needed)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from .errors import InputError, UsageError
from .output import write_atomic


def page_images(pdf: bytes, dpi: float = 96) -> Iterator[bytes]:
    """Each page of ``pdf`` as PNG bytes at ``dpi`` (the whole media box, bleed included)."""
    import pypdfium2 as pdfium

    if not 10 <= dpi <= 1200:
        raise UsageError(f"dpi {dpi:g}: use a value from 10 to 1200")
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise InputError(f"not a readable PDF: {exc}") from None
    try:
        for index in range(len(document)):
            buffer = io.BytesIO()
            document[index].render(scale=dpi / 72).to_pil().save(
                buffer, format="PNG", optimize=True
            )
            yield buffer.getvalue()
    finally:
        document.close()


def write_previews(pdf: bytes, pattern: str, dpi: float = 96) -> list[Path]:
    """Write ``page-{n}.png``-style files (``{n}`` is the 1-based page number); return them."""
    if "{n}" not in pattern:
        raise UsageError(
            f"output {pattern!r} must contain {{n}} for the page number, e.g. page-{{n}}.png"
        )
    written = []
    for number, png in enumerate(page_images(pdf, dpi), start=1):
        written.append(write_atomic(pattern.replace("{n}", str(number)), png))
    return written
