"""Glyph positions of justified CJK boxes printed exactly as laid out (WeasyPrint 70 drawing).

Part of :mod:`printbrief.cjk`, which installs :func:`exact_drawing` around WeasyPrint's
``draw/text.py`` ``draw_first_line``. A justified box's glyphs are read once, as buffers of
Pango's glyph arrays, to round their advances and then to write them as ``draw_first_line``
does; ``tests/test_cjk_cost.py`` checks the bytes against WeasyPrint's own writing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .hotdraw import (
    EMPTY,
    FIELDS,
    FROM_UNITS,
    UNKNOWN,
    advance,
    can_read,
    closed,
    glyph_unicode,
    line_runs,
    show,
)


def exact_drawing(original: Callable[..., Any]) -> Callable[..., Any]:
    """``draw_first_line`` that prints a justified CJK box's glyphs where its layout put them.

    WeasyPrint writes each glyph's advance as the font's width and an adjustment it cuts to a
    whole thousandth of an em with ``int()``; a letter-spaced glyph loses up to that much, and
    along a line of 45 characters the last one ends up to 0.45 pt short of the column edge.
    Once the widths are set (:func:`_absorb_truncation`), a box in plain vector fonts is
    written here, from the same glyph buffers, as ``draw_first_line`` would write it
    (:func:`_write_spaced`); anything else is left to WeasyPrint.
    """

    def draw_first_line(
        stream: Any, textbox: Any, text_overflow: str, block_ellipsis: Any, matrix: Any
    ) -> Any:
        args = (stream, textbox, text_overflow, block_ellipsis, matrix)
        if not getattr(textbox.pango_layout, "pb_spacing", None):
            return original(*args)
        runs = _absorb_truncation(stream, textbox.pango_layout)
        if text_overflow == "ellipsis" or block_ellipsis != "none" or not _plain(textbox, runs):
            return original(*args)
        _write_spaced(stream, textbox, matrix, runs)
        return []  # no emoji: no colour or bitmap font

    return draw_first_line


def _absorb_truncation(stream: Any, layout: Any) -> list[tuple[Any, ...]]:
    """Set each glyph's width so that the whole thousandths WeasyPrint keeps add up right;
    return the line's runs: glyph item, Pango font, PDF font, size and glyph buffer.

    Each glyph's adjustment is rounded with the error carried on to the next glyph (error
    diffusion), and the glyph's width chosen so that ``int()`` gives that whole number: every
    glyph then prints within 0.0005 em of its laid-out place, and no number is added to the
    PDF's text. The widths are read by nothing else once the box is laid out.

    Japanese lines change script every few characters, so Pango gives them a run for about
    every two glyphs: like WeasyPrint's ``draw_first_line``, the font is looked up only when
    a run's font differs from the one before (:func:`~printbrief.hotdraw.line_runs`).
    """
    from weasyprint.text.ffi import ffi

    if not can_read():  # pragma: no cover
        raise RuntimeError("PangoGlyphInfo is not five 32-bit fields")
    runs, carry = [], 0.0
    for glyph_item, pango_font, font, size in line_runs(stream, layout):
        glyphs = glyph_item.glyphs
        # The run's PangoGlyphInfo array as 32-bit integers, read and written in place: one
        # buffer instead of a C struct object for every field of every glyph.
        infos = memoryview(ffi.buffer(glyphs.glyphs, glyphs.num_glyphs * 4 * FIELDS)).cast("i")
        carry = _round_adjustments(infos, (stream, pango_font, font), size, carry)
        runs.append((glyph_item, pango_font, font, size, infos))
    return runs


def _plain(textbox: Any, runs: list[tuple[Any, ...]]) -> bool:
    """Whether ``draw_first_line`` would write the box with nothing but glyphs and numbers:
    visible text, vector fonts without colour glyphs, no missing glyph, nothing raised."""
    if not textbox.text.strip() or textbox.style["font_size"] < 1e-6:
        return False
    for _, _, font, _, infos in runs:
        if font.bitmap or font.png or font.svg or font.colr:
            return False
        for i in range(0, len(infos), FIELDS):
            if infos[i] & UNKNOWN or infos[i + 3]:
                return False
    return True


def _write_spaced(stream: Any, textbox: Any, matrix: Any, runs: list[tuple[Any, ...]]) -> None:
    """Write the box's text as WeasyPrint 70's ``draw_first_line`` does (``draw/text.py``):
    the font set when it changes, each run's glyphs in ``<…>`` with the x offsets and
    adjustments between them, in thousandths of an em."""
    offsets: dict[float, str] = {}
    texts = (
        (pango_font, font, size, closed(_glyphs_text(textbox, item, font, size, infos, offsets)))
        for item, pango_font, font, size, infos in runs
    )
    show(stream, matrix, texts)


def _glyphs_text(
    textbox: Any, glyph_item: Any, font: Any, size: float, infos: memoryview,
    offsets: dict[float, str],
) -> str:  # fmt: skip
    """One run's glyphs, offsets and adjustments, and their text for the font's ToUnicode map.
    ``offsets`` holds the box's x offsets as written: letter spacing moves its glyphs alike,
    and a float's shortest digits take a few thousand steps to find."""
    parts, to_unicode, widths = [], font.to_unicode, font.widths
    for n, i in enumerate(range(0, len(infos), FIELDS)):
        glyph_id, width = infos[i], infos[i + 1]
        if glyph_id == EMPTY:
            parts.append(f">{-width / size}<")
            continue
        if glyph_id not in to_unicode:
            to_unicode[glyph_id] = glyph_unicode(textbox, glyph_item, n, len(infos) // FIELDS)
        offset = infos[i + 2] / size
        if offset:
            if offset not in offsets:
                offsets[offset] = f">{-offset}<"
            parts.append(offsets[offset])
        parts.append(f"{glyph_id:04x}")
        kerning = widths[glyph_id] + offset - width * 1000 * FROM_UNITS / size
        if kerning:
            parts.append(f">{int(kerning)}<")
    return "".join(parts)


def _round_adjustments(
    infos: memoryview, fonts: tuple[Any, Any, Any], size: float, carry: float
) -> float:
    """Set the width and x offset of each glyph of a run (``infos``) so that WeasyPrint writes
    its kerning rounded with the ``carry`` of the glyphs before; return the carry after them.

    ``fonts`` are the stream, the run's Pango font and its PDF font, ``size`` its size.
    WeasyPrint writes a glyph's kerning as ``int(width + x_offset / size - geometry width *
    scale)`` thousandths of an em, ``width`` being the glyph's advance in the PDF font.
    """
    stream, pango_font, font = fonts
    scale = _PER_UNIT / size  # WeasyPrint's 1000 * FROM_UNITS / font_size
    for i in range(0, len(infos), FIELDS):
        glyph_id = infos[i]
        if glyph_id == EMPTY or glyph_id & UNKNOWN:
            continue  # written exactly, or with a width WeasyPrint makes up
        width = font.widths.get(glyph_id)
        if width is None:  # as WeasyPrint will find it, and keep it, drawing the glyph next
            width = font.widths[glyph_id] = advance(stream, pango_font, glyph_id, size)
        # WeasyPrint writes the x offset as x_offset / size thousandths of an em, as if Pango
        # had 1000 units to the pixel (it has 1024): a glyph moved 34 px by letter spacing
        # would print 0.8 px further right. Scaled, it prints where Pango put it; an error
        # under the thousandth of an em WeasyPrint writes advances in is left (it would only
        # lengthen the numbers in the PDF).
        x_offset = infos[i + 2]
        scaled = round(x_offset * _PER_UNIT)
        if abs(x_offset - scaled) >= size:
            infos[i + 2] = x_offset = scaled
        base = width + x_offset / size
        wanted = base - infos[i + 1] * scale + carry / size
        whole = round(wanted)
        # int() cuts towards zero: land just past ``whole`` on the side away from zero.
        units = (base - whole) / scale
        infos[i + 1] = math.ceil(units) if whole < 0 else math.floor(units)
        carry = (wanted - whole) * size
    return carry


_PER_UNIT = 1000 / 1024
"""WeasyPrint's ``1000 * FROM_UNITS`` (Pango has 1024 units to the pixel), exactly: a whole
number of Pango units times it is exact in a double, as ``x * 1000 * FROM_UNITS`` is."""
