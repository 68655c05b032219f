"""Copyfitting: no page of an article carries fewer than :data:`LEAST_LINES` lines of body text.

A page holding the last line or two of an article, or only its last picture or its URL, wastes
paper and looks like a mistake; so does a first page filled by the head and the lead picture.
After laying out, the renderer counts the lines of body text (``.body``) on every page; when
a page of a document of two or more pages has fewer than three, it lays the document out again
with the theme's fitting steps, ``html[data-pb-fit="1"]`` … ``"N"`` rules (``fit_steps`` in
theme.json: a little tighter tracking, smaller pictures, then looser), and keeps the first
layout that has no such page. The number of extra layouts is bounded by ``fit_steps``; the
outcome is logged in ``--debug``.

A picture in the text that does not fit the rest of a page goes to the next one and leaves a
gap; WeasyPrint 70 has no page floats to fill it. When the gap is more than the theme's
``picture_gap`` (default :data:`PICTURE_GAP`) of the page, the picture is moved down past the paragraph after it in the
HTML (:func:`picture_moved`), at most :data:`PICTURE_MOVES` times, one layout each.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

LEAST_LINES = 3
"""Fewer lines of body text than this on a page of a longer document is a nearly-empty page."""

BODY_CLASS = "body"
"""The class of the element holding the article's body text in every built-in theme."""

PICTURE_GAP = 0.15
"""A page may end at most this fraction of its type area's height above its bottom when the
next page starts with a picture that did not fit on it; past that, the picture moves down
past the text after it (:func:`picture_moved`), which fills the gap. The default of a theme's
``picture_gap`` (theme.json)."""

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


def faults(document: Any, limit: float = PICTURE_GAP) -> list[str]:
    """What fitting mends in a laid-out document: nearly-empty pages (:func:`short_pages`) and
    a gap before a picture of more than ``limit`` of a page (:func:`gap_before_picture`)."""
    found = [f"page {n} nearly empty" for n in short_pages(body_lines(document))]
    gap = gap_before_picture(document, limit)
    return found + ([f"a gap before picture {gap}"] if gap is not None else [])


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


# ---------------------------------------------------------------------------- pictures

PICTURE_MOVES = 3
"""How many blocks of text a picture may move past (one more layout each)."""

_FIGURE = re.compile(r"<figure\b.*?</figure>", re.DOTALL | re.IGNORECASE)
_TEXT_BLOCK = re.compile(r"\s*(?:<h[2-6]\b.*?</h[2-6]>\s*)*<p\b.*?</p>", re.DOTALL | re.IGNORECASE)


def gap_before_picture(document: Any, limit: float = PICTURE_GAP) -> int | None:
    """The number (in document order, from 0) of the first picture of ``.body`` that starts a
    page after a page left more than ``limit`` of its height empty; None if there is none."""
    boxes = [page._page_box for page in document.pages]
    for before, page in itertools.pairwise(boxes):
        root = _root(page)
        first = next(_leaves(root), None)
        if first is None or "Replaced" not in type(first).__name__ or _empty(before) <= limit:
            continue
        figures = list(root.element.iter("figure"))
        body = next((e for e in root.element.iter() if BODY_CLASS in _classes(e)), None)
        for number, figure in enumerate(figures):
            in_body = body is not None and any(f is figure for f in body.iter("figure"))
            if in_body and any(e is first.element for e in figure.iter()):
                return number
    return None


def picture_moved(html: str, number: int) -> str | None:
    """``html`` with its ``number``-th figure moved after the paragraph that follows it (with
    the headings before that paragraph); None when no paragraph follows it.

    >>> picture_moved("<figure>F</figure><h2>H</h2><p>P</p><p>Q</p>", 0)
    '<h2>H</h2><p>P</p><figure>F</figure><p>Q</p>'
    """
    figures = list(_FIGURE.finditer(html))
    if number >= len(figures):
        return None
    figure = figures[number]
    text = _TEXT_BLOCK.match(html, figure.end())
    if text is None:
        return None
    return html[: figure.start()] + text[0] + figure[0] + html[text.end() :]


def _root(page: Any) -> Any:
    """The page's box of the document's root element (not a margin box)."""
    return next(c for c in page.children if type(c).__name__ != "MarginBox")


def _leaves(box: Any) -> Iterator[Any]:
    """Line boxes and pictures, in document order."""
    if type(box).__name__ == "LineBox" or "ReplacedBox" in type(box).__name__:
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _leaves(child)


def _empty(page: Any) -> float:
    """The fraction of the page area's height below the page's last line or picture."""
    top, height = page.content_box_y(), page.height
    bottoms = [leaf.position_y + leaf.margin_height() for leaf in _leaves(_root(page))]
    return float(top + height - max(bottoms, default=top)) / float(height)


def _classes(element: Any) -> list[str]:
    return str(element.get("class", "")).split()
