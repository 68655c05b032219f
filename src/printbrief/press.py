"""Printer's marks drawn in the slug: crop marks and registration targets outside the bleed.

WeasyPrint 70 draws CSS ``marks`` inside the bleed (its MediaBox is the BleedBox), so artwork
that bleeds covers them and imposition that clips to the BleedBox prints them, and it draws
them in DeviceRGB black. printbrief draws its own instead: the page grows by a slug around the
BleedBox and the marks sit there, in the registration colour (``/Separation /All``, ISO
32000-1 §8.6.6.4) so they print on every plate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

MM = 72 / 25.4
GAP = 1 * MM  # between the BleedBox and a mark, so a bleed never touches it
LENGTH = 5 * MM
SLUG = GAP + LENGTH + 1 * MM
"""How far the MediaBox reaches beyond the BleedBox when marks are drawn."""
LINE_WIDTH = 0.25
REGISTRATION = "PBRegistration"
"""Resource name of the ``/Separation /All`` colour space the marks are painted in."""

Box = Sequence[float]  # x0, y0, x1, y1 in default user space


def grown(box: Box, by: float) -> list[float]:
    """``box`` with every side moved out by ``by`` points."""
    x0, y0, x1, y1 = box
    return [x0 - by, y0 - by, x1 + by, y1 + by]


def marks_stream(trim: Box, bleed: Box, marks: Iterable[str]) -> bytes:
    """Content stream (an artifact, graphics state saved) drawing ``marks`` around ``trim``."""
    kinds = set(marks)
    paths = _crop(trim, bleed) if "crop" in kinds else []
    paths += _crosses(trim, bleed) if "cross" in kinds else []
    head = f"/Artifact BMC q /{REGISTRATION} CS 1 SCN {LINE_WIDTH} w 0 J [] 0 d"
    return "\n".join([head, *paths, "Q EMC", ""]).encode()


def _line(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"{x0:.2f} {y0:.2f} m {x1:.2f} {y1:.2f} l S"


def _crop(trim: Box, bleed: Box) -> list[str]:
    """Two strokes at each corner, on the trim lines, starting beyond the bleed."""
    tx0, ty0, tx1, ty1 = trim
    bx0, by0, bx1, by1 = bleed
    left, right = bx0 - GAP, bx1 + GAP
    bottom, top = by0 - GAP, by1 + GAP
    strokes = []
    for y in (ty0, ty1):
        strokes += [_line(left, y, left - LENGTH, y), _line(right, y, right + LENGTH, y)]
    for x in (tx0, tx1):
        strokes += [_line(x, bottom, x, bottom - LENGTH), _line(x, top, x, top + LENGTH)]
    return strokes


def _crosses(trim: Box, bleed: Box) -> list[str]:
    """A registration target (circle and cross) in the slug at the middle of each side."""
    tx0, ty0, tx1, ty1 = trim
    bx0, by0, bx1, by1 = bleed
    away = GAP + LENGTH / 2
    mid_x, mid_y = (tx0 + tx1) / 2, (ty0 + ty1) / 2
    centres = [(mid_x, by1 + away), (mid_x, by0 - away), (bx0 - away, mid_y), (bx1 + away, mid_y)]
    return [path for x, y in centres for path in _target(x, y, LENGTH / 2)]


def _target(x: float, y: float, half: float) -> list[str]:
    r, k = half * 0.6, half * 0.6 * 0.5523  # Bézier circle: control points at 0.5523 r
    circle = (
        f"{x + r:.2f} {y:.2f} m "
        f"{x + r:.2f} {y + k:.2f} {x + k:.2f} {y + r:.2f} {x:.2f} {y + r:.2f} c "
        f"{x - k:.2f} {y + r:.2f} {x - r:.2f} {y + k:.2f} {x - r:.2f} {y:.2f} c "
        f"{x - r:.2f} {y - k:.2f} {x - k:.2f} {y - r:.2f} {x:.2f} {y - r:.2f} c "
        f"{x + k:.2f} {y - r:.2f} {x + r:.2f} {y - k:.2f} {x + r:.2f} {y:.2f} c S"
    )
    return [circle, _line(x - half, y, x + half, y), _line(x, y - half, x, y + half)]
