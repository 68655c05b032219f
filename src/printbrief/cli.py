"""The ``printbrief`` command: parse options, call the library, map errors to exit codes."""

from __future__ import annotations

import importlib
import json
import logging
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import PrintbriefError, UsageError

log = logging.getLogger("printbrief")

_THEME_PATH = click.option(
    "--theme-path", "theme_paths", multiple=True, type=click.Path(file_okay=False, exists=True),
    help="Extra folder of themes, searched before the built-in ones (repeatable).",
)  # fmt: skip


_BUNDLED_ONLY = click.option(
    "--bundled-fonts-only", is_flag=True,
    help="Ignore the system's Noto CJK fallback (same output on every machine).",
)  # fmt: skip


class _State:
    debug = False
    quiet = False


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="printbrief")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option("-q", "--quiet", is_flag=True, help="Only print errors.")
def cli(debug: bool, quiet: bool) -> None:
    """Turn news articles into print-ready PDF."""
    _State.debug, _State.quiet = debug, quiet
    _configure_logging(logging.DEBUG if debug else logging.ERROR if quiet else logging.WARNING)


def _configure_logging(level: int) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("printbrief: %(levelname)s: %(message)s"))
    for name, lvl in (("printbrief", level), ("weasyprint", max(level, logging.ERROR))):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(lvl)
        logger.propagate = False


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", help="Output file for a single input ('-' for stdout).")
@click.option("--out-dir", type=click.Path(file_okay=False), help="Folder for the PDFs.")
@click.option("--theme", default="newsbrief", show_default=True, help="Theme name or folder.")
@_THEME_PATH
@click.option(
    "--paper", default="A4", show_default=True, help="A4, Letter, A5, … or WIDTHxHEIGHTmm."
)
@click.option(
    "--variant", help="PDF standard: pdf/a-2b, pdf/a-3b, pdf/ua-1 or pdf/x-4 (printbrief variants)."
)
@click.option("--bleed", help="Bleed around the trim box for press output, e.g. 3mm.")
@click.option("--marks", help="Printer's marks: crop, cross or crop,cross.")
@click.option("--strict", is_flag=True, help="Fail on characters no font covers.")
@click.option(
    "--allow-host", "allow_hosts", multiple=True, metavar="HOST",
    help="Let article images come from this host over HTTPS (repeatable; default: no network).",
)  # fmt: skip
@_BUNDLED_ONLY
@click.option(
    "--lossless-images", is_flag=True,
    help="Embed PNG, WebP and GIF photos as they are (default: as JPEG, quality 92; faster, smaller).",
)  # fmt: skip
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes; 1 renders in this process  [default: one per CPU core].",
)
@click.option("--force", is_flag=True, help="Render even outputs the manifest shows up to date.")
@click.option(
    "--scheduler",
    metavar="tcp://HOST:PORT",
    help="Render on a Dask cluster (needs printbrief[dask]).",
)
@click.option(
    "--worker-writes/--client-writes",
    default=None,
    help="Who writes the PDFs  [default: workers with -j, this process with --scheduler].",
)
def render(
    inputs: tuple[str, ...], output: str | None, out_dir: str | None, theme: str,
    theme_paths: tuple[str, ...], paper: str, variant: str | None, bleed: str | None,
    marks: str | None, strict: bool, allow_hosts: tuple[str, ...], bundled_fonts_only: bool,
    lossless_images: bool, jobs: int | None, force: bool, scheduler: str | None, worker_writes: bool | None,
) -> None:  # fmt: skip
    """Render INPUT files, folders or quoted globs (JSON, Markdown, JSON-LD; '-' for stdin) to PDF.

    PDFs go into --out-dir, or beside each input. Outputs that printbrief-manifest.json in
    that folder shows up to date are skipped; Ctrl-C keeps every finished PDF. Images may come
    from each input's own folder (and below), data: URIs, and the hosts given with
    --allow-host; nothing else is read.
    """
    style: dict[str, Any] = {"theme": theme, "paper": paper, "strict": strict,
                             "system_fonts": not bundled_fonts_only, "theme_paths": theme_paths,
                             "variant": variant, "bleed": bleed, "marks": marks,
                             "allow_hosts": allow_hosts,
                             "lossless_images": lossless_images}  # fmt: skip
    if output:
        if out_dir or len(inputs) > 1:
            raise UsageError("-o/--output takes exactly one input and no --out-dir")
        _render_one(inputs[0], output, style)
        return
    with _scheduler(scheduler) as (executor, in_flight):
        _render_batch(
            inputs, out_dir, executor, **style,
            jobs=jobs, force=force, write_on_worker=worker_writes, in_flight=in_flight,
        )  # fmt: skip


