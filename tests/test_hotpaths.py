"""WeasyPrint's hot paths, sped up inside printbrief's renders: the same bytes with and without."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from weasyprint.text.ffi import ffi, pango

from conftest import SAMPLES, load_bench
from printbrief import Renderer, hotdraw, hotpages, hotpaths, load, render

ARTICLES = sorted(
    p for p in SAMPLES.iterdir() if p.suffix in (".json", ".md") and p.name != "README.md"
)
QUICK = ("en-news-brief.json", "zh-hans.json")
THEMES = ("newsbrief", "broadsheet", "minimal")


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """How often each step acted (a test of sameness must not pass because nothing ran)."""
    counts = dict.fromkeys(hotpaths.STEPS, 0)
    face, made_from, measured = hotpaths.preprocessed_face, hotpaths.made_from, hotpaths.measured
    tried = hotpaths.tried
    kept_strut, expansion = hotpaths.kept_strut, hotpaths.expansion
    given, write = hotpages.given, hotdraw.write
    kept_file, as_drawn, spaced = hotpaths.kept_file, hotpaths.as_drawn, hotpaths.spaced

    def preprocessed(hb_face: Any, size: int) -> Any:
        counts["subset"] += 1
        return face(hb_face, size)

    def made(layout: Any, style: Any, shared: tuple[Any, ...]) -> None:
        counts["contexts"] += 1
        made_from(layout, style, shared)

    def from_draft(*args: Any) -> Any:
        counts["metrics"] += 1
        return measured(*args)

    def try_taken(*args: Any) -> bool:
        taken = tried(*args)
        counts["tries"] += taken
        return taken

    def strut(style: Any, original: Any) -> Any:
        counts["struts"] += 1
        return kept_strut(style, original)

    monkeypatch.setattr(hotpaths, "preprocessed_face", preprocessed)

    def file_read(*args: Any) -> Any:
        counts["files"] += 1
        return kept_file(*args)

    monkeypatch.setattr(hotpaths, "kept_file", file_read)

    def restored(*args: Any) -> bool:
        found = as_drawn(*args)
        counts["fitted"] += found
        return found

    monkeypatch.setattr(hotpaths, "as_drawn", restored)

    def unmade(*args: Any) -> Any:
        counts["spaced"] += 1
        return spaced(*args)

    monkeypatch.setattr(hotpaths, "spaced", unmade)
    freed_string = hotpaths.freed_string

    def freed(text: Any) -> Any:
        counts["freed"] += 1
        return freed_string(text)

    monkeypatch.setattr(hotpaths, "freed_string", freed)

    def expanded(*args: Any) -> Any:
        counts["shorthands"] += 1
        return expansion(*args)

    def reused(*args: Any) -> None:
        counts["pages"] += 1
        given(*args)

    def written(*args: Any) -> None:
        counts["glyphs"] += 1
        write(*args)

    monkeypatch.setattr(hotpages, "given", reused)
    monkeypatch.setattr(hotdraw, "write", written)
    monkeypatch.setattr(hotpaths, "kept_strut", strut)
    monkeypatch.setattr(hotpaths, "expansion", expanded)
    monkeypatch.setattr(hotpaths, "made_from", made)
    monkeypatch.setattr(hotpaths, "measured", from_draft)
    monkeypatch.setattr(hotpaths, "tried", try_taken)
    yield counts


def both(renderer: Renderer, path: Path) -> tuple[bytes, bytes]:
    """The article rendered without the steps, then with them."""
    article = load(path)
    with hotpaths.only():
        plain = bytes(renderer.render(article))
    return plain, bytes(renderer.render(article))


def _without(step: str, html: str) -> bytes:
    """``html`` rendered by WeasyPrint with every hot-path step but ``step``."""
    from weasyprint import HTML

    with hotpaths.only(*(s for s in hotpaths.STEPS if s != step)), hotpaths.speeding():
        pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def test_the_steps_are_installed_for_this_weasyprint() -> None:
    assert hotpaths.install() == hotpaths.STEPS


@pytest.mark.parametrize("name", QUICK)
def test_a_render_is_byte_identical_with_the_steps(name: str, taken: dict[str, int]) -> None:
    plain, fast = both(Renderer("newsbrief"), SAMPLES / name)
    assert fast == plain
    assert taken["subset"] >= 2 and taken["contexts"] >= 50 and taken["metrics"] >= 10, taken
    assert taken["files"] >= 2 and taken["fitted"] >= 10, taken
    assert taken["spaced"] >= (10 if name.startswith("en-") else 0), taken
    assert taken["struts"] >= 50 and taken["shorthands"] >= 20, taken
    assert taken["tries"] >= (10 if name.startswith("en-") else 0), taken
    assert taken["glyphs"] >= 30 and taken["freed"] >= 2, taken


@pytest.mark.parametrize("theme", THEMES)
def test_truetype_fonts_are_subset_in_one_pass_to_weasyprints_bytes(
    theme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every font of every sample is subset in one HarfBuzz pass, to the very bytes
    WeasyPrint's two passes make of it (its own ``Font._harfbuzz_subset``, on the face)."""
    from weasyprint.pdf import fonts

    one_pass, same = hotpaths.one_pass_subset, []

    def checked(font: Any, to_unicode: Any, hinting: bool, ready: Any) -> bytes | None:
        subset, whole = one_pass(font, to_unicode, hinting, ready), font.file_content
        fonts.Font._harfbuzz_subset.__wrapped__(font, to_unicode, hinting)
        same.append(subset == font.file_content)
        font.file_content = whole
        return subset

    monkeypatch.setattr(hotpaths, "one_pass_subset", checked)
    renderer = Renderer(theme)
    for path in ARTICLES:
        renderer.render(load(path))
    assert len(same) >= 3 * len(ARTICLES) and all(same), same


