"""A bounded load test of a real ``printbrief serve`` subprocess on loopback.

500 requests from 16 concurrent clients, three quarters of them repeats (cache hits or shared
renders), each request with a timeout and the whole run under a hard deadline. Workers are not
recycled here, so flat memory means the workers themselves do not leak. Checks: no unexpected status, every 200 a
readable PDF, and the workers' memory (RSS from /proc) flat between request 100 and 500.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from servicekit import sample, serve_process

TOTAL, CLIENTS, FIRST_PHASE = 500, 16, 100
HARD_TIMEOUT = 150.0  # seconds for the whole run; the test stops itself past it
ALLOWED = {200, 503, 504}  # 503 and 504 are the service's deliberate back-pressure answers


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def worker_pids(server: int) -> list[int]:
    """Render workers: the children of the server's forkserver process."""
    pids = []
    for child in _children(server):
        cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        if b"forkserver" in cmdline:
            pids += _children(child)
    return pids


def rss_bytes(pids: list[int]) -> int:
    """Sum of VmRSS over ``pids`` (processes that vanished count as zero)."""
    total = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if match := re.search(r"^VmRSS:\s+(\d+) kB", text, re.M):
            total += int(match.group(1)) * 1024
    return total


@pytest.fixture
def server() -> Iterator[tuple[subprocess.Popen[str], int]]:
    """``printbrief serve`` with 2 workers, a deep queue, and no recycling."""
    with serve_process("--workers", "2", "--queue", "32", "--cache-mb", "16",
                       "--recycle-after", "1000") as running:  # fmt: skip
        yield running


def run_clients(port: int, indices: range, stop_at: float) -> list[tuple[int, bytes]]:
    """Send one request per index from CLIENTS threads with keep-alive connections."""
    todo = iter(indices)
    lock, results = threading.Lock(), []
    base = sample()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop_at:
            with lock:
                index = next(todo, None)
            if index is None:
                break
            # A quarter new articles (renders spread over the run), the rest 40 popular ones.
            name = f"new-{index}" if index % 4 == 0 else f"popular-{index % 40}"
            body = json.dumps({**base, "id": name})
            conn.request("POST", "/v1/render", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            item = (response.status, response.read())
            with lock:
                results.append(item)
        conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, stop_at - time.monotonic()) + 5)
    return results


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc")
def test_500_requests_16_clients_no_errors_flat_memory(
    server: tuple[subprocess.Popen[str], int],
) -> None:
    proc, port = server
    stop_at = time.monotonic() + HARD_TIMEOUT
    first = run_clients(port, range(FIRST_PHASE), stop_at)
    rss_first = rss_bytes(worker_pids(proc.pid))
    rest = run_clients(port, range(FIRST_PHASE, TOTAL), stop_at)
    rss_last = rss_bytes(worker_pids(proc.pid))
    results = first + rest

    assert len(results) == TOTAL, f"only {len(results)} of {TOTAL} requests finished in time"
    statuses = Counter(status for status, _ in results)
    assert set(statuses) <= ALLOWED, statuses
    assert statuses[200] >= TOTAL * 0.9, statuses
    for status, body in results:
        if status == 200:
            assert len(pypdf.PdfReader(io.BytesIO(body)).pages) >= 1
    assert rss_first > 0 and len(worker_pids(proc.pid)) == 2
    # Generous: allocator arenas and font caches still settle after the first hundred.
    assert rss_last < rss_first * 1.3 + 64 * 1024 * 1024, (rss_first, rss_last)
    print(f"\nload: {dict(statuses)}; worker RSS {rss_first >> 20} → {rss_last >> 20} MiB")
    print(_metrics(port, "printbrief_render_seconds_(sum|count)|restarts_total|cache_hits"))


def _metrics(port: int, pattern: str) -> str:
    """The /metrics lines matching ``pattern``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    return "\n".join(line for line in text.splitlines() if re.search(pattern, line))


def test_worker_processes_end_with_the_server(
    server: tuple[subprocess.Popen[str], int],
) -> None:
    proc, port = server
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/healthz")
    assert json.loads(conn.getresponse().read())["workers"] == 2
    conn.close()
    workers = worker_pids(proc.pid)
    assert len(workers) == 2
    proc.send_signal(signal.SIGINT)
    assert proc.wait(30) == 0
    time.sleep(0.5)
    assert not [pid for pid in workers if os.path.exists(f"/proc/{pid}")]
