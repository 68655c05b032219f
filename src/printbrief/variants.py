"""PDF variants (archival, accessible, press): one registry that the CLI and the API share."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InputError, UsageError
from .model import Article


@dataclass(frozen=True)
class Variant:
    """A PDF standard printbrief can produce, and what it asks of the article."""

    name: str
    description: str
    attach_source: bool = False  # the article JSON rides along as an associated file
    needs_alt_text: bool = False
    cmyk: bool = False  # colours and pictures through the CMYK output profile (cmyk.py)


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant("pdf/a-2b", "PDF/A-2b archival (ISO 19005-2, visual appearance)"),
        Variant(
            "pdf/a-3b",
            "PDF/A-3b archival, with the article JSON attached as its source",
            attach_source=True,
        ),
        Variant(
            "pdf/ua-1",
            "PDF/UA-1 accessible (ISO 14289-1): tagged, alt text, language, title",
            needs_alt_text=True,
        ),
        Variant(
            "pdf/x-4",
            "PDF/X-4 press (ISO 15930-7): colours and pictures in CMYK for FOGRA39 coated offset",
            cmyk=True,
        ),
    )
}


def get_variant(name: str | None) -> Variant | None:
    """The variant called ``name`` (case-insensitive), None for plain PDF.

    >>> get_variant("PDF/A-3b").attach_source
    True
    """
    if not name:
        return None
    variant = VARIANTS.get(name.lower())
    if variant is None:
        raise UsageError(f"unknown PDF variant {name!r} (use one of {', '.join(VARIANTS)})")
    return variant


_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ATTR = re.compile(r'\b(src|alt)="([^"]*)"', re.I)


def images_without_alt(body_html: str) -> list[str]:
    """``src`` of every body image whose alt text is missing or blank."""
    found = []
    for tag in _IMG.findall(body_html):
        attrs = {k.lower(): v for k, v in _ATTR.findall(tag)}
        if not attrs.get("alt", "").strip():
            found.append(attrs.get("src", ""))
    return found


def check_article(
    variant: Variant, article: Article, body_html: str, *, source: str | None
) -> None:
    """Refuse what a validator of ``variant`` would reject and printbrief can name."""
    if not variant.needs_alt_text:
        return
    problems = [
        f"images.{i}.alt: missing ({variant.name} needs alt text)"
        for i, im in enumerate(article.images)
        if not (im.alt or "").strip()
    ]
    problems += [
        f"body: image {src!r} has no alt text ({variant.name} needs it)"
        for src in images_without_alt(body_html)
    ]
    if problems:
        raise InputError("; ".join(problems), source=source)
