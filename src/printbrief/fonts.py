"""Fonts: the bundled faces, per-language stacks, their @font-face CSS and glyph coverage checks.

Every font file has its own family name: WeasyPrint 70 merges same-family faces from different
files into one PDF font and prints wrong glyphs (tests/test_fonts.py checks glyph identity).
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont

from . import i18n
from .assets import asset_dir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Face:
    """One bundled font file under its own family (weights and styles may share one)."""

    family: str
    file: str
    weight: int = 400
    style: str = "normal"
    latin_for_cjk: bool = False  # declared with a unicode-range that leaves CJK punctuation out
    last_resort: bool = False  # maps every code point to a box: coverage ignores it

    @property
    def path(self) -> Path:
        """Absolute path of the file."""
        return asset_dir("fonts") / self.file


def _pair(family: str, stem: str, latin_for_cjk: bool = False) -> list[Face]:
    return [
        Face(family, f"{stem}-{style}.ttf", weight, latin_for_cjk=latin_for_cjk)
        for style, weight in (("Regular", 400), ("Bold", 700))
    ]


CJK_REGIONS = ("SC", "TC", "JP", "KR")

_SERIF = [
    *_pair("PB Serif", "latin/PBSerif"),
    Face("PB Serif", "latin/PBSerif-Italic.ttf", 400, "italic"),
    Face("PB Serif", "latin/PBSerif-BoldItalic.ttf", 700, "italic"),
]
FACES: tuple[Face, ...] = (
    *_SERIF,
    *_pair("PB Sans", "latin/PBSans"),
    *_pair("PB Sans CJK Latin", "latin/PBSans", latin_for_cjk=True),
    *_pair("PB Sans SC", "cjk/PBSansSC"),
    *_pair("PB Sans TC", "cjk/PBSansTC"),
    *_pair("PB Sans JP", "cjk/PBSansJP"),
    *_pair("PB Sans KR", "cjk/PBSansKR"),
    *_pair("PB Serif CJK Latin", "latin/PBSerif", latin_for_cjk=True),
    *(
        face
        for region in CJK_REGIONS
        for face in _pair(f"PB Serif {region}", f"cjk/PBSerif{region}")
    ),
    # Arrows, minus, operators, bullets and shapes that the Latin faces lack: without them
    # Latin text borrows full-width CJK glyphs or, with system fonts off, still DejaVu's.
    Face("PB Math", "symbols/PBMath-Regular.ttf"),
    Face("PB Symbols", "symbols/PBSymbols-Regular.ttf"),
    # Ends the stacks when system fonts are off: a character no bundled face has then prints
    # as a box (.notdef) instead of coming from whatever font the system has (DejaVu...).
    Face("PB Last Resort", "symbols/PBLastResort-Regular.ttf", last_resort=True),
)
SYMBOL_FAMILIES = ("PB Math", "PB Symbols")
LAST_RESORT = "PB Last Resort"
CJK_TEXT = ("sans", "serif")
"""A theme's ``cjk_text``: the CJK reading text in Hei/Gothic (sans) or Song/Ming/Mincho/Myeongjo."""

# Western punctuation that Chinese and Japanese set full width from the CJK face (notes §2.4, Z3).
CJK_PUNCTUATION = frozenset([0x00B7, 0x2014, 0x2015, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026])

# The system's full Noto CJK (Debian fonts-noto-cjk) by family name, for rare characters.
SYSTEM_FALLBACK = {region: f"Noto Sans CJK {region}" for region in CJK_REGIONS}
SYSTEM_SERIF_FALLBACK = {region: f"Noto Serif CJK {region}" for region in CJK_REGIONS}

_REGION_ORDER = {
    "latin": ("SC", "TC", "JP", "KR"),
    "zh-Hans": ("SC", "TC", "JP", "KR"),
    "zh-Hant": ("TC", "SC", "JP", "KR"),
    "ja": ("JP", "SC", "TC", "KR"),
    "ko": ("KR", "SC", "TC", "JP"),
}


def _cjk_chain(key: str, system: bool, serif: bool = False) -> list[str]:
    first, *rest = _REGION_ORDER[key]
    if serif:  # the sans after the serif: a serif stack covers at least what the sans one does
        fallback = [SYSTEM_SERIF_FALLBACK[first]] if system else []
        serifs = [f"PB Serif {first}", *fallback, *(f"PB Serif {r}" for r in rest)]
        return [*serifs, *_cjk_chain(key, system)]
    fallback = [SYSTEM_FALLBACK[first]] if system else []
    return [f"PB Sans {first}", *fallback, *(f"PB Sans {r}" for r in rest)]


