"""Faster WeasyPrint 70.0 hot paths inside printbrief's renders, with the same PDF bytes.

A warm render spends most of its time in WeasyPrint and Pango; some of that work is repeated
where once would do. Each step below leaves the PDF's bytes unchanged (tests/test_hotpaths.py
renders every sample in every theme with and without them) and is written up as a patch
proposal for WeasyPrint in docs/performance-notes.md:

``subset``
    Every PDF subsets every font it uses with HarfBuzz (``Font._harfbuzz_subset`` in
    ``pdf/fonts.py``), which each time builds the font's subsetting tables anew (about a
    tenth of a warm render of the English brief). ``hb_subset_preprocess`` (HarfBuzz 6)
    builds them once per font face and process, within :data:`FONT_BYTES_KEPT`;
    subsetting the preprocessed face gives the same font bytes. A face pushed out to make
    room is subset plainly from then on (:data:`SPILLED_KEPT`): preprocessing a CJK face
    costs about ten plain subsets, so a process whose faces take turns past the bound (Chinese
    and Japanese, or two themes) would otherwise pay it again on nearly every render.
    A TrueType font without a MATH table is subset in one pass, not WeasyPrint's two
    (:func:`one_pass_subset`): the same bytes in a quarter to a half of the time.

``files``
    ``Font.__init__`` (``pdf/fonts.py``) copies the whole font file out of HarfBuzz into
    Python bytes for every PDF that uses the font, only for the subset to replace it: 10.5 MB
    a render of the English brief, whose Chinese names take two CJK faces (1.7 of its 65 ms).
    The bytes are kept per font face and process, within :data:`FILE_BYTES_KEPT`, and every
    later PDF's ``Font`` is given the same bytes object (bytes never change; WeasyPrint only
    reads them, or replaces them with the subset).

``contexts``
    Every ``Layout`` (``text/line_break.py``: each line's draft, the re-layout that
    measures it, each hyphenation candidate, the layout drawing builds) creates a Pango
    context, sets its language and direction, and builds a font description from the style
    (``Layout.setup``). The context, the language, the description and the decoration
    metrics are kept per font configuration (a ``Renderer``'s, for its life) and per font and
    language (:data:`SETUP_KEYS`, at most :data:`SETUPS_KEPT`), and each new layout is made
    from them: Pango layouts only read their context, so they stay
    independent, and each still gets its own text and attributes. Unlike ``setup``, which
    leaks the attribute list holding a style's font features on every such layout (about
    150 bytes; it may not free the list, as the feature attribute in it is the one the font
    configuration keeps for every layout), each layout's list holds a copy of that attribute
    and goes with the layout.

``metrics``
    ``first_line_metrics`` lays the kept line out again alone (without the next line's
    text, the trailing spaces, a width) to measure it. Pango shapes the part of a run
    before a line break on its own and gives the space the line breaks at no width, so the
    draft's first line already has the same width, height and baseline; they are read from
    it, on lines without letter spacing, tabs or line separators, left to right, with
    collapsing spaces (anything else is measured as WeasyPrint does). Drawing builds its own
    layout of the line either way.

``fitted``
    Drawing a text box (``draw_text``, ``draw/text.py``) sets up a new layout and lays the
    box's text out again (``Layout.reactivate``). For a text that fit its line whole (a
    paragraph's last line, a heading, a caption, a running head: about half the boxes), line
    breaking already laid out that very text with the same style and attributes, only with a
    width it did not need (not so where the CJK layer added attributes to keep Korean words
    or a headline's phrases whole: those are laid out again). Its Pango layout is kept
    (:func:`kept_fitted`, at most :data:`KEPT_FITTED` a document) and given to drawing when
    the box is drawn with the same style and text, without justification (which drawing
    adds as word spacing) and without tabs or line separators (drawing's single-paragraph
    mode would lay those out otherwise).
    Setting that mode lays a text out anew, so the ``glyphs`` step leaves it unset on such a
    layout (:data:`printbrief.hotdraw.AS_LAID_OUT`); boxes WeasyPrint draws itself (an
    ellipsis, a colour font) are laid out again there, to the same bytes.

``spaced``
    ``add_word_spacing`` (``layout/inline.py``) gives each text box of a justified line with a
    space a new ``Layout`` (``create_layout``: set up, its text given to Pango) and
    deactivates it at once: drawing sets it up and lays it out anew from the text and spacing
    it kept. The same ``Layout`` is made here without a Pango layout (:func:`spaced`), for
    undecorated text (a decorated one also keeps font metrics the set-up asks Pango for).

``tries``
    When the draft's first line breaks at a space before a word, ``split_first_line`` sets
    the draft's text to the line plus that word and lays it out again, to see whether the
    word fits without the space after it. Pango breaks greedily and gives the space it breaks
    at no width, so a word the draft left off does not fit this way either: the new text is
    the draft's own text up to that word, and its first line is the draft's first line, which
    Pango has already laid out. The draft keeps its Pango text and only takes the shorter text
    as its own (what WeasyPrint's ``Layout.set_text`` keeps); the try then reads the first
    line it had. Only for drafts of ``split_first_line``, on plain lines (left to right,
    without letter or word spacing or ``overflow-wrap``), a word with no space, soft hyphen,
    tab or line break in it; anything else is laid out as WeasyPrint does. printbrief's CJK
    layer adds Pango attributes as a text is set (Korean words and a headline's phrases kept
    whole): a try taken leaves the draft's, which already cover the try's text.

``struts``
    ``strut`` (``text/line_break.py``) gives a style's line height and baseline, kept per
    font configuration under a key it builds as the text of 16 of the style's values: building
    it cost more than the answer (111 calls a render of the English brief, 23 styles). Within a
    render the answer is kept per style object too, so a style asked again is answered without
    the key; a style's font and line height do not change once computed (WeasyPrint changes
    fonts only on a copy).

``shorthands``
    A shorthand holding ``var()`` (``font: var(--pb-head-font)``) is kept pending and solved
    when a longhand is first computed (``PendingExpander.validate``, ``css/validation/
    expanders.py``): the whole shorthand is expanded again for each of its longhands, seven
    times for ``font``. The longhands expanded from one declaration's substituted tokens are
    kept with the declaration (up to :data:`EXPANSIONS_KEPT` token texts each), so the other
    longhands are read from the first expansion.

``pages``
    Every page runs the ``@page`` cascade again and computes its own styles for the page and
    its margin boxes (``set_page_type_computed_styles``, ``layout/page.py``), though pages
    that the same page selectors match get the same values. Within a document the styles of
    the first page of each kind are given to the later ones (:mod:`printbrief.hotpages`).

``glyphs``
    Drawing a text box (``draw_first_line``, ``draw/text.py``) reads every field of every
    glyph through a cffi struct object and formats each glyph's id, offset and adjustment as
    text. A plain box's runs are read as buffers of integers instead, and a run's text is
    taken from what the document already wrote in the same font and size: the same run (a
    word with the same advances), else the same glyph, advance and offset
    (:mod:`printbrief.hotdraw`). Boxes with an ellipsis, a colour or bitmap font, a missing
    glyph or a vertical offset are drawn as WeasyPrint draws them.

``freed``
    Not a speed-up: ``Font.__init__`` (``pdf/fonts.py``) names the PDF font from
    ``pango_font_description_to_string``, whose string the caller must free, and never frees
    it (128 bytes for each font of each PDF). ``pdf/fonts.py`` is given a view of the
    Pango library whose ``pango_font_description_to_string`` hands that string to Python's
    collector inside printbrief's renders (:func:`freed_string`). With this step and the
    ``contexts`` step a warm process renders without growing: the samples in turn grew
    the C heap by about 2 KB a render before, by none after (tests/test_hotpaths.py measures
    it).

The steps are installed once per process (:class:`~printbrief.patching.Patch`, on the first
render; only on exactly that version: a minor release may change what they mirror) and act only
inside :func:`speeding`, which every printbrief render enters: other WeasyPrint users in the
same process are not changed. ``PRINTBRIEF_PLAIN_HOTPATHS=1`` turns every step off; a comma
list (``subset,metrics``) turns off those steps only. Any WeasyPrint other than :data:`WRITTEN_FOR`
takes the plain path.
"""

