"""A paragraph continued over a page break: its ``::first-line`` style stays on the first page.

WeasyPrint 70 gives the first line of every fragment of a paragraph the paragraph's
``::first-line`` style: a first paragraph that runs over a page starts the next page with a
line in small caps too (newsbrief's ``.body > p:first-child::first-line``). CSS Pseudo-Elements
4 (§2.1, "the first formatted line") styles only the paragraph's first line; a fragment that
resumes the paragraph has none, as WeasyPrint already treats ``text-indent`` there.

This module, like :mod:`printbrief.grid`, reaches into WeasyPrint's internals: it wraps
``weasyprint.layout.block.iter_line_boxes``, only on the WeasyPrint series it was written for
(:mod:`printbrief.patching`); on any other it logs a warning once and WeasyPrint styles the
lines its own way. The fix is to the letter of the specification, so it holds for every layout
in the process once installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .patching import Patch


def install() -> bool:
    """Patch WeasyPrint once; False (with a warning, once) on a version this was not written for."""
    return _PATCH.install()


def _patch() -> None:
    from weasyprint.layout import block

    block.iter_line_boxes = _first_line_once(block.iter_line_boxes)


def _first_line_once(original: Callable[..., Any]) -> Callable[..., Any]:
    def iter_line_boxes(context: Any, box: Any, position_y: Any, bottom_space: Any,
                        skip_stack: Any, *args: Any) -> Any:  # fmt: skip
        if skip_stack is not None:  # resumed after a break: not the paragraph's first line
            args = (*args[:-1], None)  # the last argument is the first_line_style
        return original(context, box, position_y, bottom_space, skip_stack, *args)

    return iter_line_boxes


_PATCH = Patch("::first-line on the first page only", _patch, "a continued paragraph's first "
               "line on each page takes the ::first-line style")  # fmt: skip