def test_a_system_font_with_math_variants_is_subset_as_weasyprint_does(
    taken: dict[str, int],
) -> None:
    """DejaVu carries a MATH table: HarfBuzz adds a glyph's math variants (parenthesis
    pieces, dashes) to a subset, and WeasyPrint's two passes keep others than one pass would.
    Such a face is subset in WeasyPrint's two passes, from the preprocessed face."""
    from weasyprint import HTML

    found = subprocess.run(
        ["fc-match", "-f", "%{file}", "DejaVu Serif"], capture_output=True, text=True
    ).stdout
    assert "DejaVu" in found, "this test needs DejaVu Serif (fonts-dejavu-core)"
    assert b"MATH" in hotpaths._tags(Path(found).read_bytes())
    html = "<p style='font: 9pt \"DejaVu Serif\"'>A well‐known pier (the north one) — 2026</p>"
    hotpaths.install()
    plain = HTML(string=html).write_pdf()
    with hotpaths.only("subset"), hotpaths.speeding():
        assert HTML(string=html).write_pdf() == plain
    assert taken["subset"] >= 1


@pytest.mark.slow
@pytest.mark.parametrize("theme", THEMES)
def test_every_sample_in_every_theme_is_byte_identical(theme: str, taken: dict[str, int]) -> None:
    renderer = Renderer(theme)
    assert len(ARTICLES) >= 8
    for path in ARTICLES:
        plain, fast = both(renderer, path)
        assert fast == plain, f"{path.name} in {theme}"
    assert taken["subset"] >= 2 * len(ARTICLES), taken
    assert taken["files"] >= 2 * len(ARTICLES), taken
    assert taken["fitted"] >= 10 * len(ARTICLES), taken
    assert taken["spaced"] >= (0 if theme == "minimal" else 10 * len(ARTICLES)), taken
    assert taken["contexts"] >= 50 * len(ARTICLES), taken
    assert taken["metrics"] >= 5 * len(ARTICLES), taken
    assert taken["tries"] >= 10 * len(ARTICLES), taken
    assert taken["struts"] >= 20 * len(ARTICLES), taken
    assert taken["shorthands"] >= 5 * len(ARTICLES), taken
    assert taken["pages"] >= 2, taken  # the feature's pages after its first left and right
    assert taken["glyphs"] >= 25 * len(ARTICLES), taken
    assert taken["freed"] >= 2 * len(ARTICLES), taken


def test_each_step_alone_is_byte_identical(taken: dict[str, int]) -> None:
    renderer = Renderer("broadsheet")
    articles = [load(SAMPLES / n) for n in ("mixed-en-quotes-cjk.json", "en-feature.md")]
    with hotpaths.only():
        plain = [bytes(renderer.render(article)) for article in articles]
    for step in hotpaths.STEPS:
        before = dict(taken)
        with hotpaths.only(step):
            assert [bytes(renderer.render(article)) for article in articles] == plain, step
        assert {s for s in taken if taken[s] > before[s]} == {step}, taken


def test_a_face_is_preprocessed_once_and_held_while_cached() -> None:
    Renderer("minimal").render(load(SAMPLES / "en-plain.json"))
    entries = dict(hotpaths._faces)
    assert entries and sum(e[2] for e in entries.values()) <= hotpaths.FONT_BYTES_KEPT
    for key, (face, ready, size) in entries.items():
        # The entry holds the face itself, so no other face can be given its address.
        assert int(ffi.cast("uintptr_t", face)) == key
        assert hotpaths.preprocessed_face(face, size) is ready
    assert dict(hotpaths._faces).keys() == entries.keys()


def test_a_font_file_is_copied_once_and_its_face_held_while_kept() -> None:
    from weasyprint.pdf import fonts
    from weasyprint.text.fonts import get_hb_object_data

    made: list[Any] = []
    renderer, article = Renderer("newsbrief"), load(SAMPLES / "en-news-brief.json")
    plain_init = fonts.Font.__init__

    def init(font: Any, *args: Any) -> None:
        plain_init(font, *args)
        made.append((font.hb_face, font.file_content))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fonts.Font, "__init__", init)
        renderer.render(article)
        first = dict(made)
        made.clear()
        renderer.render(article)
    # The brief's Chinese names take two CJK faces: 10.5 MB of files a render.
    assert len(made) >= 6 and sum(len(data) for _, data in made) > 10_000_000
    kept = hotpaths._files
    for face, data in made:
        key = int(ffi.cast("uintptr_t", face))
        assert kept[key][1] is data, "the same bytes object, not a copy"
        assert int(ffi.cast("uintptr_t", kept[key][0])) == key  # held: its address is its own
        assert data == get_hb_object_data(face)
    assert len(first) == len(made)
    assert sum(len(entry[1]) for entry in kept.values()) <= hotpaths.FILE_BYTES_KEPT


def test_font_files_past_the_bound_are_copied_as_weasyprint_copies_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hotpaths, "FILE_BYTES_KEPT", 1_000_000)
    monkeypatch.setattr(hotpaths, "_files", OrderedDict())
    renderer, article = Renderer("newsbrief"), load(SAMPLES / "en-news-brief.json")
    plain, fast = both(renderer, SAMPLES / "en-news-brief.json")
    assert fast == plain == bytes(renderer.render(article))
    sizes = [len(entry[1]) for entry in hotpaths._files.values()]
    assert sizes and max(sizes) < 300_000 and sum(sizes) <= 1_000_000, sizes


def test_a_face_pushed_out_is_subset_plainly_not_preprocessed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # zh-Hans in newsbrief subsets five faces of 8.8 MB of files: with room for 6 MB, LRU
    # alone would preprocess the faces pushed out again on every render (15-30 ms each).
    monkeypatch.setattr(hotpaths, "FONT_BYTES_KEPT", 6_000_000)
    monkeypatch.setattr(hotpaths, "_faces", OrderedDict())
    monkeypatch.setattr(hotpaths, "_spilled", OrderedDict())
    renderer, article = Renderer("newsbrief"), load(SAMPLES / "zh-hans.json")
    with hotpaths.only():
        plain = bytes(renderer.render(article))
    first = bytes(renderer.render(article))
    kept = {key: entry[1] for key, entry in hotpaths._faces.items()}
    assert bytes(renderer.render(article)) == first == plain
    assert {key: entry[1] for key, entry in hotpaths._faces.items()} == kept
    assert hotpaths._spilled and kept, "some faces kept, some pushed out"
    assert sum(entry[2] for entry in hotpaths._faces.values()) <= 6_000_000


