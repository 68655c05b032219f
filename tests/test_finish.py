"""The finisher's streams: data ending in CR keeps its exact /Length (PDF/A-2 §6.1.7.1)."""

from __future__ import annotations

import re
import zlib

import pydyf

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