def _render_one(input_name: str, output: str, style: dict[str, Any]) -> None:
    from .batch import render_to, summary
    from .worker import RenderOptions

    started = time.perf_counter()
    result = render_to(input_name, output, RenderOptions(**style))
    _echo(summary([result], time.perf_counter() - started))
    if result.status == "failed":
        sys.exit(1)


def _render_batch(
    inputs: Sequence[str], out_dir: str | None, executor: Executor | None, **kwargs: Any
) -> None:
    from .batch import render_many, summary
    from .progress import BatchProgress

    started = time.perf_counter()
    try:
        with BatchProgress(bar=sys.stderr.isatty(), quiet=_State.quiet) as progress:
            results = render_many(inputs, out_dir, executor, on_result=progress, **kwargs)
    except KeyboardInterrupt:
        _echo("stopped: finished PDFs are kept and recorded; run the same command to resume")
        raise
    if not _State.quiet or any(r.status == "failed" for r in results):
        _echo(summary(results, time.perf_counter() - started))
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


@cli.command(name="compile")
@click.argument("issue", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The issue's PDF.")  # fmt: skip
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(min=1), help="Worker processes.")  # fmt: skip
@click.option("--keep-going", is_flag=True, help="Leave bad articles out and list them.")
@click.option("--right-hand", is_flag=True, help="Start every article on a right-hand page.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache of rendered articles (default: .printbrief-cache next to OUT).")  # fmt: skip
@click.option("--no-cache", is_flag=True, help="Render every article, reuse and keep nothing.")
@click.option("--theme", default="newsbrief", show_default=True, help="Theme name or folder.")
@_THEME_PATH
@click.option(
    "--paper", default="A4", show_default=True, help="A4, Letter, A5, … or WIDTHxHEIGHTmm."
)
@click.option("--strict", is_flag=True, help="Fail on characters no font covers.")
@_BUNDLED_ONLY
def compile_command(
    issue: str, output: str, jobs: int, keep_going: bool, right_hand: bool, cache_dir: str | None,
    no_cache: bool, theme: str, theme_paths: tuple[str, ...], paper: str, strict: bool,
    bundled_fonts_only: bool,
) -> None:  # fmt: skip
    """Compile an ISSUE file (JSON or YAML) to one PDF: cover, contents, bookmarks."""
    from .assemble import compile_issue

    with _progress() as progress:
        result = compile_issue(
            issue, output, jobs=jobs, keep_going=keep_going, right_hand=right_hand,
            cache_dir=cache_dir, use_cache=not no_cache, theme=theme, theme_paths=theme_paths,
            paper=paper, strict=strict, system_fonts=not bundled_fonts_only, progress=progress,
        )  # fmt: skip
    _echo(result.summary())
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


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON report on stdout.")
@click.option("--strict", is_flag=True, help="Uncovered characters make the check fail.")
@click.option("--pdf", "as_pdf", is_flag=True, help="Preflight finished PDFs instead of articles.")
@click.option("--bleed", help="With --pdf: the bleed the PDFs must have, e.g. 3mm.")
@click.option(
    "--min-dpi",
    type=float,
    default=150,
    show_default=True,
    help="With --pdf: lowest image resolution.",
)
@_BUNDLED_ONLY
def check(
    inputs: tuple[str, ...], as_json: bool, strict: bool, as_pdf: bool, bleed: str | None,
    min_dpi: float, bundled_fonts_only: bool,
) -> None:  # fmt: skip
    """Validate INPUT articles and report characters no font covers (or preflight PDFs)."""
    if as_pdf:
        _preflight(inputs, as_json=as_json, bleed=bleed, min_dpi=min_dpi)
        return
    from .coverage import check_article
    from .load import load
    from .plan import expand_inputs

    reports, failed = [], False
    for name in expand_inputs(inputs):
        report: dict[str, Any] = {"input": name, "valid": True, "errors": [], "missing": []}
        try:
            article = load(name)
            missing = check_article(article, system=not bundled_fonts_only)
            report["missing"] = [
                {"codepoint": m.codepoint, "char": m.char, "where": m.where, "lang": m.lang}
                for m in missing
            ]
        except PrintbriefError as exc:
            report["valid"] = False
            problems = getattr(exc, "problems", ())
            report["errors"] = [{"field": p.field, "message": p.message} for p in problems] or [
                {"field": "", "message": exc.message}
            ]
        failed |= not report["valid"] or (strict and bool(report["missing"]))
        reports.append(report)
        if not as_json:
            _echo_check(report)
    if as_json:
        click.echo(json.dumps(reports, indent=2, ensure_ascii=False))
    if failed:
        sys.exit(1)


