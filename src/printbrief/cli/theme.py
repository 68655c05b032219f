"""``printbrief theme new``: start a theme folder that renders as it is."""

from __future__ import annotations

import click

from .main import cli, echo
from .options import THEME_PATH


@cli.group()
def theme() -> None:
    """Make themes (``printbrief themes`` lists them)."""


@theme.command(name="new")
@click.argument("name")
@click.option(
    "--extends", "parent", default="newsbrief", show_default=True,
    help="The theme to build on: only a stylesheet of starting points is written.",
)  # fmt: skip
@click.option(
    "--standalone", is_flag=True,
    help="Extend nothing: write templates and a full stylesheet (from the minimal theme).",
)  # fmt: skip
@click.option(
    "--dir", "folder", default=".", show_default=True, type=click.Path(file_okay=False),
    help="Where to create the NAME folder.",
)  # fmt: skip
@THEME_PATH
def new(
    name: str, parent: str, standalone: bool, folder: str, theme_paths: tuple[str, ...]
) -> None:
    """Write a new theme folder NAME (never over an existing one)."""
    from ..scaffold import new_theme

    target = new_theme(
        name, folder, extends=None if standalone else parent, theme_paths=theme_paths
    )
    echo(f"wrote {target}")
    echo(f"try it: printbrief watch ARTICLE -o preview.pdf --theme {target}")
