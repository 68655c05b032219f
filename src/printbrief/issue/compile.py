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

from .. import paper as papers
from ..errors import InputError, RenderError, UsageError
from ..finish import Rendered
from ..limits import DEFAULT_LIMITS, Limits
from ..output import write_atomic
from ..pdf.merge import Merger
from ..themes import Theme, resolve_theme
from ..workers import ArticleJob, Local, Options, Pool
from . import plan as planner
from .cache import DEFAULT_FOLDER, Cache, article_key, document_key, fingerprint, text_key
from .chunks import Chunker
from .load import Issue, LeftOut, load_issue

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
    loaded = (
        issue
        if isinstance(issue, Issue)
        else load_issue(issue, keep_going=keep_going, limits=limits)
    )
    options = Options(str(theme), paper, tuple(map(str, theme_paths)), strict, system_fonts, limits)
    resolved = resolve_theme(options.theme, options.theme_paths)
    print_fp = fingerprint(
        resolved, paper=paper, strict=strict, system_fonts=system_fonts, limits=limits
    )
    store = Cache(_cache_folder(output, cache_dir, use_cache))
    clock.lap("load")
    session = _Session(store, print_fp, options, resolved, jobs)
    try:
        loaded, pages, rendered, reused = session.articles(loaded, keep_going, progress)
        clock.lap("articles")
        plan, front, folios = session.furniture(loaded, pages, right_hand)
        clock.lap("front and folios")
    finally:
        session.close()
    pdf = session.merge(loaded, plan, front, folios)
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


