"""``printbrief render``: one article to a file or stdout, or many to a folder (batch, Dask)."""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import Any

import click

from ..errors import UsageError
from ..options import RenderOptions
from .main import State, cli, echo, set_quiet
from .options import INPUT_FORMAT, QUIET, options_from, render_options


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", help="Output file for a single input ('-' for stdout).")
@click.option("--out-dir", type=click.Path(file_okay=False), help="Folder for the PDFs.")
@render_options
@INPUT_FORMAT
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1),
    help="Worker processes; 1 renders in this process  [default: one per CPU core].",
)  # fmt: skip
@click.option("--force", is_flag=True, help="Render even outputs the manifest shows up to date.")
@click.option(
    "--scheduler", metavar="tcp://HOST:PORT", help="Render on a Dask cluster (needs printbrief[dask])."
)  # fmt: skip
@click.option(
    "--worker-writes/--client-writes", default=None,
    help="Who writes the PDFs  [default: workers with -j, this process with --scheduler].",
)  # fmt: skip
@QUIET
def render(**params: Any) -> None:
    """Render INPUT files, folders or quoted globs (any input format; '-' for stdin) to PDF.

    PDFs go into --out-dir, or beside each input. Outputs that printbrief-manifest.json in
    that folder shows up to date are skipped; Ctrl-C keeps every finished PDF. Images may come
    from each input's own folder (and below), data: URIs, and the hosts given with
    --allow-host; nothing else is read.
    """
    set_quiet(params.pop("quiet"))
    options = options_from(params)
    inputs, output, out_dir = params["inputs"], params["output"], params["out_dir"]
    if output:
        if out_dir or len(inputs) > 1:
            raise UsageError("-o/--output takes exactly one input and no --out-dir")
        _render_one(inputs[0], output, options)
        return
    with _scheduler(params["scheduler"]) as (executor, in_flight):
        _render_batch(
            inputs, out_dir, executor, options=options, jobs=params["jobs"],
            force=params["force"], write_on_worker=params["worker_writes"], in_flight=in_flight,
        )  # fmt: skip


def _render_one(input_name: str, output: str, options: RenderOptions) -> None:
    from ..batch.run import render_to, summary

    started = time.perf_counter()
    result = render_to(input_name, output, options)
    if not State.quiet or result.status == "failed":
        echo(summary([result], time.perf_counter() - started))
    if result.status == "failed":
        sys.exit(1)


def _render_batch(
    inputs: Sequence[str], out_dir: str | None, executor: Executor | None, **kwargs: Any
) -> None:
    from ..batch.progress import BatchProgress
    from ..batch.run import render_many, summary

    started = time.perf_counter()
    try:
        with BatchProgress(bar=sys.stderr.isatty(), quiet=State.quiet) as progress:
            results = render_many(inputs, out_dir, executor, on_result=progress, **kwargs)
    except KeyboardInterrupt:
        echo("stopped: finished PDFs are kept and recorded; run the same command to resume")
        raise
    if not State.quiet or any(r.status == "failed" for r in results):
        echo(summary(results, time.perf_counter() - started))
    if any(r.status == "failed" for r in results):
        sys.exit(1)


@contextmanager
def _scheduler(address: str | None) -> Iterator[tuple[Executor | None, int | None]]:
    """A Dask cluster's executor, and how many tasks to keep in flight on it (4 per thread)."""
    if not address:
        yield None, None
        return
    try:  # imported by name: distributed is an optional extra, and its API is untyped
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        raise UsageError(
            "--scheduler needs Dask's distributed package: pip install 'printbrief[dask]'"
        ) from None
    try:
        client = distributed.Client(address, timeout="10s")
    except OSError as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    with client:
        yield client.get_executor(), max(8, 4 * sum(client.nthreads().values()))
