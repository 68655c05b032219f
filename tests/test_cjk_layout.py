"""CJK line layout measured on the page: flush justified lines, kinsoku, Korean word breaking."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pdfplumber
import pytest

from conftest import SAMPLES
from halves import left_blank, right_blank
from printbrief import Article, Renderer, body, cjk, cjkscript, load
from printbrief.body import body_html
from typeset import Block, Line, Report, body_paragraphs, check, ruby_count

ARTICLES = Path(__file__).parent / "articles"
CJK_ARTICLES = sorted(ARTICLES.glob("*.json"))
SAMPLE_FILES = [p for p in SAMPLES.glob("*.[jm][sd]*") if p.name != "README.md"]
ALL_ARTICLES = sorted([*SAMPLE_FILES, *CJK_ARTICLES])
THEMES = ("newsbrief", "broadsheet", "minimal")
PAPERS = ("A4", "A5", "Letter")
_renderers: dict[tuple[str, str], Renderer] = {}


def renderer(theme: str = "newsbrief", paper: str = "A4") -> Renderer:
    if (theme, paper) not in _renderers:
        _renderers[(theme, paper)] = Renderer(theme, paper=paper)
    return _renderers[(theme, paper)]


def measure(article: Article, theme: str = "newsbrief", paper: str = "A4") -> Report:
    pdf = renderer(theme, paper).render(article)
    return measured(pdf, article, theme)


def measured(pdf: bytes, article: Article, theme: str) -> Report:
    justified = theme != "minimal" or article.lang[:2] in ("zh", "ja", "ko")
    return check(pdf, body_paragraphs(body_html(article)), justified=justified)


def measured_standfirst(pdf: bytes, article: Article) -> Report:
    """The standfirst on its own: it is set ragged, and across both of broadsheet's columns."""
    report = check(pdf, [Block(article.standfirst, False)] if article.standfirst else [])
    report.ruby = []  # the body's readings, measured in the body's report against its columns
    return report


@pytest.mark.slow
@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("path", ALL_ARTICLES, ids=lambda p: p.name)
def test_every_article_sets_clean(path: Path, theme: str, paper: str) -> None:
    article = load(path)
    pdf = renderer(theme, paper).render(article)
    report = measured(pdf, article, theme)
    assert report.problems() == [], report.summary()
    assert report.flush_fraction == 1.0
    standfirst = measured_standfirst(pdf, article)
    assert standfirst.problems() == [], standfirst.summary()


@pytest.mark.parametrize("name", ["zh-hans.json", "zh-hant.json", "ja.json"])
def test_weasyprint_alone_leaves_cjk_ragged(name: str) -> None:
    """The checker sees what printbrief.cjk fixes: without it most CJK lines end short."""
    with cjk.weasyprint_layout():
        report = measure(load(SAMPLES / name))
    assert report.flush_fraction < 0.8 and report.problems(), report.summary()
    assert measure(load(SAMPLES / name)).flush_fraction == 1.0


def test_justified_cjk_lines_end_together() -> None:
    """Full lines end within 0.1 pt of each other, however much letter spacing they take.

    WeasyPrint cuts each glyph's advance adjustment to a whole thousandth of an em; unless
    printbrief.cjk makes it whole, a widely spaced line ends up to 0.45 pt short.
    """
    report = measure(load(SAMPLES / "zh-hans.json"))
    ends = [line.x1 for line in report.lines if line.cjk and line.justified]
    assert len(ends) > 10 and max(ends) - min(ends) < 0.1, sorted(ends)


