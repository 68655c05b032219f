"""The finisher's streams: data ending in CR keeps its exact /Length (PDF/A-2 §6.1.7.1);
terser text and leaner fonts leave every pixel and every extracted character as they were."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pdfplumber
import pydyf
import pypdf
import pypdfium2
import pytest

from conftest import SAMPLES
from pdffonts import embedded_fonts, glyph_mismatches
from printbrief import Renderer, compact, finish, load
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


def test_other_streams_end_as_pydyf_writes_them() -> None:
    written = _written(b"BT ET\n")
    assert written.endswith(b"\nendstream") and not written.endswith(b"\r\nendstream")


# ------------------------------------------------------------- terser text, leaner fonts


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (b"[<0012>0<0019>0<0017>0] TJ", b"[<001200190017>] TJ"),
        (b"[<0fd3>-20<>-20.416666666666668<0a0c>] TJ", b"[<0fd3>-20<>-20.416666666666668<0a0c>] TJ"),
        (b"[-5.1<0011>0<0012>250<0013>] TJ", b"[-5.1<00110012>250<0013>] TJ"),
        (b"[<0a0c>0<>-20.5<0b0b>] TJ", b"[<0a0c>0<>-20.5<0b0b>] TJ"),  # before an empty string
        (b"[<0011>1e-05<0012>] TJ", b"[<0011>1e-05<0012>] TJ"),  # not WeasyPrint's usual: kept
        (b"[(a) 0 (b)] TJ", b"[(a) 0 (b)] TJ"),  # literal strings are not WeasyPrint's: kept
    ],
)  # fmt: skip
def test_tight_text_drops_only_zero_adjustments(array: bytes, expected: bytes) -> None:
    assert compact.tighten_text(b"BT\n" + array + b"\nET") == b"BT\n" + expected + b"\nET"


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


def _pixels(pdf: bytes) -> list[bytes]:
    document = pypdfium2.PdfDocument(pdf)
    return [document[i].render(scale=150 / 72).to_pil().tobytes() for i in range(len(document))]


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
    both_ways: dict[str, tuple[bytes, bytes]], name: str
) -> None:
    """The same pixels (pdfium, 150 dpi) and the same text (pypdf) and glyph boxes
    (pdfplumber), in a smaller file."""
    plain, compacted = both_ways[name]
    assert len(compacted) < len(plain) - 500
    assert _pixels(compacted) == _pixels(plain)
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
