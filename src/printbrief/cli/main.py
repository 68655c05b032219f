"""The ``printbrief`` command group: global flags, logging, and error → exit code mapping."""

from __future__ import annotations

import logging
import signal
import sys
import traceback
from collections.abc import Callable, Sequence

import click

from ..errors import PrintbriefError
from ..scratch import process_scratch
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
    click.get_current_context().call_on_close(_loggers_restorer())
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


def _loggers_restorer() -> Callable[[], None]:
    """What puts the printbrief and WeasyPrint loggers back as they are now.

    The command configures them; run in-process (``main``, click's ``CliRunner``), the
    calling program or test gets its own logging back when the command ends.
    """
    loggers = [logging.getLogger(name) for name in ("printbrief", "weasyprint")]
    saved = [(logger.handlers[:], logger.level, logger.propagate) for logger in loggers]

    def restore() -> None:
        for logger, (handlers, level, propagate) in zip(loggers, saved, strict=True):
            logger.handlers[:], logger.propagate = handlers, propagate
            logger.setLevel(level)  # not .level: setLevel also clears the loggers' cache

    return restore


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

    process_scratch()
    startup.enable()
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)
    sys.exit(startup.finish(main()))


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)
