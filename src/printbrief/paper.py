"""Paper sizes: one registry that the CLI's choices and the API share."""

from __future__ import annotations

import re

from .errors import UsageError

PAPER_SIZES: dict[str, tuple[str, str]] = {
    "A3": ("297mm", "420mm"),
    "A4": ("210mm", "297mm"),
    "A5": ("148mm", "210mm"),
    "B5": ("176mm", "250mm"),
    "Letter": ("8.5in", "11in"),
    "Legal": ("8.5in", "14in"),
    "Tabloid": ("11in", "17in"),
    "Berliner": ("315mm", "470mm"),
}
_CUSTOM = re.compile(r"^(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)(mm|cm|in)$")
_MM_PER = {"mm": 1.0, "cm": 10.0, "in": 25.4}


def page_size(name: str) -> tuple[str, str]:
    """CSS width and height of a named size (case-insensitive) or ``WIDTHxHEIGHTunit``.

    >>> page_size("letter")
    ('8.5in', '11in')
    >>> page_size("100x150mm")
    ('100mm', '150mm')
    """
    for known, size in PAPER_SIZES.items():
        if known.lower() == name.lower():
            return size
    if match := _CUSTOM.match(name.strip().lower()):
        width, height, unit = match.groups()
        mm = (float(width) * _MM_PER[unit], float(height) * _MM_PER[unit])
        if not all(50 <= v <= 2000 for v in mm):
            raise UsageError(f"paper {name!r}: each side must be between 50 mm and 2000 mm")
        return f"{width}{unit}", f"{height}{unit}"
    known = ", ".join(PAPER_SIZES)
    raise UsageError(
        f"unknown paper {name!r} (use one of {known}, or WIDTHxHEIGHT in mm, cm or in)"
    )


def page_css(name: str) -> str:
    """The ``@page`` rule that sets the sheet size."""
    width, height = page_size(name)
    return f"@page {{ size: {width} {height}; }}"
