"""A watchdog that interrupts a thread at its deadline, even between WeasyPrint's progress logs.

The render budget (:mod:`printbrief.budget`) checks the time whenever WeasyPrint reports a
step or a laid-out page, but one page of a pathological input can take minutes to reach
(measured before this module: a 9,000-element paragraph overshot a 20 s limit by 29 s).
One daemon thread per process keeps the deadlines of the renders under way and, when one
passes, raises :class:`Overtime` into that render's thread with CPython's
``PyThreadState_SetAsyncExc``. The exception arrives at the thread's next bytecode, so it
interrupts Python code (all of WeasyPrint's layout) within milliseconds, but not a native call
until it returns. One that lands in a finalizer (``__del__`` run by the garbage collector) is
swallowed there and stops the finalizer's clean-up, so it waits while the thread runs one;
one that lands there all the same is left out of ``sys.unraisablehook`` and sent again every
:data:`AGAIN` seconds until the block ends. It works in any thread, unlike ``SIGALRM``, and leaves the
application's signal handlers alone. A worker process goes further (:func:`exit_when_stuck`):
a render still running :data:`GRACE` seconds after its interruption is stuck in a native call,
and the worker exits so that its parent replaces it.

>>> import time
>>> try:
...     with interrupt_at(time.monotonic() + 0.05):
...         while True:
...             pass
... except Overtime:
...     print("stopped")
stopped
"""

from __future__ import annotations

import ctypes
import gc
import itertools
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

AGAIN = 0.25
"""Seconds before an interruption is sent again while its block still runs."""
SOON = 0.01
"""Seconds before an interruption held back by a finalizer is tried again."""
GRACE = 5.0
"""Seconds a worker process's render may ignore its interruption before the worker exits."""
EXIT_STUCK = 75
"""Exit status of a worker process that ended itself for a stuck render."""


class Overtime(BaseException):  # not an Exception: WeasyPrint's `except Exception` lets it by
    """Raised into a thread whose deadline has passed."""


class _Watchdog:
    """The deadlines of this process's watched threads, and the one thread that enforces them."""

    def __init__(self) -> None:
        self.wake = threading.Condition()
        # token → (deadline, thread, the block's "still inside" flag)
        self.due: dict[int, tuple[float, threading.Thread, list[bool]]] = {}
        self.fired: dict[int, float] = {}  # token → when it was first interrupted
        self.tokens = itertools.count()
        self.thread: threading.Thread | None = None
        self.grace: float | None = None  # see exit_when_stuck

    def arm(self, when: float, thread: threading.Thread, inside: list[bool]) -> int:
        """Watch ``thread`` until ``when`` (``time.monotonic()``); returns a token.

        ``inside`` is the block's own flag: the thread sets ``inside[0] = False`` as it leaves,
        before it calls :meth:`disarm`, and the watchdog never fires at a token whose flag is
        down. A list store runs no call, so no interruption can land between leaving the
        block and lowering the flag; one can land on the way into ``disarm`` (at any call),
        and then the flag alone keeps the thread from being interrupted again.
        """
        with self.wake:
            token = next(self.tokens)
            self.due[token] = (when, thread, inside)
            _quiet_unraisable()
            self.start()
            self.wake.notify()
            return token

    def start(self) -> None:
        """Start the watchdog thread if it is not running yet."""
        with self.wake:
            if self.thread is None:
                self.thread = threading.Thread(target=self.run, name="printbrief-deadline",
                                               daemon=True)  # fmt: skip
                self.thread.start()

    def disarm(self, token: int) -> None:
        """Stop watching; an interruption sent but not yet delivered is withdrawn.

        An interruption can land inside this very method (the watchdog holds the lock while
        it fires): it is caught and the removal tried again. One that lands on the way in,
        before the ``try``, leaves the token behind with its flag down; the watchdog drops it
        unfired. (A token that kept firing would hit the thread id, and a new thread reusing
        that id would die in its start-up, where ``Thread.start`` waits forever.)
        """
        while True:
            try:
                with self.wake:
                    self.due.pop(token, None)
                    fired = self.fired.pop(token, None) is not None
                break
            except Overtime:
                continue
        if fired:  # take back one still pending; one delivered from here on is the caller's
            _raise_in(threading.get_ident(), None)

    def run(self) -> None:
        """The watchdog thread: sleep until the next deadline, interrupt what is overdue."""
        with self.wake:
            while True:
                now = time.monotonic()
                for token, (when, thread, inside) in list(self.due.items()):
                    if not inside[0] or not thread.is_alive():  # left: its id may be reused
                        del self.due[token]
                    elif when <= now:
                        self._overdue(token, now, thread, inside)
                soonest = min((when for when, _, _ in self.due.values()), default=now + 3600)
                self.wake.wait(max(soonest - now, 0.001))

    def _overdue(
        self, token: int, now: float, thread: threading.Thread, inside: list[bool]
    ) -> None:
        """Interrupt an overdue thread, again every AGAIN seconds until it disarms (one that
        lands in a finalizer all the same is lost); not while it runs a finalizer."""
        first = self.fired.setdefault(token, now)
        if self.grace is not None and now - first >= self.grace:
            _exit_stuck(now - first)
        if _in_finalizer(thread.ident):
            self.due[token] = (now + SOON, thread, inside)
        else:
            self.due[token] = (now + AGAIN, thread, inside)
            _raise_in(thread.ident or 0, Overtime)


