"""Stage 4 — render: HTML to PDF with WeasyPrint, reusing fonts, CSS and templates across renders.

The only module that imports WeasyPrint. Stages, as numbered in debug logs:
1 body (sanitize) · 2 coverage · 3 template · 4 layout · 5 PDF (finish).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import weasyprint
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from . import coverage, fonts, paper
from .assets import asset_dir
from .body import body_html
from .errors import CoverageError, LimitError, PrintbriefError, RenderError
from .fetcher import LockedFetcher
from .finish import Finisher, Rendered
from .limits import DEFAULT_LIMITS, Limits
from .load import load
from .model import Article
from .output import write_atomic
from .themes import Theme, resolve_theme

log = logging.getLogger(__name__)

ISSUE_STYLESHEET = "issue.css"
"""The theme's stylesheet for issues (cover, contents, furniture); absent in single renders."""


class Renderer:
    """Everything expensive to build, built once: theme, Jinja environment, parsed CSS, fonts.

    >>> renderer = Renderer("newsbrief", paper="A4")                       # doctest: +SKIP
    >>> pdf = renderer.render(Article(headline="Tide tables", body="…"))   # doctest: +SKIP
    """

    def __init__(
        self,
        theme: str | Path = "newsbrief",
        *,
        paper: str = "A4",
        theme_paths: Iterable[str | Path] = (),
        assets: Sequence[str | Path] = (),
        strict: bool = False,
        system_fonts: bool = True,
        limits: Limits = DEFAULT_LIMITS,
        issue: bool = False,
    ) -> None:
        self.theme: Theme = resolve_theme(theme, theme_paths)
        self.system_fonts = system_fonts
        self.paper = paper
        self.strict = strict
        self.limits = limits
        self.assets = tuple(Path(a).resolve() for a in assets)
        self.font_config = FontConfiguration()
        self._fixed_roots = (*self.theme.folders, asset_dir("fonts"))
        fetcher = LockedFetcher(self._fixed_roots, limits)
        self._stylesheets = [
            CSS(
                string=fonts.font_face_css(self.system_fonts),
                font_config=self.font_config,
                url_fetcher=fetcher,
            ),
            *(self._css(path, fetcher) for path in self.theme.stylesheets),
            *(self._css(path, fetcher) for path in self._issue_stylesheets(issue)),
        ]
        self._page_css: dict[str, CSS] = {}
        self._finisher = Finisher(weasyprint.__version__)
        self.page_css(paper)

    def _issue_stylesheets(self, issue: bool) -> list[Path]:
        found = self.theme.find(ISSUE_STYLESHEET) if issue else None
        return [found] if found else []

    def _css(self, path: Path, fetcher: LockedFetcher) -> CSS:
        return CSS(filename=str(path), font_config=self.font_config, url_fetcher=fetcher)

    def page_css(self, name: str) -> CSS:
        """The parsed ``@page { size }`` rule for a paper, cached."""
        if name not in self._page_css:
            self._page_css[name] = CSS(string=paper.page_css(name), font_config=self.font_config)
        return self._page_css[name]

    def html(
        self,
        article: Article,
        *,
        template: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> str:
        """Stages 1–3: the themed HTML document WeasyPrint will lay out.

        ``template`` and ``extra`` variables let an issue render its articles with its own
        template (``issue-article.html.j2``) and context.
        """
        body = body_html(article, self.limits)
        log.debug("Step 1 - body sanitized (%d characters)", len(body))
        self._check_coverage(article, body)
        return self.theme.render_html(article, body, template=template, **(extra or {}))

    def _check_coverage(self, article: Article, body: str) -> None:
        missing = coverage.check(article, body, system=self.system_fonts)
        log.debug("Step 2 - coverage checked (%d missing)", len(missing))
        if not missing:
            return
        listed = "; ".join(str(m) for m in missing[:20])
        more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
        message = f"no bundled or system font covers {listed}{more}"
        if self.strict:
            raise CoverageError(message, source=_name(article))
        log.warning("%s: %s", _name(article), message)

    def render(self, article: Article, *, paper: str | None = None) -> bytes:
        """The article as PDF bytes.

        Raises a :class:`~printbrief.errors.PrintbriefError` subclass on bad input or limits.
        """
        started = time.perf_counter()
        html = self.html(article)
        return self._pdf(html, article, paper or self.paper, started).pdf

    def render_in_issue(
        self, article: Article, *, template: str, extra: Mapping[str, Any]
    ) -> Rendered:
        """An article as one part of an issue: its own template and context, and its page count."""
        started = time.perf_counter()
        html = self.html(article, template=template, extra=extra)
        return self._pdf(html, article, self.paper, started)

    def render_document(self, html: str, *, base: Path | None = None) -> Rendered:
        """A document the theme wrote itself (an issue's cover and contents, its folio sheet).

        Files are allowed from the theme, the fonts, the ``assets`` folders and ``base``.
        """
        started = time.perf_counter()
        roots = (*self._fixed_roots, *self.assets, *((base,) if base else ()))
        return self._write(html, roots, base, self.paper, None, started, bounded=False)

    def _pdf(self, html: str, article: Article, paper_name: str, started: float) -> Rendered:
        log.debug("Step 3 - template rendered (%d characters)", len(html))
        roots = (*self._fixed_roots, *self.assets, *_source_dir(article))
        base = next(iter((*_source_dir(article), *self.assets)), None)
        return self._write(html, roots, base, paper_name, _name(article), started)

    def _write(
        self,
        html: str,
        roots: Sequence[Path],
        base: Path | None,
        paper_name: str,
        name: str | None,
        started: float,
        *,
        bounded: bool = True,
    ) -> Rendered:
        try:
            document = self._layout(html, roots, base, paper_name)
            if bounded:  # the theme's own documents grow with the issue, not with input
                self._check_bounds(document, started)
            pdf = document.write_pdf(finisher=self._finisher)
        except PrintbriefError:
            raise
        except RecursionError:
            raise LimitError("the document is nested too deeply to lay out", source=name) from None
        except Exception as exc:  # WeasyPrint has no error root of its own
            raise RenderError(
                f"WeasyPrint failed: {type(exc).__name__}: {exc}", source=name
            ) from exc
        log.debug(
            "Step 5 - PDF written (%d bytes, %.0f ms)",
            len(pdf),
            (time.perf_counter() - started) * 1000,
        )
        assert isinstance(pdf, bytes)
        return Rendered(pdf, len(document.pages))

    def _layout(
        self, html: str, roots: Sequence[Path], base: Path | None, paper_name: str
    ) -> weasyprint.Document:
        document = HTML(
            string=html,
            base_url=base.as_uri() + "/" if base else None,
            url_fetcher=LockedFetcher(roots, self.limits),
        ).render(
            stylesheets=[*self._stylesheets, self.page_css(paper_name)],
            font_config=self.font_config,
        )
        log.debug("Step 4 - laid out %d pages", len(document.pages))
        return document

    def _check_bounds(self, document: weasyprint.Document, started: float) -> None:
        if len(document.pages) > self.limits.max_pages:
            raise LimitError(
                f"the article needs {len(document.pages)} pages; the limit is {self.limits.max_pages}"
            )
        if time.perf_counter() - started > self.limits.max_render_seconds:
            raise LimitError(f"render took longer than {self.limits.max_render_seconds:g} s")

    def render_to(self, article: Article, path: str | Path, *, paper: str | None = None) -> Path:
        """Render and write atomically: an error never leaves a partial or clobbered file."""
        return write_atomic(path, self.render(article, paper=paper))


def _source_dir(article: Article) -> tuple[Path, ...]:
    return (article.source.parent,) if article.source else ()


def _name(article: Article) -> str | None:
    return str(article.source) if article.source else None


@lru_cache(maxsize=8)
def _shared_renderer(
    theme: str, paper_name: str, strict: bool, theme_paths: tuple[str, ...], assets: tuple[str, ...]
) -> Renderer:
    return Renderer(theme, paper=paper_name, strict=strict, theme_paths=theme_paths, assets=assets)


def render(
    article: Article | dict[str, Any] | str | Path,
    *,
    theme: str = "newsbrief",
    paper: str = "A4",
    strict: bool = False,
    theme_paths: Iterable[str | Path] = (),
    assets: Iterable[str | Path] = (),
) -> bytes:
    """Render one article (an Article, a mapping, or a file path) to PDF bytes.

    A shortcut over :class:`Renderer`; renderers are kept per option set, so repeated calls
    in one process are warm.

    >>> pdf = render({"headline": "Harbour reopens", "body": "Ships are back."})  # doctest: +SKIP
    >>> pdf[:5]                                                                  # doctest: +SKIP
    b'%PDF-'
    """
    if not isinstance(article, Article):
        article = load(article)
    renderer = _shared_renderer(
        str(theme), paper, strict, tuple(map(str, theme_paths)), tuple(map(str, assets))
    )
    return renderer.render(article)