def _cache_folder(
    output: str | Path | None, cache_dir: str | Path | None, use: bool
) -> Path | None:
    if not use:
        return None
    if cache_dir is not None:
        return Path(cache_dir)
    return Path(output).resolve().parent / DEFAULT_FOLDER if output is not None else None


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
    """One compile's cache, theme, renderer backend (in-process or a pool) and merger.

    Articles are added to the merger as they come from the cache or a worker: parsing them
    and pooling their fonts is most of the merge, and the main process is idle otherwise.
    """

    def __init__(
        self, store: Cache, print_fp: str, options: Options, theme: Theme, jobs: int
    ) -> None:
        self.store, self.fingerprint, self.options, self.theme = store, print_fp, options, theme
        self.jobs = jobs
        self.merger = Merger()
        self.chunker: Chunker | None = None
        self._backend: Local | Pool | None = None
        self._front_length: Callable[[], int] | None = None
        self._length_key = ""

    def backend(self, work: int) -> Local | Pool:
        """The backend, started on first need: a pool only for enough work to pay for it."""
        if self._backend is None:
            parallel = self.jobs > 1 and work >= MIN_POOL
            self._backend = (
                Pool(self.options, min(self.jobs, work)) if parallel else Local(self.options)
            )
        return self._backend

    def close(self, *, cancel: bool = False) -> None:
        if self._backend is not None:
            self._backend.close(cancel=cancel)

    def articles(
        self, issue: Issue, keep_going: bool, progress: Progress | None
    ) -> tuple[Issue, dict[int, int], list[int], list[int]]:
        """Every article from the cache or rendered, merged in runs (:mod:`printbrief.chunks`)
        as they arrive; returns the issue (less failures when ``keep_going``), page counts by
        index, and the rendered and reused indices."""
        entries = {e.index: e for e in issue.entries}
        contexts = {i: planner.article_context(issue, e) for i, e in entries.items()}
        keys = {
            i: article_key(self.fingerprint, e.article, contexts[i]) for i, e in entries.items()
        }
        self.chunker = Chunker(self.store, self.merger, list(entries), keys)
        covered = self.chunker.from_cache()
        hits = {
            i: hit
            for i in entries
            if i not in covered and (hit := self.store.get(keys[i])) is not None
        }
        missing = [i for i in entries if i not in covered and i not in hits]
        todo = [ArticleJob(i, entries[i].article, contexts[i]) for i in missing]
        backend = self.backend(len(todo)) if todo else None
        self._measure_front(issue)  # queued first: a worker measures while the others render
        outcomes = backend.articles(todo) if backend else iter(())
        done = len(covered)
        for index, hit in hits.items():
            self.chunker.offer(index, hit)
            done += 1
            _tick(progress, done, len(entries))
        failed: dict[int, str] = {}
        for outcome in outcomes:
            for warning in outcome.warnings:
                log.warning("%s", warning)
            if outcome.rendered is None:
                reason = outcome.error[1] if outcome.error else "render failed"
                if not keep_going:
                    self.close(cancel=True)
                    raise outcome.exception(f"{entries[outcome.index].label}: {reason}", issue.name)
                failed[outcome.index] = reason
            else:
                self.store.put(keys[outcome.index], outcome.rendered)
            self.chunker.offer(outcome.index, outcome.rendered)
            done += 1
            _tick(progress, done, len(entries))
        if failed:
            issue = issue.without(failed)
            if issue.entries:
                self._measure_front(issue)  # the contents lost entries
        if not issue.entries:
            raise InputError("no article could be rendered", source=issue.name)
        reused = sorted(covered | hits.keys())
        return issue, self.chunker.pages, sorted(set(self.chunker.pages) - set(reused)), reused

    def _measure_front(self, issue: Issue) -> None:
        """Learn how many pages cover and contents take, without the articles' page counts.

        Page numbers sit in a fixed-width column, so the contents' length does not depend on
        them: a probe with every article one page long has the final length. It is
        remembered under its own key; with a pool it is rendered alongside the articles.
        """
        ones = {e.index: 1 for e in issue.entries}
        probe = self.theme.render_template(
            FRONT_TEMPLATE,
            **planner.front_context(issue, planner.plan_pages(0, issue.entries, ones)),
        )
        self._length_key = text_key("front-pages", self.fingerprint, probe)
        known = self.store.number(self._length_key)
        if known is not None:
            self._front_length = lambda: known
        elif isinstance(self._backend, Pool):
            result = self._backend.document_later(probe, _cover_folder(issue))
            self._front_length = lambda: result().pages

    def furniture(
        self, issue: Issue, pages: dict[int, int], right_hand: bool
    ) -> tuple[planner.Plan, Rendered, list[Rendered]]:
        """Number the issue; render cover and contents, and the folio sheets."""
        length = self._front_length() if self._front_length else _estimate_front(issue)
        for _ in range(4):
            plan = planner.plan_pages(length, issue.entries, pages, right_hand=right_hand)
            docs = [(FRONT_TEMPLATE, planner.front_context(issue, plan))]
            if self._front_length:  # the length is known: render everything in one batch
                docs += [(FOLIO_TEMPLATE, c) for c in planner.folio_contexts(issue, plan)]
            front, *folios = self.documents(docs, issue)
            if front.pages == length:
                self.store.put_number(self._length_key, length)
                if not folios:
                    folios = self.documents(
                        [(FOLIO_TEMPLATE, c) for c in planner.folio_contexts(issue, plan)], issue
                    )
                return plan, front, folios
            length, self._front_length = front.pages, None
        raise RenderError("the contents' page count does not settle", source=issue.name)

    def documents(self, docs: Sequence[tuple[str, dict[str, Any]]], issue: Issue) -> list[Rendered]:
        """Theme-written documents, from the cache or rendered (in parallel in a pool)."""
        base = _cover_folder(issue)
        cover = planner.cover_image(issue)
        files = [cover[0].src] if cover else []
        htmls = [self.theme.render_template(template, **context) for template, context in docs]
        keys = [document_key(self.fingerprint, html, base, files) for html in htmls]
        found = {k: hit for k in keys if (hit := self.store.get(k)) is not None}
        missing = [(k, html) for k, html in zip(keys, htmls, strict=True) if k not in found]
        if missing:
            made = self.backend(0).documents([(html, base) for _, html in missing])
            for (key, _), rendered in zip(missing, made, strict=True):
                self.store.put(key, rendered)
                found[key] = rendered
        return [found[k] for k in keys]

    def merge(
        self,
        issue: Issue,
        plan: planner.Plan,
        front: Rendered,
        folios: Sequence[Rendered],
    ) -> bytes:
        """The issue's PDF: front matter, articles, folios stamped on, bookmarks, links."""
        front_source = self.merger.add(front.pdf)
        folio_sources = [self.merger.add(f.pdf) for f in folios]
        positions = self.chunker.positions if self.chunker else {}
        slots = planner.slots(
            plan, front_source, positions, folio_sources[0] if folio_sources else 0
        )
        return self.merger.write(
            slots,
            outline=planner.outline(issue, plan),
            destinations=planner.destinations(plan),
            info_from=front_source,
        )


def _tick(progress: Progress | None, done: int, total: int) -> None:
    if progress:
        progress(done, total)


def _cover_folder(issue: Issue) -> Path | None:
    cover = planner.cover_image(issue)
    return cover[1] if cover else None


def _estimate_front(issue: Issue) -> int:
    """A first guess at cover + contents pages (about 20 entries fit on a contents page)."""
    lines = len(issue.entries) + 1.5 * len(issue.sections()) + 3
    return 1 + math.ceil(lines / 20.5)
