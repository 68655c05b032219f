"""The render options every command shares: one set of decorators that build one RenderOptions.

A new option is a field of :class:`~printbrief.options.RenderOptions` and one entry here;
``render``, ``compile`` and ``preview`` all take it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..limits import DEFAULT_LIMITS, Limits
from ..load import FORMATS
from ..options import RenderOptions
from ..paper import PAPER_SIZES
from ..variants import VARIANTS

F = TypeVar("F", bound=Callable[..., Any])

THEME_PATH = click.option(
    "--theme-path", "theme_paths", multiple=True, type=click.Path(file_okay=False, exists=True),
    help="Extra folder of themes, searched before the built-in ones (repeatable).",
)  # fmt: skip
BUNDLED_ONLY = click.option(
    "--bundled-fonts-only", is_flag=True,
    help="Ignore the system's Noto CJK fallback (same output on every machine).",
)  # fmt: skip
ALLOW_HOST = click.option(
    "--allow-host", "allow_hosts", multiple=True, metavar="HOST",
    help="Let article images come from this host over HTTPS (repeatable; default: no network).",
)  # fmt: skip
INPUT_FORMAT = click.option(
    "--from", "input_format", type=click.Choice(list(FORMATS), case_sensitive=False),
    help="Read inputs in this format instead of recognising each from its content.",
)  # fmt: skip
OUTPUT_PROFILE = click.option(
    "--output-profile", type=click.Path(dir_okay=False, exists=True),
    help="CMYK printer ICC profile for pdf/x-4 (default: the shipped FOGRA39).",
)  # fmt: skip
OUTPUT_CONDITION = click.option(
    "--output-condition", metavar="NAME",
    help="Print condition of the pdf/x-4 output intent, e.g. FOGRA51 (default: FOGRA39, or the "
    "profile's description).",
)  # fmt: skip
LIMIT = click.option(
    "--limit", "limits", multiple=True, metavar="NAME=VALUE",
    help="Change one bound on input, time or memory (repeatable), e.g. max_render_seconds=120, "
    "max_pages=400, max_worker_memory=4GiB (0: none); every name is in docs/security.md.",
)  # fmt: skip
QUIET = click.option("-q", "--quiet", is_flag=True, help="Print only failures and errors.")

_LOOK = [
    click.option("--theme", default="newsbrief", show_default=True, help="Theme name or folder."),
    THEME_PATH,
    click.option(
        "--paper", default="A4", show_default=True,
        help=f"{', '.join(PAPER_SIZES)}, or WIDTHxHEIGHT in mm, cm or in (e.g. 100x150mm).",
    ),
]  # fmt: skip
_OUTPUT = [
    click.option(
        "--variant", type=click.Choice(list(VARIANTS), case_sensitive=False),
        help="PDF standard: " + "; ".join(f"{v.name}: {v.description}" for v in VARIANTS.values()),
    ),
    click.option("--bleed", help="Bleed around the trim box for press output, e.g. 3mm."),
    click.option("--marks", help="Printer's marks: crop, cross or crop,cross."),
    OUTPUT_PROFILE,
    OUTPUT_CONDITION,
    click.option("--strict", is_flag=True, help="Fail on characters no font covers."),
    ALLOW_HOST,
    BUNDLED_ONLY,
    click.option(
        "--lossless-images", is_flag=True,
        help="Embed PNG, WebP and GIF photos as they are (default: as JPEG, quality 92).",
    ),
    LIMIT,
]  # fmt: skip


def _apply(decorators: list[Callable[[Any], Any]], command: F) -> F:
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def render_options(command: F) -> F:
    """Every render option as a flag (theme, paper, variant, press, fonts, pictures, hosts,
    limits)."""
    return _apply([*_LOOK, *_OUTPUT], command)


_FLAGS = ("theme", "theme_paths", "paper", "variant", "bleed", "marks", "strict", "allow_hosts",
          "bundled_fonts_only", "lossless_images", "input_format", "output_profile",
          "output_condition", "limits")  # fmt: skip


def options_from(params: dict[str, Any]) -> RenderOptions:
    """The RenderOptions the flags in ``params`` describe (flags are removed from ``params``)."""
    given = {name: params.pop(name) for name in _FLAGS if name in params}
    if "bundled_fonts_only" in given:
        given["system_fonts"] = not given.pop("bundled_fonts_only")
    if given.get("input_format"):
        given["input_format"] = given["input_format"].lower()
    if given.get("variant"):
        given["variant"] = given["variant"].lower()
    given["limits"] = limits_from(given.pop("limits", ()))
    return RenderOptions.of(**given)


def limits_from(settings: tuple[str, ...]) -> Limits | None:
    """The limits ``--limit NAME=VALUE`` settings describe (None: the defaults)."""
    return DEFAULT_LIMITS.changed(*settings) if settings else None
