"""Real PDFs from the newsbrief theme: pages, boxes, text order, running heads, metadata, fonts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import SAMPLES, band_text, page_height, page_texts, reader, save_failure
from printbrief import Article, Renderer, load, render

MM = 72 / 25.4


@pytest.fixture(scope="module")
def brief(renderer: Renderer) -> bytes:
    return renderer.render(load(SAMPLES / "en-news-brief.json"))


@pytest.fixture(scope="module")
def feature(renderer: Renderer) -> bytes:
    return renderer.render(load(SAMPLES / "en-feature.md"))


def squash(text: str) -> str:
    """Text with hyphenation breaks and all white space removed, for order checks."""
    return re.sub(
        r"\s+", "", text.replace("\u00ad", "").replace("-\r\n", "").replace("\ufffe", "")
    ).casefold()


def test_a4_by_default_and_letter_on_request(brief: bytes) -> None:
    box = reader(brief).pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (210, 297)
    letter = render(SAMPLES / "en-news-brief.json", paper="Letter")
    box = reader(letter).pages[0].mediabox
    assert (float(box.width), float(box.height)) == (612, 792)


def test_brief_text_in_reading_order(brief: bytes) -> None:
    article = load(SAMPLES / "en-news-brief.json")
    text = squash("".join(page_texts(brief)))
    first_paragraph = article.body.strip().split("\n\n")[0]
    pieces = [
        article.section,
        article.headline,
        article.standfirst,
        article.byline,
        first_paragraph[:60],
    ]
    positions = [text.find(squash(p or "")) for p in pieces]
    assert -1 not in positions, (pieces, positions)
    assert positions == sorted(positions)


def test_feature_is_long_and_every_page_counts(feature: bytes) -> None:
    texts = page_texts(feature)
    assert len(texts) >= 4
    height = page_height(feature)
    for number, _ in enumerate(texts, start=1):
        footer = band_text(feature, number - 1, height - 20 * MM, height)
        if f"Page {number} of {len(texts)}" not in footer:
            save_failure(f"footer-{number}", feature)
            pytest.fail(f"page {number}: footer reads {footer!r}")


def test_running_head_on_every_page_but_the_first(feature: bytes) -> None:
    article = load(SAMPLES / "en-feature.md")
    head = f"{article.publication} · {article.section}".upper()
    pages = len(reader(feature).pages)
    assert head not in band_text(feature, 0, 0, 24 * MM).upper()
    for index in range(1, pages):
        band = band_text(feature, index, 0, 24 * MM)
        assert head.replace(" ", "") in band.upper().replace(" ", ""), (index, band)
        assert article.headline[:20].replace(" ", "") in band.replace(" ", ""), (index, band)


def test_url_in_the_footer(brief: bytes) -> None:
    article = load(SAMPLES / "en-news-brief.json")
    assert article.url
    height = page_height(brief)
    assert article.url in band_text(brief, 0, height - 20 * MM, height)


def test_metadata_from_article_fields(brief: bytes) -> None:
    article = load(SAMPLES / "en-news-brief.json")
    pdf = reader(brief)
    info = pdf.metadata
    assert info is not None
    assert info.title == article.headline
    assert article.byline and info.author == article.byline.removeprefix("By ")
    assert info.subject == article.standfirst
    assert info["/Keywords"] == ", ".join(article.tags)
    assert article.published and info["/CreationDate"].startswith(
        "D:" + article.published.strftime("%Y%m%d")
    )
    assert pdf.trailer["/Root"]["/Lang"] == "en"
    assert info["/Producer"].startswith("printbrief ")


def test_every_font_is_embedded_and_subset(feature: bytes) -> None:
    fonts = set()
    for page in reader(feature).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (
                font.get("/FontDescriptor")
                or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            )
            descriptor = descriptor.get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font[
                "/BaseFont"
            ]
            fonts.add(str(font["/BaseFont"]))
    assert all(re.match(r"^/[A-Z]{6}\+", f) for f in fonts), fonts
    # An English article without CJK uses only the bundled Latin faces.
    assert {f.split("+")[1] for f in fonts} <= {
        "PB-Serif",
        "PB-Serif-Bold",
        "PB-Serif-Italic",
        "PB-Serif-BoldItalic",
        "PB-Sans",
        "PB-Sans-Bold",
    }


def test_lead_image_is_drawn(feature: bytes) -> None:
    images = [img for page in reader(feature).pages for img in page.images]
    assert len(images) >= 2


def test_same_input_gives_identical_bytes(renderer: Renderer, brief: bytes) -> None:
    assert renderer.render(load(SAMPLES / "en-news-brief.json")) == brief
    fresh = Renderer("newsbrief")
    assert fresh.render(load(SAMPLES / "en-news-brief.json")) == brief


def test_render_shortcut_accepts_mapping_and_path(tmp_path: Path) -> None:
    pdf = render({"headline": "Tide tables", "body": "High water at noon."})
    assert pdf.startswith(b"%PDF-") and "Tide tables" in page_texts(pdf)[0]


def test_render_to_is_atomic_and_keeps_old_file_on_error(
    tmp_path: Path, renderer: Renderer
) -> None:
    target = tmp_path / "a.pdf"
    renderer.render_to(Article(headline="One", body="Body."), target)
    good = target.read_bytes()
    with pytest.raises(Exception, match="pages"):
        Renderer(limits=__import__("printbrief").Limits(max_pages=1)).render_to(
            load(SAMPLES / "en-feature.md"), target
        )
    assert target.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf"]
