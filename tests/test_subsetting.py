"""Without libharfbuzz-subset: a real render through the fontTools path, said once, reproducible."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from weasyprint.pdf import fonts as wfonts

from conftest import ROOT, page_texts
from pdffonts import EmbeddedFont, embedded_fonts, glyph_mismatches, source_face
from printbrief import subsetting

ARTICLE = {
    "headline": "Night ferry “Gull” returns",
    "body": "The 23:40 crossing runs again… Captain Chen Lan (陈岚) said: “We missed it.”",
    "lang": "en",
}

# A fresh interpreter in which cffi cannot open libharfbuzz-subset, as on a machine without
# the package: WeasyPrint's own loader (weasyprint/text/ffi.py) then falls back to fontTools.
HIDE = """
import cffi, json, sys, time
real = cffi.FFI.dlopen
def dlopen(self, name, *args, **kwargs):
    if name and "harfbuzz-subset" in str(name):
        raise OSError(f"{name}: cannot open shared object file (hidden by the test)")
    return real(self, name, *args, **kwargs)
cffi.FFI.dlopen = dlopen
"""
HIDDEN = (
    HIDE
    + """
import printbrief
from printbrief import subsetting
renderer = printbrief.Renderer(system_fonts=False)
article, out = json.loads(sys.argv[1]), sys.argv[2]
first = renderer.render(article)
time.sleep(1.1)  # fontTools would stamp each subset with the time: a second later
second = renderer.render(article)
open(out + "/first.pdf", "wb").write(first)
open(out + "/second.pdf", "wb").write(second)
print(json.dumps({"harfbuzz": subsetting.harfbuzz_subset(),
                  "warnings": [list(first.warnings), list(second.warnings)]}))
"""
)


@pytest.fixture(scope="module")
def fallback(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], Path]:
    """Render ARTICLE twice, a second apart, in a process without libharfbuzz-subset."""
    out = tmp_path_factory.mktemp("nosubset")
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
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


def _program(face: EmbeddedFont) -> bytes:
    return bytes(face.program.reader.file.getvalue())


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
    harfbuzz = {f.name: f for f in embedded_fonts(with_harfbuzz)}
    assert {f.name for f in faces} == set(harfbuzz)
    assert "PB-Serif-SC" in {f.name for f in faces}  # a CJK face too (陈岚)
    for face in faces:
        source = TTFont(source_face(face.name))
        # Another subsetter wrote it (other tables: name, OS/2, maxp, hhea, GDEF or BASE)...
        assert _program(face) != _program(harfbuzz[face.name]), face.name
        # ...keeping the bundled file's own date, as HarfBuzz does, not the clock's.
        assert face.program["head"].modified == source["head"].modified, face.name
        assert glyph_mismatches(face) == [], face.name
        # The finisher drops the program's cmap (printbrief.compact): count drawn outlines.
        drawn = [
            g for g in face.program.getGlyphOrder() if face.program["glyf"][g].numberOfContours
        ]
        assert len(drawn) < 200, f"{face.name} is not subset"


def test_the_fallback_is_byte_reproducible(
    fallback: tuple[dict[str, object], Path],
) -> None:
    _, out = fallback
    assert (out / "first.pdf").read_bytes() == (out / "second.pdf").read_bytes()


def test_with_harfbuzz_nothing_is_said(caplog: pytest.LogCaptureFixture) -> None:
    from printbrief import Renderer

    assert subsetting.harfbuzz_subset(), "this machine has libharfbuzz-subset0 (make installs it)"
    assert Renderer(system_fonts=False).render(ARTICLE).warnings == ()


@pytest.mark.allow_warnings
def test_on_another_weasyprint_the_fonttools_step_is_left_alone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = wfonts.Font._fonttools_subset
    assert subsetting.replace_fonttools_subset("71.0") is False
    assert wfonts.Font._fonttools_subset is before
    assert "left to WeasyPrint 71.0 (written for 70.x)" in caplog.text


def test_the_command_line_says_it_once(tmp_path: Path) -> None:
    # The console script's own start (printbrief.startup: sonames, deferred fontTools imports).
    cli = HIDE + "from printbrief.cli.main import run; sys.argv[0] = 'printbrief'; run()"
    article = tmp_path / "a.json"
    article.write_text(json.dumps(ARTICLE), "utf-8")
    done = subprocess.run(
        [sys.executable, "-c", cli, "render", str(article), "-o", str(tmp_path / "a.pdf")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count(subsetting.PACKAGE) == 2  # the notice and its apt-get line
    assert f"printbrief: WARNING: {subsetting.FALLBACK_NOTICE}" in done.stderr
    assert (tmp_path / "a.pdf").read_bytes()[:5] == b"%PDF-"


def test_a_folder_and_an_issue_on_two_workers_say_it_once(tmp_path: Path) -> None:
    """``make demo``'s two commands without the library, worker processes included."""
    site = tmp_path / "site"  # every interpreter started with it on PYTHONPATH hides the library
    site.mkdir()
    (site / "sitecustomize.py").write_text(HIDE, "utf-8")
    folder = tmp_path / "articles"
    folder.mkdir()
    articles = [{**ARTICLE, "headline": f"Night ferry {n}", "body": "Runs at 23:40."} for n in "AB"]
    for n, article in enumerate(articles):
        (folder / f"{n}.json").write_text(json.dumps(article), "utf-8")
    (tmp_path / "issue.json").write_text(json.dumps({"title": "Ferries", "articles": articles}))
    env = {**os.environ, "PYTHONPATH": str(site)}
    for command in (
        ["render", str(folder), "--out-dir", str(tmp_path / "out"), "-j", "2"],
        ["compile", str(tmp_path / "issue.json"), "-o", str(tmp_path / "issue.pdf"), "-j", "2"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "printbrief", *command, "--bundled-fonts-only"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stderr.count(subsetting.FALLBACK_NOTICE) == 1, done.stderr
        assert f"printbrief: WARNING: {subsetting.FALLBACK_NOTICE}" in done.stderr
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 2
    assert (tmp_path / "issue.pdf").read_bytes()[:5] == b"%PDF-"
