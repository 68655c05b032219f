"""Theme search path, extends, overrides, and the template context (no rendering)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from printbrief import Article, ThemeError, UsageError
from printbrief.paper import page_size
from printbrief.themes import available_themes, dateline, resolve_theme, search_path, shorten


def make_theme(root: Path, name: str, **meta: object) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "theme.json").write_text(json.dumps(meta))
    return folder


def test_builtin_newsbrief_is_listed() -> None:
    assert "newsbrief" in available_themes(search_path())


def test_user_theme_extends_and_overrides_one_stylesheet(tmp_path: Path) -> None:
    child = make_theme(tmp_path, "house", extends="newsbrief", stylesheets=["house.css"])
    (child / "house.css").write_text(".headline { color: navy; }")
    (child / "print.css").write_text("/* replaces newsbrief's print.css */")
    theme = resolve_theme("house", [tmp_path])
    assert [p.name for p in theme.stylesheets] == ["print.css", "house.css"]
    assert theme.stylesheets[0].parent == child  # the override wins
    assert theme.folders[1].name == "newsbrief"
    assert theme.template == "article.html.j2"


def test_user_theme_can_override_one_template(tmp_path: Path) -> None:
    child = make_theme(tmp_path, "house", extends="newsbrief")
    (child / "figure.html.j2").write_text("<figure class='house'>{{ image.src }}</figure>")
    theme = resolve_theme(child)
    html = theme.render_html(Article(headline="h", body="b", images=[{"src": "a.jpg"}]), "<p>b</p>")
    assert "<figure class='house'>a.jpg</figure>" in html


def test_user_folder_shadows_builtin_name(tmp_path: Path) -> None:
    make_theme(tmp_path, "newsbrief", extends="newsbrief", description="mine")
    theme = resolve_theme("newsbrief", [tmp_path])
    assert theme.description == "mine"
    assert theme.folders[0].parent == tmp_path.resolve()
    assert theme.folders[1].parent.name == "styles"


def test_unknown_theme_lists_available() -> None:
    with pytest.raises(ThemeError, match=r"unknown theme 'nope' \(available: .*newsbrief"):
        resolve_theme("nope")


def test_extends_loop_is_an_error(tmp_path: Path) -> None:
    make_theme(tmp_path, "a", extends="b")
    make_theme(tmp_path, "b", extends="a")
    with pytest.raises(ThemeError, match="loops"):
        resolve_theme("a", [tmp_path])


def test_broken_metadata_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "theme.json").write_text("{nope")
    with pytest.raises(ThemeError, match=r"bad/theme.json"):
        resolve_theme("bad", [tmp_path])


def test_template_errors_are_theme_errors(tmp_path: Path) -> None:
    child = make_theme(tmp_path, "typo", extends="newsbrief")
    (child / "figure.html.j2").write_text("{{ image.no_such_field.x }}")
    theme = resolve_theme(child)
    with pytest.raises(ThemeError, match="typo"):
        theme.render_html(Article(headline="h", body="b", images=[{"src": "a.jpg"}]), "")


def test_headline_is_autoescaped() -> None:
    theme = resolve_theme("newsbrief")
    html = theme.render_html(Article(headline="</title><script>x</script> {{7*7}}", body="b"), "")
    assert "<script>" not in html and "&lt;/title&gt;&lt;script&gt;" in html and "{{7*7}}" in html


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "1 May 2026 · Updated 2 May 2026"),
        ("zh-Hans", "2026年5月1日 · 更新于 2026年5月2日"),
        ("zh-TW", "2026年5月1日 · 更新於 2026年5月2日"),
        ("ja", "2026年5月1日 · 更新 2026年5月2日"),
        ("ko", "2026년 5월 1일 · 업데이트 2026년 5월 2일"),
    ],
)
def test_dateline_is_localised(lang: str, expected: str) -> None:
    article = Article(
        headline="h",
        body="b",
        lang=lang,
        published="2026-05-01T09:00:00+08:00",
        updated="2026-05-02",
    )
    assert dateline(article) == expected


def test_dateline_same_day_update() -> None:
    article = Article(
        headline="h", body="b", published="2026-05-01T08:00", updated="2026-05-01T14:05"
    )
    assert dateline(article) == "Updated 1 May 2026"


def test_shorten_cuts_at_words() -> None:
    assert shorten(
        "Harbour authority approves the long-delayed dredging plan for the inner basin", 40
    ) == ("Harbour authority approves the…")
    assert shorten("短标题", 28) == "短标题"


@pytest.mark.parametrize(
    ("name", "size"),
    [("A4", ("210mm", "297mm")), ("letter", ("8.5in", "11in")), ("200x300mm", ("200mm", "300mm"))],
)
def test_paper_sizes(name: str, size: tuple[str, str]) -> None:
    assert page_size(name) == size


@pytest.mark.parametrize("name", ["A0", "10x10mm", "huge", "210x297pt"])
def test_bad_paper_is_a_usage_error(name: str) -> None:
    with pytest.raises(UsageError):
        page_size(name)


@pytest.mark.parametrize("theme", sorted(available_themes(search_path())))
def test_builtin_themes_set_no_font_feature_properties(theme: str) -> None:
    """WeasyPrint 70 leaks a Pango attribute list per text layout whose style has any
    OpenType feature property; on ``html`` that is every layout (0.5 MB per Korean render).
    Only narrow selectors (a first line in small caps) may use them."""
    broad = ("font-kerning", "font-variant-ligatures", "font-feature-settings")
    for sheet in resolve_theme(theme).stylesheets:
        css = re.sub(r"/\*.*?\*/", "", sheet.read_text("utf-8"), flags=re.S)
        assert not [p for p in broad if p + ":" in css.replace(" ", "")], sheet


def test_bytecode_caches_do_not_change_the_digest(tmp_path: Path) -> None:
    folder = make_theme(tmp_path, "house", extends="newsbrief")
    (folder / "__init__.py").write_text("")
    before = resolve_theme(folder).digest()
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"\0" * 16)
    assert resolve_theme(folder).digest() == before
    (folder / "house.css").write_text("/* an edit */")
    assert resolve_theme(folder).digest() != before
