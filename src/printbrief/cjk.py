"""CJK line layout that WeasyPrint 70 lacks, patched in for that version only (cjk* modules).

WeasyPrint 70 justifies by widening U+0020 only (``layout/inline.py`` ``justify_line``), so
Chinese and Japanese lines, which have no spaces, stay ragged; and it has no
``word-break: keep-all``, which Korean needs (W3C klreq §3.1.2: break between words, and
between syllables only when a word is longer than the line). This module adds both by
patching nine functions, only while :func:`typesetting` is active (a printbrief render of
a page holding CJK, ruby or a CJK ``lang``; the drawing ones act on what that layout marked):

* ``Layout.set_text`` (:mod:`printbrief.cjkbreak`) adds Pango attributes: ``allow_breaks``
  false inside Korean words, and, on the text boxes of a justified line, per-character
  letter spacing. Pango puts half of a character's letter spacing on each side of it and
  trims the halves at both ends of a layout, so spacing every CJK character by *s* adds *s*
  between two CJK characters, *s*/2 between a CJK character and a Latin one, and nothing
  inside Latin words; the text itself is never changed, so copy and paste gives the same
  characters.
* ``split_first_line`` (:mod:`printbrief.cjkbreak`): when a Korean word is wider than a
  whole line, lays the line out again without keep-all, so the word breaks between
  syllables instead of overflowing.
* ``justify_line`` (:mod:`printbrief.cjkjustify`) spreads a line's slack over those
  opportunities (CSS Text 3 ``text-justify: inter-character`` for zh and ja; for Korean,
  word spaces only, and syllables only on a line without a space) and moves the boxes after
  each widened one.
* ``text_align`` (:mod:`printbrief.cjkjustify`) first drops a CJK–Latin gap that ends up at
  either edge of a line, and the blank half of an opening bracket starting a line other than
  its paragraph's first (``iter_line_boxes`` tells it which line is a block's first).
* ``draw_first_line`` (``draw/text.py``; :mod:`printbrief.cjkdraw`) truncates each glyph's
  advance adjustment to a whole thousandth of an em; on a letter-spaced box the losses add
  up along the line, so before it draws one, each glyph's width is set so that the whole
  numbers kept add up, and its x offset is scaled from Pango units as WeasyPrint reads it.
* ``iter_line_boxes`` (as ``layout/block.py`` calls it; :mod:`printbrief.cjkheads`) sets a
  CJK headline between phrases and balances its lines; ``can_break_text`` (as
  ``layout/inline.py`` calls it between two inline boxes; :mod:`printbrief.cjkbreak`) keeps
  a number with its counter (``5月``), and a headline's phrase whole, across the span of a
  CJK–Latin gap.
* ``_dispatch`` (``stacking.py``) and ``draw_text`` (as ``draw/__init__.py`` calls it;
  :mod:`printbrief.cjkruby`) put ruby into the PDF's text in reading order: the base in
  its line, the reading in parentheses after it as ActualText; around ``iter_line_boxes``
  it moves a reading that would pass the column edge back inside.

The patches are installed for the WeasyPrint version they were written for only
(:mod:`printbrief.patching`); on any other, printbrief logs a warning once and WeasyPrint lays text
out on its own (ragged CJK lines, Korean breaking between syllables anywhere).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .cjkscript import ACTIVE as _ACTIVE
from .cjkscript import IDEOGRAPHIC_SPACE, KOREAN, RUBY, is_cjk_text, layout_needs, weights
from .patching import Patch

__all__ = [
    "BASE_CSS",
    "IDEOGRAPHIC_SPACE",
    "install",
    "is_cjk_text",
    "typesetting",
    "weasyprint_layout",
    "weights",
]

BASE_CSS = """
html { --pb-cjk-latin-gap: 0.25em; }
.cjk-gap-start { margin-left: var(--pb-cjk-latin-gap); }
.cjk-gap-end { margin-right: var(--pb-cjk-latin-gap); }
.cjk-keep { white-space: nowrap; }
ruby { display: inline-block; position: relative; text-indent: 0; line-height: 1;
       letter-spacing: 0; }
