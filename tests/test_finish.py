"""The finisher's streams: data ending in CR keeps its exact /Length (PDF/A-2 §6.1.7.1);
font programs without unread tables leave every pixel and extracted character as it was."""

from __future__ import annotations

import io
import re
import struct
import subprocess
import zlib
from pathlib import Path

import pdfplumber
import pydyf
import pypdf
import pypdfium2
import pytest
from PIL import Image

from conftest import SAMPLES
from pdffonts import embedded_fonts, glyph_mismatches
from printbrief import Renderer, finish, load
from printbrief.finish import STREAM_LEVEL, compress_streams


def _ends_in_cr_when_deflated() -> bytes:
    """Content whose deflated form ends in CR (the Adler-32's last byte; one in 256)."""
    for n in range(100_000):
        data = b"BT /F1 9 Tf (%d) Tj ET\n" % n * 3
        if zlib.compress(data, STREAM_LEVEL).endswith(b"\r"):
            return data
    raise AssertionError("no such content found")


def _written(data: bytes) -> bytes:
    pdf = pydyf.PDF()
    pdf.add_object(pydyf.Stream([data], compress=True))
    compress_streams(pdf)
    return bytes(pdf.objects[-1].data)


def test_deflated_data_ending_in_cr_is_followed_by_crlf() -> None:
    data = _ends_in_cr_when_deflated()
    written = _written(data)
    length = int(re.search(rb"/Length (\d+)", written).group(1))  # type: ignore[union-attr]
    body = written.split(b"stream\n", 1)[1]
    assert body[length:] == b"\r\nendstream"  # the EOL marker after exactly /Length bytes
    assert zlib.decompress(body[:length]) == data


def test_a_stream_that_came_deflated_and_ends_in_cr_is_followed_by_crlf() -> None:
    """Data written as given (a picture WeasyPrint deflated itself) ends in CR as often."""
    deflated = zlib.compress(_ends_in_cr_when_deflated(), STREAM_LEVEL)
    pdf = pydyf.PDF()
    pdf.add_object(pydyf.Stream([deflated], {"Filter": "/FlateDecode"}, compress=False))
    compress_streams(pdf)
    written = bytes(pdf.objects[-1].data)
    assert written.endswith(deflated + b"\r\nendstream")


def test_other_streams_end_as_pydyf_writes_them() -> None:
    written = _written(b"BT ET\n")
    assert written.endswith(b"\nendstream") and not written.endswith(b"\r\nendstream")


# ------------------------------------------------------------------------- leaner fonts


@pytest.fixture(scope="module")
def both_ways() -> dict[str, tuple[bytes, bytes]]:
    """Each CJK sample and the English brief, as finished before (no compaction) and now."""
    renderer, found = Renderer(system_fonts=False), {}
    for name in ("zh-hans.json", "ja.json", "ko.json", "en-news-brief.json"):
        article = load(SAMPLES / name)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(finish, "_compact", lambda pdf: None)
            plain = bytes(renderer.render(article))
        found[name] = (plain, bytes(renderer.render(article)))
    return found


def _pixels(pdf: bytes, tmp_path: Path) -> list[bytes]:
    """Every page at 150 dpi as pdfium, Poppler (splash) and Poppler's cairo backend draw it."""
    document = pypdfium2.PdfDocument(pdf)
    pages = [document[i].render(scale=150 / 72).to_pil().tobytes() for i in range(len(document))]
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "in.pdf").write_bytes(pdf)
    for tool in ("pdftoppm", "pdftocairo"):
        command = [tool, "-png", "-r", "150", str(tmp_path / "in.pdf"), str(tmp_path / tool)]
        subprocess.run(command, check=True)
        pages += [Image.open(p).tobytes() for p in sorted(tmp_path.glob(f"{tool}*.png"))]
    return pages


def _characters(pdf: bytes) -> tuple[list[str], list[list[tuple[str, float, float, str]]]]:
    extracted = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        chars = [
            [(c["text"], c["x0"], c["top"], c["fontname"]) for c in page.chars]
            for page in document.pages
        ]
    return extracted, chars


@pytest.mark.parametrize("name", ["zh-hans.json", "ja.json", "ko.json", "en-news-brief.json"])
def test_compaction_changes_no_pixel_and_no_character(
    both_ways: dict[str, tuple[bytes, bytes]], name: str, tmp_path: Path
) -> None:
    """The same pixels (pdfium, Poppler, cairo at 150 dpi) and the same text (pypdf) and
    glyph boxes (pdfplumber), in a smaller file."""
    plain, compacted = both_ways[name]
    assert len(compacted) < len(plain) - 500
    assert _pixels(compacted, tmp_path / "a") == _pixels(plain, tmp_path / "b")
    assert _characters(compacted) == _characters(plain)


def test_embedded_programs_keep_only_what_a_reader_reads(
    both_ways: dict[str, tuple[bytes, bytes]],
) -> None:
    """No cmap or name table (ISO 32000-1 §9.9: a CIDFont's mapping is the PDF's), the same
    glyphs as the bundled fonts, and a whole-file checksum that adds up (OpenType ``head``)."""
    plain, compacted = both_ways["zh-hans.json"]
    faces = list(embedded_fonts(compacted))
    assert len(faces) == len(list(embedded_fonts(plain))) == 4
    for face in faces:
        data = face.program.reader.file.getvalue()
        assert not {"cmap", "name"} & set(face.program.keys()), face.name
        assert glyph_mismatches(face) == [], face.name
        padded = data + b"\0" * (-len(data) % 4)
        assert sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF == 0xB1B0AFBA
