"""Smaller PDFs at no cost to the page: font programs without the tables a PDF reader never
reads. Part of stage 6 (:mod:`printbrief.finish`), on pydyf objects.

An embedded CIDFontType2 program is read through the font's ``CIDToGIDMap``, never through
its own ``cmap``, which ISO 32000-1 §9.9 says "is not needed and shall be ignored", and its
``name`` table names a subset nothing looks up (the PDF names the font in ``/BaseFont`` and
``/FontFamily``). On the zh-Hans sample the two come to 3.5 KB.

Text operators are left as WeasyPrint writes them. Its TJ arrays hold zero adjustments
(``<0012>0<0019>``) and kerning and letter spacing apart (``-20<>-20.416666666666668``):
joining the strings saved 40–400 bytes a sample and summing the pairs more, but either moved
glyphs by a float rounding in some renderer (cairo, pdfium), and sums made pypdf extract
spaces between Japanese characters.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

import pydyf

_UNREAD = frozenset({b"cmap", b"name"})


def truetype_programs(pdf: pydyf.PDF) -> Iterator[pydyf.Stream]:
    """The ``FontFile2`` streams of ``pdf``'s CIDFontType2 fonts (not simple TrueType fonts,
    which do read the program's ``cmap``)."""
    objects = {obj.reference: obj for obj in pdf.objects if obj is not None}
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Subtype") == "/CIDFontType2":
            descriptor = objects.get(_ref(obj.get("FontDescriptor")), obj.get("FontDescriptor"))
            if isinstance(descriptor, dict) and "FontFile2" in descriptor:
                stream = objects.get(_ref(descriptor["FontFile2"]))
                if isinstance(stream, pydyf.Stream):
                    yield stream


def without_unread_tables(program: bytes) -> bytes:
    """A TrueType ``program`` without its ``cmap`` and ``name`` tables, the others unchanged.

    The other tables keep their bytes and checksums, so only ``head``'s checksum adjustment
    is computed anew (from the table checksums: no pass over the glyph data). A program that
    is not TrueType, or lacks both tables, comes back as it is.
    """
    if program[:4] not in (b"\x00\x01\x00\x00", b"true"):
        return program
    (count,) = struct.unpack_from(">H", program, 4)
    records = [struct.unpack_from(">4sIII", program, 12 + 16 * i) for i in range(count)]
    kept = [r for r in records if r[0] not in _UNREAD]
    if len(kept) == count or not any(r[0] == b"head" for r in kept):
        return program
    return _sfnt(program[:4], kept, program)


def _sfnt(version: bytes, records: list[tuple[bytes, int, int, int]], source: bytes) -> bytes:
    power = 1 << (len(records).bit_length() - 1)
    header = struct.pack(">4sHHHH", version, len(records), power * 16,
                         power.bit_length() - 1, (len(records) - power) * 16)  # fmt: skip
    directory, tables, offset, head = [header], [], 12 + 16 * len(records), 0
    for tag, checksum, start, length in records:
        directory.append(struct.pack(">4sIII", tag, checksum, offset, length))
        tables += [source[start : start + length], b"\0" * (-length % 4)]
        head = offset if tag == b"head" else head
        offset += length + (-length % 4)
    # The whole file's checksum is its directory's plus each table's (head's taken with a
    # zero adjustment, as its record holds it): no pass over the glyph data.
    total = _checksum(b"".join(directory)) + sum(r[1] for r in records)
    font = bytearray(b"".join(directory + tables))
    struct.pack_into(">I", font, head + 8, (0xB1B0AFBA - total) & 0xFFFFFFFF)
    return bytes(font)


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return int(sum(struct.unpack(f">{len(padded) // 4}I", padded))) & 0xFFFFFFFF


def _ref(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()