from __future__ import annotations

import functools
import operator
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from . import hotdraw, hotpages
from .cjkscript import ANSWERED, ATTRIBUTED
from .patching import Patch

WRITTEN_FOR = "70.0"
"""The WeasyPrint version whose internals these steps mirror and were checked against."""

STEPS = ("subset", "files", "contexts", "metrics", "fitted", "spaced", "tries", "struts",
         "shorthands", "pages", "glyphs", "freed")  # fmt: skip

FONT_BYTES_KEPT = 12_000_000
"""The font files whose faces are kept preprocessed, at most this many bytes in all per
process (the least recently used go first; a preprocessed face takes about five times its
file). Every renderer has faces of its own: without a bound, renderers of the three themes
given every sample kept 170 MB more."""

SPILLED_KEPT = 256
"""Faces pushed out of the preprocessed ones that are remembered (and held, so that their
address names no other face), the least recently used forgotten first."""

FILE_BYTES_KEPT = 24_000_000
"""The font files kept as bytes (:func:`kept_file`), at most this many bytes in all per process,
the least recently used going first: the two weights of the largest bundled face (Korean
serif, 11.8 MB each) fit. A file pushed out is copied again as WeasyPrint copies it."""

_ACTIVE: ContextVar[frozenset[str]] = ContextVar("printbrief_hotpaths", default=frozenset())
_ALLOWED: ContextVar[frozenset[str]] = ContextVar(
    "printbrief_hotpaths_allowed", default=frozenset(STEPS)
)
_faces_lock = threading.Lock()
_files_lock = threading.Lock()
_setups_lock = threading.Lock()
_expansions_lock = threading.Lock()
_installed: tuple[str, ...] = ()


def steps() -> tuple[str, ...]:
    """The steps this process may take: none with the switch or on another WeasyPrint."""
    import weasyprint

    plain = os.environ.get("PRINTBRIEF_PLAIN_HOTPATHS", "").strip()
    if plain in ("1", "all", "yes") or weasyprint.__version__ != WRITTEN_FOR:
        return ()
    off = {s.strip() for s in plain.split(",")}
    able = {"subset": _can_preprocess, "glyphs": hotdraw.can_read}
    return tuple(s for s in STEPS if s not in off and (s not in able or able[s]()))


