"""Read back which font and which glyph outline drew each character of a printbrief PDF."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdf
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont

from printbrief import fonts


@dataclass
class EmbeddedFont:
    """One Type0 font of the PDF: its name, program, and CID → text map."""

    name: str  # "PB-Sans-TC-Bold", without the subset tag
    program: TTFont
    to_unicode: dict[int, str]


def embedded_fonts(pdf: bytes) -> Iterator[EmbeddedFont]:
    """Every distinct embedded Type0 font with its ToUnicode map."""
    seen = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            name = str(font["/BaseFont"])[1:]
            if name in seen or font["/Subtype"] != "/Type0":
                continue
            seen.add(name)
            descendant = font["/DescendantFonts"][0].get_object()
            assert descendant.get("/CIDToGIDMap", "/Identity") == "/Identity", name
            data = descendant["/FontDescriptor"]["/FontFile2"].get_data()
            yield EmbeddedFont(
                name.split("+", 1)[1],
                TTFont(io.BytesIO(data)),
                _to_unicode(font["/ToUnicode"].get_data()),
            )


def _to_unicode(cmap: bytes) -> dict[int, str]:
    text = cmap.decode("latin-1")
    found: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            found[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            start = int(dst, 16)
            for offset, cid in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                found[cid] = chr(start + offset)
    return found


def source_face(pdf_name: str) -> Path:
    """The bundled file behind a PDF font name such as ``PB-Sans-TC-Bold``."""
    match = re.match(r"^(.*?)(-Bold)?(-Italic|Italic)?$", pdf_name)
    assert match, pdf_name
    family = match.group(1).replace("-", " ")
    weight = 700 if match.group(2) or pdf_name.endswith("BoldItalic") else 400
    style = "italic" if "Italic" in pdf_name else "normal"
    family = family.removesuffix(" Bold")
    for face in fonts.FACES:
        if (face.family, face.weight, face.style) == (family, weight, style):
            return face.path
    raise AssertionError(f"{pdf_name} is not a bundled font")


def outline(font: TTFont, glyph: str) -> list[object]:
    """A glyph's decomposed outline as drawing operations."""
    pen = DecomposingRecordingPen(font.getGlyphSet())
    font.getGlyphSet()[glyph].draw(pen)
    return pen.value


def glyph_mismatches(embedded: EmbeddedFont, source_path: Path | None = None) -> list[str]:
    """Characters whose drawn glyph is not the source font's glyph for that character."""
    source_path = source_path or source_face(embedded.name)
    source = TTFont(source_path)
    cmap, order = source.getBestCmap(), source.getGlyphOrder()
    drawn_order = embedded.program.getGlyphOrder()
    problems = []
    for cid, text in sorted(embedded.to_unicode.items()):
        if len(text) != 1 or ord(text) < 0x2000 or text.isspace():
            continue  # ASCII may go through GSUB (ligatures); spaces draw nothing
        expected = cmap.get(ord(text))
        if cid == 0 or expected is None or order[cid] != expected:
            problems.append(
                f"{text} U+{ord(text):04X}: drawn with glyph {cid}, source maps {expected}"
            )
        elif outline(embedded.program, drawn_order[cid]) != outline(source, expected):
            problems.append(f"{text} U+{ord(text):04X}: outline differs from {source_path.name}")
    return problems
