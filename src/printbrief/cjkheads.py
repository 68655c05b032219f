"""CJK headlines: lines broken between phrases where they fit, and balanced.

WeasyPrint 70 has no ``text-wrap: balance``, and Pango breaks Chinese and Japanese between
any two characters, so a headline's last line may hold one character or split a word
(``手 | 续``). Part of :mod:`printbrief.cjk`, which installs :func:`balancer` around
``layout/inline.py`` ``iter_line_boxes``. For the ``h1`` of a Chinese, Japanese or Korean
document it lays the headline out several times and keeps the best:

* breaking only between phrases (:func:`phrases`; Korean keeps whole words anyway), unless
  that needs two more lines than breaking anywhere (one more, if a phrase longer than a line
  had to break anyway);
* a phrase longer than the line broken at its best place (:func:`cuts`): before a date or
  a time (``…倉庫 | 七月變身…``), where Han or kana meet Latin or digits, or in Japanese
  where kanji and katakana meet; else anywhere that leaves two characters or more of it on
  either line;
* at the narrowest measure that keeps the line count (found by bisection to ½ em, as
  browsers balance), so the lines come out about equally long and the last one is never a
  lone character; the lines are then aligned in the full measure.

No character is added to the text: the breaks are Pango attributes (:mod:`printbrief.cjkbreak`).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any

from .cjkjustify import _boxes
from .cjkscript import ACTIVE, BROKEN, CJK, PHRASES
from .i18n import script_key

_BISECTIONS = 6  # at most; it stops once the bounds are ½ em apart
_CLOSE = frozenset("、。，．：；！？）」』】〕》〉〗〙〛”’…—・)]}")  # not .,: (1.2, 3:1)
_OPEN = frozenset("（「『【〔《〈〖〘〚“‘([{")
_SPACE = frozenset(" \u00a0\u3000")
_HIRAGANA = re.compile("[\u3041-\u309f]")
_ZH_PHRASE_END = frozenset("的了")
_NUMERALS = frozenset("〇零一二三四五六七八九十百千两兩0123456789０１２３４５６７８９")
_TIME_UNITS = frozenset("年月日号號时時点點周週")
_ALNUM = re.compile("[A-Za-z0-9]")
_CUTS: ContextVar[dict[str, tuple[int, ...]] | None] = ContextVar(
    "printbrief_cjk_head_cuts", default=None
)  # phrases too long for the line, and where :func:`phrases` may cut them


def phrases(text: str, lang: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each phrase of ``text``: runs a headline does not break inside.

    Phrases end at spaces, after closing or stopping punctuation and before opening
    brackets; in Japanese also where a run of hiragana (particles, endings) meets kanji,
    katakana or Latin; in Chinese after 的 and 了.

    >>> [("県内初の電動フェリー「しおかぜ」、5月から")[a:b] for a, b in phrases(
    ...     "県内初の電動フェリー「しおかぜ」、5月から", "ja")]
    ['県内初の', '電動フェリー', '「しおかぜ」、', '5月から']
    """
    found = _phrases(text, script_key(lang))
    if long := _CUTS.get():
        return [piece for span in found for piece in _cut(text, span, long)]
    return list(found)


@functools.lru_cache(maxsize=512)
def _phrases(text: str, key: str) -> tuple[tuple[int, int], ...]:
    """:func:`phrases` before any cut, kept: balancing a headline lays the same text out
    again and again."""
    found, start = [], 0
    for i in range(1, len(text) + 1):
        if i == len(text) or _boundary(text[i - 1], text[i], key):
            if text[start:i].strip():
                found.append((start + _lead(text[start:i]), i - _trail(text[start:i])))
            start = i
    return tuple(found)


def _cut(
    text: str, span: tuple[int, int], long: dict[str, tuple[int, ...]]
) -> list[tuple[int, int]]:
    """``span`` in pieces at the cuts of the long phrase it is (or is part of: a text box
    may hold the rest of a phrase after a line break, or the part before a CJK–Latin gap)."""
    start, end = span
    for phrase, points in long.items():
        if (at := phrase.find(text[start:end])) >= 0:
            inner = [start + p - at for p in points if start < start + p - at < end]
            return list(zip([start, *inner], [*inner, end], strict=True))
    return [span]


