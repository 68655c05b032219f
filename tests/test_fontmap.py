"""Bundled fonts are read in place: nothing copied per renderer, the same PDF bytes as a copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from weasyprint.text.fonts import FontConfiguration as WeasyPrintFontConfiguration

from conftest import SAMPLES
from printbrief import Renderer, fontmap, load, renderer


def _copied_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if not p.is_symlink())


def test_a_renderer_copies_no_bundled_font() -> None:
    """WeasyPrint 70 writes every @font-face file into a temporary folder (84 MB here)."""
    warm = Renderer("newsbrief")  # its folder lives as long as it does
    folder = Path(warm.font_config._folder)
    links = list(folder.iterdir())
    assert len(links) > 20 and _copied_bytes(folder) == 0
    assert all(
        link.resolve().is_relative_to(fontmap.asset_dir("fonts").resolve()) for link in links
    )


@pytest.mark.parametrize(
    ("theme", "name", "system_fonts"),
    [
        ("newsbrief", "zh-hans.json", True),  # serif CJK text, sans heads
        ("minimal", "ja.json", True),
        ("broadsheet", "mixed-en-quotes-cjk.json", False),  # unicode-range faces, last resort
        ("newsbrief", "ko.json", False),
    ],
)
def test_the_pdf_is_the_same_as_with_weasyprints_copies(
    monkeypatch: pytest.MonkeyPatch, theme: str, name: str, system_fonts: bool
) -> None:
    article = load(SAMPLES / name)
    linked = Renderer(theme, system_fonts=system_fonts).render(article)
    monkeypatch.setattr(renderer, "FontConfiguration", WeasyPrintFontConfiguration)
    copied = Renderer(theme, system_fonts=system_fonts)
    assert _copied_bytes(Path(copied.font_config._folder)) > 10_000_000
    assert bytes(copied.render(article)) == bytes(linked)


@pytest.mark.parametrize(
    "src",
    [
        ("external", "file:///usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),  # not bundled
        ("external", (fontmap.asset_dir("fonts") / "x.woff2").as_uri()),  # needs decoding
        ("local", "PB Serif"),
        ("external", (fontmap.asset_dir("fonts") / "latin" / ".." / ".." / "a.ttf").as_uri()),
    ],
)
def test_other_font_faces_go_through_weasyprint(src: tuple[str, str]) -> None:
    assert fontmap.bundled_file({"font_family": "X", "src": (src,)}) is None


def test_a_bundled_face_with_font_features_goes_through_weasyprint() -> None:
    url = (fontmap.asset_dir("fonts") / "latin" / "PBSerif-Regular.ttf").as_uri()
    plain = {"font_family": "X", "src": (("external", url),), "font_weight": 400}
    assert fontmap.bundled_file(plain) is not None
    assert fontmap.bundled_file({**plain, "font_feature_settings": (("smcp", 1),)}) is None
