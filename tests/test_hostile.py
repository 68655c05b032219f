"""Hostile articles: file disclosure, markup injection, resource exhaustion, malformed input.

Each case asserts the exact outcome (an error class and message, or a PDF without the
forbidden content) within a generous hang guard. Network cases are in test_hostile_network.py.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, page_texts
from hostile import HANG_GUARD, bomb_png, bounded, objects, pdf_problems, png
from printbrief import (
    Article,
    InputError,
    LimitError,
    Limits,
    PrintbriefError,
    Renderer,
    UsageError,
    load,
)
from printbrief.body import body_html
from printbrief.load import parse

SECRET = "TOPSECRET-4711"


@pytest.fixture
def article_dir(tmp_path: Path) -> Path:
    """An article folder with an image, a text file beside it, and a secret one level up."""
    folder = tmp_path / "article"
    folder.mkdir()
    (folder / "photo.png").write_bytes(png())
    (folder / "notes.txt").write_text(f"{SECRET} notes\n")
    (tmp_path / "secret.txt").write_text(f"{SECRET} above\n")
    (folder / "link.png").symlink_to(tmp_path / "secret.txt")
    return folder


def render_file(folder: Path, data: dict[str, Any], renderer: Renderer) -> bytes:
    path = folder / "a.json"
    path.write_text(json.dumps({"headline": "Harbour", "body": "Text.", **data}))
    with bounded():
        return renderer.render(load(path))


def refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


# ------------------------------------------------------------------ local file disclosure


@pytest.mark.allow_warnings
@pytest.mark.parametrize(
    ("src", "reason"),
    [
        ("file:///etc/passwd", "outside the theme, font and allowed asset folders"),
        ("FILE:///etc/passwd", "outside the theme, font and allowed asset folders"),
        ("/etc/passwd", "outside the theme, font and allowed asset folders"),
        ("../secret.txt", "outside the theme, font and allowed asset folders"),
        ("%2e%2e/secret.txt", "outside the theme, font and allowed asset folders"),
        ("link.png", "outside the theme, font and allowed asset folders"),  # symlink out
        ("notes.txt", "not a PNG, JPEG, GIF or WebP image"),
        ("file://evil.example/etc/passwd", "file: URLs on other hosts are not allowed"),
        ("ftp://evil.example/x.png", "the ftp scheme is not allowed"),
        ("data:text/html,<b>x</b>", "not a PNG, JPEG, GIF or WebP image"),
        ("data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>", "SVG is not accepted"),
    ],
)
def test_image_sources_outside_the_allowed_folders_are_refused(
    src: str, reason: str, article_dir: Path, renderer: Renderer, caplog: pytest.LogCaptureFixture
) -> None:
    pdf = render_file(article_dir, {"images": [{"src": src}]}, renderer)
    assert pdf_problems(pdf, SECRET, "root:x:0:0") == []
    logged = refusals(caplog)
    assert len(logged) == 1, logged  # one warning: ours, not WeasyPrint's echo of it
    assert logged[0].startswith("refused to load ") and reason in logged[0]


@pytest.mark.allow_warnings
def test_body_cannot_attach_link_or_rebase_to_local_files(
    article_dir: Path, renderer: Renderer
) -> None:
    body = (
        '<base href="file:///etc/"><link rel="attachment" href="notes.txt">'
        '<p><a rel="attachment" href="notes.txt">notes</a> <img src="passwd"></p>'
        '<link rel="stylesheet" href="file:///etc/passwd"><meta http-equiv="refresh" content="0">'
    )
    pdf = render_file(article_dir, {"body": body, "body_format": "html"}, renderer)
    assert pdf_problems(pdf, SECRET, "root:x:0:0") == []


def test_the_articles_own_image_still_prints(article_dir: Path, renderer: Renderer) -> None:
    pdf = render_file(article_dir, {"images": [{"src": "photo.png", "caption": "Quay"}]}, renderer)
    assert any(str(o.get("/Subtype")) == "/Image" for o in _dicts(pdf))


def _dicts(pdf: bytes) -> list[Any]:
    return [o for o in objects(pdf) if isinstance(o, dict)]


# ------------------------------------------------------------------------ markup injection


def test_headline_cannot_close_title_or_inject_script(renderer: Renderer) -> None:
    headline = "</title><script>alert(1)</script> Tide {{7*7}}"
    with bounded():
        pdf = renderer.render(Article(headline=headline, body="Body {{ 7*7 }} {% raw %}"))
    text = "".join(page_texts(pdf))
    assert "</title><script>alert(1)</script>" in text and "{{7*7}}" in text
    assert "{{ 7*7 }} {% raw %}" in text and "49" not in text
    assert pdf_problems(pdf) == []


@pytest.mark.parametrize(
    "dirty",
    [
        "<script>alert(1)</script><p>x</p>",
        '<p onclick="alert(1)" onmouseover="alert(2)">x</p>',
        '<a href="javascript:alert(1)">x</a><a href=" JaVaScRiPt:alert(1)">y</a>',
        '<a href="file:///etc/passwd">x</a><a href="data:text/html,x">y</a>',
        '<style>@import url("file:///etc/passwd");</style><p style="color:red">x</p>',
        '<iframe src="file:///etc/passwd"></iframe><object data="a.pdf"></object>',
    ],
)
def test_active_content_never_survives(dirty: str, renderer: Renderer) -> None:
    html = body_html(Article(headline="h", body=dirty, body_format="html"))
    for gone in ("<script", "onclick", "onmouseover", "javascript", "file:", "<style", "style=",
                 "<iframe", "<object", "data:text"):  # fmt: skip
        assert gone not in html.lower()
    with bounded():
        pdf = renderer.render(Article(headline="h", body=dirty, body_format="html"))
    assert pdf_problems(pdf) == []


def test_only_http_https_and_mailto_links_reach_the_pdf(renderer: Renderer) -> None:
    body = "[web](https://example.org/a) [mail](mailto:desk@example.org) [js](javascript:x()) [f](file:///etc/passwd)"
    pdf = renderer.render(Article(headline="h", body=body))
    uris = [str(v) for o in _dicts(pdf) for k, v in o.items() if k == "/A" and "/URI" in v]
    assert pdf_problems(pdf) == [] and len(uris) == 2, uris


def test_inline_svg_and_mathml_are_refused(renderer: Renderer) -> None:
    for tag in ("svg", "math"):
        with pytest.raises(InputError, match=f"body: inline <{tag}> is not accepted"):
            renderer.render(Article(headline="h", body=f"<{tag}><g/></{tag}>", body_format="html"))


# ------------------------------------------------------------------------ resource exhaustion

# Measured with WeasyPrint 70 and Python's default recursion limit: 134 nested blocks lay
# out, 135 raise RecursionError inside WeasyPrint (236 nested inline elements).
WEASYPRINT_BREAKS_AT = 135


@pytest.mark.parametrize("depth", [WEASYPRINT_BREAKS_AT + 1, 150_000])
def test_deep_nesting_is_a_limit_error(depth: int, renderer: Renderer) -> None:
    body = "<blockquote>" * depth + "x"
    with (
        bounded(),
        pytest.raises(
            LimitError, match=r"^body: HTML nested deeper than 48 levels \(limit max_depth\)$"
        ),
    ):
        renderer.render(Article(headline="h", body=body, body_format="html"))


def test_nesting_past_weasyprint_with_the_limit_lifted_is_still_a_limit_error() -> None:
    lifted = Renderer(limits=Limits(max_depth=100_000))
    body = "<blockquote>" * (WEASYPRINT_BREAKS_AT + 5) + "x"
    with bounded(), pytest.raises(LimitError, match="nested too deeply to lay out"):
        lifted.render(Article(headline="h", body=body, body_format="html"))


@pytest.mark.parametrize(
    "body",
    [
        '<blockquote><p title="</blockquote>">' * 100,  # end tags hidden in attribute values
        '<p ="x>' + "<blockquote>" * 100,  # '=' starts a name, not a quoted value
        '<style><p title="</style>' + "<blockquote>" * 100,  # raw text ends at </style>
        ("<p>" + "".join(f"<b title={i}>" for i in range(40))) * 3,  # re-opened formatting
        "<blockquote></x>" * 100,  # stray end tags close nothing
        "<blockquote/>" * 100,  # '/>' does not close an HTML element
    ],
)
def test_depth_check_is_not_fooled(body: str) -> None:
    with bounded(), pytest.raises(LimitError, match="nested deeper than 48"):
        body_html(Article(headline="h", body=body, body_format="html"))


@pytest.mark.parametrize(
    ("body", "fmt"),
    [("<a" * 1_000_000, "html"), ("港" * 1_000_000, "text"), ("<!--" * 500_000, "html")],
)
def test_body_processing_is_linear(body: str, fmt: str) -> None:
    with bounded(5.0):
        body_html(Article(headline="h", body=body, body_format=fmt))  # type: ignore[arg-type]


def data_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def test_decompression_bomb_in_a_data_uri(renderer: Renderer) -> None:
    article = Article(headline="h", body="x", images=[{"src": data_uri(bomb_png())}])  # type: ignore[list-item]
    with bounded(), pytest.raises(LimitError, match="an image has more than 40,000,000 pixels"):
        renderer.render(article)


def test_decompression_bomb_as_a_file(article_dir: Path, renderer: Renderer) -> None:
    (article_dir / "bomb.png").write_bytes(bomb_png(50_000, 50_000))
    with pytest.raises(
        LimitError,
        match=r"a\.json: an image has more than 40,000,000 pixels.* \(limit max_image_pixels\)$",
    ):
        render_file(article_dir, {"body": "![b](bomb.png)"}, renderer)


def test_huge_data_uri(renderer: Renderer) -> None:
    src = data_uri(png() + b"\x00" * (9 * 1024 * 1024))
    article = Article(headline="h", body="x", images=[{"src": src}])  # type: ignore[list-item]
    with (
        bounded(),
        pytest.raises(
            LimitError,
            match=r"a data: URI is larger than 8,388,608 bytes \(limit max_data_uri_bytes\)",
        ),
    ):
        renderer.render(article)


def test_too_many_images_is_refused_before_layout(renderer: Renderer) -> None:
    body = "".join(f"![i]({data_uri(png())})\n\n" for _ in range(51))
    with bounded(5.0), pytest.raises(LimitError, match="51 images; the limit is 50"):
        renderer.render(Article(headline="h", body=body))


def test_page_limit_stops_layout_early() -> None:
    small = Renderer(limits=Limits(max_pages=3))
    body = "\n\n".join(["The ferry left at dawn and the harbour was quiet. " * 12] * 400)
    started = time.monotonic()
    with pytest.raises(
        LimitError, match=r"^the article needs more than 3 pages \(limit max_pages\)$"
    ) as info:
        small.render(Article(headline="h", body=body))
    assert info.value.limit == "max_pages" and pickle.loads(pickle.dumps(info.value)).limit
    assert time.monotonic() - started < 8.0  # stopped at page 4, not after ~100 pages


def test_render_time_limit() -> None:
    hurried = Renderer(limits=Limits(max_render_seconds=0.3))
    body = "\n\n".join(["Tides and timetables. " * 30] * 600)
    with bounded(), pytest.raises(LimitError, match=r"render took longer than 0.3 s"):
        hurried.render(Article(headline="h", body=body))


@pytest.fixture(scope="module")
def brisk() -> Renderer:
    """A renderer whose time bound is half the hang guard: 3,000 line breaks lay out some 60
    pages, which a loaded machine took 56 s to finish."""
    return Renderer(limits=Limits(max_render_seconds=HANG_GUARD / 2))


@pytest.mark.parametrize(
    "body",
    [
        f'<img width="99999999" height="99999999" src="{data_uri(png())}">',
        f'<img width="100000" height="100000" src="{data_uri(png())}">',
        '<table><tr><td colspan="1000000" rowspan="65535">x</td></tr></table>',
        '<ol start="99999999999999999999999"><li>x</li></ol>',
        "<p>" + "x<br>" * 3000 + "</p>",
    ],
)
def test_extreme_attribute_values_render_or_hit_a_limit(body: str, brisk: Renderer) -> None:
    with bounded():
        try:
            pdf = brisk.render(Article(headline="h", body=body, body_format="html"))
        except LimitError as exc:  # the page bound, or on a slow machine the time bound
            assert "pages" in str(exc) or "render took longer than" in str(exc)
        else:
            assert pdf.startswith(b"%PDF") and pdf_problems(pdf) == []


# ------------------------------------------------------------------------- malformed input


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (b'{"headline": "\xff\xfe"}', InputError, r"not valid UTF-8 \(byte 14\)"),
        (b'{"headline": "a\x00", "body": "x"}', InputError, "contains a NUL character"),
        (b'{"headline": "a", "body": "\\u0000"}', InputError, "body: contains a NUL character"),
        (b'{"headline": "a", "body": "\\ud800"}', InputError, "body: contains an unpaired"),
        (b'{"headline": 5, "body": null, "images": "x"}', InputError, "headline: input should be a valid string; body: "),
        (b"[" * 100_000, LimitError, "JSON nested deeper than 32 levels"),
        (b'{"headline": ' + b"9" * 5000 + b"}", InputError, "headline: a number of 5,000 characters"),
        (b"---\na: &a [1,1,1,1]\nb: &b [*a,*a,*a,*a]\nc: [*b,*b,*b,*b]\n---\nx", InputError, "YAML aliases are not allowed"),
        (b"---\nheadline: " + b"[" * 20_000 + b"\n---\nx", LimitError, "YAML front matter nested deeper than 32 levels"),
        (b"---\n!!python/object/apply:os.system [echo hi]\n---\nx", InputError, "invalid YAML front matter"),
    ],
)  # fmt: skip
def test_malformed_input_is_an_input_error(data: bytes, error: type, message: str) -> None:
    with bounded(5.0), pytest.raises(error, match=message):
        parse(data, name="in.json")


def test_oversized_input_file(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (5 * 1024 * 1024 + 1))
    with pytest.raises(
        LimitError,
        match=r"big\.json: input is larger than 5,242,880 bytes \(limit max_input_bytes\)",
    ):
        load(path)


# ---------------------------------------------------------------------------- no data lost


@pytest.mark.allow_warnings
def test_a_failed_render_leaves_the_previous_file(tmp_path: Path, renderer: Renderer) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(b"%PDF-previous")
    with pytest.raises(LimitError):
        renderer.render_to(Article(headline="h", body="<i>" * 100, body_format="html"), target)
    assert target.read_bytes() == b"%PDF-previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_a_killed_render_leaves_the_previous_file(tmp_path: Path) -> None:
    source = tmp_path / "long.json"
    source.write_text(json.dumps({"headline": "h", "body": "\n\n".join(["Quay. " * 80] * 600)}))
    target = tmp_path / "out.pdf"
    target.write_bytes(b"%PDF-previous")
    run = "import sys; from printbrief.cli import main; sys.exit(main(sys.argv[1:]))"
    command = [sys.executable, "-c", run, "render", str(source), "-o", str(target)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    child = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    time.sleep(1.5)  # imports done, layout under way
    assert child.poll() is None, "the render finished before it could be killed"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert target.read_bytes() == b"%PDF-previous"


def test_output_never_overwrites_an_input(tmp_path: Path) -> None:
    from printbrief.cli import main

    source = tmp_path / "a.json"
    source.write_text(json.dumps({"headline": "h", "body": "x"}))
    before = source.read_bytes()
    assert main(["render", str(source), "-o", str(source)]) == 1
    assert source.read_bytes() == before


def test_every_error_is_a_printbrief_error() -> None:
    assert all(issubclass(e, PrintbriefError) for e in (InputError, LimitError, UsageError))
