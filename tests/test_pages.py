"""Pages that never break: nothing prints over anything, on any paper, in any theme."""

from __future__ import annotations

import io
import json
import logging
import re
from functools import cache
from pathlib import Path

import pdfplumber
import pytest

import pagecases
import pagecheck
from conftest import SAMPLES, save_failure
from printbrief import (
    Article,
    Renderer,
    ThemeError,
    body,
    compile_issue,
    fitting,
    furniture,
    load,
    tables,
)
from printbrief.batch.plan import expand_inputs
from printbrief.body import alignment_classes, body_html, breakable_urls, plain_text, sanitize
from printbrief.themes import headline_step, resolve_theme, shorten

THEMES = ("newsbrief", "broadsheet", "minimal")
SAMPLE_NAMES = sorted(Path(p).name for p in expand_inputs([str(SAMPLES)]))


@cache
def renderer(theme: str, paper: str) -> Renderer:
    return Renderer(theme, paper=paper, strict=True, system_fonts=False)


def articles() -> dict[str, Article]:
    found = {name: load(SAMPLES / name) for name in SAMPLE_NAMES}
    return found | {name: load(make()) for name, make in pagecases.CASES.items()}


def captions(name: str, article: Article) -> list[str]:
    if name == "pictures":  # its body pictures carry captions too
        return pagecases.PICTURE_CAPTIONS
    return [image.caption for image in article.images if image.caption]


def _paper(paper: str, slow: bool) -> object:
    return pytest.param(paper, marks=pytest.mark.slow) if slow else paper


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize(
    "paper", [_paper("A5", False), *(_paper(p, True) for p in ("A4", "Letter", "Tabloid"))]
)
def test_nothing_prints_over_anything(theme: str, paper: str) -> None:
    """Every sample and every test article: no overprint, nothing off the type area, one-line
    running heads and footers, one head rule, every caption under its picture, body lines on
    the grid, no nearly-empty page, no gap before a picture. A5 runs in every test run; A4,
    Letter and Tabloid (reading pages with pdfplumber costs more than rendering them) with
    the slow tests."""
    problems = {}
    for name, article in articles().items():
        pdf = renderer(theme, paper).render(article)
        words = pagecheck.words_of(plain_text(body_html(article)))
        found = pagecheck.check(pdf, theme, captions(name, article), article.url, words)
        if found:
            save_failure(f"pages-{name}.{theme}.{paper}", pdf)
            problems[name] = found[:5]
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)


# ----------------------------------------------------------------- the checker can fail


def broken_theme(tmp_path: Path, css: str, base: str = "newsbrief", paper: str = "A5") -> Renderer:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "theme.json").write_text(
        f'{{"extends": "{base}", "stylesheets": ["bad.css"], "fit_steps": 0}}'
    )  # no copyfitting: it would mend what the checker must find
    (folder / "bad.css").write_text(css)
    return Renderer(folder, paper=paper, system_fonts=False)


def test_checker_finds_pictures_off_the_page_and_lost_captions(tmp_path: Path) -> None:
    bad = broken_theme(tmp_path, "figure img { max-height: none; }")
    pdf = bad.render(load(pagecases.pictures()))
    found = " ".join(pagecheck.check(pdf, "newsbrief", pagecases.PICTURE_CAPTIONS))
    assert "picture Box" in found and "outside the type area" in found
    assert "is not under a picture on its page" in found  # the portrait's caption went on


def test_checker_finds_a_picture_stretched_to_its_box(tmp_path: Path) -> None:
    """Without ``object-fit: contain`` a portrait capped in height is stretched to the
    column's width, out of its proportions."""
    bad = broken_theme(tmp_path, "figure img { object-fit: fill; }")
    found = pagecheck.check(bad.render(load(pagecases.pictures())), "newsbrief")
    assert any("drawn" in f and "its pixels 0.667:1" in f for f in found), found


