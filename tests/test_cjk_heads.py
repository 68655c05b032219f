"""CJK headlines measured on the page: broken between phrases, balanced, no lone last character."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from conftest import SAMPLES
from issuekit import sample_issue
from pagecases import picture
from printbrief import Article, Renderer, cjkheads, load
from printbrief.themes import dateline, resolve_theme
from typehead import (
    breaks_inside_phrases,
    cjk_latin_gaps,
    headline_lines,
    lone_phrase_ends,
    printed_glyphs,
    split_words,
)

ARTICLES = Path(__file__).parent / "articles"
CJK = sorted(
    [*(SAMPLES / n for n in ("zh-hans.json", "zh-hant.json", "ja.json", "ko.json")),
     *ARTICLES.glob("*.json")]
)  # fmt: skip
_renderers: dict[tuple[str, str], Renderer] = {}


def rendered(article: Article, theme: str, paper: str) -> bytes:
    if (theme, paper) not in _renderers:
        _renderers[(theme, paper)] = Renderer(theme, paper=paper)
    return bytes(_renderers[(theme, paper)].render(article))


def printed(path: Path, theme: str, paper: str) -> list[str]:
    article = load(path)
    return headline_lines(rendered(article, theme, paper), article.headline)


def phrase_problems(path: Path, theme: str, paper: str) -> tuple[list[str], list[str]]:
    """The printed lines of a Chinese or Japanese headline, and its breaks inside a phrase
    that would fit the type area (as wide as the first page's glyphs reach)."""
    article = load(path)
    pdf = rendered(article, theme, paper)
    lines = headline_lines(pdf, article.headline)
    size = max(c["size"] for row in printed_glyphs(pdf, article.headline) for c in row)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        chars = document.pages[0].chars
        measure = max(c["x1"] for c in chars) - min(c["x0"] for c in chars)
    return lines, breaks_inside_phrases(article.headline, article.lang, lines, size, measure)


@pytest.mark.slow
@pytest.mark.parametrize("paper", ["A4", "A5", "Letter"])
@pytest.mark.parametrize("theme", ["newsbrief", "broadsheet", "minimal"])
@pytest.mark.parametrize("path", CJK, ids=lambda p: p.name)
def test_every_cjk_headline_breaks_well(path: Path, theme: str, paper: str) -> None:
    """The last line holds two characters or more; Korean breaks between words; Chinese and
    Japanese between phrases, unless a phrase is longer than the line, and then never
    leaving one character of it alone."""
    lines = printed(path, theme, paper)
    assert len(lines[-1]) >= 2, lines
    assert split_words(load(path).headline, lines) == [], lines  # Korean: between words
    if load(path).lang[:2] in ("zh", "ja"):
        lines, inside = phrase_problems(path, theme, paper)
        assert inside == [], lines
        assert lone_phrase_ends(load(path).headline, load(path).lang, lines) == [], lines


def test_weasyprint_alone_breaks_a_headline_inside_a_phrase(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The phrase measure sees what printbrief.cjkheads fixes: 首年预计供电1.2 | 亿千瓦时."""
    path = ARTICLES / "zh-hans-long.json"
    assert phrase_problems(path, "newsbrief", "A4")[1] == []
    monkeypatch.setattr(cjkheads, "is_headline", lambda block: False)
    _renderers.clear()
    assert phrase_problems(path, "newsbrief", "A4")[1]


@pytest.mark.parametrize("theme", ["newsbrief", "broadsheet", "minimal"])
@pytest.mark.parametrize("paper", ["A4", "A5", "Letter"])
def test_a_headline_breaks_after_its_comma_not_inside_a_word(theme: str, paper: str) -> None:
    """Pango alone broke it as 供电1.2 | 亿千瓦时, or 首年预计 | 供电…"""
    lines = printed(ARTICLES / "zh-hans-long.json", theme, paper)
    assert lines == ["潮汐能试验电站并网发电，", "首年预计供电1.2亿千瓦时"]


@pytest.mark.parametrize("theme", ["newsbrief", "broadsheet", "minimal"])
def test_a_quoted_name_is_not_split_to_save_a_line(theme: str) -> None:
    """On A5, breaking anywhere fits two lines only by splitting 「しおか | ぜ」: a third line
    between phrases reads better, as a Japanese desk would set it."""
    assert printed(SAMPLES / "ja.json", theme, "A5") == [
        "県内初の電動フェリー", "「しおかぜ」、5月から", "鳴島航路に就航"
    ]  # fmt: skip


def test_without_phrases_and_balance_a_lone_character_is_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The checker sees what printbrief.cjkheads fixes: 空置…社區圖書 | 館 on Letter."""
    assert printed(SAMPLES / "zh-hant.json", "minimal", "Letter") == [
        "空置十五年", "舊三號碼頭倉庫七月變身社區圖書館"
    ]  # fmt: skip
    monkeypatch.setattr(cjkheads, "is_headline", lambda block: False)
    assert len(printed(SAMPLES / "zh-hant.json", "minimal", "Letter")[-1]) == 1


def test_a_phrase_longer_than_the_line_breaks_before_its_date() -> None:
    """Broadsheet on A5: 舊三號碼頭倉庫七月變身社區圖書館 (the old pier-three warehouse becomes
    a library in July) is longer than the line. It breaks before 七月 (in July), not where
    balancing the lines fell (舊三號碼頭 | 倉庫, the pier split from its warehouse)."""
    assert printed(SAMPLES / "zh-hant.json", "broadsheet", "A5") == [
        "空置十五年舊三號碼頭倉庫", "七月變身社區圖書館"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("phrase", "lang", "expected"),
    [
        ("舊三號碼頭倉庫七月變身社區圖書館", "zh-Hant", ["舊三號碼頭倉庫|七月變身社區圖書館"]),
        ("首年预计供电1.2亿千瓦时", "zh-Hans", ["首年预计供电|1.2亿千瓦时"]),
        ("海港2026年新规", "zh-Hans", ["海港|2026年新规"]),
        ("電動フェリー就航", "ja", ["電動|フェリー就航", "電動フェリー|就航"]),
        # no better place: anywhere leaving two characters or more on either side
        ("社區圖書館", "zh-Hant", ["社區|圖書館", "社區圖|書館"]),
        ("「海港記憶室」", "zh-Hant", ["「海港|記憶室」", "「海港記|憶室」"]),
        ("新館", "zh-Hant", []),
    ],
)  # fmt: skip
def test_cuts_of_a_phrase_longer_than_the_line(phrase: str, lang: str, expected: list[str]) -> None:
    assert [phrase[:k] + "|" + phrase[k:] for k in cjkheads.cuts(phrase, lang)] == expected


def trial_widths(path: Path, theme: str = "newsbrief") -> tuple[list[str], list[float]]:
    """The printed lines of a sample's headline, and the measures balancing laid it out in."""
    calls = []
    real = cjkheads._Trial.__init__

    def counted(self: cjkheads._Trial, *args: object) -> None:
        calls.append(args[3])
        real(self, *args)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cjkheads._Trial, "__init__", counted)
        lines = headline_lines(rendered(load(path), theme, "A4"), load(path).headline)
    return lines, calls  # type: ignore[return-value]


def test_balancing_skips_the_layouts_whose_lines_it_knows() -> None:
    """A measure holding every line as it was broken gives the same lines, and one its last
    line does not fit loses a line; a flush-left headline is not laid out again in the
    measure it settles on: zh-Hans in newsbrief takes 1 layout of its headline, not 5, and
    prints as before."""
    lines, calls = trial_widths(SAMPLES / "zh-hans.json")
    assert lines == ["石湾渔港试点“智慧渔港”", "渔船进出港手续“扫码即办”"]
    assert len(calls) == 1, calls


def test_balancing_skips_measures_whose_lines_cannot_hold_what_they_must() -> None:
    """In newsbrief the Japanese sample's first line holds 県内初の電動フェリー「しおかぜ」、;
    in a narrower measure it loses 「しおかぜ」、 at least, which the second line cannot hold
    with its own 5月から鳴島航路に就航, and a measure as wide as that first line keeps it. The
    measures balancing tried for nothing are not laid out: 1 layout, not 5, to the same
    lines (as WeasyPrint alone lays it out)."""
    lines, calls = trial_widths(SAMPLES / "ja.json")
    assert lines == ["県内初の電動フェリー「しおかぜ」、", "5月から鳴島航路に就航"]
    assert len(calls) == 1, calls


def test_a_centred_headline_is_laid_out_in_the_measure_it_settles_on(tmp_path: Path) -> None:
    """Centred, a headline's lines move with the measure: the one balancing settles on is
    laid out (so the lines are centred as before), after the full measure."""
    (tmp_path / "theme.json").write_text('{"extends": "newsbrief", "stylesheets": ["s.css"]}')
    (tmp_path / "s.css").write_text(".headline { text-align: center; }")
    lines, calls = trial_widths(SAMPLES / "ja.json", str(tmp_path))
    assert lines == ["県内初の電動フェリー「しおかぜ」、", "5月から鳴島航路に就航"]
    assert len(calls) == 2 and calls[1] < calls[0], calls


SPACED = """.headline { letter-spacing: 0.12em; text-align: center; }"""
"""A theme's headline with wide letter spacing, centred (the built-in themes track theirs
tighter and set them flush left)."""


def themed(theme: str, folder: Path) -> str:
    """``theme``, or for "spaced" a newsbrief with a centred, letter-spaced headline."""
    if theme != "spaced":
        return theme
    (folder / "theme.json").write_text('{"extends": "newsbrief", "stylesheets": ["s.css"]}')
    (folder / "s.css").write_text(SPACED)
    return str(folder)


@pytest.mark.slow
@pytest.mark.parametrize("theme", ["newsbrief", "broadsheet", "minimal", "spaced"])
def test_measures_skipped_as_overflowing_lose_the_line_count_when_laid_out(
    theme: str, tmp_path: Path
) -> None:
    """Each measure :class:`~printbrief.cjkheads._Overflow` rules out is laid out all the
    same, over the CJK headlines and headlines cut from their bodies, on four papers: every
    one needs more lines than the best so far, or breaks inside a phrase."""
    theme = themed(theme, tmp_path)
    told: list[bool] = []
    real_overflow = cjkheads._Overflow
    current: list[Any] = []

    class Checked(real_overflow):  # type: ignore[misc, valid-type]
        def __init__(self, best: cjkheads._Trial, block: Any, em: float) -> None:
            super().__init__(best, block, em)
            self.best = best

        def __call__(self, width: float) -> bool:
            skipped: bool = super().__call__(width)
            if skipped:
                best = self.best
                trial = cjkheads._Trial(*current, best.phrased, width, best.long)
                told.append(not trial.no_worse_than(best))
            return skipped

    balance_over_cases(theme, current, _Overflow=Checked)
    assert len(told) > 20 and all(told), told


@pytest.mark.slow
@pytest.mark.parametrize("theme", ["newsbrief", "broadsheet", "minimal", "spaced"])
def test_measures_taken_as_settled_keep_the_lines_when_laid_out(theme: str, tmp_path: Path) -> None:
    """The narrowest measure :func:`~printbrief.cjkheads._settled` says keeps a trial's lines
    is laid out all the same, over the CJK headlines and headlines cut from their bodies, on
    four papers: it breaks the same lines, none inside a phrase more."""
    theme = themed(theme, tmp_path)
    kept: list[bool] = []
    real_settled = cjkheads._settled
    current: list[Any] = []

    def settled(trial: cjkheads._Trial, block: Any) -> float:
        width = real_settled(trial, block)
        if width < block.width:
            again = cjkheads._Trial(*current, trial.phrased, width, trial.long)
            kept.append(lines_of(again) == lines_of(trial) and again.broken == trial.broken)
        return width

    balance_over_cases(theme, current, _settled=settled)
    assert len(kept) > 20 and all(kept), kept


def balance_over_cases(theme: str, current: list[Any], **patches: Any) -> None:
    """Render :func:`overflow_cases` on four papers with ``patches`` on :mod:`cjkheads`,
    ``current`` holding the layout function and arguments of the headline being balanced."""
    real_balanced = cjkheads._balanced

    def balanced(original: Any, args: tuple[Any, ...], best: cjkheads._Trial) -> Any:
        current[:] = [original, args]
        return real_balanced(original, args, best)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cjkheads, "_balanced", balanced)
        for name, value in patches.items():
            patch.setattr(cjkheads, name, value)
        for article in overflow_cases():
            for paper in ("A4", "A5", "Letter", "B5"):
                rendered(article, theme, paper)


