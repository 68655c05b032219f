"""The versions that decide a PDF's bytes: printbrief's own and WeasyPrint's (the bottom layer).

Read from package metadata and printbrief's own files, so asking costs no WeasyPrint import
(a fully cached re-run never loads it).
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from importlib import metadata
from pathlib import Path

__version__ = "0.1.0"


@cache
def weasyprint_version() -> str:
    """WeasyPrint's installed version, from its package metadata."""
    try:
        return metadata.version("weasyprint")
    except metadata.PackageNotFoundError:  # pragma: no cover - a hard dependency
        return "unknown"


def source_digest(folder: Path) -> str:
    """A digest of the files under ``folder``: names and bytes, compiled bytecode left out."""
    paths = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [name for name in dirs if name != "__pycache__"]
        paths += [Path(root, name) for name in files]
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.relative_to(folder).as_posix()):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(folder).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:16]


@cache
def code_digest() -> str:
    """The digest of printbrief's own code, as installed (a few milliseconds, once per process).

    The version number alone would let a cache made by an older checkout of the same version
    hand back PDFs the current code would not make.
    """
    return source_digest(Path(__file__).parent)


def versions() -> dict[str, str]:
    """printbrief's version and code digest and WeasyPrint's version: in every cache key.

    Recorded in manifests, and compared with a remote worker's.

    >>> sorted(versions())
    ['printbrief', 'printbrief_code', 'weasyprint']
    """
    return {
        "printbrief": __version__,
        "printbrief_code": code_digest(),
        "weasyprint": weasyprint_version(),
    }
