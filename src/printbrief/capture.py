"""Warnings one thread logs while it works, kept so they can travel with the result.

A render's warnings (an uncovered character, a refused picture) belong to its result: the
renderer returns them in :attr:`Rendered.warnings`, and a worker process sends them back to
the process that asked, which logs them where the user sees them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

LOGGERS = ("printbrief", "weasyprint")
"""The loggers whose warnings belong to a render."""

SUBSET_PACKAGE = "libharfbuzz-subset0"
"""The Debian package that holds HarfBuzz's subsetter (see :mod:`printbrief.subsetting`)."""

FALLBACK_NOTICE = (
    f"{SUBSET_PACKAGE} is not installed, so fonts are subset with fontTools: the same pages, "
    "but each render takes 5-6 times the CPU time and PDFs are 0.3-0.9 % larger. "
    f"To install it: sudo apt-get install {SUBSET_PACKAGE}"
)
"""Logged once per process, at the first render that subsets a font with fontTools."""

PROCESS_NOTICES = frozenset({FALLBACK_NOTICE})
"""Warnings about the machine, not about an input: each worker process gives them with its
first result, and the process that relays results says them once, without an input's name."""


class _Collector(logging.Handler):
    """Keeps the warnings logged by the thread that created it."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the message if this handler's thread logged it."""
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


@contextmanager
def warnings_logged() -> Iterator[list[str]]:
    """Collect the warnings this thread logs in the block (they are still logged as usual).

    >>> with warnings_logged() as seen:
    ...     logging.getLogger("printbrief.demo").warning("a.json: no font covers U+E000")
    >>> seen
    ['a.json: no font covers U+E000']
    """
    collector = _Collector()
    loggers = [logging.getLogger(name) for name in LOGGERS]
    for logger in loggers:
        logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        for logger in loggers:
            logger.removeHandler(collector)


def keep_to_results() -> None:
    """In a worker process: warnings travel with results only, never printed here as well.

    Printing them in the worker too would show each twice and scribble over the client's
    progress bar.
    """
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers[:] = [logging.NullHandler()]
        logger.propagate = False
