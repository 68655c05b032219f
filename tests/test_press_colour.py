"""PDF/X-4 leaves no RGB behind: gradients, 3D borders, opacity groups, soft masks, a theme's
SVG picture (drawn as vectors) and raster picture, each converted through the output profile."""

from __future__ import annotations

import json
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pikepdf
import pydyf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageStat

from pdfx import pdfx_problems
from printbrief import Renderer, cmykpdf
from printbrief.cmyk import CmykPictures, cmyk_colour, default_profile
from printbrief.errors import RenderError
from printbrief.pdf.preflight import preflight

LOGO = """<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40" viewBox="0 0 100 40">
<defs><linearGradient id="g" x1="0" x2="1"><stop offset="0" stop-color="#2a9d8f"/>
<stop offset="1" stop-color="#e76f51"/></linearGradient></defs>
<rect width="100" height="40" fill="url(#g)"/>
<circle cx="20" cy="20" r="15" fill="#264653" opacity="0.6"/>
<text x="40" y="26" fill="rgb(200,30,40)" font-size="14">Tide</text></svg>
"""
CSS = """
h1 { background: linear-gradient(to right, #1d4e89, #f4a259); color: white }
.standfirst { background: radial-gradient(circle, rgb(255 224 102) 0%, rgba(230, 57, 70, 0.4));
              border: 3px groove #888 }
.body p:first-child { opacity: 0.8; background: hsl(200deg 60% 80%) }
.body::before { content: url("logo.svg"); display: block; width: 40mm }
.body::after { content: url("swatch.png"); display: block; width: 30mm }
"""
ARTICLE = {
    "headline": "Gradients at the harbour",
    "standfirst": "A test of every place colour hides.",
    "body": "The ferry left at *noon*.\n\nThe tide came in at six.",
}


def _swatch() -> bytes:
    image = Image.new("RGB", (120, 60), (240, 240, 230))
    draw = ImageDraw.Draw(image)
    for x, colour in ((0, (200, 30, 40)), (40, (30, 120, 200)), (80, (40, 160, 60))):
        draw.rectangle((x, 0, x + 40, 60), fill=colour)
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def theme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("themes") / "colourful"
    folder.mkdir()
    (folder / "theme.json").write_text('{"extends": "newsbrief", "stylesheets": ["extra.css"]}')
    (folder / "extra.css").write_text(CSS)
    (folder / "logo.svg").write_text(LOGO)
    (folder / "swatch.png").write_bytes(_swatch())
    return folder


def _render(theme: Path, variant: str | None) -> bytes:
    return Renderer(str(theme), variant=variant, system_fonts=False).render(ARTICLE)


@pytest.fixture(scope="module")
def press(theme: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("x4") / "x4.pdf"
    path.write_bytes(_render(theme, "pdf/x-4"))
    return path


def test_no_rgb_is_left_anywhere(press: Path) -> None:
    """Fails on a file with WeasyPrint's sRGB gradient stops, 3D borders that crash on
    ``device-cmyk()``, or a theme picture left in DeviceRGB."""
    assert pdfx_problems(press) == []
    assert [f.as_dict() for f in preflight(press.read_bytes()) if f.check.startswith("pdfx")] == []


def _objects(path: Path) -> list[pikepdf.Object]:
    with pikepdf.open(path) as pdf:
        return [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary | pikepdf.Stream)]


def test_every_colour_path_is_exercised(press: Path) -> None:
    """The fixture reaches every path: CSS and SVG gradients, a soft mask, opacity groups, an
    SVG form, and the theme's raster picture in CMYK."""
    with pikepdf.open(press) as pdf:
        objects = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary | pikepdf.Stream)]
        shadings = [o for o in objects if "/ShadingType" in o]
        spaces = sorted(str(s.ColorSpace) for s in shadings)
        groups = [o for o in objects if "/Group" in o]
        states = [s for o in objects if "/ExtGState" in o for s in o.ExtGState.values()]
        masks = [state for state in states if "/SMask" in state]
        pictures = [
            (int(o.Width), str(o.ColorSpace)) for o in objects if o.get("/Subtype") == "/Image"
        ]
    assert spaces.count("/DeviceCMYK") >= 3 and "/DeviceGray" in spaces  # 2 CSS, 1 SVG; a mask
    assert groups and masks
    assert (120, "/DeviceCMYK") in pictures


