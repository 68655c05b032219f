"""Continuous sections: several articles' HTML joined into one document, and where each starts.

A news-brief section runs its articles on one after another: the theme's article template
renders each (its own kicker, headline, standfirst and byline), and the bodies are joined into
the first article's document. Each headline gets an anchor, so the laid-out document tells on
which page each article starts; the issue counts an article's pages from there to the next
article's start, which is what its contents line and bookmark point at.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

ANCHOR = "pb-run-{}"
"""The id given to the headline of the run's ``n``-th article."""

RUN_CLASS = "pb-run"
"""The class of the block holding a run's articles (themes style ``.pb-run > article``)."""

_BODY = re.compile(r"<body\b[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)
_HEADLINE = re.compile(r"<h1\b", re.IGNORECASE)


def joined(htmls: Sequence[str]) -> str:
    """The first document with every document's body in it, in one ``.pb-run`` block, each
    headline anchored.

    >>> joined(["<html><body><h1>A</h1></body></html>", "<html><body><h1>B</h1></body></html>"])
    '<html><body><div class="pb-run"><h1 id="pb-run-0">A</h1><h1 id="pb-run-1">B</h1></div></body></html>'
    """
    bodies = []
    for number, html in enumerate(htmls):
        found = _BODY.search(html)
        body = found[1] if found else html
        bodies.append(_HEADLINE.sub(f'<h1 id="{ANCHOR.format(number)}"', body, count=1))
    run = f'<div class="{RUN_CLASS}">{"".join(bodies)}</div>'
    first = _BODY.search(htmls[0])
    if first is None:
        return run
    return htmls[0][: first.start(1)] + run + htmls[0][first.end(1) :]


def parts(document: Any, count: int) -> tuple[int, ...]:
    """Pages of each of ``count`` articles: from its headline's page to the next one's."""
    starts: list[int] = []
    for number in range(count):
        anchor = ANCHOR.format(number)
        page = next((i for i, p in enumerate(document.pages) if anchor in p.anchors), None)
        starts.append(page if page is not None else (starts[-1] if starts else 0))
    starts[0] = 0  # the run's first page is its first article's, whatever comes before it
    ends = [*starts[1:], len(document.pages)]
    return tuple(end - start for start, end in zip(starts, ends, strict=True))
