"""A typesetting checker that measures a PDF's glyph boxes (pdfplumber), not the HTML.

It finds the printed lines of the body paragraphs it is given, in reading order, and
reports what a CJK editor checks on the page: non-final lines that do not end flush with
the column edge, kinsoku violations (closing punctuation starting a line, opening
punctuation ending one, a split …… or ——), glyphs outside their column or the page, the
gaps between CJK and Latin or digits, and ruby readings that do not sit centred above a base.
"""

from __future__ import annotations

import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pdfplumber

from halves import left_blank, right_blank

Char = dict[str, Any]
CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
HANGUL = re.compile("[\uac00-\ud7a3]")
LATIN = re.compile("[A-Za-z0-9\u00c0-\u024f]")
# jlreq §3.1.7 / clreq §3.1.5: never at a line start, never at a line end.
NO_START = set("、。，．,.：；？！）」』】〕》〉〗〙”’・：；!?)]}ゝゞヽヾ々〻")
NO_END = set("（「『【〔《〈〖〘“‘([{")
INSEPARABLE = set("…—‥")
TOLERANCE = 0.5  # pt: "flush" means within this of the column edge
COLUMN_GAP = 12.0  # pt: a wider gap across the page's middle separates two columns


@dataclass
class Line:
    """A printed line segment: its glyphs left to right, where it sits, what it says."""

    page: int
    chars: list[Char]
    final: bool = False  # the last line of its paragraph
    word_at_end: str = ""  # the word a line break splits, if it splits one
    justified: bool = False  # in a block the theme justifies, and not its last line
    column: int = 0

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars)

    @property
    def x0(self) -> float:
        """Where the ink starts: an opening mark set in the right half of its em starts halfway."""
        first = next((c for c in self.chars if c["text"].strip()), self.chars[0])
        if first["text"] in left_blank(first["fontname"]):
            return float(first["x0"] + first["size"] / 2)
        return float(self.chars[0]["x0"])

    @property
    def x1(self) -> float:
        """Where the ink ends: a line-final mark set in the left half of its em ends halfway."""
        visible = [c for c in self.chars if c["text"].strip()]
        last = visible[-1]
        if last["text"] in right_blank(last["fontname"]):
            return max([float(last["x0"] + last["size"] / 2), *map(_right, visible[:-1])])
        return max(_right(c) for c in visible)

    @property
    def cjk(self) -> bool:
        return bool(CJK.search(self.text) or HANGUL.search(self.text))


FULL_WIDTH = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff60]")  # not Hangul


def _right(char: Char) -> float:
    """Where a glyph ends. A full-width glyph ends 1 em after it starts: the PDF's /W width
    for it is the advance of its first use, letter spacing included (WeasyPrint 70)."""
    if FULL_WIDTH.match(char["text"]):
        return float(char["x0"] + char["size"])
    return float(char["x1"])


@dataclass
class Report:
    """What the checker measured; ``problems()`` lists everything that fails the bar."""

    lines: list[Line] = field(default_factory=list)
    ragged: list[str] = field(default_factory=list)
    kinsoku: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    cjk_latin_gaps: list[float] = field(default_factory=list)  # in em
    ruby: list[str] = field(default_factory=list)
    broken_words: list[str] = field(default_factory=list)  # Korean words split though they fit
    unmatched: list[str] = field(default_factory=list)

    @property
    def cjk_nonfinal(self) -> int:
        return sum(1 for line in self.lines if line.cjk and line.justified)

    @property
    def flush_fraction(self) -> float:
        total = self.cjk_nonfinal
        return 1.0 if total == 0 else max(0.0, 1 - len(self.ragged) / total)

    def problems(self) -> list[str]:
        return [
            *self.ragged, *self.kinsoku, *self.outside, *self.ruby, *self.broken_words,
            *self.unmatched,
        ]  # fmt: skip

    def summary(self) -> str:
        gaps = f"{min(self.cjk_latin_gaps):.2f}" if self.cjk_latin_gaps else "-"
        return (
            f"{len(self.lines)} body lines, CJK non-final flush {self.flush_fraction:.0%} "
            f"({self.cjk_nonfinal - len(self.ragged)}/{self.cjk_nonfinal}), kinsoku "
            f"{len(self.kinsoku)}, outside {len(self.outside)}, min CJK-Latin gap {gaps} em, "
            f"ruby {len(self.ruby)}, broken words {len(self.broken_words)}, "
            f"unmatched {len(self.unmatched)}"
        )


