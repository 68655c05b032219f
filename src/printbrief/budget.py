"""Per-render budgets (wall time, pages) enforced between stages and between WeasyPrint's pages.

WeasyPrint has no cancel hook. Its documented ``weasyprint.progress`` logger reports every
step and every laid-out page, so a filter on that logger is the one place where printbrief's
code runs while layout is under way: it raises :class:`Abort` when the render is over time or
over the page limit. WeasyPrint wraps resource loading in ``except Exception``, so the abort is
a ``BaseException`` that carries the real :class:`~printbrief.errors.LimitError` out.
Between pages a render can still run long (one enormous paragraph, a huge table row), so a
watchdog thread (:mod:`printbrief.deadline`) also raises into the render's thread once its
deadline passes; only a single native call that never returns escapes both, and the HTTP
service adds a hard kill of its worker for that (``service/pool.py``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from . import deadline
from .errors import LimitError, MemoryLimitError, PrintbriefError
from .limits import Limits

_LAYOUT_PAGE = "Step 5 - Creating layout - Page"
_IMAGE_FAILED = "Failed to load image at"


class Abort(BaseException):  # not an error of its own: a carrier
    """Carries a :class:`PrintbriefError` out through WeasyPrint's broad exception handlers."""

    def __init__(self, error: PrintbriefError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass
class Budget:
    """What one render may still spend; ``refused`` holds URLs the fetcher already warned about."""

    limits: Limits
    started: float = field(default_factory=time.monotonic)
    refused: set[str] = field(default_factory=set)

    def elapsed(self) -> float:
        """Seconds since the render started."""
        return time.monotonic() - self.started

    def deadline(self) -> float:
        """The ``time.monotonic()`` value at which the render is over time."""
        return self.started + self.limits.max_render_seconds

    def check_time(self, stage: str) -> None:
        """Raise :class:`LimitError` if the render has run past ``max_render_seconds``."""
        if self.elapsed() > self.limits.max_render_seconds:
            raise LimitError(
                f"render took longer than {self.limits.max_render_seconds:g} s ({stage})",
                limit="max_render_seconds",
            )

    def check_pages(self, pages: int) -> None:
        """Raise :class:`LimitError` once layout reaches more than ``max_pages`` pages."""
        if pages > self.limits.max_pages:
            bound = self.limits.max_pages
            raise LimitError(
                f"the article needs more than {bound} page{'s' * (bound != 1)}", limit="max_pages"
            )


_local = threading.local()


def current() -> Budget | None:
    """The budget of the render running in this thread, if any."""
    return getattr(_local, "budget", None)


@contextmanager
def watch(budget: Budget) -> Iterator[Budget]:
    """Make ``budget`` the current one in this thread, with the progress guard and watchdog."""
    _install()
    previous, _local.budget = current(), budget
    try:
        with deadline.interrupt_at(budget.deadline()):
            yield budget
    except deadline.Overtime:
        seconds = budget.limits.max_render_seconds
        error = LimitError(f"render took longer than {seconds:g} s", limit="max_render_seconds")
        raise Abort(error) from None
    finally:
        _local.budget = previous


class _ProgressGuard(logging.Filter):
    """On each WeasyPrint progress record: check time and pages; pass records on as before."""

    def filter(self, record: logging.LogRecord) -> bool:
        budget = current()
        if budget is not None:
            try:
                budget.check_time("layout")
                if record.msg.startswith(_LAYOUT_PAGE) and record.args:
                    budget.check_pages(int(record.args[0]))  # type: ignore[index,call-overload]
            except LimitError as exc:
                raise Abort(exc) from None
        # The logger's level was lowered to INFO so this filter runs; keep what was visible.
        return record.levelno >= logging.getLogger("weasyprint").getEffectiveLevel()


class _DuplicateRefusal(logging.Filter):
    """Drop WeasyPrint's "Failed to load image" error for a URL the fetcher already warned about."""

    def filter(self, record: logging.LogRecord) -> bool:
        budget = current()
        if budget is None or not str(record.msg).startswith(_IMAGE_FAILED) or not record.args:
            return True
        return str(record.args[0]) not in budget.refused  # type: ignore[index]


_installed = threading.Lock()


def _install() -> None:
    with _installed:
        progress = logging.getLogger("weasyprint.progress")
        if not any(isinstance(f, _ProgressGuard) for f in progress.filters):
            progress.addFilter(_ProgressGuard())
            if progress.level == logging.NOTSET:  # never override a level the application set
                progress.setLevel(logging.INFO)
        main = logging.getLogger("weasyprint")
        if not any(isinstance(f, _DuplicateRefusal) for f in main.filters):
            main.addFilter(_DuplicateRefusal())


def out_of_memory(source: str | None = None) -> MemoryLimitError:
    """The error for a MemoryError: this process's memory bound, if it has one, named."""
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    except ImportError:  # pragma: no cover - Windows
        limit = -1
    bound = "" if limit < 0 else f" (a worker may use {limit / 2**20:,.0f} MiB: max_worker_memory)"
    return MemoryLimitError(f"the render ran out of memory{bound}", source=source)
