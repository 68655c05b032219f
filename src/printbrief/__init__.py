"""printbrief: news-article data to paginated, print-ready PDF (Jinja2 → WeasyPrint).

>>> import printbrief
>>> pdf = printbrief.render({"headline": "Harbour reopens", "body": "Ships are back."})  # doctest: +SKIP
>>> results = printbrief.render_many(["issue-12/"], "out/")  # doctest: +SKIP
>>> printbrief.compile_issue("weekend.json", "weekend.pdf", jobs=2)  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

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
from .limits import Limits
from .load import load
from .model import Article, Image, json_schema

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
