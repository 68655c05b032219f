"""A faster start for the ``printbrief`` command, for the one WeasyPrint version it was measured on.

The command owns its process, so before WeasyPrint loads it may skip work that WeasyPrint 70.0
repeats on every start. Each step leaves the PDF's bytes unchanged (tests/test_startup.py
renders with and without each one):

``sonames``
    WeasyPrint asks ``ctypes.util.find_library`` for Windows- and macOS-style names first; on
    Linux every miss runs ``ldconfig -p`` and then ``gcc`` (about 80 ms each, 13 misses, half a
    second). Each of its candidate names is answered with the library's real soname, the same
    file the long search ends on; a library that is not installed still fails to load. Asked
    for a soname itself (cffi asks once loading it failed: an optional library that is not
    installed, such as ``libharfbuzz-vector.so.0`` before HarfBuzz 13), the answer is at once
    what the search ends on: nothing, as it looks for ``lib<name>.so``.
``cdefs``
    cffi parses WeasyPrint's 17 KB of C declarations and every type string with pycparser on
    each start. Parsed syntax trees are kept in a pickle keyed by the exact source text and
    the WeasyPrint, cffi, pycparser and Python versions.
``hyphenation``
    pyphen parses a ``hyph_*.dic`` file (en_US: 14,000 patterns) the first time a page
    hyphenates in its language; the parsed patterns are kept in a pickle keyed by the file's
    digest and pyphen's version. Only the languages a page hyphenates are ever loaded.
``imports``
    WeasyPrint imports ``fontTools.subset`` and ``fontTools.varLib.instancer`` (with them
    fontTools' variable-font library: a tenth of its import time) for variable fonts and for
    subsetting without HarfBuzz; printbrief's fonts are static and HarfBuzz subsets them. Each
    module is stood in for by one that imports the real one on first use of anything in it.
``stylesheets``
    WeasyPrint parses its user-agent stylesheets when it is imported: the HTML one (18 KB, with
    its counter styles), and those for PDF forms and for presentational hints, which
    printbrief's renders never ask for (``pdf_forms`` and ``presentational_hints`` stay off).
    The first comes from a pickle (its selectors' code marshalled) keyed by its text and the
    tinycss2, cssselect2 and Python versions; the other two are parsed on first use only
    (:mod:`printbrief.uasheets`).
``templates``
    Jinja compiles each theme template to Python on first use; its own bytecode cache keeps
    the compiled code (checked against the template's source) for the next start.
``exit``
    After the command has finished, its outputs are written (``os.fsync`` by
    :func:`~printbrief.output.write_atomic`), exit handlers have run and the standard streams
    are flushed, the process ends with ``os._exit`` instead of tearing the interpreter down.
    Temporary files (WeasyPrint's copies of the fonts, which it deletes only when its
    ``FontConfiguration`` is collected) go into a scratch folder that an exit handler removes.

``PRINTBRIEF_PLAIN_START=1`` turns every step off; a comma list (``cdefs,exit``) turns off those
steps only. Any WeasyPrint other than :data:`WRITTEN_FOR` takes the plain path. The caches live
in ``$XDG_CACHE_HOME/printbrief/start`` (``PRINTBRIEF_START_CACHE`` overrides the folder); a
cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib
import importlib.util
import os
import pickle
import re
import sys
import tempfile
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

WRITTEN_FOR = "70.0"
"""The WeasyPrint version whose start-up these steps were measured and checked against."""

STEPS = ("sonames", "cdefs", "hyphenation", "imports", "stylesheets", "templates", "exit")
_BEFORE_WEASYPRINT = STEPS[:6]

# WeasyPrint 70.0's candidate names (weasyprint/text/ffi.py) → the soname its search ends on.
_LIBRARIES = {
    "libgobject-2.0.so.0": ("libgobject-2.0-0", "gobject-2.0-0", "gobject-2.0",
                            "libgobject-2.0.0.dylib", "libgobject-2.0-0.dll"),
    "libpango-1.0.so.0": ("libpango-1.0-0", "pango-1.0-0", "pango-1.0",
                          "libpango-1.0.dylib", "libpango-1.0-0.dll"),
    "libharfbuzz.so.0": ("libharfbuzz-0", "harfbuzz", "harfbuzz-0.0",
                         "libharfbuzz.0.dylib", "libharfbuzz-0.dll"),
    "libharfbuzz-subset.so.0": ("libharfbuzz-subset-0", "harfbuzz-subset", "harfbuzz-subset-0.0",
                                "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0.dll"),
    "libharfbuzz-vector.so.0": ("libharfbuzz-vector-0", "harfbuzz-vector", "harfbuzz-vector-0.0",
                                "libharfbuzz-vector.0.dylib", "libharfbuzz-vector-0.dll"),
    "libfontconfig.so.1": ("libfontconfig-1", "fontconfig-1", "fontconfig",
                           "libfontconfig.1.dylib", "libfontconfig-1.dll"),
    "libpangoft2-1.0.so.0": ("libpangoft2-1.0-0", "pangoft2-1.0-0", "pangoft2-1.0",
                             "libpangoft2-1.0.dylib", "libpangoft2-1.0-0.dll"),
}  # fmt: skip
SONAMES = {name: soname for soname, names in _LIBRARIES.items() for name in names}
"""Every name WeasyPrint 70.0 asks ``find_library`` for, mapped to the Linux soname."""

_state: dict[str, Any] = {"enabled": (), "asts": {}, "new": False}


def steps() -> tuple[str, ...]:
    """The steps this process may take: none for a plain start or another WeasyPrint."""
    plain = os.environ.get("PRINTBRIEF_PLAIN_START", "").strip()
    if plain in ("1", "all", "yes") or weasyprint_version() != WRITTEN_FOR:
        return ()
    off = {s.strip() for s in plain.split(",")}
    return tuple(s for s in STEPS if s not in off and (s != "sonames" or _linux()))


def _linux() -> bool:
    return sys.platform.startswith("linux")


def weasyprint_version() -> str | None:
    """The installed WeasyPrint's version, read from its source without importing it."""
    spec = importlib.util.find_spec("weasyprint")
    if spec is None or spec.origin is None:
        return None
    try:
        text = Path(spec.origin).read_text("utf-8")
    except OSError:
        return None
    found = re.search(r"^VERSION = __version__ = '([^']+)'$", text, re.M)
    return found[1] if found else None


