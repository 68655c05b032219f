"""Union of TrueType subsets: one font program with every glyph that any subset of the same font kept.

WeasyPrint 70 subsets each document's fonts with HarfBuzz and ``RETAIN_GIDS``: a glyph keeps its
ID and every glyph not used is empty. Subsets of one font made for different articles are
therefore compatible glyph for glyph, and a merged issue can embed one union instead of one
subset per article (which made merged issues several times larger than a single-pass render).
Only glyf-flavoured fonts are merged; CFF subsets are left as they are.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from itertools import pairwise

# Tables that a PDF viewer needs from an embedded CIDFontType2 program. Vertical metrics,
# STAT, gasp and the like are dropped: they describe glyph counts the union no longer has.
_KEEP = (b"OS/2", b"cmap", b"head", b"hhea", b"name", b"post")
_TRUETYPE = (b"\x00\x01\x00\x00", b"true")
_REQUIRED = {b"glyf", b"loca", b"head", b"maxp", b"hhea", b"hmtx"}


class NotMergeable(ValueError):
    """The program is not a glyf-flavoured TrueType font this module can merge."""


class GlyphUnion:
    """Subsets of one font, added one by one (as articles arrive); :meth:`program` is their union.

    >>> union = GlyphUnion()
    >>> union.add(subset_a); union.add(subset_b)  # doctest: +SKIP
    >>> union.program()  # doctest: +SKIP
    """

    def __init__(self) -> None:
        self.tables: dict[bytes, bytes] = {}
        self.glyphs: list[bytes] = []
        self.metrics: list[tuple[int, int]] = []
        self._maxp: list[bytes] = []
        self._rank: tuple[int, bytes] = (-1, b"")
        self._seen: set[bytes] = set()

    def add(self, program: bytes) -> None:
        """Take every glyph of ``program`` that the union does not have yet."""
        fingerprint = hashlib.sha256(program).digest()
        if fingerprint in self._seen:  # articles often share a subset (digits, a label)
            return
        self._seen.add(fingerprint)
        if program[:4] not in _TRUETYPE:
            raise NotMergeable("not a TrueType (glyf) font")
        try:
            tables = _tables(program)
            if not tables.keys() >= _REQUIRED:
                raise NotMergeable("a required TrueType table is missing")
            self._take(tables)
        except struct.error as exc:
            raise NotMergeable(f"truncated table: {exc}") from None

    def _take(self, tables: dict[bytes, bytes]) -> None:
        # Whatever order subsets arrive in (workers finish when they finish), the union must
        # come out the same: the other tables come from the highest-ranked subset, and a
        # glyph from the smallest data (subsets of one font agree; this only breaks ties).
        count = struct.unpack_from(">H", tables[b"maxp"], 4)[0]
        rank = (count, hashlib.sha256(b"".join(tables.get(t, b"") for t in _KEEP)).digest())
        if rank > self._rank:
            self.tables, self._rank = tables, rank
        self._maxp.append(tables[b"maxp"])
        if count > len(self.glyphs):
            self.glyphs += [b""] * (count - len(self.glyphs))
            self.metrics += [(0, 0)] * (count - len(self.metrics))
        (offsets, scale), glyf, glyphs = _offsets(tables, count), tables[b"glyf"], self.glyphs
        metrics = _metrics(tables, count)
        for gid, (start, end) in enumerate(pairwise(offsets)):
            if end > start:
                data = glyf[start * scale : end * scale]
                if not glyphs[gid] or data < glyphs[gid]:
                    glyphs[gid], self.metrics[gid] = data, metrics[gid]
            elif not glyphs[gid] and metrics[gid] > self.metrics[gid]:
                # A glyph without an outline (the space) still has an advance. A subset that
                # kept it says so; one that dropped it says 0, so the largest wins.
                self.metrics[gid] = metrics[gid]

    def program(self) -> bytes:
        """The union as a TrueType program (long loca, full hmtx, post without glyph names)."""
        if not self.tables:
            raise NotMergeable("no subset was added")
        base, count = self.tables, len(self.glyphs)
        tables = {tag: base[tag] for tag in _KEEP if tag in base}
        tables.update(_glyph_tables(self.glyphs, self.metrics))
        tables[b"maxp"] = _maxp(self._maxp, count)
        tables[b"hhea"] = base[b"hhea"][:34] + struct.pack(">H", count)
        tables[b"post"] = struct.pack(">I", 0x00030000) + base[b"post"][4:32]
        tables[b"head"] = base[b"head"][:8] + b"\0\0\0\0" + base[b"head"][12:50] + b"\0\1\0\0"
        return _write(tables)


def merge_truetype(programs: Sequence[bytes]) -> bytes:
    """One program holding every non-empty glyph of any of ``programs`` (subsets of one font).

    >>> merge_truetype([open("a.ttf", "rb").read(), open("b.ttf", "rb").read()])  # doctest: +SKIP
    """
    union = GlyphUnion()
    for program in programs:
        union.add(program)
    return union.program()


def _tables(data: bytes) -> dict[bytes, bytes]:
    (count,) = struct.unpack_from(">H", data, 4)
    tables = {}
    for i in range(count):
        tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        tables[tag] = data[offset : offset + length]
    return tables


def _offsets(tables: dict[bytes, bytes], count: int) -> tuple[tuple[int, ...], int]:
    """loca as read, and what to multiply it by (short offsets count 2-byte words)."""
    if struct.unpack_from(">h", tables[b"head"], 50)[0] == 1:  # indexToLocFormat: long
        return struct.unpack_from(f">{count + 1}I", tables[b"loca"]), 1
    return struct.unpack_from(f">{count + 1}H", tables[b"loca"]), 2


def _metrics(tables: dict[bytes, bytes], count: int) -> list[tuple[int, int]]:
    (long_count,) = struct.unpack_from(">H", tables[b"hhea"], 34)
    hmtx = tables[b"hmtx"]
    flat = struct.unpack_from(">" + "Hh" * long_count, hmtx)  # one call: CJK fonts hold 65k
    pairs = list(zip(flat[::2], flat[1::2], strict=True))
    last = pairs[-1][0] if pairs else 0
    lsbs = struct.unpack_from(f">{count - long_count}h", hmtx, 4 * long_count)
    return [*pairs, *((last, lsb) for lsb in lsbs)]


def _glyph_tables(glyphs: list[bytes], metrics: list[tuple[int, int]]) -> dict[bytes, bytes]:
    glyf, offsets = bytearray(), []
    for data in glyphs:
        offsets.append(len(glyf))
        glyf += data + b"\0" * (-len(data) % 4)
    offsets.append(len(glyf))
    hmtx = b"".join(struct.pack(">Hh", *m) for m in metrics)
    return {
        b"glyf": bytes(glyf),
        b"loca": struct.pack(f">{len(offsets)}I", *offsets),
        b"hmtx": hmtx,
    }


def _maxp(tables: Sequence[bytes], count: int) -> bytes:
    """maxp with the glyph count, and every version 1.0 maximum as the largest of the inputs."""
    if len(tables[0]) < 32:
        return tables[0][:4] + struct.pack(">H", count)
    fields = [struct.unpack_from(">13H", t, 6) for t in tables]
    return (
        tables[0][:4]
        + struct.pack(">H", count)
        + struct.pack(">13H", *map(max, zip(*fields, strict=False)))
    )


def _write(tables: dict[bytes, bytes]) -> bytes:
    """An sfnt file: offset table, table records sorted by tag, 4-byte aligned tables."""
    tags = sorted(tables)
    power = 1 << (len(tags).bit_length() - 1)
    header = struct.pack(
        ">4sHHHH",
        b"\x00\x01\x00\x00",
        len(tags),
        power * 16,
        power.bit_length() - 1,
        len(tags) * 16 - power * 16,
    )
    offset = 12 + 16 * len(tags)
    records, body = bytearray(), bytearray()
    for tag in tags:
        data = tables[tag]
        records += struct.pack(">4sIII", tag, _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    font = bytearray(header + records + body)
    head = offset + _offset_of(tags, tables, b"head")
    struct.pack_into(">I", font, head + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)


def _offset_of(tags: list[bytes], tables: dict[bytes, bytes], wanted: bytes) -> int:
    offset = 0
    for tag in tags:
        if tag == wanted:
            return offset
        offset += len(tables[tag]) + (-len(tables[tag]) % 4)
    raise KeyError(wanted)


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return int(sum(struct.unpack(f">{len(padded) // 4}I", padded))) & 0xFFFFFFFF
