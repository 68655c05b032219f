"""Fonts of many WeasyPrint PDFs pooled into one embedded font per face (for :mod:`printbrief.merge`).

WeasyPrint names a subset after an MD5 of the Pango font description, so the same face gets
the same ``/BaseFont`` (``EONUHZ+PB-Serif``) in every document rendered with printbrief's
fonts. Fonts with one name are merged: glyph programs (union), widths and Unicode maps.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
)

from .fontmerge import GlyphUnion, NotMergeable
from .objects import pdf_array, pdf_dict, pdf_stream

log = logging.getLogger(__name__)

_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX = re.compile(rb"<([0-9a-fA-F]+)>")


@dataclass
class _Group:
    """Every mergeable font dictionary with one ``/BaseFont``, united as they are collected."""

    font: DictionaryObject
    union: GlyphUnion = field(default_factory=GlyphUnion)
    widths: dict[int, float] = field(default_factory=dict)
    unicode: dict[int, str] = field(default_factory=dict)
    boxes: list[list[float]] = field(default_factory=list)
    users: int = 0
    broken: str = ""
    reference: IndirectObject | None = None

    def add(self, font: DictionaryObject) -> None:
        """Fold one document's subset into the group (its glyphs, widths, Unicode map).

        The result does not depend on the order documents are added in: where two disagree
        (a glyph that stands for two texts) the smaller value wins.
        """
        self.users += 1
        cid = _descendant(font)
        descriptor = pdf_dict(cid["/FontDescriptor"])
        try:
            self.union.add(pdf_stream(descriptor["/FontFile2"]).get_data())
        except NotMergeable as exc:
            self.broken = str(exc)
            return
        _merge_min(self.widths, parse_widths(pdf_array(cid.get("/W", ArrayObject()))))
        if "/ToUnicode" in font:
            _merge_min(self.unicode, parse_to_unicode(pdf_stream(font["/ToUnicode"]).get_data()))
        if "/FontBBox" in descriptor:
            self.boxes.append([float(v) for v in pdf_array(descriptor["/FontBBox"])])


def _merge_min(into: dict[int, Any], new: dict[int, Any]) -> None:
    for key, value in new.items():
        if key not in into or value < into[key]:
            into[key] = value


class FontPool:
    """Collect the fonts of source PDFs, then build one merged font per ``/BaseFont``.

    >>> pool = FontPool(writer); pool.collect(reader); pool.build()  # doctest: +SKIP
    >>> pool.reference(font_ref)  # the merged font in the writer, or None  # doctest: +SKIP
    """

    def __init__(self, writer: PdfWriter) -> None:
        self.writer = writer
        self._groups: dict[str, _Group] = {}
        self._by_object: dict[tuple[int, int], str] = {}

    def collect(self, reader: PdfReader) -> None:
        """Fold every mergeable Type 0 font of a source into its group."""
        for ref in _font_refs(reader):
            font = pdf_dict(ref)
            if _mergeable(font):
                name = str(font["/BaseFont"])
                self._groups.setdefault(name, _Group(font)).add(font)
                self._by_object[(id(reader), ref.idnum)] = name

    def build(self) -> None:
        """Write one font per name used by two sources or more (a single user keeps its own)."""
        for name, group in sorted(self._groups.items()):  # the same objects whatever came first
            if group.broken:
                log.debug("font %s kept per document: %s", name, group.broken)
            elif group.users > 1:
                group.reference = self._merged(group)

    def reference(self, ref: PdfObject) -> IndirectObject | None:
        """The pooled font standing in for a source's font reference, if there is one."""
        if not isinstance(ref, IndirectObject):
            return None
        name = self._by_object.get((id(ref.pdf), ref.idnum))
        return self._groups[name].reference if name else None

    def _merged(self, group: _Group) -> IndirectObject:
        cid = _descendant(group.font)
        descriptor = self._copy(
            pdf_dict(cid["/FontDescriptor"]), skip=("/FontFile2", "/CIDSet", "/FontBBox")
        )
        descriptor[NameObject("/FontBBox")] = _union_bbox(group.boxes)
        descriptor[NameObject("/Flags")] = NumberObject(_flags(descriptor, group.widths))
        descriptor[NameObject("/FontFile2")] = self._program(group.union.program())
        cid_font = self._copy(cid, skip=("/W", "/FontDescriptor"))
        cid_font[NameObject("/W")] = widths_array(group.widths)
        cid_font[NameObject("/FontDescriptor")] = self.writer._add_object(descriptor)
        font = self._copy(group.font, skip=("/DescendantFonts", "/ToUnicode"))
        font[NameObject("/DescendantFonts")] = ArrayObject([self.writer._add_object(cid_font)])
        font[NameObject("/ToUnicode")] = self._stream(to_unicode_cmap(group.unicode))
        return self.writer._add_object(font)

    def _copy(self, source: DictionaryObject, *, skip: tuple[str, ...]) -> DictionaryObject:
        return DictionaryObject(
            {NameObject(k): v.clone(self.writer) for k, v in source.items() if k not in skip}
        )

    def _program(self, data: bytes) -> IndirectObject:
        stream = self._raw(data)
        stream[NameObject("/Length1")] = NumberObject(len(data))
        return self.writer._add_object(stream.flate_encode())

    def _stream(self, data: bytes) -> IndirectObject:
        return self.writer._add_object(self._raw(data).flate_encode())

    @staticmethod
    def _raw(data: bytes) -> DecodedStreamObject:
        stream = DecodedStreamObject()
        stream.set_data(data)
        return stream


