"""``printbrief watch``: a live preview for theme authors, rendering again on every save."""

from __future__ import annotations

import time
from threading import Event
from typing import TYPE_CHECKING, Any

import click

from .main import State, cli
from .options import INPUT_FORMAT, options_from, render_options

if TYPE_CHECKING:  # the watch module imports WeasyPrint, rich costs every command's start
    from rich.console import Console

    from ..watch import Outcome


@cli.command()
@click.argument("article", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The PDF.")
@click.option(
    "--png", "png_dir", type=click.Path(file_okay=False),
    help="Also write each page as OUTPUT-N.png into this folder.",
)  # fmt: skip
@click.option(
    "--dpi", type=click.FloatRange(10, 1200), default=96, show_default=True,
    help="Resolution of --png.",
)  # fmt: skip
@render_options
@INPUT_FORMAT
def watch(article: str, output: str, png_dir: str | None, dpi: float, **params: Any) -> None:
    """Render ARTICLE to OUTPUT, then again within a second of each save.

    Watched: the article, the local pictures it names, and every file of the theme (its
    extends parents included). Errors are shown and the watch goes on; Ctrl-C stops it.
    """
    from rich.console import Console

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    try:  # Ctrl-C (or SIGTERM) is how a watch ends: at any moment, exit status 0
        _watch(console, article, output, png_dir, dpi, params)
    except KeyboardInterrupt:
        console.print("stopped")


def _watch(
    console: Console, article: str, output: str, png_dir: str | None, dpi: float, params: Any
) -> None:
    from rich.markup import escape

    from ..watch import Watcher

    watcher = Watcher(article, output, options_from(params), png_dir=png_dir, dpi=dpi)
    folders = ", ".join(str(f) for f in watcher.theme_folders)
    if not State.quiet:
        console.print(f"watching {escape(article)} and theme {escape(folders)} (Ctrl-C stops)")
    watcher.run(Event(), lambda outcome: _show(console, outcome))


def _show(console: Console, outcome: Outcome) -> None:
    """One line per render: time, what was written or the error, how long it took."""
    from rich.markup import escape

    message = " ".join(outcome.message.split())  # one line, whatever the error held
    clock = time.strftime("%H:%M:%S")
    took = f"[dim]{outcome.seconds:.2f} s[/dim]"
    if outcome.ok:
        if not State.quiet:
            console.print(f"[green]✓[/green] {clock} {escape(message)} {took}")
    else:
        console.print(f"[red]✗[/red] {clock} [red]error:[/red] {escape(message)} {took}")
