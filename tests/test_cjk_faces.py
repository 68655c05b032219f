"""Serif CJK faces, punctuation compression baked into the fonts, symbols from a Latin-width face."""

from __future__ import annotations

import io
import itertools
import logging
import re
import subprocess
from collections import Counter
from collections.abc import Iterator

import pdfplumber
import pypdf
import pytest
from fontTools.ttLib import TTFont

from conftest import SAMPLES
from pdffonts import embedded_fonts, glyph_mismatches, outline
from printbrief import Article, Renderer, fonts, load
from printbrief.themes import resolve_theme

# (lang, pair): consecutive punctuation whose blank halves clreq/jlreq take out.
PAIRS = [
    ("zh-Hans", "》："),
    ("zh-Hans", "，“"),
    ("zh-Hans", "）」"),
    ("zh-Hans", "」、"),
    ("ja", "）」"),
    ("ja", "」、"),
    ("ja", "。」"),
    ("zh-Hant", "）」"),
]
SYMBOLS = "−→←●■◦"


@pytest.fixture(scope="module", params=["newsbrief", "minimal"])
def renderer(request: pytest.FixtureRequest) -> Renderer:
    return Renderer(request.param, strict=True, system_fonts=False)


def chars(pdf: bytes) -> Iterator[dict[str, object]]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            yield from page.chars


def face(char: dict[str, object]) -> str:
    """``PB-Serif-SC-Bold`` from a pdfplumber character's ``ABCDEF+PB-Serif-SC-Bold``."""
    return str(char["fontname"]).split("+")[1]


def body_faces(pdf: bytes, text: str) -> set[str]:
    return {face(c) for c in chars(pdf) if c["text"] in text and float(str(c["size"])) < 12}


@pytest.mark.parametrize(
    ("sample", "region"),
    [("zh-hans.json", "SC"), ("zh-hant.json", "TC"), ("ja.json", "JP"), ("ko.json", "KR")],
)
def test_theme_chooses_serif_or_sans_cjk_body(sample: str, region: str, renderer: Renderer) -> None:
    """newsbrief sets CJK reading text in Song/Ming/Mincho/Myeongjo, heads in sans; minimal: sans."""
    article = load(SAMPLES / sample)
    pdf = renderer.render(article)
    hangul_or_han = [c for c in chars(pdf) if "\u3400" <= str(c["text"]) <= "\ud7a3"]
    body_size = Counter(round(float(str(c["size"])), 1) for c in hangul_or_han).most_common(1)
    body = {face(c) for c in hangul_or_han if round(float(str(c["size"])), 1) == body_size[0][0]}
    head = {face(c) for c in hangul_or_han if float(str(c["size"])) > 20}
    kind = "Serif" if renderer.theme.name == "newsbrief" else "Sans"
    assert f"PB-{kind}-{region}" in body
    assert body <= {f"PB-{kind}-{region}", f"PB-{kind}-{region}-Bold"}
    assert head == {f"PB-Sans-{region}-Bold"}


@pytest.mark.parametrize("sample", ["zh-hans.json", "ja.json", "ko.json", "zh-hant.json"])
def test_serif_glyphs_are_the_source_glyphs(sample: str) -> None:
    """Glyph identity for the serif faces (catches same-family collisions and .notdef)."""
    pdf = Renderer("broadsheet", strict=True, system_fonts=False).render(load(SAMPLES / sample))
    names = set()
    for font in embedded_fonts(pdf):
        assert glyph_mismatches(font) == [], font.name
        names.add(font.name)
    assert any(name.startswith("PB-Serif-") and name[-2:] in "SCTCJPKR" for name in names)


def test_broadsheet_inherits_serif_cjk_and_sets_heads_in_sans() -> None:
    assert resolve_theme("broadsheet").cjk_text == "serif"
    assert resolve_theme("minimal").cjk_text == "sans"
    pdf = Renderer("broadsheet", system_fonts=False).render(load(SAMPLES / "zh-hans.json"))
    head = {face(c) for c in chars(pdf) if float(str(c["size"])) > 20 and c["text"] > "\u3000"}
    assert head == {"PB-Sans-SC-Bold"}


def test_serif_stack_covers_everything_the_sans_stack_covers() -> None:
    for system in (True, False):
        for key, serif in fonts.stacks(system, "serif").items():
            sans = fonts.stacks(system, "sans")[key]
            assert _covered(sans.text) <= _covered(serif.text), key
            assert serif.display == sans.display, key


