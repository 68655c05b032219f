"""Helpers for the service tests: apps with small pools, articles of known render cost."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from conftest import SAMPLES, page_texts
from printbrief.options import RenderOptions
from printbrief.service.app import ServiceConfig, create_app
from printbrief.service.pool import PoolConfig

PARAGRAPH = (
    "The port authority will restore a late-night ferry across the inner harbour from the "
    "first weekend of June, three years after the service was cut to save fuel. "
) * 3


def sample(name: str = "en-news-brief.json") -> dict[str, Any]:
    """A sample article as the JSON a CMS would post."""
    data: dict[str, Any] = json.loads((SAMPLES / name).read_text("utf-8"))
    return data


def long_article(paragraphs: int, headline: str = "A long report") -> dict[str, Any]:
    """An article whose render time grows with ``paragraphs`` (300 ≈ 1 s on one core, about
    15 a page: past 3,000 the default ``max_pages`` of 200 ends the render)."""
    body = "\n\n".join(f"Part {i}: {PARAGRAPH}" for i in range(paragraphs))
    return {"headline": headline, "body": body, "body_format": "text"}


def flat_text(pdf: bytes) -> str:
    """All the text of a PDF with runs of whitespace (line breaks too) as one space."""
    return " ".join(" ".join(page_texts(pdf)).split())


@contextmanager
def client(
    max_body: int = 200_000, options: RenderOptions | None = None, **pool: Any
) -> Iterator[TestClient]:
    """A TestClient over a fresh app whose pool takes ``pool`` settings; workers stop after."""
    extra = {"options": options} if options is not None else {}
    config = ServiceConfig(pool=PoolConfig(**pool), max_body_bytes=max_body, **extra)
    with TestClient(create_app(config), raise_server_exceptions=True) as test_client:
        yield test_client


@contextmanager
def serve_process(
    *options: str, env: dict[str, str] | None = None, nofile: int | None = None
) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """``printbrief serve`` in a subprocess on a free 127.0.0.1 port; SIGINT (then SIGKILL) after.

    ``env`` adds environment variables; ``nofile`` caps its descriptors (``RLIMIT_NOFILE``).
    """
    cmd = [sys.executable, "-c", "from printbrief.cli import run; run()", "serve",
           "--host", "127.0.0.1", "--port", "0", *options]  # fmt: skip

    def limit() -> None:
        if nofile is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    proc = subprocess.Popen(
        cmd, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})}, preexec_fn=limit
    )
    port, reader = _port_from_log(proc)
    try:
        yield proc, port
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        reader.join(10)
        assert proc.stderr is not None
        proc.stderr.close()


def _port_from_log(proc: subprocess.Popen[str]) -> tuple[int, threading.Thread]:
    """The port uvicorn reports, and the thread that keeps reading the server's log."""
    found: list[int] = []

    def scan() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if match := re.search(r"running on http://127\.0\.0\.1:(\d+)", line):
                found.append(int(match.group(1)))
                break
        for _ in proc.stderr:  # keep draining so the server never blocks on a full pipe
            pass

    reader = threading.Thread(target=scan, daemon=True)
    reader.start()
    deadline = time.monotonic() + 90
    while not found:
        assert proc.poll() is None, "printbrief serve exited during start-up"
        assert time.monotonic() < deadline, "printbrief serve did not start in 90 s"
        time.sleep(0.05)
    return found[0], reader
