"""Stage 5 — render: HTML to PDF with WeasyPrint, reusing fonts, CSS and templates across renders.

With the fetcher, the only module that imports WeasyPrint. The stages, numbered the same in
module docstrings and in ``--debug`` logs: 1 load · 2 body (sanitize) · 3 coverage ·
4 template (themes) · 5 layout (here) · 6 PDF (finish); whole issues add 7 merge.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeAlias

import weasyprint
from weasyprint import CSS, HTML

from . import (
    cjk,
    coverage,
    finish,
    fitting,
    fonts,
    grid,
    hotpaths,
    pagebreaks,
    paper,
    subsetting,
    tables,
    variants,
)
from .assets import asset_dir
from .body import body_html, count_images
from .budget import Abort, Budget, out_of_memory, watch
from .capture import warnings_logged
from .errors import CoverageError, LimitError, PrintbriefError, RenderError, UsageError
from .fetcher import LockedFetcher
from .finish import Finisher, Rendered
from .fontmap import FontConfiguration
from .images import PhotoCache, pillow_bound
from .limits import DEFAULT_LIMITS, Limits
from .load import load
from .model import Article
from .netfetch import Network
from .options import RenderOptions
from .output import write_atomic
from .themes import Theme, document_dates, resolve_theme
from .variants import get_variant

log = logging.getLogger(__name__)


ArticleLike: TypeAlias = "Article | Mapping[str, Any] | str | Path"
"""What a render takes: an Article, a mapping of article fields, or a file path."""


class Renderer:
    """Everything expensive to build, built once: theme, Jinja environment, parsed CSS, fonts.

    Takes a :class:`~printbrief.options.RenderOptions`, or a theme and any of its fields as
    keywords (``Renderer("newsbrief", paper="A5", variant="pdf/a-3b")``): ``paper``,
    ``variant``, ``bleed`` and ``marks`` for press and archive output, ``strict`` to make
    uncovered characters errors, ``system_fonts=False`` for the same output on every
    machine, ``lossless_images=True`` to embed PNG/WebP/GIF photographs as they are.

    Safe by default: no network, no files beyond the theme, the fonts and ``assets`` folders
    (plus the folder of an article loaded from a file), bounded by ``limits``. Pass
    ``allow_hosts`` to let article images come from those hosts over HTTPS.

    One render at a time: a Renderer used by two threads at once raises a
    :class:`~printbrief.errors.UsageError` rather than corrupting WeasyPrint's shared state.
    Threads each keep their own (:func:`renderer_for`, or the :func:`render` shortcut).

    >>> renderer = Renderer("newsbrief", paper="A5", system_fonts=False)
    >>> pdf = renderer.render({"headline": "Tide tables", "body": "High water at *noon*."})
    >>> pdf[:5], pdf.pages
    (b'%PDF-', 1)
    """

    def __init__(
        self,
        theme: RenderOptions | str | Path = "newsbrief",
        *,
        network: Network | None = None,
        fonts_from: Renderer | None = None,
        **options: Any,
    ) -> None:
        """``fonts_from``: a Renderer whose fonts this one reuses when neither theme declares
        ``@font-face`` and the bundled fonts' rules are the same (a live preview's rebuild)."""
        subsetting.install()
        given = theme if isinstance(theme, RenderOptions) else RenderOptions(theme=str(theme))
        self.options = RenderOptions.of(given, **options)
        self.theme: Theme = resolve_theme(self.options.theme, self.options.theme_paths)
        self.variant = get_variant(self.options.variant)
        self.paper, self.strict, self.limits = (
            self.options.paper, self.options.strict, self.options.limits
        )  # fmt: skip
        self.assets = tuple(Path(a).resolve() for a in self.options.assets)
        # `network` is the advanced form of `allow_hosts` (tests pass allow_loopback=True).
        hosts = self.options.allow_hosts
        self.network = network or (Network.from_limits(hosts, self.limits) if hosts else None)
        self.photos = None if self.options.lossless_images else PhotoCache()
        self._fixed_roots = (*self.theme.folders, asset_dir("fonts"))
        self.profile = self._output_profile()
        if self.profile:  # PDF/X-4: every picture and colour in CMYK
            from . import cmyk

            self.photos = cmyk.CmykPictures(self.profile)
            self._fixed_roots += (self.profile.parent,)
        fetcher = LockedFetcher(self._fixed_roots, self.limits)
        self._color_profiles: dict[str, Any] = {}  # @color-profile rules (PDF/X-4's CMYK)
        self.font_config, fonts_css = self._fonts(fonts_from, fetcher)
        self._stylesheets = [
            fonts_css,
            CSS(string=cjk.BASE_CSS, font_config=self.font_config),
            *(self._css(path, fetcher) for path in self.theme.stylesheets),
            *(self._css(path, fetcher) for path in self.extra_stylesheets()),
            *self._press_css(fetcher),
        ]
        self._page_css: dict[str, CSS] = {}
        self._finisher = self._make_finisher()
        self._busy = threading.Lock()
        self.page_css(self.paper)

    def _fonts(
        self, previous: Renderer | None, fetcher: LockedFetcher
    ) -> tuple[FontConfiguration, CSS]:
        """The font configuration and the bundled fonts' ``@font-face`` rules, or ``previous``'s.

        Registering the bundled faces is most of a Renderer's construction. They can be shared
        only when no theme file declares faces of its own: fontconfig keeps every face it was
        given, so an edited theme's old faces would still match.
        """
        self._fonts_css = fonts.font_face_css(self.options.system_fonts, self.theme.cjk_text)
        self._own_faces = _declares_faces(self.theme.folders)
        if (
            previous is not None
            and previous._fonts_css == self._fonts_css
            and not (previous._own_faces or self._own_faces)
        ):
            return previous.font_config, previous._stylesheets[0]
        config = FontConfiguration()
        return config, CSS(string=self._fonts_css, font_config=config, url_fetcher=fetcher)

    def _output_profile(self) -> Path | None:
        """The CMYK output profile of a CMYK variant (PDF/X-4), else None."""
        if self.variant is None or not self.variant.cmyk:
            return None
        from . import cmyk  # colour management only for CMYK output: a faster start without

        return cmyk.output_profile(self.options.output_profile)

    def _intents(self) -> tuple[str, str] | None:
        """The output intent's names for the CMYK profile, or None without one."""
        if not self.profile:
            return None
        from . import cmyk

        return cmyk.intent_names(self.profile, self.options.output_condition)

    def extra_stylesheets(self) -> list[Path]:
        """Stylesheets on top of the theme's (the issue wing adds the theme's ``issue.css``)."""
        return []

    def _css(self, path: Path, fetcher: LockedFetcher) -> CSS:
        return CSS(filename=str(path), font_config=self.font_config, url_fetcher=fetcher)

    def _press_css(self, fetcher: LockedFetcher) -> list[CSS]:
        if not self.profile:
            return []
        from . import cmyk

        css = cmyk.press_css(self.profile)
        return [
            CSS(
                string=css, font_config=self.font_config, url_fetcher=fetcher,
                color_profiles=self._color_profiles,
            )
        ]  # fmt: skip

    def _make_finisher(self, xmp: bytes = b"", *, soft_hyphens: bool = True) -> Finisher:
        marks = tuple(paper.marks_value(self.options.marks).split()) if self.options.marks else ()
        return Finisher(
            weasyprint.__version__,
            xmp,
            standard=bool(self.variant),
            marks=marks,
            soft_hyphens=soft_hyphens,
            output_condition=self._intents(),
            cmyk_profile=self.profile,
        )

    def page_css(self, name: str) -> CSS:
        """The parsed ``@page`` rule (size and bleed) for a paper, cached.

        Marks are not CSS ``marks``: the finisher draws them outside the bleed (press.py).
        """
        if name not in self._page_css:
            rule = paper.page_css(name, self.options.bleed)
            self._page_css[name] = CSS(string=rule, font_config=self.font_config)
        return self._page_css[name]

    def html(self, article: ArticleLike) -> str:
        """Stages 2–4: the themed HTML document WeasyPrint will lay out."""
        return self.themed_html(as_article(article, self.limits))

    def themed_html(
        self, article: Article, *, template: str | None = None, extra: Mapping[str, Any] = {}
    ) -> str:
        """Stages 2–4 with another of the theme's templates and more variables (issues)."""
        body = body_html(article, self.limits)
        log.debug("Step 2 - body sanitized (%d characters)", len(body))
        self._check_images(article, body)
        self._check_coverage(article, body)
        if self.variant:
            variants.check_article(self.variant, article, body, source=_name(article))
        return self.theme.render_html(article, body, template=template, **extra)

    def _check_images(self, article: Article, body: str) -> None:
        count = len(article.images) + count_images(body)
        if count > self.limits.max_images:
            raise LimitError(
                f"the article has {count} images; the limit is {self.limits.max_images}",
                source=_name(article),
                limit="max_images",
            )

    def _check_coverage(self, article: Article, body: str) -> None:
        missing = coverage.check(article, body, system=self.options.system_fonts)
        log.debug("Step 3 - coverage checked (%d missing)", len(missing))
        if not missing:
            return
        listed = "; ".join(str(m) for m in missing[:20])
        more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
        message = f"no bundled or system font covers {listed}{more}"
        if self.strict:
            raise CoverageError(message, source=_name(article))
        log.warning("%s: %s", _name(article), message)

    def render(self, article: ArticleLike, *, paper: str | None = None) -> Rendered:
        """The article (an Article, a mapping of its fields, or a file path) as a PDF.

        The result is the PDF's bytes, with ``pages`` and ``warnings`` (those of loading, such
        as a feed's unmapped fields, included). Raises a
        :class:`~printbrief.errors.PrintbriefError` subclass on bad input or limits.
        """
        with warnings_logged() as loading:
            loaded = as_article(article, self.limits, self.options.input_format)
        result = self.bounded(loaded, lambda: self.themed_html(loaded), paper or self.paper)
        if not loading:
            return result
        return Rendered(result, result.pages, warnings=(*loading, *result.warnings))

    def render_to(self, article: ArticleLike, path: str | Path) -> Path:
        """Render and write atomically: an error never leaves a partial or clobbered file."""
        return write_atomic(path, self.render(article))

    def bounded(self, article: Article, make_html: Callable[[], str], paper_name: str) -> Rendered:
        """Stages 2–6 for ``article`` under its budget, one at a time, errors naming its file."""
        if not self._busy.acquire(blocking=False):
            raise UsageError(
                "this Renderer is rendering in another thread; give each thread its own "
                "(printbrief.renderer.renderer_for) or call printbrief.render()"
            )
        try:
            with warnings_logged() as seen:
                result = self._budgeted(article, make_html, paper_name)
        finally:
            self._busy.release()
        return Rendered(result, result.pages, result.parts, warnings=tuple(seen))

    def _budgeted(
        self, article: Article, make_html: Callable[[], str], paper_name: str
    ) -> Rendered:
        budget = Budget(self.limits)
        try:
            with watch(budget), pillow_bound(self.limits), hotpaths.speeding():
                result = self._render(article, make_html, paper_name, budget)
        except Abort as abort:
            raise _sourced(abort.error, article) from None
        except PrintbriefError as exc:
            raise _sourced(exc, article) from None
        except MemoryError:
            raise out_of_memory(_name(article)) from None
        except RecursionError:
            raise LimitError(
                "the document is nested too deeply to lay out", source=_name(article)
            ) from None
        except Exception as exc:  # WeasyPrint has no error root of its own
            message = _colour_failure(exc) or f"WeasyPrint failed: {type(exc).__name__}: {exc}"
            raise RenderError(message, source=_name(article)) from exc
        log.debug("Step 6 - PDF written (%d bytes, %.0f ms)", len(result), budget.elapsed() * 1000)
        return result

    def _render(
        self, article: Article, make_html: Callable[[], str], paper_name: str, budget: Budget
    ) -> Rendered:
        html = make_html()
        log.debug("Step 4 - template rendered (%d characters)", len(html))
        budget.check_time("template")
        document = self._layout(article, html, paper_name)
        budget.check_pages(len(document.pages))
        budget.check_time("layout")
        html, document = self._tables_fitted(article, html, paper_name, document, budget)
        _, document = self._picture_moved(article, html, paper_name, document, budget)
        document = self._fitted(article, html, paper_name, document, budget)  # each step moves too
        _drop_unsafe_links(document)
        if self.profile and not document.metadata.modified:  # WeasyPrint's X-4 XMP needs one
            document.metadata.modified = document.metadata.created or _parse_iso("").isoformat()
        pdf = document.write_pdf(**self._pdf_options(article, soft_hyphens="\u2010" not in html))
        budget.check_time("PDF")
        assert isinstance(pdf, bytes)
        return Rendered(pdf, len(document.pages), self.parts(document))

    def parts(self, document: weasyprint.Document) -> tuple[int, ...]:
        """Pages of each article a document runs on together; () for one article (issues)."""
        return ()

    def _tables_fitted(
        self,
        article: Article,
        html: str,
        paper_name: str,
        document: weasyprint.Document,
        budget: Budget,
    ) -> tuple[str, weasyprint.Document]:
        """The HTML and layout with each table wider than its column set in smaller type
        (:mod:`printbrief.tables`), one more layout a step, up to :data:`tables.STEPS`, down to
        the theme's ``table_smallest``."""
        sizes: dict[int, float] = {}
        loose: set[int] = set()
        smallest, fitted = self.theme.table_smallest, html
        for step in range(1, tables.STEPS + 1 if "<table" in html else 1):
            if not tables.step_down(tables.too_wide(document), sizes, loose, smallest):
                break
            fitted = tables.resized(html, sizes, loose, smallest)
            document = self._layout(article, fitted, paper_name)
            budget.check_pages(len(document.pages))
            budget.check_time("fitting")
            log.debug("Step 5 - tables step %d: type %s pt, breaking anywhere %s", step,
                      sizes, sorted(loose))  # fmt: skip
        return fitted, document

    def _picture_moved(
        self,
        article: Article,
        html: str,
        paper_name: str,
        document: weasyprint.Document,
        budget: Budget,
    ) -> tuple[str, weasyprint.Document]:
        """The HTML and layout with the first picture that left a page more than the theme's
        ``picture_gap`` empty moved past the text after it, one block
        at a time, until the gap closes; as laid out when it does not close."""
        limit = self.theme.picture_gap
        number = fitting.gap_before_picture(document, limit)
        if number is None:
            return html, document
        moved: str | None = html
        for step in range(1, fitting.PICTURE_MOVES + 1):
            moved = fitting.picture_moved(moved, number) if moved else None
            if moved is None:
                break
            again = self._layout(article, moved, paper_name)
            budget.check_pages(len(again.pages))
            budget.check_time("fitting")
            if fitting.gap_before_picture(again, limit) != number and len(again.pages) <= len(
                document.pages
            ):
                log.debug("Step 5 - picture %d moved past %d blocks of text", number, step)
                return moved, again
        log.debug("Step 5 - picture %d leaves a gap it cannot close", number)
        return html, document

    def _fitted(
        self,
        article: Article,
        html: str,
        paper_name: str,
        document: weasyprint.Document,
        budget: Budget,
    ) -> weasyprint.Document:
        """The first layout without a nearly-empty page or a gap before a picture
        (:func:`~printbrief.fitting.faults`): as laid out, or with one of the theme's fitting
        steps (:mod:`printbrief.fitting`); failing that, the one with fewest."""
        best, fewest = document, fitting.faults(document, self.theme.picture_gap)
        lines = fitting.body_lines(document) if fewest and self.theme.fit_steps else []
        for step in range(1, self.theme.fit_steps + 1 if fewest else 1):
            stepped = fitting.with_step(html, step)
            fitted = self._layout(article, stepped, paper_name)
            budget.check_pages(len(fitted.pages))
            budget.check_time("fitting")
            _, fitted = self._picture_moved(article, stepped, paper_name, fitted, budget)
            again = fitting.body_lines(fitted)
            log.debug("Step 5 - fitting step %d: body lines per page %s → %s", step, lines, again)
            faults = fitting.faults(fitted, self.theme.picture_gap)
            if len(faults) < len(fewest):
                best, fewest = fitted, faults
            if not fewest:
                break
        if fewest:
            log.debug("Step 5 - fitting left %s", ", ".join(fewest))
        return best

    def _layout(self, article: Article, html: str, paper_name: str) -> weasyprint.Document:
        base = next(iter((*_source_dir(article), *self.assets)), None)
        return self._layout_html(html, (*self.assets, *_source_dir(article)), base, paper_name)

    def _layout_html(
        self, html: str, assets: Sequence[Path], base: Path | None, paper_name: str
    ) -> weasyprint.Document:
        fetcher = LockedFetcher(
            self._fixed_roots, self.limits, assets=assets, network=self.network, photos=self.photos
        )
        pagebreaks.install()
        with cjk.typesetting(html), grid.snapping():
            document = HTML(
                string=html,
                base_url=base.as_uri() + "/" if base else None,
                url_fetcher=fetcher,
            ).render(
                stylesheets=[*self._stylesheets, self.page_css(paper_name)],
                font_config=self.font_config,
                color_profiles=dict(self._color_profiles),
            )
        log.debug("Step 5 - laid out %d pages", len(document.pages))
        return document

    def _pdf_options(self, article: Article | None, *, soft_hyphens: bool = True) -> dict[str, Any]:
        """write_pdf options: the finisher, and a variant's metadata and attachments.

        Without an article (a document the theme wrote) only the variant itself applies.
        """
        # A trailer /ID in every file (PDF 2.0 §14.4 requires it): pydyf's is an MD5 of the
        # objects, so output stays byte-reproducible.
        if not self.variant or article is None:
            finisher = self._finisher if soft_hyphens else self._make_finisher(soft_hyphens=False)
            plain: dict[str, Any] = {"finisher": finisher, "pdf_identifier": True}
            return {**plain, "pdf_variant": self.variant.name} if self.variant else plain
        xmp = finish.xmp_extra(
            publication=article.publication, url=article.url, tags=article.tags, lang=article.lang
        )
        options: dict[str, Any] = {
            "finisher": self._make_finisher(xmp, soft_hyphens=soft_hyphens),
            "pdf_variant": self.variant.name,
            "pdf_identifier": True,
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


def _colour_failure(exc: BaseException) -> str | None:
    """A failed colour computation in a theme author's words (:func:`cmyk.colour_failure`)."""
    from . import cmyk

    return cmyk.colour_failure(exc)


def _name(article: Article) -> str | None:
    return str(article.source) if article.source else None


_BINARY = {".ttf", ".otf", ".woff", ".woff2", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".icc"}


def _declares_faces(folders: Sequence[Path]) -> bool:
    """Whether a file of the theme ``folders`` (a stylesheet, a template's ``<style>``)
    holds ``@font-face``; fonts and pictures are not read."""
    for folder in folders:
        for path in folder.rglob("*"):
            if path.suffix.lower() in _BINARY or not path.is_file():
                continue
            if b"@font-face" in path.read_bytes().lower():
                return True
    return False


def as_article(
    article: ArticleLike, limits: Limits = DEFAULT_LIMITS, input_format: str | None = None
) -> Article:
    """An Article as it is; a mapping or a file path loaded (in ``input_format``) and validated."""
    if isinstance(article, Article):
        return article
    if isinstance(article, Mapping | str | Path):
        loaded = load(
            dict(article) if isinstance(article, Mapping) else article,
            max_bytes=limits.max_input_bytes,
            format=input_format,
        )
        log.debug("Step 1 - article loaded (%s)", loaded.source or "a mapping")
        return loaded
    raise UsageError(
        f"expected an Article, a mapping of article fields or a file path, "
        f"not {type(article).__name__}"
    )


_local = threading.local()
RENDERERS_PER_THREAD = 4
"""Renderers one thread keeps warm; a long-lived worker serving many option sets stays bounded."""


def renderer_for(options: RenderOptions, kind: type[Renderer] = Renderer) -> Renderer:
    """This thread's warm renderer of ``kind`` for ``options``, built on first use.

    Rebuilt when a file of its theme changes, so a long-lived worker never goes on with an
    edited theme's old CSS. Renderers are not shared between threads, so any number of threads
    may call this (and :func:`render`) at once; at most :data:`RENDERERS_PER_THREAD` are kept
    per thread.
    """
    cache: OrderedDict[tuple[type[Renderer], RenderOptions], tuple[Renderer, str]]
    cache = _local.__dict__.setdefault("renderers", OrderedDict())
    key = (kind, options)
    found = cache.get(key)
    if found is not None and found[0].theme.digest() == found[1]:
        cache.move_to_end(key)
        return found[0]
    cache.pop(key, None)
    while len(cache) >= RENDERERS_PER_THREAD:
        cache.popitem(last=False)
    renderer = kind(options)
    cache[key] = (renderer, renderer.theme.digest())
    return renderer


@atexit.register
def _drop_renderers() -> None:
    # Release warm renderers before interpreter teardown: WeasyPrint's FontConfiguration.__del__
    # needs module globals that teardown may already have cleared ("Exception ignored in …").
    _local.__dict__.pop("renderers", None)


def render(article: ArticleLike, options: RenderOptions | None = None, **changes: Any) -> Rendered:
    """Render one article (an Article, a mapping, or a file path) to PDF.

    A shortcut over :class:`Renderer`, taking a :class:`RenderOptions` or any of its fields
    as keywords. Renderers are kept warm per thread and option set, so repeated calls are
    fast and any number of threads may call it at once. Safe by default: see :class:`Renderer`.

    >>> pdf = render({"headline": "Harbour reopens", "body": "Ships are back."})
    >>> pdf[:5]
    b'%PDF-'
    """
    chosen = RenderOptions.of(options, **changes)
    loaded = as_article(article, chosen.limits)
    return renderer_for(chosen.check()).render(loaded)
