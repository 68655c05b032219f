"""Ruby in the PDF's text: the base read in line, its reading in parentheses (WeasyPrint 70).

Part of :mod:`printbrief.cjk`. Ruby is laid out without a ruby layout (``cjk.BASE_CSS``): the
``ruby`` is a relatively positioned inline block and its ``rt`` is placed above it. Painted as
WeasyPrint paints positioned boxes, every ruby of a page would be drawn after the page's
other text, so a reader going by the content stream (pypdf) finds ``担当の 、 さんは話す``
and the bases at the end; and the readings, a line of their own above the text, come out
of pdftotext between two body lines. So:

* :func:`in_flow` (around ``stacking.py`` ``_dispatch``) paints a ruby where it stands in its
  line, as a static inline block is painted; its ``rt`` stays with the positioned boxes and
  is drawn after the text;
* :func:`actual_text` (around ``draw_text`` as ``draw/__init__.py`` calls it) wraps a base in a
  marked-content span whose ``/ActualText`` is the base with its reading in parentheses
  (``十三湊（とさみなと）``, as HTML's ``rp`` fallback reads) and the reading in one whose
  ``/ActualText`` is empty (ISO 32000-1 §14.9.4): extraction that honours ActualText gives
  the base and reading in line, and nothing where the reading is printed.

Neither moves anything on the page: layout is done before they run. During layout,
:func:`inside_column` (around ``iter_line_boxes`` as ``layout/block.py`` calls it) moves a
reading that would pass the column edge back inside.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from .cjkscript import ACTIVE, RUBY

_OPEN, _CLOSE = "（", "）"


@functools.cache
def _boxes() -> Any:
    """WeasyPrint's box classes, imported once: these functions run for every line or box."""
    from weasyprint.formatting_structure import boxes

    return boxes


def in_flow(original: Callable[..., Any]) -> Callable[..., Any]:
    """``_dispatch`` that paints a ``ruby`` inline block in its line, not with positioned boxes
    (only ruby that printbrief's layout saw, not that of any other WeasyPrint document)."""

    @functools.wraps(original)
    def _dispatch(box: Any, page: Any, child_contexts: list[Any], *rest: Any) -> Any:
        if not getattr(box, "pb_laid_out", False):  # by printbrief's layout (inside_column)
            return original(box, page, child_contexts, *rest)
        from weasyprint.stacking import StackingContext

        if (
            isinstance(box, _boxes().InlineBlockBox)
            and box.style["position"] == "relative"
            and box.style["z_index"] == "auto"
        ):  # as _dispatch treats a static inline block: in the tree of inline boxes
            _mark(box, box.element)
            return StackingContext.from_box(box, page, child_contexts)
        return original(box, page, child_contexts, *rest)

    return _dispatch


def _mark(box: Any, ruby: Any) -> None:
    """Tell :func:`actual_text` the ruby element of each text box in ``box`` (``pb_ruby``),
    and whether it is a reading (``pb_reading``) or a base."""
    boxes = _boxes()
    from weasyprint.layout.absolute import AbsolutePlaceholder

    for child in getattr(box, "children", ()):
        child = child._box if isinstance(child, AbsolutePlaceholder) else child
        if isinstance(child, boxes.TextBox):
            child.pb_ruby, child.pb_reading = ruby, child.element_tag == "rt"
        _mark(child, ruby)


def actual_text(original: Callable[..., Any]) -> Callable[..., Any]:
    """``draw_text`` that gives ruby bases and readings the ActualText they extract as."""

    @functools.wraps(original)
    def draw_text(stream: Any, textbox: Any, *args: Any) -> Any:
        actual = replacement(textbox)
        if actual is None:
            return original(stream, textbox, *args)
        import pydyf

        stream.begin_marked_content("Span", pydyf.Dictionary({"ActualText": pydyf.String(actual)}))
        try:
            return original(stream, textbox, *args)
        finally:
            stream.end_marked_content()

    return draw_text


def replacement(textbox: Any) -> str | None:
    """What a text box of a ruby extracts as: ``""`` for a reading, the base with its reading
    in parentheses for a base, None for any other text."""
    ruby = getattr(textbox, "pb_ruby", None)
    if ruby is None:
        return None
    if textbox.pb_reading:
        return ""
    reading = dict(pairs(ruby)).get(textbox.text.strip())
    return f"{textbox.text}{_OPEN}{reading}{_CLOSE}" if reading else None


def pairs(ruby: Any) -> list[tuple[str, str]]:
    """``(base, reading)`` of each ``rt`` of a ``ruby`` element (``rp`` left out).

    >>> from xml.etree.ElementTree import fromstring
    >>> pairs(fromstring("<ruby>十三湊<rp>（</rp><rt>とさみなと</rt><rp>）</rp></ruby>"))
    [('十三湊', 'とさみなと')]
    """
    found, base = [], ruby.text or ""
    for child in ruby:
        if child.tag == "rt":
            found.append((base.strip(), "".join(child.itertext()).strip()))
            base = ""
        base += child.tail or ""
    return found


# ------------------------------------------------------------- readings inside the column


def inside_column(original: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """``iter_line_boxes`` (as ``layout/block.py`` calls it) that keeps each reading inside
    its column: centred over a base at a line's end, a reading longer than its base would
    pass the column edge; jlreq §3.3 lets it overhang the characters beside its base, never
    the end of the line, so it is moved back in by what it passes."""

    @functools.wraps(original)
    def iter_line_boxes(*args: Any) -> Iterator[Any]:
        if not (ACTIVE.get() and RUBY.get()):
            return original(*args)
        return _kept_inside(original(*args), args[5])

    return iter_line_boxes


def _kept_inside(lines: Iterator[Any], block: Any) -> Iterator[Any]:
    """``lines`` of ``block``, each reading on them moved back inside the column."""
    for line, resume_at in lines:
        left = float(block.content_box_x())
        for reading, lo, hi in _readings(line):
            reading.translate(max(0.0, left - lo) or min(0.0, left + block.width - hi), 0)
        yield line, resume_at


def _readings(box: Any) -> Iterator[tuple[Any, float, float]]:
    """Each laid-out ``rt`` of a ruby on the line, and where its text starts and ends."""
    boxes = _boxes()
    from weasyprint.layout.absolute import AbsolutePlaceholder

    for child in getattr(box, "children", ()):
        if isinstance(child, (boxes.InlineBox, boxes.LineBox)):  # a LineBox: ::first-line
            yield from _readings(child)
        elif isinstance(child, boxes.InlineBlockBox) and child.element_tag == "ruby":
            child.pb_laid_out = True  # for in_flow, when the page is drawn
            for line in child.children:  # the ruby's own line: its base, and the rt's place
                for inner in getattr(line, "children", ()):
                    rt = isinstance(inner, AbsolutePlaceholder) and inner.element_tag == "rt"
                    if rt and (texts := list(_texts(inner._box))):
                        lo = min(t.position_x for t in texts)
                        yield inner, lo, max(t.position_x + t.width for t in texts)


def _texts(box: Any) -> Iterator[Any]:
    boxes = _boxes()

    for child in getattr(box, "children", ()):
        if isinstance(child, boxes.TextBox):
            yield child
        else:
            yield from _texts(child)