def _in_finalizer(thread_id: int | None) -> bool:
    """Whether the thread is running a finalizer (``__del__``, a ``weakref.finalize``) or a
    garbage-collector callback (``gc.callbacks``).

    An exception raised there is swallowed with an "Exception ignored" report, and the
    clean-up it interrupts (WeasyPrint's ``FontConfiguration.__del__`` removes a temporary
    folder) never finishes; the interruption waits until the finalizer has returned.
    """
    callbacks = {getattr(call, "__code__", None) for call in gc.callbacks}  # e.g. Dask's timers
    frame = sys._current_frames().get(thread_id or 0)
    while frame is not None:
        code = frame.f_code
        if code.co_name == "__del__" or code.co_filename == weakref.__file__ or code in callbacks:
            return True
        frame = frame.f_back
    return False


def _quiet_unraisable() -> None:
    """Leave out of ``sys.unraisablehook`` an interruption swallowed by a finalizer.

    One can still land in a finalizer or a gc callback entered just after the watchdog
    looked (:func:`_in_finalizer`); Python then reports it as "Exception ignored", and the
    watchdog sends it again anyway. Every other report goes to the hook that was in place
    (the application's, or the default), looked up again at each arm.
    """
    current = sys.unraisablehook
    if current is not _unraisable:
        global _previous_hook
        _previous_hook = current
        sys.unraisablehook = _unraisable


def _unraisable(report: Any) -> None:
    if not isinstance(report.exc_value, Overtime):
        _previous_hook(report)


_previous_hook: Callable[[Any], object] = sys.unraisablehook


def _exit_stuck(late: float) -> None:
    """End this worker process: a render has ignored its interruption (see exit_when_stuck)."""
    message = f"printbrief: a render is stuck {late:.1f} s past its deadline; the worker exits\n"
    os.write(2, message.encode())
    os._exit(EXIT_STUCK)


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    """Schedule ``exc`` in the thread (None: cancel a scheduled one)."""
    obj = ctypes.py_object(exc) if exc is not None else None
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), obj)


_watchdog = _Watchdog()


def _after_fork() -> None:
    """A forked child has no watchdog thread and none of its parent's renders."""
    global _watchdog
    _watchdog = _Watchdog()


os.register_at_fork(after_in_child=_after_fork)


def exit_when_stuck(grace: float = GRACE) -> None:
    """Make this process exit once a render has ignored its interruption for ``grace`` s.

    An interruption reaches Python code only: a render stuck in one native call (a Pango
    layout that never returns) would hold a worker forever. Worker processes, which their
    parent replaces, call this; the application's own process never does. The watchdog
    thread starts now: workers call this before they cap their address space, since a thread
    that starts near that cap can fail inside its own start-up, where ``Thread.start`` waits
    for it forever.
    """
    _watchdog.grace = grace
    _watchdog.start()


@contextmanager
def interrupt_at(when: float) -> Iterator[None]:
    """Raise :class:`Overtime` in this thread if the block is still running at ``when``."""
    watchdog = _watchdog
    inside = [True]
    token = watchdog.arm(when, threading.current_thread(), inside)
    try:
        yield
    finally:
        inside[0] = False  # first, and without a call: see _Watchdog.arm
        watchdog.disarm(token)
