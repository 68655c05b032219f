"""Typographer for every body format: per-language smart quotes, ellipses, dashes, apostrophes."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

# Quotes per script key: primary open/close, secondary open/close.
QUOTES = {
    "latin": "“”‘’",
    "zh-Hans": "“”‘’",
    "zh-Hant": "「」『』",
    "ja": "「」『』",
    "ko": "“”‘’",
}
# A quote that starts a word but elides letters ('90s, rock 'n' roll, 'em, 'til) is an
# apostrophe, U+2019; a smart-quote pass alone would open a quotation with U+2018.
_ELISION = re.compile(
    r"(?<![\w'‘’])'(?=\d\ds?\b|n'|(?:em|til|cause|tis|twas|bout|round)\b)", re.IGNORECASE
)


def mark_elisions(text: str) -> str:
    """Leading apostrophes as ’ (``'90s`` → ``’90s``), before quotes are paired.

    >>> mark_elisions("the '90s and rock 'n' roll")
    "the ’90s and rock ’n' roll"
    """
    return _ELISION.sub("’", text)


def _elisions_rule(state: StateCore) -> None:
    for token in state.tokens:
        for child in token.children or ():
            if child.type == "text":
                child.content = mark_elisions(child.content)


@lru_cache(maxsize=8)
def markdown(script: str) -> MarkdownIt:
    """A CommonMark parser with tables, strikethrough and the typographer for ``script``."""
    from markdown_it import MarkdownIt  # only bodies that need it pay its import (15 ms cold)

    md = MarkdownIt("commonmark", {"typographer": True, "quotes": QUOTES[script]})
    md.enable(["replacements", "smartquotes", "table", "strikethrough"])
    md.core.ruler.before("replacements", "elisions", _elisions_rule)
    return md


def typeset_plain(text: str, script: str) -> str:
    """Plain text with the typographer applied and nothing parsed as Markdown.

    >>> typeset_plain('"Back in the \\'90s..." -- she said', "latin")
    '“Back in the ’90s…” – she said'
    """
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

    md = markdown(script)
    inline = Token("inline", "", 0, content=text, children=[Token("text", "", 0, content=text)])
    state = StateCore(text, md, {}, [inline])
    for rule in md.core.ruler.getRules(""):
        if rule.__name__ in ("_elisions_rule", "replace", "smartquotes"):
            rule(state)
    return "".join(child.content for child in inline.children or ())
