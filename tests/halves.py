"""Which marks a bundled CJK face draws in one half of its em, read from its `halt` data.

The typesetting checker uses it to find where a line-final mark's visible half ends (a
closing bracket, comma or full stop whose right half is blank may hang that half past the
column edge, jlreq §3.1.4, clreq §3.1.6) and where a line-initial opening bracket's visible
half starts (its blank left half is taken out, jlreq §3.1.5). Read from the fonts, not from
printbrief's tables.
"""

from __future__ import annotations

import re
from functools import cache

from fontTools.ttLib import TTFont

from printbrief.assets import asset_dir

# WeasyPrint names a font in the PDF after its family: PB-Serif-SC, PB-Sans-JP-Bold.
_FACE = re.compile(r"(?:[A-Z]{6}\+)?PB-(Sans|Serif)-(SC|TC|JP|KR)(-Bold)?$")


def right_blank(fontname: str) -> frozenset[str]:
    """The characters a face (a PDF font name such as ``ABCDEF+PB-Serif-SC``) sets in
    the left half of a full em, its right half blank; empty for any other font."""
    return _half_blank(fontname, left=False)


def left_blank(fontname: str) -> frozenset[str]:
    """The characters a face sets in the right half of a full em, its left half blank."""
    return _half_blank(fontname, left=True)


@cache
def _half_blank(fontname: str, left: bool) -> frozenset[str]:
    match = _FACE.match(fontname)
    if not match:
        return frozenset()
    weight = "Bold" if match[3] else "Regular"
    with TTFont(asset_dir("fonts") / "cjk" / f"PB{match[1]}{match[2]}-{weight}.ttf") as font:
        half = font["head"].unitsPerEm // 2
        by_glyph = {glyph: chr(cp) for cp, glyph in font.getBestCmap().items() if cp >= 0x2000}
        halt = _halt(font)
    blank = (-half, -half) if left else (0, -half)
    return frozenset(
        by_glyph[glyph] for glyph, value in halt.items() if value == blank and glyph in by_glyph
    )


def _halt(font: TTFont) -> dict[str, tuple[int, int]]:
    table = font["GPOS"].table
    found: dict[str, tuple[int, int]] = {}
    for record in table.FeatureList.FeatureRecord:
        if record.FeatureTag == "halt":
            for index in record.Feature.LookupListIndex:
                for sub in table.LookupList.Lookup[index].SubTable:
                    values = (
                        [sub.Value] * len(sub.Coverage.glyphs) if sub.Format == 1 else sub.Value
                    )
                    for glyph, value in zip(sub.Coverage.glyphs, values, strict=True):
                        found[glyph] = (
                            getattr(value, "XPlacement", 0),
                            getattr(value, "XAdvance", 0),
                        )
    return found