def _preflight(
    inputs: tuple[str, ...], *, as_json: bool, bleed: str | None, min_dpi: float
) -> None:
    from .load import read_bytes
    from .paper import bleed_mm as to_mm
    from .preflight import preflight

    bleed_mm = to_mm(bleed) if bleed else None
    reports, failed = [], False
    for name in inputs:
        try:
            findings = [
                f.as_dict()
                for f in preflight(
                    read_bytes(Path(name), max_bytes=1 << 30), bleed_mm=bleed_mm, min_dpi=min_dpi
                )
            ]
        except PrintbriefError as exc:
            findings = [{"check": "readable", "page": 0, "message": exc.message}]
        failed |= bool(findings)
        reports.append({"input": name, "findings": findings})
        if not as_json:
            for f in findings:
                click.echo(f"{name}: page {f['page']}: {f['check']}: {f['message']}")
            if not findings:
                click.echo(f"{name}: ok")
    if as_json:
        click.echo(json.dumps(reports, indent=2, ensure_ascii=False))
    if failed:
        sys.exit(1)


@cli.command()
@click.argument("source")
@click.option(
    "-o",
    "--output",
    default="page-{n}.png",
    show_default=True,
    help="PNG name pattern; {n} is the page number.",
)
@click.option("--dpi", type=float, default=96, show_default=True)
@click.option(
    "--theme", default="newsbrief", show_default=True, help="Theme name or folder (articles only)."
)
@_THEME_PATH
@click.option("--paper", default="A4", show_default=True)
def preview(
    source: str, output: str, dpi: float, theme: str, theme_paths: tuple[str, ...], paper: str
) -> None:
    """Render SOURCE (an article, or a finished .pdf) to one PNG per page."""
    from .load import load, read_bytes
    from .preview import write_previews

    if source.lower().endswith(".pdf"):
        pdf = read_bytes(Path(source), max_bytes=1 << 30)
    else:
        from .renderer import Renderer

        pdf = Renderer(theme, paper=paper, theme_paths=theme_paths).render(load(source))
    for path in write_previews(pdf, output, dpi):
        _echo(f"wrote {path}")


def _echo_check(report: dict[str, Any]) -> None:
    name = report["input"]
    if not report["valid"]:
        for error in report["errors"]:
            field = f"{error['field']}: " if error["field"] else ""
            click.echo(f"{name}: invalid: {field}{error['message']}")
    for m in report["missing"]:
        click.echo(
            f"{name}: no font covers {m['codepoint']} {m['char']} in {m['where']} (lang {m['lang']})"
        )
    if report["valid"] and not report["missing"]:
        click.echo(f"{name}: ok")


