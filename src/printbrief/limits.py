"""Bounds on untrusted input, each with a documented default that callers may override."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class Limits:
    """Every bound printbrief enforces; exceeding one raises :class:`~printbrief.errors.LimitError`.

    >>> Limits(max_pages=20).max_pages
    20
    """

    max_input_bytes: int = 5 * 1024 * 1024
    """Size of one input file or request body."""
    max_body_chars: int = 2_000_000
    """Length of the article body text."""
    max_depth: int = 48
    """Nesting depth of body HTML, checked before sanitizing or layout (both recurse).

    WeasyPrint 70 lays out nested blocks recursively, about 7 Python frames per level; with
    Python's default recursion limit (1000) it fails at 135 nested blocks (236 nested inline
    elements) when called from a shallow stack. 48 leaves room for the template's own
    wrappers, elements the HTML parser adds (``tbody``) and a deep caller stack (a web
    framework), while no real article nests that deep. Past it anyway, the render still
    ends in a LimitError, never a RecursionError.
    """
    max_elements: int = 10_000
    """HTML elements in the sanitized body, counted before layout (a pre-layout estimate).

    WeasyPrint builds a box and cascades a style for every element before it lays out the
    first page, work the time bound cannot interrupt. Measured with WeasyPrint 70 on a
    loaded 2-core machine: 5 ms and 12 kB per inline element (8,000 ``<em>`` in one
    paragraph: 44 s, 195 MB). Long articles use under 2,000 elements. Plain text needs no
    such bound: 400,000 characters in one paragraph or in 800 took the same time (54 s, 56
    s), and layout stops at ``max_render_seconds`` between pages either way.
    """
    max_markdown_marks: int = 20_000
    """Line breaks and inline markers (``* _ ~ ` [ <``) of a Markdown body, counted before it
    is converted: markdown-it-py's time grows with them, not with characters (on a loaded
    2-core machine: 50,000 one-letter lines 5.1 s, 20,000 emphasized words 3.3 s, 400,000
    characters on one line 0.04 s). A 12,000-character feature has about 130."""
    max_row_cells: int = 200
    """Cells in one table row, before layout: a row is laid out whole, on one page, so the
    time bound cannot stop a wide one (2,000 cells in one row: 13 s on a loaded machine)."""
    max_images: int = 50
    """Images in one article, lead image and body images together."""
    max_image_pixels: int = 40_000_000
    """Declared pixels of one image (width × height), checked before it is decoded."""
    max_data_uri_bytes: int = 8 * 1024 * 1024
    """Size of one ``data:`` URI."""
    max_pages: int = 200
    """Pages in one rendered article (checked as layout reaches each page)."""
    max_render_seconds: float = 60.0
    """Wall time for one render, checked between stages and between laid-out pages.

    WeasyPrint cannot be cancelled, so a single page that never finishes is not interrupted;
    the HTTP service adds a hard kill of the worker for that.
    """
    max_worker_memory: int = 2 << 30
    """Address space of one worker process (batch, issue and service workers), in bytes; 0
    for no bound. Set with ``RLIMIT_AS`` as the worker starts, so a render that outgrows it
    fails alone with a :class:`~printbrief.errors.MemoryLimitError` (413) instead of pushing
    the machine into swap or the kernel's OOM killer (super-linear inputs reached 1.8–3.2 GB).
    Address space, not resident memory: a warm worker maps 0.55 GB (libraries, fonts, thread
    stacks, allocator arenas) and uses 0.14 GB of it. Renders in the calling process
    (``Renderer``, ``printbrief render -o``) are not bounded: that process is the caller's.
    """
    max_fetch_bytes: int = 8 * 1024 * 1024
    """Size of one image fetched from an allowed host."""
    max_fetch_seconds: float = 10.0
    """Total time for one fetch from an allowed host, redirects and slow servers included."""
    max_redirects: int = 3
    """Redirect hops one fetch may follow (each one checked like the first URL)."""
    max_issue_articles: int = 1000
    """Articles in one issue."""

    def changed(self, *settings: str) -> Limits:
        """These limits with ``NAME=VALUE`` settings applied (the CLI's ``--limit``).

        Sizes take a unit (``4GiB``, ``512MiB``, ``8MB``, ``900kB``), seconds an optional
        ``s``; ``max_worker_memory=0`` removes the memory bound. A bad setting raises a
        :class:`~printbrief.errors.UsageError` naming it.

        >>> Limits().changed("max_pages=400", "max_worker_memory=4GiB").max_worker_memory
        4294967296
        """
        changes: dict[str, Any] = {}
        for setting in settings:
            name, _, value = setting.partition("=")
            changes[name.strip()] = _parse_setting(setting, name.strip(), value.strip())
        return replace(self, **changes)


DEFAULT_LIMITS = Limits()

_UNITS = {"": 1, "b": 1, "kb": 10**3, "kib": 2**10, "mb": 10**6, "mib": 2**20, "gb": 10**9,
          "gib": 2**30}  # fmt: skip
_NUMBER = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([a-z]*)", re.ASCII | re.IGNORECASE)


def _parse_setting(setting: str, name: str, value: str) -> float | int:
    """The value of one ``NAME=VALUE`` limit setting, checked against the field's kind."""
    from .errors import UsageError

    kinds = {f.name: f.type for f in fields(Limits)}
    if name not in kinds:
        raise UsageError(f"limit {setting!r}: no such limit (one of {', '.join(kinds)})")
    match = _NUMBER.fullmatch(value)
    unit = match.group(2).lower() if match else ""
    seconds, size = kinds[name] == "float", name.endswith(("_bytes", "_memory"))
    units = ("", "s") if seconds else _UNITS if size else ("",)
    if not match or unit not in units:
        expected = ("seconds, e.g. 120" if seconds else "bytes, e.g. 4GiB, 512MiB, 8MB" if size
                    else "a whole number")  # fmt: skip
        raise UsageError(f"limit {setting!r}: expected NAME=VALUE with {expected}")
    number = float(match.group(1)) * (1 if seconds else _UNITS[unit])
    if seconds:
        if number <= 0:
            raise UsageError(f"limit {setting!r}: must be more than 0 s")
        return number
    if number != int(number) or (number == 0 and name != "max_worker_memory"):
        raise UsageError(f"limit {setting!r}: must be a whole number above 0")
    return int(number)
