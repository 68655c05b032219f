"""Standards that independent readers check: image interpolation, XMP as an XMP toolkit reads
it, trailer /ID, and printer's marks outside the bleed in the registration colour."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest

from conftest import SAMPLES, reader
from printbrief import Renderer, load

MM = 72 / 25.4


@pytest.fixture(scope="module")
def feature() -> object:
    return load(SAMPLES / "en-feature.md")


@pytest.fixture(scope="module")
def archival(feature: object) -> bytes:
    return Renderer(variant="pdf/a-2b", system_fonts=False).render(feature)  # type: ignore[arg-type]


def _images(pdf: bytes) -> list[pypdf.generic.DictionaryObject]:
    found = []
    for page in reader(pdf).pages:
        for ref in page["/Resources"].get("/XObject", {}).values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                found.append(obj)
    return found


def test_pdfa_images_are_not_interpolated(archival: bytes) -> None:
    images = _images(archival)
    assert images, "the feature sample has pictures"
    assert all(im.get("/Interpolate", False) in (False, "false") for im in images)


def _metadata(pdf: bytes) -> pypdf.generic.StreamObject:
    return reader(pdf).trailer["/Root"]["/Metadata"].get_object()


def _exempi(packet: bytes, tmp_path: Path, name: str) -> str:
    """A property's value as the Adobe XMP toolkit (through exempi) reads the packet."""
    exempi = shutil.which("exempi")
    assert exempi, "exempi is installed by `make test` (Debian package exempi)"
    path = tmp_path / "packet.xmp"
    path.write_bytes(packet)
    done = subprocess.run([exempi, "-X", "-g", name, str(path)], capture_output=True, check=True)
    return done.stdout.decode()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("dc:language[1]", "en"),
        ("dc:publisher[1]", "Coastline Daily"),
        ("dc:subject[2]", "night shift"),
        ("dc:identifier", "https://example.com/features/"),
        ("dc:title[1]", "From last lantern to first light"),
        ("pdfaid:part", "2"),
    ],
)
def test_xmp_toolkit_reads_every_property(
    archival: bytes, tmp_path: Path, name: str, value: str
) -> None:
    packet = _metadata(archival).get_data()
    assert packet.count(b"<rdf:RDF") == 1
    assert value in _exempi(packet, tmp_path, name)


def test_xmp_packet_is_not_compressed(archival: bytes) -> None:
    metadata = _metadata(archival)
    assert "/Filter" not in metadata
    assert b'<?xpacket begin="' in archival  # a packet scanner finds it in the raw file


@pytest.mark.parametrize("variant", [None, "pdf/ua-1"])
def test_every_file_has_a_trailer_id(variant: str | None) -> None:
    article = load(SAMPLES / "en-plain.json")
    ids = reader(Renderer(variant=variant, system_fonts=False).render(article)).trailer["/ID"]
    assert len(ids) == 2 and len(bytes(ids[0].original_bytes)) == 32


@pytest.fixture(scope="module")
def marked() -> bytes:
    article = load(SAMPLES / "en-news-brief.json")
    return Renderer(bleed="3mm", marks="crop,cross", system_fonts=False).render(article)


def _box(page: pypdf.PageObject, name: str) -> tuple[float, ...]:
    return tuple(float(v) for v in page[name])


def test_marks_grow_the_page_beyond_the_bleed(marked: bytes) -> None:
    page = reader(marked).pages[0]
    x0, y0, x1, y1 = _box(page, "/TrimBox")
    b0, c0, b1, c1 = _box(page, "/BleedBox")
    m0, n0, m1, n1 = _box(page, "/MediaBox")
    assert m0 < b0 < x0 and n0 < c0 < y0 and x1 < b1 < m1 and y1 < c1 < n1
    assert b0 == pytest.approx(x0 - 3 * MM, abs=0.01)


def _dark(image: object, box: tuple[int, int, int, int]) -> int:
    return sum(1 for v in image.crop(box).tobytes() if v < 160)  # type: ignore[attr-defined]