def check(pdf: bytes, paragraphs: list[Block], *, justified: bool = True) -> Report:
    """Measure the body ``paragraphs`` (their visible text, in order) as printed in ``pdf``.

    ``justified=False``: the theme sets every paragraph ragged (none are checked for flush).
    """
    report = Report()
    if not justified:
        paragraphs = [Block(p.text, False, p.moves) for p in paragraphs]
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        pages = [(p.width, p.height, list(p.chars)) for p in document.pages]
    segments: list[Line] = []
    for number, (width, height, chars) in enumerate(pages):
        report.outside += _off_page(number, chars, width, height)
        readings = _readings(chars)
        report.ruby += _ruby_problems(number, chars, readings)
        segments += _segments(number, [c for c in chars if id(c) not in readings], width)
    report.lines = _match(segments, paragraphs, report)
    _measure(report)
    return report


# ------------------------------------------------------------------------ lines and order


def _baseline(char: Char) -> float:
    return round(float(char["matrix"][5]), 1)


def _segments(page: int, chars: list[Char], width: float) -> list[Line]:
    rows: dict[float, list[Char]] = defaultdict(list)
    for char in chars:
        key = next((k for k in rows if abs(k - _baseline(char)) < 1.0), _baseline(char))
        rows[key].append(char)
    found = []
    for _, row in sorted(rows.items(), key=lambda item: -item[0]):
        row.sort(key=lambda c: c["x0"])
        start = 0
        for i in range(1, len(row) + 1):
            if i == len(row) or _column_gap(row[i - 1]["x1"], row[i]["x0"], width):
                segment = Line(page, row[start:i])
                segment.column = int(segment.x0 > width / 2)
                found.append(segment)
                start = i
    found.sort(key=lambda s: (s.column, -_baseline(s.chars[0])))
    return found


_MARKER = re.compile(r"^(?:[•◦▪‣–-]|\d+[.)])")


def _column_gap(left: float, right: float, width: float) -> bool:
    """A gap between two glyphs that spans the page's middle (the columns' gutter)."""
    return right - left > COLUMN_GAP and left < width / 2 < right


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _match(segments: list[Line], paragraphs: list[Block], report: Report) -> list[Line]:
    """The segments that print the paragraphs; each knows whether it ends one.

    The flow is matched in order. A figure's caption moves with its picture (a picture that
    would leave a gap moves on past the text after it), so each caption is matched on its own
    among the segments the flow left.
    """
    matched = _match_in_order(segments, [p for p in paragraphs if not p.moves], report)
    for caption in (p for p in paragraphs if p.moves):
        taken = {id(s) for s in matched}
        matched += _match_in_order([s for s in segments if id(s) not in taken], [caption], report)
    return matched


