"""A content-addressed cache of rendered PDFs on disk, so re-compiling an issue re-renders only what changed.

A key is the SHA-256 of everything a render depends on: the article's fields, the local
pictures it names, the template context, the theme's files, the fonts' CSS, the options,
and the printbrief and WeasyPrint versions. An entry is ``<key>.pdf`` with ``<key>.json``
(its page count). Entries are written atomically, so parallel compiles may share a folder;
entries unused for :data:`MAX_AGE_DAYS` are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from . import __version__, fonts
from .errors import OutputError
from .finish import Rendered
from .limits import Limits
from .model import Article
from .output import write_atomic
from .themes import Theme

log = logging.getLogger(__name__)

DEFAULT_FOLDER = ".printbrief-cache"
"""Folder name of the default cache, created next to the output file."""
MAX_AGE_DAYS = 30
"""Entries not used for this long are removed when an issue is compiled."""

_BODY_FILES = re.compile(
    r"""!\[[^\]]*\]\(\s*<?([^)\s>]+)|<img[^>]*?\ssrc\s*=\s*["']([^"']+)""", re.I
)


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


# ------------------------------------------------------------------------------------ keys


def fingerprint(
    theme: Theme, *, paper: str, strict: bool, system_fonts: bool, limits: Limits
) -> str:
    """What every render of one configuration shares: versions, theme files, fonts, options.

    Computed without importing WeasyPrint, so a fully cached re-compile never loads it.
    """
    digest = hashlib.sha256()
    _feed(digest, "printbrief", __version__, "weasyprint", _weasyprint_version())
    _feed(digest, paper, str(strict), str(system_fonts), repr(limits))
    _feed(digest, fonts.font_face_css(system_fonts, theme.cjk_text))
    if system_fonts:  # installing fonts-noto-cjk changes what the fallback draws
        _feed(digest, *(str(fonts.system_font(f)) for f in fonts.SYSTEM_FALLBACK.values()))
    for folder in theme.folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            _feed(digest, str(path.relative_to(folder)))
            digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def _weasyprint_version() -> str:
    try:
        return metadata.version("weasyprint")
    except metadata.PackageNotFoundError:
        return "unknown"


def article_key(fingerprint: str, article: Article, context: Mapping[str, Any]) -> str:
    """The key of one article rendered with one template context."""
    digest = hashlib.sha256()
    _feed(digest, "article", fingerprint, article.canonical_json())
    _feed(digest, json.dumps(context, sort_keys=True, ensure_ascii=False, default=str))
    folder = article.source.parent if article.source else None
    _files(digest, folder, [i.src for i in article.images] + _body_files(article.body))
    return digest.hexdigest()


def document_key(fingerprint: str, html: str, folder: Path | None, files: Iterable[str]) -> str:
    """The key of a document the theme writes (an issue's front matter, its folios)."""
    digest = hashlib.sha256()
    _feed(digest, "document", fingerprint, html)
    _files(digest, folder, list(files))
    return digest.hexdigest()


def text_key(*parts: str) -> str:
    """A key for anything else that is a function of some text."""
    digest = hashlib.sha256()
    _feed(digest, *parts)
    return digest.hexdigest()


def _body_files(body: str) -> list[str]:
    return [a or b for a, b in _BODY_FILES.findall(body)]


def _files(digest: Any, folder: Path | None, sources: list[str]) -> None:
    """Local pictures are part of the key by content (their names alone may not change)."""
    for src in sorted(set(sources)):
        if src.startswith("data:") or folder is None or "://" in src:
            continue
        path = folder / src
        try:
            _feed(digest, src, hashlib.sha256(path.read_bytes()).hexdigest())
        except OSError:
            _feed(digest, src, "missing")


def _feed(digest: Any, *parts: str) -> None:
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big") + data)
