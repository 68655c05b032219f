""" "Nothing prints over anything": a checker that measures a PDF's glyph, picture and rule boxes.

It reads what pdfplumber finds on each page and reports, as one-line findings:

- a glyph or picture outside the type area, unless it lies wholly in the top or bottom margin
  band and inside the page's left and right margins (running heads and footers);
- two glyph boxes overlapping (different lines, different columns, a table over a column);
- a picture overlapping a glyph, or reaching outside the type area, or drawn out of its own
  proportions (stretched to its box instead of scaled down whole);
- a running head or footer on more than one line, a doubled ellipsis in it, the footer's URL
  run touching the folio, more than one rule under the running head, a rule opening the
  type area above its first line (a separator left at the top of a page);
- a caption whose first and last words are not on the page of a picture right above it;
- a line of body text off its page's baseline grid (body size and face: the commonest);
- a nearly-empty page: fewer than three lines of body text, in an article of two or more
  pages, on a page that is not a picture page;
- a headline with no line of its article's body under it on its page
  (:func:`heads_without_body`, for the articles of an issue's continuous section);
- a gap before a picture: a page ending more than :data:`PICTURE_GAP` of its type area
  above the bottom, when the next page starts with a picture;
- a word of the article split over two lines of small text (table cells, captions) without
  a hyphen ("Containe" / "r quay").
"""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pdfplumber

from halves import left_blank

MM = 72 / 25.4
TOLERANCE = 1.0  # points: rounding in WeasyPrint's layout and in pdfminer's font boxes

# @page margins (top, right, bottom, left) in mm, as each built-in theme's CSS declares them.
MARGINS = {
    "newsbrief": (24.0, 18.0, 20.0, 18.0),
    "broadsheet": (20.0, 15.0, 18.0, 15.0),
    "minimal": (25.0, 22.0, 25.0, 22.0),
}
# The cover of a compiled issue (``@page pb-cover`` in the theme's issue.css; minimal keeps its
# page margins).
COVER_MARGINS = {
    "newsbrief": (18.0, 18.0, 20.0, 18.0),
    "broadsheet": (18.0, 18.0, 20.0, 18.0),
    "minimal": MARGINS["minimal"],
}

Char = dict[str, Any]


@dataclass(frozen=True)
class Box:
    """A rectangle in points from the page's top-left corner."""

    x0: float
    top: float
    x1: float
    bottom: float

    @classmethod
    def of(cls, obj: Char) -> Box:
        return cls(float(obj["x0"]), float(obj["top"]), float(obj["x1"]), float(obj["bottom"]))

    def overlap(self, other: Box) -> tuple[float, float]:
        """Width and height of the intersection (negative when apart)."""
        width = min(self.x1, other.x1) - max(self.x0, other.x0)
        return width, min(self.bottom, other.bottom) - max(self.top, other.top)

    def inside(self, other: Box, tolerance: float = TOLERANCE) -> bool:
        return (
            self.x0 >= other.x0 - tolerance
            and self.x1 <= other.x1 + tolerance
            and self.top >= other.top - tolerance
            and self.bottom <= other.bottom + tolerance
        )


@dataclass(frozen=True)
class Page:
    """What the checker needs of one page: glyphs, pictures, rules and the type area."""

    number: int
    width: float
    height: float
    area: Box
    chars: list[Char]
    images: list[Box]
    rules: list[Box]
    sources: list[tuple[float, float]]  # each picture's width and height in pixels


def pages(pdf: bytes, theme: str, cover: bool = False) -> list[Page]:
    """Every page of ``pdf`` with the type area of ``theme`` (page 1 an issue's ``cover``)."""
    found = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages, 1):
            margins = COVER_MARGINS if cover and number == 1 else MARGINS
            top, right, bottom, left = (m * MM for m in margins[theme])
            width, height = float(page.width), float(page.height)
            chars = [c for c in page.chars if c["text"].strip() and c["x1"] - c["x0"] > 0.1]
            found.append(
                Page(
                    number=number,
                    width=width,
                    height=height,
                    area=Box(left, top, width - right, height - bottom),
                    chars=chars,
                    images=[Box.of(i) for i in page.images],
                    sources=[(float(i["srcsize"][0]), float(i["srcsize"][1])) for i in page.images],
                    rules=_rules([Box.of(r) for r in (*page.rects, *page.lines)]),
                )
            )
    return found


