"""Justification of CJK lines between characters, and what a line's edges give up.

Part of :mod:`printbrief.cjk`, which installs :func:`justifier` around WeasyPrint 70's
``layout/inline.py`` ``justify_line``, :func:`edge_trimmer` around its ``text_align`` and
:func:`first_lines` around ``iter_line_boxes`` (as ``layout/block.py`` calls it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

from .cjkscript import (
    ACTIVE,
    FIRST_LINE,
    IDEOGRAPHIC_SPACE,
    SPACES,
    trims_end,
    trims_start,
    weights,
)

_CORRECTIONS = 3  # relayouts of a text box whose measured stretch misses the plan
_CLOSE_ENOUGH = 0.05  # px: how far a stretched box may miss its planned width


@functools.cache
def _boxes() -> Any:
    """WeasyPrint's box classes, imported once: these functions run for every line or box."""
    from weasyprint.formatting_structure import boxes

    return boxes


class _Line:
    """One line to justify: each text box's stretchable characters and the step between them."""

    def __init__(self, line: Any) -> None:
        boxes = _boxes()

        on_line = list(_descendants(line))
        self.texts = [b for b in on_line if isinstance(b, boxes.TextBox)]
        # A mark hangs only where it ends the line, not before an inline block (ruby).
        self.ends_in_text = bool(on_line) and on_line[-1] is (self.texts or [None])[-1]
        joined = "".join(b.text for b in self.texts)
        korean = (line.style["lang"] or "").lower().startswith("ko")
        spaces_only = korean and any(ch in SPACES for ch in joined.strip())
        self.flags = {
            id(b): weights(b.text, b.style["lang"] or "", spaces_only) for b in self.texts
        }
        self.hanging = 0.0
        """Width of what hangs past the column edge: ideographic spaces and blank halves."""
        self._drop_trailing_spaces()
        every = [f for b in self.texts for f in self.flags[id(b)]]
        self.units = sum(every) - (every[0] + every[-1]) / 2 if every else 0
        self.step = 0.0

    def _drop_trailing_spaces(self) -> None:
        """No stretch after the last visible character, nor on it: Pango trims the half
        spacing after a layout's last character from its width but still draws the half
        before it, so the last glyph would end short of the edge. U+3000 is not collapsed
        like U+0020 but hangs at the end of a line (CSS Text 3 §4.1.3, "other space
        separators"): it takes no stretch, and its advance is slack. So is the blank half of
        a closing bracket, comma or full stop ending the line (:func:`trims_end`)."""
        for box in reversed(self.texts):
            flags, text = self.flags[id(box)], box.text
            for i in range(len(text) - 1, -1, -1):
                visible = text[i] not in SPACES and text[i] != IDEOGRAPHIC_SPACE
                flags[i] = 0
                if text[i] == IDEOGRAPHIC_SPACE:
                    self.hanging += float(box.style["font_size"])
                elif visible and self.ends_in_text and trims_end(text[i], box.style["lang"] or ""):
                    self.hanging += float(box.style["font_size"]) / 2
                if visible:
                    return

    def spread(self, context: Any, box: Any, x_advance: float) -> float:
        """Move and widen ``box`` and its descendants; return the advance for what follows."""
        boxes = _boxes()

        if isinstance(box, boxes.TextBox):
            return self._widen(context, box, x_advance)
        if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            box.position_x += x_advance
            start = x_advance
            for child in box.children:
                if child.is_in_normal_flow():
                    x_advance = self.spread(context, child, x_advance)
            box.width += x_advance - start
            return x_advance
        box.translate(x_advance, 0)
        return x_advance

    def _widen(self, context: Any, box: Any, x_advance: float) -> float:
        flags = self.flags[id(box)]
        if not any(flags):
            box.position_x += x_advance
            return x_advance
        half = self.step / 2
        x_advance += half * flags[0] * (box is not self.texts[0])
        box.position_x += x_advance
        units = sum(flags) - (flags[0] + flags[-1]) / 2
        step, target = self.step, self.step * units
        grown: float = _relayout(context, box, (step, flags)) - box.width
        for _ in range(_CORRECTIONS):
            if not units or abs(grown - target) <= _CLOSE_ENOUGH:
                break
            # Shaping changes where spacing splits a run (a space between Hangul words
            # loses about 0.3 px): measure, and correct the step.
            step += (target - grown) / units
            grown = _relayout(context, box, (step, flags)) - box.width
        box.width += grown
        return x_advance + grown + half * flags[-1] * (box is not self.texts[-1])