def test_the_shortcut_and_the_issue_sheets_take_the_steps(taken: dict[str, int]) -> None:
    from printbrief.issue.tasks import issue_renderer
    from printbrief.options import RenderOptions

    render(load(SAMPLES / "en-plain.json"))
    assert taken["subset"]
    sheets = issue_renderer(RenderOptions())
    html = "<html lang=en><body><h1>Contents</h1><p>Harbour news, page 3</p></body></html>"
    with hotpaths.only():
        plain = bytes(sheets.render_document(html, None))
    before = dict(taken)
    assert bytes(sheets.render_document(html, None)) == plain
    assert taken["subset"] > before["subset"]


def test_weasyprint_outside_a_printbrief_render_is_unchanged(taken: dict[str, int]) -> None:
    from weasyprint import HTML

    Renderer("minimal").render(load(SAMPLES / "en-plain.json"))
    counts = dict(taken)
    HTML(string="<p>Plain WeasyPrint, as its other users call it.</p>").write_pdf()
    assert taken == counts and hotpaths._ACTIVE.get() == frozenset()


def test_the_switch_and_another_weasyprint_take_the_plain_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import weasyprint

    monkeypatch.delenv("PRINTBRIEF_PLAIN_HOTPATHS", raising=False)
    assert hotpaths.steps() == hotpaths.STEPS
    monkeypatch.setenv("PRINTBRIEF_PLAIN_HOTPATHS", "subset")
    assert hotpaths.steps() == hotpaths.STEPS[1:]
    every = ",".join(hotpaths.STEPS)
    monkeypatch.setenv("PRINTBRIEF_PLAIN_HOTPATHS", every.replace(",", ", ", 1))
    assert hotpaths.steps() == ()
    monkeypatch.setenv("PRINTBRIEF_PLAIN_HOTPATHS", "1")
    assert hotpaths.steps() == ()
    monkeypatch.delenv("PRINTBRIEF_PLAIN_HOTPATHS")
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    assert hotpaths.steps() == ()


def test_threads_installing_at_once_patch_weasyprint_once() -> None:
    code = """
import threading
from printbrief import hotpaths
from weasyprint.pdf import fonts
from weasyprint.text import line_break
plain_subset, plain_setup = fonts.Font._harfbuzz_subset, line_break.Layout.setup
plain_metrics, plain_strut = line_break.first_line_metrics, line_break.strut
plain_set, plain_create = line_break.Layout.set_text, line_break.create_layout
plain_reactivate, plain_init = line_break.Layout.reactivate, fonts.Font.__init__
plain_read = fonts.get_hb_object_data
threads = [threading.Thread(target=hotpaths.install) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
assert fonts.Font._harfbuzz_subset.__wrapped__ is plain_subset
assert line_break.Layout.setup.__wrapped__ is plain_setup
assert line_break.first_line_metrics.__wrapped__.__wrapped__ is plain_metrics  # two steps
assert line_break.Layout.reactivate.__wrapped__ is plain_reactivate
assert fonts.Font.__init__.__wrapped__ is plain_init
assert fonts.get_hb_object_data.__wrapped__ is plain_read
assert line_break.strut.__wrapped__ is plain_strut
assert line_break.Layout.set_text.__wrapped__ is plain_set
assert line_break.create_layout.__wrapped__ is plain_create
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "ok", done.stderr


def test_the_switch_in_a_fresh_process_leaves_weasyprint_unpatched() -> None:
    code = """
