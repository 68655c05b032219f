"""Without libharfbuzz-subset: a real render through WeasyPrint's fontTools path, said once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, page_texts
from pdffonts import embedded_fonts, glyph_mismatches
from printbrief import subsetting

ARTICLE = {
    "headline": "Night ferry “Gull” returns",
    "body": "The 23:40 crossing runs again… Captain Chen Lan (陈岚) said: “We missed it.”",
    "lang": "en",
}

# A fresh interpreter in which cffi cannot open libharfbuzz-subset, as on a machine without
# the package: WeasyPrint's own loader (weasyprint/text/ffi.py) then falls back to fontTools.
HIDDEN = """
import cffi, json, sys, time
real = cffi.FFI.dlopen
def dlopen(self, name, *args, **kwargs):
    if name and "harfbuzz-subset" in str(name):
        raise OSError(f"{name}: cannot open shared object file (hidden by the test)")
    return real(self, name, *args, **kwargs)
cffi.FFI.dlopen = dlopen
import printbrief
from printbrief import subsetting
renderer = printbrief.Renderer(system_fonts=False)
article, out = json.loads(sys.argv[1]), sys.argv[2]
first = renderer.render(article)
time.sleep(1.1)  # fontTools stamps each subset with the time: a second later, other bytes
second = renderer.render(article)
open(out + "/first.pdf", "wb").write(first)
open(out + "/second.pdf", "wb").write(second)
print(json.dumps({"harfbuzz": subsetting.harfbuzz_subset(),
                  "warnings": [list(first.warnings), list(second.warnings)]}))
"""


@pytest.fixture(scope="module")
def fallback(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], Path]:
    """Render ARTICLE twice in a process without libharfbuzz-subset (SOURCE_DATE_EPOCH set)."""
    out = tmp_path_factory.mktemp("nosubset")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1777777777"}
    done = subprocess.run(
        [sys.executable, "-c", HIDDEN, json.dumps(ARTICLE), str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1]), out


def test_the_fallback_is_taken_and_said_once(fallback: tuple[dict[str, object], Path]) -> None:
    report, _ = fallback
    assert report["harfbuzz"] is False
    assert report["warnings"] == [[subsetting.FALLBACK_NOTICE], []]


def test_fonttools_subsets_draw_the_same_text_with_the_source_glyphs(
    fallback: tuple[dict[str, object], Path],
) -> None:
    from printbrief import Renderer

    _, out = fallback
    pdf = (out / "first.pdf").read_bytes()
    with_harfbuzz = Renderer(system_fonts=False).render(ARTICLE)
    assert page_texts(pdf) == page_texts(with_harfbuzz)
    faces = list(embedded_fonts(pdf))
    assert {f.name for f in faces} == {f.name for f in embedded_fonts(with_harfbuzz)}
    assert "PB-Serif-SC" in {f.name for f in faces}  # a CJK face too (陈岚)
    for face in faces:
        # fontTools wrote this program: it stamps head.modified from SOURCE_DATE_EPOCH
        # (seconds since 1904), where HarfBuzz keeps the bundled file's own date.
        assert face.program["head"].modified == 1777777777 + 2082844800, face.name
        assert glyph_mismatches(face) == [], face.name
        assert len(face.program.getBestCmap() or {}) < 200, f"{face.name} is not subset"


def test_with_source_date_epoch_the_fallback_is_byte_reproducible(
    fallback: tuple[dict[str, object], Path],
) -> None:
    _, out = fallback
    assert (out / "first.pdf").read_bytes() == (out / "second.pdf").read_bytes()


def test_with_harfbuzz_nothing_is_said(caplog: pytest.LogCaptureFixture) -> None:
    from printbrief import Renderer

    assert subsetting.harfbuzz_subset(), "this machine has libharfbuzz-subset0 (make installs it)"
    assert Renderer(system_fonts=False).render(ARTICLE).warnings == ()