def _covered(stack: tuple[str, ...]) -> set[int]:
    return set().union(*(fonts._family_points(family) for family in stack))


def test_theme_rejects_unknown_cjk_text(tmp_path: pytest.TempPathFactory) -> None:
    from pathlib import Path

    from printbrief.errors import ThemeError

    folder = Path(str(tmp_path)) / "odd"
    folder.mkdir()
    (folder / "theme.json").write_text('{"extends": "minimal", "cjk_text": "kai"}')
    with pytest.raises(ThemeError, match="cjk_text"):
        resolve_theme(folder)


# ------------------------------------------------------------------ punctuation compression


def advances(pdf: bytes, pair: str) -> list[float]:
    """Distance in em from the first mark of each printed ``pair`` to the second."""
    drawn = [c for c in chars(pdf) if float(str(c["size"])) < 12]
    found = []
    for a, b in itertools.pairwise(drawn):
        if a["text"] + b["text"] == pair and abs(float(a["top"]) - float(b["top"])) < 1:
            found.append((float(b["x0"]) - float(a["x0"])) / float(str(a["size"])))
    return found


@pytest.mark.parametrize(("lang", "pair"), PAIRS)
def test_consecutive_punctuation_is_compressed(lang: str, pair: str, renderer: Renderer) -> None:
    """The first mark of each pair is set half an em wide, in serif and sans alike."""
    body = f"中文{pair}中文\n\n中文{pair[0]}中文{pair[1]}中文"  # short lines: nothing is justified
    pdf = renderer.render(load({"headline": "中文", "body": body, "lang": lang}))
    (compressed,) = advances(pdf, pair)
    plain = advances(pdf, "中文")[0]
    assert plain == pytest.approx(1.0, abs=0.01)
    assert compressed == pytest.approx(0.5, abs=0.02), (pair, lang)
    alone = advances(pdf, pair[0] + "中")  # no punctuation after it: full width kept
    assert alone and all(a == pytest.approx(1.0, abs=0.01) for a in alone)


@pytest.mark.parametrize("face", [f for f in fonts.FACES if f.file.startswith("cjk/")], ids=str)
def test_every_cjk_face_compresses_in_its_default_kern(face: fonts.Face) -> None:
    """The build put the compression into `kern` (on by default), in every language system."""
    table = TTFont(face.path)["GPOS"].table
    records = table.FeatureList.FeatureRecord
    lookups_of_kern = [
        {n for i in script.Script.DefaultLangSys.FeatureIndex for n in _kern(records[i])}
        for script in table.ScriptList.ScriptRecord
    ]
    chained_or_pairs = {
        i for i, lookup in enumerate(table.LookupList.Lookup) if lookup.LookupType in (2, 8)
    }
    assert all(kern & chained_or_pairs for kern in lookups_of_kern), face.file


def _kern(record: object) -> list[int]:
    if getattr(record, "FeatureTag", "") != "kern":
        return []
    return list(record.Feature.LookupListIndex)  # type: ignore[attr-defined]


# ------------------------------------------------------------------ symbols, bundled fonts only


def test_latin_symbols_come_from_latin_width_faces() -> None:
    body = f"Tides rose {SYMBOLS[0]}3 cm {SYMBOLS[1]} north {SYMBOLS[2]} south; {SYMBOLS[3:]}."
    pdf = Renderer(strict=True, system_fonts=False).render(
        load({"headline": "Marks", "body": body})
    )
    drawn = [c for c in chars(pdf) if c["text"] in SYMBOLS]
    assert {str(c["text"]) for c in drawn} == set(SYMBOLS)
    assert {face(c) for c in drawn} == {"PB-Math", "PB-Symbols"}
    assert all(float(c["width"]) < 0.95 * float(str(c["size"])) for c in drawn)


def base_fonts(pdf: bytes) -> set[str]:
    """Every font a PDF's pages use, Type0 or simple, without subset tags."""
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            names.add(str(ref.get_object()["/BaseFont"]).split("+")[-1])
    return names