from printbrief import Renderer, hotpaths
from weasyprint.pdf import fonts
from weasyprint.text import line_break
Renderer("minimal").render({"headline": "Tide", "body": "High water at noon."})
assert hotpaths._installed == () and not hasattr(fonts.Font._harfbuzz_subset, "__wrapped__")
assert not hasattr(line_break.Layout.setup, "__wrapped__")
assert not hasattr(line_break.first_line_metrics, "__wrapped__")
assert not hasattr(line_break.strut, "__wrapped__")
assert not hasattr(line_break.Layout.set_text, "__wrapped__")
assert not hasattr(line_break.Layout.get_first_line, "__wrapped__")
assert not hasattr(line_break.Layout.reactivate, "__wrapped__")
assert not hasattr(fonts.Font.__init__, "__wrapped__")
assert not hasattr(fonts.get_hb_object_data, "__wrapped__")
print("ok")
"""
    env = {**os.environ, "PRINTBRIEF_PLAIN_HOTPATHS": "1"}
    argv = [sys.executable, "-c", code]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, env=env)
    assert done.stdout.strip() == "ok", done.stderr


def test_layouts_of_one_style_key_share_a_context_not_a_layout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[int] = []
    made_from = hotpaths.made_from

    def made(layout: Any, style: Any, shared: tuple[Any, ...]) -> None:
        made_from(layout, style, shared)
        context = pango.pango_layout_get_context(layout.layout)
        seen.append(int(ffi.cast("uintptr_t", context)))
        assert layout.layout != shared[0]  # a layout of its own, not the kept first one

    monkeypatch.setattr(hotpaths, "made_from", made)
    Renderer("minimal").render(load(SAMPLES / "en-plain.json"))
    assert len(seen) >= 20 and len(set(seen)) <= len(seen) / 4, (len(seen), len(set(seen)))


@pytest.mark.parametrize("theme", THEMES)
def test_a_line_measured_on_the_draft_measures_as_laid_out_alone(
    theme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from weasyprint.text.line_break import FROM_UNITS, Layout, line_size

    lines: list[str] = []
    measured = hotpaths.measured

    def alone(first_line: Any, line: str, layout: Any, resume_at: int, style: Any) -> Any:
        single = Layout(style)  # as first_line_metrics measures it: the line, no width
        single.set_text(line)
        want = line_size(single.get_first_line()[0], style)
        want_baseline = pango.pango_layout_get_baseline(single.layout) * FROM_UNITS
        got = measured(first_line, line, layout, resume_at, style)
        assert got[1] == single.get_first_line()[0].length == len(line.encode())
        assert (got[3], got[4], got[5]) == (*want, want_baseline), line
        lines.append(line)
        return got

    monkeypatch.setattr(hotpaths, "measured", alone)
    renderer = Renderer(theme)
    for name in QUICK:
        renderer.render(load(SAMPLES / name))
    assert len(lines) >= 20 and any(" " in line for line in lines)


@pytest.mark.parametrize("theme", THEMES)
def test_a_try_answered_by_the_draft_lays_out_as_the_try_alone(
    theme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every try the draft answers is laid out for real too, in a layout of its own (as
    ``split_first_line`` would have, on the draft): the same break, length, size, baseline."""
    from weasyprint.text import line_break
    from weasyprint.text.line_break import line_size

    words: list[str] = []
    tried = hotpaths.tried

    def checked(layout: Any, text: str, seen: tuple[str, int | None]) -> bool:
        if not tried(layout, text, seen):
            return False
        alone = line_break.create_layout.__wrapped__(
            text, layout.style, None, layout.max_width, layout.justification_spacing
        )
        (want, want_index), (got, got_index) = alone.get_first_line(), layout.get_first_line()
        assert got_index == want_index == seen[1] and got.length == want.length, text
        assert line_size(got, layout.style) == line_size(want, layout.style), text
        baseline = pango.pango_layout_get_baseline
        assert baseline(layout.layout) == baseline(alone.layout), text
        assert layout.text == text
        words.append(text.encode()[seen[1] :].decode())
        return True

    monkeypatch.setattr(hotpaths, "tried", checked)
    renderer = Renderer(theme)
    for name in ("en-news-brief.json", "en-feature.md", "en-plain.json", "ko.json"):
        renderer.render(load(SAMPLES / name))
    assert len(words) >= 20 and len(set(words)) >= 10, words


def test_korean_tries_are_answered_alike_whichever_patch_came_first(
    taken: dict[str, int],
) -> None:
    """The CJK layer adds Pango attributes in its own ``set_text`` wrapper (Korean words and a
    headline's phrases kept whole); a try taken keeps the draft's. A render patches the hot
    paths first, so that wrapper sees each try; patched the other way round it does not."""
    renderer = Renderer("minimal")
    for name in ("ko.json", "mixed-en-quotes-cjk.json"):
        plain, fast = both(renderer, SAMPLES / name)
        assert fast == plain, name
    assert taken["tries"] >= 30, taken
    code = """
from printbrief import Renderer, cjk, hotpaths, load
from weasyprint.text import line_break
cjk.install()
hotpaths.install()
assert line_break.Layout.set_text.__wrapped__.__module__ == "printbrief.cjkbreak"
taken, tried = [], hotpaths.tried
hotpaths.tried = lambda *args: taken.append(tried(*args)) or taken[-1]
for theme in ("newsbrief", "broadsheet"):
    renderer = Renderer(theme)
    for name in ("ko.json", "mixed-en-quotes-cjk.json"):
        article = load("samples/" + name)
        with hotpaths.only(*(s for s in hotpaths.STEPS if s != "tries")):
            plain = bytes(renderer.render(article))
        assert bytes(renderer.render(article)) == plain, (theme, name)
assert sum(taken) >= 100, sum(taken)
print("ok")
"""
    root = Path(__file__).resolve().parents[1]
    argv = [sys.executable, "-c", code]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=root)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]


def test_only_a_try_of_a_plain_draft_is_answered_by_it() -> None:
    """Texts that are not a try (or not on a plain line) are laid out as WeasyPrint does."""
    from weasyprint import HTML

    hotpaths.install()
    page = HTML(string="<p>Tide</p>").render().pages[0]._page_box
    style = page.children[0].children[0].children[0].style  # html > body > p

    class Draft:
        def __init__(self, text: str, given: Any = style) -> None:
            self.text, self.style = text, given

    draft = "High water at the north pier tonight"
    second = len("High water at the ")  # "north" did not fit
    assert hotpaths.tried(layout := Draft(draft), "High water at the north", (draft, second))
    assert layout.text == "High water at the north"
    refused = {
        "no second line": ("High water at the north", (draft, None)),
        "another text laid out": ("High water at the north", ("High water", second)),
        "the line itself": ("High water at the", (draft, second)),
        "not the draft's text": ("High water at the south", (draft, second)),
        "not followed by a space": ("High water at the nor", (draft, second)),
        "two words": ("High water at the north pier", (draft, second)),
    }
    for why, (text, seen) in refused.items():
        layout = Draft(draft)
        assert not hotpaths.tried(layout, text, seen), why
        assert layout.text == draft, why
    shy = "High water at the nor\xadth pier"
    assert not hotpaths.tried(Draft(shy), "High water at the nor\xadth", (shy, second))
    spaced = style.copy()
    spaced["word_spacing"] = 2.0
    assert not hotpaths.tried(Draft(draft, spaced), "High water at the north", (draft, second))


def test_a_strut_is_asked_once_per_style_and_a_changed_copy_afresh() -> None:
    from weasyprint import HTML
    from weasyprint.css.properties import Dimension
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    hotpaths.install()
    page = HTML(string="<p>Tide</p>").render().pages[0]._page_box
    paragraph = page.children[0].children[0].children[0]  # html > body > p
    style = paragraph.style
    plain = line_break.strut.__wrapped__
    asked: list[Any] = []

    def counted(given: Any) -> Any:
        asked.append(given)
        return plain(given)

    copy = style.copy()
    copy["font_size"], copy["line_height"] = 30.0, Dimension(41, "px")
    with hotpaths.speeding():
        first = [hotpaths.kept_strut(s, counted) for s in (style, style, copy, copy)]
    assert inline.strut is line_break.strut  # every module that imported it by name
    assert first == [plain(style), plain(style), plain(copy), plain(copy)]
    assert first[2] != first[0] and asked == [style, copy]