def _rules(shapes: list[Box]) -> list[Box]:
    """Horizontal rules at least 20 pt long: thin shapes, and the edge WeasyPrint draws as the
    difference of two rectangles (a border is an outer and an inner path filled even-odd)."""
    rules = [b for b in shapes if b.bottom - b.top < 2 and b.x1 - b.x0 > 20]
    for a in shapes:
        for b in shapes:
            same_x = abs(a.x0 - b.x0) < 0.5 and abs(a.x1 - b.x1) < 0.5 and a.x1 - a.x0 > 20
            if same_x and 0 < b.top - a.top < 2:
                rules.append(Box(a.x0, a.top, a.x1, b.top))
            if same_x and 0 < b.bottom - a.bottom < 2:
                rules.append(Box(a.x0, a.bottom, a.x1, b.bottom))
    return rules


def check(
    pdf: bytes,
    theme: str,
    captions: Sequence[str] = (),
    url: str | None = None,
    words: set[str] | None = None,
) -> list[str]:
    """Every finding on every page of ``pdf``; an empty list when nothing prints over anything.
    With the article's ``words`` (:func:`words_of`), also words split without a hyphen."""
    found = pages(pdf, theme)
    problems = [p for page in found for p in check_page(page, url)]
    return [
        *problems,
        *check_captions(found, captions),
        *rhythm(found),
        *nearly_empty(found),
        *picture_gaps(found),
        *split_words(found, words or set()),
    ]


def check_issue(pdf: bytes, theme: str, front: int) -> list[str]:
    """Every finding on the pages of a compiled issue: the cover, the ``front - 1`` pages of
    contents and the article pages with the issue's folios stamped on; the article pages'
    body lines on the baseline grid."""
    found = pages(pdf, theme, cover=True)
    return [*(p for page in found for p in check_page(page)), *rhythm(found[front:])]


def check_page(page: Page, url: str | None = None) -> list[str]:
    """The findings of one page."""
    return [
        *outside(page),
        *overprints(page),
        *pictures_over_text(page),
        *distorted(page),
        *furniture(page, url),
    ]


def _where(page: Page, char: Char) -> str:
    return f"page {page.number}: {char['text']!r} at ({char['x0']:.1f}, {char['top']:.1f})"


def outside(page: Page) -> list[str]:
    """Glyphs and pictures that leave the type area (margin furniture excepted)."""
    area = page.area
    head = Box(area.x0, 0, area.x1, area.top)
    foot = Box(area.x0, area.bottom, area.x1, 1e9)
    problems = [
        f"{_where(page, c)} outside the type area"
        for c in page.chars
        if not any(_ink(c).inside(zone) for zone in (area, head, foot))
    ]
    problems += [
        f"page {page.number}: picture {i} outside the type area {area}"
        for i in page.images
        if not i.inside(area)
    ]
    return problems


# Full-width closing punctuation draws in the left half of its em box; at the end of a line the
# font's punctuation compression (halt) halves its advance, so the right half of the box that
# pdfplumber reports (from /Widths) may pass the line's end without any ink there.
_LEFT_HALF_INK = frozenset("，。、；：！？）」』】〕〉》")


def _ink(char: Char) -> Box:
    box = Box.of(char)
    if char["text"] in _LEFT_HALF_INK:
        return Box(box.x0, box.top, (box.x0 + box.x1) / 2, box.bottom)
    if char["text"] in left_blank(char["fontname"]):
        # An opening mark starting a line gives up its blank left half (printbrief.cjk):
        # that half lies outside the column, the ink in the right half of its em.
        size = float(char["size"])
        return Box(box.x0 + size / 2, box.top, box.x0 + size, box.bottom)
    return box


def overprints(page: Page) -> list[str]:
    """Glyph boxes that overlap by more than a third of the smaller one in both directions.

    Neighbours in drawing order on one baseline are exempt: kerning tucks a comma under a "y".
    """
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    boxes = [Box.of(c) for c in page.chars]
    hits: set[tuple[int, int]] = set()
    for index, box in enumerate(boxes):
        for cell in _cells(box):
            for other in grid[cell]:
                kerned = other == index - 1 and abs(boxes[other].bottom - box.bottom) < 0.5
                if not kerned and (other, index) not in hits and _overprint(boxes[other], box):
                    hits.add((other, index))
            grid[cell].append(index)
    return [
        f"{_where(page, page.chars[a])} overprints {page.chars[b]['text']!r} "
        f"at ({page.chars[b]['x0']:.1f}, {page.chars[b]['top']:.1f})"
        for a, b in sorted(hits)
    ]


