"""printbrief: news-article data to paginated, print-ready PDF (Jinja2 → WeasyPrint).

Every entry point takes one :class:`RenderOptions` (or its fields as keywords):

>>> import printbrief
>>> pdf = printbrief.render({"headline": "Harbour reopens", "body": "Ships are back."})
>>> pdf[:5], pdf.pages
(b'%PDF-', 1)
>>> options = printbrief.RenderOptions(paper="A5", variant="pdf/a-2b", system_fonts=False)
>>> results = printbrief.render_many(["samples/en-plain.json"], "out/doctest", options=options)
>>> [r.output for r in results]
['out/doctest/en-plain.pdf']
>>> printbrief.compile_issue("samples/issues/weekend-edition.json", options=options).articles
5
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import (
    CoverageError,
    FieldProblem,
    InputError,
    LimitError,
    OutputError,
    PrintbriefError,
    RenderError,
    ThemeError,
    UsageError,
)
from .finish import Rendered
from .limits import Limits
from .load import load
from .model import Article, Image, json_schema
from .options import RenderOptions
from .version import __version__

# WeasyPrint loads on first use of the renderer, so `printbrief --help` and `check` start fast.
# (The module is `renderer`, not `render`, so that `printbrief.render` stays the function.)
_LAZY = {
    "Renderer": "renderer",
    "render": "renderer",
    "ItemResult": "batch.run",
    "render_many": "batch.run",
    "compile_issue": "issue.compile",
}

if TYPE_CHECKING:
    from .batch.run import ItemResult, render_many
    from .issue.compile import compile_issue
    from .renderer import Renderer, render


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'printbrief' has no attribute {name!r}")


__all__ = [
    "Article",
    "CoverageError",
    "FieldProblem",
    "Image",
    "InputError",
    "ItemResult",
    "LimitError",
    "Limits",
    "OutputError",
    "PrintbriefError",
    "RenderError",
    "RenderOptions",
    "Rendered",
    "Renderer",
    "ThemeError",
    "UsageError",
    "__version__",
    "compile_issue",
    "json_schema",
    "load",
    "render",
    "render_many",
]