def _descendants(box: Any) -> Iterator[Any]:
    """Boxes on the line in order, not looking inside atomic inlines (inline blocks)."""
    boxes = _boxes()

    for child in box.children:
        if child.is_in_normal_flow():
            yield child
            if isinstance(child, boxes.InlineBox):
                yield from _descendants(child)


def _relayout(context: Any, box: Any, spacing: tuple[float, list[int]]) -> float:
    """Give ``box`` a layout with ``spacing``; return the layout's width.

    The layout is what ``create_layout`` makes without a width, given its text once, spaced
    (``create_layout`` would set the text unspaced first, to be replaced at once). It is
    kept set up for drawing (:func:`_kept`), which would otherwise lay the same text out
    again."""
    from weasyprint.text.ffi import pango
    from weasyprint.text.line_break import line_size

    layout = _kept()(box.style, justification_spacing=0, max_width=None)
    layout.pb_spacing = spacing
    kept = not _PARAGRAPHS.search(box.text) and _room(context)
    if kept:
        # As drawing sets it (draw_first_line): set later, it would lay the text out anew.
        pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
    layout.set_text(box.text, justify=True)
    width: float = line_size(layout.get_first_line()[0], box.style)[0]
    if not kept:
        layout.deactivate()
    box.justification_spacing = 0
    box.pango_layout = layout
    return width


def _room(context: Any) -> bool:
    """Whether the document laid out in ``context`` may keep one more box's layout."""
    count = getattr(context, "pb_kept_layouts", 0)
    if count >= KEPT_LAYOUTS:
        return False
    context.pb_kept_layouts = count + 1
    return True


KEPT_LAYOUTS = 1000
"""Justified boxes of one document whose layouts are kept set up for drawing: each holds
about 5 KB until the document is drawn (a 26-page Japanese article has 1,407: peak RSS
126 MB laying each out again, 133 MB keeping all, 131 MB keeping 1,000); a longer
document's later boxes are laid out again, as before."""

_PARAGRAPHS = re.compile("[\t\n\r\f\v\x1c-\x1f\x85\u2028\u2029]")
"""Tabs and line or paragraph separators: a box holding one is laid out again for drawing,
since drawing's single-paragraph mode sets it otherwise than the layout measured it."""


@functools.cache
def _kept() -> Any:
    """WeasyPrint's ``Layout`` for a justified box, kept set up from justification to drawing.

    ``draw_text`` (``draw/text.py``) reactivates a box's layout before drawing it: set up
    anew from the style and given its text, spaced, which shapes the line a second time,
    as :func:`_relayout` just did with the same style, text and attributes. A layout still
    set up for the same style is drawn as it is; once drawn (and deactivated), it is
    reactivated as any other. The cost is memory: each justified box holds its Pango layout
    from the page's layout until it is drawn, after every page is laid out."""
    from weasyprint.text.line_break import Layout

    class Kept(Layout):  # type: ignore[misc]
        def reactivate(self, style: Any) -> None:
            if "layout" in self.__dict__ and self.style is style:
                return
            super().reactivate(style)

    return Kept


def justifier(original: Callable[..., Any]) -> Callable[..., Any]:
    """``justify_line`` that stretches CJK lines between characters (CSS Text 3 §7.1)."""

    def justify_line(context: Any, line: Any, extra_width: float) -> None:
        if not ACTIVE.get():
            original(context, line, extra_width)
            return
        lang = (line.style["lang"] or "").lower()
        plan = _Line(line) if lang.startswith(("zh", "ja", "ko")) else None
        if plan is None or plan.units <= 0 or extra_width + plan.hanging <= 0:
            original(context, line, extra_width)
            return
        plan.step = (extra_width + plan.hanging) / plan.units
        plan.spread(context, line, 0)

    return justify_line


