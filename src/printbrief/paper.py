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
# ASCII digits only: Python's \d and float() take "１４８" and "١٤٨", CSS does not, and the
# page would silently print at the default size.
_CUSTOM = re.compile(r"^(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)(mm|cm|in)$", re.ASCII)
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


_LENGTH = re.compile(r"^(\d+(?:\.\d+)?)(mm|cm|in|pt)$", re.ASCII)
_PT_PER = {"mm": 72 / 25.4, "cm": 720 / 25.4, "in": 72.0, "pt": 1.0}
MARKS = ("crop", "cross")


def bleed_length(value: str) -> str:
    """A bleed as a CSS length, 0–20 mm (``3mm``, ``0.125in``)."""
    match = _LENGTH.match(value.strip().lower())
    if not match or float(match[1]) * _PT_PER[match[2]] > 20 * _PT_PER["mm"] + 1e-6:
        raise UsageError(f"bleed {value!r}: give a length up to 20mm, such as 3mm or 0.125in")
    return f"{match[1]}{match[2]}"


def bleed_mm(value: str) -> float:
    """A bleed length in millimetres: ``bleed_mm("0.125in") == 3.175``."""
    length = bleed_length(value)
    number, unit = float(length[:-2]), length[-2:]
    return number * _PT_PER[unit] / _PT_PER["mm"]


def marks_value(value: str) -> str:
    """Printer's marks for CSS: ``crop``, ``cross`` or both (``crop,cross``)."""
    names = [m.strip().lower() for m in value.split(",") if m.strip()]
    if not names or any(m not in MARKS for m in names):
        raise UsageError(f"marks {value!r}: use crop, cross or crop,cross")
    return " ".join(dict.fromkeys(names))


def page_css(name: str, bleed: str | None = None, marks: str | None = None) -> str:
    """The ``@page`` rule for the sheet: size, and optionally bleed and printer's marks.

    >>> page_css("A5", bleed="3mm", marks="crop")
    '@page { size: 148mm 210mm; bleed: 3mm; marks: crop; }'
    """
    width, height = page_size(name)
    rule = f"size: {width} {height};"
    if bleed:
        rule += f" bleed: {bleed_length(bleed)};"
    if marks:
        rule += f" marks: {marks_value(marks)};"
    return f"@page {{ {rule} }}"
