"""Proofs and preflight: PNG previews at the right size, and what a print shop would reject."""

from __future__ import annotations

import base64
import io
import json
import math
from pathlib import Path

import pytest
from PIL import Image

from conftest import SAMPLES
from printbrief import Renderer, load
from printbrief.batch.plan import expand_inputs
from printbrief.cli import main
from printbrief.pdf.preflight import preflight
from printbrief.preview import page_images


def png_data_uri(width: int, height: int) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (180, 60, 40)).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize(
    ("paper", "dpi", "size"), [("A4", 72, (596, 842)), ("Letter", 50, (425, 550))]
)
def test_preview_png_matches_page_size(paper: str, dpi: int, size: tuple[int, int]) -> None:
    pdf = Renderer(paper=paper).render(load(SAMPLES / "en-plain.json"))
    (png,) = page_images(pdf, dpi)
    with Image.open(io.BytesIO(png)) as image:  # pdfium rounds partial pixels up: 595.3 → 596
        assert image.size == size


def test_preview_command_writes_one_png_per_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pattern = str(tmp_path / "p-{n}.png")
    assert main(["preview", str(SAMPLES / "en-feature.md"), "-o", pattern, "--dpi", "30"]) == 0
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 4
    with Image.open(pages[0]) as image:
        assert image.size == (math.ceil(210 / 25.4 * 30), math.ceil(297 / 25.4 * 30))
    assert main(["preview", str(SAMPLES / "en-plain.json"), "-o", str(tmp_path / "x.png")]) == 2
    assert "must contain {n}" in capsys.readouterr().err


def test_preview_of_a_finished_pdf(tmp_path: Path) -> None:
    pdf_path = tmp_path / "a.pdf"
    pdf_path.write_bytes(Renderer().render(load(SAMPLES / "en-plain.json")))
    assert main(["preview", str(pdf_path), "-o", str(tmp_path / "a-{n}.png"), "--dpi", "20"]) == 0
    assert (tmp_path / "a-1.png").is_file()


def test_preflight_passes_a_good_press_pdf() -> None:
    pdf = Renderer(bleed="3mm", marks="crop", system_fonts=False).render(
        load(SAMPLES / "en-feature.md")
    )
    assert preflight(pdf, bleed_mm=3) == []


def test_preflight_catches_a_low_resolution_image() -> None:
    article = load(
        {"headline": "h", "body": "x", "images": [{"src": png_data_uri(60, 40), "alt": "red"}]}
    )
    (finding,) = preflight(Renderer().render(article))
    assert finding.check == "low-resolution-image" and finding.page == 1
    assert "60×40 px printed at 174×116 mm is 9 dpi (needs 150)" in finding.message


def test_preflight_catches_missing_bleed() -> None:
    findings = preflight(Renderer().render(load(SAMPLES / "en-plain.json")), bleed_mm=3)
    assert [f.check for f in findings] == ["trim-box"]
    assert "not 3 mm" in findings[0].message


def test_preflight_catches_unembedded_fonts_and_overflow() -> None:
    # A hand-made PDF: a standard-14 font that is never embedded, text placed off the page.
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 12 Tf 180 100 Td (Overflowing text) Tj ET")
    page[NameObject("/Contents")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    checks = sorted({f.check for f in preflight(buffer.getvalue())})
    assert checks == ["font-not-embedded", "overflow", "trailer-id"]  # pypdf writes no /ID


def test_check_pdf_command_text_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.pdf"
    good.write_bytes(Renderer(bleed="3mm").render(load(SAMPLES / "en-plain.json")))
    low = tmp_path / "low.pdf"
    low.write_bytes(
        Renderer().render(
            load({"headline": "h", "body": "x", "images": [{"src": png_data_uri(60, 40)}]})
        )
    )
    assert main(["check", "--pdf", str(good), "--bleed", "3mm"]) == 0
    assert f"{good}: ok" in capsys.readouterr().out
    assert main(["check", "--pdf", str(low), str(tmp_path / "missing.pdf"), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report[0]["findings"][0]["check"] == "low-resolution-image"
    assert report[1]["findings"][0]["check"] == "readable"


@pytest.mark.parametrize("theme", ["newsbrief", "broadsheet", "minimal"])
@pytest.mark.parametrize("sample", sorted(Path(p).name for p in expand_inputs([str(SAMPLES)])))
def test_every_sample_in_every_theme_strict(theme: str, sample: str) -> None:
    """Strict, bundled fonts, no warning logged (the autouse guard), text and pages intact."""
    pdf = _renderer(theme).render(load(SAMPLES / sample))
    assert pdf.startswith(b"%PDF-")
    assert not [f for f in preflight(pdf) if f.check != "low-resolution-image"]


_RENDERERS: dict[str, Renderer] = {}


def _renderer(theme: str) -> Renderer:
    if theme not in _RENDERERS:
        _RENDERERS[theme] = Renderer(theme, strict=True, system_fonts=False)
    return _RENDERERS[theme]
