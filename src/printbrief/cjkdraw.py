"""Glyph positions of justified CJK boxes printed exactly as laid out (WeasyPrint 70 drawing).

Part of :mod:`printbrief.cjk`, which installs :func:`exact_drawing` around WeasyPrint's
``draw/text.py`` ``draw_first_line``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


def exact_drawing(original: Callable[..., Any]) -> Callable[..., Any]:
    """``draw_first_line`` that prints a justified CJK box's glyphs where its layout put them.

    WeasyPrint writes each glyph's advance as the font's width and an adjustment it cuts to a
    whole thousandth of an em with ``int()``; a letter-spaced glyph loses up to that much, and
    along a line of 45 characters the last one ends up to 0.45 pt short of the column edge.
    """

    def draw_first_line(stream: Any, textbox: Any, *args: Any) -> Any:
        if getattr(textbox.pango_layout, "pb_spacing", None):
            _absorb_truncation(stream, textbox.pango_layout)
        return original(stream, textbox, *args)

    return draw_first_line


def _absorb_truncation(stream: Any, layout: Any) -> None:
    """Set each glyph's width so that the whole thousandths WeasyPrint keeps add up right.

    Each glyph's adjustment is rounded with the error carried on to the next glyph (error
    diffusion), and the glyph's width chosen so that ``int()`` gives that whole number: every
    glyph then prints within 0.0005 em of its laid-out place, and no number is added to the
    PDF's text. The widths are read by nothing else once the box is laid out.
    """
    from weasyprint.text.ffi import ffi, pango
    from weasyprint.text.line_break import FROM_UNITS

    # Drawing sets single-paragraph mode; setting it now keeps it from laying out anew.
    pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
    run, carry = layout.get_first_line()[0].runs[0], 0.0
    while run != ffi.NULL:
        glyph_item, run = run.data, run.next
        pango_font = glyph_item.item.analysis.font
        font, size = stream.add_font(pango_font)
        if pango.pango_version() < 14802 or font.png:  # as WeasyPrint's draw_first_line
            size = layout.style["font_size"]
        glyphs = glyph_item.glyphs
        for glyph in glyphs.glyphs[0 : glyphs.num_glyphs]:
            carry = _round_adjustment(
                stream, (pango, FROM_UNITS), pango_font, font, size, glyph, carry
            )


def _round_adjustment(
    stream: Any, pango_units: tuple[Any, float], pango_font: Any, font: Any, size: float,
    glyph: Any, carry: float,
) -> float:  # fmt: skip
    """Make WeasyPrint's ``int(kerning)`` for ``glyph`` the rounded kerning plus ``carry``.

    ``pango_units`` is WeasyPrint's Pango library and its ``FROM_UNITS``, imported once per
    box rather than per glyph.
    """
    pango, FROM_UNITS = pango_units
    if glyph.glyph == pango.PANGO_GLYPH_EMPTY or glyph.glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG:
        return carry  # written exactly, or with a width WeasyPrint makes up
    width = font.widths.get(glyph.glyph)
    if width is None:  # the font's advance, rounded as WeasyPrint rounds it
        pango.pango_font_get_glyph_extents(
            pango_font, glyph.glyph, stream.ink_rect, stream.logical_rect
        )
        width = round(stream.logical_rect.width * 1000 * FROM_UNITS / size)
    geometry, scale = glyph.geometry, 1000 * FROM_UNITS / size
    # WeasyPrint writes the x offset as x_offset / size thousandths of an em, as if Pango
    # had 1000 units to the pixel (it has 1024): a glyph moved 34 px by letter spacing would
    # print 0.8 px further right. Scaled, it prints where Pango put it; an error under the
    # thousandth of an em WeasyPrint writes advances in is left (it would only lengthen
    # the numbers in the PDF).
    scaled = round(geometry.x_offset * 1000 * FROM_UNITS)
    if abs(geometry.x_offset - scaled) >= size:
        geometry.x_offset = scaled
    base: float = width + geometry.x_offset / size  # kerning = base - geometry.width * scale
    wanted = base - geometry.width * scale + carry / size
    whole = round(wanted)
    # int() cuts towards zero: land just past ``whole`` on the side away from zero.
    units = (base - whole) / scale
    geometry.width = math.ceil(units) if whole < 0 else math.floor(units)
    return float((wanted - whole) * size)
