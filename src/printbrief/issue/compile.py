"""Whole issues: many articles in one PDF, with cover, contents, bookmarks and running sections.

Each article is rendered on its own (in parallel with ``jobs``; reused from a content-addressed
cache when nothing it depends on changed), which tells printbrief its page count. From the
counts it numbers the issue, renders the cover and contents and a sheet of folios ("Page N of
M"; :mod:`~printbrief.issue.sheets`), and merges everything into one PDF that embeds each font
once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, PrintbriefError, UsageError
from ..finish import Rendered
from ..identity import article_key, fingerprint, merged_key, text_key
from ..options import RenderOptions
from ..output import write_atomic
from ..pdf.merge import Merger
from ..scratch import new_scratch, remove_scratch
from ..themes import Theme, resolve_theme
from ..workers import InlineExecutor, Outcome, process_pool, start_forkserver, submit
from . import plan as planner
from .cache import DEFAULT_FOLDER, Cache
from .chunks import Chunker
from .load import Entry, Issue, LeftOut, load_issue
from .sheets import Sheets
from .tasks import RENDERER, ArticleTask, RunTask, received

log = logging.getLogger(__name__)

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
    executor: Executor | None = None,
    *,
    options: RenderOptions | None = None,
    jobs: int = 1,
    keep_going: bool = False,
    right_hand: bool = False,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
    **changes: Any,
) -> CompiledIssue:
    """Compile an issue (an :class:`~printbrief.issue.load.Issue`, a file, or a mapping) to one PDF.

    Rendered with ``options`` (a :class:`~printbrief.options.RenderOptions`) or any of its
    fields as keywords (``paper="A5"``, ``variant="pdf/a-2b"`` …). Articles render on
    ``executor`` when given (any :class:`concurrent.futures.Executor`, a Dask client's
    included), else on ``jobs`` local worker processes (in this process for ``jobs=1``).
    With ``output`` the PDF is also written there atomically, and rendered articles are
    cached in ``cache_dir`` (default: ``.printbrief-cache`` next to ``output``) so that a
    re-compile re-renders only the articles that changed. Bad articles raise an
    :class:`~printbrief.errors.InputError` (nothing is written) unless ``keep_going``, which
    leaves them out and lists them in :attr:`CompiledIssue.left_out`.

    >>> result = compile_issue("samples/issues/weekend-edition.json", system_fonts=False)
    >>> result.articles, result.pdf[:5]
    (5, b'%PDF-')
    """
    if jobs < 1:
        raise UsageError(f"jobs: must be 1 or more, got {jobs}")
    chosen = RenderOptions.of(options, **changes).check().absolute()
    clock = _Clock()
    loaded = (
        issue
        if isinstance(issue, Issue)
        else load_issue(
            issue, keep_going=keep_going, limits=chosen.limits, format=chosen.input_format
        )
    )
    resolved = resolve_theme(chosen.theme, chosen.theme_paths)
    store = Cache(_cache_folder(output, cache_dir, use_cache))
    clock.lap("load")
    session = _Session(store, fingerprint(chosen), chosen, resolved, jobs, executor)
    try:
        loaded, pages, rendered, reused = session.articles(loaded, keep_going, progress, right_hand)
        clock.lap("articles")
        plan, front, folios = session.sheets.render(loaded, pages, right_hand)
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
    """One compile's cache, theme, executor (given, in-process or a local pool) and merger.

    Articles are added to the merger as they come from a worker: parsing them and pooling
    their fonts is most of the merge, and the main process is idle otherwise. Runs from the
    cache are parsed only if the merged issue is not cached too.
    """

    def __init__(
        self,
        store: Cache,
        print_fp: str,
        options: RenderOptions,
        theme: Theme,
        jobs: int,
        executor: Executor | None,
    ) -> None:
        self.store, self.fingerprint, self.options, self.theme = store, print_fp, options, theme
        self.jobs = jobs
        self.merger = Merger()
        self.chunker: Chunker | None = None
        self._executor = executor
        self._own: ProcessPoolExecutor | None = None
        self._folder: str | None = None
        self.sheets = Sheets(store, print_fp, options, theme, self)

    def executor(self, work: int) -> Executor:
        """The executor, started on first need: a local pool only for enough work to pay for it."""
        if self._executor is None:
            if self.jobs > 1 and work >= MIN_POOL:
                self._folder = new_scratch("issue")
                self._own = process_pool(min(self.jobs, work), self._folder, self.options, RENDERER)
                self._executor = self._own
            else:
                self._executor = InlineExecutor()
        return self._executor

    @property
    def parallel(self) -> bool:
        """Whether work submitted now runs alongside this process (not inline)."""
        return self._executor is not None and not isinstance(self._executor, InlineExecutor)

    def close(self, *, cancel: bool = False) -> None:
        """Stop the pool this compile started (dropping queued work when ``cancel``)."""
        if self._own is not None:
            self._own.shutdown(wait=True, cancel_futures=cancel)
            self._own = None
        if self._folder is not None:
            remove_scratch(self._folder)
            self._folder = None

    def articles(
        self, issue: Issue, keep_going: bool, progress: Progress | None, right_hand: bool = False
    ) -> tuple[Issue, dict[int, int], list[int], list[int]]:
        """Every article from the cache or rendered, merged in runs (:mod:`printbrief.chunks`)
        as they arrive; returns the issue (less failures when ``keep_going``), page counts by
        index, and the rendered and reused indices.

        With workers, the sheets (:meth:`Sheets.render`) are queued the moment the last page
        count arrives, before this process merges the last runs: the workers would idle
        meanwhile.
        """
        self._start_early(issue)
        runs = {e.index for m in issue.units().values() if len(m) > 1 for e in m}
        contexts = {
            e.index: planner.article_context(issue, e, e.index in runs) for e in issue.entries
        }
        units, keys = self._units(issue, contexts)
        groups = {u: [e.index for e in m] for u, m in units.items() if len(m) > 1}
        self.chunker = Chunker(self.store, self.merger, list(units), keys, groups)
        covered = self.chunker.from_cache()
        hits = {
            i: hit
            for i in units
            if i not in covered and (hit := self.store.get(keys[i])) is not None
        }
        missing = [i for i in units if i not in covered and i not in hits]
        todo = [self._task(units[i], contexts) for i in missing]
        executor = self.executor(len(todo)) if todo else None
        self.sheets.measure_front(issue)  # queued first: a worker measures while the others render
        futures = {submit(executor, task): task.index for task in todo} if executor else {}
        tick = _Ticker(progress, len(units), len(covered))
        for index, hit in hits.items():
            self.chunker.offer(index, hit)
            tick()
        failed = self._collect(issue, futures, units, keys, keep_going, right_hand, tick)
        issue = self._without(issue, failed)
        reused = sorted(e.index for u in covered | hits.keys() for e in units[u])
        return issue, self.chunker.pages, sorted(set(self.chunker.pages) - set(reused)), reused

    def _start_early(self, issue: Issue) -> None:
        """With an empty cache every article renders: the forkserver of the pool to come starts
        now, and imports WeasyPrint while this process keys and plans the articles."""
        own_pool = self._executor is None and self.jobs > 1
        if own_pool and len(issue.units()) >= MIN_POOL and self.store.empty:
            start_forkserver()

    def _collect(
        self,
        issue: Issue,
        futures: dict[Future[Outcome[Rendered]], int],
        units: dict[int, tuple[Entry, ...]],
        keys: dict[int, str],
        keep_going: bool,
        right_hand: bool,
        tick: _Ticker,
    ) -> dict[int, str]:
        """Take the rendered units as they arrive; returns the failures (by index) when
        ``keep_going``, else raises the failure that comes first in the issue.

        The first failure to arrive is not always the first in the issue (workers finish
        out of order; at ``-j 1`` every future is done before the first is read). So the
        units after a failure are cancelled where they have not started, those before it
        are still taken, and the error raised names the earliest failing article: the same
        one on every run and with any number of workers.
        """
        assert self.chunker is not None
        failed: dict[int, str] = {}
        first: tuple[int, PrintbriefError] | None = None  # the earliest failure, not keep_going
        for arrived, future in enumerate(as_completed(futures), start=1):
            index = futures[future]
            if first is not None and index > first[0]:
                continue  # after the failure that will be raised: cancelled or ignored
            outcome = received(future)  # its warnings relayed once
            if outcome.error is not None:
                if not keep_going:
                    first = (index, _named(outcome.error, units[index][0].label, issue.name))
                    for later, at in futures.items():
                        if at > index:
                            later.cancel()
                    continue
                failed.update((e.index, outcome.error.message) for e in units[index])
            else:
                self.store.put(keys[index], outcome.result())
            self.chunker.arrive(index, outcome.value)
            if arrived == len(futures) and not failed and first is None and self.parallel:
                self.sheets.start(issue, self.chunker.pages, right_hand)
            self.chunker.settle()
            tick()
        if first is not None:
            self.close(cancel=True)
            raise first[1]
        return failed

    def _without(self, issue: Issue, failed: dict[int, str]) -> Issue:
        """The issue less the articles that failed; an error if none is left."""
        if failed:
            issue = issue.without(failed)
            if issue.entries:
                self.sheets.measure_front(issue)  # the contents lost entries
        if not issue.entries:
            raise InputError("no article could be rendered", source=issue.name)
        return issue

    def _units(
        self, issue: Issue, contexts: dict[int, dict[str, Any]]
    ) -> tuple[dict[int, tuple[Entry, ...]], dict[int, str]]:
        """What renders as one document (:meth:`Issue.units`) and each one's cache key."""
        units = issue.units()
        keys = {}
        for lead, members in units.items():
            each = [article_key(self.fingerprint, e.article, contexts[e.index]) for e in members]
            keys[lead] = each[0] if len(each) == 1 else text_key("run", *each)
        return units, keys

    def _task(
        self, members: tuple[Entry, ...], contexts: dict[int, dict[str, Any]]
    ) -> ArticleTask | RunTask:
        first = members[0]
        if len(members) == 1:
            return ArticleTask(first.index, first.article, contexts[first.index], self.options)
        run = tuple((e.article, contexts[e.index]) for e in members)
        return RunTask(first.index, run, self.options)

    def merge(
        self,
        issue: Issue,
        plan: planner.Plan,
        front: Rendered,
        folios: Sequence[Rendered],
    ) -> bytes:
        """The issue's PDF: front matter, articles, folios stamped on, bookmarks, links.

        Cached by its sources and their arrangement: an unchanged issue parses no PDF.
        """
        front_source = self.merger.add(front.pdf, parse=False)
        folio_sources = [self.merger.add(f.pdf, parse=False) for f in folios]
        positions = self.chunker.positions if self.chunker else {}
        slots = planner.slots(
            plan, front_source, positions, folio_sources[0] if folio_sources else 0
        )
        outline, destinations = planner.outline(issue, plan), planner.destinations(plan)
        arrangement = (slots, outline, sorted(destinations.items()), front_source)
        key = merged_key(self.fingerprint, self.merger.sources, arrangement)
        if (hit := self.store.get(key)) is not None:
            return hit.pdf
        pdf = self.merger.write(
            slots, outline=outline, destinations=destinations, info_from=front_source
        )
        self.store.put(key, Rendered(pdf, plan.total))
        return pdf


def _named(error: PrintbriefError, label: str, source: str) -> PrintbriefError:
    """An article's error as the issue's: ``issue.json: articles.3 (a.json): reason``."""
    error.message = f"{label}: {error.message}"
    error.source = source
    return error


class _Ticker:
    """Progress: one more of ``total`` render units done at each call."""

    def __init__(self, progress: Progress | None, total: int, done: int) -> None:
        self.progress, self.total, self.done = progress, total, done

    def __call__(self) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total)
