"""Stage 1 — load: files, text or mappings to an Article, through the one registry of input formats.

Formats: printbrief's JSON, Markdown + YAML front matter, schema.org JSON-LD, and the news
industry's IPTC ninjs, NewsML-G2 and NITF and WordPress REST posts (:mod:`printbrief.formats`).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .errors import InputError, LimitError, UsageError
from .model import Article, validate_article
from .parsing import json_value, yaml_value

if TYPE_CHECKING:
    from .formats import Mapped

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


def load(
    source: str | Path | dict[str, Any],
    *,
    max_bytes: int = MAX_INPUT_BYTES,
    format: str | None = None,
) -> Article:
    """Load one article from a path, ``"-"`` (stdin) or an already-parsed mapping.

    ``format`` names an entry of :data:`FORMATS` (``"ninjs"``, ``"nitf"`` …); by default the
    format is recognised from the content.

    >>> load({"headline": "Ferry timetable changes", "body": "From Monday…"}).headline
    'Ferry timetable changes'
    """
    if isinstance(source, dict):
        return from_mapping(source, name=None, format=format)
    path = Path(source)
    data = read_bytes(path, max_bytes=max_bytes)
    name = "<stdin>" if str(source) == "-" else str(path)
    article = parse(data, name=name, suffix=path.suffix.lower(), format=format)
    return article.with_source(None if str(source) == "-" else path.resolve())


def read_bytes(
    path: Path, *, max_bytes: int = MAX_INPUT_BYTES, limit: str = "max_input_bytes"
) -> bytes:
    """Read a file (or stdin for ``-``) refusing more than ``max_bytes`` (the bound ``limit``)."""
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
        raise LimitError(f"input is larger than {max_bytes:,} bytes", source=str(path), limit=limit)
    return data


def parse(
    data: bytes, *, name: str, suffix: str = "", format: str | None = None, quiet: bool = False
) -> Article:
    """Parse bytes in the format named (an entry of :data:`FORMATS`) or recognised.

    The syntax comes from ``format``, else from the suffix, else from the text: ``---`` starts
    Markdown front matter, ``<`` XML, anything else is JSON. Within a syntax each format's
    recogniser is asked in the order of :data:`FORMATS`. ``quiet`` leaves the warning about
    unmapped fields to a later parse of the same bytes (the batch planner's workers).
    """
    chosen = format_named(format)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 (byte {exc.start})", source=name) from None
    if "\x00" in text:
        raise InputError("contains a NUL character", source=name)
    syntax = chosen.syntax if chosen else _syntax(text, suffix)
    value: Any = text
    if syntax == "json":
        value = json_value(text, source=name)
    elif syntax == "xml":
        value = _formats("safexml").parse_xml(text, source=name)
    return (chosen or recognise(syntax, value, name)).read(value, name, quiet)


def _syntax(text: str, suffix: str) -> Syntax:
    start = text.lstrip()[:3]
    if start == "---" or suffix in (".md", ".markdown"):
        return "markdown"
    return "xml" if start.startswith("<") or suffix in XML_SUFFIXES else "json"


def recognise(syntax: Syntax, value: Any, name: str | None) -> Format:
    """The first format of ``syntax`` whose recogniser accepts ``value`` (JSON: the fallback)."""
    for candidate in (f for f in FORMATS.values() if f.syntax == syntax):
        if candidate.recognise is None or candidate.recognise(value):
            return candidate
    root = getattr(value, "tag", "?")
    known = ", ".join(f"{f.name} <{'> or <'.join(f.roots)}>" for f in FORMATS.values() if f.roots)
    raise InputError(f"XML root <{root}> is no known format ({known})", source=name)


def format_named(name: str | None) -> Format | None:
    """The :data:`FORMATS` entry called ``name`` (None for None); a UsageError listing the names."""
    if name is None:
        return None
    try:
        return FORMATS[name.lower()]
    except KeyError:
        raise UsageError(
            f"unknown input format {name!r} (use one of {', '.join(FORMATS)})"
        ) from None


def from_mapping(data: Any, *, name: str | None, format: str | None = None) -> Article:
    """An article from a parsed JSON value in the JSON format named or recognised."""
    chosen = format_named(format) or recognise("json", data, name)
    if chosen.syntax != "json":
        raise UsageError(f"input format {chosen.name!r} is not JSON")
    return chosen.read(data, name, False)


def _is_jsonld(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
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


Syntax = Literal["json", "xml", "markdown"]
XML_SUFFIXES = (".xml", ".nitf")


@dataclass(frozen=True)
class Format:
    """One input format: its syntax, file suffixes, how to recognise and how to read it."""

    name: str
    syntax: Syntax
    reader: Callable[[Any, str | None], Article | Mapped]
    """Parsed value (JSON value, XML root element or Markdown text) and file name → article."""
    suffixes: tuple[str, ...] = ()
    recognise: Callable[[Any], bool] | None = None
    """Whether a parsed value is in this format; None: the fallback of its syntax."""
    roots: tuple[str, ...] = ()
    """XML root element names, for the error on an unknown root."""

    def read(self, value: Any, name: str | None, quiet: bool = False) -> Article:
        """The validated article; a mapped format's unmapped fields are one warning."""
        result = self.reader(value, name)
        return result if isinstance(result, Article) else _article(result, name, quiet)


def _article(mapped: Mapped, name: str | None, quiet: bool) -> Article:
    article = validate_article(mapped.fields, source=name, fields=mapped.names)
    if mapped.unmapped and not quiet:
        count = len(mapped.unmapped)
        fields = "field has" if count == 1 else "fields have"
        log.warning(
            "%s: %d %s %s no article field and %s not printed: %s",
            name or "<input>", count, mapped.format, fields,
            "is" if count == 1 else "are", ", ".join(mapped.unmapped),
        )  # fmt: skip
    return article


def _printbrief(value: Any, name: str | None) -> Article:
    return validate_article(value, source=name)


def _jsonld(value: Any, name: str | None) -> Article:
    if not isinstance(value, dict):
        raise InputError(f"expected a JSON object, got {type(value).__name__}", source=name)
    return validate_article(from_jsonld(value, name=name), source=name, fields=_JSONLD_NAMES)


def _markdown(value: Any, name: str | None) -> Article:
    return from_markdown(value, name=name or "<input>")


def _formats(module: str) -> Any:
    """``printbrief.formats.<module>``, imported when first needed: a Markdown or JSON article
    never pays for the XML readers (the command's start-up is measured, docs/performance.md)."""
    return importlib.import_module(f"{__package__}.formats.{module}")


def _lazy(module: str, name: str) -> Callable[..., Any]:
    """A function of ``printbrief.formats.<module>`` that imports the module on its first call."""

    def call(*args: Any) -> Any:
        return getattr(_formats(module), name)(*args)

    call.__qualname__ = call.__name__ = f"{module}.{name}"
    return call


def _root_is(roots: tuple[str, ...]) -> Callable[[Any], bool]:
    """Whether a parsed XML document's root element has one of these names."""
    return lambda root: getattr(root, "tag", None) in roots


_NEWSML = ("newsMessage", "newsItem")

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("ninjs", "json", _lazy("ninjs", "read"), recognise=_lazy("ninjs", "recognise")),
        Format(
            "wordpress",
            "json",
            _lazy("wordpress", "read"),
            recognise=_lazy("wordpress", "recognise"),
        ),
        Format("jsonld", "json", _jsonld, (".jsonld",), recognise=_is_jsonld),
        Format("json", "json", _printbrief, (".json",)),
        Format("newsml", "xml", _lazy("newsml", "read"), (".xml",), _root_is(_NEWSML), _NEWSML),
        Format("nitf", "xml", _lazy("nitf", "read"), (".nitf",), _root_is(("nitf",)), ("nitf",)),
        Format("markdown", "markdown", _markdown, (".md", ".markdown")),
    )
}
"""The one table of input formats, by the name ``--from`` takes, in the order they are recognised.

The batch planner takes its folder filter from the suffixes (:data:`SUFFIXES`), so a new format
is one entry here.
"""
SUFFIXES = tuple(s for f in FORMATS.values() for s in f.suffixes)
"""The suffixes of article files in a folder."""
