"""CJK line layout WeasyPrint 70 lacks; the one module that reaches into WeasyPrint's internals.

WeasyPrint 70 justifies by widening U+0020 only (``layout/inline.py`` ``justify_line``), so
Chinese and Japanese lines, which have no spaces, stay ragged; and it has no
``word-break: keep-all``, which Korean needs (W3C klreq §3.1.2: break between words, and
between syllables only when a word is longer than the line). This module adds both by
patching four functions, only while :func:`typesetting` is active (a printbrief render):

* ``Layout.set_text`` adds Pango attributes: ``allow_breaks=false`` inside Korean words, and,
  on the text boxes of a justified line, per-character letter spacing. Pango puts half of a
  character's letter spacing on each side of it and trims the halves at both ends of a
  layout, so spacing every CJK character by *s* adds *s* between two CJK characters, *s*/2
  between a CJK character and a Latin one, and nothing inside Latin words; the text itself
  is never changed, so copy and paste gives the same characters.
* ``justify_line`` spreads a line's slack over those opportunities (CSS Text 3
  ``text-justify: inter-character`` for zh and ja; for Korean, word spaces only, and
  syllables only on a line without a space) and moves the boxes after each widened one.
* ``split_first_line``: when a Korean word is wider than a whole line, lays the line out
  again without keep-all, so the word breaks between syllables instead of overflowing.
* ``draw_first_line`` (``draw/text.py``) truncates each glyph's advance adjustment to a whole
  thousandth of an em; on a letter-spaced box the losses add up along the line, so before it
  draws one, each glyph's width is set so that the whole numbers kept add up, and its x
  offset is scaled from Pango units as WeasyPrint reads it (:func:`_absorb_truncation`).

The patches are installed for the WeasyPrint version they were written for only
(:data:`SUPPORTED`); on any other, printbrief logs a warning once and WeasyPrint lays text
out on its own (ragged CJK lines, Korean breaking between syllables anywhere).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

log = logging.getLogger(__name__)

SUPPORTED = "70."
"""The WeasyPrint release series these patches were written against (``70.x``)."""

BASE_CSS = """
html { --pb-cjk-latin-gap: 0.25em; }
.cjk-gap-start { margin-left: var(--pb-cjk-latin-gap); }
.cjk-gap-end { margin-right: var(--pb-cjk-latin-gap); }
ruby { display: inline-block; position: relative; text-indent: 0; line-height: 1;
       letter-spacing: 0; }
rt { position: absolute; left: -4em; right: -4em; bottom: 100%; margin-bottom: 0.1em;
     font-size: 0.5em; line-height: 1; text-align: center; text-indent: 0; white-space: nowrap;
     font-weight: normal; font-style: normal; }
