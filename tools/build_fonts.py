"""Rebuild printbrief's bundled fonts from pinned registry packages (a maintainer step).

Usage: python tools/build_fonts.py --out fonts [--cache DIR] [--jobs N]

Inputs, each checked against a sha256 pin before use:
  * Debian fonts-noto-core 20201225-1 (apt-get download): static Noto Serif and Noto Sans TTFs;
    also Noto Sans Math and Noto Sans Symbols 2;
  * PyPI justmytype-intl-cjk 0.1.0 (pip download): Noto Sans SC/TC/JP/KR variable glyf TTFs;
  * npm @expo-google-fonts/noto-serif-sc, -tc, -jp, -kr (npm pack): static Noto Serif CJK TTFs.
Every output is a static, subset, unhinted, renamed TrueType font, written byte-reproducibly,
plus OFL.txt and README.md (provenance); the CJK ones compress consecutive punctuation by
default (punctuation.py). Needs Debian's apt-get and dpkg-deb, npm, and fontTools. --jobs
builds that many fonts at once (the output does not depend on it). Why plain static TTF: see
fonts/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import fontTools
from fontTools import subset
from fontTools.misc.timeTools import epoch_diff
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._c_m_a_p import CmapSubtable
from fontTools.varLib import instancer

from printbrief import fonts

sys.path.insert(0, str(Path(__file__).parent))
import punctuation  # tools/ is not a package

COMMAND = "python tools/build_fonts.py --out fonts"
# head.modified of every output: fixed, so that two builds give identical bytes.
MODIFIED = int(datetime(2026, 11, 28, tzinfo=UTC).timestamp()) - epoch_diff
NOTO = "usr/share/fonts/truetype/noto"
OFL_DIR = "justmytype_intl_cjk/fonts/ofl"
KEPT_NAME_IDS = (0, 7, 8, 9, 11, 12, 13, 14)  # copyright, trademark, credits, URLs, licence
QUOTES = {0x201C, 0x201D, 0x2018, 0x2019, 0x2014, 0x2026}


@dataclass(frozen=True)
class Package:
    """A pinned input archive from one of the project's registries."""

    registry: str  # "debian", "pypi" or "npm"
    name: str
    version: str
    filename: str
    sha256: str


@dataclass(frozen=True)
class Source:
    """A pinned file inside a package."""

    package: str  # key of PACKAGES
    path: str
    sha256: str


@dataclass(frozen=True)
class Target:
    """One output font: its name, its source and the characters it keeps."""

    out: str
    family: str
    style: str  # Regular, Bold, Italic or Bold Italic
    source: str  # key of SOURCES
    charset: str  # "latin", "math", "symbols" or a CJK region: "SC", "TC", "JP", "KR"
    weight: int | None = None  # instance the variable source at this wght


@dataclass
class Result:
    """What one build produced, for the provenance tables."""

    target: Target
    sha256: str
    size: int
    glyphs: int
    codepoints: int
    absent: list[int]  # characters of the national standard that the source font lacks
    coverage: dict[str, tuple[int, int]] = field(default_factory=dict)
    copyright: str = ""
    origin: str = ""  # the source font's family name
    spacing: str = ""  # where its punctuation compression came from: "chws" or "halt"


