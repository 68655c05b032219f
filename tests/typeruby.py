"""Ruby as printed, for the typesetting checker (:mod:`typeset`): readings centred above their
base (±1 pt), and never past the edge of their column (jlreq §3.3: a reading may overhang
the characters beside its base, never the line's end).
"""

from __future__ import annotations

import io
import re
from typing import Any

import pdfplumber

Char = dict[str, Any]
CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
TOLERANCE = 0.5  # pt


def ruby_runs(chars: list[Char]) -> tuple[list[list[Char]], set[int]]:
    """The runs of readings on a page, and the ``id`` of every reading glyph."""
    readings = _readings(chars)
    return _runs([c for c in chars if id(c) in readings]), readings


Edges = dict[tuple[int, int], tuple[float, float]]


def ruby_report(
    pages: list[tuple[int, float, list[Char], list[list[Char]]]], edges: Edges
) -> list[str]:
    """Problems of the readings on each page (number, width, glyphs, runs of readings):
    off centre over their base (±1 pt), unless moved in to end flush with the column
    edge; past the column edge."""
    problems = []
    for page, width, chars, runs in pages:
        for run, offset in _offsets(chars, runs):
            lo, hi = float(run[0]["x0"]), _right(run[-1])
            column = int(lo > width / 2)  # or the page's one column, if it has one
            edge = edges.get((page, column)) or edges.get((page, 1 - column))
            text = "".join(c["text"] for c in run)
            if edge and (lo < edge[0] - TOLERANCE or hi > edge[1] + TOLERANCE):
                past = max(edge[0] - lo, hi - edge[1])
                problems.append(f"p{page + 1} ruby {text!r} past its column edge by {past:.1f} pt")
            elif abs(offset) > 1.0 and not (edge and _moved_in(lo, hi, edge)):
                problems.append(f"p{page + 1} ruby {text!r} off centre by {offset:+.1f} pt")
    return problems


def _right(char: Char) -> float:
    """Where a kana or Han glyph ends: 1 em after it starts (the PDF's /W width of a glyph is
    the advance of its first use, letter spacing included, in WeasyPrint 70)."""
    return float(char["x0"] + char["size"])


def _moved_in(lo: float, hi: float, edge: tuple[float, float]) -> bool:
    """A reading that starts or ends flush with its column: moved in from past the edge (its
    base then looks shifted, or to take in the glyph it overhangs)."""
    return abs(lo - edge[0]) <= TOLERANCE or abs(hi - edge[1]) <= TOLERANCE


def _readings(chars: list[Char]) -> set[int]:
    """The ``id`` of every reading: a CJK glyph at most 0.6 of the size of one just below it."""
    largest = max((c["size"] for c in chars), default=0)
    small = [c for c in chars if c["size"] <= 0.6 * largest and CJK.match(c["text"])]
    return {id(r) for r in small if any(_base_of(r, c) for c in chars)}


def _base_of(reading: Char, base: Char) -> bool:
    return (
        base["size"] > 0
        and reading["size"] <= 0.6 * base["size"]
        and CJK.match(base["text"]) is not None
        and 0 <= base["top"] - reading["bottom"] < 0.2 * base["size"]
        and reading["x1"] > base["x0"] - base["size"]
        and reading["x0"] < base["x1"] + base["size"]
    )


def _offsets(chars: list[Char], runs: list[list[Char]]) -> list[tuple[list[Char], float]]:
    """Each run of readings over a base, and how far its centre is from the base glyphs' below."""
    readings = {id(c) for run in runs for c in run}
    found = []
    for run in runs:
        lo, hi = run[0]["x0"], run[-1]["x1"]
        below = [c for c in chars if id(c) not in readings and any(_base_of(r, c) for r in run)]
        if not below:
            continue

        def overlap(c: Char, lo: float = lo, hi: float = hi) -> float:
            return float(min(c["x1"], hi) - max(c["x0"], lo))

        base = [c for c in below if overlap(c) >= 0.5 * (c["x1"] - c["x0"]) - 0.01]
        base = base or [max(below, key=overlap)]
        centre = (min(c["x0"] for c in base) + max(c["x1"] for c in base)) / 2
        found.append((run, float((lo + hi) / 2 - centre)))
    return found


def _runs(readings: list[Char]) -> list[list[Char]]:
    runs: list[list[Char]] = []
    for char in sorted(readings, key=lambda c: (round(c["top"]), c["x0"])):
        last = runs[-1][-1] if runs else None
        if last and abs(last["top"] - char["top"]) < 0.5 and char["x0"] - last["x1"] < 1.0:
            runs[-1].append(char)
        else:
            runs.append([char])
    return runs


def ruby_count(pdf: bytes) -> int:
    """How many glyphs print as readings above a base."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return sum(len(_readings(list(p.chars))) for p in document.pages)
