"""Running heads and cover titles measured from the bundled fonts' advances (fontTools)."""

from __future__ import annotations

import unicodedata
from functools import cache

from fontTools.ttLib import TTFont

from .assets import asset_dir

LABEL_FACE = "latin/PBSans-Bold.ttf"
HEADLINE_FACE = "latin/PBSerif-Italic.ttf"


@cache
def advances(face: str) -> dict[int, float]:
    """Advance width in ems of every code point the bundled ``face`` maps (read once)."""
    with TTFont(asset_dir("fonts") / face, lazy=True) as font:
        upem, metrics = font["head"].unitsPerEm, font["hmtx"].metrics
        return {code: metrics[name][0] / upem for code, name in font.getBestCmap().items()}


def text_em(text: str, face: str, letter_spacing: float = 0.0) -> float:
    """Width of ``text`` set in ``face``, in ems, plus ``letter_spacing`` ems per character.

    Kerning is left out (it mostly narrows). A character the face lacks, set in a fallback
    face, counts 1 em when it is wide (CJK), else 0.6 em.
    """
    table = advances(face)
    wide = ("W", "F")
    return sum(
        table.get(ord(char), 1.0 if unicodedata.east_asian_width(char) in wide else 0.6)
        + letter_spacing
        for char in text
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
