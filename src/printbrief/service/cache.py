"""Result cache for the service: PDFs keyed by content, options and versions, LRU by bytes.

Output is byte-identical for the same input, options and versions (docs/architecture.md, "Reproducible output"),
so a key over those identifies the PDF, and a repeated print click needs no render. An optional
directory lets several server processes share results; files there are written atomically.

Keys come from :mod:`printbrief.identity`, as for every cache in printbrief.

>>> cache = ResultCache(max_bytes=1 << 20)
>>> cache.put("9f86d081884c", b"%PDF-1.7 ...")
>>> cache.get("9f86d081884c")
b'%PDF-1.7 ...'
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path

from ..errors import OutputError
from ..output import write_atomic

log = logging.getLogger(__name__)


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
