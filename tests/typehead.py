"""The headline as printed, line by line, found in a PDF's first page by its glyphs (pdfplumber).

What a CJK editor checks in a headline: where its lines break (never inside a Korean word
when a space would do, at a phrase boundary where one fits) and that the last line is not
a lone character.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from typing import Any

import pdfplumber

HANGUL = re.compile("[\uac00-\ud7a3]")


def headline_lines(pdf: bytes, headline: str) -> list[str]:
    """The printed lines of ``headline`` on the first page, top to bottom (spaces dropped)."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        chars = list(document.pages[0].chars)
    wanted = "".join(headline.split())
    rows = _rows([c for c in chars if c["text"].strip()])
    for start in range(len(rows)):
        found, text = [], ""
        for row in rows[start:]:
            if not wanted.startswith(text + row):
                break
            found.append(row)
            text += row
            if text == wanted:
                return found
    raise AssertionError(f"headline {headline!r} not found on page 1")


def _rows(chars: list[dict[str, Any]]) -> list[str]:
    """The text of each row of glyphs sharing a baseline (±1 pt), top to bottom, left to right."""
    rows: dict[float, list[dict[str, Any]]] = defaultdict(list)
    for char in chars:
        baseline = float(char["matrix"][5])
        key = next((k for k in rows if abs(k - baseline) < 1.0), baseline)
        rows[key].append(char)
    return [
        "".join(c["text"] for c in sorted(row, key=lambda c: c["x0"]))
        for _, row in sorted(rows.items(), key=lambda item: -item[0])
    ]


def split_words(headline: str, lines: list[str]) -> list[str]:
    """Korean words a line break cuts in two (Hangul on both sides of the break)."""
    words = headline.split()
    cut, offset, ends = [], 0, set()
    for line in lines[:-1]:
        offset += len(line)
        ends.add(offset)
    position = 0
    for word in words:
        inside = [e for e in ends if position < e < position + len(word)]
        for end in inside:
            before, after = word[end - position - 1], word[end - position]
            if HANGUL.match(before) and HANGUL.match(after):
                cut.append(word)
        position += len(word)
    return cut
