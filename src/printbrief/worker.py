"""Batch workers: one warm Renderer per process (or thread), rendering tasks from ``render_many``.

Everything here is sent between processes, so tasks and outcomes are small frozen dataclasses
of plain values, and :func:`render_task` is a module-level function any executor can pickle:
the built-in process pool, a thread pool, or a ``dask.distributed`` client's executor.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import multiprocessing
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from . import __version__
from .errors import PrintbriefError
from .limits import DEFAULT_LIMITS, Limits
from .load import parse
from .output import write_atomic
from .scratch import settle_heap, use_scratch

if TYPE_CHECKING:
    from .renderer import Renderer

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

# Identifies the process that submitted a task, so a worker knows whether it runs elsewhere
# (then it captures its warnings and sends them back instead of printing them itself).
_ORIGIN = uuid.uuid4().hex
_CAPTURED_LOGGERS = ("printbrief", "weasyprint")
_local = threading.local()


def origin() -> str:
    """This process's identity: a random token per interpreter plus the pid (differs after fork)."""
    return f"{_ORIGIN}:{os.getpid()}"


@dataclass(frozen=True)
class RenderOptions:
    """Everything a worker needs to build its Renderer; hashable, so it keys the worker's cache."""

    theme: str = "newsbrief"
    paper: str = "A4"
    strict: bool = False
    system_fonts: bool = True
    theme_paths: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()
    limits: Limits = DEFAULT_LIMITS
    variant: str | None = None
    bleed: str | None = None
    marks: str | None = None
    allow_hosts: tuple[str, ...] = ()
    lossless_images: bool = False

    def build(self) -> Renderer:
        """A new Renderer for these options (imports WeasyPrint)."""
        from .renderer import Renderer

        return Renderer(
            self.theme,
            paper=self.paper,
            strict=self.strict,
            system_fonts=self.system_fonts,
            theme_paths=self.theme_paths,
            assets=self.assets,
            limits=self.limits,
            variant=self.variant,
            bleed=self.bleed,
            marks=self.marks,
            allow_hosts=self.allow_hosts,
            lossless_images=self.lossless_images,
        )

    def check(self) -> None:
        """Raise a UsageError for an unknown theme, paper, variant, bleed or marks, without WeasyPrint."""
        from .paper import page_css
        from .themes import resolve_theme
        from .variants import get_variant

        resolve_theme(self.theme, self.theme_paths)
        page_css(self.paper, self.bleed, self.marks)
        get_variant(self.variant)

    def record(self) -> dict[str, Any]:
        """The options as the manifest stores them, with a digest of the theme's files."""
        record = asdict(self)
        del record["limits"]  # limits decide pass or fail, not what a PDF looks like
        for name in ("theme_paths", "assets", "allow_hosts"):  # as JSON will read them back
            record[name] = list(getattr(self, name))
        record["theme_sha256"] = _theme_digest(self.theme, self.theme_paths)
        return record


@dataclass(frozen=True)
class Task:
    """One input to render: its bytes and name, and where to write the PDF (None: send it back)."""

    name: str
    data: bytes
    source: str | None
    options: RenderOptions
    target: str | None = None
    origin: str = field(default_factory=origin)


@dataclass(frozen=True)
class Outcome:
    """What a worker sends back: an error message, or the PDF's facts (and bytes if not written)."""

    error: str | None = None
    pages: int = 0
    size: int = 0
    sha256: str = ""
    pdf: bytes | None = None
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()
    worker_pid: int = 0
    versions: dict[str, str] = field(default_factory=dict)


def versions() -> dict[str, str]:
    """The versions that decide a PDF's bytes, as recorded in manifests."""
    return {"printbrief": __version__, "weasyprint": _weasyprint_version()}


@cache
def _weasyprint_version() -> str:
    return version("weasyprint")  # from package metadata: the client need not import WeasyPrint


