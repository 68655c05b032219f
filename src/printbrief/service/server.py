"""The HTTP server under the app: uvicorn with timeouts for slow and silent clients.

uvicorn (0.54) closes idle keep-alive connections but never times out a client that opens a
connection and sends nothing, or sends its headers a byte at a time: each such connection
holds a descriptor for good, and enough of them starve the worker pool of the descriptors it
needs to start a replacement. :class:`TimedH11Protocol` closes a connection whose request
headers are not complete within ``header_timeout`` seconds of its first byte (or of the
connection opening); the app bounds the body's reading (``ServiceConfig.body_timeout``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol


@dataclass(frozen=True)
class ServerConfig:
    """Connection limits of ``printbrief serve``."""

    header_timeout: float = 10.0
    """Seconds for a client to send its request line and headers (silent connections too)."""
    keep_alive: float = 5.0
    """Seconds an idle keep-alive connection stays open."""
    max_connections: int = 200
    """Connections served at once; past that uvicorn answers 503."""
    shutdown_timeout: float = 10.0
    """Seconds SIGTERM waits for requests in flight before it stops them and the workers."""


class TimedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, closing connections whose request headers do not arrive in time."""

    header_timeout = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the clock as the connection opens: a silent client is timed too."""
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm()

    def data_received(self, data: bytes) -> None:
        """Stop the clock once headers are complete; start it again for the next request."""
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            self._arm()
        elif self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def connection_lost(self, exc: Exception | None) -> None:
        """Drop the clock with the connection."""
        if self._header_timer is not None:
            self._header_timer.cancel()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _too_slow(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def run(app: Any, server: ServerConfig, *, host: str, port: int) -> None:
    """Serve ``app`` until SIGINT or SIGTERM, with ``server``'s timeouts and limits."""
    protocol = type("Protocol", (TimedH11Protocol,), {"header_timeout": server.header_timeout})
    uvicorn.run(
        app, host=host, port=port, log_level="info", http=protocol,
        timeout_keep_alive=int(max(1, server.keep_alive)),
        limit_concurrency=server.max_connections,
        timeout_graceful_shutdown=int(max(1, server.shutdown_timeout)),
    )  # fmt: skip