def _chars(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "".join(c["text"] for page in document.pages for c in page.chars)


@pytest.mark.parametrize("path", [SAMPLES / "zh-hans.json", SAMPLES / "ja.json", *CJK_ARTICLES])
def test_justification_adds_no_characters(path: Path) -> None:
    article = load(path)
    justified = _chars(renderer().render(article))
    with cjk.weasyprint_layout():
        ragged = _chars(renderer().render(article))
    # Lines break elsewhere (Korean body lines, balanced headlines), and a space ending a
    # line is not drawn: compare without spaces. Ruby is painted in its line, not after the
    # page's text (printbrief.cjkruby): the readings come elsewhere in the drawing order.
    ours, weasyprints = "".join(justified.split()), "".join(ragged.split())
    assert sorted(ours) == sorted(weasyprints)
    if "<ruby>" not in article.body:
        assert ours == weasyprints


def test_korean_words_break_between_syllables_only_when_longer_than_the_line() -> None:
    article = load(ARTICLES / "ko-long.json")
    long_word = (
        "해오름시연안항만해양쓰레기자율수거무인로봇선박시범운영민관합동공동사업추진위원회이다."
    )
    # Wider than a line on B5 (broadsheet sets A5 in one column).
    report = measure(article, "broadsheet", "B5")
    assert report.broken_words == [] and report.outside == [], report.summary()
    assert long_word in [line.word_at_end for line in report.lines]  # it had to break
    with cjk.weasyprint_layout():
        assert measure(article, "broadsheet", "B5").broken_words  # syllables anywhere


@pytest.mark.allow_warnings
def test_other_weasyprint_versions_get_weasyprint_layout_and_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import weasyprint

    assert cjk.install()  # patched for the real version first
    monkeypatch.setattr(cjk._PATCH, "installed", None)
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    with caplog.at_level(logging.WARNING), cjk.typesetting():
        assert not cjk._ACTIVE.get()
    assert "written for WeasyPrint 70.x, found 71.0" in caplog.text
    monkeypatch.setattr(cjk._PATCH, "installed", True)  # the patches stay installed here
    assert measure(load(SAMPLES / "ja.json")).flush_fraction == 1.0


def test_typesetting_is_off_outside_printbrief_renders() -> None:
    renderer().render(load(SAMPLES / "ja.json"))
    assert not cjk._ACTIVE.get()


def test_ruby_prints_centred_above_its_base_and_never_in_the_line() -> None:
    article = load(ARTICLES / "ja-ruby.json")
    pdf = renderer("newsbrief", "A5").render(article)
    report = check(pdf, body_paragraphs(article.body))  # the source, readings left out
    assert report.problems() == [], report.summary()
    assert ruby_count(pdf) == len("とさみなとがくげいいんおのでらかさいみなと")
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        text = "".join(document.pages[0].extract_text().split())
    assert "十三湊の北岸に残る" in text and "担当の学芸員、小野寺さんは話す" in text


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_ruby_markup_survives_the_sanitizer(fmt: str) -> None:
    body = "<p><ruby>湊<rp>（</rp><rt>みなと</rt><rp>）</rp></ruby>の歴史</p>"
    out = body_html(Article(headline="h", body=body, body_format=fmt, lang="ja"))  # type: ignore[arg-type]
    assert "<ruby>湊<rp>（</rp><rt>みなと</rt><rp>）</rp></ruby>の" in out  # 歴史: kept together


@pytest.mark.parametrize("name", ["zh-hans.json", "ja.json", "zh-hant.json"])
def test_a_quarter_em_between_cjk_and_latin_or_digits(name: str) -> None:
    report = measure(load(SAMPLES / name), "newsbrief", "A5")
    assert report.cjk_latin_gaps and min(report.cjk_latin_gaps) >= 0.24, report.summary()
    assert max(report.cjk_latin_gaps) < 0.3 + 0.5  # a justified line may stretch it a little
    assert report.problems() == []  # lines starting or ending in Latin stay flush


def test_themes_set_the_cjk_latin_gap(tmp_path: Path) -> None:
    theme = tmp_path / "tight"
    theme.mkdir()
    (theme / "theme.json").write_text('{"extends": "newsbrief", "stylesheets": ["t.css"]}')
    (theme / "t.css").write_text("html { --pb-cjk-latin-gap: 0; }")
    article = load(SAMPLES / "zh-hans.json")
    pdf = Renderer(str(theme), paper="A5").render(article)
    report = check(pdf, body_paragraphs(body_html(article)))
    assert max(report.cjk_latin_gaps) < 0.05 and report.problems() == [], report.summary()


def test_korean_gets_no_cjk_latin_gap() -> None:
    out = body_html(Article(headline="h", body="발전소 42.8 MW와 GW급", lang="ko"))
    assert "cjk-gap" not in out
    out = body_html(Article(headline="h", body="电站42.8 MW，约5.6米", lang="zh-Hans"))
    assert '电站<span class="cjk-gap-start">42.8 MW</span>，' in out
    assert '约<span class="cjk-gap-start cjk-gap-end">5.6</span>米' in out


@pytest.mark.parametrize(("key", "region"), [("zh-Hans", "SC"), ("zh-Hant", "TC"), ("ja", "JP")])
@pytest.mark.parametrize("face", ["Sans", "Serif-Bold", "Serif"])
def test_line_end_marks_are_those_the_fonts_set_in_the_left_half(
    key: str, region: str, face: str
) -> None:
    family, _, bold = face.partition("-")
    fontname = f"PB-{family}-{region}{'-Bold' if bold else ''}"
    assert cjkscript.TRIM_END[key] == right_blank(fontname)


@pytest.mark.parametrize(
    ("name", "theme", "paper"),
    [("zh-hans.json", "newsbrief", "A5"), ("ja.json", "broadsheet", "A4")],
)
def test_a_line_final_comma_or_full_stop_hangs_its_blank_half(
    monkeypatch: pytest.MonkeyPatch, name: str, theme: str, paper: str
) -> None:
    """jlreq §3.1.4, clreq §3.1.6: the visible half of 、。，」 ends flush with the column."""
    report = measure(load(SAMPLES / name), theme, paper)
    hanging = [line for line in report.lines if line.justified and _ends_in_left_half(line)]
    assert len(hanging) >= 2 and report.problems() == [], report.summary()
    monkeypatch.setattr(cjkscript, "TRIM_END", {})  # the full em flush: half an em short
    report = measure(load(SAMPLES / name), theme, paper)
    assert len(report.ragged) == len(hanging), report.summary()


@pytest.mark.parametrize(("key", "region"), [("zh-Hans", "SC"), ("zh-Hant", "TC"), ("ja", "JP")])
@pytest.mark.parametrize("face", ["Sans", "Serif-Bold", "Serif"])
def test_line_start_marks_are_those_the_fonts_set_in_the_right_half(
    key: str, region: str, face: str
) -> None:
    family, _, bold = face.partition("-")
    fontname = f"PB-{family}-{region}{'-Bold' if bold else ''}"
    assert cjkscript.TRIM_START[key] == left_blank(fontname)


_NAMES = [("北岸", "宮"), ("南の浜", "朝市"), ("東の丘陵地", "赤れんが"), ("西", "白崎"),
          ("旧桟橋の先", "渡し場"), ("灯台", "夕凪の浜"), ("赤い倉庫群", "風待ち"),
          ("朝市の通り", "鳴島の渡し"), ("小さな神社", "潮見")]  # fmt: skip
_JA = "".join(f"{a}は「{b}」と呼ばれ、" for a, b in _NAMES + [(a, b) for (a, _), (_, b) in
              zip(_NAMES, reversed(_NAMES), strict=True)]) + "今も親しまれている。"  # fmt: skip
_ZH = "".join(f"{a}被称为“{b}”，又名《{b}志》，" for a, b in [("北岸", "潮见"), ("南岸", "鸣岛"),
              ("东坡", "风口"), ("西滩", "晚潮"), ("旧栈桥", "渡口"), ("灯塔", "白崎")] * 3)  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "text", "theme", "paper"),
    [("ja", _JA, "newsbrief", "A5"), ("zh-Hans", _ZH + "至今仍为人熟知。", "broadsheet", "A4")],
)
def test_an_opening_bracket_starting_a_line_gives_up_its_blank_half(
    monkeypatch: pytest.MonkeyPatch, lang: str, text: str, theme: str, paper: str
) -> None:
    """jlreq §3.1.5, clreq §3.1.6: 「 “ 《 starting a line (not a paragraph's first) start
    flush with the column by their visible half, as CSS ``text-spacing-trim`` sets them."""
    article = Article(headline="見出し", body=f"<p>{text}</p>", body_format="html", lang=lang)
    report = measure(article, theme, paper)
    opening = [line for line in report.lines[1:] if _starts_in_right_half(line)]
    assert opening and report.problems() == [], report.summary()
    for line in opening:  # the glyph's blank half lies outside the column, its ink inside
        column = [other for other in report.lines if other.column == line.column]
        edge = min(float(other.chars[0]["x0"]) for other in column if other not in opening)
        assert abs(line.chars[0]["x0"] + line.chars[0]["size"] / 2 - edge) < 0.5, line.text
    monkeypatch.setattr(cjkscript, "TRIM_START", {})  # a full em: the mark starts half in
    report = measure(article, theme, paper)
    starting_in = [p for p in report.problems() if p.startswith("starts +")]
    assert len(starting_in) == len(opening), report.summary()


