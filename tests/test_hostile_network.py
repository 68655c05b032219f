"""Hostile articles against the network: SSRF, redirects, slow and endless servers.

No test reaches beyond this machine: address checks run on literals (getaddrinfo answers
them without DNS), name resolution is replaced where a test needs a public answer, and the
server is one the tests start on 127.0.0.1, reachable only with ``allow_loopback=True``.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from hostile import bounded, objects, pdf_problems, png
from printbrief import Article, LimitError, Limits, Renderer
from printbrief.netfetch import NetRefused, Network

SERVER_LIFETIME = 120.0  # the server shuts itself down after this, whatever happens
DRIP_FOR = 20.0  # a dripping handler gives up after this, or when the client hangs up
SVG = b"<svg xmlns='http://www.w3.org/2000/svg' width='9' height='9'/>"


class _Handler(BaseHTTPRequestHandler):
    """Routes of a deliberately hostile image server."""

    def do_GET(self) -> None:
        route, _, query = self.path.partition("?")
        handler = getattr(self, "r_" + route.strip("/").replace(".", "_").replace("-", "_"), None)
        if handler is None:
            self.send_error(404)
        else:
            handler(query)

    def _send(self, status: int, kind: str, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def r_ok_png(self, _: str) -> None:
        self._send(200, "image/png", png())

    def r_redirect(self, query: str) -> None:
        self._send(302, "text/plain", Location=query)

    def r_loop(self, _: str) -> None:
        self._send(302, "text/plain", Location="/loop")

    def r_html(self, _: str) -> None:
        self._send(200, "text/html", b"<p>hi</p>")

    def r_svg(self, _: str) -> None:
        self._send(200, "image/svg+xml", SVG)

    def r_fake_png(self, _: str) -> None:
        self._send(200, "image/png", SVG)

    def r_drip(self, _: str) -> None:
        self._send(200, "image/png")
        self._trickle(b"\x89", 0.1)

    def r_headers_drip(self, _: str) -> None:
        self.wfile.write(b"HTTP/1.0 200 OK\r\n")
        self._trickle(b"X", 0.1)

    def r_endless(self, _: str) -> None:
        self._send(200, "image/png", png())
        self._trickle(b"\x00" * 65536, 0.0)

    def _trickle(self, chunk: bytes, pause: float) -> None:
        end = time.monotonic() + DRIP_FOR
        try:
            while time.monotonic() < end:
                self.wfile.write(chunk)
                self.wfile.flush()
                time.sleep(pause)
        except OSError:
            pass  # the client gave up, as it should

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A hostile HTTP server on 127.0.0.1 for this module; it also stops by itself."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    timer = threading.Timer(SERVER_LIFETIME, httpd.shutdown)
    timer.daemon = True
    timer.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        timer.cancel()
        httpd.shutdown()
        httpd.server_close()


def loopback_renderer(**limits: Any) -> Renderer:
    bounds = Limits(max_fetch_seconds=1.5, max_fetch_bytes=200_000, **limits)
    hosts = ("127.0.0.1", "169.254.169.254", "10.0.0.7")
    return Renderer(network=Network.from_limits(hosts, bounds, allow_loopback=True), limits=bounds)


def render_image(renderer: Renderer, src: str) -> bytes:
    with bounded():
        return renderer.render(Article(headline="h", body="x", images=[{"src": src}]))  # type: ignore[list-item]


def one_refusal(caplog: pytest.LogCaptureFixture) -> str:
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(logged) == 1, logged
    return logged[0]


# ------------------------------------------------------------------- without a server


@pytest.mark.allow_warnings
def test_no_network_without_allow_hosts(renderer: Renderer, caplog: Any) -> None:
    pdf = render_image(renderer, "https://images.example.org/a.png")
    assert pdf_problems(pdf) == []
    assert one_refusal(caplog) == (
        "refused to load https://images.example.org/a.png: "
        "no network access (the caller allowed no hosts)"
    )


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1", "127.1", "0177.0.0.1", "2130706433", "0x7f000001",  # loopback, re-spelled
        "10.0.0.7", "172.16.5.4", "192.168.1.1", "100.64.0.1",  # private and shared ranges
        "169.254.169.254", "0.0.0.0", "224.0.0.1",  # metadata, unspecified, multicast
        "[::1]", "[::ffff:127.0.0.1]", "[::ffff:169.254.169.254]", "[64:ff9b::a00:7]",
        "[fe80::1]", "[fd00::1]", "[2002:7f00:1::]",  # IPv6 forms, some embedding IPv4
    ],
)  # fmt: skip
def test_internal_addresses_are_refused_after_resolution(host: str) -> None:
    net = Network.from_limits([host.strip("[]")], Limits())
    with bounded(5.0), pytest.raises(NetRefused, match="resolves to non-public address"):
        net.fetch(f"https://{host}/a.png", deadline=time.monotonic() + 5)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://evil.example/a.png", "host 'evil.example' is not in allow_hosts"),
        ("http://images.example.org/a.png", "only https is allowed, not http"),
        ("https://images.example.org@127.0.0.1/a.png", "user names or passwords"),
        ("https://IMAGES.example.org.:99999/a.png", "invalid port"),
        ("gopher://images.example.org/", "only https is allowed, not gopher"),
    ],
)
def test_scheme_host_and_userinfo_checks(url: str, reason: str) -> None:
    net = Network.from_limits(["images.example.org"], Limits())
    with pytest.raises(NetRefused, match=reason):
        net.fetch(url, deadline=time.monotonic() + 5)


def test_any_private_answer_refuses_and_the_checked_address_is_dialled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    net = Network.from_limits(["images.example.org"], Limits())
    answers = [["93.184.216.34", "10.0.0.7"]]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: _infos(answers[0]))
    with pytest.raises(NetRefused, match=r"resolves to non-public address 10\.0\.0\.7"):
        net.fetch("https://images.example.org/a.png", deadline=time.monotonic() + 5)
    dialled = []

    def connect(address: tuple[str, int], timeout: float) -> socket.socket:
        dialled.append(address)
        raise OSError("test stops here")

    answers[0] = ["93.184.216.34"]
    monkeypatch.setattr(socket, "create_connection", connect)
    with pytest.raises(NetRefused, match="connection failed: test stops here"):
        net.fetch("https://images.example.org/a.png", deadline=time.monotonic() + 5)
    assert dialled == [("93.184.216.34", 443)]  # the address that was checked, not a new lookup


def _infos(addresses: list[str]) -> list[tuple[Any, ...]]:
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 443)) for a in addresses]


# ------------------------------------------------------------ against the loopback server


def test_an_allowed_image_is_fetched_and_printed(server: str) -> None:
    pdf = render_image(loopback_renderer(), f"{server}/ok.png")
    assert pdf_problems(pdf) == []
    assert any(str(o.get("/Subtype")) == "/Image" for o in objects(pdf) if isinstance(o, dict))


@pytest.mark.allow_warnings
@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/redirect?http://169.254.169.254/latest/meta-data/", "redirected to http://169.254.169.254/latest/meta-data/: 169.254.169.254 resolves to non-public address 169.254.169.254"),
        ("/redirect?http://10.0.0.7/admin.png", "redirected to http://10.0.0.7/admin.png: 10.0.0.7 resolves to non-public address 10.0.0.7"),
        ("/redirect?http://internal.example/a.png", "redirected to http://internal.example/a.png: host 'internal.example' is not in allow_hosts"),
        ("/redirect?file:///etc/passwd", "redirected to file:///etc/passwd: only https is allowed, not file"),
        ("/loop", "more than 3 redirects"),
        ("/drip", "took longer than the fetch deadline"),
        ("/headers-drip", "took longer than the fetch deadline"),
        ("/endless", "response larger than 200000 bytes"),
        ("/html", "content type 'text/html' is not an accepted image type"),
        ("/svg", "content type 'image/svg+xml' is not an accepted image type"),
        ("/fake.png", "not a PNG, JPEG, GIF or WebP image (SVG is not accepted)"),
        ("/missing.png", "HTTP status 404"),
    ],
)  # fmt: skip
def test_hostile_servers_are_refused(path: str, reason: str, server: str, caplog: Any) -> None:
    renderer = loopback_renderer()
    started = time.monotonic()
    render_image(renderer, server + "/missing.png")  # refused at once: the page's own time
    page = time.monotonic() - started
    caplog.clear()
    started = time.monotonic()
    pdf = render_image(renderer, server + path)
    assert time.monotonic() - started < page + 1.5 + 2.0  # the fetch deadline is 1.5 s
    assert pdf_problems(pdf, "meta-data", "root:x:0:0") == []
    assert one_refusal(caplog) == f"refused to load {server}{path}: {reason}"


@pytest.mark.allow_warnings
def test_the_render_deadline_also_bounds_fetches(server: str, caplog: Any) -> None:
    net = Network.from_limits(["127.0.0.1"], Limits(max_fetch_seconds=30), allow_loopback=True)
    hurried = Renderer(network=net, limits=Limits(max_render_seconds=2.0))
    started = time.monotonic()
    # Stopped by the progress guard during layout or by the watchdog (budget.py), whichever first.
    with pytest.raises(
        LimitError,
        match=r"^render took longer than 2 s( \(layout\))? \(limit max_render_seconds\)$",
    ):
        render_image(hurried, f"{server}/drip")
    assert time.monotonic() - started < 6.0


def test_cli_allow_host_is_repeatable_and_needs_no_network(tmp_path: Any) -> None:
    from printbrief.cli import main

    source = tmp_path / "a.json"
    source.write_text('{"headline": "h", "body": "x"}')
    argv = ["render", str(source), "-o", str(tmp_path / "a.pdf")]
    assert main([*argv, "--allow-host", "a.example.org", "--allow-host", "b.example.org"]) == 0
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF-")
