"""Stage 6 — finish: what HTML cannot say, written into the PDF with pydyf before the trailer."""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zlib
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

import pydyf

from . import compact, press
from .artifacts import mark_pagination
from .version import __version__

_XMP_PRODUCER = re.compile(rb'pdf:Producer="[^"]*"')
_XMP_DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f-]{36}")

STREAM_LEVEL = 6
"""zlib level for every stream: content, font programs and attachments. pydyf compresses at
9; on the bench samples 6 cut PDF writing by 8–23 % for a file 0.1–0.7 % larger (measured with
tools/bench.py). Font programs are most of a CJK PDF's bytes and of its deflate time: for the
zh-Hans sample's 279 KB of subsets level 9 took 12.6 ms a render and level 6 5.9 ms, for 470
bytes more (ko 11.9 against 6.4 ms, 489 bytes; ja 7.5 against 4.0 ms, 275 bytes)."""


class Rendered(bytes):
    """A finished PDF: the bytes themselves, plus its page count and the warnings of its render.

    A ``bytes`` subclass, so code that wants PDF bytes takes it as it is (``write_bytes``,
    an HTTP response), and code that wants more reads ``pages``, ``warnings`` and, for merged
    runs of issue articles, ``parts`` (each article's page count).

    >>> pdf = Rendered(b"%PDF-1.7 ...", 2, warnings=("a.json: no font covers U+E000",))
    >>> pdf[:5], pdf.pages, len(pdf.warnings)
    (b'%PDF-', 2, 1)
    """

    pages: int
    parts: tuple[int, ...]
    warnings: tuple[str, ...]

    def __new__(
        cls, pdf: bytes, pages: int, parts: tuple[int, ...] = (), warnings: tuple[str, ...] = ()
    ) -> Rendered:
        self = super().__new__(cls, pdf)
        self.pages, self.parts, self.warnings = pages, tuple(parts), tuple(warnings)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Rendered, (bytes(self), self.pages, self.parts, self.warnings))

    @property
    def pdf(self) -> bytes:
        """The PDF bytes (this object itself)."""
        return self


class Finisher:
    """A WeasyPrint ``finisher``: producer, document-title display, one AF entry per file, and
    extra XMP (``xmp``, an ``rdf:Description`` element) added to a variant's metadata stream.

    ``standard`` (a PDF/A, UA or X variant) turns image interpolation off (PDF/A-2 §6.2.8);
    ``marks`` (``crop``, ``cross``) are drawn in a slug outside the bleed (:mod:`.press`);
    ``soft_hyphens`` makes hyphenation hyphens extract as U+00AD (pass False when the text
    itself holds a U+2010 hyphen, which shares their glyph).
    Title, author, subject, keywords, dates and language come from the template's ``<head>``.
    """

    def __init__(
        self,
        weasyprint_version: str,
        xmp: bytes = b"",
        *,
        standard: bool = False,
        marks: tuple[str, ...] = (),
        soft_hyphens: bool = True,
        output_condition: tuple[str, str] | None = None,
        cmyk_profile: Path | None = None,
    ) -> None:
        self.producer = f"printbrief {__version__} (WeasyPrint {weasyprint_version})"
        self.xmp = xmp
        self.standard = standard
        self.marks = marks
        self.soft_hyphens = soft_hyphens
        self.output_condition = output_condition
        self.cmyk_profile = cmyk_profile

    def __call__(self, document: Any, pdf: pydyf.PDF) -> None:
        """Adjust the pydyf document in place."""
        pdf.info["Producer"] = pydyf.String(self.producer)
        prefs = pdf.catalog.get("ViewerPreferences") or pydyf.Dictionary()
        prefs["DisplayDocTitle"] = "true"  # pydyf writes str(value): pass 'true', not True
        pdf.catalog["ViewerPreferences"] = prefs
        if "AF" in pdf.catalog:  # WeasyPrint 70 lists each PDF/A-3 attachment twice
            pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))
        for obj in pdf.objects:
            if isinstance(obj, pydyf.Stream) and obj.extra.get("Type") == "/Metadata":
                self._metadata(obj)
            elif self.standard and isinstance(obj, pydyf.Stream):
                _no_interpolation(obj)
        if self.cmyk_profile:
            from . import cmykpdf  # colour management only for CMYK output: a faster start

            cmykpdf.convert(pdf, self.cmyk_profile)
            _original_profile(pdf, self.cmyk_profile)
        _drawn_without_text(pdf)
        if self.soft_hyphens:
            _soft_hyphens(pdf)
        if self.output_condition:
            _name_output_condition(pdf, *self.output_condition)
        if "StructTreeRoot" in pdf.catalog:
            mark_pagination(_by_reference(pdf), pdf.catalog, _pages(pdf))
        if self.marks:
            draw_marks(pdf, self.marks)
        _compact(pdf)
        compress_streams(pdf)

    def _metadata(self, stream: pydyf.Stream) -> None:
        stream.stream = [self._xmp(bytes(part)) for part in stream.stream]
        # Left uncompressed so packet scanners find it (ISO 16684-1 §7.3); a few hundred bytes.
        stream.compress = False
        stream.extra.pop("Filter", None)

    def _xmp(self, data: bytes) -> bytes:
        # PDF/A validators compare XMP pdf:Producer with the Info dictionary's /Producer.
        data = _XMP_PRODUCER.sub(b'pdf:Producer="' + self.producer.encode() + b'"', data)
        # WeasyPrint's PDF/X-4 DocumentID is a random UUID: derive it from the packet instead,
        # so output stays byte-reproducible.
        stable = _XMP_DOCUMENT_ID.sub(b"", data)
        digest = uuid.UUID(bytes=hashlib.md5(stable, usedforsecurity=False).digest())
        data = _XMP_DOCUMENT_ID.sub(b"xmp.did:" + str(digest).encode(), data)
        # One rdf:RDF per packet (ISO 16684-1 §7.4): XMP readers such as the Adobe toolkit
        # stop at the first one, so a second would hide every property it holds.
        return data.replace(b"</rdf:RDF>", self.xmp + b"</rdf:RDF>", 1)