def test_checker_finds_two_line_heads_and_two_rules(tmp_path: Path) -> None:
    # !important: the article template sets the two boxes' measured widths after the theme's CSS
    head = "width: auto !important; white-space: normal; border-bottom: 0.5pt solid #999;"
    bad = broken_theme(
        tmp_path,
        f"@page {{ border-top: none; @top-left {{ {head} }} @top-right {{ {head} }} }}",
    )
    article = load(pagecases.long_feature())
    found = " ".join(pagecheck.check(bad.render(article), "newsbrief", (), article.url))
    assert "running head on 2 lines" in found and "2 rules under the running head" in found


def test_checker_finds_overprints_and_a_caption_without_its_picture(tmp_path: Path) -> None:
    bad = broken_theme(tmp_path, ".body p { line-height: 0.5; }")
    pdf = bad.render(load(pagecases.long_headline()))
    assert "overprints" in " ".join(pagecheck.check(pdf, "newsbrief"))
    alone = ["The vote was unanimous, the debate was not."]  # the standfirst, not a caption
    assert pagecheck.check_captions(pagecheck.pages(pdf, "newsbrief"), alone) == [
        "caption 'The vote was unanimous, the debate was n'… is not under a picture on its page"
    ]


def test_checker_finds_table_words_split_without_a_hyphen(tmp_path: Path) -> None:
    """broadsheet's old cell rules (break anywhere, numbers whole) cut "Container" as
    "Containe" / "r quay" in an A4 column; the checker names each such word."""
    old_rules = (
        ".body th, .body td { overflow-wrap: anywhere; hyphens: manual }\n"
        ".body td.align-right { overflow-wrap: normal; }"
    )
    article = load(pagecases.long_feature())
    pdf = broken_theme(tmp_path, old_rules, "broadsheet", "A4").render(article)
    found = pagecheck.pages(pdf, "broadsheet")
    split = pagecheck.split_words(found, pagecheck.words_of(plain_text(body_html(article))))
    assert any("'Containe|r'" in finding for finding in split), split


def test_checker_finds_lines_off_the_baseline_grid(tmp_path: Path) -> None:
    bad = broken_theme(tmp_path, ".body blockquote { margin: 3mm 0 3mm 2mm; }")
    found = pagecheck.pages(bad.render(load(pagecases.long_feature())), "newsbrief")
    assert "pt off the 15.0 pt grid" in " ".join(pagecheck.rhythm(found))


# ----------------------------------------------------------------- what the fixes promise


@pytest.mark.parametrize("theme", THEMES)
def test_a_line_carrying_a_cjk_name_keeps_the_line_height(theme: str) -> None:
    """The CJK face's other ascent and descent neither make its line taller nor move its
    baseline: every line of the page, CJK names or not, stays on the grid."""
    pdf = renderer(theme, "A5").render(load(SAMPLES / "mixed-en-quotes-cjk.json"))
    found = pagecheck.pages(pdf, theme)
    size, _, line = pagecheck.body_grid(found)
    cjk = [c for p in found for c in p.chars if re.search(r"-(SC|TC|JP|KR)\b", c["fontname"])]
    assert any(abs(float(c["size"]) - size) < 0.05 for c in cjk), "no CJK name in body text"
    assert line == pytest.approx({"newsbrief": 15, "broadsheet": 14, "minimal": 16.5}[theme])
    assert pagecheck.rhythm(found) == []


def words(pdf: bytes) -> list[dict[str, object]]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [w for page in doc.pages for w in page.extract_words()]


