"""``printbrief preview``, ``fonts``, ``themes``, ``variants`` and ``schema``: looking at things."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .main import cli, echo
from .options import BUNDLED_ONLY, THEME_PATH, options_from, render_options


@cli.command()
@click.argument("source")
@click.option(
    "-o", "--output", default="page-{n}.png", show_default=True,
    help="PNG name pattern; {n} is the page number.",
)  # fmt: skip
@click.option("--dpi", type=float, default=96, show_default=True)
@render_options
def preview(source: str, output: str, dpi: float, **params: Any) -> None:
    """Render SOURCE (an article, or a finished .pdf) to one PNG per page."""
    from ..load import read_bytes
    from ..preview import write_previews

    options = options_from(params)
    if source.lower().endswith(".pdf"):
        pdf = read_bytes(Path(source), max_bytes=1 << 30, limit="")
    else:
        from ..renderer import Renderer

        pdf = Renderer(options.check()).render(source)
    for path in write_previews(pdf, output, dpi):
        echo(f"wrote {path}")


@cli.command(name="fonts")
@BUNDLED_ONLY
def fonts_command(bundled_fonts_only: bool) -> None:
    """List the font stacks per language, the bundled files and their coverage.

    ``text`` is the reading text of a theme with ``"cjk_text": "sans"`` (minimal), ``serif``
    that of a theme with ``"cjk_text": "serif"`` (newsbrief, broadsheet); ``display`` is the
    headings' and labels' in every theme.
    """
    from .. import fonts

    system = not bundled_fonts_only
    serif = fonts.stacks(system, "serif")
    click.echo('text: themes with "cjk_text": "sans"; serif: with "cjk_text": "serif"\n')
    for key, stack in fonts.stacks(system, "sans").items():
        click.echo(f"{key:8} text:    {', '.join(stack.text)}")
        click.echo(f"{'':8} serif:   {', '.join(serif[key].text)}")
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
@THEME_PATH
def themes(theme_paths: tuple[str, ...]) -> None:
    """List the themes on the search path and in installed theme packages, in lookup order."""
    from ..themes import list_themes, search_path

    for theme in list_themes(search_path(theme_paths)):
        source = f"  [{theme.source}]" if theme.source.startswith("package ") else ""
        click.echo(f"{theme.name:14} {theme.description}{source}")
        for hidden in theme.shadows:
            click.echo(f"{'':14} name clash: hides the {theme.name!r} theme of {hidden}")


@cli.command()
def variants() -> None:
    """List the PDF variants (--variant) and paper sizes (--paper)."""
    from ..paper import PAPER_SIZES
    from ..variants import VARIANTS

    for variant in VARIANTS.values():
        click.echo(f"{variant.name:10} {variant.description}")
    click.echo("")
    for name, (width, height) in PAPER_SIZES.items():
        click.echo(f"{name:10} {width} × {height}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of an article."""
    from ..model import json_schema

    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))