def test_marks_sit_in_the_slug_not_the_bleed(marked: bytes) -> None:
    """At 1 px per point: nothing is drawn between TrimBox and BleedBox at a corner; the
    crop marks are in the slug beyond it."""
    page = reader(marked).pages[0]
    m0, _, _, n1 = _box(page, "/MediaBox")
    x0, _, _, y1 = _box(page, "/TrimBox")
    b0, _, _, c1 = _box(page, "/BleedBox")
    image = pdfium.PdfDocument(marked)[0].render(scale=1).to_pil().convert("L")
    trim = (round(x0 - m0), round(n1 - y1))  # top-left corner of the trim, in pixels
    bleed = (round(b0 - m0), round(n1 - c1))
    assert _dark(image, (bleed[0], bleed[1], trim[0] - 1, trim[1] - 1)) == 0
    assert _dark(image, (0, trim[1] - 1, bleed[0], trim[1] + 2)) > 0  # horizontal crop mark
    assert _dark(image, (trim[0] - 1, 0, trim[0] + 2, bleed[1])) > 0  # vertical crop mark


def test_marks_are_in_the_registration_colour(marked: bytes) -> None:
    doc = reader(marked)
    spaces = doc.pages[0]["/Resources"]["/ColorSpace"]
    registration = spaces["/PBRegistration"]
    assert list(registration[:2]) == ["/Separation", "/All"]
    contents = doc.pages[0]["/Contents"]
    first = contents[0].get_object().get_data()
    assert b"/PBRegistration CS 1 SCN" in first and first.startswith(b"/Artifact BMC q")
    assert b" rg" not in first and b" RG" not in first


@pytest.fixture(scope="module")
def accessible(feature: object) -> bytes:
    return Renderer(variant="pdf/ua-1", system_fonts=False).render(feature)  # type: ignore[arg-type]


def test_running_heads_and_folios_are_pagination_artifacts(accessible: bytes) -> None:
    """Running head, URL footer and "Page N of M" are artifacts; the body stays tagged."""
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(accessible)) as doc:
        page = doc.pages[1]
        margins = [c for c in page.chars if c["top"] < 60 or c["top"] > page.height - 60]
        body = [c for c in page.chars if 100 < c["top"] < page.height - 100]
    assert "Page 2 of" in "".join(c["text"] for c in margins)
    assert {c.get("tag") for c in margins} == {"Artifact"}
    assert all(c.get("mcid") is not None for c in body)
    contents = reader(accessible).pages[1].get_contents()
    assert contents is not None
    assert re.search(rb"/Artifact\s*<</Type /Pagination>>\s*BDC", contents.get_data())


def test_outloud_finds_no_furniture_tagged_as_content(accessible: bytes, tmp_path: Path) -> None:
    import outloud

    path = tmp_path / "ua.pdf"
    path.write_bytes(accessible)
    rules = {f.rule for f in outloud.check(str(path)).findings}
    # PAG-001: running heads tagged as content; LNK-010: the footer URL read as a bare link.
    assert not rules & {"PAG-001", "LNK-010"}, rules


def _text(pdf: bytes) -> str:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(page.extract_text() for page in doc.pages)


def test_hyphenation_extracts_as_soft_hyphens(feature: object) -> None:
    """ISO 32000-1 §14.8.2.2.3: a hyphen that hyphenation added is a soft hyphen (U+00AD)."""
    text = _text(Renderer(system_fonts=False).render(feature))  # type: ignore[arg-type]
    assert "\u2010" not in text
    assert len(re.findall(r"\w\u00ad\n\w", text)) >= 3  # the feature hyphenates a dozen words


def test_a_real_u2010_hyphen_is_left_alone() -> None:
    body = "The well\u2010known quay " + "reopens in the long afternoon " * 60
    article = load({"headline": "Quay", "body": body})
    text = _text(Renderer(system_fonts=False).render(article))
    assert "well\u2010known" in text