def _functions(path: Path) -> list[tuple[list[float], list[float]]]:
    """The first segment's (C0, C1) of every CMYK shading."""
    found = []
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/ColorSpace") == "/DeviceCMYK":
                first = obj.Function
                while first.FunctionType == 3:  # stitched: the stops, and the steps of each
                    first = first.Functions[0]
                found.append(([float(v) for v in first.C0], [float(v) for v in first.C1]))
    return found


def test_gradient_stops_are_converted_through_the_profile(press: Path) -> None:
    """The CSS gradient starts at #1d4e89 as the profile prints it, in eight CMYK steps."""
    blue = [
        round(v, 4) for v in cmyk_colour((0x1D / 255, 0x4E / 255, 0x89 / 255), default_profile())
    ]
    starts = [c0 for c0, _ in _functions(press)]
    assert any(c0 == pytest.approx(blue, abs=1e-3) for c0 in starts), (blue, starts)
    # Read back through the profile, the ink prints the blue it was asked for.
    ink = Image.new("CMYK", (1, 1), tuple(round(v * 255) for v in blue))
    proof = ImageCms.applyTransform(ink, ImageCms.buildTransform(
        ImageCms.getOpenProfile(str(default_profile())), ImageCms.createProfile("sRGB"),
        "CMYK", "RGB"))  # fmt: skip
    assert proof is not None
    assert _delta_e(proof.getpixel((0, 0)), (0x1D, 0x4E, 0x89)) < 4  # type: ignore[arg-type]


def _delta_e(one: tuple[int, ...], other: tuple[int, ...]) -> float:
    """CIE76 ΔE between two sRGB colours (Pillow's LAB pixel: L* scaled to 255, a* b* + 128)."""
    to_lab = ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB"), "RGB", "LAB"
    )
    labs = []
    for rgb in (one, other):
        lab = ImageCms.applyTransform(Image.new("RGB", (1, 1), rgb), to_lab)
        assert lab is not None
        l_, a, b = lab.getpixel((0, 0))  # type: ignore[misc]
        labs.append((l_ * 100 / 255, a - 128, b - 128))
    return float(sum((x - y) ** 2 for x, y in zip(*labs, strict=True)) ** 0.5)


def _page(pdf: bytes) -> Image.Image:
    page: Image.Image = pdfium.PdfDocument(pdf)[0].render(scale=1).to_pil()
    return page.convert("RGB")


def test_the_press_proof_looks_like_the_rgb_one(theme: Path, press: Path) -> None:
    """pdfium's naive CMYK → RGB is no colour proof, but a gradient with three components read
    as four, or a missing picture, shows as a large difference."""
    rgb, cmyk = _page(_render(theme, None)), _page(press.read_bytes())
    difference = ImageStat.Stat(ImageChops.difference(rgb, cmyk)).mean
    assert max(difference) < 10, difference


