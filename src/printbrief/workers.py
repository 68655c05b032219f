"""The one worker kit: batch, whole issues and the service run their renders through it.

A *task* is a small frozen dataclass with a ``run()`` method, built in the client and run in
a worker by :func:`perform`, which any executor can call: the built-in process pool
(:func:`process_pool`), :class:`InlineExecutor` (``-j 1``), a thread pool, a Dask client's
executor, or the service's own killable processes. Each worker keeps warm renderers per
options (:func:`printbrief.renderer.renderer_for`); what comes back is an :class:`Outcome`
whose error is the :class:`~printbrief.errors.PrintbriefError` raised, travelling as itself.

Start method: ``forkserver`` on Linux, with WeasyPrint preloaded (:mod:`printbrief.preload`,
the command's fast start steps included). A worker forked from a
clean server does not import WeasyPrint again (one warm worker ready: 3.6 s against 19.4 s
with ``spawn``, medians of 4 on a loaded 2-core machine), and never inherits a lock held by
another thread of the client (a progress bar; fontconfig, which Pango starts in a thread),
which can hang a worker started with plain ``fork``. Elsewhere ``spawn``.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, Future
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, Protocol, TypeVar

try:
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

from . import deadline
from .budget import out_of_memory
from .capture import PROCESS_NOTICES, keep_to_results, warnings_logged
from .errors import PrintbriefError, RenderError
from .options import RenderOptions
from .scratch import settle_heap, use_scratch
from .version import versions

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing.context import BaseContext

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

_ORIGIN = uuid.uuid4().hex
RENDERER = "printbrief.renderer:Renderer"
"""The renderer class a worker warms up by default, by name (so naming it loads nothing)."""

WARM_UP_ARTICLE = {
    "headline": "Warm-up",
    "standfirst": "Summary",
    "byline": "By Nobody",
    "body": "Warm-up *paragraph* with **bold**. 陳偉林 林晓云 かな 한글\n\n> A quote.",
}
"""Rendered once by a service worker before its first request: the first layouts load fonts
(CJK too) and hyphenation dictionaries, 0.3 s or more, paid at start rather than by a click."""


class Task(Protocol[T_co]):
    """Work for a worker: picklable, and ``run()`` does it there."""

    def run(self) -> T_co:
        """Do the work in the worker; raise a PrintbriefError for a failure of this input."""


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a worker sends back: the task's value or its error, and how the work went."""

    value: T | None = None
    error: PrintbriefError | None = None
    warnings: tuple[str, ...] = ()
    """Warnings logged in a worker process; empty when the task ran in the client's process,
    which logged them itself."""
    seconds: float = 0.0
    worker_pid: int = 0
    versions: dict[str, str] = field(default_factory=dict)
    """The versions the worker really ran (a Dask node may have others than the client)."""

    def result(self) -> T:
        """The value, or the task's error raised again."""
        if self.error is not None:
            raise self.error
        assert self.value is not None
        return self.value


def origin() -> str:
    """This process's identity (a random token per interpreter plus the pid: differs after fork)."""
    return f"{_ORIGIN}:{os.getpid()}"


def perform(task: Task[T], client: str) -> Outcome[T]:
    """Run ``task`` for the process ``client`` (its :func:`origin`); never raises for the task.

    A PrintbriefError becomes the outcome's error as it is; any other exception, a bug hit by
    one input, becomes a RenderError for that input only.
    """
    remote = client != origin()
    if remote:
        keep_to_results_once()
    started = time.perf_counter()
    value, error = None, None
    with warnings_logged() as seen:
        try:
            value = task.run()
        except PrintbriefError as exc:
            error = exc
        except MemoryError:
            error = out_of_memory()
        except Exception as exc:
            log.debug("unexpected error in %r", task, exc_info=True)
            error = RenderError(f"internal error: {type(exc).__name__}: {exc}")
    return Outcome(
        value, error, tuple(seen) if remote else (), time.perf_counter() - started,
        os.getpid(), versions(),
    )  # fmt: skip


@cache
def keep_to_results_once() -> None:
    """:func:`printbrief.capture.keep_to_results`, once per process."""
    keep_to_results()


def submit(executor: Executor, task: Task[T]) -> Future[Outcome[T]]:
    """Queue ``task`` on any executor (on a Dask client's as an impure call: see below)."""
    if _is_dask(executor):
        # Dask names a pure call (its default) by hashing every argument (dask's tokenize),
        # in the client's main thread: 0.25 ms for an issue's article task. Two render tasks
        # are never worth sharing one result, so the name is a random one instead.
        return executor.submit(perform, task, origin(), pure=False)  # type: ignore[arg-type]
    return executor.submit(perform, task, origin())


def _is_dask(executor: Executor) -> bool:
    """Whether ``executor`` is a Dask client's (``Client.get_executor()``).

    Asked without importing Dask (an optional extra): none can exist if it is not loaded.
    """
    module = sys.modules.get("distributed.cfexecutor")
    return module is not None and isinstance(executor, module.ClientExecutor)


# ------------------------------------------------------------------------ worker processes