PACKAGES = {
    "deb": Package(
        "debian",
        "fonts-noto-core",
        "20201225-1",
        "fonts-noto-core_20201225-1_all.deb",
        "58f4f0bb6720f919f92096b3508e1412a0f1544424ade6c5b5bf1eb694dd64ba",
    ),
    "wheel": Package(
        "pypi",
        "justmytype-intl-cjk",
        "0.1.0",
        "justmytype_intl_cjk-0.1.0-py3-none-any.whl",
        "06d9665542bfcad373716bb80583aa2d9bb2086a054fe11f706b9bd41e03f256",
    ),
    **{
        f"npm-{region.lower()}": Package(
            "npm",
            f"@expo-google-fonts/noto-serif-{region.lower()}",
            version,
            f"expo-google-fonts-noto-serif-{region.lower()}-{version}.tgz",
            pin,
        )
        for region, version, pin in (
            ("SC", "0.4.3", "ff6bcf5ba68d92dfecc05544bb150f9e724741a932354a0dd97e7289c40a3f5e"),
            ("TC", "0.4.4", "3ea15781c2997b4a0ff40b1f4d15f6bd2b7e2e41128ba6c9b9ebcd129a076b68"),
            ("JP", "0.4.3", "4805f4369a831140d0c1a5650e90296cff2641ff202da43ef5272edc2e0866ee"),
            ("KR", "0.4.3", "ff2948a8e9d0e037eaba537905fcc973d512d0df3c16fc9df89740a5d821cf1b"),
        )
    },
}
# Static Noto Serif CJK 2.003 files inside the npm packages: (region, style) -> sha256.
SERIF_PINS = {
    ("SC", "Regular"): "c358a69de3df5f423a8946a7b03e3126fb6ba116f1130a463455b4e39e1f0742",
    ("SC", "Bold"): "9c6a2ba736e4b499c84f65ce366bd3625c0401885fd3e585ace50fb738b96ff6",
    ("TC", "Regular"): "b0acf9799d5dc656cdeff077d36b2ee9032b762e05b3f8a7b76c81dee4eec08c",
    ("TC", "Bold"): "98c207d0254a6b0b4b5611dd8d5bcc37af4482494477d43eba6b2409ed083140",
    ("JP", "Regular"): "5a04846a0e23acefae825f2f459205036a166f5a63462019ce3492d07bd20e92",
    ("JP", "Bold"): "370341f60a5a33dff0dd66e9fb04ddb7523846d4800e4e2cd8fba0bf715d44ea",
    ("KR", "Regular"): "c8c5922208f207214ce01791290621c28fda4ff788bd4dddc511aaebf61f4a74",
    ("KR", "Bold"): "a73b9f92a4f18ec965695d80653d3e2b760343bd8f8169682bc0c9d26cfaeffd",
}
SERIF_FILES = {"Regular": "400Regular", "Bold": "700Bold"}
SOURCES = {
    "NotoSerif-Regular": Source(
        "deb",
        f"{NOTO}/NotoSerif-Regular.ttf",
        "9d7583b7dc9e812afd32a14280c5cac3160012efe50c8d08938f4fea266ff67f",
    ),
    "NotoSerif-Bold": Source(
        "deb",
        f"{NOTO}/NotoSerif-Bold.ttf",
        "0af0ff2be8f84910fb21ec5fe1b6b7395e3073250502a334baf6ca2f860c88fe",
    ),
    "NotoSerif-Italic": Source(
        "deb",
        f"{NOTO}/NotoSerif-Italic.ttf",
        "bc25600aa27cd409e1e5b3d86340df3a329bb860fcfbe57a03a95070b229e1b0",
    ),
    "NotoSerif-BoldItalic": Source(
        "deb",
        f"{NOTO}/NotoSerif-BoldItalic.ttf",
        "78a6d685e5690b7dcda0f336b689193afc03b6bab5cf18fc1a9ecc3aa0600059",
    ),
    "NotoSans-Regular": Source(
        "deb",
        f"{NOTO}/NotoSans-Regular.ttf",
        "89c3c497f618fdaa0b2d1e98fef93582f28c71debd2c4a8cdf41f190ced2909d",
    ),
    "NotoSans-Bold": Source(
        "deb",
        f"{NOTO}/NotoSans-Bold.ttf",
        "e83493c945848ecd4a9ad0f6d19164541a0d3e23a9c952304a00a46e00272ac5",
    ),
    "NotoSansSC": Source(
        "wheel",
        f"{OFL_DIR}/notosanssc/NotoSansSC[wght].ttf",
        "a3041811a78c361b1de50f953c805e0244951c21c5bd412f7232ef0d899af0da",
    ),
    "NotoSansTC": Source(
        "wheel",
        f"{OFL_DIR}/notosanstc/NotoSansTC[wght].ttf",
        "864727d210d54f2537bbe23b3a839436c3992af72de9322af5270897246bd44f",
    ),
    "NotoSansJP": Source(
        "wheel",
        f"{OFL_DIR}/notosansjp/NotoSansJP[wght].ttf",
        "c2f3b4d463500a2ddcd3849cded1fceeb9fd6d1c32e6cbecd568453ba50fc68f",
    ),
    "NotoSansKR": Source(
        "wheel",
        f"{OFL_DIR}/notosanskr/NotoSansKR[wght].ttf",
        "194018e6b2b293a7964f037b25c0249ce1418bc9ab3c971060a03aa57861e252",
    ),
    "NotoSansMath": Source(
        "deb",
        f"{NOTO}/NotoSansMath-Regular.ttf",
        "8242bd1e55368b27e32455260754cf9aa58f3ad7ea80664b66c21f1b09910d6c",
    ),
    "NotoSansSymbols2": Source(
        "deb",
        f"{NOTO}/NotoSansSymbols2-Regular.ttf",
        "876598db5f1e3bef2bc77c4d94c5b0d5d2c1620be4878a06f18fb5434e331688",
    ),
    **{
        f"NotoSerif{region}-{style}": Source(
            f"npm-{region.lower()}",
            f"package/{SERIF_FILES[style]}/NotoSerif{region}_{SERIF_FILES[style]}.ttf",
            pin,
        )
        for (region, style), pin in SERIF_PINS.items()
    },
    "OFL": Source(
        "wheel",
        f"{OFL_DIR}/notosanssc/OFL.txt",
        "1c05c68c34f9708415aada51f17e1b0092d2cea709bf4a94cd38114f9e73d7d9",
    ),
}
TARGETS = [
    *(
        Target(
            f"latin/PBSerif-{s.replace(' ', '')}.ttf",
            "PB Serif",
            s,
            f"NotoSerif-{s.replace(' ', '')}",
            "latin",
        )
        for s in ("Regular", "Bold", "Italic", "Bold Italic")
    ),
    *(
        Target(f"latin/PBSans-{s}.ttf", "PB Sans", s, f"NotoSans-{s}", "latin")
        for s in ("Regular", "Bold")
    ),
    *(
        Target(f"cjk/PBSans{r}-{s}.ttf", f"PB Sans {r}", s, f"NotoSans{r}", r, w)
        for r in ("SC", "TC", "JP", "KR")
        for s, w in (("Regular", 400), ("Bold", 700))
    ),
    *(
        Target(f"cjk/PBSerif{r}-{s}.ttf", f"PB Serif {r}", s, f"NotoSerif{r}-{s}", r)
        for r in ("SC", "TC", "JP", "KR")
        for s in ("Regular", "Bold")
    ),
    Target("symbols/PBMath-Regular.ttf", "PB Math", "Regular", "NotoSansMath", "math"),
    Target("symbols/PBSymbols-Regular.ttf", "PB Symbols", "Regular", "NotoSansSymbols2", "symbols"),
    Target(
        "symbols/PBLastResort-Regular.ttf",
        "PB Last Resort",
        "Regular",
        "NotoSansSymbols2",
        "last resort",
    ),
]


