"""Allowlisted HTTPS fetching of article images: named hosts only, public addresses only.

Every hop of a redirect is checked again, because an allowed host that redirects to an
internal address is the classic bypass of a URL check done once (WeasyPrint's own fetcher had
it: CVE-2025-68616, GHSA-983w-rhvv-gwmv). Host names are resolved once, every address is
checked, and the connection goes to the checked address, so a second DNS answer cannot point
elsewhere (DNS rebinding). HTTP is spoken by hand (HTTP/1.0, no compression, no automatic
redirects) so that one deadline and one byte cap bound the whole exchange, slow or endless.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from .limits import Limits
from .version import __version__

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class NetRefused(ValueError):  # reads as a reason: "refused: ..."
    """A remote resource printbrief will not fetch or use; the message says why."""


@dataclass(frozen=True)
class Network:
    """Which hosts images may come from, and the bounds on each fetch.

    >>> Network(frozenset({"images.example.org"})).allows("https://images.example.org/a.png")
    True
    >>> Network(frozenset({"images.example.org"})).allows("http://images.example.org/a.png")
    False
    """

    hosts: frozenset[str]
    max_bytes: int = 8 * 1024 * 1024
    seconds: float = 10.0
    max_redirects: int = 3
    allow_loopback: bool = False
    """UNSAFE, only for tests against a server they start on 127.0.0.1: also allow loopback
    addresses (127.0.0.0/8, ::1) and plain ``http``. Private, link-local and metadata
    addresses stay refused."""
    ssl_context: ssl.SSLContext = field(default_factory=ssl.create_default_context)

    @classmethod
    def from_limits(
        cls, hosts: Iterable[str], limits: Limits, *, allow_loopback: bool = False
    ) -> Network:
        """A policy for host names as the caller wrote them (case and a final dot do not matter)."""
        return cls(
            frozenset(h.strip().lower().rstrip(".") for h in hosts),
            max_bytes=limits.max_fetch_bytes,
            seconds=limits.max_fetch_seconds,
            max_redirects=limits.max_redirects,
            allow_loopback=allow_loopback,
        )

    def allows(self, url: str) -> bool:
        """Whether ``url`` passes the scheme and host checks (addresses are checked on fetch)."""
        try:
            self._target(url)
        except NetRefused:
            return False
        return True

    def fetch(self, url: str, deadline: float) -> tuple[str, bytes, str]:
        """``(final URL, body, content type)`` of an image, or :class:`NetRefused` with the reason."""
        end = min(deadline, time.monotonic() + self.seconds)
        for hop in range(self.max_redirects + 1):
            try:
                status, headers, body = self._get(url, end)
            except NetRefused as exc:
                raise NetRefused(f"redirected to {url}: {exc}" if hop else str(exc)) from None
            if status not in _REDIRECTS:
                if len(body) > self.max_bytes:
                    raise NetRefused(f"response larger than {self.max_bytes} bytes")
                return url, body, self._image_type(status, headers)
            url = urljoin(url, headers.get("location", ""))
        raise NetRefused(f"more than {self.max_redirects} redirects")

    def _get(self, url: str, end: float) -> tuple[int, dict[str, str], bytes]:
        """One request, every check made again (this may be a redirect hop)."""
        host, port, tls, path = self._target(url)
        address = self._address(host, port, end)
        return _exchange(self, host, port, tls, path, address, end)

    def _target(self, url: str) -> tuple[str, int, bool, str]:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme != "https" and not (scheme == "http" and self.allow_loopback):
            raise NetRefused(f"only https is allowed, not {scheme or 'a relative URL'}")
        if parts.username is not None or parts.password is not None:
            raise NetRefused("URLs with user names or passwords are not allowed")
        host = (parts.hostname or "").rstrip(".")
        if host not in self.hosts:
            raise NetRefused(f"host {host or '(none)'!r} is not in allow_hosts")
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError:
            raise NetRefused("invalid port") from None
        return host, port, scheme == "https", (parts.path or "/") + _query(parts.query)

    def _address(self, host: str, port: int, end: float) -> IPAddress:
        addresses = _resolve(host, port, end)
        for address in addresses:
            if not is_public(address) and not (self.allow_loopback and address.is_loopback):
                raise NetRefused(f"{host} resolves to non-public address {address}")
        return addresses[0]

    def _image_type(self, status: int, headers: dict[str, str]) -> str:
        if status != 200:
            raise NetRefused(f"HTTP status {status}")
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in IMAGE_TYPES:
            raise NetRefused(f"content type {kind or '(none)'!r} is not an accepted image type")
        return kind


def _query(query: str) -> str:
    return f"?{query}" if query else ""


def is_public(address: IPAddress) -> bool:
    """Whether an address is globally routable, looking inside IPv6 forms that embed IPv4.

    >>> is_public(ipaddress.ip_address("::ffff:127.0.0.1"))
    False
    >>> is_public(ipaddress.ip_address("169.254.169.254"))
    False
    """
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if inner is None and any(address in net for net in _NAT64):
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None and not is_public(inner):
            return False
    return address.is_global and not address.is_multicast


def _resolve(host: str, port: int, end: float) -> list[IPAddress]:
    """All addresses of ``host``, within the deadline (getaddrinfo itself has no timeout)."""
    result: list[object] = []

    def lookup() -> None:
        try:
            result.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            result.append(exc)

    worker = threading.Thread(target=lookup, daemon=True, name="printbrief-dns")
    worker.start()
    worker.join(max(end - time.monotonic(), 0))
    if not result:
        raise NetRefused("DNS lookup took longer than the fetch deadline")
    if isinstance(result[0], OSError):
        raise NetRefused(f"cannot resolve {host}: {result[0].strerror or result[0]}")
    infos: list[tuple[object, ...]] = result[0]  # type: ignore[assignment]
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]  # type: ignore[index]


def _exchange(
    net: Network, host: str, port: int, tls: bool, path: str, address: IPAddress, end: float
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.0 GET to ``address``, naming ``host``; every read is bounded by ``end``."""
    try:
        with _connect(net, host, port, tls, address, end) as sock:
            request = (
                f"GET {path} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: printbrief/{__version__}\r\n"
                "Accept: image/png, image/jpeg, image/gif, image/webp\r\nConnection: close\r\n\r\n"
            )
            sock.sendall(request.encode("ascii", "strict"))
            raw = _read_all(sock, net.max_bytes, end)
    except (OSError, UnicodeEncodeError) as exc:
        raise NetRefused(f"connection failed: {exc}") from None
    return _parse(raw)


def _connect(
    net: Network, host: str, port: int, tls: bool, address: IPAddress, end: float
) -> socket.socket:
    sock = socket.create_connection((str(address), port), timeout=_left(end))
    if not tls:
        return sock
    try:
        return net.ssl_context.wrap_socket(sock, server_hostname=host)
    except BaseException:
        sock.close()
        raise


def _left(end: float) -> float:
    left = end - time.monotonic()
    if left <= 0:
        raise NetRefused("took longer than the fetch deadline")
    return left


def _read_all(sock: socket.socket, max_bytes: int, end: float) -> bytes:
    """Everything until the server closes, refusing more than ``max_bytes`` or past ``end``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        sock.settimeout(_left(end))
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            raise NetRefused("took longer than the fetch deadline") from None
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes + 65536:  # headers get a little room on top of the body cap
            raise NetRefused(f"response larger than {max_bytes} bytes")
        chunks.append(chunk)


def _parse(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, sep, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status_line = lines[0].split(" ", 2)
    if not sep or len(status_line) < 2 or not status_line[0].startswith("HTTP/"):
        raise NetRefused("not an HTTP response")
    try:
        status = int(status_line[1])
    except ValueError:
        raise NetRefused("not an HTTP response") from None
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body
