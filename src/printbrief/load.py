"""Stage 1 — load: files, text or mappings (JSON, Markdown + YAML front matter, JSON-LD) to an Article."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import InputError, LimitError
from .model import Article, validate_article
from .parsing import json_value, yaml_value

log = logging.getLogger(__name__)

MAX_INPUT_BYTES = 5 * 1024 * 1024
"""Default cap on one input file (5 MiB); pass ``max_bytes`` to widen it."""
MAX_FRONT_MATTER_CHARS = 64 * 1024
"""YAML front matter of a Markdown file. PyYAML parses in pure Python, about 20 kB/s on a
loaded machine (400 kB took 19 s, before any render deadline runs); real front matter is
a few hundred bytes."""

_JSONLD_FIELDS = {
    "headline": "headline",
    "articleSection": "section",
    "description": "standfirst",
    "datePublished": "published",
    "dateModified": "updated",
    "articleBody": "body",
    "inLanguage": "lang",
    "url": "url",
    "keywords": "tags",
    "identifier": "id",
}
# Problems found in a mapped JSON-LD article name the JSON-LD field the user wrote.
_JSONLD_NAMES = {
    **{ours: theirs for theirs, ours in _JSONLD_FIELDS.items()},
    "byline": "author",
    "publication": "publisher",
    "images": "image",
}


def load(source: str | Path | dict[str, Any], *, max_bytes: int = MAX_INPUT_BYTES) -> Article:
    """Load one article from a path, ``"-"`` (stdin) or an already-parsed mapping.

    >>> load({"headline": "Ferry timetable changes", "body": "From Monday…"}).headline
    'Ferry timetable changes'
    """
    if isinstance(source, dict):
        return from_mapping(source, name=None)
    path = Path(source)
    data = read_bytes(path, max_bytes=max_bytes)
    name = "<stdin>" if str(source) == "-" else str(path)
    article = parse(data, name=name, suffix=path.suffix.lower())
    return article.with_source(None if str(source) == "-" else path.resolve())


def read_bytes(path: Path, *, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """Read a file (or stdin for ``-``) refusing more than ``max_bytes``."""
    import sys

    try:
        if str(path) == "-":
            data = sys.stdin.buffer.read(max_bytes + 1)
        else:
            with path.open("rb") as handle:
                data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None
    except ValueError:  # what open() raises for a name with a NUL character
        raise InputError(
            "cannot read: the file name contains a NUL character", source=repr(str(path))
        ) from None
    if len(data) > max_bytes:
        raise LimitError(f"input is larger than {max_bytes} bytes", source=str(path))
    return data


def parse(data: bytes, *, name: str, suffix: str = "") -> Article:
    """Parse bytes by the reader :data:`FORMATS` names for ``suffix``.

    Text that starts with ``---`` is Markdown with front matter whatever its suffix (stdin).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 (byte {exc.start})", source=name) from None
    if "\x00" in text:
        raise InputError("contains a NUL character", source=name)
    reader = from_markdown if text.lstrip().startswith("---") else FORMATS.get(suffix, from_json)
    return reader(text, name=name)


def from_json(text: str, *, name: str) -> Article:
    """An article from JSON text: printbrief fields or schema.org ``NewsArticle`` JSON-LD."""
    return from_mapping(json_value(text, source=name), name=name)


def from_mapping(data: Any, *, name: str | None) -> Article:
    """An article from a parsed JSON value: printbrief fields or schema.org JSON-LD."""
    if isinstance(data, dict) and _is_jsonld(data):
        return validate_article(from_jsonld(data, name=name), source=name, fields=_JSONLD_NAMES)
    return validate_article(data, source=name)


def _is_jsonld(data: dict[str, Any]) -> bool:
    kind = data.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(k in ("NewsArticle", "Article", "ReportageNewsArticle") for k in kinds)


def from_jsonld(data: dict[str, Any], *, name: str | None = None) -> dict[str, Any]:
    """Map a schema.org ``NewsArticle`` to printbrief fields (``author.name`` → ``byline`` …).

    ``name`` is the file named by the :class:`InputError` an ``author`` or ``publisher`` of an
    unusable shape raises; one without a name (known only by its ``url``) is left out.
    """
    out: dict[str, Any] = {
        ours: data[theirs] for theirs, ours in _JSONLD_FIELDS.items() if theirs in data
    }
    out["body_format"] = "text"
    if isinstance(out.get("tags"), str):
        out["tags"] = [t.strip() for t in out["tags"].split(",") if t.strip()]
    if names := _names(data.get("author"), "author", name):
        out["byline"] = "By " + " and ".join(names)
    if names := _names(data.get("publisher"), "publisher", name):
        out["publication"] = names[0]
    images = data.get("image")
    if images:
        out["images"] = [
            _jsonld_image(i) for i in (images if isinstance(images, list) else [images])
        ]
    return out


def _names(value: Any, field: str, source: str | None) -> list[str]:
    """The names in an ``author`` or ``publisher``: text, things with a ``name``, or lists of them."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for index, item in enumerate(items):
        where = f"{field}.{index}" if isinstance(value, list) else field
        name = item.get("name") if isinstance(item, dict) else item
        where += ".name" if isinstance(item, dict) else ""
        for text in name if isinstance(name, list) else [name]:
            if not isinstance(text, str | None):
                found = type(text).__name__
                raise InputError(f"{where}: must be text, not {found}", source=source)
            if text and text.strip():
                names.append(text.strip())
    return names


def _jsonld_image(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {"src": value.get("url") or value.get("contentUrl"), "caption": value.get("caption")}
    return {"src": value}


def yaml_data(text: str, *, name: str) -> Any:
    """Parse YAML safely (no anchors or aliases), raising :class:`InputError` naming the file."""
    return yaml_value(text, source=name)


def from_markdown(text: str, *, name: str) -> Article:
    """Markdown with optional YAML front matter between ``---`` lines; the rest is the body."""
    front: Any = {}
    body = text
    if text.lstrip().startswith("---"):
        head, sep, rest = text.lstrip()[3:].partition("\n---")
        if not sep:
            raise InputError("front matter starts with '---' but never ends", source=name)
        body = rest.partition("\n")[2]
        if len(head) > MAX_FRONT_MATTER_CHARS:
            bound = f"{MAX_FRONT_MATTER_CHARS:,}"
            raise LimitError(f"front matter is longer than {bound} characters", source=name)
        front = yaml_value(head, source=name, what="YAML front matter") or {}
        if not isinstance(front, dict):
            raise InputError("front matter must be a mapping of article fields", source=name)
    if "body" in front:
        raise InputError("body: give the body after the front matter, not inside it", source=name)
    return validate_article({"body_format": "markdown", **front, "body": body}, source=name)


FORMATS: dict[str, Callable[..., Article]] = {
    ".json": from_json,
    ".jsonld": from_json,
    ".md": from_markdown,
    ".markdown": from_markdown,
}
"""The one table of input formats: file suffix → reader (``reader(text, name=…)``).

The batch planner takes its folder filter from it, so a new format is one entry here.
"""
