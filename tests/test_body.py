"""Body formats, sanitizing and script tagging (no rendering)."""

from __future__ import annotations

import pytest

from printbrief import Article, LimitError
from printbrief.body import body_html, tag_scripts


def html_of(body: str, fmt: str = "markdown", lang: str = "en") -> str:
    return body_html(Article(headline="h", body=body, body_format=fmt, lang=lang))  # type: ignore[arg-type]


def test_markdown_typography_english() -> None:
    out = html_of('She said "it\'s open"... then left.')
    assert out == "<p>She said “it’s open”… then left.</p>\n"


def test_markdown_quotes_follow_language() -> None:
    assert "「" in html_of('He said "yes" today.', lang="ja")
    assert "“" in html_of('He said "yes" today.', lang="zh-Hans")


def test_markdown_structures() -> None:
    out = html_of("## Sub\n\n- a\n- b\n\n> quoted\n\n1. one\n")
    for tag in ("<h2>", "<ul>", "<li>", "<blockquote>", "<ol>"):
        assert tag in out


def test_titled_markdown_image_becomes_figure() -> None:
    out = html_of('![Lanterns](images/l.jpg "Night market")')
    assert (
        out.startswith("<figure><img") and "<figcaption>Night market</figcaption></figure>" in out
    )


def test_text_format_splits_paragraphs_and_escapes() -> None:
    out = html_of("First <b>not bold</b>\nsame para\n\n\nSecond", fmt="text")
    assert out == "<p>First &lt;b&gt;not bold&lt;/b&gt;<br>same para</p>\n<p>Second</p>\n"


@pytest.mark.parametrize(
    ("dirty", "gone"),
    [
        ("<script>alert(1)</script><p>x</p>", "alert"),
        ('<p onclick="steal()">x</p>', "onclick"),
        ('<a href="javascript:alert(1)">x</a>', "javascript"),
        ("<style>body{display:none}</style><p>x</p>", "display"),
        ('<link rel="stylesheet" href="file:///etc/passwd"><p>x</p>', "passwd"),
        ('<base href="file:///etc/"><p>x</p>', "<base"),
        ('<meta http-equiv="refresh" content="0"><p>x</p>', "<meta"),
        ('<img src="file:///etc/passwd">', "passwd"),
        ('<img src="http://169.254.169.254/latest">', "169.254"),  # https: is the fetcher's call
        ('<iframe src="https://example.com"></iframe>', "iframe"),
        ('<a rel="attachment" href="file:///etc/passwd">x</a>', "passwd"),
        ('<object data="x.pdf"></object>', "object"),
        ('<p style="width: 1e9px">x</p>', "style"),
        ('<aside class="pull-quote evil">q</aside>', "evil"),
        ('<td colspan="100000">x</td>', "colspan"),
    ],
)
def test_sanitizer_removes(dirty: str, gone: str) -> None:
    assert gone not in html_of(dirty, fmt="html")


def test_sanitizer_keeps_print_elements() -> None:
    kept = (
        '<p lang="ja">x</p><aside class="fact-box">f</aside><a href="https://example.org/a">l</a>'
        '<img src="images/a.jpg" alt="A"><table><tr><td colspan="2">c</td></tr></table>'
    )
    out = html_of(kept, fmt="html")
    for piece in (
        'lang="ja"',
        'class="fact-box"',
        'href="https://example.org/a"',
        'src="images/a.jpg"',
        'colspan="2"',
    ):
        assert piece in out


def test_markdown_raw_html_is_sanitized_too() -> None:
    assert "script" not in html_of("Text\n\n<script>x()</script>\n")


def test_depth_limit_checked_before_sanitizing() -> None:
    with pytest.raises(LimitError, match="nested deeper than 48"):
        html_of("<div>" * 5000 + "x", fmt="html")


def test_tag_scripts_marks_kana_and_hangul_runs() -> None:
    out = tag_scripts("<p>Mayor 山田はなこ met 김민지, 陳建國 and 林晓云.</p>", "en")
    assert '<span lang="ja">山田はなこ</span>' in out
    assert '<span lang="ko">김민지</span>' in out
    # Only Big5 spells 陳 and 國: one Traditional face for the whole name, not SC + TC.
    assert '<span lang="zh-Hant">陳建國</span>' in out
    assert '<span class="cjk">林晓云</span>.' in out  # GB 2312 spells it: the stack's SC face


def test_tag_scripts_leaves_own_language_alone() -> None:
    assert tag_scripts("<p>陳建國</p>", "zh-Hans") == "<p>陳建國</p>"
    assert tag_scripts("<p>ひらがな</p>", "ja") == "<p>ひらがな</p>"
    assert tag_scripts('<p title="ひら">x</p>', "en") == '<p title="ひら">x</p>'


def test_korean_text_is_not_wrapped_in_spans() -> None:
    # Words are kept whole by the layout (printbrief.cjk), not by no-wrap spans that overflow.
    out = html_of("항만에 조력 발전, see &amp; 설비", lang="ko")
    assert out == "<p>항만에 조력 발전, see &amp; 설비</p>\n"


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", 'She said "it\'s open"... -- then left.', "She said “it’s open”… – then left."),
        ("ja", 'He said "yes" today.', "He said 「yes」 today."),
        ("zh-Hant", "He said 'maybe'.", "He said 『maybe』."),
        ("en", "The '90s and '80s", "The ’90s and ’80s"),
    ],
)
def test_text_bodies_get_the_markdown_typographer(lang: str, text: str, expected: str) -> None:
    assert html_of(text, fmt="text", lang=lang) == f"<p>{expected}</p>\n"


@pytest.mark.parametrize("fmt", ["markdown", "text"])
def test_leading_apostrophes_are_apostrophes(fmt: str) -> None:
    out = html_of("Back in the '90s, rock 'n' roll 'til dawn; 'quoted' words.", fmt=fmt)
    assert "the ’90s, rock ’n’ roll ’til dawn; ‘quoted’ words." in out


def test_text_bodies_are_not_markdown() -> None:
    assert html_of("*not* `code` # not a heading", fmt="text") == (
        "<p>*not* `code` # not a heading</p>\n"
    )
