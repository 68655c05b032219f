"""Images from articles: raster formats only, dimensions checked before anything decodes them.

SVG is refused: it is a document format of its own (external references, entity and ``<use>``
expansion, text layout) and WeasyPrint renders it with no bound on work. Articles carry
PNG, JPEG, GIF or WebP.
"""

from __future__ import annotations

import hashlib
import threading
import warnings
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO

from PIL import Image

from .errors import LimitError
from .limits import Limits

RASTER_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
"""Pillow format name → the only MIME types an article image may have."""


class NotAnImage(ValueError):  # reads as a reason: "refused: not an image"
    """The bytes are not a PNG, JPEG, GIF or WebP image."""


def image_type(data: bytes, limits: Limits) -> str:
    """The MIME type of a raster image, after checking its declared pixel count.

    Reads only the header (Pillow decodes lazily). Raises :class:`NotAnImage` for anything
    else (SVG, HTML, text) and :class:`LimitError` for more than ``max_image_pixels``.
    """
    try:
        with warnings.catch_warnings():
            # A decompression bomb (a small file declaring huge dimensions) is a limit, not a
            # warning: Pillow warns above MAX_IMAGE_PIXELS and raises above twice that.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=list(RASTER_TYPES)) as image:
                width, height, kind = image.width, image.height, image.format
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels(limits, None) from None
    except Exception:  # Pillow raises many kinds for bytes that are not an image
        raise NotAnImage("not a PNG, JPEG, GIF or WebP image (SVG is not accepted)") from None
    if width * height > limits.max_image_pixels:
        raise _too_many_pixels(limits, (width, height))
    return RASTER_TYPES[str(kind)]


def _too_many_pixels(limits: Limits, size: tuple[int, int] | None) -> LimitError:
    declared = f" ({size[0]} × {size[1]})" if size else ""
    return LimitError(
        f"an image has more than {limits.max_image_pixels:,} pixels{declared}",
        limit="max_image_pixels",
    )


# ------------------------------------------------------------------------------- photos

PHOTO_QUALITY = 92
"""JPEG quality for converted photos, with full-resolution colour (4:4:4)."""
PHOTO_MIN_PIXELS = 250_000
PHOTO_MIN_COLOURS = 16_384


class PhotoCache:
    """Opaque colour photographs in PNG, WebP or GIF become JPEG once per content hash.

    WeasyPrint 70 passes JPEG through to the PDF untouched but decodes and re-encodes every
    other raster format on every render: 440 ms for a 1600 × 1000 PNG photo, and a PDF four
    times larger. Only opaque images of at least ``PHOTO_MIN_PIXELS`` pixels and more than
    ``PHOTO_MIN_COLOURS`` colours are converted (photographs; charts, logos and screenshots
    have fewer colours and keep their sharp edges). Results are kept up to ``max_bytes``.

    >>> PhotoCache().convert(open("chart.png", "rb").read()) is None    # doctest: +SKIP
    True
    """

    every_picture = False
    """Whether pictures the theme ships (trusted files) are converted too (PDF/X-4's CMYK)."""

    def __init__(self, max_bytes: int = 64 * 2**20) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[bytes, bytes | None] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def convert(self, data: bytes, kind: str = "image/png") -> bytes | None:
        """The JPEG for a photographic image, or None to keep ``data`` as it is."""
        key = hashlib.sha256(data).digest()
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        converted = self._convert(data, kind)
        with self._lock:
            self._keep(key, converted)
        return converted

    def _convert(self, data: bytes, kind: str) -> bytes | None:
        return None if kind == "image/jpeg" else _as_jpeg(data)

    def _keep(self, key: bytes, value: bytes | None) -> None:
        if key not in self._entries:
            self._entries[key] = value
            self._size += len(value or b"")
        while self._size > self.max_bytes and self._entries:
            _, dropped = self._entries.popitem(last=False)
            self._size -= len(dropped or b"")


def _as_jpeg(data: bytes) -> bytes | None:
    with Image.open(BytesIO(data), formats=["PNG", "WEBP", "GIF"]) as image:
        if image.width * image.height < PHOTO_MIN_PIXELS or not _opaque(image):
            return None
        flat = image.convert("RGB")
        if flat.getcolors(PHOTO_MIN_COLOURS) is not None:  # None: more colours than that
            return None
        out = BytesIO()
        exif = image.getexif()  # keeps the orientation WeasyPrint applies (from-image)
        flat.save(
            out, "JPEG", quality=PHOTO_QUALITY, subsampling=0,
            icc_profile=image.info.get("icc_profile"), exif=exif.tobytes() if exif else b"",
        )  # fmt: skip
        return out.getvalue()


def _opaque(image: Image.Image) -> bool:
    if "transparency" in image.info or getattr(image, "n_frames", 1) > 1:
        return False
    if image.mode == "RGB":
        return True
    if image.mode == "RGBA":
        return image.getchannel("A").getextrema() == (255, 255)
    return False  # grey, palette, 16-bit…: at most 256 levels or rare; left to WeasyPrint


_lock = threading.Lock()
_active: list[int] = []
_original: list[int | None] = []


@contextmanager
def pillow_bound(limits: Limits) -> Iterator[None]:
    """Within a render, Pillow's own bomb check uses ``max_image_pixels`` too.

    ``Image.MAX_IMAGE_PIXELS`` is process-wide: concurrent renders share the smallest bound
    in force, and the original value comes back when the last one ends.
    """
    with _lock:
        if not _active:
            _original[:] = [Image.MAX_IMAGE_PIXELS]
        _active.append(limits.max_image_pixels)
        Image.MAX_IMAGE_PIXELS = min(_active)
    try:
        yield
    finally:
        with _lock:
            _active.remove(limits.max_image_pixels)
            Image.MAX_IMAGE_PIXELS = min(_active) if _active else _original[0]
