"""``printbrief serve`` as a real process against slow, silent and stuck clients, and SIGTERM.

Loopback only; every wait is bounded.
"""

from __future__ import annotations

import json
import signal
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

from servicekit import long_article, serve_process

pytestmark = pytest.mark.slow


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes the connection (recv gives b"") within ``seconds``."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def test_silent_and_slow_clients_are_cut_off() -> None:
    with serve_process("--workers", "1", "--header-timeout", "1", "--body-timeout", "1") as (
        _,
        port,
    ):
        silent = socket.create_connection(("127.0.0.1", port))
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(b"POST /v1/render HTTP/1.1\r\nHost: x\r\n")  # and never the rest
        started = time.monotonic()
        assert _closed_within(silent, 10) and _closed_within(slow, 10)
        assert time.monotonic() - started < 8
        stalled = socket.create_connection(("127.0.0.1", port))
        stalled.sendall(b"POST /v1/render HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Content-Length: 100\r\n\r\n{\"headline\"")  # fmt: skip
        stalled.settimeout(10)
        assert stalled.recv(4096).startswith(b"HTTP/1.1 408")
        for sock in (silent, slow, stalled):
            sock.close()


def _scratch_of(pid: int) -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob(f"printbrief-*-{pid}-*"))


def test_sigterm_stops_a_busy_server_promptly_and_leaves_nothing() -> None:
    body = json.dumps(long_article(400)).encode()
    with serve_process("--workers", "1", "--deadline", "120", "--shutdown-timeout", "2") as (
        proc,
        port,
    ):
        assert _scratch_of(proc.pid)
        client = socket.create_connection(("127.0.0.1", port))
        client.sendall(b"POST /v1/render HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       b"Content-Length: %d\r\n\r\n%s" % (len(body), body))  # fmt: skip
        threading.Event().wait(1.5)  # the render is under way in the worker
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        assert time.monotonic() - started < 15
        client.close()
        assert _scratch_of(proc.pid) == []
