"""Preflight finds each standards defect on a deliberately broken file, and nothing on good ones."""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable

import pypdf
import pytest
from pypdf.generic import ArrayObject, FloatObject, NameObject, NumberObject, StreamObject

from conftest import SAMPLES
from printbrief import Renderer, load
from printbrief.errors import UsageError
from printbrief.pdf.preflight import preflight


def rules(pdf: bytes) -> set[str]:
    return {f.check for f in preflight(pdf)}


@pytest.fixture(scope="module")
def archival() -> bytes:
    return Renderer(variant="pdf/a-2b", system_fonts=False).render(load(SAMPLES / "en-feature.md"))


@pytest.fixture(scope="module")
def press() -> bytes:
    article = load(SAMPLES / "en-news-brief.json")
    return Renderer(bleed="3mm", marks="crop", system_fonts=False).render(article)


def test_good_files_have_no_findings(archival: bytes, press: bytes) -> None:
    assert preflight(archival) == []
    assert preflight(press, bleed_mm=3) == []


def broken(pdf: bytes, change: Callable[[pypdf.PdfWriter], None], *, keep_id: bool = True) -> bytes:
    """``pdf`` rewritten by pypdf after ``change``; without a trailer /ID unless ``keep_id``."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    change(writer)
    if not keep_id:
        writer._ID = None
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    return data if keep_id else re.sub(rb"/ID\s*\[[^\]]*\]", b"", data)


def _interpolate(writer: pypdf.PdfWriter) -> None:
    for ref in writer.pages[0]["/Resources"]["/XObject"].values():
        ref.get_object()[NameObject("/Interpolate")] = pypdf.generic.BooleanObject(True)


def _metadata(writer: pypdf.PdfWriter) -> StreamObject:
    return writer._root_object["/Metadata"].get_object()  # type: ignore[no-any-return]


def _second_rdf(writer: pypdf.PdfWriter) -> None:
    meta = _metadata(writer)
    data = meta.get_data().replace(
        b"</x:xmpmeta>",
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>',
    )
    meta.set_data(data)


def _compress_xmp(writer: pypdf.PdfWriter) -> None:
    meta = _metadata(writer)
    data = meta.get_data()
    meta._data = zlib.compress(data)
    meta[NameObject("/Filter")] = NameObject("/FlateDecode")


def _wrong_widths(writer: pypdf.PdfWriter) -> None:
    for ref in writer.pages[0]["/Resources"]["/Font"].values():
        cid = ref.get_object()["/DescendantFonts"][0].get_object()
        cid[NameObject("/W")] = ArrayObject([NumberObject(1), ArrayObject([FloatObject(999)])])


def _bleed_past_media(writer: pypdf.PdfWriter) -> None:
    page = writer.pages[0]
    page[NameObject("/BleedBox")] = ArrayObject(
        [FloatObject(float(v) + d) for v, d in zip(page.mediabox, (-5, -5, 5, 5), strict=True)]
    )


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (_interpolate, "image-interpolate"),
        (_second_rdf, "xmp-packet"),
        (_compress_xmp, "xmp-compressed"),
        (_wrong_widths, "font-widths"),
        (_bleed_past_media, "page-boxes"),
    ],
)
def test_each_broken_file_is_caught(
    archival: bytes, change: Callable[[pypdf.PdfWriter], None], rule: str
) -> None:
    assert rule in rules(broken(archival, change))


def test_a_missing_trailer_id_is_caught(archival: bytes) -> None:
    assert "trailer-id" in rules(broken(archival, lambda w: None, keep_id=False))


def _weasyprint(html: str, **options: object) -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=html).write_pdf(**options)
    assert isinstance(pdf, bytes)
    return pdf


def test_weasyprint_marks_in_the_bleed_are_caught() -> None:
    html = "<style>@page { size: A6; bleed: 3mm; marks: crop cross }</style><p>Quay</p>"
    findings = preflight(_weasyprint(html), bleed_mm=3)
    assert "marks-in-bleed" in {f.check for f in findings}


def test_hyphenation_as_u2010_is_caught() -> None:
    html = (
        '<html lang="en"><p style="width: 60px; hyphens: auto">'
        "extraordinarily complicated international cottages</p></html>"
    )
    assert "hyphen-extraction" in rules(_weasyprint(html))


def test_running_heads_tagged_as_content_are_caught() -> None:
    html = (
        '<html lang="en"><head><title>t</title><style>@page { size: A7;'
        " @top-center { content: 'Harbour Weekly' } @bottom-center { content: counter(page) } }"
        "</style></head><body>" + "<p>The ferry is late again today.</p>" * 40 + "</body></html>"
    )
    findings = preflight(_weasyprint(html, pdf_variant="pdf/ua-1"))
    tagged = [f for f in findings if f.check == "pagination-tagged"]
    assert tagged and tagged[0].clause == "ISO 14289-1 §7.8"


def test_rule_ids_and_clauses_reach_json(archival: bytes, tmp_path: object) -> None:
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from printbrief.cli import cli

    path = Path(str(tmp_path)) / "bad.pdf"
    path.write_bytes(broken(archival, _interpolate))
    result = CliRunner().invoke(cli, ["check", "--pdf", "--json", str(path)])
    assert result.exit_code == 1
    (report,) = json.loads(result.output)
    assert {"check": "image-interpolate", "page": 0, "clause": "ISO 19005-2 §6.2.8"}.items() <= (
        report["findings"][0].items()
    )


PROFILE = SAMPLES.parent / "profiles" / "FOGRA39L.icc"


def test_shipped_profile_is_a_cmyk_printer_profile() -> None:
    """The FOGRA39 profile tools/build_cmyk_profile.py builds: prtr class, CMYK → Lab."""
    import hashlib

    data = PROFILE.read_bytes()
    assert (data[12:16], data[16:20], data[20:24], data[36:40]) == (
        b"prtr",
        b"CMYK",
        b"Lab ",
        b"acsp",
    )
    readme = (PROFILE.parent / "README.md").read_text()
    assert hashlib.sha256(data).hexdigest() in readme


def _pdfx(colour: str, text: str = "", extra: str = "") -> bytes:
    """A PDF/X-4 file from WeasyPrint with the FOGRA39 output intent (text in ``text``, or
    the default black; ``extra`` CSS)."""
    body = (f"html {{ color: {text} }}" if text else "") + extra
    html = (
        '<html lang="en"><head><title>Quay</title><style>'
        f"@color-profile device-cmyk {{ src: url({PROFILE.as_uri()});"
        " components: cyan, magenta, yellow, black }"
        f"@page {{ size: A6; bleed: 3mm }} {body}"
        f"h1 {{ color: {colour} }}</style></head><body><h1>Quay</h1><p>Ferries</p></body></html>"
    )
    return _weasyprint(html, pdf_variant="pdf/x-4", pdf_identifier=True)


def test_pdfx_in_cmyk_only_passes_the_press_rules() -> None:
    pdf = _pdfx("device-cmyk(0 0.9 0.8 0.3)", text="device-cmyk(0 0 0 1)")
    assert not {r for r in rules(pdf) if r.startswith("pdfx")}


def test_pdfx_with_rgb_text_is_caught() -> None:
    """WeasyPrint 70 leaves every sRGB CSS colour (here the default black) in DeviceRGB."""
    assert "pdfx-rgb" in rules(_pdfx("device-cmyk(0 0.9 0.8 0.3)"))


def _srgb_intent(writer: pypdf.PdfWriter) -> None:
    intent = writer._root_object["/OutputIntents"][0].get_object()
    profile = intent["/DestOutputProfile"].get_object()
    profile.set_data(profile.get_data()[:12] + b"mntrRGB " + profile.get_data()[20:])


def _untrapped(writer: pypdf.PdfWriter) -> None:
    del writer._info.get_object()[NameObject("/Trapped")]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "rule"), [(_srgb_intent, "pdfx-output-intent"), (_untrapped, "pdfx-trapped")]
)
def test_pdfx_broken_files_are_caught(change: Callable[[pypdf.PdfWriter], None], rule: str) -> None:
    pdf = _pdfx("device-cmyk(0 0.9 0.8 0.3)", text="device-cmyk(0 0 0 1)")
    assert rule in rules(broken(pdf, change))


def _rgb_marks(writer: pypdf.PdfWriter) -> None:
    for page in writer.pages:
        for ref in page["/Contents"]:
            stream = ref.get_object()
            data = stream.get_data()
            if b"/PBRegistration CS 1 SCN" in data:
                stream.set_data(data.replace(b"/PBRegistration CS 1 SCN", b"0 0 0 RG"))


def _trapped_as_text(writer: pypdf.PdfWriter) -> None:
    writer.add_metadata({"/Trapped": "/False"})  # pypdf writes a string, not the name


def test_marks_outside_the_registration_colour_are_caught(press: bytes) -> None:
    assert "marks-colour" in rules(broken(press, _rgb_marks))


def test_trapped_as_a_string_is_caught() -> None:
    x4 = Renderer(variant="pdf/x-4", system_fonts=False).render(load(SAMPLES / "en-plain.json"))
    assert "pdfx-trapped" not in rules(x4)
    assert "pdfx-trapped" in rules(broken(x4, _trapped_as_text))


def test_pdfx_gradient_with_srgb_stops_is_caught() -> None:
    """WeasyPrint 70 writes a gradient's sRGB stops under a /DeviceCMYK label."""
    gradient = "p { background: linear-gradient(rgb(200 30 40), rgb(30 120 200)) }"
    pdf = _pdfx("device-cmyk(0 0.9 0.8 0.3)", text="device-cmyk(0 0 0 1)", extra=gradient)
    assert "pdfx-rgb" in rules(pdf)


def test_a_variant_asked_for_is_checked_even_when_not_claimed(press: bytes) -> None:
    assert not {"variant-claim", "pdfx-output-intent"} & rules(press)
    asked = {f.check for f in preflight(press, variant="pdf/x-4")}
    assert {"variant-claim", "pdfx-output-intent"} <= asked
    assert "variant-claim" in {f.check for f in preflight(press, variant="PDF/UA-1")}
    with pytest.raises(UsageError, match="unknown PDF variant"):
        preflight(press, variant="pdf/z-9")
