"""HTTP helpers for the service: bounded body reading, problem+json, ETags, file names.

Kept apart from the routes in ``service.py`` so each stays small; nothing here renders.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from ..errors import InputError, LimitError, MediaTypeError, PrintbriefError, UsageError
from ..parsing import json_value

PROBLEM_JSON = "application/problem+json"
JSON_TYPES = ("application/json", "application/ld+json")


def check_media_type(content_type: str | None) -> None:
    """Refuse anything but JSON (``application/json``, ``application/ld+json``, ``*+json``)."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in JSON_TYPES and not media.endswith("+json"):
        shown = media or "none"
        raise MediaTypeError(f"send the article as application/json (got {shown})")


def check_framing(headers: Mapping[str, str]) -> None:
    """Refuse a request framed both by ``Content-Length`` and by ``Transfer-Encoding`` (400).

    RFC 9112, 6.3 lets a server reject such a message: two framings are how requests are
    smuggled past a proxy that reads the other one.
    """
    if "content-length" in headers and "transfer-encoding" in headers:
        raise UsageError("send either Content-Length or Transfer-Encoding, not both")


def check_length(content_length: str | None, limit: int) -> None:
    """Refuse a declared body size over ``limit`` before reading any of it (HTTP 413)."""
    if content_length is None:
        return
    if not content_length.isdigit():
        raise UsageError(f"invalid Content-Length {content_length!r}")
    if int(content_length) > limit:
        raise LimitError(f"the request body is larger than {limit} bytes")


async def read_limited(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """Read a streamed body, stopping with ``LimitError`` as soon as it passes ``limit`` bytes.

    Chunked requests declare no length, so counting while reading is the only bound on them.
    """
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise LimitError(f"the request body is larger than {limit} bytes")
    return bytes(body)


def parse_json(body: bytes) -> Any:
    """The body as a JSON value, or ``InputError`` with the line and column of the mistake.

    Nesting and number length are bounded before anything recursive runs (``parsing.py``).
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"the body is not valid UTF-8 (byte {exc.start})") from None
    return json_value(text, source=None)


def problem(status: int, detail: str, *, error: str | None = None, **extra: Any) -> dict[str, Any]:
    """An RFC 9457 problem document."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if error:
        body["error"] = error
    return {**body, **extra}


def problem_of(exc: PrintbriefError) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Status, problem document and headers for a printbrief error, read from its class."""
    status = exc.http_status
    extra: dict[str, Any] = {}
    if problems := getattr(exc, "problems", ()):
        extra["errors"] = [{"field": p.field, "message": p.message} for p in problems]
    if limit := getattr(exc, "limit", ""):
        extra["limit"] = limit  # the server's setting (`serve --limit NAME=VALUE`)
    headers = {}
    if (retry := getattr(exc, "retry_after", None)) is not None:
        headers["Retry-After"] = str(retry)
    return status, problem(status, str(exc), error=type(exc).__name__, **extra), headers


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` value names ``etag`` (weak comparison, as RFC 9110 asks)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


def slug(text: str, fallback: str = "article") -> str:
    """A file-name stem from an id or headline: words kept, everything else a hyphen."""
    stem = re.sub(r"[^\w.-]+", "-", unicodedata.normalize("NFC", text)).strip(".-_")
    return stem[:80].rstrip(".-_") or fallback


def content_disposition(stem: str) -> str:
    """``inline`` with an ASCII ``filename`` and, for other scripts, an RFC 6266 ``filename*``."""
    ascii_stem = slug(stem.encode("ascii", "ignore").decode(), fallback="article")
    value = f'inline; filename="{ascii_stem}.pdf"'
    if ascii_stem != stem:
        value += f"; filename*=UTF-8''{quote(stem + '.pdf', safe='')}"
    return value


def pdf_headers(etag: str, stem: str) -> Mapping[str, str]:
    """Headers of a PDF response (and of its 304): validator and download name."""
    return {"ETag": etag, "Content-Disposition": content_disposition(stem)}
