"""Press and archive output: page boxes, marks, PDF variants, reproducibility, SOURCE_DATE_EPOCH."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest

from conftest import SAMPLES, reader
from printbrief import InputError, Renderer, UsageError, load
from printbrief.cli import main

MM = 72 / 25.4


def xmp(pdf: bytes) -> str:
    return str(reader(pdf).trailer["/Root"]["/Metadata"].get_object().get_data().decode())


@pytest.fixture(scope="module")
def brief() -> object:
    return load(SAMPLES / "en-news-brief.json")


def test_bleed_sets_trim_and_bleed_boxes(brief: object) -> None:
    pdf = Renderer(paper="A5", bleed="3mm", system_fonts=False).render(brief)  # type: ignore[arg-type]
    page = reader(pdf).pages[0]
    trim, bleed, media = page.trimbox, page.bleedbox, page.mediabox
    assert (round(float(trim.width) / MM), round(float(trim.height) / MM)) == (148, 210)
    assert float(trim.left) - float(bleed.left) == pytest.approx(3 * MM, abs=0.01)
    assert float(bleed.top) - float(trim.top) == pytest.approx(3 * MM, abs=0.01)
    assert float(media.width) >= float(bleed.width)


def dark_pixels_in_corner(pdf: bytes) -> int:
    image = pdfium.PdfDocument(pdf)[0].render(scale=1).to_pil().convert("L")
    corner = image.crop((0, 0, 36, 36))  # marks sit in the slug, 1–6 mm beyond the 5 mm bleed
    return sum(1 for value in corner.tobytes() if value < 128)


def test_crop_marks_are_drawn_outside_the_trim(brief: object) -> None:
    plain = Renderer(bleed="5mm", system_fonts=False).render(brief)  # type: ignore[arg-type]
    marked = Renderer(bleed="5mm", marks="crop,cross", system_fonts=False).render(brief)  # type: ignore[arg-type]
    assert dark_pixels_in_corner(plain) == 0
    assert dark_pixels_in_corner(marked) > 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"variant": "pdf/x-9"}, "unknown PDF variant"),
        ({"bleed": "3 miles"}, "bleed '3 miles'"),
        ({"bleed": "30mm"}, "up to 20mm"),
        ({"marks": "stars"}, "marks 'stars'"),
        ({"paper": "A0"}, "unknown paper"),
    ],
)
def test_bad_press_options_are_usage_errors(options: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Renderer(**options)  # type: ignore[arg-type]


def test_pdfa_2b_structure(brief: object) -> None:
    pdf = Renderer(variant="pdf/a-2b", system_fonts=False).render(brief)  # type: ignore[arg-type]
    doc = reader(pdf)
    root = doc.trailer["/Root"]
    intent = root["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1" and "/DestOutputProfile" in intent
    meta = xmp(pdf)
    assert 'pdfaid:part="2"' in meta and 'pdfaid:conformance="B"' in meta
    assert "<dc:publisher><rdf:Bag><rdf:li>Coastline Daily</rdf:li>" in meta
    assert "<dc:identifier>https://example.com/news/" in meta
    assert f'pdf:Producer="{doc.metadata["/Producer"]}"' in meta  # XMP and Info agree
    assert doc.trailer.get("/ID") is not None


def test_pdfa_3b_carries_the_article_as_source(brief: object) -> None:
    pdf = Renderer(variant="pdf/a-3b", system_fonts=False).render(brief)  # type: ignore[arg-type]
    doc = reader(pdf)
    assert 'pdfaid:part="3"' in xmp(pdf)
    ((name, contents),) = doc.attachments.items()
    assert name == "saltgate-fish-market-reopens.json"
    assert json.loads(contents[0]) == json.loads(brief.canonical_json())  # type: ignore[attr-defined]
    (spec,) = doc.trailer["/Root"]["/AF"]
    assert spec.get_object()["/AFRelationship"] == "/Source"


def test_pdfua_1_is_tagged_with_alt_text() -> None:
    article = load(SAMPLES / "en-feature.md")
    pdf = Renderer(variant="pdf/ua-1", system_fonts=False).render(article)
    root = reader(pdf).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] in (True, "true")
    assert root["/Lang"] == "en" and root["/ViewerPreferences"]["/DisplayDocTitle"] in (
        True,
        "true",
    )
    assert 'pdfuaid:part="1"' in xmp(pdf)
    alts = [
        str(e.get_object().get("/Alt"))
        for e in _struct_elems(root["/StructTreeRoot"])
        if "/Alt" in e.get_object()
    ]
    assert article.images[0].alt in alts


def _struct_elems(node: object) -> list[object]:
    node = node.get_object()  # type: ignore[attr-defined]
    kids = node.get("/K", [])  # type: ignore[attr-defined]
    kids = kids if isinstance(kids, list) else [kids]
    found = [node]
    for kid in kids:
        if isinstance(kid, (pypdf.generic.IndirectObject, pypdf.generic.DictionaryObject)):
            obj = kid.get_object()
            if isinstance(obj, pypdf.generic.DictionaryObject) and obj.get("/Type") != "/MCR":
                found += _struct_elems(kid)
    return found


def test_pdfua_refuses_images_without_alt_text() -> None:
    article = load(
        {
            "headline": "h",
            "body": "![](data:image/png;base64,AA==)",
            "images": [{"src": "data:image/png;base64,AA=="}],
        }
    )
    with pytest.raises(
        InputError,
        match=r"images\.0\.alt: missing \(pdf/ua-1 needs alt text\); body: image 'data:image/png;base64,AA==' has no alt text",
    ):
        Renderer(variant="pdf/ua-1").render(article)


def test_cli_variant_and_press_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a.pdf"
    args = [
        "render",
        str(SAMPLES / "en-plain.json"),
        "-o",
        str(out),
        "--variant",
        "PDF/A-3b",
        "--bleed",
        "3mm",
        "--marks",
        "crop",
    ]
    assert main(args) == 0, capsys.readouterr().err
    page = pypdf.PdfReader(out).pages[0]
    assert page.trimbox != page.bleedbox
    assert (
        main(["render", str(SAMPLES / "en-plain.json"), "-o", str(out), "--variant", "nope"]) == 2
    )


REPRO = """
import sys
from printbrief import Renderer, load
sys.stdout.buffer.write(Renderer(variant=sys.argv[2] or None, bleed="3mm", marks="crop", system_fonts=False).render(load(sys.argv[1])))
"""


@pytest.mark.parametrize("variant", ["", "pdf/a-2b", "pdf/a-3b", "pdf/ua-1"])
def test_reproducible_across_processes(variant: str) -> None:
    run = [sys.executable, "-c", REPRO, str(SAMPLES / "zh-hans.json"), variant]
    first = subprocess.run(
        run, capture_output=True, check=True, env={**os.environ, "PYTHONHASHSEED": "1"}
    ).stdout
    second = subprocess.run(
        run, capture_output=True, check=True, env={**os.environ, "PYTHONHASHSEED": "2"}
    ).stdout
    assert first[:5] == b"%PDF-" and first == second


def test_source_date_epoch_dates_undated_articles(monkeypatch: pytest.MonkeyPatch) -> None:
    undated = load({"headline": "h", "body": "b"})
    assert "/CreationDate" not in (reader(Renderer().render(undated)).metadata or {})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1777593600")  # 2026-05-01T00:00:00Z
    info = reader(Renderer().render(undated)).metadata
    assert info is not None and info["/CreationDate"].startswith("D:20260501000000")
    dated = load({"headline": "h", "body": "b", "published": "2025-01-02"})
    assert reader(Renderer().render(dated)).metadata["/CreationDate"].startswith("D:20250102")  # type: ignore[index]