def enable() -> tuple[str, ...]:
    """Prepare this process (the CLI's, before anything imports WeasyPrint); return the steps.

    Nothing is imported now: the steps are installed when WeasyPrint is first imported, so a
    command that never renders pays nothing.
    """
    chosen = steps()
    _state["enabled"] = chosen
    # WeasyPrint's font copies are in the command's scratch folder (scratch.process_scratch),
    # which an exit handler removes, so the fast exit leaves nothing behind either.
    if set(_BEFORE_WEASYPRINT) & set(chosen) and "weasyprint" not in sys.modules:
        sys.meta_path.insert(0, _BeforeWeasyPrint())
    return chosen


def installed() -> tuple[str, ...]:
    """The steps installed in this process (none before WeasyPrint's import, or a plain start)."""
    return tuple(_state.get("installed", ()))


class _BeforeWeasyPrint:
    """An import hook that installs the steps once, just before WeasyPrint is first imported."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        """Install the steps on ``import weasyprint``; the normal finders do the import."""
        if name == "weasyprint":
            sys.meta_path.remove(self)
            install(_state["enabled"])


def install(chosen: tuple[str, ...]) -> None:
    """Install the chosen steps in this process (tests call it directly)."""
    _state["installed"] = chosen
    if "sonames" in chosen:
        _use_sonames()
    if "cdefs" in chosen:
        _cache_cdefs()
    if "hyphenation" in chosen:
        _cache_hyphenation()
    if "imports" in chosen:
        defer("fontTools.subset")
        defer("fontTools.varLib.instancer", "instantiateVariableFont")
    if "stylesheets" in chosen:
        from . import uasheets

        uasheets.install()
    if "templates" in chosen:
        _cache_templates()


def _use_sonames() -> None:
    import ctypes.util

    search: Callable[[str], str | None] = ctypes.util.find_library

    def find_library(name: str) -> str | None:
        if name in _LIBRARIES:  # lib<soname>.so: no such file; the search runs ld and gcc
            return None
        return SONAMES.get(name) or search(name)

    ctypes.util.find_library = find_library


def defer(name: str, *functions: str) -> None:
    """Stand in for module ``name`` until something in it is used, then import the real one.

    ``functions`` are the names others import from it at their own import time (``from name
    import f``); they get a function that calls the real one.
    """
    if name in sys.modules:
        return
    stand_in = types.ModuleType(name, f"stands in for {name} until first use")

    def real() -> types.ModuleType:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        return importlib.import_module(name)

    def calls(function: str) -> Callable[..., Any]:
        return lambda *args, **kwargs: getattr(real(), function)(*args, **kwargs)

    def attribute(key: str) -> Any:
        if key.startswith("__"):  # the import system's questions ("a package?") load nothing
            raise AttributeError(key)
        return getattr(real(), key)

    for function in functions:
        setattr(stand_in, function, calls(function))
    stand_in.__getattr__ = attribute  # type: ignore[method-assign]
    sys.modules[name] = stand_in


# ------------------------------------------------------------------------------ caches


def cache_dir() -> Path:
    """Where the parsed declarations and dictionaries are kept."""
    given = os.environ.get("PRINTBRIEF_START_CACHE")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "printbrief" / "start"


def _versions(*modules: str) -> str:
    """The versions a cache is keyed by (module attributes: package metadata is slow to read)."""
    found = [f"{m}={getattr(importlib.import_module(m), '__version__', '?')}" for m in modules]
    return f"{' '.join(found)} python={sys.version_info[:3]} weasyprint={WRITTEN_FOR}"


def _read(path: Path, unpickler: Callable[[Any], pickle.Unpickler] = pickle.Unpickler) -> Any:
    """A cached value, or None. Pickles run code when loaded: only this user's own files."""
    try:
        with path.open("rb") as handle:
            if hasattr(os, "getuid") and os.fstat(handle.fileno()).st_uid != os.getuid():
                return None
            return unpickler(handle).load()
    except Exception:  # a missing, partial or foreign cache is only a slower start
        return None


