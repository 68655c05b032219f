"""CJK headlines: lines broken between phrases where they fit, and balanced.

WeasyPrint 70 has no ``text-wrap: balance``, and Pango breaks Chinese and Japanese between
any two characters, so a headline's last line may hold one character or split a word
(``手 | 续``). Part of :mod:`printbrief.cjk`, which installs :func:`balancer` around
``layout/inline.py`` ``iter_line_boxes``. For the ``h1`` of a Chinese, Japanese or Korean
document it lays the headline out several times and keeps the best:

* breaking only between phrases (:func:`phrases`; Korean keeps whole words anyway), unless
  that needs two more lines than breaking anywhere (one more, if a phrase longer than a line
  had to break anyway);
* at the narrowest measure that keeps the line count (found by bisection to ½ em, as
  browsers balance), so the lines come out about equally long and the last one is never a
  lone character; the lines are then aligned in the full measure.

No character is added to the text: the breaks are Pango attributes (:mod:`printbrief.cjkbreak`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from .cjkscript import ACTIVE, BROKEN, CJK, PHRASES
from .i18n import script_key

_BISECTIONS = 6  # at most; it stops once the bounds are ½ em apart
_CLOSE = frozenset("、。，．：；！？）」』】〕》〉〗〙〛”’…—・)]}")  # not .,: (1.2, 3:1)
_OPEN = frozenset("（「『【〔《〈〖〘〚“‘([{")
_SPACE = frozenset(" \u00a0\u3000")
_HIRAGANA = re.compile("[\u3041-\u309f]")
_ZH_PHRASE_END = frozenset("的了")


def phrases(text: str, lang: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each phrase of ``text``: runs a headline does not break inside.

    Phrases end at spaces, after closing or stopping punctuation and before opening
    brackets; in Japanese also where a run of hiragana (particles, endings) meets kanji,
    katakana or Latin; in Chinese after 的 and 了.

    >>> [("県内初の電動フェリー「しおかぜ」、5月から")[a:b] for a, b in phrases(
    ...     "県内初の電動フェリー「しおかぜ」、5月から", "ja")]
    ['県内初の', '電動フェリー', '「しおかぜ」、', '5月から']
    """
    key = script_key(lang)
    found, start = [], 0
    for i in range(1, len(text) + 1):
        if i == len(text) or _boundary(text[i - 1], text[i], key):
            if text[start:i].strip():
                found.append((start + _lead(text[start:i]), i - _trail(text[start:i])))
            start = i
    return found


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
                 phrased: bool, width: float) -> None:  # fmt: skip
        block = args[5]
        self.phrased, self.width, full, block.width = phrased, width, block.width, width
        broken = [0]
        self.outside: tuple[list[Any], list[Any]] = ([], [])  # a trial's own out-of-flow boxes
        tokens = PHRASES.set(phrased), BROKEN.set(broken)
        try:
            self.lines = list(original(*args[:6], *self.outside, *args[8:]))
        finally:
            block.width = full
            BROKEN.reset(tokens[1])
            PHRASES.reset(tokens[0])
        self.broken = broken[0]
        self.last = _text(self.lines[-1][0]) if self.lines else ""

    @property
    def count(self) -> int:
        return len(self.lines)

    def no_worse_than(self, other: _Trial) -> bool:
        return self.count <= other.count and self.broken <= other.broken


def _text(line: Any) -> str:
    texts, stack = [], [line]
    while stack:
        box = stack.pop()
        texts.append(getattr(box, "text", "") or "")
        stack.extend(reversed(getattr(box, "children", [])))
    return "".join("".join(texts).split())


def _plan(original: Callable[..., Iterator[Any]], args: tuple[Any, ...]) -> _Trial:
    """The layout to print: between phrases unless that leaves one character alone or costs
    two lines (one, when a phrase longer than a line broke anyway: a quoted name split in
    two reads worse than a third line), in the narrowest measure that keeps its line count."""
    full = args[5].width
    best = _Trial(original, args, True, full)
    if best.count >= 3 or (best.count == 2 and len(best.last) < 2):
        # Breaking anywhere may save a line (with 2 lines it cannot: 1 would fit phrased too).
        anywhere = _Trial(original, args, False, full)
        if anywhere.count < best.count - (best.broken == 0) or len(best.last) < 2:
            best = anywhere
    if best.count >= 2:
        best = _balanced(original, args, best)
    args[6].extend(best.outside[0])  # the absolutely positioned and fixed boxes it placed
    args[7].extend(best.outside[1])
    return best


def _balanced(
    original: Callable[..., Iterator[Any]], args: tuple[Any, ...], best: _Trial
) -> _Trial:
    """``best`` laid out in the narrowest measure that keeps its lines and phrases (to ½ em)."""
    em = float(args[1].style["font_size"])
    widths = [line.width for line, _ in best.lines]
    low, high = sum(widths) / best.count - em / 2, float(args[5].width)
    for _ in range(_BISECTIONS):
        if high - low < em / 2:
            break
        trial = _Trial(original, args, best.phrased, (low + high) / 2)
        if trial.no_worse_than(best):
            best, high = trial, trial.width
        else:
            low = trial.width
    return best


def _aligned(best: _Trial, block: Any) -> Iterator[Any]:
    """The lines of ``best``, moved as the headline's alignment asks in the full measure."""
    share = {"center": 0.5, "right": 1.0, "end": 1.0}.get(block.style["text_align_all"], 0.0)
    for line, resume_at in best.lines:
        if share and best.width < block.width:
            line.translate((block.width - best.width) * share, 0)
        yield line, resume_at