def _compact(pdf: pydyf.PDF) -> None:
    """Font programs without the tables no PDF reader reads (:mod:`.compact`)."""
    for stream in compact.truetype_programs(pdf):
        if stream.compress and "Filter" not in stream.extra:  # the program itself, not deflated
            program = compact.without_unread_tables(_raw(stream))
            stream.stream, stream.extra["Length1"] = [program], len(program)


def _no_interpolation(stream: pydyf.Stream) -> None:
    # PDF/A-2 §6.2.8 and PDF/X-4: an image's /Interpolate, if present, shall be false.
    # WeasyPrint 70 sets it true for image-rendering: auto.
    if stream.extra.get("Subtype") == "/Image" and "Interpolate" in stream.extra:
        stream.extra["Interpolate"] = "false"


def _original_profile(pdf: pydyf.PDF, profile: Path) -> None:
    """The output profile's own bytes in the PDF, not WeasyPrint's re-serialization.

    WeasyPrint embeds ``ImageCmsProfile.tobytes()``: LittleCMS writes the shipped 247 KB
    FOGRA39 profile back as 500 KB, with bytes that differ from one render to the next, so a
    merged issue could not share one copy and a file was not byte-reproducible.
    """
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.extra.get("N") == 4 and _is_icc(obj):
            obj.stream = [profile.read_bytes()]


def _is_icc(stream: pydyf.Stream) -> bool:
    data = b"".join(bytes(part) for part in stream.stream[:1])
    return data[36:40] == b"acsp"


def _soft_hyphens(pdf: pydyf.PDF) -> None:
    """Map the hyphenation glyph to U+00AD in every ToUnicode CMap.

    WeasyPrint 70 hyphenates with U+2010 (``hyphenate-character: auto``), so "cot‐ tages"
    copies out broken; ISO 32000-1 §14.8.2.2.3 wants a hyphen added by hyphenation to be a
    soft hyphen, which readers and search drop when they join the line. Every bundled font
    draws U+2010 with a glyph of its own (``uni2010``), apart from the ASCII hyphen.
    """
    objects = _by_reference(pdf)
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Font" and "ToUnicode" in obj:
            cmap = objects[_ref(obj["ToUnicode"])]
            cmap.stream = [_SOFT_HYPHEN.sub(rb"\1<00ad>", bytes(line)) for line in cmap.stream]