def start_worker(
    folder: str | None,
    warm: RenderOptions | None = None,
    kind: str = RENDERER,
    warm_render: bool = False,
) -> None:
    """Initializer of every worker process: scratch folder, signals, logs, warm renderer, heap.

    ``folder`` is the pool's scratch folder (:mod:`printbrief.scratch`); ``warm`` the options
    of the renderer to build before the first task, of the class named ``kind``
    (``module:Class``), and with ``warm_render`` to run once on :data:`WARM_UP_ARTICLE`.
    """
    use_scratch(folder)
    # Ctrl-C in a terminal reaches the whole process group; the client stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    keep_to_results_once()
    _exit_with_parent()
    deadline.exit_when_stuck()  # its thread starts before the memory cap, never near it
    bound_memory((warm or RenderOptions()).limits.max_worker_memory)
    if warm is not None:
        from .renderer import renderer_for

        module, _, name = kind.partition(":")
        cls = getattr(importlib.import_module(module), name)
        # A broken option fails each task against its own input instead of the pool.
        with suppress(PrintbriefError):
            renderer = renderer_for(warm, cls)
            if warm_render:
                renderer.render(WARM_UP_ARTICLE)
    settle_heap()


def bound_memory(limit: int) -> None:
    """Cap this process's address space at ``limit`` bytes (``Limits.max_worker_memory``).

    Past it, allocations fail: Python raises MemoryError, which :func:`perform` and the
    renderer report as a :class:`~printbrief.errors.MemoryLimitError` for the one input. A
    hard limit the process was started with is kept if lower. No-op where ``resource`` is
    missing (Windows) or for 0.
    """
    if not limit or resource is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _exit_with_parent() -> None:
    """A worker whose parent is gone (killed with SIGKILL) exits instead of waiting forever.

    A process pool's worker blocks reading its queue and never notices; a watch thread sees
    the process re-parented and leaves (the client's scratch sweep removes its files).
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="printbrief-parent-watch", daemon=True).start()


@cache
def context() -> BaseContext:
    """The start method every worker process uses (see the module docstring for why)."""
    import multiprocessing  # here: a command that renders in its own process never needs it

    if sys.platform == "linux":
        try:
            from .launch import WithoutMain

            ctx: BaseContext = WithoutMain()
        except (ImportError, AttributeError):  # a Python whose multiprocessing is laid out anew
            ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["printbrief.preload"])
        return ctx
    return multiprocessing.get_context("spawn")


def start_forkserver() -> None:
    """Start the server workers fork from (Linux) now, without waiting for it.

    It imports WeasyPrint, about a second, on another core while this process gets on with
    its own work, and the first pool then only forks. Where workers are spawned, nothing.
    """
    if context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def process_pool(
    jobs: int, folder: str | None, warm: RenderOptions | None = None, kind: str = RENDERER
) -> ProcessPoolExecutor:
    """``jobs`` warm worker processes, their temporary files in ``folder``."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=context(), initializer=start_worker,
        initargs=(folder, warm, kind),
    )  # fmt: skip


class Respawning(Executor):
    """A process pool that starts afresh once a worker has died.

    ``ProcessPoolExecutor`` fails every task in flight and refuses all new work after one
    worker dies (killed, or a native allocation past ``Limits.max_worker_memory``); here the
    next submission gets a new pool, so one input cannot stop a whole batch.
    """

    def __init__(self, make: Callable[[], ProcessPoolExecutor]) -> None:
        self.make = make
        self.pool = make()
        self.respawns = 0

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Queue ``fn`` on the pool, on a new one if the pool is broken."""
        try:
            return self.pool.submit(fn, *args, **kwargs)
        except Exception as exc:
            if not worker_died(exc):
                raise
            log.info("a worker process died; starting new workers")
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool, self.respawns = self.make(), self.respawns + 1
            return self.pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Shut the current pool down."""
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def worker_died(exc: BaseException) -> bool:
    """Whether ``exc`` says a pool's worker process died (``BrokenProcessPool``).

    Asked without importing the process pool's module: a command rendering in its own
    process never loads it (nor ``multiprocessing``), and then no pool can have broken.
    """
    pools = sys.modules.get("concurrent.futures.process")
    return pools is not None and isinstance(exc, pools.BrokenProcessPool)


def default_jobs() -> int:
    """Worker processes by default: the CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


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


def call_result(future: Future[Outcome[T]]) -> Outcome[T]:
    """A future's outcome; a lost worker (killed, out of memory, a lost node) is a RenderError."""
    try:
        return future.result()
    except PrintbriefError:
        raise
    except Exception as exc:
        message = f"a worker failed: {type(exc).__name__}: {str(exc).rstrip('.')}"
        if worker_died(exc) and (script := unguarded_main()):
            message += (
                f'; {script} has no `if __name__ == "__main__":`, and each worker process'
                " runs a script's top-level code again as it starts: put the code that renders"
                " under it (or render with jobs=1)"
            )
        raise RenderError(message) from None


def unguarded_main() -> str | None:
    """The script this process runs, when worker processes would run all of it again.

    Python's spawned workers import the main script anew; top-level code that renders with
    workers then renders again in every one and breaks the pool. A script without
    ``__main__`` anywhere in it cannot guard against that. printbrief's workers on Linux
    start without the script (:mod:`printbrief.launch`): there, None.
    """
    if not getattr(context(), "runs_main", True):
        return None
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if not isinstance(path, str):
        return None  # an interactive session or `python -c`: no script is imported again
    try:
        with open(path, encoding="utf-8", errors="replace") as source:
            return None if "__main__" in source.read() else path
    except OSError:
        return None


_relayed: set[str] = set()  # the PROCESS_NOTICES said here already


def relay(outcome: Outcome[Any], label: str = "") -> None:
    """Log a worker's warnings here, prefixed with ``label`` unless they name it already.

    A notice about the machine (:data:`~printbrief.capture.PROCESS_NOTICES`) comes with each
    worker's first result: it is said once, with no label.
    """
    for warning in outcome.warnings:
        if warning in PROCESS_NOTICES:
            if warning not in _relayed:
                _relayed.add(warning)
                log.warning("%s", warning)
            continue
        log.warning("%s", warning if not label or label in warning else f"{label}: {warning}")