@cli.command(name="fonts")
@_BUNDLED_ONLY
def fonts_command(bundled_fonts_only: bool) -> None:
    """List the font stacks per language, the bundled files and their coverage."""
    from . import fonts

    for key, stack in fonts.stacks(not bundled_fonts_only).items():
        click.echo(f"{key:8} text:    {', '.join(stack.text)}")
        click.echo(f"{'':8} display: {', '.join(stack.display)}")
    click.echo("")
    for face in fonts.FACES:
        if face.latin_for_cjk:
            continue
        style = f"{face.weight} {face.style}"
        size = face.path.stat().st_size / 1024 / 1024
        click.echo(
            f"{face.family:12} {style:11} {face.file:28} {size:5.2f} MB  {len(fonts.bundled_cmap(face)):6} code points"
        )
    click.echo("")
    for family in fonts.SYSTEM_FALLBACK.values():
        where = fonts.system_font(family)
        state = (
            f"installed: {where[0]}#{where[1]}"
            if where
            else "not installed (Debian: fonts-noto-cjk)"
        )
        click.echo(f"{family:18} {state}")


@cli.command()
@_THEME_PATH
def themes(theme_paths: tuple[str, ...]) -> None:
    """List the themes on the search path."""
    from .themes import available_themes, search_path

    for name, description in available_themes(search_path(theme_paths)).items():
        click.echo(f"{name:14} {description}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of an article."""
    from .model import json_schema

    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


@cli.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default)."
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Render worker processes.",
)
@click.option(
    "--queue",
    default=8,
    show_default=True,
    type=click.IntRange(0, 1024),
    help="Requests that may wait for a worker.",
)
@click.option(
    "--deadline",
    default=20.0,
    show_default=True,
    type=click.FloatRange(0.1),
    help="Seconds per render before its worker is killed.",
)
@click.option(
    "--recycle-after",
    default=200,
    show_default=True,
    type=click.IntRange(1),
    help="Renders before a worker is replaced.",
)
@click.option(
    "--cache-mb",
    default=64,
    show_default=True,
    type=click.IntRange(0),
    help="In-memory result cache size.",
)
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Shared on-disk result cache.")
@_THEME_PATH
@_BUNDLED_ONLY
def serve(
    host: str, port: int, workers: int, queue: int, deadline: float, recycle_after: int,
    cache_mb: int, cache_dir: str | None, theme_paths: tuple[str, ...], bundled_fonts_only: bool,
) -> None:  # fmt: skip
    """Run the print-button HTTP service (needs printbrief[server])."""
    try:
        from .service import ServiceConfig
        from .service import serve as run_service
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    from pathlib import Path

    from .pool import PoolConfig

    pool = PoolConfig(
        workers=workers, queue=queue, deadline=deadline, recycle_after=recycle_after,
        system_fonts=not bundled_fonts_only, theme_paths=theme_paths,
    )  # fmt: skip
    config = ServiceConfig(
        pool=pool, cache_bytes=cache_mb << 20, cache_dir=Path(cache_dir) if cache_dir else None
    )
    run_service(config, host=host, port=port)


def _echo(message: str) -> None:
    click.echo(message, err=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` and return the exit code (tests call this in-process)."""
    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="printbrief",
            standalone_mode=False,
        )
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("printbrief: interrupted", err=True)
        return 130
    except PrintbriefError as exc:
        _report(exc)
        return exc.exit_code
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def _report(exc: BaseException) -> None:
    if _State.debug:
        traceback.print_exception(exc)
    click.echo(f"printbrief: error: {exc}", err=True)


def run() -> None:  # pragma: no cover - the console script
    """Entry point of the ``printbrief`` console script."""
    sys.exit(main())
