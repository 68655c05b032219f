"""The baseline grid WeasyPrint 70 lacks: blocks padded to whole multiples of the body's line.

CSS has no line grid in WeasyPrint 70 (CSS Line Grid, ``line-height-step``, is not
implemented), so a picture, a table or a boxed aside of any height pushes every line after
it off the rhythm, and two columns' baselines drift apart. A theme declares the grid on a
container, ``.body { --pb-grid: line; line-height: 15pt }``: each block laid out directly in
that container then ends a whole number of the container's line heights below its top
border edge, by padding at its bottom (never visible: padding has no background here), unless
it goes on over the page or the padding would reach past the page's bottom. With
margins that are whole lines too, every line of text in the container keeps the rhythm,
page after page and column beside column.

This module, like :mod:`printbrief.cjk`, reaches into WeasyPrint's internals: it wraps
``weasyprint.layout.block.block_level_layout``, only while :func:`snapping` is active and
only on the WeasyPrint series it was written for (:mod:`printbrief.patching`); on any other
it logs a warning once and blocks keep their own heights.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from .patching import Patch

PROPERTY = "__pb_grid"
"""``--pb-grid`` as WeasyPrint names it in a computed style."""

GROWTH_KEPT = 0.1
"""How much taller than its line height a line may grow from mixed faces and still be held
to it (a fraction of the line height)."""

_CLOSE_ENOUGH = 0.01  # px: a block this close to a whole line is on the grid
_ACTIVE: ContextVar[bool] = ContextVar("printbrief_grid_active", default=False)


@contextmanager
def snapping() -> Iterator[None]:
    """Keep declared grids for WeasyPrint layout done inside the block (this thread only)."""
    token = _ACTIVE.set(install())
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def install() -> bool:
    """Patch WeasyPrint once; False (with a warning, once) on a version this was not written for."""
    return _PATCH.install()


def _patch() -> None:
    from weasyprint.layout import block, inline

    block.block_level_layout = _snapper(block.block_level_layout)
    inline.line_box_verticality = _strut_keeper(inline.line_box_verticality)


def grid_line(container: Any) -> float | None:
    """The line, in px, that ``container``'s children snap to: its own line height when it
    declares ``--pb-grid`` itself (the property inherits; only the declaring box's children
    snap, not blocks deeper down such as table cells or a quote's paragraphs)."""
    style = container.style
    # A column of a multi-column box is anonymous: its style is the multicol box's, one down.
    own = getattr(style, "cascaded", None) or getattr(style.parent_style, "cascaded", {})
    if PROPERTY not in own:
        return None
    height = style["line_height"]
    return float(height.value) if getattr(height, "unit", None) == "px" else None


def padding_to_grid(height: float, line: float) -> float:
    """What to add to ``height`` to reach the next whole multiple of ``line``.

    >>> padding_to_grid(40.0, 20.0), padding_to_grid(41.0, 20.0)
    (0.0, 19.0)
    """
    lines = math.ceil(height / line - _CLOSE_ENOUGH / line)
    return max(0.0, lines * line - height)


def _snapper(original: Callable[..., Any]) -> Callable[..., Any]:
    def block_level_layout(context: Any, box: Any, bottom_space: Any, skip_stack: Any,
                           containing_block: Any, *args: Any, **kwargs: Any) -> Any:  # fmt: skip
        result = original(context, box, bottom_space, skip_stack, containing_block, *args, **kwargs)
        new_box, resume_at = result[0], result[1]
        line = grid_line(containing_block) if _ACTIVE.get() and new_box is not None else None
        if line and resume_at is None:  # a block going on over the page ends there anyway
            bottom = new_box.border_box_y() + new_box.border_height()
            room = context.page_bottom - bottom_space - bottom  # never pad past the page
            new_box.padding_bottom += max(
                0, min(padding_to_grid(new_box.border_height(), line), room)
            )
        return result

    return block_level_layout


def _strut_keeper(original: Callable[..., Any]) -> Callable[..., Any]:
    """A line whose line height is absolute keeps it when its glyphs come from a face with other
    ascent and descent than the paragraph's first (WeasyPrint grows the line box to hold both
    faces' half-leadings: 0.3–0.8 pt with a CJK face in Latin text, or the reverse): the line
    is the paragraph's strut, baseline included. A line grown by more than
    :data:`GROWTH_KEPT` of its height (an inline picture, ruby) keeps its own height."""

    def line_box_verticality(box: Any) -> tuple[float, float]:
        bottom, top = original(box)
        height = box.style["line_height"]
        if not _ACTIVE.get() or getattr(height, "unit", None) != "px":
            return bottom, top
        from weasyprint.text.line_break import strut

        line, baseline = strut(box.style)
        if bottom - top <= line * (1 + GROWTH_KEPT) and top <= -baseline:
            return line - baseline, -baseline
        return bottom, top

    return line_box_verticality


_PATCH = Patch("the baseline grid (--pb-grid)", _patch, "blocks keep their own heights")
