"""What the CJK line layout (:mod:`printbrief.cjk`) needs to know about characters, and its switches."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextvars import ContextVar
from itertools import accumulate

from .i18n import script_key

IDEOGRAPHIC_SPACE = "\u3000"

ACTIVE: ContextVar[bool] = ContextVar("printbrief_cjk_active", default=False)
"""Whether the patched WeasyPrint functions do printbrief's layout (inside a render only)."""
KEEP_ALL: ContextVar[bool] = ContextVar("printbrief_cjk_keep_all", default=True)
"""Whether Korean words are kept whole (off while a word longer than the line is laid out)."""
PHRASES: ContextVar[bool] = ContextVar("printbrief_cjk_phrases", default=False)
"""Whether Chinese and Japanese text breaks between phrases only (in a headline)."""
BROKEN: ContextVar[list[int] | None] = ContextVar("printbrief_cjk_broken", default=None)
"""Where to count the lines that had to break inside a kept word or phrase."""
KOREAN: ContextVar[bool] = ContextVar("printbrief_cjk_korean", default=True)
"""Whether the page being laid out may hold Hangul: Korean words to keep whole."""
RUBY: ContextVar[bool] = ContextVar("printbrief_cjk_ruby", default=True)
"""Whether the page being laid out may hold ruby: readings to keep inside the column."""
FIRST_LINE: ContextVar[bool] = ContextVar("printbrief_cjk_first_line", default=True)
"""Whether the line being laid out is the first of its block (not after a page break)."""

# Characters that take inter-character justification: Han, kana (with ー and small kana),
# CJK symbols and punctuation, fullwidth forms, and the quotes, dashes and ellipses a CJK
# face sets full width in Chinese and Japanese text. U+0020 and U+00A0 are word spaces.
CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u30ff\u31c0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"
)
CJK_QUOTES = frozenset("‘’“”—…")
HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
SPACES = frozenset(" \u00a0")
ANSWERED = "_printbrief_try_answered"
"""Set on a line's draft whose text a try took without laying it out again
(:mod:`printbrief.hotpaths`, ``tries``): it keeps the attributes it has."""

ATTRIBUTED = "_printbrief_cjk_attributes"
"""Set on a ``Layout`` whose Pango layout :mod:`printbrief.cjkbreak` gave attributes (they stay
with it whatever text it is given next): drawing lays such a text out without them, so
:mod:`printbrief.hotpaths` (``fitted``) does not give drawing that layout."""


@functools.cache
def korean_word() -> re.Pattern[str]:
    """A Korean "word" for keep-all: letters and digits around at least one Hangul syllable.

    Compiled on first use (Korean text only): ``\\w`` and Hangul take milliseconds to compile.
    """
    return re.compile(r"[\w\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]+")


# Marks whose blank half is on their right in the bundled faces of each script (their `halt`
# values, pinned by a test): at the end of a justified line that half hangs past the column
# edge, so the mark's visible half ends flush (jlreq §3.1.4 and clreq §3.1.6 set line-end
# closing brackets, commas and full stops half width). Traditional Chinese centres 、。，：；.
_CLOSING = "〉》」』】〕〗〙〛〞〟）］｝｠"
TRIM_END = {
    "zh-Hans": frozenset(_CLOSING + "’”、。！，．：；？"),
    "zh-Hant": frozenset(_CLOSING + "’”"),
    "ja": frozenset(_CLOSING + "、。，．"),
}


# Marks whose blank half is on their left in the bundled faces (their `halt` values, pinned
# by a test): starting a line other than a paragraph's first, that half is taken out so the
# mark's visible half starts flush (jlreq §3.1.5 and its note on line heads; clreq §3.1.6;
# CSS Text 4 `text-spacing-trim: space-first`). The Japanese faces' “ ‘ are proportional.
_OPENING = "〈《「『【〔〖〘〚〝（［｛｟"
TRIM_START = {
    "zh-Hans": frozenset(_OPENING + "‘“"),
    "zh-Hant": frozenset(_OPENING + "‘“"),
    "ja": frozenset(_OPENING),
}


