"""Images from articles: raster formats only, dimensions checked before anything decodes them.

SVG is refused: it is a document format of its own (external references, entity and ``<use>``
expansion, text layout) and WeasyPrint renders it with no bound on work. Articles carry
PNG, JPEG, GIF or WebP.
"""

from __future__ import annotations

import threading
import warnings
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
    return LimitError(f"an image has more than {limits.max_image_pixels} pixels{declared}")


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
