"""One identity: "same input, same options, same versions → same bytes", computed once.

Every cache keys from here: the batch manifest, the issue cache and the service's result
cache. A key covers the versions (:mod:`printbrief.version`), the options' record (theme
files and fonts by digest, :meth:`RenderOptions.record`), the article's canonical JSON and
the bytes of every local file it names (a picture edited under the same name is a new key).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from .model import Article
from .options import RenderOptions
from .version import versions

_BODY_FILES = re.compile(
    r"""!\[[^\]]*\]\(\s*<?([^)\s>]+)|<img[^>]*?\ssrc\s*=\s*["']([^"']+)""", re.I
)


def fingerprint(options: RenderOptions) -> str:
    """What every render with ``options`` shares: versions, theme files, fonts and options.

    Computed without importing WeasyPrint, so a fully cached run never loads it.
    """
    record = json.dumps([versions(), options.record()], sort_keys=True, ensure_ascii=False)
    return text_key("options", record)


def article_key(fingerprint: str, article: Article, context: Any = None) -> str:
    """The key of one article rendered with one fingerprint (and an issue's template context)."""
    extra = json.dumps(context, sort_keys=True, ensure_ascii=False, default=str)
    return text_key("article", fingerprint, article.canonical_json(), extra, files_digest(article))


def document_key(fingerprint: str, html: str, folder: Path | None, files: Iterable[str]) -> str:
    """The key of a document a theme writes (an issue's front matter, its folio sheets)."""
    return text_key("document", fingerprint, html, _digest_files(folder, files))


def merged_key(fingerprint: str, sources: Iterable[bytes], arrangement: object) -> str:
    """The key of PDFs merged into one (a whole issue): the sources by content, the merging
    code (pypdf's version; printbrief's is in ``fingerprint``), and ``arrangement`` (pages,
    bookmarks, destinations: values whose ``repr`` says all of them)."""
    digests = [hashlib.sha256(pdf).hexdigest() for pdf in sources]
    return text_key("merged", fingerprint, metadata.version("pypdf"), *digests, repr(arrangement))


def files_digest(article: Article) -> str:
    """SHA-256 over the local files an article names (lead and body pictures), by content.

    Pictures are relative to the article file's folder; ``data:`` URIs and URLs are part of
    the article's JSON already.
    """
    folder = article.source.parent if article.source else None
    return _digest_files(folder, [i.src for i in article.images] + body_files(article.body))


def local_files(article: Article) -> list[Path]:
    """The local files an article names (lead and body pictures), whether they exist yet or not."""
    if article.source is None:
        return []
    folder = article.source.parent
    sources = [i.src for i in article.images] + body_files(article.body)
    paths = (folder / s for s in sources if not s.startswith("data:") and "://" not in s)
    return sorted(set(paths))


def body_files(body: str) -> list[str]:
    """Picture sources named in a Markdown or HTML body."""
    return [a or b for a, b in _BODY_FILES.findall(body)]


def text_key(*parts: str) -> str:
    """SHA-256 of some strings, each length-prefixed so no two lists of parts collide.

    >>> text_key("a", "bc") != text_key("ab", "c")
    True
    """
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def _digest_files(folder: Path | None, sources: Iterable[str]) -> str:
    parts = []
    for src in sorted(set(sources)):
        if src.startswith("data:") or folder is None or "://" in src:
            continue
        try:
            parts += [src, hashlib.sha256((folder / src).read_bytes()).hexdigest()]
        except OSError:
            parts += [src, "missing"]
    return text_key(*parts)