def _cells(box: Box, size: float = 12.0) -> Iterable[tuple[int, int]]:
    for x in range(int(box.x0 // size), int(box.x1 // size) + 1):
        for y in range(int(box.top // size), int(box.bottom // size) + 1):
            yield x, y


def _overprint(a: Box, b: Box) -> bool:
    width, height = a.overlap(b)
    smaller_w = min(a.x1 - a.x0, b.x1 - b.x0)
    smaller_h = min(a.bottom - a.top, b.bottom - b.top)
    return width > smaller_w / 3 and height > smaller_h / 3


def pictures_over_text(page: Page) -> list[str]:
    """Glyphs drawn on a picture."""
    return [
        f"{_where(page, c)} is on a picture"
        for image in page.images
        for c in page.chars
        if min(image.overlap(Box.of(c))) > TOLERANCE
    ]


def distorted(page: Page, tolerance: float = 0.02) -> list[str]:
    """Pictures drawn in other proportions than their pixels' (``object-fit: fill``)."""
    problems = []
    for image, (width, height) in zip(page.images, page.sources, strict=True):
        drawn = (image.x1 - image.x0) / max(image.bottom - image.top, 1e-6)
        if abs(drawn / (width / height) - 1) > tolerance:
            problems.append(
                f"page {page.number}: picture {image} drawn {drawn:.3f}:1, its pixels "
                f"{width / height:.3f}:1"
            )
    return problems


# ---------------------------------------------------------------------------- furniture


def furniture(page: Page, url: str | None = None) -> list[str]:
    """Running heads and footers: one line each, one ellipsis, URL clear of the folio, one rule."""
    head = [c for c in page.chars if c["bottom"] <= page.area.top + TOLERANCE]
    foot = [c for c in page.chars if c["top"] >= page.area.bottom - TOLERANCE]
    problems = []
    for name, band in (("running head", head), ("footer", foot)):
        lines = _lines(band)
        if len(lines) > 1:
            problems.append(f"page {page.number}: {name} on {len(lines)} lines: {lines}")
        if any("……" in line or "...…" in line for line in lines):
            problems.append(f"page {page.number}: {name} has a doubled ellipsis: {lines}")
    if url:
        problems += _url_clear_of_folio(page, foot, url)
    rules = _merged([r for r in page.rules if r.bottom <= page.area.top + TOLERANCE])
    if len(rules) > 1:
        problems.append(f"page {page.number}: {len(rules)} rules under the running head: {rules}")
    return problems + _rule_over_first_line(page)


def _rule_over_first_line(page: Page) -> list[str]:
    """A rule across half the type area or more, in it, above everything else in it: a
    separator between two articles (or blocks) left at the top of a page."""
    area = page.area
    tops = [float(c["top"]) for c in _in_area(page)] + [i.top for i in page.images]
    first = min(tops, default=area.bottom)
    return [
        f"page {page.number}: a rule at {rule.top:.1f} opens the type area, above its first line"
        for rule in _merged(page.rules)
        if rule.top >= area.top - TOLERANCE
        and rule.bottom < first
        and rule.x1 - rule.x0 >= (area.x1 - area.x0) / 2
    ]


def _lines(chars: list[Char], gap: float = 3.0) -> list[str]:
    """Text of each line in a band (glyphs whose baselines lie within ``gap`` points)."""
    lines: list[list[Char]] = []
    for char in sorted(chars, key=lambda c: c["bottom"]):
        if lines and char["bottom"] - lines[-1][-1]["bottom"] <= gap:
            lines[-1].append(char)
        else:
            lines.append([char])
    return ["".join(c["text"] for c in sorted(line, key=lambda c: c["x0"])) for line in lines]


def _runs(chars: list[Char], gap: float) -> list[list[Char]]:
    """Glyphs of one line split where the space between two is wider than ``gap``."""
    runs: list[list[Char]] = []
    for char in sorted(chars, key=lambda c: c["x0"]):
        if runs and char["x0"] - runs[-1][-1]["x1"] <= gap:
            runs[-1].append(char)
        else:
            runs.append([char])
    return runs


def _url_clear_of_folio(page: Page, foot: list[Char], url: str) -> list[str]:
    """The URL's run ends at least 2 mm before whatever follows it on the footer line."""
    host = re.sub(r"^https?://", "", url)[:12]
    runs = ["".join(c["text"] for c in run) for run in _runs(foot, 2 * MM)]
    glued = [run for run in runs if host in run and not _url_only(run, url)]
    return [f"page {page.number}: footer URL touches its neighbour: {run!r}" for run in glued]


def _url_only(run: str, url: str) -> bool:
    """``run`` is the URL, whole or shortened with one trailing ellipsis."""
    return run == url or (run.endswith("…") and url.startswith(run[:-1].rstrip()))


def _merged(rules: list[Box]) -> list[Box]:
    """Horizontal rules joined where they meet or overlap on the same height."""
    merged: list[Box] = []
    for rule in sorted(rules, key=lambda r: (round(r.top), r.x0)):
        last = merged[-1] if merged else None
        if last and abs(last.top - rule.top) < 1 and rule.x0 <= last.x1 + 0.5:
            merged[-1] = Box(last.x0, last.top, max(last.x1, rule.x1), last.bottom)
        else:
            merged.append(rule)
    return merged


# ---------------------------------------------------------------------------- captions


def check_captions(found: list[Page], captions: Sequence[str]) -> list[str]:
    """Each caption starts and ends on a page with a picture just above its first line."""
    problems = []
    for caption in captions:
        words = caption.split()
        first, last = _squash(" ".join(words[:4])), _squash(" ".join(words[-3:]))
        home = [p for p in found if first in _squash(_text(p)) and last in _squash(_text(p))]
        if not home:
            problems.append(f"caption {caption[:40]!r}… is split across pages or missing")
        elif not any(_picture_above(p, first) for p in home):
            problems.append(f"caption {caption[:40]!r}… is not under a picture on its page")
    return problems


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _text(page: Page) -> str:
    """The page's glyphs in drawing order (WeasyPrint draws a caption's glyphs one after another)."""
    return "".join(c["text"] for c in page.chars)


def _picture_above(page: Page, start: str) -> bool:
    """Some picture's bottom lies within 8 mm above the caption's first glyph."""
    at = _text(page).find(start)
    if at < 0:
        return False
    first = page.chars[at]
    return any(0 <= first["top"] - i.bottom <= 8 * MM for i in page.images)


# ---------------------------------------------------------------------------- baseline rhythm


def baselines(page: Page, size: float, family: str) -> list[float]:
    """Baselines (points from the top) of the lines set in the body size and face."""
    found = {
        round(page.height - float(c["matrix"][5]), 2)
        for c in page.chars
        if abs(float(c["size"]) - size) < 0.05 and _family(c) == family
    }
    return sorted(found)


def _family(char: Char) -> str:
    """``PB-Serif`` of ``ABCDEF+PB-Serif-BoldItalic``: the face's family, in any style."""
    return re.sub(r"-(Bold|Italic|BoldItalic|Regular)$", "", str(char["fontname"]).split("+")[-1])


def body_grid(found: list[Page]) -> tuple[float, str, float]:
    """The body size and family (the commonest glyphs') and the line height (the commonest
    gap between neighbouring body baselines) of a document."""
    faces = Counter((round(float(c["size"]), 2), _family(c)) for p in found for c in p.chars)
    size, family = faces.most_common(1)[0][0]
    gaps = Counter(
        round(b - a, 1)
        for page in found
        for a, b in itertools.pairwise(baselines(page, size, family))
        if b - a > size
    )
    return size, family, gaps.most_common(1)[0][0] if gaps else 0.0


def rhythm(found: list[Page], tolerance: float = 0.5) -> list[str]:
    """Body lines off their page's baseline grid: every line set in the body size, in every
    column, lies a whole number of line heights from the page's first body line."""
    size, family, line = body_grid(found)
    problems = []
    for page in found:
        lines = baselines(page, size, family)
        for baseline in lines[1:]:
            off = (baseline - lines[0]) % line
            if min(off, line - off) > tolerance:
                problems.append(
                    f"page {page.number}: baseline at {baseline:.1f} is {off:.1f} pt off the "
                    f"{line:.1f} pt grid from {lines[0]:.1f}"
                )
    return problems


def body_lines(found: list[Page]) -> list[int]:
    """How many lines of body text (body size and face) each page carries."""
    size, family, _ = body_grid(found)
    return [len(baselines(page, size, family)) for page in found]


def nearly_empty(found: list[Page], least: int = 3) -> list[str]:
    """Pages with fewer than ``least`` lines of body text, unless the article has one page or
    the page is a picture page after the first (pictures 40 % of the type area's height)."""
    if len(found) < 2:
        return []
    return [
        f"page {page.number}: {lines} lines of body text"
        for page, lines in zip(found, body_lines(found), strict=True)
        if lines < least
        and (page.number == 1 or _picture_height(page) < 0.4 * (page.area.bottom - page.area.top))
    ]


def _picture_height(page: Page) -> float:
    return sum(i.bottom - i.top for i in page.images)


def heads_without_body(found: list[Page], headlines: Sequence[str], least: int = 1) -> list[str]:
    """Headlines with fewer than ``least`` lines of body text under them on their page (a
    head block left at the foot of a page, its article starting on the next)."""
    size, family, _ = body_grid(found)
    problems = []
    for headline in headlines:
        end = _squash(headline)[-12:]
        for page in found:
            at = _text(page).find(end)
            if at < 0:
                continue
            bottom = page.chars[at + len(end) - 1]["bottom"]
            under = [b for b in baselines(page, size, family) if b > bottom]
            if len(under) < least:
                problems.append(
                    f"page {page.number}: {headline[:40]!r} has {len(under)} lines under it"
                )
            break
    return problems


# ---------------------------------------------------------------------------- gaps


PICTURE_GAP = 0.15 + 0.02  # printbrief's limit, and the line box's depth below the glyphs


def picture_gaps(found: list[Page]) -> list[str]:
    """Pages ending more than :data:`PICTURE_GAP` of the type area's height above its bottom
    while the next page starts with a picture that did not fit, with body text after it
    (pictures after the end of the text have no text to fill the gap with)."""
    size, family, _ = body_grid(found)
    problems = []
    for before, page in itertools.pairwise(found):
        tops = [(c["top"], "glyph") for c in _in_area(page)] + [
            (i.top, "picture") for i in page.images
        ]
        if not tops or min(tops)[1] != "picture":
            continue
        first = min(page.images, key=lambda i: i.top)
        if not any(b > first.bottom for b in baselines(page, size, family)):
            continue
        bottoms = [c["bottom"] for c in _in_area(before)] + [i.bottom for i in before.images]
        height = before.area.bottom - before.area.top
        empty = (before.area.bottom - max(bottoms, default=before.area.top)) / height
        if empty > PICTURE_GAP:
            problems.append(
                f"page {before.number}: {empty:.0%} of the type area left empty before "
                f"the picture at the top of page {page.number}"
            )
    return problems


def _in_area(page: Page) -> list[Char]:
    """Glyphs in the type area (not the running heads and footers)."""
    area = page.area
    return [
        c
        for c in page.chars
        if c["top"] >= area.top - TOLERANCE and c["bottom"] <= area.bottom + TOLERANCE
    ]


_LETTERS_END = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+$")
_LETTERS_START = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ]+")


def words_of(text: str) -> set[str]:
    """The Latin words of ``text``, lower case (what :func:`split_words` may find split)."""
    return {w.lower() for w in re.findall(r"[A-Za-zÀ-ÖØ-öø-ÿ]+", text)}


def split_words(found: list[Page], words: set[str]) -> list[str]:
    """Lines of text smaller than the body's (table cells, captions) ending inside a word with
    no hyphen: a line's last letters and the first letters of the next line in the same cell
    (same left edge) spell a word of the article that one of the two parts is not."""
    sizes = Counter(round(float(c["size"]), 1) for p in found for c in p.chars)
    body = sizes.most_common(1)[0][0] if sizes else 0.0
    problems = []
    for page in found:
        small = [c for c in page.chars if float(c["size"]) < body - 0.5]
        runs = [run for line in _baselines(small) for run in _runs(line, gap=4.0)]
        for run in runs:
            if (word := _split(run, runs, words)) is not None:
                problems.append(f"page {page.number}: {word!r} split over two lines, no hyphen")
    return problems


def _baselines(chars: list[Char]) -> list[list[Char]]:
    """Glyphs grouped into lines by baseline (within 1 pt), top to bottom."""
    lines: list[list[Char]] = []
    for char in sorted(chars, key=lambda c: c["bottom"]):
        if lines and char["bottom"] - lines[-1][-1]["bottom"] <= 1.0:
            lines[-1].append(char)
        else:
            lines.append([char])
    return lines


def _split(run: list[Char], runs: list[list[Char]], words: set[str]) -> str | None:
    """The word cut between ``run`` and the run starting at its left edge on the next line."""
    size, bottom = float(run[0]["size"]), run[0]["bottom"]
    under = [
        r
        for r in runs
        if abs(r[0]["x0"] - run[0]["x0"]) < 1.5 and 0.8 * size < r[0]["bottom"] - bottom < 2 * size
    ]
    end = _LETTERS_END.search(_spaced(run))
    start = under and _LETTERS_START.search(_spaced(under[0]))
    if not (end and start):
        return None
    head, tail = end[0].lower(), start[0].lower()
    if head + tail in words and not (head in words and tail in words):
        return f"{end[0]}|{start[0]}"
    return None


def _spaced(run: list[Char]) -> str:
    """The text of a run with a space wherever glyphs are apart (pdfplumber's spaces are left
    out of :class:`Page`)."""
    text = str(run[0]["text"])
    for left, right in itertools.pairwise(run):
        text += (" " if right["x0"] - left["x1"] > 0.15 * float(right["size"]) else "") + right[
            "text"
        ]
    return text
