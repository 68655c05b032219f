"""Golden proofs: the pages the layout work is about, compared pixel by pixel with a tolerance.

Each golden is one page at 60 dpi in greyscale (a few KB), in ``tests/goldens/``. A failure
writes the actual page, the golden and their difference to ``tests/_failures/``. After a
deliberate change to the layout, look at the new pages and regenerate the goldens with
``make goldens`` (``PRINTBRIEF_GOLDENS=regenerate pytest tests/test_goldens.py``).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

import pagecases
from conftest import FAILURES
from printbrief import Renderer, load
from printbrief.preview import page_images

GOLDENS = Path(__file__).parent / "goldens"
DPI = 60
MEAN_TOLERANCE = 1.5  # mean absolute difference, of 255: antialiasing of another FreeType
CHANGED_TOLERANCE = 0.005  # fraction of pixels more than a quarter of the range apart

# name → (test article, theme, paper, text on the page wanted)
CASES: dict[str, tuple[Any, str, str, str]] = {
    "portrait-picture-page": (pagecases.pictures, "newsbrief", "A5", pagecases.PICTURE_CAPTIONS[1]),
    "broadsheet-table": (pagecases.long_feature, "broadsheet", "A5", "Ferry pier north"),
    "a5-head-block": (pagecases.pictures, "newsbrief", "A5", "Pictures from a survey"),
}


def page_with(pdf: bytes, text: str) -> int:
    """The index of the first page whose text holds ``text`` (spaces ignored)."""
    import pypdfium2 as pdfium

    wanted = "".join(text.split())
    document = pdfium.PdfDocument(pdf)
    try:
        for index, page in enumerate(document):
            found = page.get_textpage().get_text_range()
            if wanted in "".join(found.replace("\ufffe", "").split()):
                return index
    finally:
        document.close()
    raise AssertionError(f"no page carries {text!r}")


def proof(name: str) -> Image.Image:
    make, theme, paper, text = CASES[name]
    pdf = Renderer(theme, paper=paper, strict=True, system_fonts=False).render(load(make()))
    png = list(page_images(pdf, DPI))[page_with(pdf, text)]
    return Image.open(io.BytesIO(png)).convert("L")


@pytest.mark.parametrize("name", sorted(CASES))
def test_page_matches_its_golden(name: str) -> None:
    actual, path = proof(name), GOLDENS / f"{name}.png"
    if os.environ.get("PRINTBRIEF_GOLDENS") == "regenerate":
        GOLDENS.mkdir(exist_ok=True)
        actual.save(path, optimize=True)
    expected = Image.open(path).convert("L")
    assert actual.size == expected.size, (actual.size, expected.size)
    diff = ImageChops.difference(actual, expected)
    histogram = diff.histogram()
    mean = sum(value * count for value, count in enumerate(histogram)) / sum(histogram)
    changed = sum(histogram[64:]) / sum(histogram)
    if mean > MEAN_TOLERANCE or changed > CHANGED_TOLERANCE:
        FAILURES.mkdir(parents=True, exist_ok=True)
        for suffix, image in (("actual", actual), ("expected", expected), ("diff", diff)):
            image.save(FAILURES / f"golden-{name}.{suffix}.png")
    assert mean <= MEAN_TOLERANCE and changed <= CHANGED_TOLERANCE, (
        f"{name}: mean difference {mean:.2f}, {changed:.2%} of pixels changed; "
        f"see {FAILURES}/golden-{name}.*.png"
    )