def install() -> tuple[str, ...]:
    """Patch WeasyPrint once per process (any thread); return the steps installed."""
    _PATCH.install()
    return _installed


def _apply() -> None:
    global _installed
    chosen = steps()
    if "subset" in chosen:
        _patch_subsetting()
    if "files" in chosen:
        _patch_files()
    if "contexts" in chosen:
        _patch_layout_setup()
    if "metrics" in chosen:
        _patch_metrics()
    if "fitted" in chosen:
        _patch_fitted()
    if "spaced" in chosen:
        _patch_spaced()
    if "tries" in chosen:
        _patch_tries()
    if "struts" in chosen:
        _patch_struts()
    if "shorthands" in chosen:
        _patch_shorthands()
    if "pages" in chosen:
        hotpages.patch(lambda: "pages" in _ACTIVE.get())
    if "glyphs" in chosen:
        hotdraw.patch(lambda: "glyphs" in _ACTIVE.get())
    if "freed" in chosen:
        _patch_freed()
    _installed = chosen


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


# ------------------------------------------------------------------------------ subset


def _can_preprocess() -> bool:
    from weasyprint.text import ffi

    return ffi.harfbuzz_subset is not None and bool(ffi.harfbuzz.hb_version_atleast(6, 0, 0))


def _patch_subsetting() -> None:
    from weasyprint.pdf import fonts
    from weasyprint.text import ffi

    ffi.ffi.cdef("hb_face_t * hb_subset_preprocess (hb_face_t *source);")
    fonts.Font._harfbuzz_subset = _preprocessed(fonts.Font._harfbuzz_subset)


_faces: OrderedDict[int, tuple[Any, Any, int]] = OrderedDict()
_spilled: OrderedDict[int, Any] = OrderedDict()


def _preprocessed(original: Callable[..., None]) -> Callable[..., None]:
    """``Font._harfbuzz_subset`` reading the font's face preprocessed once per process, and
    subsetting a TrueType font in one pass (:func:`one_pass_subset`)."""

    @functools.wraps(original)
    def harfbuzz_subset(font: Any, to_unicode: Any, hinting: bool) -> None:
        if "subset" not in _ACTIVE.get():
            return original(font, to_unicode, hinting)
        size = len(font.file_content)  # the whole file: subsetting replaces it
        face = font.hb_face
        ready = preprocessed_face(face, size) if size <= FONT_BYTES_KEPT else None
        if _truetype(font) and (subset := one_pass_subset(font, to_unicode, hinting, ready)):
            font.file_content = subset
            return None
        font.hb_face = face if ready is None else ready
        try:
            return original(font, to_unicode, hinting)
        finally:
            font.hb_face = face

    return harfbuzz_subset


_DROPPED = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF",
            b"LTSH", b"PCLT", b"SVG ")  # fmt: skip
"""The tables ``Font._harfbuzz_subset`` drops (WeasyPrint 70.0)."""


def _truetype(font: Any) -> bool:
    """Whether ``font`` is a TrueType font of outlines alone (no CFF, bitmaps or colour) without
    a MATH table: HarfBuzz adds a glyph's math variants to a subset, and WeasyPrint's second
    pass, over every glyph up to the last used, adds those of other glyphs and drops those
    past it (DejaVu's parenthesis pieces and dashes), so one pass would give other bytes."""
    plain = not (font.bitmap or font.png or font.svg or font.colr)
    data = font.file_content
    return plain and data[:4] in (b"\x00\x01\x00\x00", b"true") and b"MATH" not in _tags(data)


def _tags(data: bytes) -> set[bytes]:
    """The table tags of an sfnt file (its table directory), none if it is cut short."""
    count = int.from_bytes(data[4:6], "big")
    return {data[12 + 16 * i : 16 + 16 * i] for i in range(count) if 16 + 16 * i <= len(data)}