# ------------------------------------------------------ line edges: gaps, opening brackets


def edge_trimmer(original: Callable[..., Any]) -> Callable[..., Any]:
    """``text_align`` that first drops a CJK–Latin gap at either end of the line (jlreq),
    and the blank half of an opening bracket starting a line (:func:`_trim_opening`).

    What the line gave up is kept as its ``pb_trimmed`` width: the line took that much more
    of the measure when it was broken (headline balancing reads it)."""

    def text_align(context: Any, line: Any, available_width: float, last: bool) -> Any:
        if ACTIVE.get():
            line.pb_trimmed = _trim_start(line) + _trim_end(line) + _trim_opening(line)
        return original(context, line, available_width, last)

    return text_align


def first_lines(original: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """``iter_line_boxes`` that tells :data:`FIRST_LINE` whether it lays out a block's first
    line: ``skip_stack`` is None there, and only for its first line."""

    def iter_line_boxes(*args: Any) -> Iterator[Any]:
        if not ACTIVE.get():
            return original(*args)
        return _told(original(*args), first=args[4] is None)

    return iter_line_boxes


def _told(lines: Iterator[Any], first: bool) -> Iterator[Any]:
    """``lines``, each laid out with :data:`FIRST_LINE` telling whether it is the first."""
    while True:
        token = FIRST_LINE.set(first)
        try:
            line = next(lines)
        except StopIteration:
            return
        finally:
            FIRST_LINE.reset(token)
        yield line
        first = False


def _trim_opening(line: Any) -> float:
    """An opening bracket or quote starting a line other than its paragraph's first gives up
    its blank left half (:func:`trims_start`): the line moves half an em left, so the mark's
    visible half starts flush, and justification spreads that half em over the line."""
    first = _first_text(line)
    if FIRST_LINE.get() or first is None or not first.text:
        return 0.0
    if not trims_start(first.text[0], first.style["lang"] or ""):
        return 0.0
    shift = float(first.style["font_size"]) / 2
    for child in line.children:
        child.translate(-shift, 0)
    line.width -= shift
    return shift


def _first_text(line: Any) -> Any:
    """The text box that starts ``line``, or None (an inline block, such as ruby, starts it)."""
    boxes = _boxes()

    box = line
    while isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box = _in_flow_child(box, 0)
        if box is None:
            return None
    return box if isinstance(box, boxes.TextBox) else None


def _in_flow_child(box: Any, index: int) -> Any:
    """The first (``index`` 0) or last (-1) child of ``box`` in normal flow, or None."""
    children = box.children if index == 0 else reversed(box.children)
    return next((child for child in children if child.is_in_normal_flow()), None)


def _edge_path(line: Any, index: int) -> list[Any]:
    """The line's first (``index`` 0) or last (-1) inline boxes, outermost first."""
    boxes = _boxes()

    path, box = [], line
    while isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box = _in_flow_child(box, index)
        if box is None:
            break
        path.append(box)
    return [b for b in path if isinstance(b, boxes.InlineBox)]


def _marked(box: Any, side: str) -> bool:
    element = getattr(box, "element", None)
    return element is not None and f"cjk-gap-{side}" in (element.get("class") or "")


def _trim_start(line: Any) -> float:
    path = _edge_path(line, 0)
    span = next((b for b in reversed(path) if _marked(b, "start")), None)
    if span is None or not span.margin_left:
        return 0.0
    shift, span.margin_left = span.margin_left, 0
    for child in line.children:
        child.translate(-shift, 0)
    for box in path[: path.index(span) + 1]:  # their margin boxes still start the line
        box.position_x += shift
        if box is not span:
            box.width -= shift
    line.width -= shift
    return float(shift)


def _trim_end(line: Any) -> float:
    path = _edge_path(line, -1)
    span = next((b for b in reversed(path) if _marked(b, "end")), None)
    if span is None or not span.margin_right:
        return 0.0
    shift, span.margin_right = span.margin_right, 0
    for box in path[: path.index(span)]:
        box.width -= shift
    line.width -= shift
    return float(shift)
