"""Fonts: stacks, coverage before rendering, and what each glyph in the PDF really is."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from conftest import SAMPLES, page_texts
from halves import right_blank
from pdffonts import embedded_fonts, glyph_mismatches
from printbrief import CoverageError, Renderer, compile_issue, fonts, load
from printbrief.batch.plan import expand_inputs
from printbrief.cli import main
from printbrief.coverage import check_article
from printbrief.i18n import script_key
from printbrief.themes import dateline
from typehead import printed_glyphs

SAMPLE_FILES = sorted(Path(p).name for p in expand_inputs([str(SAMPLES)]))
CLOSING = set("。，、．，：；！？）」』】〕》〉”’")
RARE = "\U000210c1"  # 𡃁: outside GB 2312, Big5, JIS X 0208 and KS X 1001
_CJK_OR_HANGUL = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def strict_renderer() -> Renderer:
    return Renderer(strict=True, system_fonts=False)


@pytest.fixture(scope="module")
def sample_pdfs(strict_renderer: Renderer) -> dict[str, bytes]:
    """Every sample, rendered strictly with bundled fonts only (no warnings allowed)."""
    return {name: strict_renderer.render(load(SAMPLES / name)) for name in SAMPLE_FILES}


@pytest.mark.parametrize(
    ("tag", "key"),
    [("en", "latin"), ("en-GB", "latin"), ("de", "latin"), ("zh", "zh-Hans"), ("zh-CN", "zh-Hans"),
     ("zh-SG", "zh-Hans"), ("zh-Hans", "zh-Hans"), ("zh-TW", "zh-Hant"), ("zh-HK", "zh-Hant"),
     ("zh-MO", "zh-Hant"), ("zh-Hant-HK", "zh-Hant"), ("ja-JP", "ja"), ("ko-KR", "ko")],
)  # fmt: skip
def test_language_tags_map_to_stacks(tag: str, key: str) -> None:
    assert script_key(tag) == key


@pytest.mark.parametrize(
    ("char", "lang", "family"),
    [("“", "en", "PB Serif"), ("—", "en", "PB Serif"), ("…", "en", "PB Serif"),
     ("“", "zh-Hans", "PB Sans SC"), ("…", "zh-Hans", "PB Sans SC"), ("A", "zh-Hans", "PB Sans CJK Latin"),
     ("陳", "en", "PB Sans TC"), ("林", "en", "PB Sans SC"), ("國", "zh-TW", "PB Sans TC"), ("国", "zh-TW", "PB Sans SC"),
     ("は", "ja", "PB Sans JP"), ("김", "en", "PB Sans KR"), ("“", "ko", "PB Sans")],
)  # fmt: skip
def test_font_for_follows_the_stack(char: str, lang: str, family: str) -> None:
    assert fonts.font_for(char, lang, system=False) == family


def test_every_bundled_face_declares_its_own_family() -> None:
    seen = {}
    for face in fonts.FACES:
        key = (face.family, face.weight, face.style)
        assert key not in seen, f"{face.file} and {seen[key]} collide as {key}"
        seen[key] = face.file


def test_cjk_latin_face_leaves_quotes_to_the_cjk_face() -> None:
    css = fonts.font_face_css(system=False)
    rule = next(r for r in css.splitlines() if '"PB Sans CJK Latin"' in r and "700" not in r)
    assert "unicode-range" in rule
    for cp in fonts.CJK_PUNCTUATION:
        assert not any(
            _in_range(cp, part) for part in rule.split("unicode-range:")[1].split(";")[0].split(",")
        )


def _in_range(cp: int, part: str) -> bool:
    lo, _, hi = part.strip().removeprefix("U+").partition("-")
    return int(lo, 16) <= cp <= int(hi or lo, 16)


def test_rare_character_is_reported_with_place() -> None:
    article = load(
        {"headline": "Name", "body": f"First.\n\nThe name {RARE} is rare.", "lang": "zh-Hant"}
    )
    missing = check_article(article, system=False)
    assert [str(m) for m in missing] == ["U+210C1 𡃁 in body, block 2 (lang zh-Hant)"]


def test_strict_render_fails_before_writing(tmp_path: Path, strict_renderer: Renderer) -> None:
    article = load({"headline": f"Rare {RARE}", "body": "x"})
    with pytest.raises(CoverageError, match="U\\+210C1 𡃁 in headline"):
        strict_renderer.render_to(article, tmp_path / "out.pdf")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.allow_warnings
def test_default_render_warns_and_continues(caplog: pytest.LogCaptureFixture) -> None:
    pdf = Renderer(system_fonts=False).render(load({"headline": "Rare", "body": f"x {RARE}"}))
    assert pdf.startswith(b"%PDF")
    assert any("U+210C1" in r.getMessage() for r in caplog.records)


def test_check_command_text_json_and_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rare = tmp_path / "rare.json"
    rare.write_text(json.dumps({"headline": "h", "body": f"a {RARE}", "lang": "zh-TW"}))
    good = SAMPLES / "zh-hant.json"
    assert main(["check", str(good), str(rare), "--bundled-fonts-only"]) == 0
    out = capsys.readouterr().out
    assert f"{good}: ok" in out and "no font covers U+210C1 𡃁 in body, block 1 (lang zh-TW)" in out
    assert main(["check", str(rare), "--strict", "--bundled-fonts-only"]) == 1
    capsys.readouterr()
    assert (
        main(
            [
                "check",
                str(rare),
                str(SAMPLES / "broken" / "missing-headline.json"),
                "--json",
                "--bundled-fonts-only",
            ]
        )
        == 1
    )
    report = json.loads(capsys.readouterr().out)
    assert report[0]["missing"] == [
        {"codepoint": "U+210C1", "char": RARE, "where": "body, block 1", "lang": "zh-TW"}
    ]
    assert report[1]["valid"] is False and report[1]["errors"][0]["field"] == "headline"


def test_fonts_command_lists_stacks_and_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fonts"]) == 0
    out = capsys.readouterr().out
    assert "zh-Hant  text:    PB Sans CJK Latin, PB Sans TC, Noto Sans CJK TC" in out
    assert "         serif:   PB Serif CJK Latin, PB Serif TC, Noto Serif CJK TC" in out
    assert re.search(r"PB Serif JP\s+700 normal\s+cjk/PBSerifJP-Bold.ttf .* code points", out)
    assert re.search(r"PB Sans KR\s+400 normal\s+cjk/PBSansKR-Regular.ttf .* code points", out)


def test_system_fallback_is_used_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a system 'Noto Sans CJK SC' present, a character SC lacks is taken from it first."""
    tc = fonts.asset_dir("fonts") / "cjk" / "PBSansTC-Regular.ttf"
    monkeypatch.setattr(
        fonts, "system_font", lambda family: (tc, 0) if family == "Noto Sans CJK SC" else None
    )
    fonts._family_points.cache_clear()
    fonts._system_points.cache_clear()
    try:
        assert fonts.font_for("陳", "zh-Hans") == "Noto Sans CJK SC"
        assert fonts.font_for("陳", "zh-Hans", system=False) == "PB Sans TC"
    finally:
        fonts._family_points.cache_clear()
        fonts._system_points.cache_clear()


