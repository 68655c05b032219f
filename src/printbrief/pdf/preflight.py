"""Preflight: what a print shop would reject in a finished PDF, reported before it gets there.

Checks: fonts not embedded, images below the resolution their printed size needs, a missing
or wrong TrimBox/BleedBox when bleed was asked for, content that overflows the page, and the
standards rules of :mod:`printbrief.conformance` (trailer /ID, XMP, interpolated images,
font widths, page boxes, marks in the bleed, hyphens as extracted, running heads in tagged
files). Each finding carries its rule ID (``check``) and the clause it guards.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from typing import Any

from ..errors import InputError
from ..variants import get_variant
from .conformance import claims_pdfx, document_rules, page_rules

MIN_DPI = 150.0
MIN_DPI_PRESS = 200.0
"""Lowest image resolution in a file that claims PDF/X: press work wants more."""
_MM = 72 / 25.4


@dataclass(frozen=True)
class Finding:
    """One problem on one page (page 0 means the whole document)."""

    check: str  # "font-not-embedded" | "low-resolution-image" | "trim-box" | "overflow" | …
    page: int
    message: str
    clause: str = ""

    def as_dict(self) -> dict[str, Any]:
        """For ``--json``."""
        return asdict(self)


def preflight(
    pdf: bytes,
    *,
    bleed_mm: float | None = None,
    min_dpi: float = MIN_DPI,
    variant: str | None = None,
) -> list[Finding]:
    """Every finding in ``pdf``; an empty list means it is ready for press.

    ``variant`` (``pdf/x-4``, ``pdf/a-2b``…) checks the file against that standard's rules
    even where the file does not claim it (and reports that it does not).

    >>> preflight(b"not a pdf")
    Traceback (most recent call last):
    printbrief.errors.InputError: not a readable PDF: ...
    """
    import pdfplumber
    import pypdf

    standard = get_variant(variant)  # a usage error for an unknown name
    variant = standard.name if standard else None
    try:
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        plumber = pdfplumber.open(io.BytesIO(pdf))
    except Exception as exc:  # pypdf and pdfminer raise many unrelated types on garbage
        raise InputError(f"not a readable PDF: {exc}") from None
    findings: list[Finding] = []
    if claims_pdfx(reader) or (variant or "").startswith("pdf/x"):
        min_dpi = max(min_dpi, MIN_DPI_PRESS)
    with plumber:
        for number, (page, plumbed) in enumerate(
            zip(reader.pages, plumber.pages, strict=True), start=1
        ):
            findings += _fonts(page, number)
            findings += _images(plumbed, number, min_dpi)
            findings += _overflow(plumbed, number)
            if bleed_mm is not None:
                findings += _boxes(page, number, bleed_mm)
        rules = (*document_rules(reader, variant), *page_rules(reader, plumber))
    return findings + [Finding(*found) for found in rules]


def _fonts(page: Any, number: int) -> list[Finding]:
    found = []
    fonts = page.get("/Resources", {}).get("/Font", {})
    for ref in fonts.values():
        font = ref.get_object()
        if font.get("/Subtype") == "/Type3":
            continue  # glyphs are drawn by content streams: nothing to embed
        target = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = target.get("/FontDescriptor")
        if descriptor is None or not any(
            k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
        ):
            found.append(
                Finding(
                    "font-not-embedded", number, f"font {font.get('/BaseFont')} is not embedded"
                )
            )
    return found


def _images(page: Any, number: int, min_dpi: float) -> list[Finding]:
    found = []
    for image in page.images:
        width_in = (image["x1"] - image["x0"]) / 72
        height_in = (image["bottom"] - image["top"]) / 72
        pixels_w, pixels_h = image["srcsize"]
        if width_in <= 0 or height_in <= 0:
            continue
        dpi = min(pixels_w / width_in, pixels_h / height_in)
        if dpi < min_dpi:
            size = f"{width_in * 25.4:.0f}×{height_in * 25.4:.0f} mm"
            found.append(
                Finding(
                    "low-resolution-image",
                    number,
                    f"image {pixels_w}×{pixels_h} px printed at {size} is {dpi:.0f} dpi (needs {min_dpi:.0f})",
                )
            )
    return found


def _overflow(page: Any, number: int) -> list[Finding]:
    x0, top, x1, bottom = page.bbox
    outside = [
        c
        for c in page.chars
        if c["x0"] < x0 - 0.5
        or c["x1"] > x1 + 0.5
        or c["top"] < top - 0.5
        or c["bottom"] > bottom + 0.5
    ]
    if not outside:
        return []
    sample = "".join(c["text"] for c in outside[:20])
    return [
        Finding("overflow", number, f"{len(outside)} characters fall outside the page ({sample!r})")
    ]


def _boxes(page: Any, number: int, bleed_mm: float) -> list[Finding]:
    if "/TrimBox" not in page:
        return [Finding("trim-box", number, "no TrimBox, but bleed was asked for")]
    trim, bleed = page.trimbox, page.bleedbox
    missing = float(trim.left) - float(bleed.left)
    if abs(missing - bleed_mm * _MM) > 0.5:
        return [
            Finding(
                "trim-box",
                number,
                f"BleedBox extends {missing / _MM:.1f} mm beyond the TrimBox, not {bleed_mm:g} mm",
            )
        ]
    return []