@dataclass(frozen=True)
class Stack:
    """The text (body) and display (headings, labels) families for one script key."""

    key: str
    text: tuple[str, ...]
    display: tuple[str, ...]


def _stack(key: str, system: bool, cjk_text: str = "sans") -> Stack:
    chain, text_chain = _cjk_chain(key, system), _cjk_chain(key, system, cjk_text == "serif")
    if key == "latin":
        return Stack(
            key, ("PB Serif", *SYMBOL_FAMILIES, *text_chain), ("PB Sans", *SYMBOL_FAMILIES, *chain)
        )
    display = ("PB Sans", *SYMBOL_FAMILIES, *chain)
    if key == "ko":
        latin = "PB Serif" if cjk_text == "serif" else "PB Sans"
        return Stack(key, (latin, *SYMBOL_FAMILIES, *text_chain), display)
    display = ("PB Sans CJK Latin", *chain, "PB Sans", *SYMBOL_FAMILIES)
    if cjk_text == "serif":
        return Stack(
            key, ("PB Serif CJK Latin", *text_chain, "PB Serif", *SYMBOL_FAMILIES), display
        )
    return Stack(key, display, display)


def _closed(stack: Stack, system: bool) -> Stack:
    if system:
        return stack
    return Stack(stack.key, (*stack.text, LAST_RESORT), (*stack.display, LAST_RESORT))


_STACKS: dict[tuple[bool, str], dict[str, Stack]] = {
    (system, cjk_text): {
        key: _closed(_stack(key, system, cjk_text), system) for key in i18n.SCRIPT_KEYS
    }
    for system in (True, False)
    for cjk_text in CJK_TEXT
}


def stacks(system: bool = True, cjk_text: str = "sans") -> dict[str, Stack]:
    """The stacks by script key, with or without the system Noto CJK fallback families.

    ``cjk_text="serif"`` sets CJK reading text in the PB Serif SC/TC/JP/KR faces.
    """
    return _STACKS[system, cjk_text]


def stack_for(lang: str, system: bool = True, cjk_text: str = "sans") -> Stack:
    """The stack of a BCP 47 tag: ``stack_for("zh-TW").text[1] == "PB Sans TC"``."""
    return stacks(system, cjk_text)[i18n.script_key(lang)]


# ---------------------------------------------------------------------------------------- CSS


@cache
def font_face_css(system: bool = True, cjk_text: str = "sans") -> str:
    """@font-face rules for every bundled face plus ``--pb-text``/``--pb-display`` per language.

    Themes use ``font-family: var(--pb-text)`` and ``var(--pb-display)``; ``cjk_text`` (the
    theme's) says whether CJK ``--pb-text`` is sans or serif; ``--pb-display`` is always sans.
    """
    # Only the faces a stack names: each @font-face is one more file fontconfig scans per renderer
    named = {family for stack in stacks(system, cjk_text).values() for family in stack.display}
    named |= {family for stack in stacks(system, cjk_text).values() for family in stack.text}
    rules = [_font_face_rule(face) for face in FACES if face.family in named]
    for key, stack in stacks(system, cjk_text).items():
        rules.append(
            f"{_selector(key)} {{ --pb-text: {_families(stack.text)}; "
            f"--pb-display: {_families(stack.display)}; }}"
        )
    # font-family inherits as a resolved value, so an element that changes language must
    # resolve the variable again or it keeps its parent's stack (kana drawn in the SC face).
    rules.append("[lang] { font-family: var(--pb-text); }")
    # CJK faces have no italics: a synthesized slant looks broken, so CJK runs stay upright.
    rules.append(
        "span.cjk, [lang]:lang(zh), [lang]:lang(ja), [lang]:lang(ko) { font-style: normal; }"
    )
    return "\n".join(rules) + "\n"


def _font_face_rule(face: Face) -> str:
    lines = [
        f'font-family: "{face.family}"',
        f'src: url("{face.path.as_uri()}") format("truetype")',
        f"font-weight: {face.weight}",
        f"font-style: {face.style}",
    ]
    if face.latin_for_cjk:
        lines.append(f"unicode-range: {unicode_range(declared(face))}")
    return "@font-face { " + "; ".join(lines) + "; }"