@pytest.fixture(scope="module")
def unconverted(theme: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same file without the final conversion: what WeasyPrint alone writes."""
    patch = pytest.MonkeyPatch()
    patch.setattr(cmykpdf, "convert", lambda pdf, profile: None)
    try:
        pdf = _render(theme, "pdf/x-4")
    finally:
        patch.undo()
    path = tmp_path_factory.mktemp("raw") / "raw.pdf"
    path.write_bytes(pdf)
    return path


def test_check_flags_an_unconverted_file(unconverted: Path) -> None:
    assert any("shading gives 3 components" in p for p in pdfx_problems(unconverted))
    run = [sys.executable, "-m", "printbrief", "check", "--pdf", "--variant", "pdf/x-4"]
    done = subprocess.run([*run, "--json", str(unconverted)], capture_output=True, text=True)
    assert done.returncode != 0
    assert "pdfx-rgb" in {f["check"] for f in _findings(json.loads(done.stdout))}


def _findings(report: object) -> list[dict[str, object]]:
    """Every finding dictionary in a ``check --json`` report, however it nests them."""
    if isinstance(report, dict):
        found = [report] if "check" in report else []
        return found + [f for v in report.values() for f in _findings(v)]
    if isinstance(report, list):
        return [f for v in report for f in _findings(v)]
    return []


def _mesh(space: str) -> pydyf.Dictionary:
    return pydyf.Dictionary({"ShadingType": 4, "ColorSpace": space})


def test_an_rgb_shading_without_a_conversion_fails_the_render() -> None:
    with pytest.raises(RenderError, match="type-4 shading in /DeviceRGB"):
        cmykpdf.shading(_mesh("/DeviceRGB"), default_profile())
    cmykpdf.shading(_mesh("/DeviceCMYK"), default_profile())  # already CMYK: left alone


def test_an_rgb_picture_left_in_the_pdf_fails_the_render() -> None:
    pdf = pydyf.PDF()
    image = {"Type": "/XObject", "Subtype": "/Image", "Width": 4, "Height": 3}
    pdf.add_object(pydyf.Stream([b"\0" * 36], {**image, "ColorSpace": "/DeviceRGB"}))
    with pytest.raises(RenderError, match="4 × 3 picture is in /DeviceRGB"):
        cmykpdf.convert(pdf, default_profile())


def _picture(mode: str, **info: object) -> bytes:
    out = BytesIO()
    Image.new(mode, (40, 20), 128).save(out, "PNG", **info)
    return out.getvalue()


def test_grey_pictures_stay_grey_and_colour_ones_become_cmyk() -> None:
    pictures = CmykPictures(default_profile())
    assert pictures.convert(_picture("L")) is None
    assert pictures.convert(_picture("LA")) is None  # keeps its transparency
    converted = pictures.convert(_picture("RGB"))
    assert converted is not None and Image.open(BytesIO(converted)).mode == "CMYK"


def test_cmyk_pictures_keep_their_exif_orientation() -> None:
    """A portrait photo stored landscape with EXIF orientation 6 stays portrait in CMYK."""
    image = Image.new("RGB", (60, 20), (200, 30, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    out = BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    converted = CmykPictures(default_profile()).convert(out.getvalue(), "image/jpeg")
    assert converted is not None and Image.open(BytesIO(converted)).size == (20, 60)


def test_the_pdfx_checker_finds_rgb_under_other_names(tmp_path: Path) -> None:
    """tests/pdfx.py itself: ``cs`` naming DeviceRGB, an annotation's colour, a /DA string, a
    Type 3 glyph, a soft mask's backdrop, and sRGB stops in a direct shading under CMYK."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0]
    page.obj.Contents = pdf.make_stream(b"/DeviceRGB cs 1 0 0 sc 0 0 10 10 re f /s0 sh")
    annotation = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Square,
                                    Rect=[0, 0, 10, 10], C=[1, 0, 0])  # fmt: skip
    note = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FreeText,
                              Rect=[0, 0, 10, 10], DA=pikepdf.String("/Helv 9 Tf 1 0 0 rg"))  # fmt: skip
    page.obj.Annots = pikepdf.Array([pdf.make_indirect(annotation), pdf.make_indirect(note)])
    glyph = pdf.make_stream(b"1 0 0 rg 0 0 1 1 re f")
    stops = pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[1, 0, 0], C1=[0, 0, 1], N=1)
    page.obj.Resources = pikepdf.Dictionary(
        Font=pikepdf.Dictionary(F1=pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type3,
            CharProcs=pikepdf.Dictionary(a=glyph)))),
        ExtGState=pikepdf.Dictionary(g0=pikepdf.Dictionary(SMask=pikepdf.Dictionary(
            Type=pikepdf.Name.Mask, S=pikepdf.Name.Luminosity, BC=[1, 1, 1]))),
        Shading=pikepdf.Dictionary(s0=pikepdf.Dictionary(
            ShadingType=2, ColorSpace=pikepdf.Name.DeviceCMYK, Coords=[0, 0, 1, 0],
            Function=stops)),
    )  # fmt: skip
    path = tmp_path / "rgb.pdf"
    pdf.save(path)
    problems = "\n".join(pdfx_problems(path))
    for found in ("operator cs", "annotation colour /C is RGB", "/DA sets an RGB colour",
                  f"object {glyph.objgen}: operator rg", "backdrop /BC is RGB",
                  "a shading gives 3 components in a 4"):  # fmt: skip
        assert found in problems, problems


@pytest.mark.parametrize(
    ("css", "where"),
    [
        ("h1 { background: linear-gradient(device-cmyk(0 0.5 1 0), white) }", "a gradient"),
        ("h1 { border: 3px groove device-cmyk(0 0.5 1 0) }", "a 3D border"),
    ],
)
def test_a_colour_weasyprint_cannot_shade_is_named(tmp_path: Path, css: str, where: str) -> None:
    """WeasyPrint raises a bare NotImplementedError; the message names the colour and the fix."""
    (tmp_path / "theme.json").write_text('{"extends": "newsbrief", "stylesheets": ["x.css"]}')
    (tmp_path / "x.css").write_text(css)
    with pytest.raises(RenderError, match=rf"{where}.* device-cmyk\(0 0\.5 1 0\).*sRGB"):
        Renderer(str(tmp_path), system_fonts=False).render(ARTICLE)


