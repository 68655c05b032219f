"""The ``printbrief`` command group: global flags, logging, and error → exit code mapping."""

from __future__ import annotations

import logging
import os
import signal
import sys
import tempfile
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import click

from ..errors import PrintbriefError
from ..scratch import new_scratch, remove_scratch
from ..version import __version__


class State:
    """Flags of the group that every command reads."""

    debug = False
    quiet = False


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="printbrief")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option("-q", "--quiet", is_flag=True, help="Only print errors.")
def cli(debug: bool, quiet: bool) -> None:
    """Turn news articles into print-ready PDF."""
    State.debug = debug
    set_quiet(quiet)


def set_quiet(quiet: bool) -> None:
    """Configure logging for ``--quiet`` (errors only), ``--debug`` or neither."""
    State.quiet = State.quiet or quiet
    level = logging.ERROR if State.quiet else logging.WARNING
    configure_logging(logging.DEBUG if State.debug else level)


def configure_logging(level: int) -> None:
    """printbrief's messages on stderr as ``printbrief: LEVEL: message``; WeasyPrint's errors only."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("printbrief: %(levelname)s: %(message)s"))
    for name, lvl in (("printbrief", level), ("weasyprint", max(level, logging.ERROR))):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(lvl)
        logger.propagate = False


def echo(message: str) -> None:
    """A line for the user on stderr (stdout may carry a PDF)."""
    click.echo(message, err=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` and return the exit code (tests call this in-process)."""
    State.debug = State.quiet = False
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
    if State.debug:
        traceback.print_exception(exc)
    click.echo(f"printbrief: error: {exc}", err=True)


def run() -> None:  # pragma: no cover - the console script
    """Entry point of the ``printbrief`` console script.

    SIGTERM (``timeout``, systemd, ``docker stop``) and SIGHUP stop a run as Ctrl-C does:
    workers stopped, finished PDFs kept, the manifest saved, scratch folders removed. The
    process starts and ends the fast way (:mod:`printbrief.startup`); the output is the same.
    """
    from .. import startup

    startup.enable()
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)
    with process_scratch():
        code = main()
    sys.exit(startup.finish(code))


@contextmanager
def process_scratch() -> Iterator[str]:
    """Every temporary file of this run inside one scratch folder, removed when the run ends.

    WeasyPrint copies the fonts into a temporary folder per ``FontConfiguration`` (31 MB)
    and removes it only when that object is collected; a render killed mid-way used to leave
    it in /tmp. In the run's scratch folder (``TMPDIR`` too, for child processes) it goes with
    the folder, and a folder left by a run killed with SIGKILL is swept by the next run.
    """
    folder = new_scratch("cli")
    before = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = os.environ["TMPDIR"] = folder
    try:
        yield folder
    finally:
        tempfile.tempdir = before[0]
        if before[1] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = before[1]
        _remove_last(folder)


def _remove_last(folder: str) -> None:
    """Remove ``folder`` now, or at exit after multiprocessing has removed its own folder in it.

    A forkserver keeps its socket in a ``pymp-*`` folder that multiprocessing deletes at
    exit, and fails loudly if it is already gone.
    """
    mp_util = sys.modules.get("multiprocessing.util")
    if mp_util is None:
        remove_scratch(folder)
    else:  # exit priority below the -100 of multiprocessing's own folder: runs after it
        mp_util.Finalize(None, remove_scratch, args=(folder,), exitpriority=-101)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)