FONTS = ("font_style", "font_variant_caps", "font_weight", "font_stretch", "font_size",
         "line_height", "font_family")  # fmt: skip


def _font_styles(html: str) -> list[tuple[str, tuple[Any, ...]]]:
    from weasyprint import HTML

    page = HTML(string=html).render().pages[0]._page_box
    boxes = [b for b in page.descendants() if getattr(b, "element_tag", "") in ("p", "i")]
    return [(b.element_tag, tuple(b.style[k] for k in FONTS)) for b in boxes]


@pytest.mark.allow_warnings
def test_a_pending_shorthand_expanded_once_gives_each_longhand_as_before(
    caplog: pytest.LogCaptureFixture, taken: dict[str, int]
) -> None:
    hotpaths.install()
    html = ("<style>:root { --f: italic bold 12px/15px serif; --g: 9px bad-family, }"
            "p { font: var(--f) } i { font: var(--g) }</style><p>a</p><p>b <i>c</i></p>")  # fmt: skip
    with hotpaths.only():
        plain = _font_styles(html)
    plain_warnings = [r.getMessage() for r in caplog.records]
    caplog.clear()
    with hotpaths.speeding():
        fast = _font_styles(html)
    assert fast == plain and {tag for tag, _ in plain} == {"p", "i"} and taken["shorthands"] >= 14
    assert [r.getMessage() for r in caplog.records] == plain_warnings  # the invalid one, once
    assert "Ignored `font:" in plain_warnings[0] and len(plain_warnings) == 1


PAGE_KINDS = """<style>
@page { size: 120mm 90mm; margin: 14mm 10mm; @bottom-center { content: counter(page) " / "
  counter(pages) } }
@page :first { margin-top: 20mm; @top-center { content: "First" } }
@page :left { @top-left { content: string(part) } }
@page :right { @top-right { content: "Right " counter(page) } }
@page :blank { @top-center { content: "Blank" } }
@page :nth(3n+1) { @bottom-left { content: "Every third" } }
@page tide { margin: 8mm; @top-center { content: "Tide " counter(page) } }
@page tide:nth(2) { @bottom-right { content: "Second of the tide" } }
@page :first { @top-right { content: none } }
h2 { string-set: part content(); break-before: right }
section { page: tide }
p { margin: 0 0 40mm }
</style>"""


def test_pages_of_every_kind_get_the_styles_they_would_get_alone(taken: dict[str, int]) -> None:
    from weasyprint import HTML

    body = "".join(
        f"<h2>Part {n}</h2>" + "<p>Harbour notes for the week.</p>" * 5
        + ("<section>" + "<p>High water, low water.</p>" * 6 + "</section>" if n % 2 else "")
        for n in range(1, 5)
    )  # fmt: skip
    hotpaths.install()
    with hotpaths.only():
        document = HTML(string=PAGE_KINDS + body).render()
        plain = document.write_pdf()
    with hotpaths.speeding():
        fast = HTML(string=PAGE_KINDS + body).write_pdf()
    assert len(document.pages) >= 15 and taken["pages"] >= 5, (len(document.pages), taken)
    assert fast == plain


WORDS = st.sampled_from(
    ["harbour", "a", "ferry's", "well-known", "night", "2026", "km\u00a05", "co\u00adoperative",
     "(pier)", "timetable,", "—", "extraordinarily", "I", "tide.", "“quoted”", "x" * 14]
)  # fmt: skip


@settings(max_examples=25, deadline=None)
@given(
    words=st.lists(WORDS, min_size=1, max_size=60),
    width=st.integers(min_value=24, max_value=90),
    justify=st.booleans(),
    size=st.sampled_from([7, 9.5, 12]),
)
def test_random_paragraphs_break_alike_with_the_tries_step(
    words: list[str], width: int, justify: bool, size: float
) -> None:
    """Whatever the words and the measure, answering tries from the draft gives the same PDF."""
    from weasyprint import HTML

    align = "justify" if justify else "left"
    html = (
        f"<html lang=en><style>@page {{ size: {width + 20}mm 60mm; margin: 10mm }}"
        f"p {{ font: {size}pt serif; text-align: {align}; hyphens: auto; margin: 0 }}</style>"
        f"<p>{' '.join(words)}</p><p>{' '.join(reversed(words))}{' harbour' * 30}</p>"
    )
    plain = _without("tries", html)
    answered, tried = [], hotpaths.tried
    hotpaths.tried = lambda *args: answered.append(tried(*args)) or answered[-1]
    try:
        with hotpaths.speeding():
            fast = HTML(string=html).write_pdf()
    finally:
        hotpaths.tried = tried
    assert fast == plain
    assert any(answered)  # thirty plain words at the end: lines of two words or more


def _drawn(html: str, monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, bytes, dict[str, int]]:
    """``html`` without the ``glyphs`` step and with it, and how many boxes it wrote or
    left to WeasyPrint."""
    from weasyprint import HTML

    counts = {"written": 0, "left": 0}
    runs, write = hotdraw.plain_runs, hotdraw.write

    def read(*args: Any) -> Any:
        found = runs(*args)
        counts["left"] += found is None
        return found

    def written(*args: Any) -> None:
        counts["written"] += 1
        write(*args)

    plain = _without("glyphs", html)
    monkeypatch.setattr(hotdraw, "plain_runs", read)
    monkeypatch.setattr(hotdraw, "write", written)
    with hotpaths.speeding():
        fast = HTML(string=html).write_pdf()
    return plain, fast, counts


