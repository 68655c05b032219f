"""PDF/X-4 with the printer's own profile (``output_profile``, ``output_condition``), and colours
no stylesheet rewrite reaches (WeasyPrint's ``mark``, ``rgb()``, named colours, inline styles)
converted to CMYK in the content streams."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import ImageCms

from conftest import SAMPLES, reader
from pdfx import pdfx_problems
from printbrief import Renderer, RenderOptions, UsageError
from printbrief.cmyk import default_profile

ARTICLE = {"headline": "Tide tables", "body": "High water at *noon*."}


@pytest.fixture(scope="module")
def printer_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second CMYK printer profile: the shipped one under another description."""
    data = default_profile().read_bytes().replace(b"FOGRA39 coated", b"PRESS42 coated")
    path = tmp_path_factory.mktemp("icc") / "press42.icc"
    path.write_bytes(data)
    return path


def _description(profile: bytes) -> str:
    return str(ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(profile))))


def _intent(pdf: bytes) -> object:
    (intent,) = [i.get_object() for i in reader(pdf).trailer["/Root"]["/OutputIntents"]]
    return intent


def test_the_printers_profile_is_the_output_intent(printer_profile: Path, tmp_path: Path) -> None:
    renderer = Renderer(
        variant="pdf/x-4", output_profile=str(printer_profile), output_condition="PRESS42",
        system_fonts=False,
    )  # fmt: skip
    pdf = renderer.render(ARTICLE)
    intent = _intent(pdf)
    assert intent["/OutputConditionIdentifier"] == "PRESS42"  # type: ignore[index]
    assert intent["/OutputCondition"].startswith("PRESS42 coated")  # type: ignore[index]
    embedded = intent["/DestOutputProfile"].get_data()  # type: ignore[index]
    # WeasyPrint embeds the profile as LittleCMS writes it back, not the file's bytes.
    assert _description(embedded) == _description(printer_profile.read_bytes())
    path = tmp_path / "x4.pdf"
    path.write_bytes(pdf)
    assert pdfx_problems(path) == []


def test_without_a_condition_the_profile_names_itself(printer_profile: Path) -> None:
    pdf = Renderer(variant="pdf/x-4", output_profile=printer_profile, system_fonts=False).render(
        ARTICLE
    )
    assert _intent(pdf)["/OutputConditionIdentifier"].startswith("PRESS42 coated")  # type: ignore[index]


def test_the_profile_is_recorded_by_its_content(printer_profile: Path, tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere.icc"
    copy.write_bytes(printer_profile.read_bytes())
    one = RenderOptions(variant="pdf/x-4", output_profile=str(printer_profile)).record()
    two = RenderOptions(variant="pdf/x-4", output_profile=str(copy)).record()
    shipped = RenderOptions(variant="pdf/x-4", output_profile=str(default_profile())).record()
    assert one == two and one != shipped


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("srgb.icc", "is 'mntrRGB ', not a CMYK printer (prtr) profile"),
        ("missing.icc", "cannot read"),
        (str(SAMPLES / "en-plain.json"), "is not an ICC profile"),
    ],
)
def test_a_profile_that_is_not_a_cmyk_printer_profile_is_refused(
    name: str, message: str, tmp_path: Path
) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    (tmp_path / "srgb.icc").write_bytes(srgb)
    path = tmp_path / name if name == "srgb.icc" else Path(name)
    with pytest.raises(UsageError, match=f"output_profile: .*{re.escape(message)}"):
        RenderOptions(variant="pdf/x-4", output_profile=str(path)).check()


def test_cli_flags_reach_the_render(printer_profile: Path, tmp_path: Path) -> None:
    from printbrief.cli import cli

    out = tmp_path / "out.pdf"
    args = ["render", str(SAMPLES / "en-plain.json"), "-o", str(out), "--variant", "pdf/x-4"]
    args += ["--output-profile", str(printer_profile), "--output-condition", "PRESS42"]
    result = CliRunner().invoke(cli, [*args, "--bundled-fonts-only"])
    assert result.exit_code == 0, result.output
    assert _intent(out.read_bytes())["/OutputConditionIdentifier"] == "PRESS42"  # type: ignore[index]


def test_colours_no_stylesheet_names_are_cmyk_too(tmp_path: Path) -> None:
    """``<mark>`` is yellow in WeasyPrint's own stylesheet, which the theme rewrite never sees."""
    body = "<p>A <mark>marked</mark> word, <s>struck</s>.</p>"
    article = {"headline": "Marked", "body": body, "body_format": "html"}
    pdf = Renderer(variant="pdf/x-4", system_fonts=False).render(article)
    path = tmp_path / "x4.pdf"
    path.write_bytes(pdf)
    assert pdfx_problems(path) == []
    contents = reader(pdf).pages[0].get_contents()
    assert contents is not None
    fills = re.findall(rb"\n([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) k\n", contents.get_data())
    cmyk = [tuple(float(v) for v in fill) for fill in fills]
    assert any(y > 0.9 and c < 0.1 and m < 0.1 and k < 0.1 for c, m, y, k in cmyk), cmyk
    assert (0, 0, 0, 1) in cmyk  # the text, pure K


def test_a_themes_rgb_hsl_and_named_colours_are_cmyk(tmp_path: Path) -> None:
    theme = tmp_path / "rgbtheme"
    theme.mkdir()
    (theme / "theme.json").write_text('{"extends": "newsbrief", "stylesheets": ["extra.css"]}')
    (theme / "extra.css").write_text(
        "h1 { color: rgb(20 60 200) } .standfirst { color: hsl(120deg 60% 30%) }"
        " p { color: rebeccapurple; border-left: 2pt solid rgba(200, 0, 0, 1) }"
    )
    renderer = Renderer(str(theme), variant="pdf/x-4", system_fonts=False)
    pdf = renderer.render({**ARTICLE, "standfirst": "Green"})
    path = tmp_path / "x4.pdf"
    path.write_bytes(pdf)
    assert pdfx_problems(path) == []


def test_the_service_uses_the_servers_profile_for_issues(
    printer_profile: Path, tmp_path: Path
) -> None:
    """The profile is a server setting; a request asks for the variant (and a tagged issue)."""
    import page
    from fastapi.testclient import TestClient

    from printbrief.service.app import ServiceConfig, create_app
    from printbrief.service.pool import PoolConfig

    options = RenderOptions(
        system_fonts=False, output_profile=str(printer_profile), output_condition="PRESS42"
    )
    pool = PoolConfig(workers=1, queue=2, deadline=180)  # a busy CI machine, two cold renders
    config = ServiceConfig(pool=pool, options=options)
    issue = {"title": "Harbour notes", "publication": "Coastline Daily", "date": "2026-05-02",
             "articles": [ARTICLE, {"headline": "Ferry times", "body": "Every *hour*."}]}  # fmt: skip
    with TestClient(create_app(config)) as api:
        press = api.post("/v1/issues?variant=pdf/x-4&bleed=3mm&marks=crop", json=issue)
        tagged = api.post("/v1/issues?variant=pdf/ua-1", json=issue)
    assert press.status_code == 200 and tagged.status_code == 200, press.text + tagged.text
    assert _intent(press.content)["/OutputConditionIdentifier"] == "PRESS42"  # type: ignore[index]
    for name, pdf in (("x4.pdf", press.content), ("ua.pdf", tagged.content)):
        (tmp_path / name).write_bytes(pdf)
    assert pdfx_problems(tmp_path / "x4.pdf") == []
    assert page.validate_pdf(str(tmp_path / "ua.pdf"), profile="ua1").failures == []