def one_pass_subset(font: Any, to_unicode: Any, hinting: bool, ready: Any) -> bytes | None:
    """``font``'s subset as ``Font._harfbuzz_subset`` makes it, in one pass instead of two.

    WeasyPrint subsets with the glyph ids kept, then subsets that subset again, every glyph
    up to the last one used, to drop the hinting (and the glyph ids' retention, which the
    second pass, keeping every glyph, does not need). For a TrueType font the first pass
    told to drop the hinting gives the same bytes (every subset of every sample in every
    theme, tests/test_hotpaths.py). The second pass read a face of every glyph id up to the
    last used (7,492 for the 289 glyphs of the Japanese sample's serif face) that nothing had
    preprocessed, and took half to three quarters of the time. ``ready`` is the preprocessed
    face, or None. None if HarfBuzz fails: WeasyPrint's own passes then run, and say so.
    """
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
    from weasyprint.text.fonts import get_hb_object_data

    subset = harfbuzz_subset
    given = ffi.gc(subset.hb_subset_input_create_or_fail(), subset.hb_subset_input_destroy)
    _add(subset.hb_subset_input_glyph_set(given), sorted(to_unicode))
    flags = (subset.HB_SUBSET_FLAGS_RETAIN_GIDS | subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
             | subset.HB_SUBSET_FLAGS_DESUBROUTINIZE)  # fmt: skip
    flags |= 0 if hinting else subset.HB_SUBSET_FLAGS_NO_HINTING
    flags |= subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE if font.missing else 0
    subset.hb_subset_input_set_flags(given, flags)
    dropped = subset.hb_subset_input_set(given, subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    _add(dropped, sorted(harfbuzz.hb_tag_from_string(tag, -1) for tag in _DROPPED))
    source = font.hb_face if ready is None else ready
    made = ffi.gc(subset.hb_subset_or_fail(source, given), harfbuzz.hb_face_destroy)
    data: bytes | None = get_hb_object_data(made) if made else None
    return data or None


def _add(hb_set: Any, values: list[int]) -> None:
    from weasyprint.text.ffi import ffi, harfbuzz

    harfbuzz.hb_set_add_sorted_array(
        hb_set, ffi.new(f"hb_codepoint_t[{len(values)}]", values), len(values)
    )


def preprocessed_face(face: Any, size: int) -> Any:
    """``face`` (of a ``size``-byte file) with HarfBuzz's subsetting tables built, kept.

    None for a face pushed out before, to be subset plainly. Both caches hold a reference to
    ``face`` itself, so its address names it as long as the entry lives (a freed face's
    address could be given to another).
    """
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

    key = int(ffi.cast("uintptr_t", face))
    with _faces_lock:
        if (found := _touched(_faces, key)) is not None:
            return found[1]
        if _touched(_spilled, key) is not None:
            return None
        kept = ffi.gc(harfbuzz.hb_face_reference(face), harfbuzz.hb_face_destroy)
        ready = ffi.gc(harfbuzz_subset.hb_subset_preprocess(face), harfbuzz.hb_face_destroy)
        _faces[key] = (kept, ready, size)
        _spill()
        return ready


def _touched(kept: OrderedDict[int, Any], key: int) -> Any:
    """``kept[key]``, made the most recently used, or None (the caller holds the lock)."""
    found = kept.get(key)
    if found is not None:
        kept.move_to_end(key)
    return found


def _spill() -> None:
    """Push the least recently used faces out until the kept ones fit the bound (lock held)."""
    while sum(entry[2] for entry in _faces.values()) > FONT_BYTES_KEPT:
        key, (kept, _, _) = _faces.popitem(last=False)
        _spilled[key] = kept
    while len(_spilled) > SPILLED_KEPT:
        _spilled.popitem(last=False)


# ------------------------------------------------------------------------------- files

_READING_FILE: ContextVar[bool] = ContextVar("printbrief_reading_font_file", default=False)
"""True while ``Font.__init__`` runs with the step: its one ``get_hb_object_data`` call reads
the font's whole file (the module's other call reads a subset's, which is not kept)."""

_files: OrderedDict[int, tuple[Any, bytes]] = OrderedDict()


def _patch_files() -> None:
    from weasyprint.pdf import fonts

    fonts.get_hb_object_data = _files_kept(fonts.get_hb_object_data)
    fonts.Font.__init__ = _reading_files(fonts.Font.__init__)


def _reading_files(original: Callable[..., None]) -> Callable[..., None]:
    """``Font.__init__`` reading its font's file from the kept bytes (:func:`kept_file`)."""

    @functools.wraps(original)
    def __init__(font: Any, *args: Any, **kwargs: Any) -> None:
        if "files" not in _ACTIVE.get():
            return original(font, *args, **kwargs)
        token = _READING_FILE.set(True)
        try:
            return original(font, *args, **kwargs)
        finally:
            _READING_FILE.reset(token)

    return __init__


def _files_kept(original: Callable[..., Any]) -> Callable[..., Any]:
    """``get_hb_object_data`` answering ``Font.__init__``'s read of a whole face from
    :func:`kept_file`; any other read (a subset, a colour glyph) as WeasyPrint does."""

    @functools.wraps(original)
    def get_hb_object_data(hb_object: Any, ot_color: str | None = None, glyph: Any = None) -> Any:
        if ot_color is None and _READING_FILE.get():
            return kept_file(hb_object, original)
        return original(hb_object, ot_color, glyph)

    return get_hb_object_data


def kept_file(face: Any, read: Callable[[Any], bytes | None]) -> bytes | None:
    """The whole font file of HarfBuzz ``face`` (``read(face)``), read once and kept.

    The entry holds a reference to the face, so its address names no other face while kept
    (as :func:`preprocessed_face`'s). A file larger than :data:`FILE_BYTES_KEPT` is read
    each time.
    """
    from weasyprint.text.ffi import ffi, harfbuzz

    key = int(ffi.cast("uintptr_t", face))
    with _files_lock:
        found: tuple[Any, bytes] | None = _touched(_files, key)
    if found is not None:
        return found[1]
    data = read(face)
    if data is None or len(data) > FILE_BYTES_KEPT:
        return data
    held = ffi.gc(harfbuzz.hb_face_reference(face), harfbuzz.hb_face_destroy)
    with _files_lock:
        _files[key] = (held, data)
        while sum(len(entry[1]) for entry in _files.values()) > FILE_BYTES_KEPT:
            _files.popitem(last=False)
    return data


# ---------------------------------------------------------------------------- contexts

SETUP_KEYS = (
    "direction", "font_language_override", "lang", "font_family", "font_style",
    "font_stretch", "font_weight", "font_size", "font_variant_caps",
    "font_variation_settings", "text_decoration_line", "font_kerning",
    "font_variant_ligatures", "font_variant_position", "font_variant_numeric",
    "font_variant_alternates", "font_variant_east_asian", "font_feature_settings",
)  # fmt: skip
"""Every property ``Layout.setup`` reads (WeasyPrint 70.0): styles equal in these get equal
Pango contexts, font descriptions and decoration metrics."""

_SHARED = "_printbrief_layout_setups"
"""The attribute of a ``FontConfiguration`` holding the set-ups kept for its layouts."""

SETUPS_KEPT = 256
"""Set-ups kept per font configuration, the oldest going first: a theme uses a few dozen
(fonts, sizes and languages), and each language articles are given in adds a few."""


def _patch_layout_setup() -> None:
    from weasyprint.text import ffi, line_break

    ffi.ffi.cdef(
        "PangoContext * pango_layout_get_context (PangoLayout *layout);"
        "const PangoFontDescription * pango_layout_get_font_description (PangoLayout *layout);"
        "PangoAttribute * pango_attribute_copy (const PangoAttribute *attr);"
    )
    line_break.Layout.setup = _shared_setup(line_break.Layout.setup)


def _shared_setup(original: Callable[..., None]) -> Callable[..., None]:
    """``Layout.setup`` making the layout from a context and description kept per style key."""
    read = operator.itemgetter(*SETUP_KEYS)

    @functools.wraps(original)
    def setup(layout: Any, style: Any) -> None:
        if "contexts" not in _ACTIVE.get():
            return original(layout, style)
        try:
            key = read(style)
            kept = setups(style.font_config)
            shared = kept.get(key)
        except (TypeError, AttributeError):  # unhashable, or a style without fonts (SVG text)
            return original(layout, style)
        if shared is None:
            original(layout, style)
            shared = taken_setup(layout, style)
            with _setups_lock:
                kept[key] = shared
                while len(kept) > SETUPS_KEPT:
                    kept.popitem(last=False)
            return None
        return made_from(layout, style, shared)

    return setup


def setups(font_config: Any) -> OrderedDict[tuple[Any, ...], tuple[Any, ...]]:
    """The set-ups kept for ``font_config``'s layouts, by the values of :data:`SETUP_KEYS`.

    Kept with the font configuration, which a ``Renderer`` keeps for its life and uses from
    one thread at a time: Pango contexts and font descriptions depend on nothing else.
    """
    kept: OrderedDict[tuple[Any, ...], tuple[Any, ...]] | None = font_config.__dict__.get(_SHARED)
    if kept is None:
        with _setups_lock:
            kept = font_config.__dict__.setdefault(_SHARED, OrderedDict())
    return kept


def taken_setup(layout: Any, style: Any) -> tuple[Any, ...]:
    """What a freshly set-up ``layout`` shares with later layouts of the same style key.

    The first layout itself is kept: it holds the context and the font description.
    """
    from weasyprint.text.ffi import pango

    context = pango.pango_layout_get_context(layout.layout)
    description = pango.pango_layout_get_font_description(layout.layout)
    metrics = {name: getattr(layout, name) for name in _METRICS if hasattr(layout, name)}
    return layout.layout, context, description, layout.language, metrics, _features(style)


def _features(style: Any) -> Any:
    """The font-features attribute ``setup`` put on layouts of ``style`` (kept by its
    font configuration), or None."""
    from weasyprint.text.fonts import font_features

    names = ("font_kerning", "font_variant_ligatures", "font_variant_position",
             "font_variant_caps", "font_variant_numeric", "font_variant_alternates",
             "font_variant_east_asian", "font_feature_settings")  # fmt: skip
    features = font_features(*(style[name] for name in names))
    if not features:
        return None
    text = ",".join(f"{key} {value}" for key, value in features.items()).encode()
    return style.font_config.font_features[text]


_METRICS = ("ascent", "underline_position", "strikethrough_position",
            "underline_thickness", "strikethrough_thickness")  # fmt: skip


def made_from(layout: Any, style: Any, shared: tuple[Any, ...]) -> None:
    """``Layout.setup``'s work (WeasyPrint 70.0) from a kept context and description."""
    from weasyprint.text.ffi import ffi, gobject, pango

    _first, context, description, layout.language, metrics, features = shared
    layout.style, layout.first_line_direction = style, 0
    layout.layout = ffi.gc(pango.pango_layout_new(context), gobject.g_object_unref)
    pango.pango_layout_set_auto_dir(layout.layout, False)
    pango.pango_layout_set_font_description(layout.layout, description)
    layout.__dict__.update(metrics)
    if features is not None:
        # setup's list holds the attribute font_config keeps, so setup cannot free the list;
        # this one holds a copy and goes with the layout.
        attributes = pango.pango_attr_list_new()
        pango.pango_attr_list_insert(attributes, pango.pango_attribute_copy(features))
        pango.pango_layout_set_attributes(layout.layout, attributes)
        pango.pango_attr_list_unref(attributes)


# ----------------------------------------------------------------------------- metrics

_LAID_OUT_APART = re.compile("[\t\n\r\f\v\x1c-\x1f\x85\u2028\u2029]")
"""Tabs (tab stops) and line or paragraph separators: lines holding one are measured alone."""


def _patch_metrics() -> None:
    from weasyprint.text import line_break

    line_break.first_line_metrics = _from_draft(line_break.first_line_metrics)


def _from_draft(original: Callable[..., Any]) -> Callable[..., Any]:
    """``first_line_metrics`` reading a kept line's metrics from the draft's first line."""

    @functools.wraps(original)
    def first_line_metrics(first_line: Any, text: str, layout: Any, resume_at: int | None,
                           space_collapse: bool, style: Any, hyphenated: bool = False,
                           hyphenation_character: str | None = None) -> Any:  # fmt: skip
        args = (first_line, text, layout, resume_at, space_collapse, style, hyphenated,
                hyphenation_character)  # fmt: skip
        if "metrics" not in _ACTIVE.get() or hyphenated or not resume_at or not space_collapse:
            return original(*args)
        line = text.encode()[: first_line.length].decode().rstrip(" ")
        if not line or _LAID_OUT_APART.search(line) or not _plain(style):
            return original(*args)
        return measured(first_line, line, layout, resume_at, style)

    return first_line_metrics


def _plain(style: Any) -> bool:
    return bool(style["letter_spacing"] == "normal" and style["direction"] == "ltr")


def measured(first_line: Any, line: str, layout: Any, resume_at: int, style: Any) -> Any:
    """``first_line_metrics``' answer for the draft's ``first_line``, holding ``line``."""
    from weasyprint.text.ffi import FROM_UNITS, pango
    from weasyprint.text.line_break import line_size

    width, height = line_size(first_line, style)
    baseline = pango.pango_layout_get_baseline(layout.layout) * FROM_UNITS
    layout.text = line  # as set_text keeps it: drawing lays this text out again
    layout.deactivate()
    return layout, len(line.encode()), resume_at, width, height, baseline


# ------------------------------------------------------------------------------ fitted

KEPT_FITTED = 500
"""Layouts of texts that fit their line whole kept per document from line breaking to drawing
(:func:`kept_fitted`). Each holds about 16 KB until the document is drawn (a 25-page article:
peak RSS 119.1 MB laying each out again, 126.6 MB keeping 500, 127.6 MB keeping all 518 it
draws): at most about 8 MB a document. Later ones are laid out again, as WeasyPrint does."""

_FITTED = "_printbrief_fitted"
"""On a ``Layout``: its Pango layout, language and style, kept after line breaking."""

_FITTED_COUNT = ("printbrief", "fitted layouts")
"""The key of the number of kept layouts in a document's style cache."""


def _patch_fitted() -> None:
    from weasyprint.text import ffi, line_break

    ffi.ffi.cdef("const char * pango_layout_get_text (PangoLayout *layout);")

    line_break.first_line_metrics = _keeping_fitted(line_break.first_line_metrics)
    line_break.Layout.reactivate = _drawing_fitted(line_break.Layout.reactivate)


def _keeping_fitted(original: Callable[..., Any]) -> Callable[..., Any]:
    """``first_line_metrics`` keeping the Pango layout of a text that fit its line whole."""

    @functools.wraps(original)
    def first_line_metrics(first_line: Any, text: str, layout: Any, resume_at: int | None,
                           *args: Any, **kwargs: Any) -> Any:  # fmt: skip
        fields = layout.__dict__
        if (
            resume_at
            or "fitted" not in _ACTIVE.get()
            or "layout" not in fields
            or ATTRIBUTED in fields
        ):
            return original(first_line, text, layout, resume_at, *args, **kwargs)
        kept = (layout.layout, layout.language, layout.style)
        found = original(first_line, text, layout, resume_at, *args, **kwargs)
        kept_fitted(layout, kept)
        return found

    return first_line_metrics


def kept_fitted(layout: Any, kept: tuple[Any, Any, Any]) -> None:
    """Keep ``layout``'s Pango layout, language and style (``kept``) for drawing, if the
    document has room (:data:`KEPT_FITTED`)."""
    try:
        cache = kept[2].cache
    except AttributeError:  # a style without a cache (SVG text)
        return
    count = cache.get(_FITTED_COUNT, 0)
    if count < KEPT_FITTED:
        cache[_FITTED_COUNT] = count + 1
        layout.__dict__[_FITTED] = kept


def _drawing_fitted(original: Callable[..., None]) -> Callable[..., None]:
    """``Layout.reactivate`` giving drawing the kept layout of a text that fit its line."""

    @functools.wraps(original)
    def reactivate(layout: Any, style: Any) -> None:
        kept = layout.__dict__.pop(_FITTED, None)
        layout.__dict__.pop(hotdraw.AS_LAID_OUT, None)
        if kept is not None and "fitted" in _ACTIVE.get() and as_drawn(layout, style, kept):
            return None
        return original(layout, style)

    return reactivate


def as_drawn(layout: Any, style: Any, kept: tuple[Any, Any, Any]) -> bool:
    """Restore the kept layout if drawing would lay out the same: the same style and text,
    without justification (which drawing adds as spacing), tabs or line separators."""
    from weasyprint.text.ffi import ffi, pango

    pango_layout, language, kept_style = kept
    text = layout.text
    if (
        style is not kept_style
        or layout.justification_spacing
        or getattr(layout, "pb_spacing", None)
        or _LAID_OUT_APART.search(text)
        or ffi.string(pango.pango_layout_get_text(pango_layout)) != text.encode()
    ):
        return False
    layout.layout, layout.language, layout.style = pango_layout, language, style
    layout.first_line_direction = 0
    layout.__dict__[hotdraw.AS_LAID_OUT] = True
    return True


# ------------------------------------------------------------------------------ spaced


def _patch_spaced() -> None:
    from weasyprint.layout import inline

    inline.create_layout = _unmade(inline.create_layout)  # add_word_spacing's, its one use


def _unmade(original: Callable[..., Any]) -> Callable[..., Any]:
    """``create_layout`` as ``add_word_spacing`` calls it, without a Pango layout
    (:func:`spaced`)."""

    @functools.wraps(original)
    def create_layout(text: str, style: Any, context: Any, max_width: float | None,
                      justification_spacing: float) -> Any:  # fmt: skip
        if "spaced" in _ACTIVE.get() and style["text_decoration_line"] == "none":
            return spaced(text, style, max_width, justification_spacing)
        return original(text, style, context, max_width, justification_spacing)

    return create_layout


def spaced(text: str, style: Any, max_width: float | None, justification_spacing: float) -> Any:
    """The ``Layout`` ``create_layout`` makes for a justified box, as ``add_word_spacing``
    keeps it once deactivated: its spacing, width, text and (undecorated) metrics. Drawing
    sets it up and lays it out anew from these (``reactivate``), so no Pango layout is made
    here; the attributes deactivation deletes are given only for it to delete."""
    from weasyprint.text.line_break import Layout

    layout = Layout.__new__(Layout)
    layout.justification_spacing, layout.first_line_direction = justification_spacing, 0
    layout.ascent = layout.underline_position = layout.strikethrough_position = None
    layout.max_width = max_width
    if (index := text.find("\n")) != -1:  # as set_text keeps it
        text = text[: index + 2]
    layout.text = " \u200b" if text == " " and style["word_spacing"] else text
    layout.layout, layout.language, layout.style = None, None, style
    return layout


# ------------------------------------------------------------------------------- tries

_DRAFT = "_printbrief_draft"
"""Set on the layouts ``split_first_line`` makes inside a render with the ``tries`` step."""

_SEEN = "_printbrief_seen"
"""A draft's text and where its second line starts, as its last laid-out first line found."""

_NOT_IN_A_TRY = re.compile("[\\s\xad\u200b\u2028\u2029]")
"""What the word of a try may not hold: a break, or a soft hyphen Pango may break at."""


def _patch_tries() -> None:
    from weasyprint.text import line_break

    line_break.create_layout = _drafting(line_break.create_layout)  # split_first_line's own
    line_break.Layout.get_first_line = _remembering(line_break.Layout.get_first_line)
    line_break.Layout.set_text = _trying(line_break.Layout.set_text)


def _drafting(original: Callable[..., Any]) -> Callable[..., Any]:
    """``create_layout`` marking the layouts it makes for ``split_first_line`` as drafts."""

    @functools.wraps(original)
    def create_layout(*args: Any, **kwargs: Any) -> Any:
        layout = original(*args, **kwargs)
        if "tries" in _ACTIVE.get():
            layout.__dict__[_DRAFT] = True
        return layout

    return create_layout


def _remembering(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``Layout.get_first_line`` noting, on a draft, the text it laid out and its break."""

    @functools.wraps(original)
    def get_first_line(layout: Any) -> Any:
        found = original(layout)
        if _DRAFT in layout.__dict__:
            layout.__dict__[_SEEN] = (layout.text, found[1])
        return found

    return get_first_line


def _trying(original: Callable[..., None]) -> Callable[..., None]:
    """``Layout.set_text`` that takes a try's text without laying the draft out again."""

    @functools.wraps(original)
    def set_text(layout: Any, text: str, justify: bool = False) -> None:
        seen = layout.__dict__.pop(_SEEN, None)
        layout.__dict__.pop(ANSWERED, None)  # set again below only for a try taken now
        if justify:  # drawing lays the line out anew: no longer a draft
            layout.__dict__.pop(_DRAFT, None)
        elif seen is not None and tried(layout, text, seen):
            return None
        return original(layout, text, justify)

    return set_text


def tried(layout: Any, text: str, seen: tuple[str, int | None]) -> bool:
    """Take ``text`` as the draft's own, its Pango text left as it is, if ``text`` is a try.

    A try is the draft's text up to the end of the first word past its break (``seen``: the
    text laid out and where its second line starts), a space next in the draft. Pango breaks
    greedily: a word it left off the line with the rest of the draft after it is left off
    with nothing after it, so the draft's first line and break answer the try.
    """
    laid_out, second = seen
    if not second or laid_out is not layout.text or len(text) >= len(laid_out):
        return False
    encoded = text.encode()
    if (
        len(encoded) <= second
        or laid_out[len(text)] != " "
        or not laid_out.startswith(text)
        or "\n" in laid_out
        or "\t" in laid_out
        or _NOT_IN_A_TRY.search(encoded[second:].decode())
    ):
        return False
    style = layout.style
    if not _plain(style) or style["word_spacing"] or style["overflow_wrap"] != "normal":
        return False
    layout.text = text  # as set_text keeps it; the draft's first line stays laid out
    layout.__dict__[ANSWERED] = True  # the CJK layer's attributes for it: the draft has them
    return True


# ------------------------------------------------------------------------------ struts

_STRUTS = ("printbrief", "struts")
"""The key of the struts kept per style object in a document's style cache."""


def _patch_struts() -> None:
    from weasyprint.css import computed_values, units
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    kept = _kept_struts(line_break.strut)
    for module in (line_break, inline, units, computed_values):  # each imported it by name
        module.strut = kept


def _kept_struts(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``strut`` answering a style it answered before in this render from its own record."""

    @functools.wraps(original)
    def strut(style: Any) -> Any:
        if "struts" not in _ACTIVE.get():
            return original(style)
        return kept_strut(style, original)

    return strut


def kept_strut(style: Any, original: Callable[[Any], Any]) -> Any:
    """``original(style)``, asked once per style object and render."""
    try:
        kept = style.cache.setdefault(_STRUTS, {})
    except AttributeError:  # a style without a cache (SVG text)
        return original(style)
    found = kept.get(id(style))
    if found is None:  # the style itself is kept with it: its id names no other meanwhile
        found = kept[id(style)] = (style, original(style))
    return found[1]


# --------------------------------------------------------------------------- shorthands

EXPANSIONS_KEPT = 32
"""Substituted values kept per pending shorthand declaration: a theme's ``var()`` takes a few
values (one per font role); past this, the oldest is dropped."""


def _patch_shorthands() -> None:
    from weasyprint.css.validation import expanders

    pending = expanders.PendingExpander
    pending.validate = _expanded_once(pending.validate)


def _expanded_once(original: Callable[..., Any]) -> Callable[..., Any]:
    """``PendingExpander.validate`` reading a longhand from the declaration's kept expansion."""

    @functools.wraps(original)
    def validate(pending: Any, tokens: list[Any], wanted_key: str, base_url: str | None) -> Any:
        longhands = None
        if "shorthands" in _ACTIVE.get():
            longhands = expansion(pending, tokens, base_url)
        if longhands is None or wanted_key not in longhands:
            return original(pending, tokens, wanted_key, base_url)
        return longhands[wanted_key]

    return validate


def expansion(pending: Any, tokens: list[Any], base_url: str | None) -> dict[str, Any] | None:
    """Every longhand of ``pending``'s shorthand for the substituted ``tokens``, kept.

    None when one of them is invalid: WeasyPrint then validates each longhand alone (a valid
    one stays valid) and reports the invalid value once, as without this step.
    """
    from tinycss2 import serialize
    from weasyprint.css.validation.properties import InvalidValues

    kept: OrderedDict[tuple[str, str | None], dict[str, Any]]
    kept = pending.__dict__.setdefault("_printbrief_expansions", OrderedDict())
    key = (serialize(tokens), base_url)
    found = kept.get(key)
    if found is None:
        found, shorthand = {}, pending.validator.keywords["name"]
        try:
            for name, value in pending.validator(tokens):
                name = f"{shorthand}{name}" if name.startswith("-") else name
                found.setdefault(name, value)  # the first, as WeasyPrint's loop returns it
        except InvalidValues:
            return None
        with _expansions_lock:
            kept[key] = found
            while len(kept) > EXPANSIONS_KEPT:
                kept.popitem(last=False)
    return found


# ------------------------------------------------------------------------------- freed


def _patch_freed() -> None:
    from weasyprint.pdf import fonts
    from weasyprint.text import ffi

    ffi.ffi.cdef("void g_free (void *mem);")
    fonts.pango = _FreeingPango(fonts.pango)


class _FreeingPango:
    """WeasyPrint's Pango library as ``pdf/fonts.py`` sees it, but that in printbrief's
    renders the string ``pango_font_description_to_string`` returns is freed once read.

    cffi libraries take no new attributes, so the module is given this view instead.
    """

    def __init__(self, library: Any) -> None:
        self._library = library

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._library, name)
        self.__dict__[name] = found  # functions and constants: asked of the library once
        return found

    def pango_font_description_to_string(self, description: Any) -> Any:
        text = self._library.pango_font_description_to_string(description)
        return freed_string(text) if "freed" in _ACTIVE.get() else text


def freed_string(text: Any) -> Any:
    """``text`` (a ``char *`` GLib allocated for the caller), freed when Python drops it:
    ``Font.__init__`` reads it once with ``ffi.string``."""
    from weasyprint.text.ffi import ffi, gobject

    return ffi.gc(text, gobject.g_free)


_PATCH = Patch("Speed-ups of WeasyPrint's hot paths", _apply, "rendering with its own code")
