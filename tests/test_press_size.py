"""PDF/X-4 files of a sensible size: the output profile as shipped and once per merged issue,
CMYK pictures at a quality chosen by measurement, the same picture embedded once."""

from __future__ import annotations

import io
import shutil
from io import BytesIO
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops, ImageCms, ImageStat

from conftest import SAMPLES
from printbrief import Renderer, load
from printbrief.cmyk import CmykPictures, default_profile
from printbrief.pdf.merge import Slot, merge


@pytest.fixture(scope="module")
def press() -> Renderer:
    return Renderer(variant="pdf/x-4", system_fonts=False)


def _profiles(pdf: bytes) -> list[bytes]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return [
            o.read_bytes()
            for o in doc.objects
            if isinstance(o, pikepdf.Stream) and o.get("/N") == 4 and "/Subtype" not in o
        ]


def test_the_output_profile_is_embedded_as_shipped(press: Renderer) -> None:
    """WeasyPrint re-serializes it through LittleCMS: 500 KB instead of 247 KB, and bytes that
    change from one render to the next."""
    (profile,) = _profiles(press.render({"headline": "Tide", "body": "High water."}))
    assert profile == default_profile().read_bytes()


def test_a_merged_issue_holds_the_profile_once(press: Renderer) -> None:
    articles = [press.render({"headline": h, "body": "Ferries."}) for h in ("Tide", "Quay", "Fog")]
    merged = merge(articles, [Slot(i) for i in range(3)])
    assert len(_profiles(merged)) == 1
    assert len(merged) < 1.3 * max(len(a) for a in articles)


def _images(pdf: bytes) -> list[tuple[int, int, int]]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return [
            (int(o.Width), int(o.Height), len(o.read_raw_bytes()))
            for o in doc.objects
            if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"
        ]


def test_a_picture_used_twice_is_embedded_once(press: Renderer, tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "images" / "harbour-dawn.jpg", tmp_path / "dawn.jpg")
    text = "---\nheadline: Twice\nimages:\n  - src: dawn.jpg\n    alt: Dawn\n---\n"
    (tmp_path / "twice.md").write_text(text + "Dawn.\n\n![Dawn again](dawn.jpg)\n")
    pictures = _images(press.render(load(tmp_path / "twice.md")))
    assert [(w, h) for w, h, _ in pictures] == [(1600, 1000)]


def _to_srgb(cmyk: Image.Image) -> Image.Image:
    back = ImageCms.buildTransform(
        ImageCms.getOpenProfile(str(default_profile())), ImageCms.createProfile("sRGB"),
        "CMYK", "RGB",
    )  # fmt: skip
    out = ImageCms.applyTransform(cmyk, back)
    assert out is not None
    return out


def test_cmyk_photos_are_a_third_smaller_and_stay_close_to_the_exact_conversion() -> None:
    """Quality 92 made a 298 KB photo a 1.43 MB CMYK JPEG; 88 with optimized Huffman tables
    is 1.18 MB and differs from the exact conversion by under 1 % on average."""
    data = (SAMPLES / "images" / "harbour-dawn.jpg").read_bytes()
    jpeg = CmykPictures(default_profile()).convert(data, "image/jpeg")
    assert jpeg is not None and len(jpeg) < 1.25e6
    source = Image.open(BytesIO(data)).convert("RGB")
    exact = ImageCms.applyTransform(
        source,
        ImageCms.buildTransform(
            ImageCms.createProfile("sRGB"), ImageCms.getOpenProfile(str(default_profile())),
            "RGB", "CMYK", renderingIntent=ImageCms.Intent.PERCEPTUAL,
        ),
    )  # fmt: skip
    assert exact is not None
    stored = Image.open(BytesIO(jpeg))
    difference = ImageChops.difference(_to_srgb(exact), _to_srgb(stored))
    assert max(ImageStat.Stat(difference).mean) < 2.5  # of 255
