"""A content-addressed cache of rendered PDFs on disk, so re-compiling an issue re-renders only what changed.

Keys come from :mod:`printbrief.identity` (the article's fields, the local pictures it
names, the template context, the theme's files, the fonts, the options and the versions),
as for every other cache in printbrief. An entry is ``<key>.pdf`` with ``<key>.json``
(its page count). Entries are written atomically, so parallel compiles may share a folder;
entries unused for :data:`MAX_AGE_DAYS` are removed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from pathlib import Path

from ..errors import OutputError
from ..finish import Rendered
from ..output import write_atomic

log = logging.getLogger(__name__)

DEFAULT_FOLDER = ".printbrief-cache"
"""Folder name of the default cache, created next to the output file."""
MAX_AGE_DAYS = 30
"""Entries not used for this long are removed when an issue is compiled."""


class Cache:
    """Rendered PDFs by key, in ``folder`` (or only in memory when ``folder`` is None).

    >>> cache = Cache(None)
    >>> cache.put("k", Rendered(b"%PDF-", 1))
    >>> cache.get("k").pages
    1
    """

    def __init__(self, folder: str | Path | None) -> None:
        self.folder = Path(folder) if folder is not None else None
        self._memory: dict[str, Rendered] = {}
        self._numbers: dict[str, int] = {}

    def _path(self, key: str, suffix: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}{suffix}"

    @property
    def empty(self) -> bool:
        """Whether no entry can be found (a new folder, or only in memory and new)."""
        if self.folder is None:
            return not self._memory and not self._numbers
        return not self.folder.is_dir() or next(self.folder.iterdir(), None) is None

    def get(self, key: str) -> Rendered | None:
        """The entry, or None; a hit marks the entry as used."""
        if self.folder is None:
            return self._memory.get(key)
        try:
            meta = json.loads(self._path(key, ".json").read_text("utf-8"))
            pages, parts = int(meta["pages"]), tuple(int(n) for n in meta.get("parts", ()))
            pdf = self._path(key, ".pdf").read_bytes()
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not (pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-64:]):
            return None  # written without fsync: a crash can leave a truncated file
        _touch(self._path(key, ".json"))
        return Rendered(pdf, pages, parts)

    def put(self, key: str, rendered: Rendered) -> None:
        """Store an entry; a folder that cannot be written only costs the reuse next time."""
        if self.folder is None:
            self._memory[key] = rendered
            return
        try:
            write_atomic(self._path(key, ".pdf"), rendered.pdf, durable=False)
            meta = {
                "pages": rendered.pages,
                **({"parts": list(rendered.parts)} if rendered.parts else {}),
            }
            write_atomic(self._path(key, ".json"), json.dumps(meta).encode(), durable=False)
        except OutputError as exc:
            log.warning("cache not written: %s", exc)

    def number(self, key: str) -> int | None:
        """A remembered number (the page count of an issue's contents), or None."""
        if key in self._numbers or self.folder is None:
            return self._numbers.get(key)
        try:
            return int(json.loads(self._path(key, ".json").read_text("utf-8"))["number"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put_number(self, key: str, value: int) -> None:
        """Remember a number under a key."""
        self._numbers[key] = value
        if self.folder is None:
            return
        try:
            write_atomic(self._path(key, ".json"), _json(number=value), durable=False)
        except OutputError as exc:
            log.warning("cache not written: %s", exc)

    def prune(self, max_age_days: float = MAX_AGE_DAYS) -> int:
        """Remove entries not used for ``max_age_days``; return how many were removed."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        cutoff, removed = time.time() - max_age_days * 86400, 0
        for meta in self.folder.glob("??/*.json"):
            try:
                if meta.stat().st_mtime < cutoff:
                    meta.with_suffix(".pdf").unlink(missing_ok=True)
                    meta.unlink()
                    removed += 1
            except OSError:
                continue
        return removed


def _json(**values: int) -> bytes:
    return json.dumps(values).encode()


def _touch(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.utime(path)
