"""Running heads and cover titles measured from the bundled fonts' advances (fontTools)."""

from __future__ import annotations

import struct
import unicodedata
from functools import cache

from fontTools.ttLib import TTFont

from .assets import asset_dir

LABEL_FACE = "latin/PBSans-Bold.ttf"
HEADLINE_FACE = "latin/PBSerif-Italic.ttf"


@cache
def advances(face: str) -> dict[int, float]:
    """Advance width in ems of every BMP code point the bundled ``face`` maps (read once).

    The tables are read raw: fontTools' own ``cmap`` and ``hmtx`` name every glyph first,
    which costs a cold start over 0.1 s per face.
    """
    with TTFont(asset_dir("fonts") / face, lazy=True) as font:
        head, hhea, hmtx = (font.reader[tag] for tag in ("head", "hhea", "hmtx"))
        glyphs = _bmp_cmap(font.reader["cmap"])
    upem = struct.unpack_from(">H", head, 18)[0]
    count = struct.unpack_from(">H", hhea, 34)[0]  # numberOfHMetrics
    widths = struct.unpack_from(f">{2 * count}H", hmtx)[0::2]
    return {code: widths[min(glyph, count - 1)] / upem for code, glyph in glyphs.items()}


def _bmp_cmap(data: bytes) -> dict[int, int]:
    """Code point → glyph id from the Windows Unicode BMP subtable (format 4) of ``cmap``."""
    for i in range(struct.unpack_from(">H", data, 2)[0]):
        platform, encoding, at = struct.unpack_from(">HHI", data, 4 + 8 * i)
        if (platform, encoding) == (3, 1) and struct.unpack_from(">H", data, at)[0] == 4:
            return _format4(data, at)
    raise ValueError("no Unicode BMP cmap")


def _format4(data: bytes, at: int) -> dict[int, int]:
    segments = struct.unpack_from(">H", data, at + 6)[0] // 2
    ends = struct.unpack_from(f">{segments}H", data, at + 14)
    starts = struct.unpack_from(f">{segments}H", data, at + 16 + 2 * segments)
    deltas = struct.unpack_from(f">{segments}h", data, at + 16 + 4 * segments)
    base = at + 16 + 6 * segments  # idRangeOffset[0]; each offset counts from its own slot
    offsets = struct.unpack_from(f">{segments}H", data, base)
    found = {}
    for i, (start, end, delta, offset) in enumerate(
        zip(starts, ends, deltas, offsets, strict=True)
    ):
        for code in range(start, min(end, 0xFFFE) + 1):
            glyph = code
            if offset:
                glyph = struct.unpack_from(">H", data, base + 2 * i + offset + 2 * (code - start))[
                    0
                ]
            if glyph := (glyph + delta) & 0xFFFF if glyph else 0:
                found[code] = glyph
    return found


def text_em(text: str, face: str, letter_spacing: float = 0.0) -> float:
    """Width of ``text`` set in ``face``, in ems, plus ``letter_spacing`` ems per character.

    Kerning is left out (it mostly narrows). A character the face lacks, set in a fallback
    face, counts 1 em when it is wide (CJK), else 0.6 em. In text with CJK in it, a character
    of ambiguous width (the middle dot of ``海岸日报 · 简讯``) is set by the CJK face, full
    width: it counts 1 em too.
    """
    table = advances(face)
    widths = [unicodedata.east_asian_width(char) for char in text]
    wide = ("W", "F", "A") if "W" in widths or "F" in widths else ("W", "F")
    return sum(
        (1.0 if width in wide else table.get(ord(char), 0.6)) + letter_spacing
        for char, width in zip(text, widths, strict=True)
    )


def label_em(label: str) -> float:
    """The running head's label as newsbrief sets it: capitals, bold sans, spaced 0.06 em."""
    return round(text_em(label.upper(), LABEL_FACE, 0.06), 3)


def headline_em(headline: str) -> float:
    """The running head's headline as newsbrief sets it: the text face's italic."""
    return round(text_em(headline, HEADLINE_FACE), 3)


def title_em(title: str) -> float:
    """A cover title in the bold sans of the built-in themes' covers, in ems."""
    return round(text_em(title, LABEL_FACE), 3)
