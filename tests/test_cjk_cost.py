"""What the CJK layout costs: its hooks step aside on pages it has nothing to do on, and
drawing a justified box looks its fonts up as WeasyPrint does, once per change of font."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import SAMPLES
from printbrief import Renderer, cjk, cjkbreak, cjkdraw, cjkjustify, cjkruby, load
from printbrief.cjkscript import layout_needs

ARTICLES = Path(__file__).parent / "articles"
# What each hook looks at on a page: text for Korean words, line edges, ruby readings.
LOOKS = (
    (cjkbreak, "add_attributes"),
    (cjkbreak, "_next_word_outgrows"),
    (cjkjustify, "_trim_start"),
    (cjkjustify, "_trim_opening"),
    (cjkruby, "_readings"),
)
LATIN_IN_JAPANESE = {
    "headline": "Ferry line opens",
    "lang": "en",
    "body_format": "html",
    "body": '<p lang="ja">Shiokaze sails twice a day from May, with a stop at the old pier on the'
    " north shore of the island where the fishermen land their catch at dawn.</p>",
}


@pytest.fixture
def looks(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often each of :data:`LOOKS` ran, from now on."""
    seen: Counter[str] = Counter()

    def counting(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            seen[name] += 1
            return function(*args, **kwargs)

        return counted

    for module, name in LOOKS:
        monkeypatch.setattr(module, name, counting(name, getattr(module, name)))
    return seen


def render(article: Any) -> None:
    Renderer("newsbrief").render(load(article) if isinstance(article, Path) else article)


def test_hooks_step_aside_on_pages_without_what_they_act_on(looks: Counter[str]) -> None:
    render(SAMPLES / "en-plain.json")  # no CJK, ruby or CJK lang: nothing is looked at
    assert not looks
    render(SAMPLES / "zh-hans.json")  # no Hangul: no Korean word is looked for
    assert looks["_next_word_outgrows"] == 0 and looks["_readings"] == 0
    assert looks["add_attributes"] and looks["_trim_start"] and looks["_trim_opening"]
    render(SAMPLES / "ko.json")
    assert looks["_next_word_outgrows"] and looks["_readings"] == 0
    render(ARTICLES / "ja-ruby.json")
    assert looks["_readings"]
    looks.clear()
    render(LATIN_IN_JAPANESE)  # justified as Japanese by its lang, though all Latin
    assert looks["_trim_opening"] and not looks["_next_word_outgrows"]


def test_what_a_page_needs_is_read_from_its_markup() -> None:
    assert layout_needs('<html lang="en"><p>Tide “high” — 42.8 MW…</p>') == frozenset()
    assert layout_needs('<p>Mayor <span LANG="ja">Takahashi</span></p>') == {"lang"}
    assert layout_needs("<p>林晓云</p><RUBY>A<rt>a</rt></RUBY>") == {"han", "ruby"}
    assert layout_needs("<p>Mayor 김민준</p>") == {"hangul"}


def test_a_justified_box_looks_its_fonts_up_once_per_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from weasyprint.text.ffi import ffi

    runs, lookups, fonts = Counter[str](), Counter[str](), Counter[str]()
    absorb = cjkdraw._absorb_truncation

    def counted(stream: Any, layout: Any) -> Any:
        run, previous = layout.get_first_line()[0].runs[0], None
        while run != ffi.NULL:
            font = run.data.item.analysis.font
            runs["runs"] += 1
            fonts["changes"] += font != previous
            previous, run = font, run.next
        add_font = stream.add_font

        def looked_up(pango_font: Any) -> Any:
            lookups["add_font"] += 1
            return add_font(pango_font)

        stream.add_font = looked_up
        try:
            return absorb(stream, layout)
        finally:
            del stream.add_font

    monkeypatch.setattr(cjkdraw, "_absorb_truncation", counted)
    render(SAMPLES / "ja.json")  # kana and kanji alternate: about two glyphs a run
    assert runs["runs"] > 2 * fonts["changes"] > 0
    assert lookups["add_font"] == fonts["changes"]


def test_justified_boxes_written_here_are_those_weasyprint_writes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    articles = [load(SAMPLES / "ja.json"), load(ARTICLES / "ko-long.json")]
    renderer = Renderer("broadsheet", paper="A5")
    written = [bytes(renderer.render(article)) for article in articles]
    monkeypatch.setattr(cjkdraw, "_plain", lambda textbox, runs: False)  # WeasyPrint writes all
    assert [bytes(renderer.render(article)) for article in articles] == written


def test_a_justified_box_is_shaped_once_with_its_spacing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Justification lays each widened box out with its spacing to measure it; drawing then
    prints that layout instead of laying the same text out again (WeasyPrint's ``draw_text``
    reactivates every box's layout)."""
    from weasyprint.text.line_break import Layout

    cjk.install()  # wrapped after this test's counting, set_text would lose the wrapper after it
    spaced, widened = Counter[str](), Counter[str]()
    set_text, relayout = Layout.set_text, cjkjustify._relayout

    def counted_set_text(layout: Any, text: str, justify: bool = False) -> None:
        spaced["set_text"] += bool(justify and getattr(layout, "pb_spacing", None))
        set_text(layout, text, justify)

    def counted_relayout(*args: Any) -> float:
        widened["boxes"] += 1
        return relayout(*args)

    monkeypatch.setattr(Layout, "set_text", counted_set_text)
    monkeypatch.setattr(cjkjustify, "_relayout", counted_relayout)
    render(SAMPLES / "ja.json")
    assert spaced["set_text"] == widened["boxes"] > 20


def test_justified_boxes_drawn_from_their_kept_layouts_print_as_laid_out_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    articles: list[Any] = [
        load(SAMPLES / "ja.json"),
        load(ARTICLES / "ko-long.json"),
        LATIN_IN_JAPANESE,
    ]
    renderer = Renderer("newsbrief", paper="A5")
    kept = [bytes(renderer.render(article)) for article in articles]
    monkeypatch.setattr(cjkjustify, "_PARAGRAPHS", re.compile(""))  # every box laid out anew
    assert [bytes(renderer.render(article)) for article in articles] == kept


def test_a_document_keeps_a_bounded_number_of_layouts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past :data:`~printbrief.cjkjustify.KEPT_LAYOUTS` a document's justified boxes are laid
    out again for drawing: kept layouts hold memory until the whole document is drawn."""
    drawn = Counter[str]()
    kept = cjkjustify._kept()
    reactivate = kept.reactivate

    def counted(layout: Any, style: Any) -> None:
        drawn["kept" if "layout" in layout.__dict__ else "again"] += 1
        reactivate(layout, style)

    monkeypatch.setattr(kept, "reactivate", counted)
    monkeypatch.setattr(cjkjustify, "KEPT_LAYOUTS", 5)
    render(SAMPLES / "ja.json")
    assert drawn["kept"] == 5 and drawn["again"] > 20
