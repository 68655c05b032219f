"""The ``printbrief`` command: parse options, call the library, map errors to exit codes.

One module per command group: ``render`` (articles, batches), ``issue`` (``compile``),
``check`` (validation, coverage, PDF preflight), ``info`` (``preview``, ``fonts``,
``themes``, ``variants``, ``schema``), ``watch`` (live preview), ``theme`` (``theme new``)
and ``serve``; the flags they share are in ``options``.
"""

from __future__ import annotations

from . import check, info, issue, render, serve, theme, watch  # noqa: F401  (each registers its commands)
from .main import cli, main, run

__all__ = ["cli", "main", "run"]
