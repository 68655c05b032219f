"""WeasyPrint's user-agent stylesheets for the command's start: one from a cache, two parsed later.

``weasyprint.html`` parses three stylesheets when it is imported (WeasyPrint 70.0): the HTML
one (18 KB, with its 49 counter styles), and those for PDF forms and for presentational hints,
which printbrief never asks for (``pdf_forms`` and ``presentational_hints`` stay off). The
``stylesheets`` step of :mod:`printbrief.startup` runs that module's code with its ``CSS`` calls
answered here: the HTML sheet comes from a pickle (each selector's test, which cssselect2
compiles with ``eval``, as its marshalled code) and the other two are parsed on first use of
any of their attributes. tests/test_startup.py checks that the cached sheet is the one
WeasyPrint parses (the selectors' tests compared by their code) and that the PDFs are the same.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib.machinery
import marshal
import pickle
import sys
import threading
import types
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from .startup import _digest, _read, _versions, _write, cache_dir

_SELECTOR_NAMES = frozenset({"split_whitespace", "ascii_lower", "urlparse"})
"""The names cssselect2 0.10 compiles a selector's test with (``CompiledSelector``)."""


def install() -> None:
    """Answer ``weasyprint.html``'s stylesheets as above when it is first imported."""
    sys.meta_path.insert(0, _AroundImport("weasyprint.html", _user_agent_sheets))


class _AroundImport:
    """An import hook that runs module ``name``'s code (once) inside ``around(module)``."""

    def __init__(
        self,
        name: str,
        around: Callable[[types.ModuleType], contextlib.AbstractContextManager[Any]],
    ) -> None:
        self.name, self.around = name, around

    def find_spec(self, name: str, path: Any = None, target: object = None) -> Any:
        """The module's own spec, with its loader's ``exec_module`` wrapped."""
        if name != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module: types.ModuleType) -> None:
            with self.around(module):
                run(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


@contextlib.contextmanager
def _user_agent_sheets(html: types.ModuleType) -> Iterator[None]:
    """While ``weasyprint.html`` runs, its ``CSS(string=...)`` calls are answered here."""
    import weasyprint  # partly run: it defines CSS, then imports weasyprint.html

    plain: type = weasyprint.CSS
    parsed: list[tuple[Path, object]] = []

    def make(**kwargs: Any) -> Any:
        string, counters = kwargs.get("string"), kwargs.get("counter_style")
        if string is None or set(kwargs) - {"string", "counter_style"}:
            return plain(**kwargs)
        if string in (getattr(html, "UA_FORM", None), getattr(html, "PH", None)):
            return _later(plain)(kwargs)
        if string == getattr(html, "UA", None) and counters == {}:
            return user_agent_sheet(plain, string, counters, parsed)
        return plain(**kwargs)

    weasyprint.CSS = make
    try:
        yield
    finally:
        weasyprint.CSS = plain
        html.CSS = plain  # type: ignore[attr-defined]  # taken by html.py: from . import CSS
    for path, value in parsed:  # now that pickle finds weasyprint.CSS by its name
        _write(path, value, SheetPickler)


def user_agent_sheet(
    plain: type, string: str, counters: dict[str, Any], parsed: list[tuple[Path, object]]
) -> Any:
    """``plain(string=string, counter_style=counters)`` from the cache; or parsed, and
    (path, value) to keep put in ``parsed``."""
    versions = _versions("tinycss2", "cssselect2")
    path = cache_dir() / f"ua-{_digest(versions + string)[:24]}.pickle"
    found = _read(path, lambda handle: _SheetUnpickler(handle, plain))
    if isinstance(found, tuple) and len(found) == 2 and isinstance(found[1], dict):
        counters.update(found[1])
        return found[0]
    sheet = plain(string=string, counter_style=counters)
    parsed.append((path, (sheet, dict(counters))))
    return sheet


class SheetPickler(pickle.Pickler):
    """Pickles a selector's test, which cssselect2 compiles with ``eval``, as its code."""

    def reducer_override(self, obj: Any) -> Any:
        """A compiled test as its marshalled code; anything else as pickle does."""
        if isinstance(obj, types.FunctionType) and obj.__code__.co_filename == "<string>":
            if obj.__closure__ or obj.__defaults__ or set(obj.__globals__) - _NAMES_AND_BUILTINS:
                raise pickle.PicklingError("not a compiled selector")  # then no cache at all
            return _selector_test, (marshal.dumps(obj.__code__),)
        return NotImplemented


class _SheetUnpickler(pickle.Unpickler):
    """Finds ``weasyprint.CSS`` while ``weasyprint.html`` runs, when the name is ``make``'s."""

    def __init__(self, handle: Any, css: type) -> None:
        super().__init__(handle)
        self.css = css

    def find_class(self, module: str, name: str) -> Any:
        """``weasyprint.CSS`` is the class; anything else as pickle finds it."""
        if (module, name) == ("weasyprint", "CSS"):
            return self.css
        return super().find_class(module, name)


_NAMES_AND_BUILTINS = _SELECTOR_NAMES | {"__builtins__"}


def _selector_test(code: bytes) -> Callable[..., Any]:
    """A selector's test from its code, with the names cssselect2 compiles it with."""
    return types.FunctionType(marshal.loads(code), _selector_globals())


@cache
def _selector_globals() -> dict[str, Any]:
    from cssselect2 import compiler

    names = {name: getattr(compiler, name) for name in _SELECTOR_NAMES}
    return {**names, "__builtins__": builtins.__dict__}


def _later(plain: type) -> Callable[[dict[str, Any]], Any]:
    """A ``CSS`` subclass whose stylesheet is parsed on first use of any of its attributes."""
    lock = threading.Lock()

    class Later(plain):  # type: ignore[misc]
        def __init__(self, kwargs: dict[str, Any]) -> None:
            self.__dict__["_later"] = kwargs

        def __getattr__(self, name: str) -> Any:
            with lock:  # a service's threads may ask at once; one parses
                kwargs = self.__dict__.pop("_later", None)
                if kwargs is not None:
                    self.__dict__.update(vars(plain(**kwargs)))
            if name in self.__dict__:
                return self.__dict__[name]
            raise AttributeError(name)

    return Later