def test_gradient_steps_follow_the_function_not_its_domain() -> None:
    """A type-2 function gives C0 + xᴺ (C1 − C0) for the input x itself: over the domain
    [0.5, 1] from black to white it starts at mid grey, and with N = 2 at a quarter."""
    for exponent, start in ((1, 0.5), (2, 0.25)):
        function = pydyf.Dictionary({"FunctionType": 2, "Domain": pydyf.Array([0.5, 1]),
                                     "C0": pydyf.Array([0, 0, 0]), "C1": pydyf.Array([1, 1, 1]),
                                     "N": exponent})  # fmt: skip
        shading = pydyf.Dictionary({"ShadingType": 2, "ColorSpace": "/DeviceCMYK",
                                    "Function": function})  # fmt: skip
        cmykpdf.shading(shading, default_profile())
        steps = shading["Function"]
        assert steps["Domain"] == [0.5, 1] and len(steps["Functions"]) == cmykpdf.STEPS
        first = [round(v, 4) for v in cmyk_colour((start,) * 3, default_profile())]
        assert steps["Functions"][0]["C0"] == first
        assert steps["Functions"][-1]["C1"] == [0, 0, 0, 0]  # white: no ink


def test_a_shading_patterns_own_shading_is_converted() -> None:
    pdf = pydyf.PDF()
    stops = pydyf.Dictionary({"FunctionType": 2, "Domain": pydyf.Array([0, 1]),
                              "C0": pydyf.Array([1, 0, 0]), "C1": pydyf.Array([0, 0, 1])})  # fmt: skip
    inner = pydyf.Dictionary({"ShadingType": 2, "ColorSpace": "/DeviceRGB", "Function": stops})
    pdf.add_object(pydyf.Dictionary({"Type": "/Pattern", "PatternType": 2, "Shading": inner}))
    cmykpdf.convert(pdf, default_profile())
    assert inner["ColorSpace"] == "/DeviceCMYK"
    assert len(inner["Function"]["Functions"][0]["C0"]) == 4


def _swapped_primaries() -> bytes:
    """An sRGB profile with its red and green primaries exchanged: (255, 0, 0) is green."""
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = int.from_bytes(icc[128:132], "big")
    entries = {bytes(icc[132 + 12 * i : 136 + 12 * i]): 136 + 12 * i for i in range(count)}
    red, green = entries[b"rXYZ"], entries[b"gXYZ"]
    icc[red : red + 8], icc[green : green + 8] = icc[green : green + 8], icc[red : red + 8]
    return bytes(icc)


def _cmyk_of(jpeg: bytes) -> tuple[int, ...]:
    pixel: tuple[int, ...] = Image.open(BytesIO(jpeg)).getpixel((10, 10))  # type: ignore[assignment]
    return pixel


def test_pictures_go_through_their_own_embedded_profile() -> None:
    """A picture tagged with another RGB profile is converted from it, not taken for sRGB."""
    out = BytesIO()
    Image.new("RGB", (20, 20), (255, 0, 0)).save(out, "PNG", icc_profile=_swapped_primaries())
    converted = CmykPictures(default_profile()).convert(out.getvalue())
    assert converted is not None
    c, m, y, _ = _cmyk_of(converted)
    assert c > 150 and y > 150 and m < 60  # green ink, where sRGB red would be magenta + yellow


def test_cmyk_pictures_without_a_profile_are_kept_and_broken_profiles_ignored() -> None:
    """CMYK made for press is not sent through RGB; a broken embedded profile reads as none."""
    out = BytesIO()
    Image.new("CMYK", (20, 20), (0, 0, 0, 255)).save(out, "JPEG")
    assert CmykPictures(default_profile()).convert(out.getvalue(), "image/jpeg") is None
    tagged = BytesIO()  # with the output profile itself: converted, and nearly unchanged
    fogra = default_profile().read_bytes()
    Image.new("CMYK", (20, 20), (0, 200, 200, 0)).save(tagged, "JPEG", icc_profile=fogra)
    converted = CmykPictures(default_profile()).convert(tagged.getvalue(), "image/jpeg")
    assert converted is not None
    assert _cmyk_of(converted) == pytest.approx((0, 200, 200, 0), abs=25)
    broken = BytesIO()
    Image.new("RGB", (20, 20), (255, 0, 0)).save(broken, "PNG", icc_profile=b"\0" * 16 + b"RGB ")
    converted = CmykPictures(default_profile()).convert(broken.getvalue())
    assert converted is not None
    _, m, y, _ = _cmyk_of(converted)
    assert m > 200 and y > 200  # sRGB red
