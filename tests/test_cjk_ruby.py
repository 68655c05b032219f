"""Ruby measured on the PDF: text extraction reads the base in line, readings stay in the column."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from weasyprint import draw, stacking

from printbrief import Renderer, cjk, cjkruby, load
from printbrief.body import body_html
from test_validators import _validate
from typeset import body_paragraphs, check

RUBY = Path(__file__).parent / "articles" / "ja-ruby.json"
IN_LINE = ["十三湊の北岸に残る", "担当の学芸員、小野寺さんは話す", "3年生の葛西ちひろさん"]
_renderers: dict[tuple[str, str], Renderer] = {}


def rendered(theme: str = "newsbrief", paper: str = "A5") -> bytes:
    if (theme, paper) not in _renderers:
        _renderers[(theme, paper)] = Renderer(theme, paper=paper)
    return bytes(_renderers[(theme, paper)].render(load(RUBY)))


def _pdftotext(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode()


def _squashed(text: str) -> str:
    return "".join(text.split())


def _pypdf(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _pdfplumber(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "".join(page.extract_text() for page in document.pages)


def _unpatched(monkeypatch: pytest.MonkeyPatch) -> None:
    """Paint and draw ruby as WeasyPrint does: with the positioned boxes, no ActualText."""
    assert cjk.install()
    monkeypatch.setattr(stacking, "_dispatch", stacking._dispatch.__wrapped__)
    monkeypatch.setattr(draw, "draw_text", draw.draw_text.__wrapped__)


def test_ruby_extracts_as_its_base_with_the_reading_in_parentheses() -> None:
    """pdftotext reads /ActualText: each base in its line with its reading after it in
    parentheses, and no line of readings between two lines of text."""
    text = _pdftotext(rendered())
    squashed = _squashed(text)
    assert "十三湊（とさみなと）の北岸に残る" in squashed
    assert "担当の学芸員（がくげいいん）、小野寺（おのでら）さんは話す" in squashed
    assert "3年生の葛西（かさい）ちひろさん" in squashed
    for reading in ("とさみなと", "がくげいいん", "おのでら", "かさい"):
        assert squashed.count(reading) == 1, reading  # only in its parentheses


@pytest.mark.parametrize("extract", [_pypdf, _pdfplumber], ids=["pypdf", "pdfplumber"])
def test_ruby_bases_read_in_line(extract: object) -> None:
    """Readers that ignore /ActualText find each base in its line, no reading spliced in:
    pypdf reads the content stream in order, pdfplumber by position."""
    squashed = _squashed(extract(rendered()))  # type: ignore[operator]
    assert all(words in squashed for words in IN_LINE), squashed


def test_weasyprint_paints_ruby_after_the_page_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests above see what printbrief.cjkruby fixes: painted as a positioned box, each
    ruby comes after the page's text, so its base leaves a hole (担当の、さんは話す)."""
    _unpatched(monkeypatch)
    pdf = Renderer("newsbrief", paper="A5").render(load(RUBY))
    assert "担当の、さんは話す" in _squashed(_pypdf(pdf))
    assert "とさみなと十三湊の北岸" in _squashed(_pdftotext(pdf))  # the reading line first


def _glyphs(pdf: bytes) -> list[tuple[str, float, float, float]]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return sorted(
            (c["text"], round(c["x0"], 2), round(c["top"], 2), round(c["size"], 2))
            for page in document.pages
            for c in page.chars
        )


def test_ruby_prints_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading order and ActualText change the PDF's text, not where a glyph prints."""
    ours = _glyphs(rendered())
    _unpatched(monkeypatch)
    assert ours == _glyphs(Renderer("newsbrief", paper="A5").render(load(RUBY)))


@pytest.mark.parametrize(
    ("theme", "paper"), [("newsbrief", "A4"), ("broadsheet", "A4"), ("newsbrief", "Letter")]
)
def test_a_reading_never_passes_the_column_edge(
    monkeypatch: pytest.MonkeyPatch, theme: str, paper: str
) -> None:
    """jlreq §3.3: a reading may overhang the characters beside its base, not the column's
    edge; 湊 with みなと starts (A4) or ends (Letter) a line here."""
    article = load(RUBY)
    report = check(rendered(theme, paper), body_paragraphs(body_html(article)))
    assert report.problems() == [], report.summary()
    monkeypatch.setattr(cjkruby, "_readings", lambda line: iter(()))  # centred, as before
    pdf = Renderer(theme, paper=paper).render(article)
    report = check(pdf, body_paragraphs(body_html(article)))
    assert [p for p in report.ruby if "past its column edge" in p], report.summary()


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["pdf/ua-1", "pdf/a-2b"])
def test_ruby_passes_the_validators(variant: str, tmp_path: Path) -> None:
    """The ActualText spans nest in PDF/UA's tagged content: qpdf, the PDF/UA and PDF/A
    profiles, exempi and the preflight still pass."""
    renderer = Renderer(variant=variant, system_fonts=False)  # type: ignore[arg-type]
    _validate(renderer.render(load(RUBY)), variant, tmp_path)
