"""Faster WeasyPrint 70.0 hot paths inside printbrief's renders, with the same PDF bytes.

A warm render spends most of its time in WeasyPrint and Pango; some of that work is repeated
where once would do. Each step below leaves the PDF's bytes unchanged (tests/test_hotpaths.py
renders every sample in every theme with and without them) and is written up as a patch
proposal for WeasyPrint in docs/performance-notes.md:

``glyphs``
    ``draw_first_line`` (``draw/text.py``) reads every ``PangoGlyphInfo`` of a line through
    cffi, one struct and three nested geometry structs per glyph. A line whose glyphs need no
    text rise, no ``.notdef`` stand-in and no colour-font images (the usual case) is read with
    one ``ffi.unpack`` per glyph run instead, and its ``TJ`` string is built from plain
    integers by the same arithmetic. Any other line is drawn by WeasyPrint's own code.
``subset``
    Every PDF subsets every font it uses with HarfBuzz (``Font._harfbuzz_subset`` in
    ``pdf/fonts.py``), which each time builds the font's subsetting tables anew (a tenth of a
    warm render's instructions). ``hb_subset_preprocess`` (HarfBuzz 6) builds them once per
    font face and process; subsetting the preprocessed face gives the same font bytes.

The steps are installed once per process (thread-safe, on first use by a render) and act only
inside :func:`speeding`, which every printbrief render enters: other WeasyPrint users in the
same process are not changed. ``PRINTBRIEF_PLAIN_HOTPATHS=1`` turns every step off; a comma
list (``subset``) turns off those steps only. Any WeasyPrint other than :data:`WRITTEN_FOR`
takes the plain path.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

WRITTEN_FOR = "70.0"
"""The WeasyPrint version whose internals these steps mirror and were checked against."""

STEPS = ("glyphs", "subset")

FACES_KEPT = 32
"""Preprocessed font faces kept per process (each as large as its font, or larger)."""

_ACTIVE: ContextVar[frozenset[str]] = ContextVar("printbrief_hotpaths", default=frozenset())
_ALLOWED: ContextVar[frozenset[str]] = ContextVar(
    "printbrief_hotpaths_allowed", default=frozenset(STEPS)
)
_lock = threading.Lock()
_faces_lock = threading.Lock()
_installed: tuple[str, ...] | None = None


def steps() -> tuple[str, ...]:
    """The steps this process may take: none with the switch or on another WeasyPrint."""
    import weasyprint

    plain = os.environ.get("PRINTBRIEF_PLAIN_HOTPATHS", "").strip()
    if plain in ("1", "all", "yes") or weasyprint.__version__ != WRITTEN_FOR:
        return ()
    off = {s.strip() for s in plain.split(",")}
    return tuple(s for s in STEPS if s not in off and (s != "subset" or _can_preprocess()))


def install() -> tuple[str, ...]:
    """Patch WeasyPrint once per process (any thread); return the steps installed."""
    global _installed
    with _lock:
        if _installed is None:
            chosen = steps()
            if "glyphs" in chosen:
                _patch_drawing()
            if "subset" in chosen:
                _patch_subsetting()
            _installed = chosen
        return _installed


@contextmanager
def speeding() -> Iterator[None]:
    """Let the installed steps act on WeasyPrint work in this block (this thread only)."""
    token = _ACTIVE.set(frozenset(install()) & _ALLOWED.get())
    try:
        yield
    finally:
        _ACTIVE.reset(token)


@contextmanager
def only(*chosen: str) -> Iterator[None]:
    """Let only the ``chosen`` steps act in renders inside this block (``only()``: none).

    For comparing renders with and without the steps in one process.
    """
    token = _ALLOWED.set(frozenset(chosen))
    try:
        yield
    finally:
        _ALLOWED.reset(token)


# ------------------------------------------------------------------------------ glyphs


_W: dict[str, Any] = {}
"""WeasyPrint's cffi objects and constants the drawing step reads, bound once when installed."""