def _match_in_order(segments: list[Line], paragraphs: list[Block], report: Report) -> list[Line]:
    """The segments that print the paragraphs, in order; each knows whether it ends one."""
    stream = "".join(_squash(p.text) for p in paragraphs)
    ends, total, unjustified = set(), 0, set()
    for paragraph in paragraphs:
        start, total = total, total + len(_squash(paragraph.text))
        ends.add(total)
        if not paragraph.justified:
            unjustified.update(range(start, total))
    words = _word_spans(paragraphs)
    cursor, matched = 0, []
    for segment in sorted(segments, key=lambda s: s.page):
        # As printed, less a list item's bullet or number, less a hyphen added by automatic
        # hyphenation (it extracts as U+00AD), or both ("1.40 a.m. … Saltg-" is no list item).
        squashed = _squash(segment.text)
        candidates = [squashed, _MARKER.sub("", squashed)]
        candidates += [c[:-1] for c in candidates if c.endswith(("-", "\u2010", "\xad"))]
        text = next((c for c in candidates if c and stream.startswith(c, cursor)), "")
        if text:
            cursor += len(text)
            segment.final = cursor in ends
            segment.word_at_end = "" if segment.final else _split_word(words, cursor)
            segment.justified = not segment.final and cursor - 1 not in unjustified
            matched.append(segment)
    if cursor < len(stream):
        report.unmatched.append(f"body text not found from: {stream[cursor : cursor + 30]!r}")
    return matched


def _word_spans(paragraphs: list[Block]) -> list[tuple[int, int, str]]:
    """Every word (run between spaces) as its start and end in the squashed stream."""
    spans, offset = [], 0
    for paragraph in paragraphs:
        for word in paragraph.text.split():
            spans.append((offset, offset + len(word), word))
            offset += len(word)
    return spans


def _split_word(words: list[tuple[int, int, str]], cursor: int) -> str:
    """The word a break at ``cursor`` falls inside (Hangul letters on both sides), or ''."""
    for start, end, word in words:
        if start < cursor < end:
            before, after = word[cursor - start - 1], word[cursor - start]
            return word if HANGUL.match(before) and HANGUL.match(after) else ""
    return ""


# ------------------------------------------------------------------------------ measures


def _measure(report: Report) -> None:
    edges = _column_edges(report.lines)
    previous: Line | None = None
    for line in report.lines:
        left, right = edges[(line.page, line.column)]
        where = f"p{line.page + 1} {line.text[:12]!r}…{line.text[-6:]!r}"
        if line.cjk and line.justified and abs(line.x1 - right) > TOLERANCE:
            report.ragged.append(f"ragged {right - line.x1:+.2f} pt: {where}")
        if line.x1 > right + TOLERANCE or line.x0 < left - TOLERANCE:
            report.outside.append(f"outside its column: {where}")
        if previous is not None and line.cjk and abs(line.x0 - left) > TOLERANCE:
            report.ragged.append(f"starts {line.x0 - left:+.2f} pt in: {where}")
        report.kinsoku += _kinsoku(line, previous, where)
        if line.word_at_end and len(line.word_at_end) * _size(line) < right - left:
            report.broken_words.append(f"word {line.word_at_end!r} split though it fits: {where}")
        report.cjk_latin_gaps += _cjk_latin_gaps(line)
        previous = None if line.final else line


def _size(line: Line) -> float:
    return float(max(c["size"] for c in line.chars))


def _column_edges(lines: list[Line]) -> dict[tuple[int, int], tuple[float, float]]:
    """Each column's edges: its leftmost start, and the furthest end shared by two lines.

    Full lines share the column's end; ragged lines fall short of it and an overflowing
    line passes it, and two of those rarely end at the same place.
    """
    by_column: dict[int, list[Line]] = defaultdict(list)
    for line in lines:
        by_column[line.column].append(line)
    edges = {}
    for column, members in by_column.items():
        left = min(line.x0 for line in members)
        ends = Counter(round(line.x1 * 2) / 2 for line in members if line.justified)
        shared = [end for end, count in ends.items() if count >= 2]
        shared = shared or [max(line.x1 for line in members)]
        for line in members:
            edges[(line.page, column)] = (left, max(shared))
    return edges


def _kinsoku(line: Line, previous: Line | None, where: str) -> list[str]:
    text = line.text.strip()
    found = []
    if text and text[0] in NO_START:
        found.append(f"kinsoku: line starts with {text[0]!r}: {where}")
    if text and text[-1] in NO_END:
        found.append(f"kinsoku: line ends with {text[-1]!r}: {where}")
    before = previous.text.strip() if previous else ""
    if before and text and before[-1] == text[0] and text[0] in INSEPARABLE:
        found.append(f"kinsoku: {text[0] * 2!r} split across lines: {where}")
    return found


