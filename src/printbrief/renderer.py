"""Stage 4 — render: HTML to PDF with WeasyPrint, reusing fonts, CSS and templates across renders.

The only module that imports WeasyPrint. Stages, as numbered in debug logs:
1 body (sanitize) · 2 coverage · 3 template · 4 layout · 5 PDF (finish).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import weasyprint
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from . import coverage, finish, fonts, paper, variants
from .assets import asset_dir
from .body import body_html, count_images
from .budget import Abort, Budget, watch
from .errors import CoverageError, LimitError, PrintbriefError, RenderError
from .fetcher import LockedFetcher
from .finish import Finisher, Rendered
from .images import PhotoCache, pillow_bound
from .limits import DEFAULT_LIMITS, Limits
from .load import load
from .model import Article
from .netfetch import Network
from .output import write_atomic
from .themes import Theme, document_dates, resolve_theme
from .variants import get_variant

log = logging.getLogger(__name__)


RenderResult = Rendered
"""A rendered article: the PDF bytes and how many pages they hold."""

ISSUE_STYLESHEET = "issue.css"
"""The theme's stylesheet for issues (cover, contents, furniture); absent in single renders."""


class Renderer:
    """Everything expensive to build, built once: theme, Jinja environment, parsed CSS, fonts.

    ``paper`` is a name from :data:`printbrief.paper.PAPER_SIZES` or ``WIDTHxHEIGHTmm``;
    ``variant`` one of :data:`printbrief.variants.VARIANTS` (``pdf/a-3b``…); ``bleed`` a
    length (``3mm``) and ``marks`` ``crop``, ``cross`` or ``crop,cross`` for press output;
    ``strict`` turns uncovered characters into errors; ``system_fonts=False`` ignores the
    system's Noto CJK so output is the same on every machine. Opaque photographs in PNG, WebP
    or GIF are embedded as JPEG (quality 92, converted once per image and kept):
    ``lossless_images=True`` embeds them as they are, about 6× slower and 4× larger.

    Safe by default: no network, no files beyond the theme, the fonts and ``assets`` folders
    (plus the folder of an article loaded from a file), bounded by ``limits``. Pass
    ``allow_hosts`` to let article images come from those hosts over HTTPS.

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
        variant: str | None = None,
        bleed: str | None = None,
        marks: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
        allow_hosts: Iterable[str] = (),
        network: Network | None = None,
        issue: bool = False,
        lossless_images: bool = False,
    ) -> None:
        self.theme: Theme = resolve_theme(theme, theme_paths)
        self.variant = get_variant(variant)
        self.bleed, self.marks = bleed, marks
        self.system_fonts = system_fonts
        self.paper = paper
        self.strict = strict
        self.limits = limits
        self.assets = tuple(Path(a).resolve() for a in assets)
        # `network` is the advanced form of `allow_hosts` (tests pass allow_loopback=True).
        hosts = tuple(allow_hosts)
        self.network = network or (Network.from_limits(hosts, limits) if hosts else None)
        self.font_config = FontConfiguration()
        self.photos = None if lossless_images else PhotoCache()
        self._fixed_roots = (*self.theme.folders, asset_dir("fonts"))
        fetcher = LockedFetcher(self._fixed_roots, limits)
        self._stylesheets = [
            CSS(
                string=fonts.font_face_css(self.system_fonts, self.theme.cjk_text),
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
        """The parsed ``@page`` rule (size, bleed, marks) for a paper, cached."""
        if name not in self._page_css:
            rule = paper.page_css(name, self.bleed, self.marks)
            self._page_css[name] = CSS(string=rule, font_config=self.font_config)
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
        self._check_images(article, body)
        self._check_coverage(article, body)
        if self.variant:
            variants.check_article(self.variant, article, body, source=_name(article))
        return self.theme.render_html(article, body, template=template, **(extra or {}))

    def _check_images(self, article: Article, body: str) -> None:
        count = len(article.images) + count_images(body)
        if count > self.limits.max_images:
            raise LimitError(
                f"the article has {count} images; the limit is {self.limits.max_images}",
                source=_name(article),
            )

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
        return self.render_result(article, paper=paper).pdf

    def render_result(self, article: Article, *, paper: str | None = None) -> Rendered:
        """The article as PDF bytes plus its page count (batch summaries report pages)."""
        return self._bounded(article, lambda: self.html(article), paper or self.paper)

    def render_in_issue(
        self, article: Article, *, template: str, extra: Mapping[str, Any]
    ) -> Rendered:
        """An article as one part of an issue: its own template and context, and its page count."""
        return self._bounded(
            article, lambda: self.html(article, template=template, extra=extra), self.paper
        )

    def render_document(self, html: str, *, base: Path | None = None) -> Rendered:
        """A document the theme wrote itself (an issue's cover and contents, its folio sheet).

        Files are allowed from the theme, the fonts, the ``assets`` folders and ``base``; it
        grows with the issue, not with untrusted input, so the page bound does not apply.
        """
        document = self._layout_html(
            html, (*self.assets, *((base,) if base else ())), base, self.paper
        )
        pdf = document.write_pdf(finisher=self._finisher)
        assert isinstance(pdf, bytes)
        return Rendered(pdf, len(document.pages))

    def _bounded(self, article: Article, make_html: Callable[[], str], paper_name: str) -> Rendered:
        budget = Budget(self.limits)
        try:
            with watch(budget), pillow_bound(self.limits):
                result = self._render(article, make_html, paper_name, budget)
        except Abort as abort:
            raise _sourced(abort.error, article) from None
        except PrintbriefError as exc:
            raise _sourced(exc, article) from None
        except RecursionError:
            raise LimitError(
                "the document is nested too deeply to lay out", source=_name(article)
            ) from None
        except Exception as exc:  # WeasyPrint has no error root of its own
            raise RenderError(
                f"WeasyPrint failed: {type(exc).__name__}: {exc}", source=_name(article)
            ) from exc
        log.debug(
            "Step 5 - PDF written (%d bytes, %.0f ms)", len(result.pdf), budget.elapsed() * 1000
        )
        return result

    def _render(
        self, article: Article, make_html: Callable[[], str], paper_name: str, budget: Budget
    ) -> Rendered:
        html = make_html()
        log.debug("Step 3 - template rendered (%d characters)", len(html))
        budget.check_time("template")
        document = self._layout(article, html, paper_name)
        budget.check_pages(len(document.pages))
        budget.check_time("layout")
        _drop_unsafe_links(document)
        pdf = document.write_pdf(**self._pdf_options(article))
        budget.check_time("PDF")
        assert isinstance(pdf, bytes)
        return Rendered(pdf, len(document.pages))

    def _layout(self, article: Article, html: str, paper_name: str) -> weasyprint.Document:
        base = next(iter((*_source_dir(article), *self.assets)), None)
        return self._layout_html(html, (*self.assets, *_source_dir(article)), base, paper_name)

    def _layout_html(
        self, html: str, assets: Sequence[Path], base: Path | None, paper_name: str
    ) -> weasyprint.Document:
        fetcher = LockedFetcher(
            self._fixed_roots, self.limits, assets=assets, network=self.network, photos=self.photos
        )
        document = HTML(
            string=html,
            base_url=base.as_uri() + "/" if base else None,
            url_fetcher=fetcher,
        ).render(
            stylesheets=[*self._stylesheets, self.page_css(paper_name)],
            font_config=self.font_config,
        )
        log.debug("Step 4 - laid out %d pages", len(document.pages))
        return document

    def _pdf_options(self, article: Article) -> dict[str, Any]:
        """write_pdf options: the finisher, and a variant's metadata and attachments."""
        if not self.variant:
            return {"finisher": self._finisher}
        xmp = finish.xmp_extra(
            publication=article.publication, url=article.url, tags=article.tags, lang=article.lang
        )
        options: dict[str, Any] = {
            "finisher": Finisher(weasyprint.__version__, xmp),
            "pdf_variant": self.variant.name,
        }
        if self.variant.attach_source:
            options["attachments"] = [self._source_attachment(article)]
        return options

    def _source_attachment(self, article: Article) -> weasyprint.Attachment:
        """The article as JSON, attached as the PDF/A-3 associated file of relationship Source."""
        created, modified = document_dates(article)
        stamp = _parse_iso(modified or created)
        return weasyprint.Attachment(
            string=article.canonical_json(),
            name=f"{article.id or 'article'}.json",
            description="The printbrief article this PDF was made from",
            relationship="Source",
            created=stamp,
            modified=stamp,
        )

    def render_to(self, article: Article, path: str | Path, *, paper: str | None = None) -> Path:
        """Render and write atomically: an error never leaves a partial or clobbered file."""
        return write_atomic(path, self.render(article, paper=paper))


def _parse_iso(value: str) -> datetime:
    """An ISO date or datetime as an aware datetime; the Unix epoch when there is none."""
    if not value:
        return datetime.fromtimestamp(0, UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


_LINK_SCHEMES = ("http:", "https:", "mailto:")


def _drop_unsafe_links(document: weasyprint.Document) -> None:
    """Keep internal links and http(s)/mailto links; never attachments or other actions.

    The sanitizer already removes ``rel=attachment`` and other schemes; this is the second
    line, because an attachment embeds a fetched file in the PDF (GHSA-35jj-wx47-4w8r).
    """
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if _safe_link(link[0], link[1])]


def _safe_link(kind: str, target: str) -> bool:
    return kind == "internal" or (kind == "external" and target.lower().startswith(_LINK_SCHEMES))


def _sourced(error: PrintbriefError, article: Article) -> PrintbriefError:
    if error.source is None:
        error.source = _name(article)
    return error


def _source_dir(article: Article) -> tuple[Path, ...]:
    return (article.source.parent,) if article.source else ()


def _name(article: Article) -> str | None:
    return str(article.source) if article.source else None


@lru_cache(maxsize=8)
def _shared_renderer(**options: Any) -> Renderer:
    return Renderer(**options)


def render(
    article: Article | dict[str, Any] | str | Path,
    *,
    theme: str = "newsbrief",
    paper: str = "A4",
    variant: str | None = None,
    bleed: str | None = None,
    marks: str | None = None,
    strict: bool = False,
    system_fonts: bool = True,
    theme_paths: Iterable[str | Path] = (),
    assets: Iterable[str | Path] = (),
    limits: Limits = DEFAULT_LIMITS,
    allow_hosts: Iterable[str] = (),
) -> bytes:
    """Render one article (an Article, a mapping, or a file path) to PDF bytes.

    A shortcut over :class:`Renderer` (same options); renderers are kept per option set, so
    repeated calls in one process are warm. Safe by default: see :class:`Renderer`.

    >>> pdf = render({"headline": "Harbour reopens", "body": "Ships are back."})  # doctest: +SKIP
    >>> pdf[:5]                                                                  # doctest: +SKIP
    b'%PDF-'
    """
    if not isinstance(article, Article):
        article = load(article, max_bytes=limits.max_input_bytes)
    renderer = _shared_renderer(
        theme=str(theme), paper=paper, variant=variant, bleed=bleed, marks=marks, strict=strict,
        system_fonts=system_fonts, theme_paths=tuple(map(str, theme_paths)),
        assets=tuple(map(str, assets)), limits=limits, allow_hosts=tuple(allow_hosts),
    )  # fmt: skip
    return renderer.render(article)