def lines_of(trial: cjkheads._Trial) -> list[str]:
    return [cjkheads._text(line, squashed=False) for line, _ in trial.lines]


def overflow_cases() -> list[Article]:
    """The CJK headlines, and headlines cut from their bodies' sentences (Latin, digits,
    quotes, CJK–Latin gaps), with a short body."""
    cases = []
    for path in CJK:
        article = load(path)
        if article.lang.startswith("ko"):
            continue
        cases.append(article)
        text = re.sub(r"<rt>.*?</rt>|<[^>]+>|[#*_>\[\]()]", "", "".join(article.body.split()))
        sentences = [s for s in text.replace("。", "。\n").splitlines() if len(s) > 12][:4]
        for sentence in sentences:
            for length in (14, 27, 41):
                headline = sentence[:length].strip("。、，")
                cases.append(Article(headline=headline, body="本文。", lang=article.lang))
    return cases


def test_balanced_lines_are_about_as_long_as_each_other() -> None:
    """A headline breaking anywhere is set in the narrowest measure keeping its line count."""
    lines = printed(SAMPLES / "ko.json", "newsbrief", "A4")
    assert lines == ["태풍‘솔바람’북상에한바다항", "전면통제…여객선42편결항"]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("潮汐能试验电站并网发电，首年预计供电1.2亿千瓦时", "zh-Hans",
         ["潮汐能试验电站并网发电，", "首年预计供电1.2亿千瓦时"]),
        ("首批接入的渔船", "zh-CN", ["首批接入的", "渔船"]),
        ("十三湊の古い石垣、地元高校生がデジタル記録に挑む", "ja",
         ["十三湊の", "古い", "石垣、", "地元高校生が", "デジタル記録に", "挑む"]),
        ("空置十五年　舊三號碼頭", "zh-Hant", ["空置十五年", "舊三號碼頭"]),
        ("「しおかぜ」、5月", "ja", ["「しおかぜ」、", "5月"]),
    ],
)  # fmt: skip
def test_phrases(text: str, lang: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b in cjkheads.phrases(text, lang)] == expected