# Only the warnings of the known defect below (a space after a PB Symbols or PB Math glyph);
# any other warning still fails this test.
def test_bundled_fonts_only_uses_only_bundled_fonts() -> None:
    """With system fonts installed (DejaVu at least), nothing of theirs reaches the PDF."""
    installed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    assert installed.strip(), "this test needs at least one system font installed"
    body = (
        f"Symbols {SYMBOLS}, ✓ ★ ≤ ≠ ∞.\n\n- disc\n  - circle\n    - square\n\n"
        "中文“引号”、《书名》：（括号）「引文」。 かな 한글"
    )
    article = load({"headline": "Bundled − only", "body": body})
    used = set()
    for theme in ("newsbrief", "minimal", "broadsheet"):
        renderer = Renderer(theme, strict=True, system_fonts=False)
        for pdf in [renderer.render(article)] + [
            renderer.render(load(SAMPLES / name))
            for name in ("zh-hans.json", "ja.json", "ko.json", "mixed-en-quotes-cjk.json")
        ]:
            used |= base_fonts(pdf)
    bundled = {f.family.replace(" ", "-") for f in fonts.FACES}
    assert {re.sub(r"(-Bold)?(-?Italic)?$", "", name) for name in used} <= bundled, used
    assert {"PB-Math", "PB-Symbols"} <= used


@pytest.mark.parametrize("system_fonts", [True, False])
def test_a_space_after_a_symbol_prints_no_box(
    system_fonts: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """Pango sets a space in the face of the character before it: PB Symbols has a space, so the
    space after a nested list's ◦ or ▪ marker, or between two symbols, is a space, not a box."""
    body = "- one\n  - two\n    - three\n\n✓ ★ done, 2 − 1 → 1 ±\u00a0x"
    with caplog.at_level(logging.WARNING):
        pdf = Renderer("newsbrief", system_fonts=system_fonts).render(
            load({"headline": "Lists", "body": body})
        )
    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]
    (symbols,) = [f for f in embedded_fonts(pdf) if f.name == "PB-Symbols"]
    source = TTFont(fonts.asset_dir("fonts") / "symbols" / "PBSymbols-Regular.ttf")
    space = source.getGlyphID(source.getBestCmap()[0x20])
    assert {gid for gid, text in symbols.to_unicode.items() if text == " "} == {space}


@pytest.mark.allow_warnings  # the coverage check reports the characters
def test_characters_no_bundled_face_has_print_as_boxes_not_system_glyphs() -> None:
    """These box-drawing and block characters are in DejaVu Sans, in no bundled face: a box."""
    assert (
        "DejaVu"
        in subprocess.run(
            ["fc-list", ":charset=256c 259f", "family"], capture_output=True, text=True
        ).stdout
    ), "this test needs a system font with U+256C and U+259F (DejaVu Sans)"
    article = load({"headline": "Rules", "body": "A cross ╬ and a block ▟ here."})
    pdf = Renderer(system_fonts=False).render(article)
    used = base_fonts(pdf)
    assert "PB-Last-Resort" in used and all(name.startswith("PB-") for name in used), used
    (last,) = [f for f in embedded_fonts(pdf) if f.name == "PB-Last-Resort"]
    assert set(last.to_unicode) == {1} and set(last.to_unicode.values()) <= {"╬", "▟"}
    source = TTFont(fonts.asset_dir("fonts") / "symbols" / "PBLastResort-Regular.ttf")
    box = outline(last.program, last.program.getGlyphOrder()[1])
    assert box == outline(source, ".notdef") and box  # the visible box of .notdef


@pytest.mark.parametrize("body_format", ["markdown", "html"])
def test_lang_on_inline_markup_chooses_the_forms_of_a_han_only_name(body_format: str) -> None:
    """高橋直 spells Japanese, Traditional or Simplified alike: only markup can say which."""
    body = (
        '<p>Mayor <span lang="ja">高橋直</span> met 高橋直 and '
        '<span lang="zh-Hans">高橋直</span>.</p>'
    )
    article = Article(headline="Names", body=body, body_format=body_format, lang="en")  # type: ignore[arg-type]
    pdf = Renderer("newsbrief", system_fonts=False).render(article)
    with pdfplumber.open(io.BytesIO(bytes(pdf))) as document:
        faces = [c["fontname"].split("+")[-1] for c in document.pages[0].chars if c["text"] == "直"]
    # Big5 spells it and GB 2312 does not: left alone, it is taken for a Traditional name.
    assert faces == ["PB-Serif-JP", "PB-Serif-TC", "PB-Serif-SC"]
