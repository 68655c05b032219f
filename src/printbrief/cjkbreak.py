"""Pango attributes for the CJK line layout: letter spacing, Korean keep-all, headline phrases.

Part of :mod:`printbrief.cjk`, which installs these wrappers around WeasyPrint 70's
``Layout.set_text`` and ``split_first_line``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .cjkheads import phrases
from .cjkscript import (
    ACTIVE,
    ANSWERED,
    ATTRIBUTED,
    BROKEN,
    CJK,
    HANGUL,
    KEEP_ALL,
    KOREAN,
    PHRASES,
    byte_offsets,
    korean_word,
    runs,
)


def text_setter(original: Callable[..., None]) -> Callable[..., None]:
    """``Layout.set_text`` that adds printbrief's Pango attributes after WeasyPrint's."""

    def set_text(layout: Any, text: str, justify: bool = False) -> None:
        original(layout, text, justify)
        if layout.__dict__.pop(ANSWERED, False):
            return  # the draft's own attributes cover the try's text (a prefix of it)
        # A justified box is drawn after the layout, with its spacing (pb_spacing); Korean
        # words and a headline's phrases are kept whole during the layout.
        if (justify and getattr(layout, "pb_spacing", None)) or (
            ACTIVE.get() and (KOREAN.get() or PHRASES.get())
        ):
            add_attributes(layout, justify)

    return set_text


def add_attributes(layout: Any, justify: bool) -> None:
    """Letter spacing of a justified CJK text box, and keep-all inside Korean words."""
    spacing = getattr(layout, "pb_spacing", None) if justify else None
    kept = ACTIVE.get() and KEEP_ALL.get()
    keep = kept and KOREAN.get() and HANGUL.search(layout.text)
    phrased = kept and PHRASES.get() and CJK.search(layout.text)
    if not (spacing or keep or phrased):
        return
    from weasyprint.text.ffi import ffi, pango

    old = pango.pango_layout_get_attributes(layout.layout)
    fresh = pango.pango_attr_list_new() if old == ffi.NULL else pango.pango_attr_list_copy(old)
    attrs = ffi.gc(fresh, pango.pango_attr_list_unref)
    offsets = byte_offsets(layout.text)
    if spacing:
        _letter_spacing(attrs, layout, offsets, spacing)
    if keep:
        _keep_words(attrs, layout.text, offsets)
    if phrased:
        _keep_phrases(attrs, layout.text, offsets, layout.style["lang"] or "")
    pango.pango_layout_set_attributes(layout.layout, attrs)
    layout.__dict__[ATTRIBUTED] = True


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
    for start, end in runs(flags):  # one attribute per run: each character gets the spacing
        attr = pango.pango_attr_letter_spacing_new(units)
        attr.start_index, attr.end_index = offsets[start], offsets[end]
        pango.pango_attr_list_change(attrs, attr)


def _keep_words(attrs: Any, text: str, offsets: list[int]) -> None:
    from weasyprint.text.ffi import pango

    for word in korean_word().finditer(text):
        if word.end() - word.start() > 1 and HANGUL.search(word.group()):
            attr = pango.pango_attr_allow_breaks_new(False)
            attr.start_index, attr.end_index = offsets[word.start()], offsets[word.end()]
            pango.pango_attr_list_insert(attrs, attr)


def _keep_phrases(attrs: Any, text: str, offsets: list[int], lang: str) -> None:
    from weasyprint.text.ffi import pango

    for start, end in phrases(text, lang):
        if end - start > 1:
            attr = pango.pango_attr_allow_breaks_new(False)
            attr.start_index, attr.end_index = offsets[start], offsets[end]
            pango.pango_attr_list_insert(attrs, attr)


def keep_all_splitter(original: Callable[..., Any]) -> Callable[..., Any]:
    """``split_first_line`` that breaks a Korean word (or a headline's phrase) only if it must."""

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
        if not (ACTIVE.get() and KEEP_ALL.get() and is_line_start) or max_width is None:
            return result
        korean = KOREAN.get()
        overflows = result[3] > max_width and ((korean and HANGUL.search(text)) or PHRASES.get())
        if overflows or (korean and _next_word_outgrows(original, args, result[2])):
            if (broken := BROKEN.get()) is not None:
                broken[0] += 1
            token = KEEP_ALL.set(False)
            try:
                return original(*args)
            finally:
                KEEP_ALL.reset(token)
        return result

    return split_first_line


def _next_word_outgrows(
    original: Callable[..., Any], args: tuple[Any, ...], resume: int | None
) -> bool:
    """Whether the Korean word the next line would start with is wider than a whole line:
    it then breaks on this line, filling it (klreq), instead of leaving this line's last
    words spaced out across the whole measure. Measured only for words near a line's length."""
    text, style, context, max_width = args[:4]
    if resume is None:
        return False
    word = korean_word().match(text.encode()[resume:].decode(errors="ignore").lstrip())
    if not (word and HANGUL.search(word.group())):
        return False
    if len(word.group()) * style["font_size"] < 0.8 * max_width:  # Hangul is about an em wide
        return False
    return bool(original(word.group(), style, context, None, 0, True, False)[3] > max_width)


def joiner(original: Callable[[str, str], bool]) -> Callable[[str, str], bool]:
    """``can_break_text`` as ``layout/inline.py`` asks it whether a line may break between
    two inline boxes (the span of a CJK–Latin gap and the text beside it): in Chinese and
    Japanese never between a number and the counter or unit after it (``5 | 月``, ``186 |
    艘``), as CJK newspapers set them (cf. jlreq §3.1.10); and in a headline not inside a
    phrase, as :func:`_keep_phrases` keeps one whole inside a box (``供电 | 1.2亿``)."""

    @functools.wraps(original)
    def can_break_text(text: str, lang: str) -> bool:
        allowed = original(text, lang)
        if not (allowed and len(text) == 2 and ACTIVE.get()):
            return allowed
        if text[0].isdigit() and CJK.match(text[1]) and (lang or "")[:2].lower() in ("zh", "ja"):
            return False
        if KEEP_ALL.get() and PHRASES.get():
            return len(phrases(text, lang or "")) > 1 or not CJK.search(text)
        return allowed

    return can_break_text