def _write(path: Path, value: object, pickler: type[pickle.Pickler] = pickle.Pickler) -> None:
    """Write a cache file whole (a temporary file renamed over it), or not at all."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    except OSError:
        return  # a read-only home: start as fast as without the cache, no worse
    try:
        with os.fdopen(fd, "wb") as handle:
            pickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
        os.replace(tmp, path)
    except Exception:
        Path(tmp).unlink(missing_ok=True)


def _digest(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def _cache_cdefs() -> None:
    """cffi's pycparser calls answered from the cache of syntax trees (saved by :func:`save`)."""
    from cffi import cparser

    path = cache_dir() / f"cdefs-{_digest(_versions('cffi', 'pycparser'))[:16]}.pickle"
    found = _read(path)
    _state["asts"] = found if isinstance(found, dict) else {}
    _state["cdefs"] = path
    parser = _CachedParser(cparser._get_parser)
    cparser._get_parser = lambda: parser
    atexit.register(save)


class _CachedParser:
    """pycparser's ``CParser.parse``, answered from the cache, built only on a miss."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make

    def parse(self, text: str) -> Any:
        """The syntax tree of ``text``: from the cache, or parsed now and kept."""
        key = _digest(text)
        data = _state["asts"].get(key)
        if data is not None:
            return pickle.loads(data)
        tree = self._make().parse(text)
        _state["asts"][key] = pickle.dumps(tree, protocol=pickle.HIGHEST_PROTOCOL)
        _state["new"] = True
        return tree


def save() -> None:
    """Write the declarations parsed in this process for the next start (once)."""
    if _state.get("new") and "cdefs" in _state:
        _state["new"] = False
        _write(_state["cdefs"], _state["asts"])


def _cache_hyphenation() -> None:
    import pyphen

    plain = pyphen.HyphDict
    version = _versions("pyphen")

    def load(path: Path) -> Any:
        data = Path(path).read_bytes()
        cached = cache_dir() / f"hyph-{_digest(version.encode() + data)[:24]}.pickle"
        found = _read(cached)
        if isinstance(found, tuple) and len(found) == 2:
            dictionary = plain.__new__(plain)
            dictionary.patterns, dictionary.maxlen = found
            dictionary.cache = {}
            return dictionary
        dictionary = plain(path)
        _write(cached, (dictionary.patterns, dictionary.maxlen))
        return dictionary

    pyphen.HyphDict = load


def _cache_templates() -> None:
    import jinja2

    from . import themes
    from .version import __version__

    # Keyed by printbrief's version too: its Environment options shape the compiled code.
    key = _digest(f"{__version__} {_versions('jinja2')}")[:16]
    folder = cache_dir() / f"templates-{key}"
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        themes.BYTECODE_CACHE = jinja2.FileSystemBytecodeCache(str(folder))


# ------------------------------------------------------------------------------ exit


def finish(code: int) -> int:
    """End the process with ``code``: with ``os._exit`` after exit handlers and flushing.

    Returns ``code`` when the plain exit was chosen (the caller then calls ``sys.exit``).
    """
    if "exit" not in _state["enabled"]:
        return code
    atexit._run_exitfuncs()  # cache writes, renderers released, scratch folders removed
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing reaches it
            stream.flush()
    os._exit(code)