def _patch_drawing() -> None:
    from weasyprint.draw import text
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    _W.update(ffi=ffi, pango=pango, units=FROM_UNITS, empty=pango.PANGO_GLYPH_EMPTY)
    # .notdef stand-ins carry PANGO_GLYPH_UNKNOWN_FLAG; read as int32, INVALID_INPUT is -1.
    _W.update(flagged=pango.PANGO_GLYPH_UNKNOWN_FLAG, old_pango=pango.pango_version() < 14802)
    text.draw_first_line = _fast_drawing(text.draw_first_line)


def _fast_drawing(original: Callable[..., Any]) -> Callable[..., Any]:
    """WeasyPrint's ``draw_first_line``, with the glyph loop over plain integers where it can."""

    @functools.wraps(original)
    def draw_first_line(
        stream: Any, textbox: Any, text_overflow: str, block_ellipsis: Any, matrix: Any
    ) -> Any:
        args = (stream, textbox, text_overflow, block_ellipsis, matrix)
        if "glyphs" not in _ACTIVE.get() or text_overflow == "ellipsis" or block_ellipsis != "none":
            return original(*args)
        if not textbox.text.strip() or textbox.style["font_size"] < 1e-6:
            return []  # as WeasyPrint: nothing drawn
        runs = _glyph_runs(stream, textbox)
        if runs is None:
            return original(*args)  # the line set up alike, so WeasyPrint draws it unchanged
        stream.set_text_matrix(*matrix.values)
        _show_runs(stream, textbox, runs)
        return []

    return draw_first_line


def _glyph_runs(stream: Any, textbox: Any) -> list[tuple[Any, ...]] | None:
    """Each glyph run of the box's line as plain integers, or None where WeasyPrint must draw.

    Fonts are added to the stream in WeasyPrint's order (its own pass finds them added).
    """
    ffi, pango, null, flagged = _W["ffi"], _W["pango"], _W["ffi"].NULL, _W["flagged"]
    layout = textbox.pango_layout
    pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
    run = layout.get_first_line()[0].runs[0]
    found: list[tuple[Any, ...]] = []
    previous = font = None
    size = 0.0
    while run != null:
        glyph_item, run = run.data, run.next
        pango_font = glyph_item.item.analysis.font
        if pango_font != previous:
            previous = pango_font
            font, size = stream.add_font(pango_font)
            if font.png or font.svg or font.colr:
                return None  # colour glyphs are drawn as images
            if _W["old_pango"]:  # as WeasyPrint (Pango issue 530)
                size = textbox.style["font_size"]
        glyphs = glyph_item.glyphs
        ints = ffi.unpack(ffi.cast("int32_t *", glyphs.glyphs), 5 * glyphs.num_glyphs)
        ids = ints[0::5]
        if any(ints[3::5]) or min(ids) < 0 or max(ids) >= flagged:
            return None  # text rise and .notdef stand-ins: WeasyPrint's own code
        found.append((glyph_item, pango_font, font, size, ids, ints[1::5], ints[2::5]))
    return found


def _show_runs(stream: Any, textbox: Any, runs: list[tuple[Any, ...]]) -> None:
    """The ``TJ`` strings WeasyPrint 70.0's ``draw_first_line`` writes for these runs."""
    string, previous = "", None
    for glyph_item, pango_font, font, size, ids, widths, offsets in runs:
        if pango_font != previous:
            previous = pango_font
            if string:
                stream.show_text(string)
            string = ""
            stream.set_font_size(font.hash, 1 if font.bitmap else size)
        if not font.to_unicode.keys() >= set(ids):
            _map_unicode(textbox, glyph_item, font, ids)
        string += "<" + _glyph_string(stream, pango_font, font, size, ids, widths, offsets)
        string = string[:-1] if string[-1] == "<" else string + ">"
    stream.show_text(string)