def renderer_for(options: RenderOptions) -> Renderer:
    """This thread's Renderer for ``options``, built on first use and kept warm."""
    cache: dict[RenderOptions, Renderer] = _local.__dict__.setdefault("renderers", {})
    if options not in cache:
        if len(cache) >= 4:  # a long-lived worker serving many option sets stays bounded
            cache.clear()
        cache[options] = options.build()
    return cache[options]


@atexit.register
def _drop_renderers() -> None:
    # Release warm renderers before interpreter teardown: WeasyPrint's FontConfiguration.__del__
    # needs module globals that teardown may already have cleared ("Exception ignored in …").
    _local.__dict__.pop("renderers", None)


def render_task(task: Task) -> Outcome:
    """Render one task; every failure becomes the outcome's ``error``, never an exception."""
    started = time.perf_counter()
    with _captured_warnings(enabled=task.origin != origin()) as captured:
        outcome = _attempt(task)
    return replace(
        outcome,
        seconds=time.perf_counter() - started,
        warnings=tuple(captured),
        worker_pid=os.getpid(),
        versions=versions(),
    )


def _attempt(task: Task) -> Outcome:
    try:
        return _render(task)
    except PrintbriefError as exc:
        return Outcome(error=str(exc) if exc.source else f"{task.name}: {exc}")
    except Exception as exc:  # a bug hit by one input must fail that input, not the batch
        log.debug("unexpected error rendering %s", task.name, exc_info=True)
        return Outcome(error=f"{task.name}: internal error: {type(exc).__name__}: {exc}")


def _render(task: Task) -> Outcome:
    article = parse(task.data, name=task.name, suffix=Path(task.name).suffix.lower())
    article = article.with_source(Path(task.source) if task.source else None)
    result = renderer_for(task.options).render_result(article)
    if task.target:
        write_atomic(task.target, result.pdf)
    return Outcome(
        pages=result.pages,
        size=len(result.pdf),
        sha256=hashlib.sha256(result.pdf).hexdigest(),
        pdf=None if task.target else result.pdf,
    )


class _Collector(logging.Handler):
    """Keeps the warnings one thread logs while it renders a task."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the message if this handler's thread logged it."""
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


@contextmanager
def _captured_warnings(*, enabled: bool) -> Iterator[list[str]]:
    if not enabled:
        yield []
        return
    _stop_propagation()
    collector = _Collector()
    loggers = [logging.getLogger(name) for name in _CAPTURED_LOGGERS]
    for logger in loggers:
        logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        for logger in loggers:
            logger.removeHandler(collector)


@cache
def _stop_propagation() -> None:
    # In a worker process the client re-logs captured warnings; printing them here as well
    # would show each twice and scribble over the client's progress bar.
    for name in _CAPTURED_LOGGERS:
        logger = logging.getLogger(name)
        logger.addHandler(logging.NullHandler())
        logger.propagate = False


def warm_up(options: RenderOptions, folder: str | None = None) -> None:
    """Process-pool initializer: ignore Ctrl-C (the client stops the batch) and build the Renderer.

    ``folder`` is the pool's scratch folder (see :mod:`printbrief.scratch`).
    """
    use_scratch(folder)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with suppress(PrintbriefError):  # each task then reports the error against its own input
        renderer_for(options)
    settle_heap()


def default_jobs() -> int:
    """Worker processes by default: the CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def process_pool(
    jobs: int, options: RenderOptions, folder: str | None = None
) -> ProcessPoolExecutor:
    """A pool of ``jobs`` warm worker processes for ``options``, temporary files in ``folder``.

    Workers are spawned rather than forked: forking a client that runs a progress-bar thread
    can copy a held lock into the child and hang it.
    """
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=warm_up,
        initargs=(options, folder),
    )


class InlineExecutor(Executor):
    """Runs each call when it is submitted, in this process: ``-j 1`` without a worker process."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Call ``fn`` now and return a finished future (Ctrl-C propagates to the caller)."""
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def _theme_digest(theme: str, theme_paths: tuple[str, ...]) -> str:
    from .themes import resolve_theme

    digest = hashlib.sha256()
    for folder in resolve_theme(theme, theme_paths).folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(f"{path.relative_to(folder)}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
