"""Press colour for PDF/X-4: colours and pictures in CMYK through the output profile.

WeasyPrint 70 writes PDF/X-4 with a CMYK output intent but leaves every sRGB CSS colour and
every picture in DeviceRGB, which PDF/X-4 does not allow unmanaged (ISO 15930-7 §6.2.3).
Pictures become CMYK JPEGs here, converted with LittleCMS (Pillow's ImageCms) from sRGB to the
output profile. Colours stay sRGB in the stylesheets (WeasyPrint's gradients and 3D borders
cannot compute with ``device-cmyk()`` colours) and are converted where they end up in the PDF
(:mod:`.cmykpdf`), greys and black as pure K so text and rules print on one plate.
"""

from __future__ import annotations

import re
import traceback
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageCms, ImageOps

from .assets import asset_dir
from .images import PhotoCache

OUTPUT_CONDITION = "FOGRA39"


def default_profile() -> Path:
    """The shipped FOGRA39 profile (ISO 12647-2 coated; ``profiles/README.md``)."""
    return asset_dir("profiles") / "FOGRA39L.icc"


def output_profile(path: str | None) -> Path:
    """The profile PDF/X-4 output goes through: the given file, else the shipped FOGRA39."""
    return Path(path) if path else default_profile()


def check_profile(path: str | None) -> None:
    """Refuse a file that is not a readable CMYK output (``prtr``) ICC profile.

    >>> check_profile("missing.icc")
    Traceback (most recent call last):
    printbrief.errors.UsageError: cannot read 'missing.icc': No such file or directory
    """
    from .errors import UsageError

    if path is None:
        return
    try:
        header = Path(path).read_bytes()[:40]
        ImageCms.getOpenProfile(path)
    except OSError as exc:
        raise UsageError(f"cannot read {path!r}: {exc.strerror or exc}") from None
    except ImageCms.PyCMSError:
        raise UsageError(f"{path!r} is not an ICC profile") from None
    if header[12:16] != b"prtr" or header[16:20] != b"CMYK":
        kind = header[12:20].decode("latin-1")
        raise UsageError(f"{path!r} is {kind!r}, not a CMYK printer (prtr) profile")


def intent_names(profile: Path, condition: str | None) -> tuple[str, str]:
    """The output intent's condition identifier and description.

    The shipped profile is the registered FOGRA39; another profile is named by ``condition``
    (a registered name such as ``FOGRA51``) or, failing that, by its own description.
    """
    if profile == default_profile() and not condition:
        return OUTPUT_CONDITION, f"{OUTPUT_CONDITION} (ISO 12647-2 coated offset)"
    description = ImageCms.getProfileDescription(ImageCms.getOpenProfile(str(profile))).strip()
    return condition or description, description or (condition or "")


def press_css(profile: Path) -> str:
    """The output profile as WeasyPrint's ``device-cmyk`` (its PDF/X-4 output intent)."""
    return (
        f"@color-profile device-cmyk {{ src: url({profile.as_uri()});"
        " components: cyan, magenta, yellow, black }\n"
    )


def cmyk_colour(rgb: tuple[float, ...], profile: Path) -> tuple[float, ...]:
    """An sRGB colour (components 0–1) in the output profile's CMYK; a grey as K only.

    >>> cmyk_colour((0.5, 0.5, 0.5), default_profile())[:3]
    (0.0, 0.0, 0.0)
    """
    return _converted(tuple(min(255, max(0, round(v * 255))) for v in rgb), profile)


def _converted(rgb: tuple[int, ...], profile: Path) -> tuple[float, ...]:
    """An sRGB colour in the output profile's CMYK; a grey as K only."""
    return _neutral(rgb[0], profile) if len(set(rgb)) == 1 else _through(rgb, profile)


def colour_failure(exc: BaseException) -> str | None:
    """What went wrong, in a theme author's words, when WeasyPrint could not compute with a
    colour: its gradients and 3D borders mix and shade in sRGB, and a ``device-cmyk()`` (or
    other non-sRGB) colour there raises a bare ``NotImplementedError``. None for anything else.
    """
    frames = [frame for frame, _ in traceback.walk_tb(exc.__traceback__)]
    if not isinstance(exc, NotImplementedError) or not frames or frames[-1].f_code.co_name != "to":
        return None
    colour = frames[-1].f_locals.get("self")
    space, values = getattr(colour, "space", "?"), getattr(colour, "coordinates", ())
    named = f"{space}({' '.join(f'{v:g}' for v in values)})"
    where = (
        "a 3D border (groove, ridge, inset, outset)"
        if any(frame.f_code.co_name == "styled_color" for frame in frames)
        else "a gradient"
    )
    return (
        f"{where} uses the colour {named}, which WeasyPrint cannot mix or shade: write it in "
        "sRGB (hex, rgb(), hsl()); PDF/X-4 output converts it through the output profile"
    )


_RGB_OPERATOR = re.compile(rb"^\s*([\d.]+) ([\d.]+) ([\d.]+) (rg|RG)\s*$")


@cache
def cmyk_operator(operator: bytes, profile: Path) -> bytes:
    """A content-stream ``r g b rg`` (or ``RG``) as ``c m y k k`` (``K``); anything else as it is.

    >>> cmyk_operator(b"0 0 0 rg", default_profile())
    b'0 0 0 1 k'
    """
    found = _RGB_OPERATOR.match(operator)
    if found is None:
        return operator
    rgb = tuple(float(v) for v in found.groups()[:3])
    cmyk = b" ".join(b"%g" % round(v, 3) for v in cmyk_colour(rgb, profile))
    return cmyk + (b" K" if found[4] == b"RG" else b" k")


