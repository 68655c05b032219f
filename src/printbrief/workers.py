"""Where an issue's pieces are rendered: in this process, or in a pool of worker processes (``-j N``).

Each worker builds one warm :class:`~printbrief.renderer.Renderer` and renders many
articles with it. Workers are started from a clean ``forkserver`` (``spawn`` where there is
none): forking a process that has already loaded Pango can deadlock, since Pango loads
fontconfig in a thread.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import errors
from .errors import PrintbriefError
from .finish import Rendered
from .limits import DEFAULT_LIMITS, Limits
from .model import Article
from .scratch import new_scratch, remove_scratch, settle_heap, use_scratch

if TYPE_CHECKING:
    from .renderer import Renderer

T = TypeVar("T")

ARTICLE_TEMPLATE = "issue-article.html.j2"
"""The theme template an issue renders its articles with."""


@dataclass(frozen=True)
class Options:
    """How to build a renderer; picklable, so workers can build their own."""

    theme: str = "newsbrief"
    paper: str = "A4"
    theme_paths: tuple[str, ...] = ()
    strict: bool = False
    system_fonts: bool = True
    limits: Limits = DEFAULT_LIMITS

    def renderer(self) -> Renderer:
        """A renderer in issue mode (the theme's ``issue.css`` on top of its stylesheets)."""
        from .renderer import Renderer  # WeasyPrint loads only where something is rendered

        return Renderer(
            self.theme,
            paper=self.paper,
            theme_paths=self.theme_paths,
            strict=self.strict,
            system_fonts=self.system_fonts,
            limits=self.limits,
            issue=True,
        )


@dataclass(frozen=True)
class ArticleJob:
    """One article to render, with its issue context."""

    index: int
    article: Article
    context: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """A rendered article, or the error class name and message; warnings logged in a worker."""

    index: int
    rendered: Rendered | None = None
    error: tuple[str, str] | None = None
    warnings: tuple[str, ...] = field(default=())

    def exception(self, message: str, source: str) -> PrintbriefError:
        """The error as an exception of its original class, with ``message`` and ``source``."""
        name = self.error[0] if self.error else "RenderError"
        cls = getattr(errors, name, errors.RenderError)
        return (
            cls(message, source=source)
            if issubclass(cls, PrintbriefError)
            else errors.RenderError(message, source=source)
        )


def _render_article(renderer: Renderer, job: ArticleJob) -> Outcome:
    try:
        rendered = renderer.render_in_issue(
            job.article, template=ARTICLE_TEMPLATE, extra=job.context
        )
    except PrintbriefError as exc:
        return Outcome(job.index, error=(type(exc).__name__, exc.message))
    return Outcome(job.index, rendered)


class Local:
    """Render in this process, building the renderer on first use."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self._renderer: Renderer | None = None

    @property
    def renderer(self) -> Renderer:
        """The renderer, built on first use (WeasyPrint is imported then)."""
        if self._renderer is None:
            self._renderer = self.options.renderer()
        return self._renderer

    def articles(self, jobs: Sequence[ArticleJob]) -> Iterator[Outcome]:
        """Outcomes in job order."""
        for job in jobs:
            yield _render_article(self.renderer, job)

    def documents(self, documents: Sequence[tuple[str, Path | None]]) -> list[Rendered]:
        """Theme-written documents (HTML, base folder), in order."""
        return [self.renderer.render_document(html, base=base) for html, base in documents]

    def close(self, *, cancel: bool = False) -> None:
        """Nothing to stop in-process."""


class Pool:
    """Render in ``workers`` processes, each with its own warm renderer."""

    def __init__(self, options: Options, workers: int) -> None:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        self.workers = workers
        self._folder = new_scratch("issue")
        self._executor = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start, initargs=(options, self._folder)
        )

    def articles(self, jobs: Sequence[ArticleJob]) -> Iterator[Outcome]:
        """Outcomes as they finish (not in job order); every job is queued right away."""
        futures = [self._executor.submit(_pool_article, job) for job in jobs]
        return (_result(future) for future in as_completed(futures))

    def document_later(self, html: str, base: Path | None) -> Callable[[], Rendered]:
        """Queue a theme-written document; call the result to wait for it."""
        future = self._executor.submit(_pool_document, html, base)
        return lambda: _result(future)

    def documents(self, documents: Sequence[tuple[str, Path | None]]) -> list[Rendered]:
        """Theme-written documents, rendered in parallel, returned in order."""
        futures: list[Future[Rendered]] = [
            self._executor.submit(_pool_document, html, base) for html, base in documents
        ]
        return [_result(f) for f in futures]

    def close(self, *, cancel: bool = False) -> None:
        """Stop the workers (dropping queued work when ``cancel``) and remove their scratch folder."""
        self._executor.shutdown(wait=True, cancel_futures=cancel)
        remove_scratch(self._folder)


def _result(future: Future[T]) -> T:
    """A worker's result; a worker that died (killed, out of memory) is a RenderError."""
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise errors.RenderError(f"a worker process died: {exc}") from None


# ------------------------------------------------------------------- inside a worker process

_worker: dict[str, Any] = {}


class _Collect(logging.Handler):
    """Keeps a worker's warnings so the parent can log them where the user sees them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _start(options: Options, folder: str) -> None:
    use_scratch(folder)
    collect = _Collect()
    for name in ("printbrief", "weasyprint"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [collect]
        logger.propagate = False
    _worker["collect"] = collect
    _worker["renderer"] = options.renderer()
    settle_heap()


def _pool_article(job: ArticleJob) -> Outcome:
    collect: _Collect = _worker["collect"]
    collect.messages.clear()
    outcome = _render_article(_worker["renderer"], job)
    return Outcome(outcome.index, outcome.rendered, outcome.error, tuple(collect.messages))


def _pool_document(html: str, base: Path | None) -> Rendered:
    renderer: Renderer = _worker["renderer"]
    return renderer.render_document(html, base=base)