_SELECTORS = {
    "latin": ":root, :lang(en)",
    "zh-Hans": ":lang(zh), :lang(zh-Hans), :lang(zh-CN), :lang(zh-SG)",
    "zh-Hant": ":lang(zh-Hant), :lang(zh-TW), :lang(zh-HK), :lang(zh-MO)",
    "ja": ":lang(ja)",
    "ko": ":lang(ko)",
}


def _selector(key: str) -> str:
    return _SELECTORS[key]


def _families(names: Iterable[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def unicode_range(points: Iterable[int]) -> str:
    """Code points as a compact CSS ``unicode-range`` (``U+20-7E, U+A0``)."""
    ranges: list[list[int]] = []
    for cp in sorted(points):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in ranges)


# ---------------------------------------------------------------------------------- coverage


@cache
def cmap(path: Path, index: int = 0) -> frozenset[int]:
    """Code points a font file maps (cached per process)."""
    with TTFont(path, fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap())


CMAP_INDEX = "cmaps.json"
"""Each bundled file's code points, written by ``tools/build_fonts.py`` so that a cold start
need not parse 30 MB of cmaps (160 ms); an entry whose file size differs is not trusted."""


def bundled_cmap(face: Face) -> frozenset[int]:
    """Code points of a bundled face, from the shipped index when it matches the file."""
    entry = _cmap_index().get(face.file)
    if entry and entry["size"] == face.path.stat().st_size:
        return _parse_ranges(entry["ranges"])
    return cmap(face.path)


@cache
def _cmap_index() -> dict[str, dict[str, str | int]]:
    path = asset_dir("fonts") / CMAP_INDEX
    if not path.is_file():
        return {}
    files: dict[str, dict[str, str | int]] = json.loads(path.read_text("utf-8"))["files"]
    return files


@cache
def _parse_ranges(text: str) -> frozenset[int]:
    points: set[int] = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        points.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(points)


def write_cmap_index(folder: Path, faces: Iterable[Face] = FACES) -> Path:
    """Write ``cmaps.json`` for the bundled files under ``folder`` (tools/build_fonts.py)."""
    files = {}
    for name in sorted({face.file for face in faces}):
        path = folder / name
        ranges = unicode_range(cmap(path)).replace("U+", "").replace(" ", "").lower()
        files[name] = {"size": path.stat().st_size, "ranges": ranges}
    out = folder / CMAP_INDEX
    out.write_text(json.dumps({"format": 1, "files": files}, indent=1) + "\n", "utf-8")
    return out


def declared(face: Face) -> frozenset[int]:
    """What a face claims: its cmap, less CJK punctuation for the Latin-for-CJK family.

    Nothing for the last-resort face: what only it "covers" prints as a box.
    """
    if face.last_resort:
        return frozenset()
    points = bundled_cmap(face)
    return points - CJK_PUNCTUATION if face.latin_for_cjk else points


@cache
def _family_points(family: str) -> frozenset[int]:
    faces = [f for f in FACES if f.family == family and f.weight == 400 and f.style == "normal"]
    if faces:
        return declared(faces[0])
    return _system_points(family)


@cache
def _system_points(family: str) -> frozenset[int]:
    location = system_font(family)
    return cmap(*location) if location else frozenset()


@cache
def system_font(family: str) -> tuple[Path, int] | None:
    """File and face index of an installed font family, by exact family name, or None."""
    if not shutil.which("fc-list"):
        return None
    pattern = f"{family}:style=Regular"
    out = subprocess.run(
        ["fc-list", "-f", "%{file}#%{index}\n", pattern],
        capture_output=True, text=True, check=False, timeout=10,
    ).stdout.split()  # fmt: skip
    if not out:
        return None
    file, _, index = sorted(out)[0].rpartition("#")
    return Path(file), int(index or 0)


def font_for(
    char: str, lang: str, *, display: bool = False, system: bool = True, cjk_text: str = "sans"
) -> str | None:
    """The family that will draw ``char`` in text of language ``lang``, or None (tofu).

    >>> font_for("陳", "en", system=False)  # with system fonts, Noto Sans CJK SC if installed
    'PB Sans TC'
    """
    stack = stack_for(lang, system, cjk_text)
    cp = ord(char)
    for family in stack.display if display else stack.text:
        if cp in _family_points(family):
            return family
    return None


def ignorable(char: str) -> bool:
    """Controls, format characters, spaces and combining marks need no glyph of their own."""
    return unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp", "Mn") or (
        0xFE00 <= ord(char) <= 0xFE0F
    )