GLYPH_CASES = {
    # text, style: (any box written by the step, any left to WeasyPrint)
    "letter spacing (x offsets)": ("Spaced out", "letter-spacing: 0.3em", (True, False)),
    "justified, word spacing": (
        "Words spread over a narrow measure, line by line, to its edges",
        "width: 30mm; text-align: justify; word-spacing: 2pt", (True, False),
    ),
    "right to left": ("שלום עולם", "direction: rtl", (True, False)),
    "ligatures": ("office affine waffle", "font-family: serif", (True, False)),
    "empty glyphs": ("soft\u00adhy\u200bphen", "", (True, False)),
    "stacked marks (a text rise)": ("a\u0301\u0301\u0301 and more", "font-family: serif", (False, True)),
    "a missing glyph (.notdef)": ("private \ue000 use", "", (False, True)),
    "an ellipsis": (
        "A long line cut short with an ellipsis",
        "width: 20mm; overflow: hidden; white-space: nowrap; text-overflow: ellipsis", (False, False),
    ),
}  # fmt: skip


@pytest.mark.allow_warnings  # the missing glyph's, counted below
@pytest.mark.parametrize("case", GLYPH_CASES)
def test_the_glyphs_step_writes_plain_boxes_and_leaves_the_rest_to_weasyprint(
    case: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    text, style, expected = GLYPH_CASES[case]
    html = f"<style>@page {{ size: 80mm 80mm }}</style><p style='{style}'>{text}</p>"
    with caplog.at_level("WARNING", logger="weasyprint"):
        plain, fast, counts = _drawn(html, monkeypatch)
    assert fast == plain
    assert (counts["written"] > 0, counts["left"] > 0) == expected, counts
    notdef = [r for r in caplog.records if ".notdef" in r.getMessage()]
    assert len(notdef) == (2 if "missing" in case else 0)  # once each way


def test_a_run_written_before_is_known_by_its_glyphs_not_their_visual_attributes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pango sets two bits of each glyph's visual attributes and leaves the rest as the memory
    was: a word's runs are the same text whatever those bits hold, and written once."""
    import struct

    def run(*glyphs: tuple[int, int, int, int, int]) -> bytes:
        return b"".join(struct.pack("<5i", *glyph) for glyph in glyphs)

    plain = run((72, 5120, 0, 0, 1), (73, 4096, 0, 0, 0))
    noisy = run((72, 5120, 0, 0, 0x5A5A0001), (73, 4096, 0, 0, -4))
    wider = run((72, 5121, 0, 0, 1), (73, 4096, 0, 0, 0))
    assert hotdraw.run_key(plain) == hotdraw.run_key(noisy) != hotdraw.run_key(wider)

    made, run_text = [], hotdraw._run_text
    monkeypatch.setattr(hotdraw, "_run_text", lambda *args: made.append(1) or run_text(*args))
    words = " ".join(["harbour", "lantern"] * 60)
    html = f"<p style='width: 60mm; text-align: justify; font: 10pt serif'>{words}</p>"
    plain_pdf, fast, counts = _drawn(html, monkeypatch)
    assert fast == plain_pdf and counts["written"] >= 10
    # Every line alike: two words and a space written once each (4 runs here; 19 when the
    # runs were known by all their bytes), the rest taken from the document's table.
    assert len(made) <= 8, (len(made), counts)


GLYPH_WORDS = st.sampled_from(
    ["harbour", "office", "affine", "naïve", "e\u0301te\u0301", "fjord", "Tōkyō", "שלום",
     "1.5", "12,000", "non\u00a0stop", "soft\u00adhyphen", "zero\u200bwidth", "(pier)", "—",
     "“quoted”", "AVATAR", "Wyvern", "ΑΒΓ", "Ωmega", "x" * 14]
)  # fmt: skip


@settings(max_examples=25, deadline=None)
@given(
    words=st.lists(GLYPH_WORDS, min_size=1, max_size=40),
    width=st.integers(min_value=24, max_value=90),
    justify=st.booleans(),
    letters=st.sampled_from(["normal", "0.05em", "1.5px", "-0.02em"]),
    family=st.sampled_from(["serif", "sans-serif", "monospace"]),
    size=st.sampled_from([7, 9.5, 12]),
)
def test_random_paragraphs_draw_alike_with_the_glyphs_step(
    words: list[str], width: int, justify: bool, letters: str, family: str, size: float
) -> None:
    """Whatever the words, fonts and spacing, writing glyphs from buffers gives the same PDF."""
    from weasyprint import HTML

    align = "justify" if justify else "left"
    html = (
        f"<html lang=en><style>@page {{ size: {width + 20}mm 80mm; margin: 10mm }}"
        f"p {{ font: {size}pt {family}; text-align: {align}; letter-spacing: {letters};"
        f" hyphens: auto; margin: 0 }} b {{ font-weight: bold }}</style>"
        f"<p>{' '.join(words)}</p><p><b>{' '.join(reversed(words))}</b> harbour</p>"
    )
    written, write = [], hotdraw.write
    plain = _without("glyphs", html)
    hotdraw.write = lambda *args: written.append(1) or write(*args)  # type: ignore[assignment]
    try:
        with hotpaths.speeding():
            fast = HTML(string=html).write_pdf()
    finally:
        hotdraw.write = write  # type: ignore[assignment]
    assert fast == plain
    assert written  # the last paragraph's plain word at least


def _fitted(html: str) -> tuple[bytes, bytes, dict[bool, int]]:
    """``html`` without the ``fitted`` step and with it, and how many boxes were drawn from
    the layout line breaking kept (True) or laid out again (False)."""
    from weasyprint import HTML

    counts, as_drawn = {True: 0, False: 0}, hotpaths.as_drawn
    plain = _without("fitted", html)

    def restored(*args: Any) -> bool:
        found = as_drawn(*args)
        counts[found] += 1
        return found

    hotpaths.as_drawn = restored
    try:
        with hotpaths.speeding():
            fast = HTML(string=html).write_pdf()
    finally:
        hotpaths.as_drawn = as_drawn
    return plain, fast, counts


FITTED_CASES = {
    # body: (any box drawn from its kept layout, any kept layout laid out again)
    "a heading, and a justified paragraph's last line": (
        "<h1>Harbour</h1><p style='width: 40mm; text-align: justify'>"
        + "The ferry left the harbour before the tide turned again. " * 3 + "</p>", (True, False),
    ),
    "trailing spaces kept (pre-wrap)": (
        "<p style='white-space: pre-wrap'>ends in spaces   </p>", (True, False),
    ),
    "preserved line breaks": ("<pre>one line\ntwo lines\n\nthree</pre>", (True, False)),
    "a tab": ("<pre>tide\t12:40</pre>", (False, True)),
    # add_word_spacing gives a justified box a layout of its own: the kept one goes unused.
    "a last line justified": (
        "<p style='text-align: justify; text-align-last: justify'>Tide out</p>",
        (False, False),
    ),
    "letter spacing": ("<p style='letter-spacing: 0.2em'>Spaced out</p>", (True, False)),
    "word spacing": ("<p style='word-spacing: 4pt'>Spread words</p>", (True, False)),
    "right to left": ("<p dir=rtl>שלום עולם</p>", (True, False)),
    "small capitals": ("<p style='font-variant: small-caps'>Harbour Board</p>", (True, False)),
    # Given its kept layout, which WeasyPrint's ellipsis then lays out again, as without.
    "an ellipsis": (
        "<p style='width: 20mm; overflow: hidden; white-space: nowrap; text-overflow: ellipsis'>"
        "A long line cut short with an ellipsis</p>", (True, False),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", FITTED_CASES)
def test_a_line_that_fit_whole_is_drawn_from_the_layout_that_broke_it(case: str) -> None:
    body, expected = FITTED_CASES[case]
    html = f"<html lang=en><style>@page {{ size: 80mm 80mm }}</style>{body}"
    plain, fast, counts = _fitted(html)
    assert fast == plain
    assert (counts[True] > 0, counts[False] > 0) == expected, counts


def test_a_document_keeps_at_most_so_many_fitted_layouts(monkeypatch: pytest.MonkeyPatch) -> None:
    html = "<html lang=en>" + "<p>One short paragraph.</p>" * 12
    plain, fast, counts = _fitted(html)
    assert fast == plain and counts == {True: 12, False: 0}, counts
    # Line breaking also measures texts that are not drawn (a block's content widths): those
    # take room too.
    monkeypatch.setattr(hotpaths, "KEPT_FITTED", 3)
    plain, fast, counts = _fitted(html)
    assert fast == plain and 0 < counts[True] <= 3 and not counts[False], counts


@settings(max_examples=25, deadline=None)
@given(
    words=st.lists(GLYPH_WORDS | st.sampled_from(["  ", "\n", "\t", " \n "]), min_size=1,
                   max_size=30),
    width=st.integers(min_value=24, max_value=90),
    align=st.sampled_from(["left", "justify", "right"]),
    spaces=st.sampled_from(["normal", "pre-wrap", "pre-line", "nowrap"]),
    spacing=st.sampled_from(["", "letter-spacing: 0.05em", "word-spacing: 3pt"]),
)  # fmt: skip
def test_random_paragraphs_draw_alike_with_the_fitted_step(
    words: list[str], width: int, align: str, spaces: str, spacing: str
) -> None:
    """Whatever the words, white space and spacing, drawing a line from the layout that broke
    it gives the same PDF."""
    html = (
        f"<html lang=en><style>@page {{ size: {width + 20}mm 80mm; margin: 10mm }}"
        f"p {{ font: 9pt serif; text-align: {align}; white-space: {spaces}; {spacing};"
        f" hyphens: auto; margin: 0 }}</style>"
        f"<p>{' '.join(words)}</p><h2>{' '.join(words[:3])}</h2><p>Last words. </p>"
    )
    plain, fast, counts = _fitted(html)
    assert fast == plain
    assert counts[True] > 0, counts


def test_a_text_the_cjk_layer_gave_attributes_is_laid_out_again_for_drawing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Korean words kept whole carry Pango attributes that drawing's layout has not: such a
    layout is never given to drawing, the rest of the Korean sample's are."""
    from printbrief import cjkbreak
    from printbrief.cjkscript import ATTRIBUTED

    attributed: list[Any] = []
    kept: list[Any] = []
    add, keep = cjkbreak.add_attributes, hotpaths.kept_fitted

    def adding(layout: Any, justify: bool) -> None:
        add(layout, justify)
        if ATTRIBUTED in layout.__dict__:
            attributed.append(layout)

    def keeping(layout: Any, found: Any) -> None:
        kept.append(layout)
        keep(layout, found)

    monkeypatch.setattr(cjkbreak, "add_attributes", adding)
    monkeypatch.setattr(hotpaths, "kept_fitted", keeping)
    plain, fast = both(Renderer("newsbrief"), SAMPLES / "ko.json")
    assert fast == plain
    assert attributed and kept and not {id(x) for x in attributed} & {id(x) for x in kept}


def test_a_kept_layout_is_given_to_drawing_only_for_the_same_style_text_and_spacing() -> None:
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import TextBox
    from weasyprint.text.line_break import create_layout

    from printbrief.hotdraw import AS_LAID_OUT

    hotpaths.install()
    page = HTML(string="<p>Tide out</p>").render().pages[0]._page_box
    style = next(box for box in page.descendants() if isinstance(box, TextBox)).style

    def laid_out(text: str) -> tuple[Any, tuple[Any, Any, Any]]:
        layout = create_layout(text, style, None, None, 0)
        layout.get_first_line()
        kept = (layout.layout, layout.language, layout.style)
        layout.deactivate()
        return layout, kept

    layout, kept = laid_out("Tide out")
    assert hotpaths.as_drawn(layout, style, kept) and layout.__dict__.pop(AS_LAID_OUT)
    assert layout.layout is kept[0] and layout.style is style
    layout, kept = laid_out("Tide out")
    assert not hotpaths.as_drawn(layout, style.copy(), kept)  # another style object
    layout.justification_spacing = 2.5
    assert not hotpaths.as_drawn(layout, style, kept)  # drawing would add word spacing
    layout, kept = laid_out("Tide out")
    layout.text = "Tide"  # a try's text: the Pango layout's is longer
    assert not hotpaths.as_drawn(layout, style, kept)
    layout, kept = laid_out("Tide\tout")
    assert not hotpaths.as_drawn(layout, style, kept)  # drawing's single paragraph
    assert "layout" not in layout.__dict__


def test_set_ups_are_kept_per_font_configuration_within_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[Any] = []
    taken = hotpaths.taken_setup
    monkeypatch.setattr(hotpaths, "taken_setup", lambda *args: made.append(1) or taken(*args))
    renderer, article = Renderer("minimal"), load(SAMPLES / "en-plain.json")
    renderer.render(article)
    first = len(made)
    renderer.render(article)
    assert first >= 3 and len(made) == first  # the next render sets nothing up anew
    assert len(hotpaths.setups(renderer.font_config)) == first
    other = Renderer("minimal")  # a font configuration of its own
    other.render(article)
    assert len(made) == 2 * first
    monkeypatch.setattr(hotpaths, "SETUPS_KEPT", 2)
    bounded = Renderer("minimal")
    plain, fast = both(bounded, SAMPLES / "en-plain.json")
    assert fast == plain and len(hotpaths.setups(bounded.font_config)) == 2


def _as_weasyprint_keeps(layout: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(layout).items() if not k.startswith("_printbrief")}


@settings(max_examples=25, deadline=None)
@given(
    words=st.lists(GLYPH_WORDS | st.sampled_from([" ", "\n", "\u00a0", "<b>tide</b>", "<i>out</i>"]),
                   min_size=1, max_size=30),
    width=st.integers(min_value=24, max_value=90),
    spaces=st.sampled_from(["normal", "pre-wrap"]),
    spacing=st.sampled_from(["", "letter-spacing: 0.05em", "word-spacing: 3pt"]),
    decoration=st.sampled_from(["none", "underline"]),
)  # fmt: skip
def test_a_justified_box_gets_the_layout_weasyprint_would_deactivate(
    words: list[str], width: int, spaces: str, spacing: str, decoration: str
) -> None:
    """The ``Layout`` made without a Pango layout holds what WeasyPrint's made and deactivated
    one holds, and the PDF is the same."""
    from weasyprint import HTML
    from weasyprint.layout import inline

    made: list[tuple[dict[str, Any], dict[str, Any]]] = []
    spaced = hotpaths.spaced

    def compared(text: str, style: Any, max_width: Any, spacing: float) -> Any:
        layout = spaced(text, style, max_width, spacing)
        ours = _as_weasyprint_keeps(layout)
        for deactivated in ("layout", "language", "style"):  # add_word_spacing deletes them
            del ours[deactivated]
        plain = inline.create_layout.__wrapped__(text, style, None, max_width, spacing)
        plain.deactivate()
        made.append((ours, _as_weasyprint_keeps(plain)))
        return layout

    html = (
        f"<html lang=en><style>@page {{ size: {width + 20}mm 80mm; margin: 10mm }}"
        f"p {{ font: 9pt serif; text-align: justify; white-space: {spaces}; {spacing};"
        f" text-decoration: {decoration}; hyphens: auto; margin: 0 }}</style>"
        f"<p>{' '.join(words)} {' harbour' * 20}</p>"
    )
    plain = _without("spaced", html)
    hotpaths.spaced = compared
    try:
        with hotpaths.speeding():
            fast = HTML(string=html).write_pdf()
    finally:
        hotpaths.spaced = spaced
    assert fast == plain
    assert decoration == "none" or not made  # decorated text: WeasyPrint's own layout
    for ours, weasyprints in made:
        assert ours == weasyprints


@pytest.mark.parametrize("css", ["", "word-spacing: 3pt", "letter-spacing: 1px"])
def test_a_justified_box_s_layout_keeps_the_text_set_text_would_keep(css: str) -> None:
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import TextBox
    from weasyprint.layout import inline

    hotpaths.install()
    page = HTML(string=f"<p style='{css}'>Tide out</p>").render().pages[0]._page_box
    style = next(box for box in page.descendants() if isinstance(box, TextBox)).style
    for text in (" ", "  ", "a b", "one\ntwo three", "end\n", "\u00a0", "a\u2028b c"):
        ours = _as_weasyprint_keeps(hotpaths.spaced(text, style, None, 1.5))
        for deactivated in ("layout", "language", "style"):
            del ours[deactivated]
        plain = inline.create_layout.__wrapped__(text, style, None, None, 1.5)
        plain.deactivate()
        assert ours == _as_weasyprint_keeps(plain), repr(text)


@pytest.mark.slow
def test_warm_renders_of_every_sample_leave_no_c_memory_behind() -> None:
    import gc

    c_heap_bytes = load_bench().c_heap_bytes
    if c_heap_bytes() is None:
        pytest.skip("needs glibc's mallinfo2 to read the C heap")
    renderer = Renderer(system_fonts=False)
    articles = [load(path) for path in ARTICLES]

    def rounds(count: int) -> int:
        for _ in range(count):
            for article in articles:
                renderer.render(article)
        gc.collect()
        return int(c_heap_bytes())

    before = rounds(3)  # every kept font file, set-up and style filled
    grown = rounds(8) - before
    # WeasyPrint alone leaks about 2 KB a render here (a font's name, a layout's attribute
    # list): 130 KB over these 64 renders. The heap's own swing between rounds is under 10 KB.
    assert grown < 24_000, f"the C heap grew by {grown} bytes over {8 * len(articles)} renders"
