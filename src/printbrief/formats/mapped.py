"""What a format reader makes of one file: article fields, their source names, what is left over."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from ..errors import InputError
from ..i18n import labels

_SPACE = re.compile(r"\s+")


@dataclass
class Mapped:
    """Article fields read from a format, the source field each came from, and the unmapped ones.

    >>> m = Mapped("ninjs")
    >>> m.put("headline", " Tide tables ", "headlines.0.value")
    >>> m.skip("urgency")
    >>> m.fields, m.names, m.unmapped
    ({'headline': 'Tide tables'}, {'headline': 'headlines.0.value'}, ['urgency'])
    """

    format: str
    fields: dict[str, Any] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)

    def put(self, ours: str, value: Any, theirs: str) -> None:
        """Set article field ``ours`` from the source field ``theirs``; empty values are left out."""
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", [], {}):
            return
        self.fields[ours] = value
        self.names[ours] = theirs

    def has(self, ours: str) -> bool:
        """Whether article field ``ours`` is set already."""
        return ours in self.fields

    def skip(self, path: str) -> None:
        """Report source field ``path`` as one that has no article field (listed once)."""
        if path not in self.unmapped:
            self.unmapped.append(path)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain(markup: str) -> str:
    """Text of an HTML fragment, entities decoded and white space collapsed (titles, captions).

    >>> plain("Ferries&#8217; <em>new</em>\\n timetable")
    'Ferries’ new timetable'
    """
    if "<" not in markup:
        return squash(html.unescape(markup))
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return squash("".join(parser.parts))


def squash(text: str) -> str:
    """White space runs as one space, trimmed."""
    return _SPACE.sub(" ", text).strip()


def byline(names: list[str], lang: str | None) -> str:
    """Authors as a printed byline: ``By Ana Ruiz, Tom Lee`` (no "By" where the language has none)."""
    label = labels(lang or "en").by if lang else "By"
    joined = ", ".join(names)
    return f"{label} {joined}" if label and joined else joined


def text_of(value: Any, where: str, source: str | None) -> str | None:
    """``value`` if it is text or absent; otherwise an InputError naming ``where``."""
    if value is None or isinstance(value, str):
        return value
    raise InputError(f"{where}: must be text, not {type(value).__name__}", source=source)


def mapping_of(value: Any, where: str, source: str | None) -> dict[str, Any]:
    """``value`` if it is a JSON object (absent is empty); otherwise an InputError naming ``where``."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise InputError(f"{where}: must be an object, not {type(value).__name__}", source=source)


def list_of(value: Any, where: str, source: str | None) -> list[Any]:
    """``value`` if it is a JSON array (absent is empty); otherwise an InputError naming ``where``."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise InputError(f"{where}: must be an array, not {type(value).__name__}", source=source)
