"""``printbrief compile``: a whole issue to one PDF, with every render option."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from .main import State, cli, echo, set_quiet
from .options import INPUT_FORMAT, QUIET, options_from, render_options
from .render import _scheduler


@cli.command(name="compile")
@click.argument("issue", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The issue's PDF.")  # fmt: skip
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(min=1), help="Worker processes.")  # fmt: skip
@click.option(
    "--scheduler", metavar="tcp://HOST:PORT", help="Render the articles on a Dask cluster (needs printbrief[dask])."
)  # fmt: skip
@click.option("--keep-going", is_flag=True, help="Leave bad articles out and list them.")
@click.option("--right-hand", is_flag=True, help="Start every article on a right-hand page.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache of rendered articles (default: .printbrief-cache next to OUT).")  # fmt: skip
@click.option("--no-cache", is_flag=True, help="Render every article, reuse and keep nothing.")
@render_options
@INPUT_FORMAT
@QUIET
def compile_command(**params: Any) -> None:
    """Compile an ISSUE file (JSON or YAML) to one PDF: cover, contents, bookmarks."""
    from ..issue.compile import compile_issue

    set_quiet(params.pop("quiet"))
    options = options_from(params)
    with _scheduler(params.pop("scheduler")) as (executor, _), _progress() as progress:
        result = compile_issue(
            params["issue"], params["output"], executor, options=options, jobs=params["jobs"],
            keep_going=params["keep_going"], right_hand=params["right_hand"],
            cache_dir=params["cache_dir"], use_cache=not params["no_cache"], progress=progress,
        )  # fmt: skip
    if not State.quiet or result.left_out:
        echo(result.summary())
    if result.left_out:
        sys.exit(1)


@contextmanager
def _progress() -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when it is a terminal (and not --quiet), else nothing."""
    if not sys.stderr.isatty() or logging.getLogger("printbrief").level >= logging.ERROR:
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("articles", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
