"""PDF/X-4: every colour and picture in CMYK through the FOGRA39 profile, marks in the slug."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import ImageChops, ImageStat

from conftest import SAMPLES, reader
from printbrief import Renderer, load
from printbrief.pdf.preflight import preflight

OPTIONS = {"bleed": "3mm", "marks": "crop,cross", "system_fonts": False}


@pytest.fixture(scope="module")
def feature() -> object:
    return load(SAMPLES / "en-feature.md")


@pytest.fixture(scope="module")
def press(feature: object) -> bytes:
    return Renderer(variant="pdf/x-4", **OPTIONS).render(feature)  # type: ignore[arg-type]


def test_pdfx4_passes_preflight_and_qpdf(press: bytes, tmp_path: Path) -> None:
    """No DeviceRGB anywhere, a CMYK prtr output intent, /Trapped, boxes, 200 dpi pictures."""
    assert [f.as_dict() for f in preflight(press, bleed_mm=3)] == []
    path = tmp_path / "x4.pdf"
    path.write_bytes(press)
    assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0


def test_text_and_rules_are_pure_k_and_pictures_cmyk(press: bytes) -> None:
    page = reader(press).pages[0]
    contents = page.get_contents()
    assert contents is not None
    ops = contents.get_data()
    colours = set(re.findall(rb"\n([\d. ]+) (?:k|K)\n", ops))
    assert b"0 0 0 1" in colours  # body text
    greys = [c for c in colours if c.startswith(b"0 0 0 ")]
    assert len(greys) >= 3  # the theme's greys became K tints, not four-colour greys
    assert not re.search(rb"\s(?:rg|RG)\s", ops)
    images = [x.get_object() for x in page["/Resources"]["/XObject"].values()]
    assert images and {im["/ColorSpace"] for im in images} == {"/DeviceCMYK"}


def test_output_intent_names_fogra39_and_xmp_claims_pdfx4(press: bytes, tmp_path: Path) -> None:
    doc = reader(press)
    (intent,) = [i.get_object() for i in doc.trailer["/Root"]["/OutputIntents"]]
    assert intent["/S"] == "/GTS_PDFX" and intent["/OutputConditionIdentifier"] == "FOGRA39"
    exempi = shutil.which("exempi")
    assert exempi, "exempi is installed by `make test`"
    path = tmp_path / "x4.pdf"
    path.write_bytes(press)
    run = [exempi, "-g", "pdfxid:GTS_PDFXVersion", str(path)]
    assert "PDF/X-4" in subprocess.run(run, capture_output=True, text=True, check=True).stdout


def test_pdfx4_is_byte_reproducible(feature: object, press: bytes) -> None:
    """WeasyPrint's XMP DocumentID is random; printbrief derives it from the packet."""
    assert Renderer(variant="pdf/x-4", **OPTIONS).render(feature) == press  # type: ignore[arg-type]


def test_the_cmyk_page_looks_like_the_rgb_one(feature: object, press: bytes) -> None:
    """pdfium's plain CMYK → RGB is no proof of colour, but pictures, tints and text must sit
    where the RGB file has them, neither inverted nor missing."""
    rgb = Renderer(**OPTIONS).render(feature)  # type: ignore[arg-type]
    shots = [
        pdfium.PdfDocument(pdf)[0].render(scale=0.5).to_pil().convert("L") for pdf in (rgb, press)
    ]
    difference = ImageStat.Stat(ImageChops.difference(*shots)).mean[0]
    assert difference < 8, f"mean grey difference {difference:.1f} of 255"


def test_theme_colours_become_cmyk_with_greys_as_k_only() -> None:
    from printbrief.cmyk import cmyk_operator, default_profile

    def fill(rgb: str) -> list[float]:
        values = tuple(int(rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
        operator = cmyk_operator(b"%f %f %f rg" % values, default_profile())
        assert operator.endswith(b" k")
        return [float(v) for v in operator.split()[:4]]

    # #111 is darker than solid K can print (L* 5 against about 30), white is no ink, #999
    # is the K tint of the same lightness.
    assert fill("111111") == [0, 0, 0, 1] and fill("ffffff") == [0, 0, 0, 0]
    assert fill("999999")[:3] == [0, 0, 0] and fill("999999")[3] == pytest.approx(0.5, abs=0.2)
    red = fill("a4161a")
    assert red[1] > 0.9 and red[2] > 0.8  # magenta and yellow carry the red
