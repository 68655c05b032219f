"""An issue's render tasks: its articles with the issue template, and theme-written documents.

Both run on any executor through the worker kit (:mod:`printbrief.workers`), so an issue
renders in-process, on local worker processes or on a Dask cluster alike; in the worker
they use an :class:`~printbrief.issue.renderer.IssueRenderer`.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..finish import Rendered
from ..model import Article
from ..options import RenderOptions
from ..workers import Outcome, call_result, relay

if TYPE_CHECKING:
    from .renderer import IssueRenderer

ARTICLE_TEMPLATE = "issue-article.html.j2"
"""The theme template an issue renders its articles with."""
FRONT_TEMPLATE = "issue.html.j2"
"""Cover and contents."""
FOLIO_TEMPLATE = "folios.html.j2"
"""The sheet of "Page N of M" folios stamped onto every page."""
STYLESHEET = "issue.css"
"""The theme's stylesheet for issues (cover, contents, furniture)."""


RENDERER = "printbrief.issue.renderer:IssueRenderer"
"""The renderer class issue workers warm up, by name (naming it costs the client no WeasyPrint)."""

T = TypeVar("T")


def received(future: Future[Outcome[T]]) -> Outcome[T]:
    """A task's outcome, once it is done, its warnings logged in this process."""
    outcome = call_result(future)
    relay(outcome)
    return outcome


def issue_renderer(options: RenderOptions) -> IssueRenderer:
    """This thread's warm IssueRenderer for ``options``."""
    from ..renderer import renderer_for
    from .renderer import IssueRenderer

    renderer = renderer_for(options, IssueRenderer)
    assert isinstance(renderer, IssueRenderer)
    return renderer


@dataclass(frozen=True)
class ArticleTask:
    """Render one article of an issue with its issue context."""

    index: int
    article: Article
    context: dict[str, Any]
    options: RenderOptions

    def run(self) -> Rendered:
        """In the worker: the article as a part of the issue."""
        return issue_renderer(self.options).render_in_issue(self.article, self.context)


@dataclass(frozen=True)
class RunTask:
    """Render a continuous section's articles as one document, one running on under another."""

    index: int
    articles: tuple[tuple[Article, dict[str, Any]], ...]
    options: RenderOptions

    def run(self) -> Rendered:
        """In the worker: the articles run on; ``parts`` are each one's pages."""
        return issue_renderer(self.options).render_run(self.articles)


@dataclass(frozen=True)
class DocumentTask:
    """Render a document the theme wrote (HTML, and the folder its pictures come from)."""

    html: str
    base: Path | None
    options: RenderOptions
    pages: int = 0
    """The page count it should have; laid out with another, it comes back without a PDF."""
    key: str = field(default="", compare=False)

    def run(self) -> Rendered:
        """In the worker: the document as a PDF."""
        return issue_renderer(self.options).render_document(self.html, self.base, self.pages)


@dataclass(frozen=True)
class PageCountTask:
    """Lay out a document the theme wrote and count its pages (the contents' length probe)."""

    html: str
    base: Path | None
    options: RenderOptions

    def run(self) -> int:
        """In the worker: the document's page count; nothing is drawn or sent back but it."""
        return issue_renderer(self.options).count_pages(self.html, self.base)