rt { position: absolute; left: -4em; right: -4em; bottom: 100%; margin-bottom: 0.1em;
     font-size: 0.5em; line-height: 1; text-align: center; text-indent: 0; white-space: nowrap;
     font-weight: normal; font-style: normal; }
rp { display: none; }
"""
"""printbrief's CSS before every theme's: the gap between CJK and Latin runs marked by
:func:`printbrief.body.mark_latin_runs` (a theme sets ``--pb-cjk-latin-gap``, 0 for none),
the last two characters of a paragraph kept together (:func:`printbrief.body.no_lone_last_character`),
and ruby without a ruby layout (WeasyPrint 70 has none): the base is an inline block and the
reading sits centred above it at half size, never spliced into the line (W3C jlreq §3.3)."""


_OFF: ContextVar[bool] = ContextVar("printbrief_cjk_off", default=False)


@contextmanager
def typesetting(html: str | None = None) -> Iterator[None]:
    """Activate the CJK layout for WeasyPrint work done inside the block (this thread only).

    Given the page's ``html``, the layout is switched on only for what the page holds
    (:func:`~printbrief.cjkscript.layout_needs`): on a page without CJK, ruby or a CJK
    ``lang`` the hooks return at once, and the page is laid out as by WeasyPrint alone (an
    English feature spent 3 % of its Python time in them); without Hangul, nothing looks
    for Korean words; without ruby, nothing looks for readings.
    """
    needs = layout_needs(html) if html is not None else frozenset(("han", "hangul", "ruby"))
    active = _ACTIVE.set(install() and not _OFF.get() and bool(needs))
    korean, ruby = KOREAN.set("hangul" in needs), RUBY.set("ruby" in needs)
    try:
        yield
    finally:
        RUBY.reset(ruby)
        KOREAN.reset(korean)
        _ACTIVE.reset(active)


@contextmanager
def weasyprint_layout() -> Iterator[None]:
    """Renders inside the block get WeasyPrint's own line layout, as without this module
    (this thread only): what benchmarks and tests compare printbrief's layout with.

    >>> from printbrief import Renderer
    >>> with weasyprint_layout():
    ...     pdf = Renderer().render({"headline": "潮汐能电站", "body": "并网发电。", "lang": "zh"})
    """
    token = _OFF.set(True)
    try:
        yield
    finally:
        _OFF.reset(token)


def install() -> bool:
    """Patch WeasyPrint once; False (with a warning, once) on a version this was not written for."""
    return _PATCH.install()


# ------------------------------------------------------------------------------ patches


def _patch() -> None:
    from weasyprint import draw, stacking
    from weasyprint.draw import text
    from weasyprint.layout import block, inline, preferred
    from weasyprint.text import ffi, line_break

    from . import cjkbreak, cjkdraw, cjkheads, cjkjustify, cjkruby

    ffi.ffi.cdef(
        "PangoAttribute * pango_attr_allow_breaks_new (gboolean allow_breaks);"
        "PangoAttrList * pango_attr_list_copy (PangoAttrList *list);"
    )
    line_break.Layout.set_text = cjkbreak.text_setter(line_break.Layout.set_text)
    splitter = cjkbreak.keep_all_splitter(line_break.split_first_line)
    inline.split_first_line = preferred.split_first_line = splitter
    inline.can_break_text = cjkbreak.joiner(inline.can_break_text)
    inline.justify_line = cjkjustify.justifier(inline.justify_line)
    inline.text_align = cjkjustify.edge_trimmer(inline.text_align)
    text.draw_first_line = cjkdraw.exact_drawing(text.draw_first_line)
    lines = cjkheads.balancer(cjkjustify.first_lines(block.iter_line_boxes))
    block.iter_line_boxes = cjkruby.inside_column(lines)
    stacking._dispatch = cjkruby.in_flow(stacking._dispatch)
    draw.draw_text = cjkruby.actual_text(draw.draw_text)


_PATCH = Patch("CJK justification and Korean word breaking", _patch,
               "using WeasyPrint's own line layout")  # fmt: skip
