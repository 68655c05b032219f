"""The ``glyphs`` hot-path step: a text box's glyphs written from Pango's glyph arrays.

WeasyPrint 70.0 draws each text box (``draw_first_line`` in ``draw/text.py``) with a Python
loop over its glyphs that reads every field of every glyph through its own cffi struct
object, formats the glyph id, its x offset and its adjustment (the font's advance against
Pango's, in thousandths of an em) as text, and joins them into the ``TJ`` operand.

This step reads each glyph run once, as a buffer of 32-bit integers, and takes its text from
what the document already wrote in that font and size: a run of the same glyphs with the
same advances and offsets (a word: every space of a justified line is a run of its own)
gives the same text, and so does a glyph with the same id, advance and x offset. The pieces are those
``draw_first_line`` writes, in the same order, and the fonts' ToUnicode entries and widths
are filled in the same order. Only for plain boxes: no ellipsis, vector fonts without
colour or bitmap glyphs, no missing glyph and no vertical offset (a glyph that needs a text
rise). Anything else, and the justified CJK boxes :mod:`printbrief.cjkdraw` writes, is drawn
as WeasyPrint draws it. :mod:`printbrief.hotpaths` installs and switches the step;
tests/test_hotpaths.py checks the bytes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

FIELDS = 5
"""32-bit fields of a ``PangoGlyphInfo``: glyph, width, x_offset, y_offset, visual attributes."""
EMPTY, UNKNOWN = 0x0FFFFFFF, 0x10000000
"""``PANGO_GLYPH_EMPTY`` and ``PANGO_GLYPH_UNKNOWN_FLAG`` (Pango's ``pango-types.h``): every
glyph id with the flag (a missing glyph) is greater than :data:`EMPTY`."""
FROM_UNITS = 1 / 1024
"""WeasyPrint's ``FROM_UNITS`` (``text/ffi.py``: ``pango_units_to_double(1)``), the inverse of
Pango's ``PANGO_SCALE``, 1024 units to the pixel in Pango's ABI."""

AS_LAID_OUT = "_printbrief_as_laid_out"
"""Set on a ``Layout`` whose Pango layout is the one line breaking laid out (the ``fitted``
step, :mod:`printbrief.hotpaths`): its text has no paragraph separator, so drawing's
single-paragraph mode would lay out the same line, and setting it would lay it out again."""

_PIECES = "_printbrief_glyph_pieces"
"""The attribute of a document's PDF font holding the text written per size and glyph."""


def can_read() -> bool:
    """Whether Pango's ``PangoGlyphInfo`` is the five 32-bit fields this module reads."""
    from weasyprint.text.ffi import ffi

    return bool(ffi.sizeof("PangoGlyphInfo") == 4 * FIELDS)


def patch(acting: Callable[[], bool]) -> None:
    """Wrap ``draw_first_line``; the wrapper acts while ``acting()`` is true."""
    from weasyprint.draw import text

    text.draw_first_line = _from_buffers(text.draw_first_line, acting)


def _from_buffers(original: Callable[..., Any], acting: Callable[[], bool]) -> Any:
    """``draw_first_line`` writing a plain box's glyphs from its runs' buffers."""

    @functools.wraps(original)
    def draw_first_line(
        stream: Any, textbox: Any, text_overflow: str, block_ellipsis: Any, matrix: Any
    ) -> Any:
        args = (stream, textbox, text_overflow, block_ellipsis, matrix)
        if (
            not acting()
            or text_overflow == "ellipsis"
            or block_ellipsis != "none"
            or getattr(textbox.pango_layout, "pb_spacing", None)  # cjkdraw writes these
            or not textbox.text.strip()
            or textbox.style["font_size"] < 1e-6
        ):
            return original(*args)
        runs = plain_runs(stream, textbox)
        if runs is None:
            return original(*args)
        write(stream, textbox, matrix, runs)
        return []  # no emoji: no colour or bitmap font

    return draw_first_line


Run = tuple[Any, Any, Any, float, bytes, "str | None"]
"""A glyph run: its glyph item, Pango font, PDF font, size, its glyphs' fields as bytes, and
its text if a run of the same :func:`run_key` was written before in the document (else None)."""

Written = tuple[dict[tuple[int, int, int], str], dict[int, str]]
"""The text written in a document for a font and size, per glyph (id, width, x offset) and
per run (:func:`run_key`)."""


def plain_runs(stream: Any, textbox: Any) -> list[Run] | None:
    """The box's first line as runs, or None when ``draw_first_line`` would write more than
    glyphs and numbers (a colour or bitmap font, a missing glyph, a vertical offset)."""
    ffi = _libraries()[0]
    runs: list[Run] = []
    known: dict[int, str] = {}
    previous: Any = None
    for glyph_item, pango_font, font, size in line_runs(stream, textbox.pango_layout):
        if pango_font != previous:  # a PDF font may serve two Pango fonts, at two sizes
            if font.bitmap or font.png or font.svg or font.colr:
                return None
            previous, known = pango_font, written_for(font, size)[1]
        glyphs = glyph_item.glyphs
        fields = ffi.buffer(glyphs.glyphs, glyphs.num_glyphs * 4 * FIELDS)[:]
        text = known.get(run_key(fields))
        if text is None:  # a run not written before: read its glyphs
            numbers = memoryview(fields).cast("i")
            if max(numbers[0::FIELDS], default=0) > EMPTY or any(numbers[3::FIELDS]):
                return None
        runs.append((glyph_item, pango_font, font, size, fields, text))
    return runs


def line_runs(stream: Any, layout: Any) -> Iterator[tuple[Any, Any, Any, float]]:
    """The glyph runs of ``layout``'s first line: glyph item, Pango font, PDF font and size.

    Fonts are added to the stream as ``draw_first_line`` adds them, only when a run's font
    differs from the one before (``stream.add_font`` describes and hashes it): in the same
    order, so a box drawn by WeasyPrint after all adds none.
    """
    ffi, pango, old_pango = _libraries()
    # As draw_first_line: set before the line is asked for, or it would be laid out anew.
    if not layout.__dict__.pop(AS_LAID_OUT, False):
        pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
    run = layout.get_first_line()[0].runs[0]
    previous: Any = None
    font: Any = None
    size = 0.0
    while run != ffi.NULL:
        glyph_item, run = run.data, run.next
        pango_font = glyph_item.item.analysis.font
        if pango_font != previous:
            previous, (font, size) = pango_font, stream.add_font(pango_font)
            if old_pango or font.png:
                size = layout.style["font_size"]
        yield glyph_item, pango_font, font, size


def run_key(fields: bytes) -> int:
    """What a run's text depends on: its glyphs' ids, advances and offsets, as one number.

    Each glyph's fifth field, its visual attributes, is left out: Pango sets two of its bits
    and leaves the others as the memory was, so runs of the same glyphs would differ there.
    """
    return int.from_bytes(fields, "little") & _glyph_mask(len(fields) // (4 * FIELDS))


@functools.lru_cache(maxsize=128)
def _glyph_mask(count: int) -> int:
    """The bits of ``count`` glyphs' fields that :func:`run_key` keeps (little-endian); runs
    are a word or a space, so a few lengths come back again and again."""
    return int.from_bytes((b"\xff" * 4 * (FIELDS - 1) + bytes(4)) * count, "little")


def written_for(font: Any, size: float) -> Written:
    """The text written so far in ``font``'s document for ``font`` at ``size``."""
    by_size: dict[float, Written] = font.__dict__.setdefault(_PIECES, {})
    found = by_size.get(size)
    if found is None:
        found = by_size[size] = ({}, {})
    return found


def write(stream: Any, textbox: Any, matrix: Any, runs: list[Run]) -> None:
    """Write the runs as WeasyPrint 70's ``draw_first_line`` does (:func:`show`), each run's
    text from the document's table or made now (:func:`_run_text`)."""

    def texts() -> Iterator[tuple[Any, Any, float, str]]:
        for glyph_item, pango_font, font, size, fields, text in runs:
            if text is None:
                pieces, known = written_for(font, size)
                key = run_key(fields)
                text = known.get(key)  # the same run earlier in this box
                if text is None:
                    text = known[key] = _run_text(stream, textbox, glyph_item, pango_font,
                                                     font, size, fields, pieces)  # fmt: skip
            yield pango_font, font, size, text

    show(stream, matrix, texts())


def show(stream: Any, matrix: Any, texts: Iterable[tuple[Any, Any, float, str]]) -> None:
    """Write a box's runs (Pango font, PDF font, size, the run's :func:`closed` text) as
    WeasyPrint 70's ``draw_first_line`` does: the text matrix, then the font and size set
    whenever the Pango font changes, and the runs' texts shown together between changes."""
    stream.set_text_matrix(*matrix.values)
    string, previous = "", None
    for pango_font, font, size, text in texts:
        if pango_font != previous:
            previous = pango_font
            if string:
                stream.show_text(string)
            string = ""
            stream.set_font_size(font.hash, size)
        string += text
    stream.show_text(string)


def closed(glyphs: str) -> str:
    """A run's glyphs in ``<…>``, closed as ``draw_first_line`` closes them: a run that is
    empty, or ends on a number (an adjustment after its last glyph), is left open."""
    text = "<" + glyphs
    return text[:-1] if text[-1] == "<" else text + ">"


def _run_text(
    stream: Any, textbox: Any, glyph_item: Any, pango_font: Any, font: Any, size: float,
    fields: bytes, pieces: dict[tuple[int, int, int], str],
) -> str:  # fmt: skip
    """A run's :func:`closed` text: its glyphs mapped to their text where first seen, as
    ``draw_first_line`` maps them, and each glyph's piece of text (:func:`_piece`)."""
    numbers = memoryview(fields).cast("i").tolist()
    ids = numbers[0::FIELDS]
    to_unicode = font.to_unicode
    new = set(ids).difference(to_unicode)
    new.discard(EMPTY)
    if new:
        for n, glyph_id in enumerate(ids):
            if glyph_id in new:
                new.discard(glyph_id)
                to_unicode[glyph_id] = glyph_unicode(textbox, glyph_item, n, len(ids))
    keys = list(zip(ids, numbers[1::FIELDS], numbers[2::FIELDS], strict=True))
    written: list[Any] = list(map(pieces.get, keys))
    for n, piece in enumerate(written):
        if piece is None:
            key = keys[n]
            piece = pieces.get(key)  # the same glyph earlier in this run
            if piece is None:
                piece = pieces[key] = _piece(stream, pango_font, font.widths, size, *key)
            written[n] = piece
    return closed("".join(written))


def _piece(
    stream: Any, pango_font: Any, widths: dict[int, int], size: float,
    glyph_id: int, width: int, x_offset: int,
) -> str:  # fmt: skip
    """What ``draw_first_line`` writes for one glyph: an empty glyph as a move; else its x
    offset, its id, and its adjustment in thousandths of an em (the font's width, kept in
    ``widths`` when first asked, against Pango's advance)."""
    if glyph_id == EMPTY:
        return f">{-width / size}<"
    offset = x_offset / size
    text = f">{-offset}<{glyph_id:04x}" if offset else f"{glyph_id:04x}"
    logical = widths.get(glyph_id)
    if logical is None:
        logical = widths[glyph_id] = advance(stream, pango_font, glyph_id, size)
    kerning = logical + offset - width * 1000 * FROM_UNITS / size
    return f"{text}>{int(kerning)}<" if kerning else text


def glyph_unicode(textbox: Any, glyph_item: Any, n: int, count: int) -> str:
    """The text of the run's glyph ``n``, from its cluster, as ``draw_first_line`` maps it."""
    item, clusters = glyph_item.item, glyph_item.glyphs.log_clusters
    start = clusters[n]
    if item.analysis.level % 2:  # right to left
        end = item.length if n == 0 else clusters[n - 1]
    else:
        end = item.length if n == count - 1 else clusters[n + 1]
    utf8_text = textbox.pango_layout.text.encode()
    text: str = utf8_text[item.offset + start : item.offset + end].decode()
    return text


def advance(stream: Any, pango_font: Any, glyph_id: int, size: float) -> int:
    """The glyph's advance in thousandths of an em, as ``draw_first_line`` computes it."""
    get_extents = _libraries()[1].pango_font_get_glyph_extents
    get_extents(pango_font, glyph_id, stream.ink_rect, stream.logical_rect)
    width: int = round(stream.logical_rect.width * 1000 * FROM_UNITS / size)
    return width


@functools.cache
def _libraries() -> tuple[Any, Any, bool]:
    """WeasyPrint's cffi and Pango, imported once (this module loads before WeasyPrint), and
    whether Pango is older than 1.48.2 (``draw_first_line`` then sizes fonts by the style)."""
    from weasyprint.text.ffi import ffi, pango

    return ffi, pango, pango.pango_version() < 14802