def cuts(phrase: str, lang: str) -> tuple[int, ...]:
    """Where a ``phrase`` longer than the line breaks best: before a date or time, where Han
    or kana meet Latin or digits, in Japanese where kanji and katakana meet; failing those,
    anywhere. Never leaving a lone character (punctuation aside) on either side.

    >>> p = "舊三號碼頭倉庫七月變身社區圖書館"
    >>> [p[:k] + "|" + p[k:] for k in cuts(p, "zh-Hant")]
    ['舊三號碼頭倉庫|七月變身社區圖書館']
    >>> cuts("電動フェリー", "ja"), cuts("社區圖書館", "zh-Hant")
    ((2,), (2, 3))
    """
    key = script_key(lang)
    inner = [k for k in range(1, len(phrase)) if _both_sides_hold_two(phrase, k)]
    weak = [k for k in inner if _weak(phrase, k, key)]
    return tuple(weak or inner)


def _both_sides_hold_two(phrase: str, k: int) -> bool:
    def count(part: str) -> int:
        return sum(1 for c in part if c not in _CLOSE and c not in _OPEN and c not in _SPACE)

    return count(phrase[:k]) >= 2 and count(phrase[k:]) >= 2


def _weak(phrase: str, k: int, key: str) -> bool:
    before, after = phrase[k - 1], phrase[k]
    if CJK.match(before) and _ALNUM.match(after):
        return True
    if _ALNUM.match(before) and not before.isdigit() and CJK.match(after):
        return True
    if before not in _NUMERALS and after in _NUMERALS:
        rest = phrase[k:].lstrip("".join(_NUMERALS))
        return bool(rest) and rest[0] in _TIME_UNITS
    if key == "ja":
        kanji, katakana = _kanji_katakana()
        return bool(kanji.match(before) and katakana.match(after)) or bool(
            katakana.match(before) and kanji.match(after)
        )
    return False


@functools.cache
def _kanji_katakana() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Compiled on first use (Japanese only): a class of Han code points takes milliseconds."""
    return re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"), re.compile(
        "[\u30a1-\u30fa\u30fc]"
    )


def _boundary(before: str, after: str, key: str) -> bool:
    if before in _SPACE or after in _SPACE:
        return True
    if after in _CLOSE:
        return False
    if before in _CLOSE or (after in _OPEN and before not in _OPEN):
        return True
    if key == "ja":
        return bool(_HIRAGANA.match(before)) and not _HIRAGANA.match(after) and after != "ー"
    return key.startswith("zh") and before in _ZH_PHRASE_END and bool(CJK.match(after))


def _lead(text: str) -> int:
    return len(text) - len(text.lstrip("".join(_SPACE)))


def _trail(text: str) -> int:
    return len(text) - len(text.rstrip("".join(_SPACE)))


def is_headline(block: Any) -> bool:
    """Whether a block box is a CJK document's headline (its ``h1``)."""
    lang = (block.style["lang"] or "").lower()
    return getattr(block, "element_tag", None) == "h1" and lang.startswith(("zh", "ja", "ko"))


# ------------------------------------------------------------------------------ balancing


