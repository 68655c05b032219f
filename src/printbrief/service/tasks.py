"""What the service's workers run: one article, or one whole issue, from validated JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..options import RenderOptions


@dataclass(frozen=True)
class RenderArticle:
    """One article as canonical JSON (already validated by the server), and its options."""

    payload: str
    options: RenderOptions

    def run(self) -> bytes:
        """In the worker: the article's PDF."""
        from ..model import validate_article
        from ..renderer import renderer_for

        return renderer_for(self.options).render(validate_article(json.loads(self.payload)))


@dataclass(frozen=True)
class RenderIssue:
    """A whole issue (inline articles only) as JSON, compiled as ``printbrief compile`` does."""

    payload: str
    options: RenderOptions

    def run(self) -> bytes:
        """In the worker: the issue's PDF (cover, contents, bookmarks, folios)."""
        from ..issue.compile import compile_issue

        return compile_issue(json.loads(self.payload), options=self.options, use_cache=False).pdf
