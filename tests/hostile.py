"""Helpers for the hostile-input suites: PDF object scans, tiny images, a hang guard."""

from __future__ import annotations

import io
import struct
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pypdf
from PIL import Image

from conftest import page_texts, reader

HANG_GUARD = 20.0  # seconds: not a performance assertion, only "it did not hang"
FORBIDDEN_KEYS = ("/EmbeddedFiles", "/EmbeddedFile", "/JavaScript", "/JS", "/Launch", "/AA")


@contextmanager
def bounded(seconds: float = HANG_GUARD) -> Iterator[None]:
    """Fail if the block took longer than ``seconds`` (it still has to finish)."""
    started = time.monotonic()
    yield
    elapsed = time.monotonic() - started
    assert elapsed < seconds, f"took {elapsed:.1f} s"


def png(width: int = 4, height: int = 3) -> bytes:
    """A real, small PNG."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG of a few dozen bytes that declares ``width`` × ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def objects(pdf: bytes) -> Iterator[Any]:
    """Every indirect object of the PDF, including those inside object streams."""
    doc = reader(pdf)
    for number in range(1, int(doc.trailer["/Size"])):
        try:
            yield doc.get_object(number)
        except Exception:  # free entries
            continue


def walk(value: Any, seen: set[int] | None = None) -> Iterator[tuple[str, Any]]:
    """(key, value) pairs of every dictionary reachable inside ``value`` (not following refs)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key), item
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def pdf_problems(pdf: bytes, *secrets: str) -> list[str]:
    """Forbidden PDF features and leaked secrets, as readable strings (empty when clean)."""
    problems = []
    text = "\n".join(page_texts(pdf))
    for obj in objects(pdf):
        for key, value in walk(obj):
            if key in FORBIDDEN_KEYS:
                problems.append(f"PDF has {key}")
            if key == "/Subtype" and value == "/FileAttachment":
                problems.append("PDF has a file attachment annotation")
            if key == "/URI" and not str(value).lower().startswith(("http:", "https:", "mailto:")):
                problems.append(f"PDF links to {value}")
        if isinstance(obj, pypdf.generic.StreamObject):
            data = obj.get_data()
            problems += [f"stream contains {s!r}" for s in secrets if s.encode() in data]
    problems += [f"text contains {s!r}" for s in secrets if s in text]
    return problems
