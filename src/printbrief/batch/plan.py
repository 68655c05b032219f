"""Planning a batch: expand folders and globs, read and validate each input, name its output.

The client plans every input before any work is sent, so broken files fail fast and output
names are known, and checked for collisions, up front.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, PrintbriefError, UsageError
from ..identity import files_digest
from ..load import SUFFIXES, parse, read_bytes
from ..model import Article
from ..options import RenderOptions
from ..version import versions
from .manifest import MANIFEST_NAME, Key

INPUT_SUFFIXES = SUFFIXES
"""The suffixes a folder's article files have: those of the input-format registry."""


@dataclass
class Item:
    """A planned input: where it came from, where its PDF goes, and what that PDF depends on."""

    index: int
    name: str
    source: Path | None
    data: bytes | None  # kept only for stdin, which cannot be read twice
    output: str
    target: Path
    key: Key


# ------------------------------------------------------------------------------- inputs


def expand_inputs(inputs: Iterable[str | Path]) -> list[str]:
    """Folders become their article files and glob patterns their matches, sorted; repeats are dropped.

    >>> expand_inputs(["-"])
    ['-']
    """
    seen: set[str] = set()
    expanded = []
    for name in (n for item in inputs for n in _expand(str(item))):
        key = name if name == "-" else os.path.realpath(name)
        if key not in seen:
            seen.add(key)
            expanded.append(name)
    return expanded


def _expand(item: str) -> list[str]:
    path = Path(item)
    if item != "-" and path.is_dir():
        return sorted(str(p) for p in path.iterdir() if _is_article_file(p))
    if _is_pattern(item):
        matches = sorted(glob.glob(item, recursive=True))
        found = [n for m in matches for n in (_expand(m) if Path(m).is_dir() else [m])
                 if _is_article_file(Path(n))]  # fmt: skip
        return found or [item]  # kept, so the plan reports that it matched nothing
    return [item]


def _is_pattern(item: str) -> bool:
    """A quoted glob the shell left alone (a file may really be called ``a[1].json``)."""
    return bool(re.search(r"[*?[]", item)) and not Path(item).exists()


def _is_article_file(path: Path) -> bool:
    return (
        path.suffix.lower() in INPUT_SUFFIXES
        and path.name != MANIFEST_NAME
        and path.stem.lower() != "readme"  # documents the folder, it is no article
        and not path.name.startswith(".")
        and path.is_file()
    )


def output_name(article: Article, input_name: str) -> str:
    """``<id>.pdf`` if the article has an id, else the input's file name with ``.pdf``."""
    stem = article.id or (Path(input_name).stem if input_name != "-" else "article")
    return (re.sub(r"[^\w.-]+", "-", stem).strip(".-") or "article") + ".pdf"


# ------------------------------------------------------------------------------- planning


class Planner:
    """Turns input names into planned items, or into skipped and failed results."""

    def __init__(self, names: Sequence[str], out_dir: str | Path | None, options: RenderOptions):
        self.out_dir = out_dir
        self.options = options
        self.record = options.record()
        self.inputs = {str(Path(n).resolve()).casefold() for n in names if n != "-"}
        self.claimed: dict[str, str] = {}

    def plan(self, index: int, name: str) -> Item:
        """Read, hash and validate one input and choose its output; raises PrintbriefError."""
        if _is_pattern(name):
            raise InputError("no article files match this pattern", source=name)
        source = None if name == "-" else Path(name).resolve()
        data = read_bytes(Path(name), max_bytes=self.options.limits.max_input_bytes)
        label = "<stdin>" if source is None else name
        # Quiet: the worker parses these bytes again and reports unmapped fields with its result.
        article = parse(data, name=label, suffix=Path(name).suffix.lower(),
                        format=self.options.input_format, quiet=True)  # fmt: skip
        # Shown as the user wrote it; written to an absolute path, which remote workers need.
        shown = Path(self.out_dir if self.out_dir is not None else Path(name).parent)
        shown /= output_name(article, name)
        target = shown.resolve()
        self._claim(target, name)
        files = files_digest(article.with_source(source))
        key = Key(str(source or "-"), sha256(data), files, self.record, versions())
        return Item(index, name, source, data if source is None else None, str(shown), target, key)

    def _claim(self, target: Path, name: str) -> None:
        # Case-folded: Story.pdf and story.pdf are one file on macOS and Windows.
        folded = str(target).casefold()
        if folded in self.inputs:
            raise UsageError(f"output {target} would overwrite an input", source=name)
        if folded in self.claimed:
            raise UsageError(
                f"output {target.name} is already claimed by {self.claimed[folded]}", source=name
            )
        self.claimed[folded] = name


def sha256(data: bytes) -> str:
    """Hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def error_line(exc: PrintbriefError, name: str) -> str:
    """An error as one line that names the input."""
    return str(exc) if exc.source else f"{name}: {exc}"