def _font_refs(reader: PdfReader) -> Iterator[IndirectObject]:
    """Every font reference of a document (WeasyPrint shares one dictionary between pages)."""
    seen: set[int] = set()
    for page in reader.pages:
        resources = page.get("/Resources")
        fonts = pdf_dict(resources).get("/Font") if resources is not None else None
        if fonts is None or id(pdf_dict(fonts)) in seen:
            continue
        seen.add(id(pdf_dict(fonts)))
        yield from (r for r in pdf_dict(fonts).values() if isinstance(r, IndirectObject))


def _mergeable(font: DictionaryObject) -> bool:
    """A WeasyPrint TrueType CID font: Identity-H, CIDFontType2, Identity CID-to-GID map."""
    if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H":
        return False
    descendants = font.get("/DescendantFonts")
    if descendants is None or len(pdf_array(descendants)) != 1:
        return False
    cid = pdf_dict(pdf_array(descendants)[0])
    descriptor = cid.get("/FontDescriptor")
    return (
        cid.get("/Subtype") == "/CIDFontType2"
        and cid.get("/CIDToGIDMap") == "/Identity"
        and descriptor is not None
        and "/FontFile2" in pdf_dict(descriptor)
    )


def parse_widths(array: ArrayObject) -> dict[int, float]:
    """A CID font's ``/W`` array as CID → width (both ``c [w…]`` and ``c1 c2 w`` forms)."""
    widths: dict[int, float] = {}
    items = list(array)
    i = 0
    while i < len(items):
        first = int(items[i])
        following = items[i + 1]
        if isinstance(following, ArrayObject):
            widths.update({first + k: float(w) for k, w in enumerate(following)})
            i += 2
        else:
            widths.update(dict.fromkeys(range(first, int(following) + 1), float(items[i + 2])))
            i += 3
    return widths


def widths_array(widths: dict[int, float]) -> ArrayObject:
    """CID → width as a ``/W`` array of runs of consecutive CIDs."""
    out = ArrayObject()
    run: ArrayObject | None = None
    for cid in sorted(widths):
        if run is None or cid - 1 not in widths:
            run = ArrayObject()
            out += [NumberObject(cid), run]
        width = widths[cid]
        run.append(NumberObject(int(width)) if width == int(width) else FloatObject(width))
    return out


def parse_to_unicode(data: bytes) -> dict[int, str]:
    """A ToUnicode CMap's ``bfchar`` and ``bfrange`` entries as CID → text."""
    mapping: dict[int, str] = {}
    for block in _BFCHAR.findall(data):
        codes = _HEX.findall(block)
        for cid, text in zip(codes[::2], codes[1::2], strict=False):
            mapping[int(cid, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
    for block in _BFRANGE.findall(data):
        for line in block.strip().splitlines():
            codes = _HEX.findall(line)
            if len(codes) < 3:
                continue
            start, end = int(codes[0], 16), int(codes[1], 16)
            if b"[" in line:
                texts = codes[2:]
                mapping.update(
                    {start + k: _utf16(t) for k, t in enumerate(texts) if start + k <= end}
                )
            else:
                base = _utf16(codes[2])
                mapping.update(
                    {c: base[:-1] + chr(ord(base[-1]) + c - start) for c in range(start, end + 1)}
                )
    return mapping


def _utf16(text: bytes) -> str:
    return bytes.fromhex(text.decode()).decode("utf-16-be", "replace")


def to_unicode_cmap(mapping: dict[int, str]) -> bytes:
    """A ToUnicode CMap of ``bfchar`` blocks (at most 100 entries each, as the PDF spec asks)."""
    lines = [
        b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
        b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange",
    ]  # fmt: skip
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):
        chunk = items[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar".encode())
        lines += [f"<{cid:04x}> <{text.encode('utf-16-be').hex()}>".encode() for cid, text in chunk]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def _flags(descriptor: DictionaryObject, widths: dict[int, float]) -> int:
    """The descriptor's flags, FixedPitch (bit 1) set again for the union's widths: WeasyPrint
    sets it for a subset whose glyphs happen to be equally wide."""
    flags = int(descriptor.get("/Flags", 32)) & ~1
    return flags | 1 if len(widths) > 1 and len(set(widths.values())) == 1 else flags


def _descendant(font: DictionaryObject) -> DictionaryObject:
    return pdf_dict(pdf_array(font["/DescendantFonts"])[0])


def _union_bbox(boxes: list[list[float]]) -> ArrayObject:
    if not boxes:
        return ArrayObject([NumberObject(0)] * 4)
    union = [
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    ]
    return ArrayObject(FloatObject(v) for v in union)
