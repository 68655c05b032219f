"""Golden proofs: the pages the layout work is about, compared pixel by pixel with a tolerance.

Each golden is one page, or a few bands of one, in greyscale at 60 to 90 dpi (a few KB), in
``tests/goldens/``; renders use only the bundled fonts (checked), so they are the same on any
machine up to antialiasing. A failure writes the actual image, the golden and their
difference to ``tests/_failures/``. After a deliberate change to the layout, look at the new
images and regenerate the goldens with ``make goldens``
(``PRINTBRIEF_GOLDENS=regenerate pytest tests/test_goldens.py``).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageFilter

import pagecases
from conftest import FAILURES
from printbrief import Renderer, compile_issue, load
from test_flow import issue

GOLDENS = Path(__file__).parent / "goldens"
SUPERSAMPLE = 4  # drawn at 4× the dpi and averaged down: less of the rasterizer's antialiasing
BLUR = 1.5  # px: both images blurred before comparing, so sub-pixel shifts stay small
TILE = 6  # px: differences are averaged over tiles, so a change in one place stands out
# The worst tile's mean difference, of 255. Measured (8 goldens): the same page a quarter pixel
# off, or drawn by Poppler (pdftoppm) instead of PDFium, at most 10; one character changed in
# the footer URL 33. A character changed in body text (12) is not reliably told from noise.
TOLERANCE = 16
WHOLE = ((0.0, 1.0),)
HEAD_AND_FOOT = ((0.0, 0.1), (0.9, 1.0))


@dataclass(frozen=True)
class Case:
    """The page carrying ``text`` of a test article (or issue) rendered in ``theme`` on
    ``paper``: its ``bands`` (top and bottom, fractions of the page's height) stacked, or the
    lines from the one carrying ``span[0]`` to the one carrying ``span[1]``."""

    make: Callable[[], dict[str, Any]]
    theme: str
    paper: str
    text: str
    bands: tuple[tuple[float, float], ...] = WHOLE
    span: tuple[str, str] | None = None
    dpi: int = 60
    issue: bool = False


CASES = {
    "portrait-picture-page": Case(
        pagecases.pictures, "newsbrief", "A5", pagecases.PICTURE_CAPTIONS[1]
    ),
    "broadsheet-table": Case(pagecases.long_feature, "broadsheet", "A5", "Ferry pier north"),
    "a5-head-block": Case(pagecases.pictures, "newsbrief", "A5", "Pictures from a survey"),
    "running-head-long-headline": Case(
        pagecases.long_headline, "newsbrief", "A5", "Page 2 of", HEAD_AND_FOOT, dpi=90
    ),
    "footer-long-url": Case(
        pagecases.long_feature, "newsbrief", "A5", "Page 2 of", HEAD_AND_FOOT, dpi=90
    ),
    "url-in-running-text": Case(
        pagecases.long_feature,
        "newsbrief",
        "A5",
        "The full report is published",
        span=("The full report is published", "inner-basin-and-breakwater.csv"),
        dpi=90,
    ),
    "broadsheet-grid-after-quote": Case(
        pagecases.long_feature,
        "broadsheet",
        "A4",
        "The harbour was built for the ships",
        ((0.48, 0.96),),
    ),
    "continuous-briefs-page": Case(
        lambda: issue("continuous"), "newsbrief", "A5", "Brief 1: the harbour", issue=True
    ),
}


def render(case: Case) -> bytes:
    """The case's PDF, checked to use only printbrief's bundled fonts."""
    if case.issue:
        pdf = compile_issue(
            case.make(), theme=case.theme, paper=case.paper, use_cache=False, system_fonts=False
        ).pdf
    else:
        renderer = Renderer(case.theme, paper=case.paper, strict=True, system_fonts=False)
        pdf = renderer.render(load(case.make()))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        faces = {c["fontname"].split("+")[-1] for p in doc.pages for c in p.chars}
    assert all(face.startswith("PB-") for face in faces), faces
    return bytes(pdf)


def _squash(text: str) -> str:
    return "".join(text.replace("\ufffe", "").replace("\u00ad", "").split())


def page_with(pdf: bytes, text: str, after: int = 0) -> int:
    """The index of the first page from ``after`` whose text holds ``text`` (spaces ignored)."""
    document = pdfium.PdfDocument(pdf)
    try:
        for index in range(after, len(document)):
            if _squash(text) in _squash(document[index].get_textpage().get_text_range()):
                return index
    finally:
        document.close()
    raise AssertionError(f"no page carries {text!r}")


def span_band(page: pdfium.PdfPage, span: tuple[str, str]) -> tuple[float, float]:
    """The band (fractions of the page's height) from the top of ``span[0]``'s first glyph to
    the bottom of ``span[1]``'s last, with 4 pt above and below."""
    textpage, height = page.get_textpage(), page.get_height()
    first = textpage.search(span[0]).get_next()
    last = textpage.search(span[1]).get_next()
    assert first and last, span
    top = textpage.get_charbox(first[0])[3]
    bottom = textpage.get_charbox(last[0] + last[1] - 1)[1]
    return (max(0.0, (height - top - 4) / height), min(1.0, (height - bottom + 4) / height))


def proof(case: Case, pdf: bytes | None = None, shift: int = 0) -> Image.Image:
    """The case's golden image, drawn by PDFium (``shift``: moved right and down by that many
    quarters of a pixel)."""
    pdf = pdf if pdf is not None else render(case)
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[page_with(pdf, case.text, after=2 if case.issue else 0)]
        image = draw(page, case.dpi, shift)
        bands = (span_band(page, case.span),) if case.span else case.bands
    finally:
        document.close()
    return stack(
        [
            image.crop((0, round(a * image.height), image.width, round(b * image.height)))
            for a, b in bands
        ]
    )


def draw(page: pdfium.PdfPage, dpi: int, shift: int = 0) -> Image.Image:
    """The page in greyscale at ``dpi``, averaged down from :data:`SUPERSAMPLE` times that."""
    big = page.render(scale=dpi * SUPERSAMPLE / 72).to_pil().convert("L")
    if shift:
        moved = Image.new("L", big.size, 255)
        moved.paste(big, (shift, shift))
        big = moved
    width, height = (big.width // SUPERSAMPLE, big.height // SUPERSAMPLE)
    return big.crop((0, 0, width * SUPERSAMPLE, height * SUPERSAMPLE)).reduce(SUPERSAMPLE)


def stack(images: list[Image.Image]) -> Image.Image:
    """Images one under another."""
    out = Image.new("L", (images[0].width, sum(i.height for i in images)), 255)
    top = 0
    for image in images:
        out.paste(image, (0, top))
        top += image.height
    return out


def difference(actual: Image.Image, expected: Image.Image) -> int:
    """The worst :data:`TILE`-pixel tile's mean difference (of 255) of the blurred images."""
    assert actual.size == expected.size, (actual.size, expected.size)
    blurred = [image.filter(ImageFilter.GaussianBlur(BLUR)) for image in (actual, expected)]
    return int(ImageChops.difference(*blurred).reduce(TILE).getextrema()[1])


def check(name: str, actual: Image.Image) -> None:
    """``actual`` matches the golden ``name``; if not, the images go to tests/_failures/."""
    expected = Image.open(GOLDENS / f"{name}.png").convert("L")
    worst = difference(actual, expected)
    if worst > TOLERANCE:
        FAILURES.mkdir(parents=True, exist_ok=True)
        diff = ImageChops.difference(actual, expected)
        for suffix, image in (("actual", actual), ("expected", expected), ("diff", diff)):
            image.save(FAILURES / f"golden-{name}.{suffix}.png")
    assert worst <= TOLERANCE, (
        f"{name}: a tile differs by {worst}; see {FAILURES}/golden-{name}.*.png"
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_page_matches_its_golden(name: str) -> None:
    """The page matches its golden, and so does the same page a quarter pixel off (the
    tolerance holds the noise of another rasterizer or of glyph positions rounded otherwise)."""
    pdf = render(CASES[name])
    actual = proof(CASES[name], pdf)
    if os.environ.get("PRINTBRIEF_GOLDENS") == "regenerate":
        GOLDENS.mkdir(exist_ok=True)
        actual.save(GOLDENS / f"{name}.png", optimize=True)
    check(name, actual)
    check(name, proof(CASES[name], pdf, shift=1))


def test_a_golden_fails_on_one_character_of_the_footer_url() -> None:
    case = CASES["footer-long-url"]
    url = pagecases.FOOTER_URL.replace("/harbour-", "/harbor-")
    changed = replace(case, make=lambda: {**pagecases.long_feature(), "url": url})
    with pytest.raises(AssertionError, match="a tile differs by"):
        check("footer-long-url", proof(changed))


def test_a_golden_fails_on_lines_moved(tmp_path: Path) -> None:
    """A block quote 2 mm lower in broadsheet: the text after it moves a line down."""
    (tmp_path / "theme.json").write_text('{"extends": "broadsheet", "stylesheets": ["x.css"]}')
    (tmp_path / "x.css").write_text(".body blockquote { margin-top: 2mm; }")
    changed = replace(CASES["broadsheet-grid-after-quote"], theme=str(tmp_path))
    with pytest.raises(AssertionError, match="a tile differs by"):
        check("broadsheet-grid-after-quote", proof(changed))
