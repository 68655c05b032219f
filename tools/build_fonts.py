"""Rebuild printbrief's bundled fonts from pinned registry packages (a maintainer step).

    python tools/build_fonts.py --out fonts [--cache ~/.cache/printbrief-fonts]

Inputs (checked against sha256 pins before use):
- Debian ``fonts-noto-core`` 20201225-1: static Noto Serif and Noto Sans TTFs (Latin faces);
- PyPI ``justmytype-intl-cjk`` 0.1.0: Noto Sans SC/TC/JP/KR variable TTFs (Google Fonts
  2.004 builds, glyf outlines).
Each output is a static, subset, renamed TrueType font: variable fonts cost ~1 s per render in
WeasyPrint and glyf-WOFF2 costs seconds to decode, so only plain TTF ships
(shared/notes/cjk-fonts.md §2.3). Output is byte-reproducible.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

PINS = {
    "fonts-noto-core_20201225-1_all.deb": "58f4f0bb6720f919f92096b3508e1412a0f1544424ade6c5b5bf1eb694dd64ba",
    "justmytype_intl_cjk-0.1.0-py3-none-any.whl": "06d9665542bfcad373716bb80583aa2d9bb2086a054fe11f706b9bd41e03f256",
}
NOTO_DIR = "usr/share/fonts/truetype/noto"
CJK_DIR = "justmytype_intl_cjk/fonts/ofl"
EPOCH_1904 = 3_786_825_600  # 2024-01-01 in the `head` table's seconds since 1904: a fixed stamp


def _ranges(*pairs: tuple[int, int]) -> set[int]:
    return {cp for a, b in pairs for cp in range(a, b + 1)}


LATIN = _ranges(
    (0x20, 0x7E), (0xA0, 0x24F), (0x250, 0x2AF), (0x2B0, 0x36F), (0x370, 0x3FF), (0x400, 0x52F),
    (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x2070, 0x209F), (0x20A0, 0x20CF), (0x2100, 0x214F),
    (0x2150, 0x218F), (0x2190, 0x21FF), (0x2212, 0x2212), (0x25A0, 0x25FF), (0xFB00, 0xFB06),
)  # fmt: skip
CJK_BASE = _ranges(
    (0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x214F), (0x2190, 0x21FF),
    (0x2460, 0x24FF), (0x25A0, 0x25FF), (0x3000, 0x303F), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
)  # fmt: skip


def codec_chars(codec: str, rows: range, cells: range = range(0xA1, 0xFF)) -> set[int]:
    """Every character a double-byte codec maps in the given lead-byte rows."""
    found = set()
    for lead in rows:
        for trail in cells:
            try:
                text = bytes([lead, trail]).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(text) == 1:
                found.add(ord(text))
    return found


def gb2312() -> set[int]:
    """GB 2312: all rows (symbols and the 6,763 hanzi)."""
    return codec_chars("gb2312", range(0xA1, 0xF8))


def big5() -> set[int]:
    """Big5: symbols, common (A440–C67E) and less common (C940–F9D5) hanzi."""
    cells = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
    return codec_chars("big5", range(0xA1, 0xFA), cells)  # type: ignore[arg-type]


def jis0208() -> set[int]:
    """JIS X 0208 (via EUC-JP), plus kana blocks and half-width kana."""
    return codec_chars("euc_jp", range(0xA1, 0xF5)) | _ranges(
        (0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF61, 0xFF9F)
    )


def hangul() -> set[int]:
    """All 11,172 Hangul syllables, the jamo blocks, and KS X 1001 (hanja and symbols)."""
    return codec_chars("euc_kr", range(0xA1, 0xFE)) | _ranges(
        (0xAC00, 0xD7A3), (0x1100, 0x11FF), (0x3130, 0x318F)
    )


@dataclass(frozen=True)
class Target:
    """One output file: where it comes from and what it keeps."""

    out: str
    family: str
    style: str  # Regular, Bold, Italic, Bold Italic
    source: str
    weight: int | None = None  # instance a variable font at this wght
    charset: str = "latin"


REGIONS = {"SC": ("notosanssc/NotoSansSC[wght].ttf", "gb2312"), "TC": ("notosanstc/NotoSansTC[wght].ttf", "big5"),
           "JP": ("notosansjp/NotoSansJP[wght].ttf", "jis0208"), "KR": ("notosanskr/NotoSansKR[wght].ttf", "hangul")}  # fmt: skip
TARGETS = [
    *(Target(f"latin/PBSerif-{s.replace(' ', '')}.ttf", "PB Serif", s, f"{NOTO_DIR}/NotoSerif-{s.replace(' ', '')}.ttf")
      for s in ("Regular", "Bold", "Italic", "Bold Italic")),
    *(Target(f"latin/PBSans-{s}.ttf", "PB Sans", s, f"{NOTO_DIR}/NotoSans-{s}.ttf") for s in ("Regular", "Bold")),
    *(Target(f"cjk/PBSans{r}-{s}.ttf", f"PB Sans {r}", s, f"{CJK_DIR}/{src}", w, charset)
      for r, (src, charset) in REGIONS.items() for s, w in (("Regular", 400), ("Bold", 700))),
]  # fmt: skip
CHARSETS = {
    "latin": lambda: LATIN,
    "gb2312": lambda: CJK_BASE | gb2312(),
    "big5": lambda: CJK_BASE | big5(),
    "jis0208": lambda: CJK_BASE | jis0208(),
    "hangul": lambda: CJK_BASE | hangul(),
}


def sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_inputs(cache: Path) -> Path:
    """Download the pinned packages into ``cache``, verify them, and unpack them; return the tree."""
    cache.mkdir(parents=True, exist_ok=True)
    deb, whl = (cache / name for name in PINS)
    if not deb.exists():
        subprocess.run(["apt-get", "download", "fonts-noto-core=20201225-1"], cwd=cache, check=True)
    if not whl.exists():
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(cache),
                        "justmytype-intl-cjk==0.1.0"], check=True)  # fmt: skip
    for name, pin in PINS.items():
        if sha256(cache / name) != pin:
            raise SystemExit(f"{name}: sha256 does not match the pin; refusing to build")
    tree = cache / "tree"
    if not tree.exists():
        subprocess.run(["dpkg-deb", "-x", str(deb), str(tree)], check=True)
        with zipfile.ZipFile(whl) as archive:
            archive.extractall(tree)
    return tree


def build(target: Target, tree: Path, out: Path) -> dict[str, object]:
    """Instance, subset, rename and save one target; return its provenance row."""
    source = tree / target.source
    font = TTFont(source)
    if target.weight is not None:
        font = instancer.instantiateVariableFont(
            font, {"wght": target.weight}, updateFontNames=False
        )
    wanted = CHARSETS[target.charset]() & set(font.getBestCmap())
    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True  # a missing glyph prints as a visible box, not blank
    options.glyph_names = False
    options.hinting = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    rename(font, target)
    font["head"].created = font["head"].modified = EPOCH_1904
    font.recalcTimestamp = False  # else save() stamps the current time and no two builds match
    path = out / target.out
    path.parent.mkdir(parents=True, exist_ok=True)
    font.save(path)
    return {"file": target.out, "family": target.family, "style": target.style, "source": target.source,
            "source_sha256": sha256(source), "sha256": sha256(path), "bytes": path.stat().st_size,
            "glyphs": len(font.getGlyphOrder()), "codepoints": len(wanted)}  # fmt: skip


def rename(font: TTFont, target: Target) -> None:
    """New family names (the OFL asks modified fonts not to keep the original names)."""
    postscript = f"{target.family.replace(' ', '')}-{target.style.replace(' ', '')}"
    ribbi = target.style in ("Regular", "Bold", "Italic", "Bold Italic")
    names = {1: target.family if ribbi else f"{target.family} {target.style}", 2: target.style,
             3: f"printbrief;{postscript}", 4: f"{target.family} {target.style}", 6: postscript,
             16: target.family, 17: target.style}  # fmt: skip
    table = font["name"]
    table.names = [n for n in table.names if n.nameID not in (*names, 18, 21, 22, 25)]
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)


def coverage_rows(out: Path) -> list[str]:
    """Coverage of each CJK regular face against the standard character sets."""
    sets = {
        "GB 2312": gb2312(),
        "Big5": big5(),
        "JIS X 0208": jis0208(),
        "Hangul syllables": _ranges((0xAC00, 0xD7A3)),
    }
    rows = []
    for region in REGIONS:
        with TTFont(out / f"cjk/PBSans{region}-Regular.ttf", lazy=True) as font:
            cmap = set(font.getBestCmap())
        cells = [f"{100 * len(cmap & s) / len(s):.1f}%" for s in sets.values()]
        rows.append(f"| PB Sans {region} | {len(cmap)} | " + " | ".join(cells) + " |")
    return rows


def main() -> int:
    """Build every target into --out and print the provenance table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("fonts"))
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "printbrief-font-inputs"
    )
    args = parser.parse_args()
    tree = fetch_inputs(args.cache)
    rows = [build(target, tree, args.out) for target in TARGETS]
    for row in rows:
        print(
            "| {file} | {family} {style} | `{source}` | `{source_sha256}` | `{sha256}` | {bytes} | {glyphs} | {codepoints} |".format(
                **row
            )
        )
    print()
    for line in coverage_rows(args.out):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
