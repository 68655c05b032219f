"""Stage 1 — load: files, text or mappings (JSON, Markdown + YAML front matter, JSON-LD) to an Article."""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path
from typing import Any

from .errors import InputError, LimitError
from .model import Article, validate_article

log = logging.getLogger(__name__)

MAX_INPUT_BYTES = 5 * 1024 * 1024
"""Default cap on one input file (5 MiB); pass ``max_bytes`` to widen it."""

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
    if len(data) > max_bytes:
        raise LimitError(f"input is larger than {max_bytes} bytes", source=str(path))
    return data


def parse(data: bytes, *, name: str, suffix: str = "") -> Article:
    """Parse bytes as JSON, or as Markdown with front matter when they start with ``---``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 (byte {exc.start})", source=name) from None
    if "\x00" in text:
        raise InputError("contains a NUL character", source=name)
    if suffix in (".md", ".markdown") or text.lstrip().startswith("---"):
        return from_markdown(text, name=name)
    try:
        mapping = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise InputError(f"invalid JSON at {where}: {exc.msg}", source=name) from None
    except RecursionError:  # '[[[[…' recurses in the decoder, one frame per level
        raise LimitError("JSON nested too deeply", source=name) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise InputError(f"invalid JSON: {exc}", source=name) from None
    return from_mapping(mapping, name=name)


def from_mapping(data: Any, *, name: str | None) -> Article:
    """An article from a parsed JSON value: printbrief fields or schema.org JSON-LD."""
    if isinstance(data, dict) and _is_jsonld(data):
        data = from_jsonld(data)
    return validate_article(data, source=name)


def _is_jsonld(data: dict[str, Any]) -> bool:
    kind = data.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(k in ("NewsArticle", "Article", "ReportageNewsArticle") for k in kinds)


def from_jsonld(data: dict[str, Any]) -> dict[str, Any]:
    """Map a schema.org ``NewsArticle`` to printbrief fields (``author.name`` → ``byline`` …)."""
    out: dict[str, Any] = {
        ours: data[theirs] for theirs, ours in _JSONLD_FIELDS.items() if theirs in data
    }
    out["body_format"] = "text"
    if isinstance(out.get("tags"), str):
        out["tags"] = [t.strip() for t in out["tags"].split(",") if t.strip()]
    if names := _names(data.get("author")):
        out["byline"] = "By " + " and ".join(names)
    if names := _names(data.get("publisher")):
        out["publication"] = names[0]
    images = data.get("image")
    if images:
        out["images"] = [
            _jsonld_image(i) for i in (images if isinstance(images, list) else [images])
        ]
    return out


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value] if value else []
    return [i["name"] if isinstance(i, dict) else str(i) for i in items if i]


def _jsonld_image(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {"src": value.get("url") or value.get("contentUrl"), "caption": value.get("caption")}
    return {"src": value}


@cache
def _loader() -> Any:
    """Safe YAML that refuses anchors and aliases (alias bombs expand exponentially).

    Built on first use: only YAML and Markdown inputs pay PyYAML's import (12 ms cold).
    """
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                line = event.start_mark.line + 1
                raise yaml.YAMLError(f"YAML aliases are not allowed (line {line})")
            return super().compose_node(parent, index)

    return NoAliasLoader


def _yaml_load(text: str) -> Any:
    import yaml

    return yaml.load(text, Loader=_loader())


def yaml_data(text: str, *, name: str) -> Any:
    """Parse YAML safely (no anchors or aliases), raising :class:`InputError` naming the file."""
    import yaml

    try:
        return _yaml_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", source=name) from None


def from_markdown(text: str, *, name: str) -> Article:
    """Markdown with optional YAML front matter between ``---`` lines; the rest is the body."""
    front: Any = {}
    body = text
    if text.lstrip().startswith("---"):
        head, sep, rest = text.lstrip()[3:].partition("\n---")
        if not sep:
            raise InputError("front matter starts with '---' but never ends", source=name)
        body = rest.partition("\n")[2]
        import yaml

        try:
            front = _yaml_load(head) or {}
        except yaml.YAMLError as exc:
            raise InputError(f"invalid YAML front matter: {exc}", source=name) from None
        except RecursionError:  # PyYAML composes nested collections recursively
            raise LimitError("YAML front matter nested too deeply", source=name) from None
        if not isinstance(front, dict):
            raise InputError("front matter must be a mapping of article fields", source=name)
    if "body" in front:
        raise InputError("body: give the body after the front matter, not inside it", source=name)
    return validate_article({"body_format": "markdown", **front, "body": body}, source=name)