@pytest.mark.parametrize("face", sorted({f.file: f for f in fonts.FACES}.values(), key=str))
def test_shipped_cmap_index_matches_each_font(face: fonts.Face) -> None:
    """fonts/cmaps.json (what a cold start reads) says exactly what the file's cmap says."""
    entry = fonts._cmap_index()[face.file]
    assert entry["size"] == face.path.stat().st_size, "rerun tools/build_fonts.py --index-only"
    assert fonts.bundled_cmap(face) == fonts.cmap(face.path)


def test_index_entry_for_another_file_is_not_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    """An index entry whose size differs (a replaced font file) falls back to the real cmap."""
    face = fonts.FACES[0]
    stale = {face.file: {"size": 1, "ranges": "41"}}
    monkeypatch.setattr(fonts, "_cmap_index", lambda: stale)
    assert fonts.bundled_cmap(face) == fonts.cmap(face.path)
    assert len(fonts.bundled_cmap(face)) > 500


def test_cmap_index_round_trips(tmp_path: Path) -> None:
    """write_cmap_index writes what bundled_cmap reads back (the build tool's path)."""
    for face in fonts.FACES[:2]:
        target = tmp_path / face.file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(face.path.read_bytes())
    written = json.loads(fonts.write_cmap_index(tmp_path, fonts.FACES[:2]).read_text("utf-8"))
    ranges = written["files"][fonts.FACES[0].file]["ranges"]
    assert fonts._parse_ranges(ranges) == fonts.cmap(fonts.FACES[0].path)


# ------------------------------------------------------------------------------ rendered


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_sample_text_round_trips(name: str, sample_pdfs: dict[str, bytes]) -> None:
    article = load(SAMPLES / name)
    text = re.sub(r"\s+", "", "".join(page_texts(sample_pdfs[name])))
    assert re.sub(r"\s+", "", article.headline) in text
    if script_key(article.lang) != "latin":  # CJK text must extract exactly, paragraph by paragraph
        body = body_size_text(sample_pdfs[name])  # a paragraph may run past a footer and a head
        for paragraph in article.body.split("\n\n"):
            plain = re.sub(r"^#+\s*|\s+", "", paragraph)
            assert plain in (text if paragraph.startswith("#") else body), plain[:40]