def span(*pairs: tuple[int, int]) -> set[int]:
    """The code points of inclusive (first, last) ranges."""
    return {cp for first, last in pairs for cp in range(first, last + 1)}


def dbcs(codec: str, first: int, last: int) -> set[int]:
    """Characters a double-byte codec decodes from the byte pairs first..last (inclusive)."""
    found: set[int] = set()
    for lead in range(first >> 8, (last >> 8) + 1):
        for trail in range(0x40, 0xFF):
            if not first <= (lead << 8 | trail) <= last:
                continue
            try:
                text = bytes((lead, trail)).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(text) == 1:
                found.add(ord(text))
    return found


LATIN = span(
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x024F),  # Latin-1, Latin Extended-A and -B
    (0x0250, 0x02AF),  # IPA Extensions (Azerbaijani ə)
    (0x02B0, 0x02FF),  # Spacing Modifier Letters
    (0x0300, 0x036F),  # Combining Diacritical Marks
    (0x0370, 0x03FF),  # Greek and Coptic
    (0x0400, 0x052F),  # Cyrillic, Cyrillic Supplement
    (0x1E00, 0x1EFF),  # Latin Extended Additional
    (0x2000, 0x206F),  # General Punctuation, all of it
    (0x2070, 0x209F),  # Superscripts and Subscripts
    (0x20A0, 0x20CF),  # Currency Symbols
    (0x2100, 0x214F),  # Letterlike Symbols (™ №)
    (0x2150, 0x218F),  # Number Forms (⅓)
    (0x2190, 0x21FF),  # Arrows (absent from Noto Serif/Sans 2.004)
    (0x2212, 0x2212),  # minus sign (absent too)
    (0x25A0, 0x25FF),  # Geometric Shapes (only ◌ present)
    (0xFB00, 0xFB06),  # Latin ligatures (ﬁ ﬂ)
    (0xFFFD, 0xFFFD),  # replacement character
)
# Symbols that Noto Serif and Noto Sans lack, so that Latin text need not borrow full-width CJK
# glyphs for them: arrows, the minus sign and mathematical operators from Noto Sans Math...
# Each symbol face has the space and the no-break space: Pango sets a space in the face of the
# character before it, so a face without one prints a box after `◦ ` or between `✓ ★`.
MATH = span(
    (0x0020, 0x0020),  # space
    (0x00A0, 0x00A0),  # no-break space
    (0x00AC, 0x00AC),  # not sign
    (0x00B1, 0x00B1),  # plus-minus
    (0x00D7, 0x00D7),  # multiplication
    (0x00F7, 0x00F7),  # division
    (0x2190, 0x21FF),  # Arrows
    (0x2200, 0x22FF),  # Mathematical Operators (U+2212 minus)
    (0x2300, 0x23FF),  # Miscellaneous Technical
    (0x27F0, 0x27FF),  # Supplemental Arrows-A
    (0x2900, 0x297F),  # Supplemental Arrows-B
)
# ... and list bullets, geometric shapes, ticks, stars and suits from Noto Sans Symbols 2.
SYMBOLS = span(
    (0x0020, 0x0020),  # space
    (0x00A0, 0x00A0),  # no-break space
    (0x2022, 0x2022),  # bullet
    (0x25A0, 0x25FF),  # Geometric Shapes (● ■ ◦ ▪ for list markers)
    (0x2600, 0x26FF),  # Miscellaneous Symbols (★ ☆ ♠ ♥)
    (0x2700, 0x27BF),  # Dingbats (✓ ✗)
    (0x2B00, 0x2BFF),  # Miscellaneous Symbols and Arrows
)
# What PB Last Resort maps to its box: the BMP and the planes CJK extensions use, less the C0
# controls and the surrogates.
LAST_RESORT = span((0x20, 0xD7FF), (0xE000, 0x3FFFF))
CJK_BASE = span(
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1
    (0x2000, 0x206F),  # General Punctuation
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0xFE30, 0xFE4F),  # CJK Compatibility Forms
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
)
# Reference sets for the coverage table: (codec, first byte pair, last byte pair) or a range.
MEASURES = {
    "GB 2312 hanzi": ("gb2312", 0xB0A1, 0xF7FE),
    "Big5 common": ("big5", 0xA440, 0xC67E),
    "Big5 less common": ("big5", 0xC940, 0xF9D5),
    "JIS X 0208 kanji": ("euc_jp", 0xB0A1, 0xF4A6),
    "KS X 1001 hanja": ("euc_kr", 0xCAA1, 0xFDFE),
    "Hangul syllables": ("", 0xAC00, 0xD7A3),
}
# Each CJK region's national standard: every character its codec maps in that byte range.
CODECS = {
    "SC": ("gb2312", 0xA1A1, 0xF7FE),
    "TC": ("big5", 0xA140, 0xF9FE),
    "JP": ("euc_jp", 0xA1A1, 0xFEFE),
    "KR": ("euc_kr", 0xA1A1, 0xFEFE),
}
REGION_BLOCKS = {
    "SC": set(),
    "TC": set(),
    "JP": span((0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF61, 0xFF9F)),
    "KR": span((0xAC00, 0xD7A3), (0x1100, 0x11FF), (0x3130, 0x318F)),
}