def _through(rgb: tuple[int, ...], profile: Path) -> tuple[float, ...]:
    pixel = ImageCms.applyTransform(Image.new("RGB", (1, 1), rgb), _to_cmyk(profile, 1))
    assert pixel is not None
    return tuple(v / 255 for v in pixel.getpixel((0, 0)))  # type: ignore[union-attr]


@cache
def _neutral(grey: int, profile: Path) -> tuple[float, float, float, float]:
    """A grey as K only: the K whose printed lightness (L*) is closest to the sRGB grey's."""
    lab = _lab_of_rgb(grey)
    best = min(range(256), key=lambda k: abs(_k_lightness(k, profile) - lab))
    return 0.0, 0.0, 0.0, best / 255


def _lab_of_rgb(grey: int) -> float:
    transform = ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB"), "RGB", "LAB"
    )
    out = ImageCms.applyTransform(Image.new("RGB", (1, 1), (grey,) * 3), transform)
    assert out is not None
    return float(out.getpixel((0, 0))[0])  # type: ignore[index]


@cache
def _k_lightness(k: int, profile: Path) -> float:
    transform = ImageCms.buildTransform(
        ImageCms.getOpenProfile(str(profile)), ImageCms.createProfile("LAB"), "CMYK", "LAB"
    )
    out = ImageCms.applyTransform(Image.new("CMYK", (1, 1), (0, 0, 0, k)), transform)
    assert out is not None
    return float(out.getpixel((0, 0))[0])  # type: ignore[index]


@cache
def _to_cmyk(profile: Path, intent: int) -> ImageCms.ImageCmsTransform:
    return ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"), ImageCms.getOpenProfile(str(profile)), "RGB", "CMYK",
        renderingIntent=ImageCms.Intent(intent),
    )  # fmt: skip


PRESS_QUALITY = 88
"""JPEG quality of CMYK pictures, 4:4:4 with optimized Huffman tables. A CMYK JPEG codes four
full channels with no luma/chroma split, so it is 4–5 times the size of the RGB original.
Measured on the two sample photos against the exact conversion (CIE76 ΔE through the FOGRA39
profile), per picture: quality 92 (as for RGB photos) 1.36–1.47 MB, mean ΔE 0.48–0.65,
99th percentile 1.5–1.9; 88: 1.18–1.24 MB, 0.55–0.74, 1.6–2.3; 85: 1.05–1.10 MB, 0.64–0.86,
1.8–2.5. YCCK with chroma subsampling (libjpeg-turbo; Pillow cannot write it) was no better
for its size: 0.82–0.90 MB at 92 with mean ΔE 0.95–1.29, 99th percentile 3.6–4.6."""


class CmykPictures(PhotoCache):
    """Every colour picture as a CMYK JPEG through ``profile`` (perceptual intent), once per
    content; theme pictures too (``every_picture``). Grey pictures stay as they are: DeviceGray
    prints on the black plate under a CMYK intent and keeps its transparency."""

    every_picture = True

    def __init__(self, profile: Path, max_bytes: int = 64 * 2**20) -> None:
        super().__init__(max_bytes)
        self.profile = profile

    def _convert(self, data: bytes, kind: str) -> bytes | None:
        with Image.open(BytesIO(data)) as image:
            icc = _own_profile(image)
            if image.mode in ("L", "LA") and "transparency" not in image.info:
                return None
            if image.mode == "CMYK" and icc is None:
                return None  # CMYK made for press already: embedded as it is
            # The JPEG carries no EXIF: turn the picture as WeasyPrint would (from-image).
            upright = ImageOps.exif_transpose(image)
        if upright.mode == "CMYK":
            cmyk = ImageCms.applyTransform(upright, _from(icc, "CMYK", self.profile))
        else:
            cmyk = ImageCms.applyTransform(_on_white(upright), _from(icc, "RGB", self.profile))
        assert cmyk is not None
        out = BytesIO()
        cmyk.save(out, "JPEG", quality=PRESS_QUALITY, subsampling=0, optimize=True)
        return out.getvalue()


def _on_white(image: Image.Image) -> Image.Image:
    """The picture in RGB, its transparency over paper white."""
    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def _own_profile(image: Image.Image) -> bytes | None:
    """The picture's embedded ICC profile, if it is one for the picture's colour space."""
    icc = image.info.get("icc_profile") or None
    space = b"CMYK" if image.mode == "CMYK" else b"RGB "
    if not isinstance(icc, bytes) or icc[16:20] != space:
        return None
    try:
        ImageCms.ImageCmsProfile(BytesIO(icc))
    except (OSError, ImageCms.PyCMSError):  # a broken profile is ignored, as browsers do
        return None
    return icc


@lru_cache(maxsize=16)
def _from(icc: bytes | None, mode: str, profile: Path) -> ImageCms.ImageCmsTransform:
    """Picture colours through their own embedded profile (sRGB when they name none) into the
    output profile, perceptual intent."""
    if icc is None:
        return _to_cmyk(profile, 0)
    source = ImageCms.ImageCmsProfile(BytesIO(icc))
    return ImageCms.buildTransform(
        source, ImageCms.getOpenProfile(str(profile)), mode, "CMYK",
        renderingIntent=ImageCms.Intent.PERCEPTUAL,
    )  # fmt: skip