def body_size_text(pdf: bytes) -> str:
    """The text set at the most common size (the body's), without white space, in page order."""
    every = list(chars(pdf))
    sizes = Counter(round(float(c["size"]), 1) for c in every)  # type: ignore[arg-type]
    body = sizes.most_common(1)[0][0]
    picked = (c["text"] for c in every if round(float(c["size"]), 1) == body)  # type: ignore[arg-type]
    return re.sub(r"\s+", "", "".join(map(str, picked)))


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_every_glyph_is_the_source_fonts_glyph(name: str, sample_pdfs: dict[str, bytes]) -> None:
    """Catches WeasyPrint's same-family collision and .notdef, which text extraction cannot."""
    checked = 0
    for font in embedded_fonts(sample_pdfs[name]):
        assert glyph_mismatches(font) == [], font.name
        checked += len(font.to_unicode)
    assert checked > 50


@pytest.mark.allow_warnings
def test_identity_check_catches_same_family_collision() -> None:
    """The check must fail on the WeasyPrint 70 bug it guards against (notes §2.5)."""
    from weasyprint import HTML

    cjk = fonts.asset_dir("fonts") / "cjk"
    css = "".join(
        f'@font-face {{ font-family: Mix; src: url("{(cjk / f).as_uri()}"); unicode-range: {r}; }}'
        for f, r in (("PBSansSC-Regular.ttf", "U+6797"), ("PBSansTC-Regular.ttf", "U+9673"))
    )
    pdf = HTML(string=f"<style>{css} p {{ font-family: Mix }}</style><p>林陳</p>").write_pdf()
    (embedded,) = embedded_fonts(pdf)
    assert glyph_mismatches(embedded, cjk / "PBSansSC-Regular.ttf") or glyph_mismatches(
        embedded, cjk / "PBSansTC-Regular.ttf"
    )


def chars(pdf: bytes) -> Iterator[dict[str, object]]:
    import io

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            yield from page.chars


def test_english_punctuation_from_the_latin_face(sample_pdfs: dict[str, bytes]) -> None:
    quotes = [c for c in chars(sample_pdfs["en-news-brief.json"]) if c["text"] in "“”’—…"]
    assert len(quotes) > 10
    assert {str(c["fontname"]).split("+")[1] for c in quotes} <= {"PB-Serif", "PB-Serif-Italic"}


def test_chinese_punctuation_from_the_cjk_face(sample_pdfs: dict[str, bytes]) -> None:
    quotes = [c for c in chars(sample_pdfs["zh-hans.json"]) if c["text"] in "“”…"]
    assert len(quotes) > 4
    faces = {str(c["fontname"]).split("+")[1] for c in quotes}
    assert faces <= {"PB-Serif-SC", "PB-Serif-SC-Bold", "PB-Sans-SC", "PB-Sans-SC-Bold"}
    assert all(float(c["width"]) > 0.8 * float(c["size"]) for c in quotes)  # full width


def test_names_in_english_use_their_own_faces(sample_pdfs: dict[str, bytes]) -> None:
    drawn = {
        str(c["text"]): str(c["fontname"]).split("+")[1]
        for c in chars(sample_pdfs["mixed-en-quotes-cjk.json"])
    }
    assert drawn["は"] == "PB-Serif-JP" and drawn["山"] == "PB-Serif-JP"
    assert drawn["김"] == "PB-Serif-KR"
    assert drawn["陳"] == drawn["建"] == drawn["國"] == "PB-Serif-TC"


@pytest.mark.parametrize("name", ["zh-hans.json", "zh-hant.json", "ja.json"])
def test_no_line_starts_with_closing_punctuation(name: str, sample_pdfs: dict[str, bytes]) -> None:
    lines = [line for page in page_texts(sample_pdfs[name]) for line in page.split("\r\n") if line]
    assert len(lines) > 15
    bad = [line for line in lines if line[0] in CLOSING]
    assert bad == []


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_text_stays_inside_the_column(name: str, sample_pdfs: dict[str, bytes]) -> None:
    import io

    def ink_end(c: dict[str, Any]) -> float:  # a mark hanging its blank half ends halfway
        half = c["text"] in right_blank(c["fontname"])
        return float(c["x0"] + c["size"] / 2) if half else float(c["x1"])

    with pdfplumber.open(io.BytesIO(sample_pdfs[name])) as doc:
        for page in doc.pages:
            right = max(ink_end(c) for c in page.chars)
            # 1 pt of slack: pdfplumber measures full advances, ignoring negative letter-spacing.
            assert right <= float(page.width) - 18 * 72 / 25.4 + 1, (name, page.page_number, right)