def text(pdf: bytes) -> str:
    """All glyphs, whitespace removed: a URL broken over lines reads back whole."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return re.sub(r"\s+", "", "".join(c["text"] for p in doc.pages for c in p.chars))


@pytest.mark.parametrize("theme", THEMES)
def test_urls_break_without_inserted_hyphens(theme: str) -> None:
    pdf = renderer(theme, "A5").render(load(pagecases.long_feature()))
    assert pagecases.LONG_URL in text(pdf)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:  # set like the words around it
        chars = [c for p in doc.pages for c in p.chars if c["text"].strip()]
    at = "".join(c["text"] for c in chars).index("publishedat" + pagecases.LONG_URL)
    assert {round(c["size"], 1) for c in chars[at : at + 20]} == {round(chars[at]["size"], 1)}


@pytest.mark.parametrize("theme", THEMES)
def test_numeric_table_columns_stay_right_aligned(theme: str) -> None:
    found = words(renderer(theme, "A5").render(load(pagecases.long_feature())))
    right = {w["text"]: float(w["x1"]) for w in found if w["text"] in ("6.40", "12.10")}  # type: ignore[arg-type]
    assert len(right) == 2 and abs(right["6.40"] - right["12.10"]) < 0.5


def table_glyphs(pdf: bytes, first: str = "2017") -> list[dict[str, object]]:
    """The glyphs of the wide table: from its first year to the end of its last row."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = [c for c in doc.pages[0].chars if c["text"].strip()]
    text = "".join(c["text"] for c in chars)
    start = text.index(first)
    return chars[start : text.index("Marinapontoons", start) + 60]


def test_a_table_wider_than_its_column_steps_its_type_down_to_fit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Ten years of soundings at broadsheet's 7 pt are wider than an A4 column and printed
    over the next; stepped down, measured, the table fits its column."""
    with caplog.at_level(logging.DEBUG, logger="printbrief.renderer"):
        pdf = renderer("broadsheet", "A4").render(load(pagecases.wide_table()))
    glyphs = table_glyphs(pdf)
    area = pagecheck.pages(pdf, "broadsheet")[0].area
    column = (area.x1 - area.x0 - 7 * pagecheck.MM) / 2
    assert max(float(c["size"]) for c in glyphs) < 7  # type: ignore[arg-type]
    assert max(float(c["x1"]) for c in glyphs) <= area.x0 + column + 0.5  # type: ignore[arg-type]
    assert pagecheck.check(pdf, "broadsheet") == []
    assert "tables step 1: type {0: " in caplog.text


def test_a_table_too_wide_at_the_smallest_type_breaks_its_cells_but_prints_over_nothing() -> None:
    """Sixteen columns do not fit an A5 page even at 5 pt: the cells break anywhere, and
    nothing leaves the type area or prints over anything."""
    pdf = renderer("newsbrief", "A5").render(load(pagecases.wide_table(16)))
    assert {round(float(c["size"]), 1) for c in table_glyphs(pdf, "2011")} == {5.0}  # type: ignore[arg-type]
    assert [
        p for page in pagecheck.pages(pdf, "newsbrief") for p in pagecheck.check_page(page)
    ] == []


def test_a_theme_sets_the_smallest_table_type(tmp_path: Path) -> None:
    """``table_smallest`` is the floor the wide table steps down to: at 6.5 pt the ten years
    of soundings no longer fit broadsheet's A4 column, so their cells break instead; still
    nothing prints over the next column."""
    folder = tmp_path / "large-type"
    folder.mkdir()
    (folder / "theme.json").write_text('{"extends": "broadsheet", "table_smallest": 6.5}')
    pdf = Renderer(folder, paper="A4", system_fonts=False).render(load(pagecases.wide_table()))
    sizes = {round(float(c["size"]), 2) for c in table_glyphs(pdf)}  # type: ignore[arg-type]
    assert sizes == {6.5}
    assert pagecheck.check(pdf, "broadsheet") == []
    default = renderer("broadsheet", "A4").render(load(pagecases.wide_table()))
    assert max(float(c["size"]) for c in table_glyphs(default)) < 6.5  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["6", 2, 25, True])
def test_a_bad_smallest_table_type_is_a_theme_error(tmp_path: Path, value: object) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "theme.json").write_text(
        json.dumps({"extends": "newsbrief", "table_smallest": value})
    )
    with pytest.raises(ThemeError, match=r"bad/theme.json: table_smallest: expected points"):
        Renderer(folder)


def test_tables_resized_in_the_html() -> None:
    html = '<p>x</p><table><tr><th>a</th><td class="align-right">1</td></tr></table>'
    assert tables.resized(html, {0: 5.0}, {0}) == (
        '<p>x</p><table style="font-size: 5pt"><tr>'
        '<th style="padding-left: 0.4mm; padding-right: 0.4mm; overflow-wrap: anywhere">a</th>'
        '<td style="padding-left: 0.4mm; padding-right: 0.4mm; overflow-wrap: anywhere" '
        'class="align-right">1</td></tr></table>'
    )
    sizes: dict[int, float] = {}
    loose: set[int] = set()
    assert tables.step_down({0: (0.5, 7.0)}, sizes, loose) and sizes == {0: 5.0} and not loose
    assert tables.step_down({0: (0.9, 5.0)}, sizes, loose) and loose == {0}
    assert not tables.step_down({0: (0.9, 5.0)}, sizes, loose)


def headline_size(pdf: bytes, start: str) -> float:
    """Font size of the first glyph of ``start`` (spaces left out) on the first page."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = [c for c in doc.pages[0].chars if c["text"].strip()]
        at = "".join(c["text"] for c in chars).index(start.replace(" ", ""))
        return round(float(chars[at]["size"]), 1)


