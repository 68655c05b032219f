"""The CLI's view of a batch: a rich progress bar with rate and ETA on a terminal, plain lines
otherwise (one per input; only failures with ``--quiet``)."""

from __future__ import annotations

import logging
import sys
from types import TracebackType
from typing import IO, Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from .run import ItemResult


def describe(result: ItemResult) -> str:
    """One line for one input: ``ok      in/a.json → out/a.pdf (2 pages, 41 KB)``."""
    if result.status == "failed":
        return f"FAILED  {result.error}"
    pages = f"{result.pages} page{'s' if result.pages != 1 else ''}"
    facts = f"{pages}, {result.size / 1024:.0f} KB"
    if result.status == "skipped":
        return f"skipped {result.input} → {result.output} (up to date, {facts})"
    return f"ok      {result.input} → {result.output} ({facts}, {result.seconds:.2f} s)"


class _Rate(ProgressColumn):
    """Articles per second, averaged by rich over the last 30 seconds."""

    def render(self, task: Task) -> Text:
        """The current rate, or a dash before the first result."""
        return Text(f"{task.speed:.1f}/s" if task.speed else "–/s", style="progress.data.speed")


class BatchProgress:
    """A ``render_many`` ``on_result`` callback that draws a bar or prints lines.

    >>> from printbrief.batch.run import render_many
    >>> with BatchProgress(bar=False, quiet=True) as progress:
    ...     results = render_many(["samples/en-plain.json"], "out/doctest", on_result=progress)
    """

    def __init__(self, *, bar: bool, quiet: bool, file: IO[str] | None = None) -> None:
        self.quiet = quiet
        self.done = 0
        self.total = 0
        self._console = Console(file=file or sys.stderr, force_terminal=True if file else None)
        self._bar = Progress(
            TextColumn("rendering"), BarColumn(), MofNCompleteColumn(), _Rate(),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=self._console,
        ) if bar and not quiet else None  # fmt: skip
        self._task = self._bar.add_task("rendering", total=None) if self._bar else None
        self._streams: list[tuple[logging.StreamHandler[Any], Any]] = []

    def __call__(self, result: ItemResult, done: int, total: int) -> None:
        """Show one finished input."""
        self.done, self.total = done, total
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=done, total=total)
            if result.status == "failed":
                self._bar.console.print(describe(result), markup=False, highlight=False)
        elif result.status == "failed" or not self.quiet:
            click.echo(describe(result), err=True)

    def __enter__(self) -> BatchProgress:
        if self._bar is not None:
            self._bar.start()
            self._route_logs()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
        for handler, stream in self._streams:
            handler.setStream(stream)

    def _route_logs(self) -> None:
        # The CLI's log handler holds the real stderr; while the bar is live, warnings must go
        # through rich's stand-in for sys.stderr, which prints them above the bar.
        handlers = {h for n in ("printbrief", "weasyprint") for h in logging.getLogger(n).handlers}
        for handler in handlers:
            if type(handler) is logging.StreamHandler and handler.stream is self._console.file:
                self._streams.append((handler, handler.setStream(sys.stderr) or handler.stream))
