"""Bounds on untrusted input, each with a documented default that callers may override."""

from __future__ import annotations

from dataclasses import dataclass


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
    max_fetch_bytes: int = 8 * 1024 * 1024
    """Size of one image fetched from an allowed host."""
    max_fetch_seconds: float = 10.0
    """Total time for one fetch from an allowed host, redirects and slow servers included."""
    max_redirects: int = 3
    """Redirect hops one fetch may follow (each one checked like the first URL)."""
    max_issue_articles: int = 1000
    """Articles in one issue."""


DEFAULT_LIMITS = Limits()