@pytest.mark.parametrize(("theme", "a4", "a5"), [("newsbrief", 25, 20), ("broadsheet", 30, 23.9)])
def test_headline_steps_down_with_paper_and_length(theme: str, a4: float, a5: float) -> None:
    short = load({"headline": "Quay", "body": "Text."})
    assert headline_size(renderer(theme, "A4").render(short), "Quay") == pytest.approx(a4, abs=0.3)
    assert headline_size(renderer(theme, "A5").render(short), "Quay") == pytest.approx(a5, abs=0.3)
    long = renderer(theme, "A4").render(load(pagecases.long_headline()))
    assert headline_size(long, "Council votes") < a4 * 0.65


def test_head_block_stays_on_the_first_page_on_a5() -> None:
    article = load(pagecases.pictures())
    with pdfplumber.open(io.BytesIO(renderer("newsbrief", "A5").render(article))) as doc:
        first = doc.pages[0]
        assert "Berglund" in "".join(c["text"] for c in first.chars)
        assert first.images, "the lead picture follows the head on its page"


def first_lines(box: object) -> int:
    """How many ``::first-line`` boxes lie in a laid-out box."""
    own = str(getattr(box, "element_tag", "")).endswith("::first-line")
    return own + sum(first_lines(child) for child in getattr(box, "children", ()))


@pytest.mark.parametrize("theme", ["newsbrief", "broadsheet"])
def test_a_continued_first_paragraph_has_one_first_line(theme: str) -> None:
    """The pictures article's first paragraph runs over to page 2 on A5: only its first line,
    on page 1, is set in the ``::first-line`` small caps, not the first line of page 2."""
    plain, article = renderer(theme, "A5"), load(pagecases.pictures())
    document = plain._layout(article, plain.themed_html(article), "A5")
    assert [first_lines(page._page_box) for page in document.pages[:2]] == [1, 0]


