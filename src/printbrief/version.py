"""The versions that decide a PDF's bytes: printbrief's own and WeasyPrint's (the bottom layer).

Read from package metadata, so asking costs no WeasyPrint import (a fully cached re-run never
loads it).
"""

from __future__ import annotations

from functools import cache
from importlib import metadata

__version__ = "0.1.0"


@cache
def weasyprint_version() -> str:
    """WeasyPrint's installed version, from its package metadata."""
    try:
        return metadata.version("weasyprint")
    except metadata.PackageNotFoundError:  # pragma: no cover - a hard dependency
        return "unknown"


def versions() -> dict[str, str]:
    """``{"printbrief": …, "weasyprint": …}``: recorded in manifests and every cache key.

    >>> sorted(versions())
    ['printbrief', 'weasyprint']
    """
    return {"printbrief": __version__, "weasyprint": weasyprint_version()}
