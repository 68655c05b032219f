"""Preflight rules for the standards printbrief writes: PDF/A, PDF/UA, press boxes and marks.

Each rule reads the finished file the way an independent validator or reader does, and names
the clause it guards. :func:`printbrief.preflight.preflight` runs them after its print checks.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any
from xml.etree.ElementTree import ParseError, fromstring

Found = tuple[str, int, str, str]  # rule, page (0: the document), message, clause
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"
_CLAIMS = re.compile(rb"pdfaid:part|pdfxid:GTS_PDFXVersion|GTS_PDFXVersion")
_TOLERANCE = 0.5  # points: boxes written as decimals


def document_rules(reader: Any, variant: str | None = None) -> Iterator[Found]:
    """Rules on the whole file: trailer /ID, the XMP packet, images, font widths; and the
    rules of the standard the file claims, or of ``variant`` (``pdf/x-4``…) when given."""
    if "/ID" not in reader.trailer:
        yield ("trailer-id", 0, "the trailer has no /ID", "ISO 32000-2 §14.4")
    packet = _packet(reader)
    if packet is not None:
        yield from _xmp(reader, packet)
    if variant is not None:
        yield from _claim(packet or b"", variant)
    if variant is not None or (packet is not None and _CLAIMS.search(packet)):
        yield from _interpolated(reader)
    if claims_pdfx(reader) or (variant or "").startswith("pdf/x"):
        yield from press_rules(reader)
    yield from _font_widths(reader)


_VARIANT_CLAIMS = {
    "pdf/a-2b": (rb"pdfaid:part(?:>|=\")2", "ISO 19005-2 §6.6.4"),
    "pdf/a-3b": (rb"pdfaid:part(?:>|=\")3", "ISO 19005-3 §6.6.4"),
    "pdf/ua-1": (rb"pdfuaid:part(?:>|=\")1", "ISO 14289-1 §5"),
    "pdf/x-4": (rb"GTS_PDFXVersion(?:>|=\")PDF/X-4", "ISO 15930-7 §6.7.5"),
}


def _claim(packet: bytes, variant: str) -> Iterator[Found]:
    """The XMP identification the variant requires."""
    pattern, clause = _VARIANT_CLAIMS[variant.lower()]
    if not re.search(pattern, packet):
        yield (
            "variant-claim",
            0,
            f"the XMP packet does not identify the file as {variant}",
            clause,
        )


def claims_pdfx(reader: Any) -> bool:
    """Whether the file says it is PDF/X (XMP ``pdfxid`` or a ``/GTS_PDFX`` output intent)."""
    packet = _packet(reader) or b""
    intents = reader.trailer["/Root"].get("/OutputIntents", [])
    return b"GTS_PDFXVersion" in packet or any(
        i.get_object().get("/S") == "/GTS_PDFX" for i in intents
    )


def _packet(reader: Any) -> bytes | None:
    ref = reader.trailer["/Root"].get("/Metadata")
    return None if ref is None else bytes(ref.get_object().get_data())


def _xmp(reader: Any, packet: bytes) -> Iterator[Found]:
    clause = "ISO 16684-1 §7.3–7.4"
    if "/Filter" in reader.trailer["/Root"]["/Metadata"].get_object():
        yield ("xmp-compressed", 0, "the XMP packet is compressed", clause)
    body = re.sub(rb"<\?xpacket[^>]*\?>", b"", packet)
    try:
        count = sum(1 for e in fromstring(body).iter() if e.tag == _RDF)
    except ParseError as exc:
        yield ("xmp-packet", 0, f"the XMP packet is not well-formed XML: {exc}", clause)
        return
    if count != 1:
        message = f"the XMP packet holds {count} rdf:RDF elements; readers take only the first"
        yield ("xmp-packet", 0, message, clause)


def _interpolated(reader: Any) -> Iterator[Found]:
    # Pages share one resource dictionary in WeasyPrint's files: count each image once.
    images = {id(im): im for _, im in _images(reader) if im.get("/Interpolate") in (True, "true")}
    if images:
        message = f"{len(images)} image(s) have /Interpolate true"
        yield ("image-interpolate", 0, message, "ISO 19005-2 §6.2.8")


def _images(reader: Any) -> Iterator[tuple[int, Any]]:
    for number, page in enumerate(reader.pages, start=1):
        for ref in page.get("/Resources", {}).get("/XObject", {}).values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                yield number, obj


def _font_widths(reader: Any) -> Iterator[Found]:
    """Embedded TrueType programs whose advances disagree with the font's /W array."""
    checked: set[str] = set()
    for number, page in enumerate(reader.pages, start=1):
        for ref in page.get("/Resources", {}).get("/Font", {}).values():
            font = ref.get_object()
            name = str(font.get("/BaseFont"))
            if name in checked or "/DescendantFonts" not in font:
                continue
            checked.add(name)
            wrong = _width_errors(font["/DescendantFonts"][0].get_object())
            if wrong:
                message = f"{name}: {len(wrong)} glyph advance(s) differ from /W, e.g. {wrong[0]}"
                yield ("font-widths", number, message, "ISO 19005-2 §6.2.11.5")