def test_latin_words_in_cjk_text_are_not_split(strict_renderer: Renderer) -> None:
    body = "据报道，" + "市政府与 Harbourside Engineering 合作开发的新系统已投入使用。" * 12
    pdf = strict_renderer.render(load({"headline": "测试", "body": body, "lang": "zh-Hans"}))
    words = {w for page in page_texts(pdf) for w in re.findall(r"[A-Za-z]+", page)}
    assert words == {"Harbourside", "Engineering"}  # a split word would leave pieces


def test_chinese_pdf_is_small(sample_pdfs: dict[str, bytes]) -> None:
    """Song body (serif outlines are heavier) plus Hei heads: under 130,000 bytes (132,934
    with a regular Hei face for the dateline and folio alone, and the subsets' cmap and
    name tables)."""
    assert len(sample_pdfs["zh-hans.json"]) <= 130_000


@pytest.mark.parametrize("name", ["zh-hans.json", "zh-hant.json", "ja.json", "ko.json"])
def test_cjk_dateline_and_folio_are_in_the_reading_face(
    sample_pdfs: dict[str, bytes], name: str
) -> None:
    """newsbrief sets CJK text in serif: the dateline and the folio (第 1 页，共 2 页) print
    in the body's Song/Ming, Mincho or Myeongjo under Hei/Gothic bold heads, and the page
    embeds no regular Hei/Gothic face for them alone."""
    pdf = sample_pdfs[name]
    assert not [
        f.name for f in embedded_fonts(pdf) if re.fullmatch(r"PB-Sans-(SC|TC|JP|KR)", f.name)
    ]
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        folio = [c for c in page.chars if c["top"] > page.height - 56]  # the bottom margin
    dated = [c for row in printed_glyphs(pdf, dateline(load(SAMPLES / name))) for c in row]
    ideographic = [c for c in folio + dated if _CJK_OR_HANGUL.match(c["text"])]
    assert len(ideographic) >= 5  # 第页共页, ページ or 쪽, and the dateline's 年月日 or 년월일
    assert {c["fontname"].split("+")[1] for c in ideographic} <= {
        f"PB-Serif-{region}" for region in ("SC", "TC", "JP", "KR")
    }


def test_a_cjk_issue_prints_its_folios_in_the_reading_face() -> None:
    """A Chinese issue's folios (stamped from their own sheet, issue.css) take the face of a
    single article's folio: Song under the Hei heads."""
    issue = {"title": "海岸日报", "publication": "海岸日报", "date": "2026-05-02",
             "lang": "zh-Hans", "articles": [load(SAMPLES / "zh-hans.json").model_dump()]}  # fmt: skip
    pdf = compile_issue(issue, system_fonts=False, use_cache=False).pdf
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[-1]
        folio = [c for c in page.chars if c["top"] > page.height - 56 and c["text"] in "第页共"]
    assert len(folio) >= 4  # the issue's 第 N 页，共 M 页, and the article's own (本文第…)
    assert {c["fontname"].split("+")[1] for c in folio} == {"PB-Serif-SC"}


def test_korean_lines_break_between_words(sample_pdfs: dict[str, bytes]) -> None:
    """Every Hangul word drawn is a whole word of the article or of the page furniture."""
    article = load(SAMPLES / "ko.json")
    printed = [
        article.body,
        article.headline,
        article.standfirst,
        article.section,
        article.byline,
        article.publication,
    ]
    furniture = (
        dateline(article) + " " + " ".join(f"{n}쪽" for n in range(1, 10))
    )  # folios "1 / 2쪽"
    punctuation = "“”‘’\"'().,…·"
    words = {
        w.strip(punctuation) for w in " ".join([*(p or "" for p in printed), furniture]).split()
    }
    lines = [line for page in page_texts(sample_pdfs["ko.json"]) for line in page.split("\r\n")]
    drawn = [
        w.strip(punctuation)
        for line in lines
        for w in line.split()
        if re.search(r"[\uac00-\ud7a3]", w)
    ]
    assert len(drawn) > 100
    assert [w for w in drawn if w not in words] == []


def test_cjk_in_italic_text_stays_upright(strict_renderer: Renderer) -> None:
    """No synthesized slant for CJK: a Simplified name inside an italic quote, kana in emphasis."""
    body = "> “Quoted,” said Wang Lixin (王丽欣).\n\nShe met *山本はるか* and *김서연*."
    pdf = strict_renderer.render(load({"headline": "Upright", "body": body}))
    names = {font.name for font in embedded_fonts(pdf)}
    assert {"PB-Serif-SC", "PB-Serif-JP", "PB-Serif-KR"} <= names
    assert not [n for n in names if "Oblique" in n]