@cache
def standard(region: str) -> frozenset[int]:
    """Every character of a region's national character set (all its two-byte codes)."""
    return frozenset(dbcs(*CODECS[region]))


@cache
def charset(name: str) -> frozenset[int]:
    """The code points a target asks for (before intersecting with the source's cmap)."""
    if name in ("latin", "math", "symbols", "last resort"):
        return frozenset({"latin": LATIN, "math": MATH, "symbols": SYMBOLS}.get(name, set()))
    return frozenset(CJK_BASE | standard(name) | REGION_BLOCKS[name])


@cache
def measure(name: str) -> frozenset[int]:
    """One reference set of the coverage table."""
    codec, first, last = MEASURES[name]
    return frozenset(dbcs(codec, first, last) if codec else span((first, last)))


def sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, pin: str) -> None:
    """Stop the build unless the file's sha256 equals its pin."""
    actual = sha256(path)
    if actual != pin:
        raise SystemExit(f"{path}: sha256 {actual} does not match the pin {pin}; refusing to build")


def download(package: Package, cache_dir: Path) -> Path:
    """Fetch a package with its registry's own client (unless cached) and verify it."""
    path = cache_dir / package.filename
    if not path.exists():
        if package.registry == "debian":
            sandbox = ["-o", "APT::Sandbox::User=root"] if os.geteuid() == 0 else []
            command = ["apt-get", *sandbox, "download", f"{package.name}={package.version}"]
        elif package.registry == "npm":
            command = ["npm", "pack", f"{package.name}@{package.version}"]
        else:
            command = [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--dest",
                str(cache_dir),
                f"{package.name}=={package.version}",
            ]
        subprocess.run(command, cwd=cache_dir, check=True)
    verify(path, package.sha256)
    return path


