"""Resource fetching locked down: data: URIs, files inside allowed folders, allowlisted HTTPS.

WeasyPrint's default fetcher reads ``file:``, ``http(s):`` and ``ftp:`` URLs; untrusted
article HTML must not make printbrief read local files or reach the network (docs/security.md,
"Security model"). Two kinds of folder are allowed: *trusted* ones (the theme and the bundled
fonts), served as they are, and *asset* folders the caller names for article images, from
which only raster images are served, so a stray ``notes.txt`` beside an article can never be
embedded. Everything that comes from the article (``data:`` URIs, asset files, remote images)
is checked to be a PNG, JPEG, GIF or WebP of bounded size before WeasyPrint decodes it.
Opaque photographs that are not JPEG are handed over as JPEG when a :class:`PhotoCache` is
given (WeasyPrint re-encodes every other format on every render).
"""

from __future__ import annotations

import base64
import binascii
import logging
import mimetypes
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from .budget import Abort, current
from .errors import LimitError
from .images import RASTER_TYPES, NotAnImage, PhotoCache, image_type
from .limits import DEFAULT_LIMITS, Limits
from .netfetch import NetRefused, Network

log = logging.getLogger(__name__)


class FetchRefused(ValueError):  # reads as a reason: "refused: ..."
    """A URL the fetcher will not load; WeasyPrint drops the resource and goes on."""


class LockedFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types
    """A :class:`weasyprint.urls.URLFetcher` that serves data:, allowed files and allowed hosts.

    >>> fetcher = LockedFetcher(roots=["/srv/theme"])
    >>> fetcher.allows_path(Path("/etc/passwd"))
    False
    """

    def __init__(
        self,
        roots: Iterable[str | Path],
        limits: Limits = DEFAULT_LIMITS,
        *,
        assets: Iterable[str | Path] = (),
        network: Network | None = None,
        photos: PhotoCache | None = None,
    ) -> None:
        # WeasyPrint's own handlers never run: every scheme goes through fetch() below.
        super().__init__(allowed_protocols=set(), allow_redirects=False)
        self.roots = tuple(Path(r).resolve() for r in roots)
        self.assets = tuple(Path(a).resolve() for a in assets)
        self.limits = limits
        self.network = network
        self.photos = photos
        self.refused: set[str] = set()

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        """Serve ``url`` if allowed, else log one warning naming it and the reason, and refuse."""
        try:
            return self._fetch(url)
        except LimitError as exc:
            raise Abort(exc) from None  # a limit fails the render; WeasyPrint would go on
        except (ValueError, OSError) as exc:  # our refusals, and paths the OS rejects
            reason = str(exc) if isinstance(exc, _REASONS) else f"cannot read: {exc}"
            self._refuse(url, reason)
            raise FetchRefused(reason) from None

    def _refuse(self, url: str, reason: str) -> None:
        log.warning("refused to load %s: %s", _short(url), reason)
        self.refused.add(url)
        budget = current()
        if budget is not None:
            budget.refused.add(url)

    def _fetch(self, url: str) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()  # FILE:, Data:, HTTPS: are the same schemes
        if scheme == "data":
            return self._data(url)
        if scheme == "file":
            return self._file(url)
        if scheme in ("http", "https") and self.network is not None:
            return self._remote(url)
        if scheme in ("http", "https"):
            raise FetchRefused("no network access (the caller allowed no hosts)")
        raise FetchRefused(f"the {scheme or 'relative'} scheme is not allowed")

    def _data(self, url: str) -> URLFetcherResponse:
        if len(url) > self.limits.max_data_uri_bytes:
            raise LimitError(
                f"a data: URI is larger than {self.limits.max_data_uri_bytes:,} bytes",
                limit="max_data_uri_bytes",
            )
        header, sep, payload = url.partition(",")
        if not sep:
            raise FetchRefused("malformed data: URI")
        try:
            if header.lower().endswith(";base64"):
                body = base64.b64decode(unquote_to_bytes(payload), validate=True)
            else:
                body = unquote_to_bytes(payload)
        except (ValueError, binascii.Error):
            raise FetchRefused("malformed base64 in data: URI") from None
        return self._image(url, body)

    def _image(self, url: str, body: bytes) -> URLFetcherResponse:
        # The type is sniffed, never taken from the URL or a header: WeasyPrint would render
        # anything declared image/svg+xml as SVG.
        kind = image_type(body, self.limits)
        jpeg = self.photos.convert(body, kind) if self.photos else None
        if jpeg is not None:
            # Not a file: URL, or WeasyPrint would embed the original file under the JPEG filter.
            return URLFetcherResponse("printbrief:photo.jpg", jpeg, {"Content-Type": "image/jpeg"})
        return URLFetcherResponse(url, body, {"Content-Type": kind})

    def _file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc.lower() not in ("", "localhost"):
            raise FetchRefused("file: URLs on other hosts are not allowed")
        path = Path(url2pathname(parts.path)).resolve()  # follows symlinks and '..'
        trusted = _inside(path, self.roots)
        if not trusted and not _inside(path, self.assets):
            raise FetchRefused("outside the theme, font and allowed asset folders")
        if not path.is_file():
            raise FetchRefused("no such file")
        if trusted:
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if self.photos is not None and self.photos.every_picture and _raster(mime):
                return self._image(path.as_uri(), path.read_bytes())  # the theme's, in CMYK
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})
        if path.stat().st_size > self.limits.max_fetch_bytes:
            raise FetchRefused(f"file larger than {self.limits.max_fetch_bytes} bytes")
        return self._image(path.as_uri(), path.read_bytes())

    def _remote(self, url: str) -> URLFetcherResponse:
        assert self.network is not None
        budget = current()
        final, body, _declared = self.network.fetch(url, budget.deadline() if budget else _NEVER)
        return self._image(final, body)

    def allows_path(self, path: Path) -> bool:
        """Whether a path (after resolving symlinks and ``..``) lies inside an allowed folder."""
        return _inside(path.resolve(), (*self.roots, *self.assets))


_NEVER = float("inf")
_REASONS = (FetchRefused, NetRefused, NotAnImage)


def _inside(path: Path, folders: Iterable[Path]) -> bool:
    return any(path.is_relative_to(folder) for folder in folders)


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:100] + f"… ({len(url)} characters)"


def _raster(mime: str) -> bool:
    return mime in RASTER_TYPES.values()