def _starts_in_right_half(line: Line) -> bool:
    first = line.chars[0]
    return first["text"] in left_blank(first["fontname"])


def _ends_in_left_half(line: Line) -> bool:
    last = [c for c in line.chars if c["text"].strip()][-1]
    return last["text"] in right_blank(last["fontname"])


def test_a_caption_is_matched_where_its_picture_moved() -> None:
    """The market picture moves past the section after it in minimal; the checker follows."""
    article = load(SAMPLES / "en-feature.md")
    pdf = renderer("minimal").render(article)
    blocks = body_paragraphs(body_html(article))
    captions = [b for b in blocks if b.moves]
    assert captions[-1].text.split()[:4] == ["The", "Saltgate", "night", "market"]
    report = check(pdf, blocks, justified=False)
    assert report.problems() == [], report.summary()
    lost = Block("A caption that no page prints.", False, moves=True)
    assert check(pdf, [*blocks, lost], justified=False).unmatched != []


@pytest.mark.parametrize(
    ("name", "theme", "paper"),
    [
        ("ja.json", "minimal", "A5"),
        ("ja.json", "broadsheet", "A4"),
        ("zh-hans.json", "broadsheet", "A5"),
    ],
)
def test_a_number_stays_with_its_counter(
    monkeypatch: pytest.MonkeyPatch, name: str, theme: str, paper: str
) -> None:
    """``5月``, ``120人``, ``186艘`` are not split across lines (the number is the span of a
    CJK–Latin gap: WeasyPrint breaks freely between two inline boxes there)."""
    from weasyprint.layout import inline

    assert measure(load(SAMPLES / name), theme, paper).problems() == []
    monkeypatch.setattr(inline, "can_break_text", inline.can_break_text.__wrapped__)
    _renderers.clear()
    problems = measure(load(SAMPLES / name), theme, paper).problems()
    assert [p for p in problems if "number split from its counter" in p], problems


