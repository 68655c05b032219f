"""Chaos on loopback: workers killed, descriptors exhausted, SIGTERM under load.

``printbrief serve`` runs as a real process with few descriptors (``RLIMIT_NOFILE``) and its
own temporary folder. Afterwards it must answer every request correctly with every worker
back, and once it is stopped nothing may be left in that folder. Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from servicekit import flat_text, long_article, sample, serve_process

pytestmark = pytest.mark.slow

WORKERS = 2
NOFILE = 96
"""Descriptors of the server process: enough to start, few enough to run out of."""


def _call(port: int, path: str, body: dict[str, Any] | None = None) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data,
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _children(pid: int) -> dict[int, int]:
    """Every process below ``pid``: process id → parent id."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    below, frontier = {}, {pid}
    while frontier:
        found = {p: pp for p, pp in parents.items() if pp in frontier and p not in below}
        below.update(found)
        frontier = set(found)
    return below


def _running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its reaper does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _workers(pid: int) -> list[int]:
    """The render workers: grandchildren of the server, below its forkserver."""
    tree = _children(pid)
    return [p for p, parent in tree.items() if parent != pid]


def _wait_healthy(port: int, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        try:
            status, body = _call(port, "/healthz")
            if status == 200:
                health: dict[str, Any] = json.loads(body)
                return health
        except OSError:
            pass
        assert time.monotonic() < deadline, "the service did not get healthy again"
        time.sleep(0.25)


def _exhaust(port: int, count: int) -> list[socket.socket]:
    """Idle connections that the server accepts until it has no descriptor left."""
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
    time.sleep(1.0)  # the server accepts what it can; the rest wait in the listen backlog
    return idle


def _renders_correctly(port: int, count: int) -> None:
    articles = [{**sample(), "id": f"chaos-{i}", "headline": f"Chaos check {i}"}
                for i in range(count)]  # fmt: skip
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda a: _call(port, "/v1/render", a), articles))
    for article, (status, pdf) in zip(articles, answers, strict=True):
        assert status == 200, pdf[:300]
        assert article["headline"] in flat_text(pdf)


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A temporary folder with a short path: the forkserver's socket path inside it must fit
    in the 108 bytes of an AF_UNIX address, and pytest's own folders are long."""
    with tempfile.TemporaryDirectory(prefix="chaos-", dir="/tmp") as folder:
        yield Path(folder)


def test_chaos_leaves_a_service_that_answers_correctly_and_a_clean_temp_folder(
    short_tmp: Path,
) -> None:
    tmp_path = short_tmp
    env = {"TMPDIR": str(tmp_path)}
    options = ("--workers", str(WORKERS), "--header-timeout", "3", "--shutdown-timeout", "2")
    with serve_process(*options, env=env, nofile=NOFILE) as (proc, port):
        _wait_healthy(port, 30)
        first = _workers(proc.pid)
        assert len(first) == WORKERS
        # 1. Kill the workers while every descriptor is held by idle clients: replacements
        #    cannot be started (EMFILE) until the header timeout closes those connections.
        idle = _exhaust(port, NOFILE + 20)
        for pid in first:
            os.kill(pid, signal.SIGKILL)
        time.sleep(2.0)
        for sock in idle:
            sock.close()
        health = _wait_healthy(port, 90)
        assert health["workers"] == WORKERS
        # 2. Every request answered correctly, by new workers only.
        _renders_correctly(port, 6)
        assert not set(first) & set(_workers(proc.pid))
        assert len(_workers(proc.pid)) == WORKERS
        metrics = _call(port, "/metrics")[1].decode()
        assert 'printbrief_worker_restarts_total{reason="crash"}' in metrics
        # 3. One worker killed mid-render: that request fails cleanly, the next ones succeed.
        with ThreadPoolExecutor(1) as pool:
            slow = pool.submit(_call, port, "/v1/render", long_article(3000))  # about 4 s
            time.sleep(1.5)
            for pid in _workers(proc.pid):
                os.kill(pid, signal.SIGKILL)
            status, body = slow.result(60)
        assert status == 503 and json.loads(body)["error"] == "WorkerLostError"
        assert _wait_healthy(port, 60)["workers"] == WORKERS
        _renders_correctly(port, 4)
        # 4. SIGTERM with renders under way: the server stops in bounded time.
        with ThreadPoolExecutor(4) as pool:
            load = [pool.submit(_call, port, "/v1/render", long_article(200, f"Load {i}"))
                    for i in range(4)]  # fmt: skip
            time.sleep(1.0)
            everyone = set(_children(proc.pid))
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
            assert time.monotonic() - started < 15
            for future in load:
                with contextlib.suppress(OSError):  # a stopping server may close the connection
                    status, body = future.result(30)
                    assert status == 200 or json.loads(body)["status"] == 503, body[:300]
    deadline = time.monotonic() + 10  # orphaned workers notice their parent is gone in 1 s
    while left := [pid for pid in everyone if _running(pid)]:
        assert time.monotonic() < deadline, f"processes left running: {left}"
        time.sleep(0.2)
    assert list(tmp_path.iterdir()) == []
