"""Every sample and the sample issue in every variant pass independent validators: ``page``
(PDF/A-2b, A-3b, UA-1 profiles), qpdf, exempi (the Adobe XMP toolkit), the PDF/X-4 machine
rules read with pikepdf (``pdfx.py``), and printbrief's own preflight."""

from __future__ import annotations

import io
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from conftest import SAMPLES
from issuekit import VARIANTS as ISSUE_VARIANTS
from issuekit import sample_issue
from pdfx import pdfx_problems
from printbrief import Renderer, load
from printbrief.pdf.preflight import preflight

ARTICLES = sorted(
    p.name for p in SAMPLES.iterdir() if p.suffix in (".json", ".md") and p.stem != "README"
)
PROFILES = {"pdf/a-2b": "2b", "pdf/a-3b": "3b", "pdf/ua-1": "ua1"}
VARIANTS = ["plain", *PROFILES]


@cache
def _renderer(variant: str, press: bool = False) -> Renderer:
    options = {"paper": "A5", "bleed": "3mm", "marks": "crop,cross"} if press else {}
    return Renderer(variant=None if variant == "plain" else variant, system_fonts=False, **options)  # type: ignore[arg-type]


def _qpdf(path: Path) -> None:
    done = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr  # 3: warnings, 2: errors


def _page(path: Path, variant: str) -> None:
    import page

    failures = page.validate_pdf(str(path), profile=PROFILES[variant]).failures
    assert not failures, "\n".join(f"{f.rule_id}: {f.message}" for f in failures)


def _exempi(path: Path) -> None:
    """The Adobe XMP toolkit reads the title and the conformance claim out of the file."""
    exempi = shutil.which("exempi")
    assert exempi, "exempi is installed by `make test` (Debian package exempi)"
    run = [exempi, "-g", "dc:title[1]", str(path)]
    title = subprocess.run(run, capture_output=True, text=True, check=True).stdout.strip()
    assert title, f"exempi read no dc:title from {path.name}"


def _validate(pdf: bytes, variant: str, tmp_path: Path) -> None:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    _qpdf(path)
    if variant in PROFILES:
        _page(path, variant)
    if variant != "plain":
        _exempi(path)
    if variant == "pdf/x-4":
        assert pdfx_problems(path) == []
    assert [f.as_dict() for f in preflight(pdf)] == []


@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", ARTICLES)
def test_sample_passes_every_validator(name: str, variant: str, tmp_path: Path) -> None:
    _validate(_renderer(variant).render(load(SAMPLES / name)), variant, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("variant", [*VARIANTS, "pdf/x-4"])
def test_press_output_with_marks_passes_every_validator(variant: str, tmp_path: Path) -> None:
    """A5 with 3 mm bleed, crop and cross marks in the registration colour."""
    _validate(
        _renderer(variant, press=True).render(load(SAMPLES / "en-feature.md")), variant, tmp_path
    )


@pytest.mark.slow
@pytest.mark.parametrize("variant", ISSUE_VARIANTS)
def test_sample_issue_passes_every_validator(variant: str, tmp_path: Path) -> None:
    """Cover, contents, articles and folios merged: one file, valid as a whole (X-4 with marks)."""
    _validate(sample_issue(variant), variant, tmp_path)


def test_a_running_head_cut_with_an_ellipsis_copies_out_and_passes_pdf_ua(
    tmp_path: Path,
) -> None:
    """A CJK section label too long for its half of the head: Pango draws the cut's ellipsis
    itself (three full stops of the Latin-for-CJK face, whose ``unicode-range`` leaves "…"
    to the CJK faces), and WeasyPrint maps those glyphs to no text. The finisher gives them
    the font's own character, so the file copies out and passes PDF/UA-1."""
    import pikepdf

    article = load(SAMPLES / "zh-hans.json").model_copy(update={"section": "简讯" * 30})
    pdf = _renderer("pdf/ua-1").render(article)
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        fonts = {
            str(font.BaseFont).split("+")[-1]: font.ToUnicode.read_bytes()
            for page in opened.pages
            for font in page.Resources.Font.values()
        }
    # The label is all CJK: the Latin-for-CJK bold draws nothing but the ellipsis's stops
    cut = fonts.get("PB-Sans-CJK-Latin-Bold", b"")
    assert b"<000f> <002e>" in cut, "the head was not cut with Pango's ellipsis"
    assert not any(b"> <>" in cmap for cmap in fonts.values())
    _validate(pdf, "pdf/ua-1", tmp_path)