def _width_errors(cid: Any) -> list[str]:
    from fontTools.ttLib import TTFont

    from .fontpool import parse_widths

    file = cid.get("/FontDescriptor", {}).get("/FontFile2")
    if file is None or "/W" not in cid:
        return []
    program = TTFont(io.BytesIO(file.get_object().get_data()))
    scale, hmtx = 1000 / program["head"].unitsPerEm, program["hmtx"]
    order = program.getGlyphOrder()
    return [
        f"GID {gid}: {hmtx[order[gid]][0] * scale:.0f} ≠ {width:.0f}"
        for gid, width in sorted(parse_widths(cid["/W"]).items())
        if gid < len(order) and abs(hmtx[order[gid]][0] * scale - width) > 1
    ]


def page_rules(reader: Any, plumber: Any) -> Iterator[Found]:
    """Rules over pages: boxes, marks, hyphens as extracted, running heads in tagged files."""
    for number, (page, plumbed) in enumerate(zip(reader.pages, plumber.pages, strict=True), 1):
        if "/TrimBox" in page:
            yield from _boxes(page, number)
            yield from _marks(plumbed, number)
            yield from _registration(page, plumbed, number)
        yield from _hyphens(plumbed, number)
    if "/StructTreeRoot" in reader.trailer["/Root"]:
        yield from _pagination(plumber)


def _boxes(page: Any, number: int) -> Iterator[Found]:
    trim, bleed, media = (_box(page, name) for name in ("/TrimBox", "/BleedBox", "/MediaBox"))
    if not (_inside(trim, bleed) and _inside(bleed, media)):
        message = f"TrimBox {trim} ⊆ BleedBox {bleed} ⊆ MediaBox {media} does not hold"
        yield ("page-boxes", number, message, "ISO 15930-7 §6.2.3.3")


def _box(page: Any, name: str) -> tuple[float, ...]:
    box = page.get(name) or page.get("/MediaBox")
    return tuple(round(float(v), 2) for v in box)


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    x0, y0, x1, y1 = inner
    a0, b0, a1, b1 = outer
    t = _TOLERANCE
    return a0 - t <= x0 and b0 - t <= y0 and x1 <= a1 + t and y1 <= b1 + t


def _marks(plumbed: Any, number: int) -> Iterator[Found]:
    """Drawings wholly outside the trim (printer's marks) that reach into the bleed."""
    tx0, ttop, tx1, tbottom = plumbed.trimbox
    bx0, btop, bx1, bbottom = plumbed.bleedbox
    t = _TOLERANCE
    count = 0
    for obj in (*plumbed.lines, *plumbed.curves, *plumbed.rects):
        x0, top, x1, bottom = obj["x0"], obj["top"], obj["x1"], obj["bottom"]
        outside_trim = x1 <= tx0 + t or x0 >= tx1 - t or bottom <= ttop + t or top >= tbottom - t
        in_bleed = x1 > bx0 + t and x0 < bx1 - t and bottom > btop + t and top < bbottom - t
        count += outside_trim and in_bleed
    if count:
        message = f"{count} mark(s) drawn inside the bleed, where bleeding artwork covers them"
        yield ("marks-in-bleed", number, message, "ISO 15930-7 §6.2.3.3 (BleedBox)")


def _registration(page: Any, plumbed: Any, number: int) -> Iterator[Found]:
    """Marks in the slug (wholly outside the bleed) painted in the registration colour: a
    ``/Separation /All`` space in the page's resources, at full tint."""
    bx0, btop, bx1, bbottom = plumbed.bleedbox
    t = _TOLERANCE
    marks = [
        obj
        for obj in (*plumbed.lines, *plumbed.curves, *plumbed.rects)
        if obj["x1"] <= bx0 + t or obj["x0"] >= bx1 - t or obj["bottom"] <= btop + t
        or obj["top"] >= bbottom - t
    ]  # fmt: skip
    if not marks:
        return
    spaces = page.get("/Resources", {}).get("/ColorSpace", {})
    has_all = any(_is_registration(space.get_object()) for space in spaces.values())
    wrong = [m for m in marks if _tint(m.get("stroking_color")) != 1.0]
    if not has_all or wrong:
        message = f"{len(wrong) or len(marks)} mark(s) not in the registration colour"
        yield ("marks-colour", number, message, "ISO 32000-1 §8.6.6.4 (Separation /All)")


def _is_registration(space: Any) -> bool:
    return isinstance(space, list) and len(space) > 1 and space[:2] == ["/Separation", "/All"]


def _tint(colour: Any) -> float | None:
    values = colour if isinstance(colour, tuple | list) else (colour,)
    return float(values[0]) if len(values) == 1 and values[0] is not None else None


def _hyphens(plumbed: Any, number: int) -> Iterator[Found]:
    broken = re.findall(r"\w\u2010\n", plumbed.extract_text() or "")
    if broken:
        message = f"{len(broken)} hyphenated line end(s) extract as U+2010, not a soft hyphen"
        yield ("hyphen-extraction", number, message, "ISO 32000-1 §14.8.2.2.3")


