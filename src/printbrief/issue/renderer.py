"""The issue wing's renderer: a Renderer with the theme's ``issue.css``, and theme-written documents."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import weasyprint

from .. import hotpaths
from ..finish import Rendered
from ..model import Article
from ..renderer import Renderer
from . import flow
from .tasks import ARTICLE_TEMPLATE, STYLESHEET


class IssueRenderer(Renderer):
    """A Renderer for issues: the theme's ``issue.css`` on top of its stylesheets."""

    _starts = 0  # articles in the run being rendered (0: one article)

    def extra_stylesheets(self) -> list[Path]:
        """The theme's ``issue.css``, when it has one."""
        found = self.theme.find(STYLESHEET)
        return [found] if found else []

    def render_in_issue(self, article: Article, context: dict[str, Any]) -> Rendered:
        """An article as one part of an issue: the issue template and context."""

        def html() -> str:
            return self.themed_html(article, template=ARTICLE_TEMPLATE, extra=context)

        return self.bounded(article, html, self.paper)

    def render_run(self, articles: Sequence[tuple[Article, dict[str, Any]]]) -> Rendered:
        """Articles run on one after another (a continuous section): one document, whose
        ``parts`` are each article's pages (from its start to the next one's)."""
        self._starts = len(articles)

        def html() -> str:
            return flow.joined(
                [self.themed_html(a, template=ARTICLE_TEMPLATE, extra=c) for a, c in articles]
            )

        try:
            return self.bounded(articles[0][0], html, self.paper)
        finally:
            self._starts = 0

    def parts(self, document: weasyprint.Document) -> tuple[int, ...]:
        """Each run article's pages, from the page its headline's anchor is on."""
        return flow.parts(document, self._starts) if self._starts else ()

    def render_document(self, html: str, base: Path | None, pages: int = 0) -> Rendered:
        """A document the theme wrote itself (cover and contents, the folio sheet).

        Files are allowed from the theme, the fonts, the ``assets`` folders and ``base``; it
        grows with the issue, not with untrusted input, so the page bound does not apply.
        With ``pages``, a layout of another length is not drawn: the result has no PDF, only
        the page count (the caller guessed the contents' length and lays it out again).
        """
        with hotpaths.speeding():
            document = self._document(html, base)
            if pages and len(document.pages) != pages:
                return Rendered(b"", len(document.pages))
            pdf = document.write_pdf(**self._pdf_options(None))
        assert isinstance(pdf, bytes)
        return Rendered(pdf, len(document.pages))

    def count_pages(self, html: str, base: Path | None) -> int:
        """The pages of a document the theme wrote, laid out only (no PDF is drawn)."""
        with hotpaths.speeding():
            return len(self._document(html, base).pages)

    def _document(self, html: str, base: Path | None) -> weasyprint.Document:
        assets = (*self.assets, *((base,) if base else ()))
        return self._layout_html(html, assets, base, self.paper)
