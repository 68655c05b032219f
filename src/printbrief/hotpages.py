"""The ``pages`` hot-path step: page and margin-box styles computed once per page kind.

For every page it makes, WeasyPrint 70.0 (``remake_page`` in ``layout/page.py``) builds a
new ``PageType`` (side, blank, name, index, page groups) and ``set_page_type_computed_styles``
runs the ``@page`` cascade for it: it matches every page selector, then creates a computed
style for the page and for each of its margin boxes (and ``@footnote``), whose values are
then computed again, one by one, while the page is laid out. Pages that the same page
selectors match get the same declarations, with the same parent (the root element), so the
same computed values. Within a document this step keeps the styles of the first page of
each kind, keyed by the page selectors it matches (and whether it is the document's first
page, whose styles are computed before the viewport's size is known), and gives them to
every later page of that kind.

Sharing a style object is safe because WeasyPrint writes to a page's styles only what is the
same on every page of a document: ``make_page`` sets ``overflow`` from the root box, and
``_standardize_page_based_counters`` rewrites the counter properties to a value it leaves as
it is when run again. :mod:`printbrief.hotpaths` installs and switches the step;
tests/test_hotpaths.py checks the bytes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

_KEPT = "_printbrief_page_styles"
"""The attribute of a document's ``StyleFor`` holding its page styles by page kind."""


def patch(acting: Callable[[], bool]) -> None:
    """Wrap ``set_page_type_computed_styles``; the wrapper acts while ``acting()`` is true."""
    from weasyprint.layout import page

    page.set_page_type_computed_styles = _kept_per_kind(page.set_page_type_computed_styles, acting)


def _kept_per_kind(original: Callable[..., None], acting: Callable[[], bool]) -> Any:
    """``set_page_type_computed_styles`` reusing the styles of an earlier page of the kind."""

    @functools.wraps(original)
    def set_page_type_computed_styles(page_type: Any, html: Any, style_for: Any) -> None:
        if not acting():
            return original(page_type, html, style_for)
        kept: dict[tuple[Any, ...], dict[Any, tuple[Any, Any]]]
        kept = style_for.__dict__.setdefault(_KEPT, {})
        kind = page_kind(page_type, style_for)
        found = kept.get(kind)
        if found is None:
            original(page_type, html, style_for)
            kept[kind] = styles_of(page_type, style_for)
        else:
            given(page_type, style_for, found)
        return None

    return set_page_type_computed_styles


def page_kind(page_type: Any, style_for: Any) -> tuple[Any, ...]:
    """The page selectors (by position) that ``page_type`` matches, and if it is the first."""
    matched: list[tuple[int, int, int]] = []
    for s, (sheet, _origin, _specificity) in enumerate(style_for._sheets):
        for r, (_rule, selector_list, _declarations) in enumerate(sheet.page_rules):
            for i, (_spec, _pseudo, selector) in enumerate(selector_list):
                if style_for._page_type_match(selector, page_type):
                    matched.append((s, r, i))
    return page_type.index == 0, tuple(matched)


def styles_of(page_type: Any, style_for: Any) -> dict[Any, tuple[Any, Any]]:
    """The cascaded (or None) and computed styles of ``page_type`` and its pseudo-elements."""
    cascaded, computed = style_for.get_cascaded_styles(), style_for.get_computed_styles()
    return {key[1]: (cascaded.get(key), computed[key]) for key in computed if key[0] == page_type}


def given(page_type: Any, style_for: Any, found: dict[Any, tuple[Any, Any]]) -> None:
    """Give ``page_type`` the kept cascaded and computed styles of its kind."""
    cascaded, computed = style_for.get_cascaded_styles(), style_for.get_computed_styles()
    for pseudo, (declared, style) in found.items():
        if declared is not None:
            cascaded[page_type, pseudo] = declared
        computed[page_type, pseudo] = style
