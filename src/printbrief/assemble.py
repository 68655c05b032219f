"""Whole issues: many articles in one PDF, with cover, contents, bookmarks and running sections.

Each article is rendered on its own (in parallel with ``jobs``; reused from a content-addressed
cache when nothing it depends on changed), which tells printbrief its page count. From the
counts it numbers the issue, renders the cover and contents and a sheet of folios
("Page N of M"), and merges everything into one PDF that embeds each font once.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import paper as papers
from . import plan as planner
from .cache import DEFAULT_FOLDER, Cache, article_key, document_key, fingerprint, text_key
from .errors import InputError, RenderError, UsageError
from .finish import Rendered
from .issue import Issue, LeftOut, load_issue
from .limits import DEFAULT_LIMITS, Limits
from .merge import merge
from .output import write_atomic
from .themes import Theme, resolve_theme
from .workers import ArticleJob, Local, Options, Pool

log = logging.getLogger(__name__)

FRONT_TEMPLATE = "issue.html.j2"
FOLIO_TEMPLATE = "folios.html.j2"
MIN_POOL = 4
"""Fewer articles to render than this are rendered in-process: starting workers costs more."""

Progress = Callable[[int, int], None]


@dataclass
class CompiledIssue:
    """The issue's PDF and what went into it."""

    pdf: bytes
    title: str
    pages: int
    articles: int
    rendered: tuple[int, ...]
    reused: tuple[int, ...]
    left_out: tuple[LeftOut, ...]
    output: Path | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """One line on what was compiled, then one line per article left out."""
        where = f" → {self.output}" if self.output else ""
        total = sum(self.seconds.values())
        lines = [
            f"compiled {self.title!r}: {self.articles} articles, {self.pages} pages, "
            f"{len(self.pdf) / 1024:.0f} KB{where} (rendered {len(self.rendered)}, "
            f"reused {len(self.reused)}) in {total:.1f} s"
        ]
        lines += [f"  left out: {item}" for item in self.left_out]
        return "\n".join(lines)


