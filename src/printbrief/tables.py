"""Tables wider than their column: their type stepped down, measured, until they fit.

A theme sets a table's type (broadsheet: 7 pt in its 62 mm columns), and a cell breaks its
lines between words; a table whose narrowest layout (its longest words, its numbers) is still
wider than the column would print over the next column or off the page: WeasyPrint 70 can
neither span a table over the columns nor shrink it. After laying out, the renderer measures
each table of the article against the block it sits in; a table too wide gets smaller type, in
proportion to the excess of its text over the room its cells' padding leaves
(:func:`step_down`), and the article is laid out again, at most :data:`STEPS` times. At
:data:`SMALLEST` the cells' side padding shrinks to :data:`TIGHT`; a table still too wide
there may break its cells' words and numbers anywhere: a broken number reads worse than a
small one, but better than one printed over the text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from typing import Any

SMALLEST = 5.0
"""The smallest type, in points, a table is stepped down to, unless the theme sets another
(``table_smallest`` in theme.json)."""

TIGHT = "0.4mm"
"""The side padding of a table's cells at :data:`SMALLEST`."""

STEPS = 4
"""How many more layouts an article with a table too wide may take."""

_PX_PER_PT = 4 / 3
_TABLE = re.compile(r"<table\b.*?</table>", re.IGNORECASE | re.DOTALL)
_CELL = re.compile(r"<t[dh]\b", re.IGNORECASE)


def too_wide(document: Any) -> dict[int, tuple[float, float]]:
    """Each table wider than the block it sits in, by its number in document order (from 0):
    the fraction of its text's width that fits (the smallest over its pages) and its type
    size in points."""
    found: dict[int, tuple[float, float]] = {}
    for page in document.pages:
        for wrapper, parent in _wrappers(page._page_box, None):
            width, room = float(wrapper.margin_width()), float(parent.width)
            if width > room + 0.5:
                fixed = min(_padding(wrapper), room / 2)
                fit = (room - fixed) / max(width - fixed, 1.0)
                size = float(wrapper.style["font_size"]) / _PX_PER_PT
                number = _number(page, wrapper)
                found[number] = (min(fit, found.get(number, (1.0, 0))[0]), size)
    return found


def step_down(wide: dict[int, tuple[float, float]], sizes: dict[int, float],
              loose: set[int], smallest: float = SMALLEST) -> bool:  # fmt: skip
    """Set in ``sizes`` the next type size of each table of ``wide`` (:func:`too_wide`): its
    own scaled to fit, in quarter points, never under ``smallest``; a table already there
    goes into ``loose`` (its cells break anywhere). False when nothing is left to try."""
    changed = False
    for number, (fit, size) in wide.items():
        if size > smallest:
            sizes[number] = max(smallest, math.floor(size * fit * 0.97 * 4) / 4)
            changed = True
        elif number not in loose:
            loose.add(number)
            changed = True
    return changed


def resized(html: str, sizes: dict[int, float], loose: AbstractSet[int] = frozenset(),
            smallest: float = SMALLEST) -> str:  # fmt: skip
    """``html`` with the tables numbered in ``sizes`` set in that type size (cells tight at
    ``smallest``), the cells of those in ``loose`` breaking anywhere.

    >>> resized('<table><tr><td>1</td></tr></table><table class="x"></table>', {1: 6.5})
    '<table><tr><td>1</td></tr></table><table style="font-size: 6.5pt" class="x"></table>'
    """
    out, at = [], 0
    for number, match in enumerate(_TABLE.finditer(html)):
        if number not in sizes:
            continue
        table = match[0].replace("<table", f'<table style="font-size: {sizes[number]:g}pt"', 1)
        tight = (
            [f"padding-left: {TIGHT}; padding-right: {TIGHT}"] if sizes[number] <= smallest else []
        )
        cell = "; ".join(tight + (["overflow-wrap: anywhere"] if number in loose else []))
        if cell:
            table = _CELL.sub(f'\\g<0> style="{cell}"', table)
        out += [html[at : match.start()], table]
        at = match.end()
    return "".join(out) + html[at:]


def _wrappers(box: Any, parent: Any) -> Iterator[tuple[Any, Any]]:
    """Table wrapper boxes under ``box``, each with the box it sits in."""
    if getattr(box, "is_table_wrapper", False):
        yield box, parent
        return
    for child in getattr(box, "children", ()):
        yield from _wrappers(child, box)


def _padding(wrapper: Any) -> float:
    """The side padding and borders of the widest row's cells: what smaller type leaves."""
    rows = [row for table in wrapper.children for group in table.children for row in group.children]
    return max(
        (sum(c.padding_left + c.padding_right + c.border_left_width + c.border_right_width
             for c in row.children) for row in rows),
        default=0.0,
    )  # fmt: skip


def _number(page: Any, wrapper: Any) -> int:
    """The number, in document order from 0, of the table ``wrapper`` lays out."""
    root = next(c for c in page._page_box.children if type(c).__name__ != "MarginBox")
    return next(i for i, e in enumerate(root.element.iter("table")) if e is wrapper.element)
