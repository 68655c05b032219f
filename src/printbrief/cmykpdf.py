"""PDF/X-4's last pass: every RGB colour WeasyPrint wrote into PDF objects, in CMYK.

WeasyPrint 70 draws every CSS and SVG colour in sRGB, whatever the output intent: ``rg`` and
``RG`` operators in page contents, forms (SVG pictures, opacity groups, soft masks) and
patterns, and sRGB stops in the functions of gradient shadings, which it labels
``/DeviceCMYK`` under a CMYK intent (three values in a four-component space). The finisher
converts them all here through the output profile (ISO 15930-7 §6.2.3, §6.2.4). What has no
conversion here (a picture still in RGB, a sampled or mesh shading in RGB) fails the render
with an error naming the object, never a file that only claims PDF/X-4.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import pydyf

from . import cmyk
from .errors import RenderError

STEPS = 8
"""Segments each sRGB gradient segment is cut into before conversion: CMYK interpolation
between two converted stops is not sRGB interpolation, so the colours in between are sampled."""

_COMPONENTS = {"/DeviceGray": 1, "/DeviceRGB": 3, "/DeviceCMYK": 4}


def convert(pdf: pydyf.PDF, profile: Path) -> None:
    """Rewrite every RGB colour in ``pdf``'s objects as CMYK through ``profile``."""
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream):
            _stream(obj, profile)
        elif isinstance(obj, pydyf.Dictionary) and "ShadingType" in obj:
            shading(obj, profile)
        elif isinstance(obj, pydyf.Dictionary) and obj.get("PatternType") == 2:
            shading(obj["Shading"], profile)  # a shading pattern's own shading


def _stream(stream: pydyf.Stream, profile: Path) -> None:
    extra = stream.extra
    if extra.get("Subtype") == "/Image":
        if extra.get("ColorSpace") not in ("/DeviceCMYK", "/DeviceGray", None):
            size = f"{extra.get('Width')} × {extra.get('Height')}"
            raise RenderError(
                f"pdf/x-4: a {size} picture is in {extra.get('ColorSpace')}, not CMYK "
                "(pictures must come through printbrief's fetcher to be converted)"
            )
    elif is_content(stream):
        stream.stream = [
            cmyk.cmyk_operator(item, profile) if isinstance(item, bytes) else item
            for item in stream.stream
        ]
    if "ShadingType" in extra:
        shading(extra, profile)


def is_content(stream: pydyf.Stream) -> bool:
    """Page contents, forms and patterns: not pictures, fonts, profiles or attachments."""
    extra = stream.extra
    if extra.get("Type") in ("/XObject", "/Pattern"):
        return bool(extra.get("Subtype") != "/Image")
    return not {"Type", "Subtype", "Length1", "N"} & set(extra)


def shading(shading: pydyf.Dictionary, profile: Path) -> None:
    """A gradient's colour space and function in CMYK (its sRGB stops converted).

    >>> s = pydyf.Dictionary({"ShadingType": 2, "ColorSpace": "/DeviceRGB",
    ...     "Function": pydyf.Dictionary({"FunctionType": 2, "Domain": pydyf.Array([0, 1]),
    ...                                   "C0": pydyf.Array([0, 0, 0]),
    ...                                   "C1": pydyf.Array([1, 1, 1]), "N": 1})})
    >>> shading(s, cmyk.default_profile())
    >>> s["ColorSpace"], s["Function"]["Functions"][0]["C0"]
    ('/DeviceCMYK', [0.0, 0.0, 0.0, 1.0])
    """
    space = shading.get("ColorSpace")
    components = _COMPONENTS.get(str(space))
    if components == 1:
        return  # an opacity gradient's soft mask: grey is allowed under any intent
    kind = int(shading["ShadingType"])
    if kind not in (2, 3) or "Function" not in shading:  # axial and radial: CSS and SVG
        if components != 4:
            raise RenderError(f"pdf/x-4: a type-{kind} shading in {space} has no CMYK conversion")
        return
    function = shading["Function"]
    if components == 3 or _outputs(function) == 3:
        shading["ColorSpace"] = "/DeviceCMYK"
        shading["Function"] = _cmyk_function(function, profile)
    elif components != 4:
        raise RenderError(f"pdf/x-4: a shading in the colour space {space} is not CMYK")


def _outputs(function: Any) -> int:
    """How many colour components a function returns (0 when it does not say)."""
    if int(function["FunctionType"]) == 3:
        return max((_outputs(f) for f in function["Functions"]), default=0)
    if "C0" in function:
        return len(function["C0"])
    return len(function.get("Range", ())) // 2


def _cmyk_function(function: Any, profile: Path) -> pydyf.Dictionary:
    kind = int(function["FunctionType"])
    if kind == 3:
        function["Functions"] = pydyf.Array(
            _cmyk_function(f, profile) for f in function["Functions"]
        )
        return function
    if kind == 2 and len(function.get("C0", ())) == 3:
        return _sampled_stops(function, profile)
    raise RenderError(f"pdf/x-4: a type-{kind} shading function in RGB has no CMYK conversion")


def _sampled_stops(function: Any, profile: Path) -> pydyf.Dictionary:
    """An sRGB type-2 function as a stitching of ``STEPS`` CMYK type-2 functions."""
    low, high = (float(v) for v in function["Domain"])
    inputs = [low + (high - low) * i / STEPS for i in range(STEPS + 1)]
    colours = [_cmyk(_at(function, x), profile) for x in inputs]
    return pydyf.Dictionary({
        "FunctionType": 3,
        "Domain": pydyf.Array([low, high]),
        "Encode": pydyf.Array([0, 1] * STEPS),
        "Bounds": pydyf.Array(inputs[1:-1]),
        "Functions": pydyf.Array(_linear(a, b) for a, b in pairwise(colours)),
    })  # fmt: skip


def _at(function: Any, x: float) -> tuple[float, ...]:
    """The sRGB colour a type-2 function gives for the input ``x``: C0 + xᴺ (C1 − C0), the
    input itself, not its share of the domain (ISO 32000-1 §7.10.3)."""
    share = max(0.0, x) ** float(function.get("N", 1))
    return tuple(
        float(a) + share * (float(b) - float(a))
        for a, b in zip(function["C0"], function["C1"], strict=True)
    )


def _cmyk(rgb: tuple[float, ...], profile: Path) -> list[float]:
    return [round(v, 4) for v in cmyk.cmyk_colour(rgb, profile)]


def _linear(c0: list[float], c1: list[float]) -> pydyf.Dictionary:
    return pydyf.Dictionary({
        "FunctionType": 2, "Domain": pydyf.Array([0, 1]),
        "C0": pydyf.Array(c0), "C1": pydyf.Array(c1), "N": 1,
    })  # fmt: skip