def compile_issue(
    issue: Issue | str | Path | dict[str, Any],
    output: str | Path | None = None,
    *,
    jobs: int = 1,
    keep_going: bool = False,
    right_hand: bool = False,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    theme: str = "newsbrief",
    paper: str = "A4",
    strict: bool = False,
    theme_paths: Iterable[str | Path] = (),
    system_fonts: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> CompiledIssue:
    """Compile an issue (an :class:`~printbrief.issue.Issue`, a file, or a mapping) to one PDF.

    With ``output`` the PDF is also written there atomically, and rendered articles are cached
    in ``cache_dir`` (default: ``.printbrief-cache`` next to ``output``) so that a re-compile
    re-renders only the articles that changed. Bad articles raise an
    :class:`~printbrief.errors.InputError` (nothing is written) unless ``keep_going``, which
    leaves them out and lists them in :attr:`CompiledIssue.left_out`.

    >>> result = compile_issue("samples/issues/weekend-edition.json", "out/weekend.pdf", jobs=2)  # doctest: +SKIP
    >>> print(result.summary())  # doctest: +SKIP
    """
    if jobs < 1:
        raise UsageError(f"jobs must be 1 or more, got {jobs}")
    papers.page_size(paper)  # a bad paper name is a usage error before any work
    clock = _Clock()
    loaded = issue if isinstance(issue, Issue) else load_issue(issue, keep_going=keep_going, limits=limits)  # fmt: skip
    options = Options(str(theme), paper, tuple(map(str, theme_paths)), strict, system_fonts, limits)
    resolved = resolve_theme(options.theme, options.theme_paths)
    print_fp = fingerprint(resolved, paper=paper, strict=strict, system_fonts=system_fonts, limits=limits)  # fmt: skip
    store = Cache(_cache_folder(output, cache_dir, use_cache))
    clock.lap("load")
    session = _Session(store, print_fp, options, resolved, jobs)
    try:
        loaded, articles, rendered, reused = session.articles(loaded, keep_going, progress)
        clock.lap("articles")
        plan, front = session.front(loaded, {i: r.pages for i, r in articles.items()}, right_hand)
        folios = session.folios(loaded, plan)
        clock.lap("front and folios")
    finally:
        session.close()
    pdf = _merge(loaded, plan, front, articles, folios)
    clock.lap("merge")
    if output is not None:
        write_atomic(output, pdf)
        store.prune()
    clock.lap("write")
    return CompiledIssue(
        pdf=pdf,
        title=loaded.title,
        pages=plan.total,
        articles=len(loaded.entries),
        rendered=tuple(rendered),
        reused=tuple(reused),
        left_out=loaded.left_out,
        output=Path(output) if output is not None else None,
        seconds=clock.laps,
    )


def _cache_folder(output: str | Path | None, cache_dir: str | Path | None, use: bool) -> Path | None:  # fmt: skip
    if not use:
        return None
    if cache_dir is not None:
        return Path(cache_dir)
    return Path(output).resolve().parent / DEFAULT_FOLDER if output is not None else None


def _merge(
    issue: Issue,
    plan: planner.Plan,
    front: Rendered,
    articles: dict[int, Rendered],
    folios: Sequence[Rendered],
) -> bytes:
    order = [p.entry.index for p in plan.placements]
    sources = [front.pdf, *(articles[i].pdf for i in order), *(f.pdf for f in folios)]
    article_sources = {index: 1 + n for n, index in enumerate(order)}
    slots = planner.slots(plan, 0, article_sources, 1 + len(order))
    return merge(
        sources,
        slots,
        outline=planner.outline(issue, plan),
        destinations=planner.destinations(plan),
        info_from=0,
    )


class _Clock:
    """Seconds per stage, for the summary and the benchmark."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self._last
        self._last = now


class _Session:
    """The cache, the theme and a renderer backend (in-process or a pool) for one compile."""

    def __init__(self, store: Cache, print_fp: str, options: Options, theme: Theme, jobs: int) -> None:  # fmt: skip
        self.store, self.fingerprint, self.options, self.theme = store, print_fp, options, theme
        self.jobs = jobs
        self._backend: Local | Pool | None = None

    def backend(self, work: int) -> Local | Pool:
        """The backend, started on first need: a pool only for enough work to pay for it."""
        if self._backend is None:
            parallel = self.jobs > 1 and work >= MIN_POOL
            self._backend = Pool(self.options, min(self.jobs, work)) if parallel else Local(self.options)  # fmt: skip
        return self._backend

    def close(self, *, cancel: bool = False) -> None:
        if self._backend is not None:
            self._backend.close(cancel=cancel)

    def articles(
        self, issue: Issue, keep_going: bool, progress: Progress | None
    ) -> tuple[Issue, dict[int, Rendered], list[int], list[int]]:
        """Every article from the cache or rendered; failures raise, or are left out."""
        entries = {e.index: e for e in issue.entries}
        contexts = {i: planner.article_context(issue, e) for i, e in entries.items()}
        keys = {
            i: article_key(self.fingerprint, e.article, contexts[i]) for i, e in entries.items()
        }
        results: dict[int, Rendered] = {}
        for index in entries:
            if (hit := self.store.get(keys[index])) is not None:
                results[index] = hit
        reused = sorted(results)
        todo = [ArticleJob(i, entries[i].article, contexts[i]) for i in entries if i not in results]
        done, failed = len(results), {}
        if progress:
            progress(done, len(entries))
        for outcome in self.backend(len(todo)).articles(todo) if todo else ():
            for warning in outcome.warnings:
                log.warning("%s", warning)
            label = entries[outcome.index].label
            if outcome.rendered is None:
                if not keep_going:
                    self.close(cancel=True)
                    raise outcome.exception(f"{label}: {outcome.error[1] if outcome.error else '?'}", issue.name)  # fmt: skip
                failed[outcome.index] = outcome.error[1] if outcome.error else "render failed"
            else:
                self.store.put(keys[outcome.index], outcome.rendered)
                results[outcome.index] = outcome.rendered
            done += 1
            if progress:
                progress(done, len(entries))
        if failed:
            issue = issue.without(failed)
        if not issue.entries:
            raise InputError("no article could be rendered", source=issue.name)
        return issue, results, sorted(i for i in results if i not in reused), reused

    def front(
        self, issue: Issue, pages: dict[int, int], right_hand: bool
    ) -> tuple[planner.Plan, Rendered]:
        """Number the issue and render cover and contents.

        The contents' length moves every page number, and page numbers are printed in the
        contents; their column has a fixed width, so the length does not depend on them and
        one more render at most settles it. The length is remembered for the next compile.
        """
        probe = planner.plan_pages(0, issue.entries, pages, right_hand=right_hand)
        probe_html = self.theme.render_template(FRONT_TEMPLATE, **planner.front_context(issue, probe))  # fmt: skip
        length_key = text_key("front-pages", self.fingerprint, probe_html)
        length = self.store.number(length_key) or _estimate_front(issue)
        for _ in range(4):
            plan = planner.plan_pages(length, issue.entries, pages, right_hand=right_hand)
            rendered = self.documents(FRONT_TEMPLATE, [planner.front_context(issue, plan)], issue)[0]  # fmt: skip
            if rendered.pages == length:
                self.store.put_number(length_key, length)
                return plan, rendered
            length = rendered.pages
        raise RenderError("the contents' page count does not settle", source=issue.name)

    def folios(self, issue: Issue, plan: planner.Plan) -> list[Rendered]:
        """The folio sheets: one page per article page, "Page N of M" at the bottom right."""
        return self.documents(FOLIO_TEMPLATE, planner.folio_contexts(issue, plan), issue)

    def documents(
        self, template: str, contexts: Sequence[dict[str, Any]], issue: Issue
    ) -> list[Rendered]:
        """Theme-written documents, from the cache or rendered (in parallel in a pool)."""
        cover = planner.cover_image(issue)
        base = cover[1] if cover else None
        files = [cover[0].src] if cover else []
        htmls = [self.theme.render_template(template, **context) for context in contexts]
        keys = [document_key(self.fingerprint, html, base, files) for html in htmls]
        found = {k: hit for k in keys if (hit := self.store.get(k)) is not None}
        missing = [(k, html) for k, html in zip(keys, htmls, strict=True) if k not in found]
        if missing:
            made = self.backend(0).documents([(html, base) for _, html in missing])
            for (key, _), rendered in zip(missing, made, strict=True):
                self.store.put(key, rendered)
                found[key] = rendered
        return [found[k] for k in keys]


def _estimate_front(issue: Issue) -> int:
    """A first guess at cover + contents pages (about 20 entries fit on a contents page)."""
    lines = len(issue.entries) + 1.5 * len(issue.sections()) + 3
    return 1 + math.ceil(lines / 20.5)