rp { display: none; }
"""
"""printbrief's CSS before every theme's: the gap between CJK and Latin runs marked by
:func:`printbrief.body.mark_latin_runs` (a theme sets ``--pb-cjk-latin-gap``, 0 for none),
and ruby without a ruby layout (WeasyPrint 70 has none): the base is an inline block and the
reading sits centred above it at half size, never spliced into the line (W3C jlreq §3.3)."""

IDEOGRAPHIC_SPACE = "\u3000"

_ACTIVE: ContextVar[bool] = ContextVar("printbrief_cjk_active", default=False)
_KEEP_ALL: ContextVar[bool] = ContextVar("printbrief_cjk_keep_all", default=True)
_installed: bool | None = None
_CORRECTIONS = 3  # relayouts of a text box whose measured stretch misses the plan
_CLOSE_ENOUGH = 0.05  # px: how far a stretched box may miss its planned width

# Characters that take inter-character justification: Han, kana (with ー and small kana),
# CJK symbols and punctuation, fullwidth forms, and the quotes, dashes and ellipses a CJK
# face sets full width in Chinese and Japanese text. U+0020 and U+00A0 are word spaces.
_CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u30ff\u31c0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"
)
_CJK_QUOTES = frozenset("‘’“”—…")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_SPACES = frozenset(" \u00a0")
# A Korean "word" for keep-all: letters and digits around at least one Hangul syllable.
_KOREAN_WORD = re.compile(r"[\w\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]+")


@contextmanager
def typesetting() -> Iterator[None]:
    """Activate the CJK layout for WeasyPrint work done inside the block (this thread only)."""
    token = _ACTIVE.set(install())
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def install() -> bool:
    """Patch WeasyPrint once; False (with a warning, once) on a version this was not written for."""
    global _installed
    if _installed is None:
        import weasyprint

        _installed = weasyprint.__version__.startswith(SUPPORTED)
        if _installed:
            _patch()
        else:
            log.warning(
                "CJK justification and Korean word breaking are written for WeasyPrint %sx, "
                "found %s: using WeasyPrint's own line layout",
                SUPPORTED,
                weasyprint.__version__,
            )
    return _installed


# ------------------------------------------------------------------------ what stretches


def weights(text: str, lang: str, spaces_only: bool) -> list[int]:
    """1 for each character of ``text`` that takes justification space, else 0.

    >>> weights("中文 ab", "zh-Hans", False)
    [1, 1, 1, 0, 0]
    >>> weights("한국 말", "ko", True), weights("한국말", "ko", False)
    ([0, 0, 1, 0], [1, 1, 1])
    """
    korean = lang.lower().startswith("ko")
    if spaces_only:
        return [int(ch in _SPACES) for ch in text]
    if korean:
        return [int(ch in _SPACES or bool(_HANGUL.match(ch))) for ch in text]
    return [int(ch in _SPACES or ch in _CJK_QUOTES or bool(_CJK.match(ch))) for ch in text]


def is_cjk_text(text: str) -> bool:
    """Whether ``text`` holds a Han, kana or Hangul character."""
    return bool(_CJK.search(text) or _HANGUL.search(text))


# ------------------------------------------------------------------------------ patches


def _patch() -> None:
    from weasyprint.draw import text
    from weasyprint.layout import inline, preferred
    from weasyprint.text import ffi, line_break

    ffi.ffi.cdef(
        "PangoAttribute * pango_attr_allow_breaks_new (gboolean allow_breaks);"
        "PangoAttrList * pango_attr_list_copy (PangoAttrList *list);"
    )
    original_set_text = line_break.Layout.set_text

    def set_text(layout: Any, text: str, justify: bool = False) -> None:
        original_set_text(layout, text, justify)
        _add_attributes(layout, justify)

    line_break.Layout.set_text = set_text
    splitter = _keep_all_splitter(line_break.split_first_line)
    inline.split_first_line = preferred.split_first_line = splitter
    inline.justify_line = _justifier(inline.justify_line)
    inline.text_align = _edge_trimmer(inline.text_align)
    text.draw_first_line = _exact_drawing(text.draw_first_line)


def _add_attributes(layout: Any, justify: bool) -> None:
    """Letter spacing of a justified CJK text box, and keep-all inside Korean words."""
    spacing = getattr(layout, "pb_spacing", None) if justify else None
    keep = _ACTIVE.get() and _KEEP_ALL.get() and _HANGUL.search(layout.text)
    if not (spacing or keep):
        return
    from weasyprint.text.ffi import ffi, pango

    old = pango.pango_layout_get_attributes(layout.layout)
    fresh = pango.pango_attr_list_new() if old == ffi.NULL else pango.pango_attr_list_copy(old)
    attrs = ffi.gc(fresh, pango.pango_attr_list_unref)
    offsets = _byte_offsets(layout.text)
    if spacing:
        _letter_spacing(attrs, layout, offsets, spacing)
    if keep:
        _keep_words(attrs, layout.text, offsets)
    pango.pango_layout_set_attributes(layout.layout, attrs)


def _byte_offsets(text: str) -> list[int]:
    offsets = [0]
    for ch in text:
        offsets.append(offsets[-1] + len(ch.encode()))
    return offsets


def _letter_spacing(
    attrs: Any, layout: Any, offsets: list[int], spacing: tuple[float, list[int]]
) -> None:
    from weasyprint.text.ffi import pango
    from weasyprint.text.line_break import TO_UNITS

    base = layout.style["letter_spacing"]
    base = 0 if base == "normal" else base
    step, flags = spacing
    if len(flags) != len(layout.text):
        return
    units = round((base + step) * TO_UNITS)
    for start, end in _runs(flags):  # one attribute per run: each character gets the spacing
        attr = pango.pango_attr_letter_spacing_new(units)
        attr.start_index, attr.end_index = offsets[start], offsets[end]
        pango.pango_attr_list_change(attrs, attr)


def _runs(flags: list[int]) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each run of 1s: ``_runs([1, 1, 0, 1])`` gives (0, 2) and (3, 4)."""
    start = None
    for i, flag in enumerate([*flags, 0]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            yield start, i
            start = None


def _keep_words(attrs: Any, text: str, offsets: list[int]) -> None:
    from weasyprint.text.ffi import pango

    for word in _KOREAN_WORD.finditer(text):
        if word.end() - word.start() > 1 and _HANGUL.search(word.group()):
            attr = pango.pango_attr_allow_breaks_new(False)
            attr.start_index, attr.end_index = offsets[word.start()], offsets[word.end()]
            pango.pango_attr_list_insert(attrs, attr)


def _keep_all_splitter(original: Callable[..., Any]) -> Callable[..., Any]:
    """``split_first_line`` that breaks a Korean word between syllables only if it must."""

    def split_first_line(
        text: str,
        style: Any,
        context: Any,
        max_width: float | None,
        justification_spacing: float,
        is_line_start: bool = True,
        minimum: bool = False,
    ) -> Any:
        args = (text, style, context, max_width, justification_spacing, is_line_start, minimum)
        result = original(*args)
        if not (_ACTIVE.get() and _KEEP_ALL.get() and is_line_start) or max_width is None:
            return result
        if result[3] > max_width and _HANGUL.search(text):
            token = _KEEP_ALL.set(False)
            try:
                return original(*args)
            finally:
                _KEEP_ALL.reset(token)
        return result

    return split_first_line


# --------------------------------------------------------------------------- justification


class _Line:
    """One line to justify: each text box's stretchable characters and the step between them."""

    def __init__(self, line: Any) -> None:
        from weasyprint.formatting_structure import boxes

        self.texts = [b for b in _descendants(line) if isinstance(b, boxes.TextBox)]
        joined = "".join(b.text for b in self.texts)
        korean = (line.style["lang"] or "").lower().startswith("ko")
        spaces_only = korean and any(ch in _SPACES for ch in joined.strip())
        self.flags = {
            id(b): weights(b.text, b.style["lang"] or "", spaces_only) for b in self.texts
        }
        self.hanging = 0.0
        """Width of ideographic spaces ending the line, which hang past the column edge."""
        self._drop_trailing_spaces()
        every = [f for b in self.texts for f in self.flags[id(b)]]
        self.units = sum(every) - (every[0] + every[-1]) / 2 if every else 0
        self.step = 0.0

    def _drop_trailing_spaces(self) -> None:
        """No stretch after the last visible character, nor on it: Pango trims the half
        spacing after a layout's last character from its width but still draws the half
        before it, so the last glyph would end short of the edge. U+3000 is not collapsed
        like U+0020 but hangs at the end of a line (CSS Text 3 §4.1.3, "other space
        separators"): it takes no stretch, and its advance is slack."""
        for box in reversed(self.texts):
            flags, text = self.flags[id(box)], box.text
            for i in range(len(text) - 1, -1, -1):
                visible = text[i] not in _SPACES and text[i] != IDEOGRAPHIC_SPACE
                flags[i] = 0
                if text[i] == IDEOGRAPHIC_SPACE:
                    self.hanging += float(box.style["font_size"])
                if visible:
                    return

    def spread(self, context: Any, box: Any, x_advance: float) -> float:
        """Move and widen ``box`` and its descendants; return the advance for what follows."""
        from weasyprint.formatting_structure import boxes

        if isinstance(box, boxes.TextBox):
            return self._widen(context, box, x_advance)
        if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            box.position_x += x_advance
            start = x_advance
            for child in box.children:
                if child.is_in_normal_flow():
                    x_advance = self.spread(context, child, x_advance)
            box.width += x_advance - start
            return x_advance
        box.translate(x_advance, 0)
        return x_advance

    def _widen(self, context: Any, box: Any, x_advance: float) -> float:
        flags = self.flags[id(box)]
        if not any(flags):
            box.position_x += x_advance
            return x_advance
        half = self.step / 2
        x_advance += half * flags[0] * (box is not self.texts[0])
        box.position_x += x_advance
        units = sum(flags) - (flags[0] + flags[-1]) / 2
        step, target = self.step, self.step * units
        grown: float = _relayout(context, box, (step, flags)) - box.width
        for _ in range(_CORRECTIONS):
            if not units or abs(grown - target) <= _CLOSE_ENOUGH:
                break
            # Shaping changes where spacing splits a run (a space between Hangul words
            # loses about 0.3 px): measure, and correct the step.
            step += (target - grown) / units
            grown = _relayout(context, box, (step, flags)) - box.width
        box.width += grown
        return x_advance + grown + half * flags[-1] * (box is not self.texts[-1])


def _descendants(box: Any) -> Iterator[Any]:
    """Boxes on the line in order, not looking inside atomic inlines (inline blocks)."""
    from weasyprint.formatting_structure import boxes

    for child in box.children:
        if child.is_in_normal_flow():
            yield child
            if isinstance(child, boxes.InlineBox):
                yield from _descendants(child)


def _relayout(context: Any, box: Any, spacing: tuple[float, list[int]]) -> float:
    """Give ``box`` a layout with ``spacing``; return the layout's width."""
    from weasyprint.text.line_break import create_layout, line_size

    layout = create_layout(box.text, box.style, context, max_width=None, justification_spacing=0)
    layout.pb_spacing = spacing
    layout.set_text(box.text, justify=True)
    width: float = line_size(layout.get_first_line()[0], box.style)[0]
    layout.deactivate()
    box.justification_spacing = 0
    box.pango_layout = layout
    return width


def _justifier(original: Callable[..., Any]) -> Callable[..., Any]:
    """``justify_line`` that stretches CJK lines between characters (CSS Text 3 §7.1)."""

    def justify_line(context: Any, line: Any, extra_width: float) -> None:
        lang = (line.style["lang"] or "").lower()
        plan = _Line(line) if _ACTIVE.get() and lang.startswith(("zh", "ja", "ko")) else None
        if plan is None or plan.units <= 0 or extra_width + plan.hanging <= 0:
            original(context, line, extra_width)
            return
        plan.step = (extra_width + plan.hanging) / plan.units
        plan.spread(context, line, 0)

    return justify_line


# ----------------------------------------------------------------- CJK-Latin gaps at edges


def _edge_trimmer(original: Callable[..., Any]) -> Callable[..., Any]:
    """``text_align`` that first drops a CJK–Latin gap at either end of the line (jlreq)."""

    def text_align(context: Any, line: Any, available_width: float, last: bool) -> Any:
        if _ACTIVE.get():
            _trim_start(line)
            _trim_end(line)
        return original(context, line, available_width, last)

    return text_align


def _edge_path(line: Any, index: int) -> list[Any]:
    """The line's first (``index`` 0) or last (-1) inline boxes, outermost first."""
    from weasyprint.formatting_structure import boxes

    path, box = [], line
    while isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        children = [c for c in box.children if c.is_in_normal_flow()]
        if not children:
            break
        box = children[index]
        path.append(box)
    return [b for b in path if isinstance(b, boxes.InlineBox)]


def _marked(box: Any, side: str) -> bool:
    element = getattr(box, "element", None)
    return element is not None and f"cjk-gap-{side}" in (element.get("class") or "")


def _trim_start(line: Any) -> None:
    path = _edge_path(line, 0)
    span = next((b for b in reversed(path) if _marked(b, "start")), None)
    if span is None or not span.margin_left:
        return
    shift, span.margin_left = span.margin_left, 0
    for child in line.children:
        child.translate(-shift, 0)
    for box in path[: path.index(span) + 1]:  # their margin boxes still start the line
        box.position_x += shift
        if box is not span:
            box.width -= shift
    line.width -= shift


def _trim_end(line: Any) -> None:
    path = _edge_path(line, -1)
    span = next((b for b in reversed(path) if _marked(b, "end")), None)
    if span is None or not span.margin_right:
        return
    shift, span.margin_right = span.margin_right, 0
    for box in path[: path.index(span)]:
        box.width -= shift
    line.width -= shift


# ------------------------------------------------------------------------------- drawing


def _exact_drawing(original: Callable[..., Any]) -> Callable[..., Any]:
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
            carry = _round_adjustment(stream, pango_font, font, size, glyph, carry)


def _round_adjustment(
    stream: Any, pango_font: Any, font: Any, size: float, glyph: Any, carry: float
) -> float:
    """Make WeasyPrint's ``int(kerning)`` for ``glyph`` the rounded kerning plus ``carry``."""
    from weasyprint.text.ffi import pango
    from weasyprint.text.line_break import FROM_UNITS

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