def trims_start(char: str, lang: str) -> bool:
    """Whether ``char`` starting a line of ``lang`` (not a paragraph's first) loses its blank
    half: ``trims_start("「", "ja")``."""
    return char in TRIM_START.get(script_key(lang), ())


def trims_end(char: str, lang: str) -> bool:
    """Whether ``char`` ending a justified line of ``lang`` hangs its blank half: ``trims_end("。", "ja")``."""
    return char in TRIM_END.get(script_key(lang), ())


def weights(text: str, lang: str, spaces_only: bool) -> list[int]:
    """1 for each character of ``text`` that takes justification space, else 0.

    >>> weights("中文 ab", "zh-Hans", False)
    [1, 1, 1, 0, 0]
    >>> weights("한국 말", "ko", True), weights("한국말", "ko", False)
    ([0, 0, 1, 0], [1, 1, 1])
    """
    if spaces_only:
        return [int(ch in SPACES) for ch in text]
    known = _KOREAN_WEIGHTS if lang.lower().startswith("ko") else _WEIGHTS
    return [known[ch] if ch in known else _learn(known, ch) for ch in text]


# The weight of each character met so far, per script (up to _KNOWN_MAX of them): looked up,
# not matched again, since a line's text boxes are classified character by character on
# every justified line.
_KNOWN_MAX = 1 << 16
_WEIGHTS: dict[str, int] = {}
_KOREAN_WEIGHTS: dict[str, int] = {}


def _learn(known: dict[str, int], ch: str) -> int:
    if known is _KOREAN_WEIGHTS:
        weight = int(ch in SPACES or bool(HANGUL.match(ch)))
    else:
        weight = int(ch in SPACES or ch in CJK_QUOTES or bool(CJK.match(ch)))
    if len(known) < _KNOWN_MAX:
        known[ch] = weight
    return weight


def is_cjk_text(text: str) -> bool:
    """Whether ``text`` holds a Han, kana or Hangul character."""
    return bool(CJK.search(text) or HANGUL.search(text))


# What makes a page need the CJK layout, beyond a Han, kana or Hangul character: ruby, or an
# element in Chinese, Japanese or Korean (the justification goes by a line's language, as
# ``lang.startswith(("zh", "ja", "ko"))``, whatever its characters).
_CJK_LANG = re.compile("lang\\s*=\\s*[\"']?\\s*(?:zh|ja|ko)")  # in lower case


def layout_needs(html: str) -> frozenset[str]:
    """What of a page's markup the CJK layout acts on: ``"han"`` (Han or kana characters),
    ``"hangul"``, ``"ruby"``, ``"lang"`` (an element in Chinese, Japanese or Korean, whose
    lines are justified by their language whatever their characters). A page that needs none
    is laid out exactly as by WeasyPrint alone, so the layout's hooks step aside at once.

    >>> sorted(layout_needs('<p lang="en">Tide “high”</p>')), sorted(layout_needs("<p>潮汐</p>"))
    ([], ['han'])
    >>> sorted(layout_needs('<p lang="ko-KR">서울</p><ruby>A<rt>a</rt></ruby>'))
    ['hangul', 'lang', 'ruby']
    """
    lowered = html.lower()
    found = {
        "han": bool(CJK.search(html)),
        "hangul": bool(HANGUL.search(html)),
        "ruby": "<ruby" in lowered,
        "lang": bool(_CJK_LANG.search(lowered)),
    }
    return frozenset(name for name, present in found.items() if present)


def byte_offsets(text: str) -> list[int]:
    """Where each character of ``text`` starts in its UTF-8 bytes (Pango's indices), and the end.

    >>> byte_offsets("a中")
    [0, 1, 4]
    """
    if text.isascii():
        return list(range(len(text) + 1))
    return list(accumulate(map(len, map(str.encode, text)), initial=0))


def runs(flags: list[int]) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each run of 1s: ``runs([1, 1, 0, 1])`` gives (0, 2) and (3, 4)."""
    start = None
    for i, flag in enumerate([*flags, 0]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            yield start, i
            start = None