def balancer(original: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """``iter_line_boxes`` that lays a CJK headline out between phrases, balanced."""

    def iter_line_boxes(context: Any, box: Any, position_y: float, bottom_space: float,
                        skip_stack: Any, containing_block: Any, *rest: Any) -> Iterator[Any]:  # fmt: skip
        args = (context, box, position_y, bottom_space, skip_stack, containing_block, *rest)
        if not (ACTIVE.get() and skip_stack is None and is_headline(containing_block)):
            return original(*args)
        return _aligned(_plan(original, args), containing_block)

    return iter_line_boxes


class _Trial:
    """One layout of the headline in a given measure: its lines, and how many of them broke
    inside a phrase or word."""

    def __init__(self, original: Callable[..., Iterator[Any]], args: tuple[Any, ...],
                 phrased: bool, width: float,
                 long: dict[str, tuple[int, ...]] | None = None) -> None:  # fmt: skip
        block = args[5]
        self.phrased, self.width, full, block.width = phrased, width, block.width, width
        self.long = long  # phrases longer than the line, cut where :func:`cuts` says
        broken = [0]
        self.outside: tuple[list[Any], list[Any]] = ([], [])  # a trial's own out-of-flow boxes
        tokens = PHRASES.set(phrased), BROKEN.set(broken), _CUTS.set(long)
        try:
            self.lines = list(original(*args[:6], *self.outside, *args[8:]))
        finally:
            block.width = full
            _CUTS.reset(tokens[2])
            BROKEN.reset(tokens[1])
            PHRASES.reset(tokens[0])
        self.broken = broken[0]
        self.last = _text(self.lines[-1][0]) if self.lines else ""

    @property
    def count(self) -> int:
        return len(self.lines)

    def no_worse_than(self, other: _Trial) -> bool:
        return self.count <= other.count and self.broken <= other.broken

    @property
    def inside(self) -> bool:
        """Whether a line broke inside a phrase (one too long for the line)."""
        return bool(self.broken or self.long)


def _text(line: Any, squashed: bool = True) -> str:
    texts, stack = [], [line]
    while stack:
        box = stack.pop()
        texts.append(getattr(box, "text", "") or "")
        stack.extend(reversed(getattr(box, "children", [])))
    return "".join("".join(texts).split()) if squashed else "".join(texts)


def _plan(original: Callable[..., Iterator[Any]], args: tuple[Any, ...]) -> _Trial:
    """The layout to print: between phrases unless that leaves one character alone or costs
    two lines (one, when a phrase longer than a line broke anyway: a quoted name split in
    two reads worse than a third line), in the narrowest measure that keeps its line count."""
    full = args[5].width
    best = _Trial(original, args, True, full)
    if best.broken and (long := _long_phrases(best, args)):
        finer = _Trial(original, args, True, full, long)
        if finer.count <= best.count and finer.broken < best.broken:
            best = finer
    if best.count >= 3 or (best.count == 2 and len(best.last) < 2):
        # Breaking anywhere may save a line (with 2 lines it cannot: 1 would fit phrased too).
        anywhere = _Trial(original, args, False, full)
        if anywhere.count < best.count - (not best.inside) or len(best.last) < 2:
            best = anywhere
    if best.count >= 2:
        best = _balanced(original, args, best)
    args[6].extend(best.outside[0])  # the absolutely positioned and fixed boxes it placed
    args[7].extend(best.outside[1])
    return best


def _long_phrases(trial: _Trial, args: tuple[Any, ...]) -> dict[str, tuple[int, ...]]:
    """The phrases a line of ``trial`` broke inside (longer than the line), with their cuts.
    None in Korean, whose words are its phrases and break between syllables where they must."""
    text, lang = _text(args[1], squashed=False), args[5].style["lang"] or ""
    if script_key(lang) == "ko":
        return {}
    ends, offset = set(), 0
    for line, _ in trial.lines[:-1]:
        offset += len(_text(line))
        ends.add(offset)
    long = {}
    for start, end in phrases(text, lang):
        first = len("".join(text[:start].split()))
        if any(first < e < first + len("".join(text[start:end].split())) for e in ends):
            long[text[start:end]] = cuts(text[start:end], lang)
    return long


def _balanced(
    original: Callable[..., Iterator[Any]], args: tuple[Any, ...], best: _Trial
) -> _Trial:
    """``best`` laid out in the narrowest measure that keeps its lines and phrases (to ½ em).

    A measure that holds every line of ``best`` as it was broken gives the same lines again
    (each line is filled as far as it fits, and no more fitted at the wider measure):
    :func:`_settled` tells it from the lines. Such a measure is taken without a layout, and
    the last one taken is laid out only if no narrower one keeps the lines and the measure
    moves them (:func:`_measureless`): the Japanese sample's headline is laid out once, as
    WeasyPrint alone would, and so is zh-Hans's (they took 2 and 3 layouts).
    """
    em = float(args[1].style["font_size"])
    widths = [line.width for line, _ in best.lines]
    low, high = sum(widths) / best.count - em / 2, float(args[5].width)
    settled, pending = _settled(best, args[5]), None
    overflows = _Overflow(best, args[5], em)
    for _ in range(_BISECTIONS):
        if high - low < em / 2:
            break
        width = (low + high) / 2
        if width >= settled:
            pending = high = width
            continue
        if overflows(width):
            low = width
            continue
        trial = _Trial(original, args, best.phrased, width, best.long)
        if trial.no_worse_than(best):
            best, high, pending = trial, width, None
            settled = _settled(trial, args[5])
            overflows = _Overflow(best, args[5], em)
        else:
            low = width
    if pending is not None and not _measureless(best, args):
        best = _Trial(original, args, best.phrased, pending, best.long)
    return best


def _settled(trial: _Trial, block: Any) -> float:
    """The narrowest measure known to break ``trial``'s lines where they broke: each line
    as wide as it took when broken, that is with what its edges gave up afterwards
    (``pb_trimmed``: a CJK–Latin gap, the blank half of an opening bracket) and one letter
    spacing (Pango counts half of it at either end of a line, the line's width holds it
    whole), past rounding."""
    spacing = block.style["letter_spacing"]
    tracking = abs(float(spacing)) if spacing != "normal" else 0.0
    taken = (float(line.width) + getattr(line, "pb_trimmed", 0.0) for line, _ in trial.lines)
    return float(max(taken)) + tracking + _MARGIN


def _measureless(best: _Trial, args: tuple[Any, ...]) -> bool:
    """Whether ``best``'s lines print the same in any measure that keeps them: set flush
    left (``text_align`` offsets them by nothing, CSS Text 3 §6.1), with no indent or float
    and only text and plain inline boxes, nothing sized against the measure (CSS 2.1 §10.2,
    §8.3: percentages of the containing block's width). Then a wider measure known to keep
    them is not laid out again: the Japanese sample's headline is laid out once, as
    WeasyPrint alone would lay it out."""
    context, block = args[0], args[5]
    style = block.style
    flush_left = style["direction"] == "ltr" and style["text_align_all"] in ("start", "left")
    if not flush_left or style["text_align_last"] not in ("auto", "start", "left"):
        return False
    if context.excluded_shapes or _sized(style["text_indent"]) or not best.lines:
        return False
    boxes = _boxes()
    for box in _descendants(best.lines):
        if isinstance(box, boxes.InlineBox):
            if box.style["position"] != "static" or any(map(_sized, _SIDES(box.style))):
                return False
        elif not isinstance(box, (boxes.TextBox, boxes.LineBox)):
            return False  # an inline block (ruby), an image, an out-of-flow box
    return True


def _descendants(lines: Sequence[tuple[Any, Any]]) -> Iterator[Any]:
    """Every box of a trial's lines, the line boxes included."""
    stack = [line for line, _ in lines]
    while stack:
        box = stack.pop()
        yield box
        stack.extend(getattr(box, "children", ()))


_SIDES = operator.itemgetter("margin_left", "margin_right", "padding_left", "padding_right")


def _sized(value: Any) -> bool:
    """Whether a length is a percentage, of the measure."""
    return getattr(value, "unit", None) == "%"


class _Overflow:
    """Whether a measure surely loses ``best``'s line count, told from its lines alone.

    Lines break greedily between phrases, so in a narrower measure none ends later than in
    ``best``; a line of ``best`` wider than the measure loses its last phrase at least, and
    the lines after it must hold that phrase and all they held before. When they cannot (with
    the most kerning and the widest collapsed space each join and break may take away), the
    measure needs another line or a break inside a phrase, and is not laid out: balancing the
    Japanese sample lays its headline out twice instead of five times, to the same lines.
    Told only of a headline set between phrases, none broken, all in one size of type."""

    def __init__(self, best: _Trial, block: Any, em: float) -> None:
        spacing = block.style["letter_spacing"]
        self.em, self._spacing = em, float(spacing) if spacing != "normal" else 0.0
        self.lines = [line for line, _ in best.lines] if _predictable(best, em) else []
        self.tails: dict[int, float | None] = {}

    def __call__(self, width: float) -> bool:
        # A phrase that spans boxes (a CJK–Latin gap's span) and is wider than the measure
        # overflows its line instead of counting as broken: only lines of text alone may
        # hold one that might not fit (alone, a phrase may lose its trimmed ends' em and
        # the half em its last mark was kerned by).
        if any(line.width > width - 2 * self.em and not _plain(line) for line in self.lines):
            return False
        after, count = 0.0, len(self.lines)
        for i in range(count - 1, -1, -1):
            rest = count - 1 - i  # lines after line i, to take what it loses
            # A line's width holds one letter spacing more than Pango's line breaking may
            # count (it trims half of it at either end of a line).
            if self.lines[i].width - max(self._spacing, 0.0) > width + _MARGIN:
                if rest == 0:
                    return True
                tail = self._tail(i)
                if tail is not None and tail + after - self._slack(rest) > rest * width + _MARGIN:
                    return True
            after += self.lines[i].width
        return False

    def _slack(self, rest: int) -> float:
        """The most ``rest`` lines may take away from what they hold end to end: half an em
        of kerning where each line's text joins the next, an em of collapsed space and half
        an em of kerning at each break between them, and the letter spacing at each."""
        spacing = abs(self._spacing)
        return rest * (self.em / 2 + 2 * spacing) + (rest - 1) * (1.5 * self.em + 2 * spacing)

    def _tail(self, i: int) -> float | None:
        """Width of the last phrase of line ``i``, laid out alone; None if it starts before
        the line's last text box (it could span boxes of other styles)."""
        if i not in self.tails:
            self.tails[i] = _tail_width(self.lines[i])
        return self.tails[i]


_MARGIN = 0.01  # px: past rounding, how far past a measure a width surely does not fit


def _predictable(trial: _Trial, em: float) -> bool:
    """Whether :class:`_Overflow` can tell of ``trial``: set between phrases (Chinese or
    Japanese), none broken nor cut, its lines of text boxes in the headline's size only."""
    if not trial.phrased or trial.inside or not trial.lines:
        return False
    boxes = _boxes()
    for box in _descendants(trial.lines):
        if isinstance(box, boxes.TextBox):
            lang = script_key(box.style["lang"] or "")
            if float(box.style["font_size"]) != em or not lang.startswith(("zh", "ja")):
                return False
        elif not isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            return False  # an inline block (ruby), an image, an out-of-flow box
    return True


def _plain(line: Any) -> bool:
    """Whether ``line`` holds text boxes only, which break where they overflow."""
    boxes = _boxes()
    return all(
        isinstance(child, boxes.TextBox) and child.style["white_space"] == "normal"
        for child in line.children
    )


def _tail_width(line: Any) -> float | None:
    boxes = _boxes()
    last, stack = None, [line]
    while stack:
        box = stack.pop()
        if isinstance(box, boxes.TextBox):
            last = box
            break
        stack.extend(getattr(box, "children", ()))
    if last is None:
        return None
    text = last.text.rstrip("".join(_SPACE))
    found = phrases(text, last.style["lang"] or "") if text else []
    if not found or found[-1][0] == 0:
        return None
    from weasyprint.text.line_break import create_layout, line_size

    layout = create_layout(text[found[-1][0] :], last.style, None, None, 0)
    width: float = line_size(layout.get_first_line()[0], last.style)[0]
    layout.deactivate()
    return width


def _aligned(best: _Trial, block: Any) -> Iterator[Any]:
    """The lines of ``best``, moved as the headline's alignment asks in the full measure."""
    share = {"center": 0.5, "right": 1.0, "end": 1.0}.get(block.style["text_align_all"], 0.0)
    for line, resume_at in best.lines:
        if share and best.width < block.width:
            line.translate((block.width - best.width) * share, 0)
        yield line, resume_at