@pytest.mark.parametrize(("name", "theme", "paper"), [("zh-hant.json", "newsbrief", "A5")])
def test_a_paragraph_never_ends_on_a_lone_character(
    monkeypatch: pytest.MonkeyPatch, name: str, theme: str, paper: str
) -> None:
    """Chinese and Japanese desks avoid a last line of one character and its full stop
    (``場。``, ``苔。`` here before): the last two characters are kept together."""
    assert measure(load(SAMPLES / name), theme, paper).problems() == []
    monkeypatch.setattr(body, "no_lone_last_character", lambda markup: markup)
    report = measure(load(SAMPLES / name), theme, paper)
    assert len(report.widows) == 2, report.summary()


def test_a_standfirst_never_ends_on_a_lone_character(monkeypatch: pytest.MonkeyPatch) -> None:
    """The standfirst is kept from a widow character as the body is (``料。`` alone on the
    last line of the Traditional Chinese sample's standfirst in broadsheet A5 before)."""
    from printbrief import themes

    article = load(SAMPLES / "zh-hant.json")
    pdf = renderer("broadsheet", "A5").render(article)
    assert measured_standfirst(pdf, article).problems() == []
    monkeypatch.setattr(themes, "no_lone_last_character_of_text", lambda markup: markup)
    _renderers.clear()
    report = measured_standfirst(renderer("broadsheet", "A5").render(article), article)
    assert len(report.widows) == 1 and repr(article.standfirst[-2:]) in report.widows[0], (
        report.widows
    )
    _renderers.clear()
