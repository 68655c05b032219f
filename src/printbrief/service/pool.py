"""Warm render workers for ``printbrief serve``: one process and one pipe per worker.

Renders never run in the server's event loop. ``concurrent.futures.ProcessPoolExecutor`` cannot
kill one stuck worker, so each worker here is a process of its own, started and warmed by the
worker kit (:mod:`printbrief.workers`), that the pool can SIGKILL and replace alone (a render
past its deadline), and that it recycles after a number of renders so that slow leaks in
native libraries cannot accumulate. Tasks and outcomes are the kit's: a task's error comes
back as the exception it was.

>>> pool = WorkerPool(PoolConfig(workers=2))                         # doctest: +SKIP
>>> pool.start()                                                     # doctest: +SKIP
>>> pdf = await pool.render(RenderArticle(article_json, options))    # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from ..deadline import EXIT_STUCK
from ..errors import BusyError, DeadlineError, MemoryLimitError, WorkerLostError
from ..options import RenderOptions
from ..scratch import new_scratch, remove_scratch
from ..workers import Outcome, Task, context, origin, perform, start_worker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PoolConfig:
    """Pool size and bounds; the defaults suit a print button on a small machine."""

    workers: int = 2
    queue: int = 8
    """Requests that may wait for a free worker; past that the pool answers ``BusyError``."""
    deadline: float = 20.0
    """Seconds one render may take before its worker is killed and replaced."""
    recycle_after: int = 200
    """Renders after which a worker is replaced by a fresh one."""
    start_timeout: float = 60.0
    """Seconds a new worker may take to import WeasyPrint and warm its renderer."""
    wait: float = 30.0
    """Seconds an admitted request may wait for a free worker before it is answered 503."""
    retry: float = 1.0
    """Seconds before a worker that could not be started (no descriptors, no memory) is tried
    again; doubled on each failure up to 30 s."""
    warm: RenderOptions = field(default_factory=RenderOptions)
    """The options a worker builds and runs once before its first request."""


# --------------------------------------------------------------------------- worker side


def _worker_main(conn: Connection, config: PoolConfig, folder: str, client: str) -> None:
    """Worker process: warm up through the kit, then run tasks until told to stop."""
    start_worker(folder, config.warm, warm_render=True)
    conn.send(("ready", None))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        conn.send(perform(task, client))


# --------------------------------------------------------------------------- parent side


class _Worker:
    """The parent's handle on one worker process: its pipe and how many renders it did."""

    def __init__(self, ctx: Any, config: PoolConfig) -> None:
        self.folder = new_scratch("worker")
        self.conn: Any = None
        child: Any = None
        try:
            self.conn, child = ctx.Pipe()
            self.process = ctx.Process(
                target=_worker_main,
                args=(child, config, self.folder, origin()),
                name="printbrief-worker",
                daemon=True,
            )
            self.process.start()
        except BaseException:  # EMFILE, ENOMEM: leave nothing half-built behind
            for end in (self.conn, child):
                if end is not None:
                    end.close()
            remove_scratch(self.folder)
            raise
        child.close()
        self.renders = 0
        self.ready = False

    @property
    def pid(self) -> int | None:
        """The worker's process id."""
        return self.process.pid  # type: ignore[no-any-return]

    def wait_ready(self, timeout: float) -> None:
        """Block until the worker has warmed its renderers, or raise ``WorkerLostError``."""
        if self.ready:
            return
        try:
            if self.conn.poll(timeout) and self.conn.recv()[0] == "ready":
                self.ready = True
                return
        except (EOFError, OSError):
            pass
        raise WorkerLostError("a render worker failed to start")

    def kill(self) -> None:
        """SIGKILL the process, reap it and remove its scratch folder."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()
        remove_scratch(self.folder)

    def stop(self) -> None:
        """Ask the worker to exit; kill it if it does not within two seconds."""
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(2)
        self.kill()


class WorkerPool:
    """A fixed number of warm worker processes, a bounded wait queue and per-render deadlines."""

    def __init__(
        self, config: PoolConfig | None = None, on_render: Callable[[float], None] | None = None
    ) -> None:
        self.config = config or PoolConfig()
        self.on_render = on_render
        """Called with the seconds each render took in its worker (queue wait excluded)."""
        self._ctx = context()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._vacant: list[tuple[float, int]] = []  # slots to retry: (when, failures so far)
        self._lock = threading.Lock()
        self._in_flight = 0
        self._closed = False
        self._stop = threading.Event()
        self._healer = threading.Thread(target=self._heal, name="printbrief-heal", daemon=True)
        self.restarts: Counter[str] = Counter()
        """Worker replacements by reason: ``deadline``, ``crash``, ``memory``, ``recycle``, and
        ``start-failed`` for a worker that could not be started (retried with back-off)."""
        size = self.config.workers + self.config.queue
        self._threads = ThreadPoolExecutor(max_workers=size, thread_name_prefix="printbrief-pool")

    def start(self, *, wait: bool = True) -> None:
        """Start the workers; with ``wait``, return once every one is warm."""
        fresh = [self._spawn() for _ in range(self.config.workers)]
        for worker in fresh:
            if wait:
                worker.wait_ready(self.config.start_timeout)
            self._idle.put(worker)
        self._healer.start()

    def close(self) -> None:
        """Stop every worker (busy ones are killed), the healer and the waiting threads."""
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        self._stop.set()
        for worker in workers:
            worker.stop()
        self._threads.shutdown(wait=False, cancel_futures=True)

    def alive(self) -> int:
        """Workers whose process is running (fewer than configured: the pool is healing)."""
        with self._lock:
            return sum(1 for w in self._all if w.process.is_alive())

    @property
    def queue_depth(self) -> int:
        """Requests admitted but still waiting for a worker."""
        return max(0, self._in_flight - self.config.workers)

    @property
    def busy(self) -> int:
        """Requests being rendered right now."""
        return min(self._in_flight, self.config.workers)

    def pids(self) -> list[int]:
        """Process ids of the current workers (for RSS measurements and tests)."""
        with self._lock:
            return [w.pid for w in self._all if w.pid is not None]

    async def render(self, task: Task[bytes]) -> bytes:
        """Run ``task`` in a worker without blocking the event loop; raise ``BusyError`` when full.

        The task's own error (an invalid article, a limit) is raised as it is.
        """
        self._admit()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self._render_admitted, task)

    def _admit(self) -> None:
        with self._lock:
            if self._in_flight >= self.config.workers + self.config.queue:
                raise BusyError("every render worker is busy and the queue is full; retry soon")
            self._in_flight += 1

    def _render_admitted(self, task: Task[bytes]) -> bytes:
        # Released here, not in render(): a cancelled request leaves this thread running.
        try:
            worker = self._acquire()
            return self._exchange(worker, task).result()
        finally:
            with self._lock:
                self._in_flight -= 1

    def _acquire(self) -> _Worker:
        while True:
            worker = self._next_idle()
            if worker.process.is_alive():
                break
            self._replace(worker, "crash")  # died while idle: replace it, take the next
        try:
            worker.wait_ready(self.config.start_timeout)
        except WorkerLostError:
            self._replace(worker, "crash")
            raise
        return worker

    def _next_idle(self) -> _Worker:
        # Short timeouts, so that waiting threads notice close() and the interpreter can exit;
        # bounded in all, so a pool that lost its workers answers 503 rather than hanging.
        give_up = time.monotonic() + self.config.wait
        while True:
            try:
                return self._idle.get(timeout=0.5)
            except queue.Empty:
                if self._closed:
                    raise WorkerLostError("the render service is shutting down") from None
                if time.monotonic() > give_up:
                    raise BusyError(
                        f"no render worker became free within {self.config.wait:g} s"
                    ) from None

    def _exchange(self, worker: _Worker, task: Task[bytes]) -> Outcome[bytes]:
        started = time.perf_counter()
        try:
            worker.conn.send(task)
            if not worker.conn.poll(self.config.deadline):
                self._replace(worker, "deadline")
                raise DeadlineError(f"the render took longer than {self.config.deadline:g} s")
            reply: Outcome[bytes] = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(1)  # its pipe closed as it died: let it end by its own signal
            stuck = worker.process.exitcode == EXIT_STUCK
            self._replace(worker, "deadline" if stuck else "crash")
            raise self._lost(worker) from None
        if self.on_render:
            self.on_render(time.perf_counter() - started)
        worker.renders += 1
        if isinstance(reply.error, MemoryLimitError):  # its heap may stay large and fragmented
            self._replace(worker, "memory")
        elif worker.renders >= self.config.recycle_after:
            self._replace(worker, "recycle")
        else:
            self._idle.put(worker)
        return reply

    def _lost(self, worker: _Worker) -> WorkerLostError | MemoryLimitError | DeadlineError:
        """The error for a worker that died mid-render, by how it ended.

        Under a memory bound, an allocation that fails in native code ends the process:
        GLib's ``g_malloc`` with SIGTRAP, C++ and glibc with SIGABRT, a library that uses the
        null pointer ``malloc`` returned with SIGSEGV (seen from Pango's line breaking of a
        1.5-million-letter word, about once in a few dozen runs). That is this input's
        doing, so it is a 413, not a 503 that invites the client to retry the same article.
        A worker whose render ignored its deadline in a native call ends itself
        (:func:`printbrief.deadline.exit_when_stuck`): a 504, as for the pool's own deadline.
        """
        if worker.process.exitcode == EXIT_STUCK:
            seconds = self.config.warm.limits.max_render_seconds
            return DeadlineError(f"the render took longer than {seconds:g} s and did not stop; "
                                 "its worker has been replaced")  # fmt: skip
        bound = self.config.warm.limits.max_worker_memory
        if bound and worker.process.exitcode in _ALLOCATION_FAILED:
            return MemoryLimitError(
                f"the render ran out of memory (a worker may use {bound / 2**20:,.0f} MiB: "
                f"max_worker_memory); its worker died{_how(worker)} and has been replaced"
            )
        return WorkerLostError(f"the render worker died{_how(worker)}; it has been replaced")

    def _spawn(self) -> _Worker:
        if self._closed:  # close() ran while this request was rendering
            raise WorkerLostError("the render service is shutting down")
        worker = _Worker(self._ctx, self.config)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker, reason: str) -> None:
        """Put a fresh worker in ``worker``'s slot; if none can be started, the healer retries."""
        log.info("replacing render worker %s (%s)", worker.pid, reason)
        with self._lock:
            self._all.discard(worker)
            self.restarts[reason] += 1
        if reason != "recycle":
            worker.kill()
        else:  # a retiring worker exits on its own; waiting for it would delay this response
            threading.Thread(target=worker.stop, name="printbrief-retire", daemon=True).start()
        self._fill(0)

    def _fill(self, failures: int) -> None:
        """Start a worker for an empty slot, or leave the slot to the healer (never raises)."""
        try:
            self._idle.put(self._spawn())
        except WorkerLostError:  # closing
            return
        except OSError as exc:  # EMFILE from Pipe(), ENOMEM or EAGAIN from fork
            backoff = min(30.0, self.config.retry * 2**failures)
            log.warning("a render worker could not be started (%s); retrying in %g s", exc, backoff)
            with self._lock:
                self.restarts["start-failed"] += 1
                self._vacant.append((time.monotonic() + backoff, failures + 1))

    def _heal(self) -> None:
        """Background: retry empty slots when due (doubling the wait after each failure), and
        replace idle workers that died before a request finds them."""
        while not self._stop.wait(0.2):
            now = time.monotonic()
            with self._lock:
                due = [failures for when, failures in self._vacant if when <= now]
                self._vacant = [slot for slot in self._vacant if slot[0] > now]
            for failures in due:
                self._fill(failures)
            self._reap_idle()

    def _reap_idle(self) -> None:
        """Replace idle workers whose process is gone (killed, out of memory)."""
        idle = []
        with contextlib.suppress(queue.Empty):
            while True:
                idle.append(self._idle.get_nowait())
        for worker in idle:
            if worker.process.is_alive() or self._closed:
                self._idle.put(worker)
            else:
                self._replace(worker, "crash")


def _how(worker: _Worker) -> str:
    """`` (SIGSEGV)``: how a dead worker ended, for the error message."""
    code = worker.process.exitcode
    if code is None or code >= 0:
        return "" if code is None else f" (exit status {code})"
    with contextlib.suppress(ValueError):
        return f" ({signal.Signals(-code).name})"
    return f" (signal {-code})"


_ALLOCATION_FAILED = (-signal.SIGTRAP, -signal.SIGABRT, -signal.SIGSEGV)
"""Exit codes of a worker killed by a failed allocation in native code."""
