"""Result cache for the service: PDFs keyed by content, options and versions, LRU by bytes.

Output is byte-identical for the same input, options and versions (DESIGN, "Safety defaults"),
so a key over those identifies the PDF, and a repeated print click needs no render. An optional
directory lets several server processes share results; files there are written atomically.

>>> cache = ResultCache(max_bytes=1 << 20)
>>> key = cache_key("article", '{"body": "x", "headline": "y"}', theme="newsbrief", paper="A4")
>>> cache.put(key, b"%PDF-1.7 ...")
>>> cache.get(key)
b'%PDF-1.7 ...'
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .. import __version__
from ..errors import OutputError
from ..output import write_atomic

log = logging.getLogger(__name__)


@cache
def engine_versions() -> str:
    """printbrief's and WeasyPrint's versions, read without importing WeasyPrint."""
    try:
        weasy = version("weasyprint")
    except PackageNotFoundError:  # pragma: no cover - WeasyPrint is a hard dependency
        weasy = "unknown"
    return f"printbrief {__version__}; weasyprint {weasy}"


def cache_key(kind: str, canonical_json: str, *, theme: str, paper: str, extra: str = "") -> str:
    """SHA-256 over the canonical content, the options and the versions, as 64 hex digits.

    ``extra`` carries server settings that change the output (system fonts on or off).
    """
    parts = (engine_versions(), kind, theme, paper.lower(), extra, canonical_json)
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


class ResultCache:
    """An in-memory LRU bounded by total bytes, optionally backed by a shared directory."""

    def __init__(self, max_bytes: int = 64 << 20, directory: str | Path | None = None) -> None:
        self.max_bytes = max_bytes
        self.directory = Path(directory) if directory else None
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def size_bytes(self) -> int:
        """Bytes held in memory now."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str) -> bytes | None:
        """The PDF for ``key`` (memory first, then the directory), or None."""
        with self._lock:
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)
        if data is None and (data := self._read_disk(key)) is not None:
            self._remember(key, data)
        with self._lock:
            self.hits += data is not None
            self.misses += data is None
        return data

    def put(self, key: str, data: bytes) -> None:
        """Store a PDF in memory (evicting the least recently used) and in the directory."""
        self._remember(key, data)
        if self.directory is not None:
            try:
                write_atomic(self._path(key), data)
            except OutputError as exc:  # a full or read-only disk must not fail the request
                log.warning("cache directory: %s", exc)

    def _remember(self, key: str, data: bytes) -> None:
        if len(data) > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self._bytes -= len(old) if old is not None else 0
            self._items[key] = data
            self._bytes += len(data)
            while self._bytes > self.max_bytes:
                _, evicted = self._items.popitem(last=False)
                self._bytes -= len(evicted)

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.pdf"

    def _read_disk(self, key: str) -> bytes | None:
        if self.directory is None:
            return None
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("cache directory: %s", exc)
            return None
