"""Rendering many inputs: skip what is up to date, render the rest on an executor, keep going
past bad files, and summarise.

Planning (reading, validating and naming each input) is :mod:`printbrief.batch.plan`; the
record of finished PDFs is :mod:`printbrief.batch.manifest`; workers are the kit of
:mod:`printbrief.workers`, running :class:`RenderFile` tasks.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from ..errors import PrintbriefError, RenderError, UsageError
from ..identity import files_digest
from ..load import load, parse, read_bytes
from ..options import RenderOptions
from ..output import check_target, write_atomic, write_stdout
from ..scratch import scratch
from ..workers import (
    InlineExecutor,
    Outcome,
    Respawning,
    default_jobs,
    process_pool,
    relay,
    submit,
    worker_died,
)
from .manifest import Entry, Manifests
from .plan import Item, Planner, error_line, expand_inputs, sha256

log = logging.getLogger(__name__)

FOREIGN_IN_FLIGHT = 256
"""Tasks kept submitted at once on an executor you pass in (bounds the client's memory)."""

Status = Literal["rendered", "skipped", "failed"]
OnResult = Callable[["ItemResult", int, int], None]
"""Called in the client as each input finishes, with the result, how many are done, and the total."""


@dataclass(frozen=True)
class Written:
    """What a worker reports of one PDF: its facts, and its bytes when it did not write it."""

    pages: int
    size: int
    sha256: str
    files_sha256: str
    pdf: bytes | None = None


@dataclass(frozen=True)
class RenderFile:
    """One input to render: its bytes and name, and where to write the PDF (None: send it back)."""

    name: str
    data: bytes
    source: str | None
    options: RenderOptions
    target: str | None = None

    def run(self) -> Written:
        """In the worker: parse, render, and write (or return) the PDF."""
        from ..renderer import renderer_for

        article = parse(self.data, name=self.name, suffix=Path(self.name).suffix.lower(),
                        format=self.options.input_format)  # fmt: skip
        article = article.with_source(Path(self.source) if self.source else None)
        pdf = renderer_for(self.options).render(article)
        if self.target:
            write_atomic(self.target, pdf)
        digest = hashlib.sha256(pdf).hexdigest()
        return Written(pdf.pages, len(pdf), digest, files_digest(article),
                       None if self.target else bytes(pdf))  # fmt: skip


@dataclass(frozen=True)
class ItemResult:
    """What happened to one input: ``rendered``, ``skipped`` (up to date) or ``failed``."""

    input: str
    output: str | None
    status: Status
    error: str | None = None
    pages: int = 0
    seconds: float = 0.0
    size: int = 0
    worker_pid: int | None = None


class _Batch:
    """One batch: plans every input, renders the stale ones, records results and the manifest."""

    def __init__(self, names: Sequence[str], options: RenderOptions, on_result: OnResult | None):
        self.names = names
        self.options = options
        self.on_result = on_result
        self.manifests = Manifests()
        self.results: dict[int, ItemResult] = {}
        self.pending: dict[Future[Outcome[Written]], Item] = {}
        self.write_on_worker = True
        self.retry: list[Item] = []
        self.retried: set[int] = set()

    def plan(self, out_dir: str | Path | None, *, force: bool) -> list[Item]:
        """Items to render, after reporting inputs that failed or are up to date."""
        planner, todo = Planner(self.names, out_dir, self.options), []
        for index, name in enumerate(self.names):
            try:
                item = planner.plan(index, name)
            except PrintbriefError as exc:
                self._finish(index, ItemResult(name, None, "failed", error_line(exc, name)))
                continue
            except Exception as exc:  # a bug hit by one input fails that input, not the batch
                log.debug("unexpected error planning %s", name, exc_info=True)
                error = RenderError(f"internal error: {type(exc).__name__}: {exc}", source=name)
                self._finish(index, ItemResult(name, None, "failed", error_line(error, name)))
                continue
            manifest = self.manifests.of(item.target)
            entry = None if force else manifest.up_to_date(item.target.name, item.key)
            if entry:
                self._finish(index, _skipped(item, entry))
            else:
                manifest.forget(item.target.name)
                todo.append(item)
        self.manifests.save()  # drop stale entries before their PDFs are replaced
        return todo

    def run(self, executor: Executor, items: Iterable[Item], in_flight: int) -> None:
        """Keep up to ``in_flight`` tasks submitted and record each as it completes."""
        queue = iter(items)
        try:
            while True:
                while len(self.pending) < in_flight and (item := self._next(queue)):
                    self._submit(executor, item)
                if not self.pending:
                    return
                done, _ = wait(self.pending, return_when=FIRST_COMPLETED)
                for future in done:
                    self._collect(future, self.pending.pop(future))
        except BaseException:
            for future in self.pending:
                future.cancel()
            raise

    def _next(self, queue: Iterator[Item]) -> Item | None:
        """The next item: one to try again first, then the queue's."""
        return self.retry.pop(0) if self.retry else next(queue, None)

    def harvest(self) -> None:
        """After an interruption, record the tasks that finished anyway (quietly)."""
        self.on_result = None
        for future, item in list(self.pending.items()):
            if future.done() and not future.cancelled():
                self._collect(future, item)
        self.pending.clear()
        self.manifests.save()

    def _submit(self, executor: Executor, item: Item) -> None:
        try:
            data = item.data if item.data is not None else self._reread(item)
            target = str(item.target) if self.write_on_worker else None
            task = RenderFile(item.name, data, str(item.source) if item.source else None,
                              self.options, target)  # fmt: skip
            self.pending[submit(executor, task)] = item
        except PrintbriefError as exc:
            self._fail(item, error_line(exc, item.name))
        except Exception as exc:  # e.g. a broken pool refuses new work: fail this input only
            self._fail(item, f"{item.name}: cannot submit: {type(exc).__name__}: {exc}")

    def _reread(self, item: Item) -> bytes:
        # Hash what is actually sent: the file may have changed since it was planned.
        data = read_bytes(Path(item.name), max_bytes=self.options.limits.max_input_bytes)
        item.key = replace(item.key, input_sha256=sha256(data))
        return data

    def _collect(self, future: Future[Outcome[Written]], item: Item) -> None:
        try:
            outcome = future.result()
        except Exception as exc:
            self._lost(item, exc)
            return
        relay(outcome, item.name)  # WeasyPrint's own warnings do not say which input they concern
        if outcome.error is not None:
            self._fail(item, error_line(outcome.error, item.name))
        elif self._write(item, outcome.result()):
            self._record(item, outcome)

    def _lost(self, item: Item, exc: Exception) -> None:
        """A task the executor lost: a dead worker's tasks get a second try, others fail."""
        if not worker_died(exc):  # the executor lost the task: a killed worker, a lost node
            self._fail(item, f"{item.name}: worker failed: {type(exc).__name__}: {exc}")
        elif item.index not in self.retried:  # every task in flight fails with the one
            self.retried.add(item.index)  # that killed it: each gets a second try
            self.retry.append(item)
        else:
            self._fail(item, f"{item.name}: a worker died rendering this input (killed, out "
                             "of memory: max_worker_memory, or stuck in a native call past "
                             "max_render_seconds)")  # fmt: skip

    def _write(self, item: Item, written: Written) -> bool:
        if written.pdf is None:
            return True
        try:
            write_atomic(item.target, written.pdf)
        except PrintbriefError as exc:
            self._fail(item, error_line(exc, item.name))
            return False
        return True

    def _record(self, item: Item, outcome: Outcome[Written]) -> None:
        written = outcome.result()
        # What the worker really ran and read: its versions, the pictures as it found them.
        key = replace(item.key, versions=outcome.versions, files_sha256=written.files_sha256)
        entry = Entry.of(key, pages=written.pages, size=written.size, pdf_sha256=written.sha256)
        self.manifests.of(item.target).add(item.target.name, entry)
        self.manifests.save(throttle=True)
        result = ItemResult(item.name, item.output, "rendered", pages=written.pages,
                            seconds=outcome.seconds, size=written.size,
                            worker_pid=outcome.worker_pid)  # fmt: skip
        self._finish(item.index, result)

    def _fail(self, item: Item, error: str) -> None:
        self._finish(item.index, ItemResult(item.name, item.output, "failed", error))

    def _finish(self, index: int, result: ItemResult) -> None:
        self.results[index] = result
        if self.on_result:
            self.on_result(result, len(self.results), len(self.names))

    def ordered(self) -> list[ItemResult]:
        """Results in input order."""
        return [self.results[i] for i in sorted(self.results)]


def _skipped(item: Item, entry: Entry) -> ItemResult:
    return ItemResult(item.name, item.output, "skipped", pages=entry.pages, size=entry.size)


@contextmanager
def _executor(
    executor: Executor | None, jobs: int, count: int, options: RenderOptions
) -> Iterator[Executor]:
    if executor is not None:
        yield executor
        return
    if min(jobs, count) <= 1:
        yield InlineExecutor()
        return
    with scratch("batch") as folder:
        pool = Respawning(lambda: process_pool(min(jobs, count), folder, options))
        try:
            yield pool
        finally:
            # On Ctrl-C: drop queued tasks, let each worker finish (and write) the one it holds.
            pool.shutdown(wait=True, cancel_futures=True)


# ------------------------------------------------------------------------------- API


def render_many(
    inputs: Iterable[str | Path],
    out_dir: str | Path | None,
    executor: Executor | None = None,
    *,
    options: RenderOptions | None = None,
    jobs: int | None = None,
    force: bool = False,
    write_on_worker: bool | None = None,
    in_flight: int | None = None,
    on_result: OnResult | None = None,
    **changes: Any,
) -> list[ItemResult]:
    """Render files, folders and glob patterns into ``out_dir``, one result per input, in order.

    Rendered with ``options`` (a :class:`~printbrief.options.RenderOptions`) or any of its
    fields as keywords. ``out_dir=None`` puts each PDF beside its input. Outputs the folder's
    manifest shows to be up to date are skipped (``force=True`` renders them anyway). Without
    ``executor``, ``jobs`` warm worker processes render (default: one per core; ``jobs=1``
    renders in this process); any :class:`concurrent.futures.Executor` works, e.g.
    ``dask_client.get_executor()``. ``write_on_worker`` (default: True for the built-in
    workers, False for an executor you pass) makes workers write the PDFs themselves, so
    ``out_dir`` must be the same path for them. A bad input fails alone; Ctrl-C keeps
    completed PDFs and saves the manifest, then re-raises.

    >>> results = render_many(["samples/"], "out/doctest", jobs=2, force=True)
    >>> sorted({r.status for r in results}), len(results)
    (['rendered'], 8)
    """
    chosen = RenderOptions.of(options, **changes).check().absolute()
    names = expand_inputs(inputs)
    if not names:
        raise UsageError("no input files found")
    if out_dir is None and "-" in names:
        raise UsageError("reading stdin ('-') needs -o OUT or --out-dir DIR")
    batch = _Batch(names, chosen, on_result)
    todo = batch.plan(out_dir, force=force)
    batch.write_on_worker = executor is None if write_on_worker is None else write_on_worker
    workers = jobs or default_jobs()
    window = in_flight or (4 * workers if executor is None else FOREIGN_IN_FLIGHT)
    try:
        with _executor(executor, workers, len(todo), chosen) as pool:
            batch.run(pool, todo, window)
    finally:
        batch.harvest()
    return batch.ordered()


def render_to(input_name: str, output: str, options: RenderOptions) -> ItemResult:
    """Render one input in this process to ``output``: a file path, or ``-`` for stdout."""
    from ..renderer import renderer_for

    options.check()
    started = time.perf_counter()
    try:
        article = load(
            input_name, max_bytes=options.limits.max_input_bytes, format=options.input_format
        )
        if output != "-":
            check_target(Path(output))  # a FIFO or device is refused before a render is spent
        if output != "-" and input_name != "-" and Path(output).resolve() == article.source:
            raise UsageError(f"output {output} would overwrite an input", source=input_name)
        result = renderer_for(options).render(article)
        _emit(output, result)
    except PrintbriefError as exc:
        return ItemResult(input_name, output, "failed", error_line(exc, input_name))
    shown = "<stdout>" if output == "-" else output
    seconds = time.perf_counter() - started
    return ItemResult(input_name, shown, "rendered", None, result.pages, seconds, len(result))


def _emit(output: str, pdf: bytes) -> None:
    if output == "-":
        write_stdout(pdf)
    else:
        write_atomic(output, pdf)


def summary(results: Sequence[ItemResult], seconds: float) -> str:
    """``rendered 57, failed 3, skipped 0 in 4.2 s (61 pages, 13.6 articles/s)`` + one line per failure."""
    counts = Counter(r.status for r in results)
    pages = sum(r.pages for r in results if r.status == "rendered")
    line = f"rendered {counts['rendered']}, failed {counts['failed']}, skipped {counts['skipped']}"
    line += f" in {seconds:.1f} s"
    if counts["rendered"]:
        line += f" ({pages} pages, {counts['rendered'] / max(seconds, 1e-9):.1f} articles/s)"
    lines = [line]
    lines += [f"  failed: {r.error}" for r in results if r.status == "failed"]
    return "\n".join(lines)
