"""Copyfitting: no page of an article carries fewer than :data:`LEAST_LINES` lines of body text.

A page holding the last line or two of an article, or only its last picture or its URL, wastes
paper and looks like a mistake; so does a first page filled by the head and the lead picture.
After laying out, the renderer counts the lines of body text (``.body``) on every page; when
a page of a document of two or more pages has fewer than three, it lays the document out again
with the theme's fitting steps, ``html[data-pb-fit="1"]`` … ``"N"`` rules (``fit_steps`` in
theme.json: a little tighter tracking, smaller pictures, then looser), and keeps the first
layout that has no such page. The number of extra layouts is bounded by ``fit_steps``; the
outcome is logged in ``--debug``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

LEAST_LINES = 3
"""Fewer lines of body text than this on a page of a longer document is a nearly-empty page."""

BODY_CLASS = "body"
"""The class of the element holding the article's body text in every built-in theme."""

_HTML = re.compile(r"<html\b", re.IGNORECASE)


PICTURE_PAGE = 0.4
"""A page after the first whose pictures take at least this fraction of its type area's height
is a picture page: it may carry few lines of text or none. The first page always needs some
body text under the head."""


def body_lines(document: Any) -> list[int]:
    """Lines of body text on each page of a laid-out WeasyPrint document; -1 for a picture
    page (:data:`PICTURE_PAGE`)."""
    return [
        -1 if number and _pictures(box) >= PICTURE_PAGE * box.height else count
        for number, box in enumerate(page._page_box for page in document.pages)
        for count in [sum(1 for _ in _lines(box, False))]
    ]


def short_pages(lines: list[int]) -> list[int]:
    """1-based numbers of nearly-empty pages (never the only page, nor a picture page marked
    -1; never in a document with no body text at all, such as a theme without ``.body``).

    >>> short_pages([30, 28, 2]), short_pages([2]), short_pages([0, 0]), short_pages([9, -1])
    ([3], [], [], [])
    """
    if len(lines) < 2 or not any(n > 0 for n in lines):
        return []
    return [number for number, count in enumerate(lines, 1) if 0 <= count < LEAST_LINES]


def with_step(html: str, step: int) -> str:
    """``html`` with ``data-pb-fit="step"`` on its root element, which the theme's fitting
    rules select.

    >>> with_step('<html lang="en">', 2)
    '<html data-pb-fit="2" lang="en">'
    """
    return _HTML.sub(f'<html data-pb-fit="{step}"', html, count=1)


def _lines(box: Any, inside: bool) -> Iterator[Any]:
    element = getattr(box, "element", None)
    classes = element.get("class", "") if element is not None and box.element_tag else ""
    inside = inside or BODY_CLASS in str(classes).split()
    if inside and type(box).__name__ == "LineBox" and _has_text(box):
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _lines(child, inside)


def _pictures(box: Any) -> float:
    """The height of the pictures in ``box``, added up."""
    if "ReplacedBox" in type(box).__name__:
        return float(box.height)
    return sum(_pictures(child) for child in getattr(box, "children", ()))


def _has_text(line: Any) -> bool:
    """Whether a line box carries any printed text (not only an empty strut)."""
    text = getattr(line, "text", None)
    if text is not None:
        return bool(text.strip())
    return any(_has_text(child) for child in getattr(line, "children", ()))
