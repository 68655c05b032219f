"""Stage 3 — coverage: which characters of an article no font in its stack can draw (before layout)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from . import fonts
from .body import body_html
from .limits import DEFAULT_LIMITS, Limits
from .model import Article

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Missing:
    """A character that would print as a box (tofu), and where it occurs."""

    char: str
    lang: str
    where: str

    @property
    def codepoint(self) -> str:
        """``U+210C1``."""
        return f"U+{ord(self.char):04X}"

    def __str__(self) -> str:
        return f"{self.codepoint} {self.char} in {self.where} (lang {self.lang})"


def check_article(
    article: Article, *, system: bool = True, limits: Limits = DEFAULT_LIMITS
) -> list[Missing]:
    """Characters of an article that no font in its stack covers.

    >>> from printbrief.model import Article
    >>> [str(m) for m in check_article(Article(headline="Rare 𡃁", body="x"), system=False)]
    ['U+210C1 𡃁 in headline (lang en)']
    """
    return check(article, body_html(article, limits), system=system)


def check(article: Article, body_html: str, *, system: bool = True) -> list[Missing]:
    """Characters the article's fonts do not cover, one entry per character and place."""
    covered: dict[tuple[str, str], bool] = {}  # most characters repeat: look each up once
    found = []
    for text, lang, where in _runs(article, body_html):
        for char in dict.fromkeys(text):  # unique, in order of appearance
            key = (char, lang)
            if key not in covered:
                covered[key] = (
                    fonts.ignorable(char) or fonts.font_for(char, lang, system=system) is not None
                )
            if not covered[key]:
                found.append(Missing(char, lang, where))
    return found


def _runs(article: Article, body_html: str) -> Iterator[tuple[str, str, str]]:
    for field in ("headline", "section", "standfirst", "byline", "publication"):
        value = getattr(article, field)
        if value:
            yield value, article.lang, field
    for i, image in enumerate(article.images):
        for field in ("caption", "credit"):
            value = getattr(image, field)
            if value:
                yield value, article.lang, f"images.{i}.{field}"
    walker = _LangWalker(article.lang)
    walker.feed(body_html)
    walker.close()
    yield from walker.runs


_BLOCKS = {"p", "li", "h2", "h3", "h4", "blockquote", "figcaption", "td", "th", "dt", "dd", "pre"}
_VOID = {"br", "hr", "img", "wbr"}


class _LangWalker(HTMLParser):
    """Collect (text, effective lang, 'body, paragraph N') from sanitized body HTML."""

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = [("", lang)]
        self.block = 0
        self.runs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.block += 1
        if tag not in _VOID:
            lang = dict(attrs).get("lang") or self.stack[-1][1]
            self.stack.append((tag, lang))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.runs.append((data, self.stack[-1][1], f"body, block {max(self.block, 1)}"))
