"""Resource fetching locked down: data: URIs and files inside allowed folders, nothing else.

WeasyPrint's default fetcher reads ``file:``, ``http(s):`` and ``ftp:`` URLs and follows
redirects; untrusted article HTML must not make printbrief read local files or reach the
network (DESIGN.md, safety defaults).
"""

from __future__ import annotations

import base64
import logging
import mimetypes
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from .limits import DEFAULT_LIMITS, Limits

log = logging.getLogger(__name__)


class FetchRefused(ValueError):
    """A URL the fetcher will not load; WeasyPrint drops the resource and goes on."""


class LockedFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types
    """A :class:`weasyprint.urls.URLFetcher` that only serves ``data:`` and allowed local files.

    >>> fetcher = LockedFetcher(roots=["/srv/theme"])
    >>> fetcher.allows_path(Path("/etc/passwd"))
    False
    """

    def __init__(self, roots: Iterable[str | Path], limits: Limits = DEFAULT_LIMITS) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.roots = tuple(Path(r).resolve() for r in roots)
        self.limits = limits

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        """Serve ``url`` if allowed, else log one warning naming it and the reason, and refuse."""
        try:
            return self._fetch(url)
        except FetchRefused as exc:
            log.warning("refused to load %s: %s", _short(url), exc)
            raise

    def _fetch(self, url: str) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return self._data(url)
        if scheme == "file":
            return self._file(url)
        raise FetchRefused(f"the {scheme or 'relative'} scheme is not allowed (no network access)")

    def _data(self, url: str) -> URLFetcherResponse:
        if len(url) > self.limits.max_data_uri_bytes:
            raise FetchRefused(f"data: URI larger than {self.limits.max_data_uri_bytes} bytes")
        header, sep, payload = url[5:].partition(",")
        if not sep:
            raise FetchRefused("malformed data: URI")
        mime = header.split(";")[0] or "text/plain"
        try:
            if header.endswith(";base64"):
                body = base64.b64decode(payload, validate=True)
            else:
                body = unquote(payload).encode()
        except ValueError:
            raise FetchRefused("malformed base64 in data: URI") from None
        return URLFetcherResponse(url, body, {"Content-Type": mime})

    def _file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise FetchRefused("file: URLs on other hosts are not allowed")
        path = Path(url2pathname(parts.path)).resolve()
        if not self.allows_path(path):
            raise FetchRefused("outside the theme, font and allowed asset folders")
        if not path.is_file():
            raise FetchRefused("no such file")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})

    def allows_path(self, path: Path) -> bool:
        """Whether a path (after resolving symlinks and ``..``) lies inside an allowed folder."""
        resolved = path.resolve()
        return any(resolved.is_relative_to(root) for root in self.roots)


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:100] + f"… ({len(url)} characters)"