def test_fitting_leaves_no_nearly_empty_page_and_says_so_in_debug(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Without fitting steps the pictures article ends on a page holding only its last
    picture and its URL; with minimal's two steps it does not, and --debug tells."""
    folder = tmp_path / "unfitted"
    folder.mkdir()
    (folder / "theme.json").write_text('{"extends": "minimal", "fit_steps": 0}')
    article = load(pagecases.pictures())
    unfitted = Renderer(folder, paper="A5", system_fonts=False).render(article)
    assert pagecheck.nearly_empty(pagecheck.pages(unfitted, "minimal"))
    with caplog.at_level(logging.DEBUG, logger="printbrief.renderer"):
        fitted = renderer("minimal", "A5").render(article)
    assert pagecheck.nearly_empty(pagecheck.pages(fitted, "minimal")) == []
    assert fitted.pages < unfitted.pages
    assert "fitting step 1: body lines per page" in caplog.text


def test_a_picture_that_does_not_fit_moves_past_the_text_after_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Laid out as written, the market picture of the feature does not fit under the list on
    its A5 page in minimal and leaves a fifth of it empty; moved past the next paragraph, the
    text fills the page and the picture heads the next one, with its caption."""
    theme, article = "minimal", load(SAMPLES / "en-feature.md")
    plain = renderer(theme, "A5")
    as_written = plain._layout(article, plain.themed_html(article), "A5").write_pdf()
    assert pagecheck.picture_gaps(pagecheck.pages(as_written, theme))
    with caplog.at_level(logging.DEBUG, logger="printbrief.renderer"):
        moved = plain.render(article)
    found = pagecheck.pages(moved, theme)
    assert pagecheck.picture_gaps(found) == [] and pagecheck.nearly_empty(found) == []
    assert pagecheck.check_captions(found, captions("en-feature.md", article)) == []
    assert "picture 1 moved past 1 blocks of text" in caplog.text


def test_the_theme_sets_the_gap_a_picture_may_leave(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With ``picture_gap`` 0.25 the fifth of a page the market picture leaves empty is allowed:
    the picture stays where it was written, no fitting step is tried for it."""
    folder = tmp_path / "roomy"
    folder.mkdir()
    (folder / "theme.json").write_text('{"extends": "minimal", "picture_gap": 0.25}')
    roomy = Renderer(folder, paper="A5", strict=True, system_fonts=False)
    assert roomy.theme.picture_gap == 0.25 and renderer("minimal", "A5").theme.picture_gap == 0.15
    with caplog.at_level(logging.DEBUG, logger="printbrief.renderer"):
        pdf = roomy.render(load(SAMPLES / "en-feature.md"))
    gaps = pagecheck.picture_gaps(pagecheck.pages(pdf, "minimal"))
    assert len(gaps) == 1 and "moved past" not in caplog.text, (gaps, caplog.text)
    assert 0.17 < float(gaps[0].split(": ")[1].split("%")[0]) / 100 <= 0.25


@pytest.mark.parametrize("gap", ["wide", 1.5, -0.1, True, None])
def test_a_bad_picture_gap_is_a_theme_error_naming_it(tmp_path: Path, gap: object) -> None:
    folder = make_theme(tmp_path, extends="newsbrief", picture_gap=gap)
    with pytest.raises(ThemeError, match=r"partial/theme\.json: picture_gap: expected a fraction"):
        resolve_theme(folder)


def test_picture_moved_takes_headings_with_their_paragraph() -> None:
    html = '<figure class="x"><img src="a.png"></figure>\n<h2>Dawn</h2>\n<p>Text.</p><p>More.</p>'
    assert fitting.picture_moved(html, 0) == (
        '\n<h2>Dawn</h2>\n<p>Text.</p><figure class="x"><img src="a.png"></figure><p>More.</p>'
    )
    assert fitting.picture_moved("<figure>F</figure><ul><li>x</li></ul>", 0) is None
    assert fitting.picture_moved("<p>no picture</p>", 0) is None


def test_bad_fit_steps_are_a_theme_error(tmp_path: Path) -> None:
    folder = make_theme(tmp_path, extends="newsbrief", fit_steps=9)
    with pytest.raises(ThemeError, match="fit_steps"):
        resolve_theme(folder)


# ----------------------------------------------------------------- units


def test_cell_alignment_survives_the_sanitizer_as_a_class() -> None:
    raw = '<td style="text-align:right">1</td><th align="center">h</th><td style="color:red">x</td>'
    assert sanitize(f"<table><tr>{alignment_classes(raw)}</tr></table>") == (
        '<table><tbody><tr><td class="align-right">1</td><th class="align-center">h</th>'
        "<td>x</td></tr></tbody></table>"
    )
    evil = sanitize('<table><tr><td class="evil align-right">1</td></tr></table>')
    assert '<td class="align-right">1</td>' in evil


def test_breakable_urls_only_touch_urls() -> None:
    assert breakable_urls("a-b c.d") == "a-b c.d"
    marked = breakable_urls("at www.example.com/x?a=1&amp;b=2.")
    assert (
        marked == 'at <span class="url-text">www.<wbr>example.<wbr>com/x?a=1&amp;<wbr>b=2</span>.'
    )


def test_a_url_gets_a_wbr_only_where_the_line_breaker_finds_no_break() -> None:
    """Pango breaks after most / - ?; a <wbr> (an element and a box each) goes only after
    the others: 4 in the long feature's URL, not one after each of its 20 separators."""
    url = pagecases.LONG_URL
    inner = re.sub("<span[^>]*>|</span>", "", breakable_urls(url.replace("&", "&amp;")))
    pieces = [piece.replace("&amp;", "&") for piece in inner.split("<wbr>")]
    marks = {len("".join(pieces[:n])) for n in range(1, len(pieces))}
    assert "".join(pieces) == url and len(marks) == 4 and "2026/<wbr>05/" in inner
    separators = {i + 1 for i, c in enumerate(url[:-1]) if c in "/.-?&" and url[i + 1].isalnum()}
    assert separators <= marks | body.line_breaks(url)
    assert not marks & body.line_breaks(url)


def test_urls_break_after_their_separators_in_body_and_captions() -> None:
    """A URL of long dotted names and & parameters, in running text and in a caption, breaks
    only after / . - ? & and reads back whole (no hyphen inserted), in the narrowest column."""
    article = load(pagecases.url_caption())
    with pdfplumber.open(io.BytesIO(renderer("broadsheet", "A5").render(article))) as doc:
        lines = [line["text"] for p in doc.pages for line in p.extract_text_lines()]
    flowed = "\n".join(re.sub(r"\s+", "", line) for line in lines)
    found = [m.start() for m in re.finditer(r"https://", flowed)]
    assert len(found) == 2, lines  # the body's and the caption's
    for start in found:
        span = flowed[start : start + len(pagecases.DOTTED_URL) + 10]
        url = re.sub(r"\n", "", span)[: len(pagecases.DOTTED_URL)]
        assert url == pagecases.DOTTED_URL, lines
        ends = [span[i - 1] for i, c in enumerate(span[: span.rfind(url[-6:])]) if c == "\n"]
        assert ends and set(ends) <= set("/.-?&") and "." in ends, (ends, lines)


def test_shorten_never_doubles_an_ellipsis() -> None:
    assert shorten("태풍 ‘솔바람’ 북상에 한바다항 전면 통제… 여객선 42편 결항", 28).count("…") == 1
    assert shorten("Wait... what happened next at the harbour", 12) == "Wait…"


def test_headline_step_counts_wide_characters_twice() -> None:
    assert headline_step("x" * 60) == 0 and headline_step("x" * 61) == 1
    assert headline_step("字" * 31) == 1 and headline_step("x" * 181) == 3
    assert headline_step("x" * 61, (100,)) == 0


def make_theme(tmp_path: Path, **meta: object) -> Path:
    folder = tmp_path / "partial"
    folder.mkdir()
    (folder / "theme.json").write_text(json.dumps(meta))
    (folder / "article.html.j2").write_text("<p>{{ article.headline }}</p>")
    return folder


def test_a_theme_without_issue_templates_fails_at_load_naming_them(tmp_path: Path) -> None:
    folder = make_theme(tmp_path)
    (folder / "folios.html.j2").write_text("")
    with pytest.raises(ThemeError, match=r"'partial' has no template issue.html.j2, issue-a"):
        resolve_theme(folder)


def test_bad_headline_steps_are_a_theme_error(tmp_path: Path) -> None:
    folder = make_theme(tmp_path, extends="newsbrief", headline_steps=[40, "long"])
    with pytest.raises(ThemeError, match="headline_steps"):
        resolve_theme(folder)


@pytest.mark.parametrize("theme", THEMES)
def test_every_theme_compiles_an_issue(theme: str, tmp_path: Path) -> None:
    issue = {
        "title": "Small Edition",
        "publication": "Coastline Daily",
        "date": "2026-05-04",
        "articles": [pagecases.long_headline(), {"headline": "Tide", "body": "High water."}],
    }
    (tmp_path / "issue.json").write_text(json.dumps(issue))
    result = compile_issue(tmp_path / "issue.json", tmp_path / "out.pdf", theme=theme, jobs=1)
    assert result.pages >= 4


def head_runs(pdf: bytes, theme: str) -> list[list[dict[str, object]]]:
    """The second page's running head, cut into runs of glyphs at wide gaps (label, headline).
    A glyph cut off by ``text-overflow`` is drawn as one ellipsis glyph carrying the rest."""
    page = pagecheck.pages(pdf, theme)[1]
    head = [c for c in page.chars if c["bottom"] <= page.area.top + pagecheck.TOLERANCE]
    assert pagecheck.furniture(page) == [] and pagecheck.overprints(page) == []
    return pagecheck._runs(head, gap=6.0)


@pytest.mark.parametrize("theme", ["newsbrief", "broadsheet"])
def test_a_running_head_label_that_fits_is_never_cut(theme: str) -> None:
    """More than the old fixed 40 % of an A5 type area, less than half: whole, and the long
    headline beside it is cut with one ellipsis where its box ends."""
    article = pagecases.long_feature() | {"publication": "Coastline Daily"}
    article |= {"section": "Harbour Works", "headline": pagecases.HEAD_HEADLINE}
    runs = head_runs(renderer(theme, "A5").render(load(article)), theme)
    assert len(runs) == 2, ["".join(str(c["text"]) for c in run) for run in runs]
    label, headline = runs
    assert [c["text"] for c in label if c["text"] != " "] == list("COASTLINEDAILY·HARBOURWORKS")
    drawn = float(label[-1]["x1"]) - float(label[0]["x0"])  # type: ignore[arg-type]
    assert furniture.label_em("Coastline Daily · Harbour Works") * 7.5 == pytest.approx(drawn, 0.03)
    texts = [str(c["text"]) for c in headline]
    assert texts[-1].endswith("…") and sum("…" in t for t in texts) == 1, texts


def test_a_cjk_running_head_label_is_measured_as_the_cjk_face_sets_it() -> None:
    """Between CJK words the CJK face sets the middle dot full width: a label measured with
    the Latin dot's width was cut to ``海岸日报 · …`` with room to spare."""
    label, _headline = head_runs(renderer("newsbrief", "A4").render(load(SAMPLES / "zh-hans.json")),
                                 "newsbrief")  # fmt: skip
    assert "".join(str(c["text"]) for c in label if c["text"] != " ") == "海岸日报·简讯"
    drawn = float(label[-1]["x1"]) - float(label[0]["x0"])  # type: ignore[arg-type]
    assert drawn <= furniture.label_em("海岸日报 · 简讯") * 7.5 <= drawn * 1.03


@pytest.mark.parametrize("face", [furniture.LABEL_FACE, furniture.HEADLINE_FACE])
def test_raw_advances_match_fonttools(face: str) -> None:
    """The running head's fast reading of ``cmap`` and ``hmtx`` gives fontTools' own answer."""
    from fontTools.ttLib import TTFont

    with TTFont(Path(__file__).parent.parent / "fonts" / face) as font:
        upem, metrics = font["head"].unitsPerEm, font["hmtx"].metrics
        expected = {code: metrics[name][0] / upem for code, name in font.getBestCmap().items()}
    assert furniture.advances(face) == expected


@pytest.mark.parametrize("theme", THEMES)
def test_links_print_like_the_text_around_them(theme: str) -> None:
    """A link in the body is ink on paper: the text's colour, no underline (no browser blue)."""
    pdf = renderer(theme, "A5").render(load(pagecases.long_feature()))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            chars = [c for c in page.chars if c["text"].strip()]
            joined = "".join(c["text"] for c in chars)
            if (at := joined.find("thesurveydataathttps://data.example.com")) >= 0:
                break
        else:
            pytest.fail("the survey data link was not found")
        before, link = chars[at : at + 15], chars[at + 15 : at + 39]
        assert {str(c["non_stroking_color"]) for c in link} == {
            str(before[0]["non_stroking_color"])
        }
        lines = page.lines + page.rects
        underlined = [
            c
            for c in link
            for r in lines
            if r["x0"] < c["x1"] and r["x1"] > c["x0"] and c["top"] < r["top"] < c["bottom"] + 3
        ]
        assert underlined == []
