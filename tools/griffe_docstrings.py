"""Griffe extension for the docs site: docstrings written for Sphinx and doctest, as Markdown.

printbrief's docstrings cross-reference with Sphinx roles (``:class:`~printbrief.limits.Limits```)
and show examples as doctests, which Markdown would print raw or run together. A role whose
target is documented in ``docs/reference/`` becomes a cross-reference that the strict build
checks, any other becomes inline code; a doctest becomes a ``pycon`` code block.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import griffe

ROLE = re.compile(r":(?:class|func|meth|attr|mod|exc|data|obj):`(~?)([\w.]+)`")
REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "reference"


def documented() -> set[str]:
    """The identifiers the reference pages render (their ``::: identifier`` lines)."""
    found = set()
    for page in REFERENCE.glob("*.md"):
        found |= set(re.findall(r"^::: ([\w.]+)", page.read_text("utf-8"), re.M))
    return found


def fence_doctests(text: str) -> str:
    """Wrap each doctest (``>>>`` up to the next blank line) in a ``pycon`` code block."""
    out: list[str] = []
    in_test = False
    for line in text.split("\n"):
        if not in_test and line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            in_test = True
        elif in_test and not line.strip():
            out.append(f"{indent}```")
            in_test = False
        out.append(line)
    if in_test:
        out.append(f"{indent}```")
    return "\n".join(out)


class SphinxRoles(griffe.Extension):
    """Rewrites the roles and doctests of every docstring once the package is loaded."""

    def __init__(self) -> None:
        super().__init__()
        self.targets = documented()

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Walk the package and rewrite each docstring."""
        self._walk(pkg, set())

    def _walk(self, obj: griffe.Object, seen: set[str]) -> None:
        if obj.path in seen:
            return
        seen.add(obj.path)
        if obj.docstring:
            text = ROLE.sub(lambda m: self._link(obj, m), obj.docstring.value)
            obj.docstring.value = fence_doctests(text)
        for member in obj.members.values():
            if not member.is_alias:
                self._walk(member, seen)  # type: ignore[arg-type]

    def _link(self, obj: griffe.Object, match: re.Match[str]) -> str:
        short, name = match.groups()
        shown = name.rsplit(".", 1)[-1] if short else name
        for candidate in (name, f"{obj.module.path}.{name}", f"printbrief.{name}"):
            if candidate in self.targets:
                return f"[`{shown}`][{candidate}]"
        return f"`{shown}`"