def prepare_inputs(cache_dir: Path, work: Path) -> dict[str, Path]:
    """Download and unpack the packages, verify every source file; map source keys to paths."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    archives = {key: download(package, cache_dir) for key, package in PACKAGES.items()}
    subprocess.run(["dpkg-deb", "-x", str(archives["deb"]), str(work / "deb")], check=True)
    for key, archive in archives.items():
        if PACKAGES[key].registry == "npm":
            with tarfile.open(archive) as tgz:
                members = [s.path for s in SOURCES.values() if s.package == key]
                tgz.extractall(work / key, members=members, filter="data")
    with zipfile.ZipFile(archives["wheel"]) as wheel:
        for source in SOURCES.values():
            if source.package == "wheel":
                wheel.extract(source.path, work / "wheel")
    paths = {key: work / source.package / source.path for key, source in SOURCES.items()}
    for key, path in paths.items():
        verify(path, SOURCES[key].sha256)
    return paths


def subset_options() -> subset.Options:
    """pyftsubset settings: all layout features, a visible .notdef, no hints, no glyph names."""
    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True  # a missing character prints as a box, not as a blank
    options.glyph_names = False
    options.hinting = False  # irrelevant in print; saves about a third of the Latin files
    options.name_IDs = list(KEPT_NAME_IDS)
    options.drop_tables = [*options.drop_tables, "STAT"]  # static fonts need no style attributes
    # WeasyPrint 70 has no vertical writing, yet would embed vertical metrics in every PDF
    options.drop_tables += ["vhea", "vmtx", "VORG"]
    return options


def set_style_bits(font: TTFont, style: str) -> None:
    """Make head.macStyle and OS/2.fsSelection agree with the style name."""
    bold, italic = "Bold" in style, "Italic" in style
    font["head"].macStyle = (font["head"].macStyle & ~0b11) | bold | italic << 1
    selection = font["OS/2"].fsSelection & ~0b1100001  # clear ITALIC, BOLD and REGULAR
    font["OS/2"].fsSelection = selection | italic | bold << 5 | (not bold and not italic) << 6


def rename(font: TTFont, target: Target, origin: str, version: str) -> None:
    """Give the font its printbrief names (OFL: a modified font needs a new name)."""
    table = font["name"]
    postscript = f"{target.family.replace(' ', '')}-{target.style.replace(' ', '')}"
    change = f"static instance at wght {target.weight}, " if target.weight else ""
    if target.charset in fonts.CJK_REGIONS:
        change += "punctuation compression in kern, "
    names = {
        1: target.family,
        2: target.style,
        3: f"{version.removeprefix('Version ')};printbrief;{postscript}",
        4: f"{target.family} {target.style}",
        5: f"{version}; printbrief",
        6: postscript,
        10: f"Modified from {origin} {version.removeprefix('Version ')} for printbrief: "
        f"{change}subset, unhinted, renamed.",
    }
    # IDs >= 256 survive subsetting only if a layout table still refers to them
    table.names = [n for n in table.names if n.nameID in KEPT_NAME_IDS or n.nameID >= 256]
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
    set_style_bits(font, target.style)


def last_resort(font: TTFont) -> set[int]:
    """Map every code point of LAST_RESORT to a copy of .notdef (one format 13 cmap group).

    A stack that ends with this face never falls back to a system font: fontconfig drops a
    family that adds no coverage, so a `unicode-range` on an existing file would not do.
    """
    font.setGlyphOrder([".notdef", "box"])
    font["glyf"].glyphs["box"] = font["glyf"][".notdef"]
    font["glyf"].glyphOrder = font.getGlyphOrder()
    font["hmtx"].metrics["box"] = font["hmtx"].metrics[".notdef"]
    table = CmapSubtable.newSubtable(13)
    table.platformID, table.platEncID, table.language = 3, 10, 0
    table.cmap = dict.fromkeys(sorted(LAST_RESORT), "box")
    font["cmap"].tables = [table]
    for tag in ("GSUB", "GPOS", "GDEF", "vhea", "vmtx"):
        if tag in font:
            del font[tag]
    return set(LAST_RESORT)


def check_output(path: Path, target: Target, wanted: set[int], available: set[int]) -> set[int]:
    """Re-open a written font, stop the build if it is not what printbrief needs; return its cmap."""
    font = TTFont(path)
    cmap = set(font.getBestCmap())
    weight = 700 if "Bold" in target.style else 400
    problems = [
        "no glyf table" if "glyf" not in font else "",
        "CFF outlines" if "CFF " in font or "CFF2" in font else "",
        "still variable" if "fvar" in font or "gvar" in font else "",
        "empty .notdef" if font["glyf"][".notdef"].numberOfContours == 0 else "",
        "wrong family name" if font["name"].getDebugName(1) != target.family else "",
        "wrong weight class" if font["OS/2"].usWeightClass != weight else "",
        # the cmap may exceed `wanted`: fontTools keeps Bidi mirrors (∈ brings ∋) the source has
        "wanted code points lost" if not wanted <= cmap else "",
        "code points the source lacks" if not cmap <= available else "",
        "Western quotes missing" if target.charset == "latin" and not cmap >= QUOTES else "",
    ]
    if any(problems):
        raise RuntimeError(f"{target.out}: " + ", ".join(p for p in problems if p))
    return cmap


def build(target: Target, source: Path, out: Path) -> Result:
    """Instance, subset, rename and save one target; return its provenance."""
    font = TTFont(source, recalcTimestamp=False)
    origin = font["name"].getDebugName(16) or font["name"].getDebugName(1) or ""
    version = (font["name"].getDebugName(5) or "").split(";")[0].strip()  # "Version 2.004"
    available = set(font.getBestCmap())
    if target.weight is not None:
        font = instancer.instantiateVariableFont(font, {"wght": target.weight})
        font.recalcTimestamp = False
    wanted = set(charset(target.charset)) & available
    subsetter = subset.Subsetter(subset_options())
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    if target.charset == "last resort":
        available = last_resort(font)
    spacing = punctuation.bake(font) if target.charset in fonts.CJK_REGIONS else ""
    rename(font, target, origin, version)
    font["head"].modified = MODIFIED  # `created` stays the source font's
    path = out / target.out
    path.parent.mkdir(parents=True, exist_ok=True)
    font.save(path)
    cmap = check_output(path, target, wanted, available)
    latin = target.charset not in fonts.CJK_REGIONS
    coverage = {} if latin else {n: (len(cmap & measure(n)), len(measure(n))) for n in MEASURES}
    absent = [] if latin else sorted(standard(target.charset) - available)
    return Result(
        target,
        sha256(path),
        path.stat().st_size,
        len(font.getGlyphOrder()),
        len(cmap),
        absent,
        coverage,
        font["name"].getDebugName(0) or "",
        origin,
        spacing,
    )


def build_all(sources: dict[str, Path], out: Path, jobs: int) -> list[Result]:
    """Build every target, the slow (variable) ones first, in up to `jobs` processes."""
    order = sorted(TARGETS, key=lambda target: target.weight is None)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {t: pool.submit(build, t, sources[t.source], out) for t in order}
        return [futures[target].result() for target in TARGETS]


def write_ofl(out: Path, licence: Path, results: list[Result]) -> None:
    """OFL.txt: the copyright lines of the source fonts, then the licence text."""
    holders: dict[str, dict[str, str]] = {}
    for result in results:
        holders.setdefault(result.copyright, {})[result.target.family] = result.origin
    lines = [
        f"{notice}\n    ({', '.join(names)}: modified from {', '.join(names.values())})\n"
        for notice, names in holders.items()
    ]
    text = licence.read_text(encoding="utf-8")
    body = text[text.index("This Font Software is licensed") :]
    (out / "OFL.txt").write_text("\n".join(lines) + "\n" + body, encoding="utf-8")


def percent(hit: int, total: int) -> str:
    """A coverage cell such as '6763/6763 (100.0%)'."""
    return f"{hit}/{total} ({100 * hit / total:.1f}%)"


def file_rows(results: list[Result]) -> list[str]:
    """Markdown rows: one per output file, with its provenance."""
    rows = [
        "| file | from (package, version) | source file in the package | source sha256 "
        "| output sha256 | bytes | glyphs | code points |",
        "|---" * 8 + "|",
    ]
    for r in results:
        package = PACKAGES[SOURCES[r.target.source].package]
        source = SOURCES[r.target.source]
        rows.append(
            f"| `{r.target.out}` | {package.registry} `{package.name}` {package.version} "
            f"| `{source.path}` | `{source.sha256}` | `{r.sha256}` | {r.size:,} "
            f"| {r.glyphs:,} | {r.codepoints:,} |"
        )
    return rows


def coverage_rows(results: list[Result]) -> list[str]:
    """Markdown rows: coverage of each CJK file against the reference character sets."""
    rows = [
        "| file | code points | " + " | ".join(MEASURES) + " |",
        "|---" * (len(MEASURES) + 2) + "|",
    ]
    for r in results:
        if r.coverage:
            cells = " | ".join(percent(*r.coverage[name]) for name in MEASURES)
            rows.append(f"| `{r.target.out}` | {r.codepoints:,} | {cells} |")
    return rows


def input_rows() -> list[str]:
    """Markdown rows: the pinned packages."""
    rows = ["| registry | package | version | file | sha256 |", "|---|---|---|---|---|"]
    for p in PACKAGES.values():
        rows.append(f"| {p.registry} | `{p.name}` | {p.version} | `{p.filename}` | `{p.sha256}` |")
    return rows


def absent_lines(results: list[Result]) -> list[str]:
    """Markdown bullets: characters of a national standard that a CJK source font lacks."""
    lines: dict[str, str] = {}
    for r in results:
        if r.target.charset in fonts.CJK_REGIONS:
            shown = " ".join(f"U+{cp:04X} {chr(cp)}" for cp in r.absent[:12])
            more = " …" if len(r.absent) > 12 else ""
            lines[r.target.family] = f"- {r.target.family}: " + (
                f"{len(r.absent)} ({shown}{more})" if r.absent else "none"
            )
    return list(lines.values())


def write_readme(out: Path, results: list[Result]) -> None:
    """README.md: what the files are, where they come from, how to rebuild them."""
    total = sum(r.size for r in results)
    text = README.format(
        files="\n".join(file_rows(results)),
        inputs="\n".join(input_rows()),
        coverage="\n".join(coverage_rows(results)),
        absent="\n".join(absent_lines(results)),
        total=f"{total:,}",
        total_mb=f"{total / 1e6:.1f}",
        command=COMMAND,
        fonttools=fontTools.version,
    )
    (out / "README.md").write_text(text, encoding="utf-8")


def print_summary(results: list[Result], seconds: float) -> None:
    """Print sizes, code point counts and CJK coverage to the terminal."""
    for r in results:
        print(
            f"{r.target.out:32} {r.size:>10,} bytes {r.glyphs:>7,} glyphs "
            f"{r.codepoints:>7,} code points  {r.sha256[:16]}"
        )
    print(f"{'total':32} {sum(r.size for r in results):>10,} bytes")
    print()
    print("\n".join(coverage_rows(results)))
    print(f"\nbuilt {len(results)} fonts in {seconds:.0f} s with fontTools {fontTools.version}")


def main(argv: list[str] | None = None) -> int:
    """Parse the options and rebuild everything into --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("fonts"), help="output folder")
    parser.add_argument(
        "--cache",
        type=Path,
        help="keep downloads here (default: a temp folder)",
        default=Path(tempfile.gettempdir()) / "printbrief-font-inputs",
    )
    parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument(
        "--index-only", action="store_true", help="only rewrite cmaps.json from the fonts in --out"
    )
    args = parser.parse_args(argv)
    if args.index_only:
        print(f"wrote {fonts.write_cmap_index(args.out)}")
        return 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="printbrief-fonts-") as work:
        sources = prepare_inputs(args.cache, Path(work))
        results = build_all(sources, args.out, args.jobs)
        write_ofl(args.out, sources["OFL"], results)
    write_readme(args.out, results)
    fonts.write_cmap_index(args.out)
    print_summary(results, time.monotonic() - started)
    return 0