def _glyph_string(
    stream: Any,
    pango_font: Any,
    font: Any,
    size: float,
    ids: list[int],
    widths: list[int],
    offsets: list[int],
) -> str:
    """One run's glyphs and adjustments, each number computed as WeasyPrint computes it."""
    empty, units, known, pieces = _W["empty"], _W["units"], font.widths, []
    form = "{:02x}" if font.bitmap else "{:04x}"
    for glyph_id, width, x_offset in zip(ids, widths, offsets, strict=True):
        if glyph_id == empty:
            pieces.append(f">{-width / size}<")
            continue
        offset = x_offset / size
        if offset:
            pieces.append(f">{-offset}<")
        pieces.append(form.format(glyph_id))
        logical_width = known.get(glyph_id)
        if logical_width is None:
            logical_width = _logical_width(stream, pango_font, font, glyph_id, size)
        kerning = logical_width + offset - width * 1000 * units / size
        if kerning:
            pieces.append(f">{int(kerning)}<")
    return "".join(pieces)


def _logical_width(stream: Any, pango_font: Any, font: Any, glyph_id: int, size: float) -> int:
    """The glyph's advance in thousandths of an em, read and kept as WeasyPrint does."""
    _W["pango"].pango_font_get_glyph_extents(
        pango_font, glyph_id, stream.ink_rect, stream.logical_rect
    )
    width: int = round(stream.logical_rect.width * 1000 * _W["units"] / size)
    font.widths[glyph_id] = width
    return width


def _map_unicode(textbox: Any, glyph_item: Any, font: Any, ids: list[int]) -> None:
    """The text each new glyph of the run stands for, as WeasyPrint maps it (ToUnicode)."""
    item, count = glyph_item.item, len(ids)
    clusters = _W["ffi"].unpack(glyph_item.glyphs.log_clusters, count)
    utf8 = textbox.pango_layout.text.encode()
    rtl = item.analysis.level % 2
    for i, glyph_id in enumerate(ids):
        if glyph_id == _W["empty"] or glyph_id in font.to_unicode:
            continue  # WeasyPrint maps no empty glyph; a repeated glyph keeps its first text
        if rtl:
            end = item.length if i == 0 else clusters[i - 1]
        else:
            end = item.length if i == count - 1 else clusters[i + 1]
        font.to_unicode[glyph_id] = utf8[item.offset + clusters[i] : item.offset + end].decode()


# ------------------------------------------------------------------------------ subset


def _can_preprocess() -> bool:
    from weasyprint.text import ffi

    return ffi.harfbuzz_subset is not None and bool(ffi.harfbuzz.hb_version_atleast(6, 0, 0))


def _patch_subsetting() -> None:
    from weasyprint.pdf import fonts
    from weasyprint.text import ffi

    ffi.ffi.cdef("hb_face_t * hb_subset_preprocess (hb_face_t *source);")
    fonts.Font._harfbuzz_subset = _preprocessed(fonts.Font._harfbuzz_subset)


_faces: OrderedDict[int, tuple[Any, Any]] = OrderedDict()


def _preprocessed(original: Callable[..., None]) -> Callable[..., None]:
    """``Font._harfbuzz_subset`` reading the font's face preprocessed once per process."""

    @functools.wraps(original)
    def harfbuzz_subset(font: Any, to_unicode: Any, hinting: bool) -> None:
        if "subset" not in _ACTIVE.get():
            return original(font, to_unicode, hinting)
        face = font.hb_face
        font.hb_face = preprocessed_face(face)
        try:
            return original(font, to_unicode, hinting)
        finally:
            font.hb_face = face

    return harfbuzz_subset


def preprocessed_face(face: Any) -> Any:
    """``face`` with HarfBuzz's subsetting tables built, kept for the next subset of it.

    The cache holds a reference to ``face`` itself, so its address names it as long as the
    entry lives (a freed face's address could be given to another).
    """
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

    key = int(ffi.cast("uintptr_t", face))
    with _faces_lock:
        found = _faces.get(key)
        if found is not None:
            _faces.move_to_end(key)
            return found[1]
        kept = ffi.gc(harfbuzz.hb_face_reference(face), harfbuzz.hb_face_destroy)
        ready = ffi.gc(harfbuzz_subset.hb_subset_preprocess(face), harfbuzz.hb_face_destroy)
        _faces[key] = (kept, ready)
        while len(_faces) > FACES_KEPT:
            _faces.popitem(last=False)
        return ready
