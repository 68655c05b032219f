"""The ``printbrief`` command: parse options, call the library, map errors to exit codes."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="printbrief")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option("-q", "--quiet", is_flag=True, help="Only print errors.")
def cli(debug: bool, quiet: bool) -> None:
    """Turn news articles into print-ready PDF."""
    _State.debug = debug
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
@click.option("--strict", is_flag=True, help="Fail on characters no font covers.")
@_BUNDLED_ONLY
def render(
    inputs: tuple[str, ...], output: str | None, out_dir: str | None, theme: str,
    theme_paths: tuple[str, ...], paper: str, strict: bool, bundled_fonts_only: bool,
) -> None:  # fmt: skip
    """Render INPUT files (JSON, Markdown, JSON-LD; '-' for stdin) to PDF."""
    from .batch import plan_outputs, render_planned

    if output and (out_dir or len(inputs) > 1):
        raise UsageError("-o/--output takes exactly one input and no --out-dir")
    from .renderer import Renderer

    renderer = Renderer(
        theme,
        paper=paper,
        theme_paths=theme_paths,
        strict=strict,
        system_fonts=not bundled_fonts_only,
    )
    jobs = plan_outputs(inputs, output=output, out_dir=out_dir)
    report = render_planned(renderer, jobs, echo=_echo)
    _echo(report.summary())
    if report.failed:
        sys.exit(1)


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
@_BUNDLED_ONLY
def check(inputs: tuple[str, ...], as_json: bool, strict: bool, bundled_fonts_only: bool) -> None:
    """Validate INPUT files and report characters no font covers."""
    from .batch import expand_inputs
    from .coverage import check_article
    from .load import load

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
            f"{face.family:12} {style:11} {face.file:28} {size:5.2f} MB  {len(fonts.cmap(face.path)):6} code points"
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