# ------------------------------------------------------------ CJK–Latin gaps in head text

GAPPED = [p for p in CJK if load(p).lang[:2] in ("zh", "ja")]


def _captioned(path: Path) -> Article:
    """The article with a picture whose caption and credit mix Han or kana with digits."""
    caption = {"zh": "2026年5月摄于白石湾，约120米长的堤岸", "ja": "2026年5月、約120メートルの岸壁"}
    image = {"src": picture(160, 90), "caption": caption[load(path).lang[:2]], "credit": "PB通信"}
    return Article.model_validate({**load(path).model_dump(), "images": [image]})


@pytest.mark.parametrize("paper", ["A4", "A5"])
@pytest.mark.parametrize("theme", ["newsbrief", "broadsheet", "minimal"])
@pytest.mark.parametrize("path", GAPPED, ids=lambda p: p.name)
def test_head_text_has_the_cjk_latin_gap(path: Path, theme: str, paper: str) -> None:
    """jlreq: a quarter em between Han or kana and Latin or digits, in the headline,
    standfirst, byline and dateline, kicker and captions as in the body."""
    article = _captioned(path)
    pdf = rendered(article, theme, paper)
    fields = {"headline": article.headline, "standfirst": article.standfirst,
              "byline": article.byline, "dateline": dateline(article),
              "kicker": article.section, "caption": article.images[0].caption,
              "credit": article.images[0].credit}  # fmt: skip
    measured = {
        name: cjk_latin_gaps(printed_glyphs(pdf, text or "")) for name, text in fields.items()
    }
    assert measured["dateline"] and measured["caption"], measured  # what every article has
    gaps = [gap for found in measured.values() for gap in found]
    # A quarter em, less a headline's tracking (broadsheet: -0.015 em).
    assert gaps and min(gaps) >= 0.23 and max(gaps) < 0.8, measured


def test_korean_head_text_gets_no_cjk_latin_gap() -> None:
    """Korean sets Latin and digits with word spaces (klreq): no gap is marked anywhere."""
    article = Article.model_validate({**_captioned(SAMPLES / "ja.json").model_dump(), "lang": "ko"})
    html = resolve_theme("newsbrief").render_html(article, "<p>본문</p>")
    assert "cjk-gap" not in html


def test_an_issue_contents_sets_the_gap_in_a_japanese_headline() -> None:
    """The contents of an English issue list a Japanese article: its entry takes the gap of
    its own language (``、5月から``)."""
    article = load(SAMPLES / "ja.json")
    gaps = cjk_latin_gaps(printed_glyphs(sample_issue("plain"), article.headline))
    assert len(gaps) == 1 and gaps[0] >= 0.24, gaps  # 5|月 (、 has its own blank half)