README = """\
# Bundled fonts

printbrief ships its own fonts so that an article prints with the same glyphs on every machine.
All of them are modified Noto fonts under the SIL Open Font License 1.1 (`OFL.txt`). The OFL
asks that modified fonts do not keep the original names, so they are called **PB Serif**,
**PB Sans**, **PB Sans SC / TC / JP / KR**, **PB Serif SC / TC / JP / KR**, **PB Math** and
**PB Symbols**. The copyright, trademark, designer and licence entries of the source fonts are
kept in each file's name table.

Every file is a static TrueType (glyf) font: variable fonts cost about a second per render in
WeasyPrint 70, glyf-WOFF2 is decoded in pure Python (seconds per font), and CID-keyed CFF adds
about 80 KB to every PDF that uses it. Each file set has its own family name, because WeasyPrint
70 merges same-family faces from different files into one PDF font and then prints wrong glyphs.

Together the files take {total} bytes ({total_mb} MB).

`cmaps.json` lists each file's code points and size, so that printbrief checks coverage
without parsing the fonts when it starts (an entry whose size differs from its file is ignored).

## What each file keeps

Only code points that the source font really has are kept (so no `unicode-range` or cmap ever
claims a character the file cannot draw). Layout features are all kept (`vert`, `palt`, `locl`,
kerning, ligatures...), `.notdef` keeps its box outline so that a missing character shows up
as a box instead of a blank, and hinting instructions, glyph names and vertical metrics are
dropped (WeasyPrint 70 sets no vertical text, and every PDF would carry them: about 1.5 KB
per CJK font).

- **PB Serif** (Regular, Bold, Italic, Bold Italic; from Noto Serif) and **PB Sans** (Regular,
  Bold; from Noto Sans): Basic Latin, Latin-1, Latin Extended-A and -B, IPA Extensions (for
  Azerbaijani ə), spacing modifiers, combining diacritics, Greek, Cyrillic and Cyrillic
  Supplement, Latin Extended Additional, all of General Punctuation (U+2000-206F),
  superscripts and subscripts, currency symbols, letterlike symbols (™ №), number forms (⅓),
  the f-ligatures U+FB00-FB06 and U+FFFD. The build also asks for arrows, U+2212 minus and
  the geometric shapes, but Noto Serif and Noto Sans 2.004 have no arrows, no minus sign and,
  of the geometric shapes, only the dotted circle U+25CC: − ● ■ ◦ ▪ → come from the next family
  in the stack, PB Math or PB Symbols.
- **PB Math** (from Noto Sans Math): the arrows (U+2190-21FF, U+27F0-27FF, U+2900-297F),
  mathematical operators (U+2200-22FF, with the minus sign U+2212), miscellaneous technical
  symbols and ¬ ± × ÷. **PB Symbols** (from Noto Sans Symbols 2): the bullet, geometric
  shapes (● ■ ◦ ▪, the list markers), miscellaneous symbols, dingbats (✓ ✗) and
  miscellaneous symbols and arrows. Both come right after the Latin face in Latin stacks, so
  these print at Latin width instead of borrowing full-width CJK glyphs, and never come from
  a system font.
- **PB Sans SC / TC / JP / KR** (from Noto Sans SC / TC / JP / KR, instanced at wght 400 for
  Regular and 700 for Bold) and **PB Serif SC / TC / JP / KR** (Song, Ming, Mincho and
  Myeongjo: from the static Noto Serif SC / TC / JP / KR Regular and Bold) share a base: ASCII, Latin-1, General Punctuation, CJK Symbols and
  Punctuation (U+3000-303F), CJK Compatibility Forms (U+FE30-FE4F) and Halfwidth and Fullwidth
  Forms (U+FF00-FFEF). On top of it:
  - SC: every character of GB 2312 (all valid two-byte codes of Python's `gb2312` codec);
  - TC: every character of Big5 (`big5` codec: symbols, the common hanzi A440-C67E and the
    less common hanzi C940-F9D5);
  - JP: every character of JIS X 0208 (`euc_jp`, all two-byte codes), the Hiragana, Katakana
    and Katakana Phonetic Extensions blocks, and half-width kana;
  - KR: all 11,172 Hangul syllables, Hangul Jamo and Hangul Compatibility Jamo, and every
    character of KS X 1001 (`euc_kr`), hanja included.

Every CJK file compresses consecutive punctuation by default (clreq 3.1.6, jlreq 3.1.4):
in `》：`, `，“`, `）」` or `」、` the first mark gives up its blank half, so the pair takes 1.5 em,
not 2. `tools/punctuation.py` adds this to the fonts' `kern` feature, which HarfBuzz applies
without being asked: the serif files' own `chws` (contextual half-width spacing) lookups, and,
for the sans files, which have no `chws`, a pair-positioning lookup made from their own
`halt` values. Asking for `chws` or `halt` in CSS would do the same, but any
`font-feature-settings` makes WeasyPrint 70 leak memory on every text layout.

Characters of each national standard that the source font lacks (so they are not in the
output either):

{absent}

Characters outside these sets (rare names, CJK Extension A/B, HKSCS, JIS X 0213) are left to
the system. printbrief's font stacks name the full **Noto Sans CJK SC / TC / JP / KR** family
(or **Noto Serif CJK**) of the text's region (Debian package `fonts-noto-cjk`) right after the
matching PB face,
so such characters still print, in the right regional form, wherever that package is
installed; without it they may print as boxes, and printbrief's coverage check reports them.

## Files

{files}

## Coverage of the CJK files

Share of each reference set that the file covers (the sets come from Python's codecs; the
Hangul row is U+AC00-D7A3).

{coverage}

## Rebuilding

```
{command}
```

`tools/build_fonts.py` downloads the input packages with their registries' own clients
(`apt-get download` after `apt-get update`, `pip download --no-deps`, `npm pack`), refuses them unless their
sha256 matches the pins below, checks every font file it takes out of them against its own pin
(the "source sha256" column above), then instances, subsets and renames each font with
fontTools and rewrites this README and `OFL.txt`. `head.created` is kept from the source font and
`head.modified` is fixed, so two builds give byte-identical files; the committed files were made
with fontTools {fonttools}, and another fontTools version may give other bytes. If apt can no
longer find `fonts-noto-core` 20201225-1, the same `.deb` is on snapshot.debian.org: put it in
the `--cache` folder and the pin decides whether it is accepted. A build takes about 100 s of
CPU time, mostly fontTools instancing the variable CJK fonts, spread over `--jobs` processes.
The fonts are committed, so installing printbrief never builds them.

{inputs}
"""


if __name__ == "__main__":
    sys.exit(main())