_SOFT_HYPHEN = re.compile(rb"^(<[0-9a-f]+> )<2010>$")


def _drawn_without_text(pdf: pydyf.PDF) -> None:
    """Give glyphs that WeasyPrint maps to no text (``<000f> <>``) their font's own character.

    Pango draws a ``text-overflow: ellipsis`` itself, outside the text: WeasyPrint then writes
    an empty ToUnicode entry, which copies out as nothing and fails PDF/UA (ISO 14289-1
    §7.21.7). The embedded subset keeps its glyph ids and a ``cmap`` for the glyphs it holds,
    so the character comes from there: when a face's ``unicode-range`` hides its "…", Pango
    falls back to three full stops, and they copy out as "...".
    """
    objects = _by_reference(pdf)
    for obj in pdf.objects:
        if not (isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Font"):
            continue
        if "ToUnicode" not in obj or "DescendantFonts" not in obj:
            continue
        cmap = objects[_ref(obj["ToUnicode"])]
        lines = [bytes(line) for line in cmap.stream]
        empty = [m for line in lines if (m := _EMPTY_TEXT.match(line))]
        if not empty:
            continue
        characters = _glyph_characters(objects, obj)
        filled = {
            m.group(0): b"<%s> <%s>"
            % (m.group(1), chr(characters[gid]).encode("utf-16-be").hex().encode())
            for m in empty
            if (gid := int(m.group(1), 16)) in characters
        }
        cmap.stream = [filled.get(line, line) for line in lines]


_EMPTY_TEXT = re.compile(rb"^<([0-9a-f]+)> <>$")


def _glyph_characters(objects: dict[bytes, Any], font: pydyf.Dictionary) -> dict[int, int]:
    """Glyph id → code point from the ``cmap`` of a Type 0 font's embedded TrueType program."""
    from fontTools.ttLib import TTFont  # only for the rare font that needs it

    descendant = font["DescendantFonts"][0]
    descendant = objects.get(_ref(descendant), descendant)
    descriptor = objects[_ref(descendant["FontDescriptor"])]
    if "FontFile2" not in descriptor:
        return {}
    stream = objects[_ref(descriptor["FontFile2"])]
    data = b"".join(bytes(part) for part in stream.stream)
    if stream.extra.get("Filter") == "/FlateDecode":
        data = zlib.decompress(data)
    with TTFont(io.BytesIO(data), lazy=True) as program:
        order = {name: gid for gid, name in enumerate(program.getGlyphOrder())}
        best = program.getBestCmap() or {}
    found: dict[int, int] = {}
    for code, name in sorted(best.items(), reverse=True):  # the lowest code point wins
        found[order[name]] = code
    return found


def _name_output_condition(pdf: pydyf.PDF, name: str, description: str) -> None:
    # WeasyPrint names the PDF/X intent after the profile's description; presses and
    # validators look for the registered print condition (ICC characterization registry).
    for intent in pdf.catalog.get("OutputIntents", ()):
        if isinstance(intent, pydyf.Dictionary) and intent.get("S") == "/GTS_PDFX":
            intent["OutputConditionIdentifier"] = pydyf.String(name)
            intent["OutputCondition"] = pydyf.String(description)
            intent["RegistryName"] = pydyf.String("http://www.color.org")


def draw_marks(pdf: pydyf.PDF, marks: tuple[str, ...]) -> None:
    """Grow every page by a slug and draw ``marks`` there in the registration colour."""
    objects = _by_reference(pdf)
    spaces: set[bytes] = set()
    for page in _pages(pdf):
        _mark_page(pdf, page, marks)
        spaces.add(_ref(objects[_ref(page["Resources"])]["ColorSpace"]))
    for reference in spaces:
        objects[reference][press.REGISTRATION] = _registration_space()


def _mark_page(pdf: pydyf.PDF, page: pydyf.Dictionary, marks: tuple[str, ...]) -> None:
    media = [float(v) for v in page["MediaBox"]]
    trim = [float(v) for v in page.get("TrimBox", media)]
    bleed = [float(v) for v in page.get("BleedBox", media)]
    stream = pydyf.Stream([press.marks_stream(trim, bleed, marks)])
    pdf.add_object(stream)
    page["Contents"] = pydyf.Array([stream.reference, page["Contents"]])
    page["TrimBox"], page["BleedBox"] = pydyf.Array(trim), pydyf.Array(bleed)
    page["MediaBox"] = pydyf.Array(press.grown(bleed, press.SLUG))


def _registration_space() -> pydyf.Array:
    # Tint 1 is full ink on every separation; the DeviceGray alternate (tint 1 → black) is
    # allowed under any PDF/A or PDF/X output intent, where DeviceCMYK would not be.
    tint = pydyf.Dictionary(
        {"FunctionType": 2, "Domain": pydyf.Array([0, 1]), "C0": pydyf.Array([1]),
         "C1": pydyf.Array([0]), "N": 1}
    )  # fmt: skip
    return pydyf.Array(["/Separation", "/All", "/DeviceGray", tint])


def _pages(pdf: pydyf.PDF) -> list[pydyf.Dictionary]:
    return [o for o in pdf.objects if isinstance(o, pydyf.Dictionary) and o.get("Type") == "/Page"]


def _by_reference(pdf: pydyf.PDF) -> dict[bytes, Any]:
    return {obj.reference: obj for obj in pdf.objects if obj is not None}


def _ref(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def compress_streams(pdf: pydyf.PDF, level: int = STREAM_LEVEL) -> None:
    """Deflate every stream pydyf would compress, at ``level`` instead of pydyf's 9."""
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Stream):
            continue
        if obj.compress:
            obj.stream = [zlib.compress(_raw(obj), level)]
            obj.extra["Filter"] = "/FlateDecode"
            obj.compress = False
        # Also streams that came deflated (a picture WeasyPrint compressed itself).
        last = obj.stream[-1] if obj.stream else b""
        if isinstance(last, bytes | bytearray | str) and last[-1:] in (b"\r", "\r"):
            obj.__class__ = _EndsInCR


class _EndsInCR(pydyf.Stream):  # type: ignore[misc]
    """A stream whose data ends in CR: CR LF before ``endstream``, not pydyf's LF alone.

    After data ending in CR a validator reads CR LF as the end-of-line marker and finds the
    data one byte short of ``/Length`` (PDF/A-2 §6.1.7.1). One deflated stream in 256 ends in
    CR: the last byte is the data's Adler-32, so no compression level avoids it. pdf/writer.py
    does the same for merged files.
    """

    @property
    def data(self) -> bytes:
        written: bytes = super().data
        return written[: -len(b"\nendstream")] + b"\r\nendstream"


def _raw(stream: pydyf.Stream) -> bytes:
    # A bare copy serializes as "<</Length n>>\nstream\n" + data + "\nendstream".
    data: bytes = pydyf.Stream(stream.stream).data
    return data.split(b"\nstream\n", 1)[1][: -len(b"\nendstream")]


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DC = "http://purl.org/dc/elements/1.1/"


def xmp_extra(*, publication: str | None, url: str | None, tags: list[str], lang: str) -> bytes:
    """Dublin Core XMP for what WeasyPrint leaves out: publisher, identifier, subjects, language.

    One ``rdf:Description``, which the finisher puts inside the packet's ``rdf:RDF``. Only
    ``dc:`` properties, which PDF/A accepts without an extension schema.
    """
    desc = Element(f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""})
    _bag(desc, "publisher", [publication] if publication else [])
    _bag(desc, "subject", tags)
    _bag(desc, "language", [lang])
    if url:
        SubElement(desc, f"{{{_DC}}}identifier").text = url
    return bytes(tostring(desc, encoding="utf-8", xml_declaration=False))


def _bag(parent: Element, name: str, values: list[str]) -> None:
    if values:
        bag = SubElement(SubElement(parent, f"{{{_DC}}}{name}"), f"{{{_RDF}}}Bag")
        for value in values:
            SubElement(bag, f"{{{_RDF}}}li").text = value
