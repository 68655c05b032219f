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
    """Nesting depth of body HTML, checked before sanitizing or layout (both recurse)."""
    max_images: int = 50
    """Images in one article, lead image and body images together."""
    max_image_pixels: int = 40_000_000
    """Decoded pixels of one image (width × height)."""
    max_data_uri_bytes: int = 8 * 1024 * 1024
    """Size of one ``data:`` URI."""
    max_pages: int = 200
    """Pages in one rendered article."""
    max_render_seconds: float = 60.0
    """Wall time for one render (checked between WeasyPrint's stages)."""
    max_issue_articles: int = 1000
    """Articles in one issue."""


DEFAULT_LIMITS = Limits()