def _pagination(plumber: Any) -> Iterator[Found]:
    """Lines repeated in the top or bottom band of most pages and tagged as content.

    Half the pages at least: in an issue, the section label that opens each article of a
    section sits in the top band of a few pages, and it is content.
    """
    pages: dict[str, list[int]] = defaultdict(list)
    for number, page in enumerate(plumber.pages, start=1):
        for key in _tagged_band_lines(page):
            pages[key].append(number)
    for key, numbers in pages.items():
        if len(numbers) >= max(2, len(plumber.pages) / 2):
            message = f"running head or folio {key!r} is tagged as content on {len(numbers)} pages"
            yield ("pagination-tagged", numbers[0], message, "ISO 14289-1 §7.8")


def _tagged_band_lines(page: Any) -> set[str]:
    band = (page.bbox[3] - page.bbox[1]) * 0.1
    in_band: Callable[[dict[str, Any]], bool] = lambda c: (  # noqa: E731
        c["top"] < page.bbox[1] + band or c["bottom"] > page.bbox[3] - band
    )
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for char in filter(in_band, page.chars):
        lines[round(char["top"])].append(char)
    return {
        re.sub(r"\d+", "#", "".join(c["text"] for c in chars)).strip()
        for chars in lines.values()
        if any(c.get("mcid") is not None for c in chars)
    }


_DEVICE_RGB = re.compile(rb"(?:^|\s)(?:rg|RG)(?:\s|$)|/DeviceRGB\b")


def press_rules(reader: Any) -> Iterator[Found]:
    """PDF/X-4 machine rules (ISO 15930-7) no free validator checks: a CMYK printer profile as
    the output intent, no DeviceRGB anywhere, /Trapped, a TrimBox on every page."""
    from pypdf.generic import NameObject

    clause = "ISO 15930-7"
    intents = [i.get_object() for i in reader.trailer["/Root"].get("/OutputIntents", [])]
    pdfx = [i for i in intents if i.get("/S") == "/GTS_PDFX"]
    if not pdfx or _profile_kind(pdfx[0]) != (b"prtr", b"CMYK"):
        message = "no /GTS_PDFX output intent with a CMYK printer (prtr) profile"
        yield ("pdfx-output-intent", 0, message, f"{clause} §6.2.4")
    rgb = sum(1 for data in _all_streams_and_names(reader) if _DEVICE_RGB.search(data))
    rgb += sum(1 for obj in _objects(reader) if _rgb_stops(obj))
    if rgb:
        message = (
            f"{rgb} content stream(s) or object(s) use RGB (DeviceRGB, rg/RG or a gradient's"
            " sRGB stops), unmanaged under a CMYK intent"
        )
        yield ("pdfx-rgb", 0, message, f"{clause} §6.2.3")
    trapped = (reader.metadata or {}).get("/Trapped")
    if not isinstance(trapped, NameObject) or trapped not in ("/True", "/False"):
        message = "the Info dictionary has no /Trapped name /True or /False"
        yield ("pdfx-trapped", 0, message, f"{clause} §6.7.2")
    for number, page in enumerate(reader.pages, start=1):
        if "/TrimBox" not in page and "/ArtBox" not in page:
            yield ("pdfx-trim-box", number, "no TrimBox", f"{clause} §6.2.3.3")


def _profile_kind(intent: Any) -> tuple[bytes, bytes]:
    profile = intent.get("/DestOutputProfile")
    header = profile.get_object().get_data()[:20] if profile is not None else b""
    return header[12:16], header[16:20]


def _all_streams_and_names(reader: Any) -> Iterator[bytes]:
    """Page contents, and each object's own serialization (dictionary keys and names)."""
    from pypdf.generic import StreamObject

    for page in reader.pages:
        contents = page.get_contents()
        if contents is not None:
            yield bytes(contents.get_data())
    for obj in _objects(reader):
        if isinstance(obj, StreamObject) and obj.get("/Subtype") == "/Form":
            yield bytes(obj.get_data())
        yield repr(dict(obj) if isinstance(obj, StreamObject) else obj).encode()


def _objects(reader: Any) -> Iterator[Any]:
    """Every object in use: free numbers (a merged issue frees duplicate profiles) skipped,
    so pypdf does not log each as missing."""
    used = {n for numbers in reader.xref.values() for n in numbers} | set(reader.xref_objStm)
    for number in sorted(used - {0}):
        try:
            obj = reader.get_object(number)
        except Exception:  # free or missing numbers
            continue
        if obj is not None:
            yield obj


def _rgb_stops(obj: Any) -> bool:
    """A gradient whose function gives three components: sRGB stops, whatever the space says
    (WeasyPrint labels them /DeviceCMYK under a CMYK intent)."""
    if not isinstance(obj, dict) or "/ShadingType" not in obj or "/Function" not in obj:
        return False
    return _outputs(obj["/Function"].get_object()) == 3


def _outputs(function: Any) -> int:
    if isinstance(function, list):  # one function per component
        return len(function)
    if function.get("/FunctionType") == 3:
        return max((_outputs(f.get_object()) for f in function["/Functions"]), default=0)
    return len(function.get("/C0", ())) or len(function.get("/Range", ())) // 2
