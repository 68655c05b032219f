"""Parsing untrusted JSON and YAML with bounds: nesting depth and the length of numbers.

Python's JSON decoder and PyYAML's composer recurse once per level of nesting, and so do
the validators and serializers that run on their result, so a JSON text's depth is measured
first by a linear scan; YAML, which has no such simple scan, is composed under a
``RecursionError`` guard and its depth measured before anything else reads it. Integers are
converted only up to :data:`MAX_NUMBER_CHARS` characters: CPython refuses to convert more
digits (CVE-2020-10735), and YAML's base-60 integers (``1:2:3``) grow without bound. A
longer number is reported as a problem of the field that holds it; JSON is parsed a second
time, with a hook on every integer, only when the first parse meets one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import Any

from .errors import InputError, LimitError

MAX_DATA_DEPTH = 32
"""Nesting of JSON and YAML inputs (objects and arrays). An issue file with inline articles
and their images nests 5 deep and schema.org JSON-LD rarely past 8; Python's JSON decoder
fails near 1,000 levels, and the code that walks the data after it needs stack too."""
MAX_NUMBER_CHARS = 4300
"""Characters of one integer in JSON or YAML: CPython's own limit on converting digits
(``sys.get_int_max_str_digits()``), which JSON parsing meets first; no article field is a
number anyway."""

_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class _TooDeep(Exception):
    """YAML flow collections nested past :data:`MAX_DATA_DEPTH`, met while scanning."""


@dataclass(frozen=True)
class LongNumber:
    """Stands in for an integer too long to convert, until the check names its field."""

    chars: int


def json_depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest, in linear time, without parsing.

    >>> json_depth('{"a": [1, {"b": "[[["}]}')
    3
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def json_value(text: str, *, source: str | None) -> Any:
    """Parse JSON, refusing nesting past :data:`MAX_DATA_DEPTH` before the decoder recurses.

    >>> json_value('{"tags": [' + "1" * 5000 + ']}', source="a.json")
    Traceback (most recent call last):
    printbrief.errors.InputError: a.json: tags.0: a number of 5,000 characters (at most 4,300)
    """
    if text.count("[") + text.count("{") > MAX_DATA_DEPTH and json_depth(text) > MAX_DATA_DEPTH:
        raise LimitError(f"JSON nested deeper than {MAX_DATA_DEPTH} levels", source=source)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise InputError(f"invalid JSON at {where}: {exc.msg}", source=source) from None
    except RecursionError:  # only when called on an already deep stack
        raise LimitError("JSON nested too deeply", source=source) from None
    except ValueError:  # an integer past CPython's limit: parse again to name its field
        check_value(json.loads(text, parse_int=_int), source=source)
        raise InputError("invalid JSON: a number is too long", source=source) from None


def _int(digits: str) -> int | LongNumber:
    return LongNumber(len(digits)) if len(digits) > MAX_NUMBER_CHARS else int(digits)


def yaml_value(text: str, *, source: str | None, what: str = "YAML") -> Any:
    """Parse YAML safely: no tags beyond plain data, no aliases, bounded depth and numbers."""
    import yaml

    try:
        value = yaml.load(text, Loader=_loader())
    except yaml.YAMLError as exc:
        raise InputError(f"invalid {what}: {_one_line(exc)}", source=source) from None
    except (RecursionError, _TooDeep):  # PyYAML composes nested collections recursively
        raise LimitError(
            f"{what} nested deeper than {MAX_DATA_DEPTH} levels", source=source
        ) from None
    check_value(value, source=source, what=what)
    return value


def _one_line(exc: Any) -> str:
    """PyYAML's message on one line: the problem and where (its own spans several lines)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None)
    if mark is None or problem is None:
        return " ".join(str(exc).split())
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"


def check_value(value: Any, *, source: str | None, what: str = "JSON") -> None:
    """Refuse nesting past :data:`MAX_DATA_DEPTH` and long numbers, naming the field (no recursion)."""
    if _plain(value):
        return
    stack: list[tuple[str, Any, int]] = [("", value, 0)]
    while stack:
        path, item, depth = stack.pop()
        if isinstance(item, LongNumber):
            field = f"{path}: " if path else ""
            message = f"{field}a number of {item.chars:,} characters (at most {MAX_NUMBER_CHARS:,})"
            raise InputError(message, source=source)
        for key, child in _children(item):
            if depth >= MAX_DATA_DEPTH:
                raise LimitError(
                    f"{what} nested deeper than {MAX_DATA_DEPTH} levels", source=source
                )
            stack.append((f"{path}.{key}" if path else str(key), child, depth + 1))


def _plain(value: Any) -> bool:
    """Whether parsed data is within the depth and holds no long number: one level at a time,
    without building paths (a million-item list takes a tenth of a second)."""
    level, depth = [value], 0
    while level:
        below: list[Any] = []
        for item in level:
            if isinstance(item, dict):
                below.extend(item.values())
            elif isinstance(item, list):
                below.extend(item)
            elif isinstance(item, LongNumber):
                return False
        if below and depth >= MAX_DATA_DEPTH:
            return False
        level, depth = below, depth + 1
    return True


def _children(item: Any) -> Any:
    if isinstance(item, dict):
        return item.items()
    return enumerate(item) if isinstance(item, list) else ()


@cache
def _loader() -> Any:
    """Safe YAML that refuses anchors and aliases (alias bombs expand exponentially).

    Built on first use: only YAML and Markdown inputs pay PyYAML's import (12 ms cold).
    """
    import yaml

    class BoundedLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                line = event.start_mark.line + 1
                raise yaml.YAMLError(f"YAML aliases are not allowed (line {line})")
            return super().compose_node(parent, index)

        def fetch_flow_collection_start(self, TokenClass: Any) -> None:
            # The scanner is pure Python: stop '[[[[…' at the bound, not 20,000 tokens later.
            if self.flow_level >= MAX_DATA_DEPTH:
                raise _TooDeep
            super().fetch_flow_collection_start(TokenClass)

        def construct_yaml_timestamp(self, node: Any) -> Any:
            # '2026-13-45' matches the timestamp pattern but is no date: keep the text, so
            # the field's own validator names the field instead of a ValueError escaping.
            try:
                return super().construct_yaml_timestamp(node)
            except (ValueError, OverflowError):
                return self.construct_scalar(node)

        def construct_yaml_int(self, node: Any) -> Any:
            text = self.construct_scalar(node)
            if len(text) > MAX_NUMBER_CHARS:
                return LongNumber(len(text))
            return super().construct_yaml_int(node)

    BoundedLoader.add_constructor("tag:yaml.org,2002:int", BoundedLoader.construct_yaml_int)
    BoundedLoader.add_constructor(
        "tag:yaml.org,2002:timestamp", BoundedLoader.construct_yaml_timestamp
    )
    return BoundedLoader
