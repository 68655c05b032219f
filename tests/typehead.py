"""The headline and other head text as printed, found in a PDF by its glyphs (pdfplumber).

What a CJK editor checks in a headline: where its lines break (never inside a Korean word
when a space would do, at a phrase boundary where one fits) and that the last line is not
a lone character; and in the headline, standfirst, byline, kicker and captions, the gap
between Han or kana and Latin letters or digits (:func:`cjk_latin_gaps`).
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from itertools import pairwise
from typing import Any

import pdfplumber

HANGUL = re.compile("[\uac00-\ud7a3]")
CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN = re.compile("[A-Za-z0-9\u00c0-\u024f]")
Char = dict[str, Any]


def headline_lines(pdf: bytes, headline: str) -> list[str]:
    """The printed lines of ``headline`` on the first page, top to bottom (spaces dropped)."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        chars = list(document.pages[0].chars)
    wanted = "".join(headline.split())
    rows = _rows([c for c in chars if c["text"].strip()])
    for start in range(len(rows)):
        found, text = [], ""
        for row in rows[start:]:
            if not wanted.startswith(text + row):
                break
            found.append(row)
            text += row
            if text == wanted:
                return found
    raise AssertionError(f"headline {headline!r} not found on page 1")


def _rows(chars: list[Char]) -> list[str]:
    """The text of each row of glyphs sharing a baseline (±1 pt), top to bottom, left to right."""
    return ["".join(c["text"] for c in row) for row in _glyph_rows(chars)]


def _glyph_rows(chars: list[Char]) -> list[list[Char]]:
    rows: dict[float, list[Char]] = defaultdict(list)
    for char in chars:
        baseline = float(char["matrix"][5])
        key = next((k for k in rows if abs(k - baseline) < 1.0), baseline)
        rows[key].append(char)
    return [
        sorted(row, key=lambda c: c["x0"])
        for _, row in sorted(rows.items(), key=lambda item: -item[0])
    ]


def printed_glyphs(pdf: bytes, text: str) -> list[list[Char]]:
    """The glyphs that print ``text`` (matched without spaces; the spaces inside kept), row
    by row, at its first place in ``pdf`` read page by page, row by row; [] if not printed."""
    wanted = "".join(text.split())
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            stream = [(i, c) for i, row in enumerate(_glyph_rows(page.chars)) for c in row]
            visible = [k for k, (_, c) in enumerate(stream) if c["text"].strip()]
            at = "".join(stream[k][1]["text"] for k in visible).find(wanted)
            if wanted and at >= 0:
                found: dict[int, list[Char]] = defaultdict(list)
                for i, char in stream[visible[at] : visible[at + len(wanted) - 1] + 1]:
                    found[i].append(char)
                return list(found.values())
    return []


def cjk_latin_gaps(rows: list[list[Char]]) -> list[float]:
    """The gap, in em, between each Han or kana glyph and a Latin letter or digit beside it
    (less than an em away: not a contents line's page number far to the right)."""
    gaps = []
    for row in rows:
        for a, b in pairwise(row):
            if (CJK.match(a["text"]) and LATIN.match(b["text"])) or (
                LATIN.match(a["text"]) and CJK.match(b["text"])
            ):
                gap = (float(b["x0"]) - _right(a)) / max(a["size"], b["size"])
                gaps += [gap] if gap < 1 else []
    return gaps


def _right(char: Char) -> float:
    """Where a glyph ends: a Han or kana glyph 1 em after it starts (the PDF's /W width of a
    glyph is the advance of its first use, letter spacing included, in WeasyPrint 70)."""
    return float(char["x0"] + char["size"] if CJK.match(char["text"]) else char["x1"])


def split_words(headline: str, lines: list[str]) -> list[str]:
    """Korean words a line break cuts in two (Hangul on both sides of the break)."""
    words = headline.split()
    cut, offset, ends = [], 0, set()
    for line in lines[:-1]:
        offset += len(line)
        ends.add(offset)
    position = 0
    for word in words:
        inside = [e for e in ends if position < e < position + len(word)]
        for end in inside:
            before, after = word[end - position - 1], word[end - position]
            if HANGUL.match(before) and HANGUL.match(after):
                cut.append(word)
        position += len(word)
    return cut


# ------------------------------------------------------------------ phrases of a headline

# Where a CJK headline may break, as a desk would read it (docs/cjk.md, "Headlines"): at
# spaces, after closing or stopping punctuation, before an opening bracket; in Japanese
# after a run of hiragana (particles, endings) where kanji, katakana or Latin follow; in
# Chinese after 的 and 了.
_CLOSE = frozenset("、。，．：；！？）」』】〕》〉〗”’…—")
_OPEN = frozenset("（「『【〔《〈〖“‘")
_HIRAGANA = re.compile("[\u3041-\u309f]")


def _phrase_boundary(before: str, after: str, lang: str) -> bool:
    if after in _CLOSE:
        return False
    if before in _CLOSE or (after in _OPEN and before not in _OPEN):
        return True
    if lang.startswith("ja"):
        return bool(_HIRAGANA.match(before)) and not _HIRAGANA.match(after) and after != "ー"
    return lang.startswith("zh") and before in "的了" and bool(CJK.match(after))


def phrase_boundaries(headline: str, lang: str) -> list[int]:
    """Offsets in the headline without spaces where a phrase ends (0 and the end included)."""
    squashed, spaced = [], set()
    for ch in headline:
        if ch.isspace():
            spaced.add(len(squashed))
        else:
            squashed.append(ch)
    inner = [
        k
        for k in range(1, len(squashed))
        if k in spaced or _phrase_boundary(squashed[k - 1], squashed[k], lang)
    ]
    return [0, *inner, len(squashed)]


def _inner_breaks(headline: str, lang: str, lines: list[str]) -> list[tuple[str, str]]:
    """Each line break that falls inside a phrase: the phrase's two pieces around it."""
    bounds, found, offset = phrase_boundaries(headline, lang), [], 0
    squashed = "".join(lines)
    for line in lines[:-1]:
        offset += len(line)
        if offset in bounds:
            continue
        start = max(b for b in bounds if b < offset)
        end = min(b for b in bounds if b > offset)
        found.append((squashed[start:offset], squashed[offset:end]))
    return found


def breaks_inside_phrases(
    headline: str, lang: str, lines: list[str], size: float, measure: float
) -> list[str]:
    """Each line break of a printed headline inside a phrase that fits the ``measure`` (pt)
    at ``size`` (pt, CJK characters one em wide): a break a desk would not make."""
    return [
        f"{head}|{tail}"
        for head, tail in _inner_breaks(headline, lang, lines)
        if (len(head) + len(tail)) * size <= measure
    ]


def lone_phrase_ends(headline: str, lang: str, lines: list[str]) -> list[str]:
    """Each line break inside a phrase (one longer than the line) that leaves one character
    of it, punctuation aside, alone at a line's end or start."""
    return [
        "|".join(pieces)
        for pieces in _inner_breaks(headline, lang, lines)
        if min(len([c for c in p if c not in _CLOSE and c not in _OPEN]) for p in pieces) < 2
    ]