def _cjk_latin_gaps(line: Line) -> list[float]:
    gaps = []
    for a, b in zip(line.chars, line.chars[1:], strict=False):
        pair = (
            (CJK.match(a["text"]), LATIN.match(b["text"])),
            (LATIN.match(a["text"]), CJK.match(b["text"])),
        )
        if any(all(p) for p in pair):
            gaps.append((b["x0"] - a["x1"]) / max(a["size"], b["size"]))
    return gaps


def _off_page(page: int, chars: list[Char], width: float, height: float) -> list[str]:
    return [
        f"p{page + 1} {c['text']!r} outside the page at x {c['x0']:.1f}–{c['x1']:.1f}"
        for c in chars
        if c["text"].strip()
        and (c["x0"] < -0.01 or c["x1"] > width + 0.01 or c["top"] < 0 or c["bottom"] > height)
    ]


# ---------------------------------------------------------------------------------- ruby


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


def _ruby_problems(page: int, chars: list[Char], readings: set[int]) -> list[str]:
    """Each run of readings must be centred (±1 pt) over the base glyphs right under it."""
    problems = []
    for run in _runs([c for c in chars if id(c) in readings]):
        lo, hi = run[0]["x0"], run[-1]["x1"]
        below = [c for c in chars if id(c) not in readings and any(_base_of(r, c) for r in run)]
        if not below:
            continue

        def overlap(c: Char, lo: float = lo, hi: float = hi) -> float:
            return float(min(c["x1"], hi) - max(c["x0"], lo))

        base = [c for c in below if overlap(c) >= 0.5 * (c["x1"] - c["x0"]) - 0.01]
        base = base or [max(below, key=overlap)]
        centre = (min(c["x0"] for c in base) + max(c["x1"] for c in base)) / 2
        if abs((lo + hi) / 2 - centre) > 1.0:
            text = "".join(c["text"] for c in run)
            problems.append(
                f"p{page + 1} ruby {text!r} off centre by {(lo + hi) / 2 - centre:+.1f} pt"
            )
    return problems


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


# ------------------------------------------------------------------------ what to expect

_BLOCKS = {"p", "h1", "h2", "h3", "h4", "li", "blockquote", "figcaption", "dt", "dd", "td", "th",
           "pre", "aside", "br", "figure", "ul", "ol", "table", "tr"}  # fmt: skip


class _Blocks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[Block] = [Block("", False)]
        self.hidden = 0  # inside <rt> or <rp>
        self.asides = 0  # inside <aside> or <figure>: not justified
        self.figures = 0  # inside <figure>: moves with its picture

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, +1)
        if tag == "p" and not self.asides:
            self.blocks[-1].justified = True

    def handle_endtag(self, tag: str) -> None:
        self._tag(tag, -1)

    def _tag(self, tag: str, step: int) -> None:
        if tag in ("rt", "rp"):
            self.hidden += step
        elif tag in _BLOCKS:
            self.asides += step * (tag in ("aside", "figure"))
            self.figures += step * (tag == "figure")
            if self.blocks[-1].text.strip():
                self.blocks.append(Block("", False))
            elif tag == "br":
                self.blocks[-1].justified = False
            self.blocks[-1].moves = self.figures > 0

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.blocks[-1].text += data


@dataclass
class Block:
    """A block of a body as printed: its visible text and whether the theme justifies it."""

    text: str
    justified: bool
    moves: bool = False  # a figure's caption: prints wherever its picture lands


def body_paragraphs(body_html: str) -> list[Block]:
    """The visible text of each block of a body (ruby readings left out), in order."""
    parser = _Blocks()
    parser.feed(body_html)
    return [block for block in parser.blocks if block.text.strip()]
