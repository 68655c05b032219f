"""The worker pool under stress: back-pressure, deadlines, killed and recycled workers."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from printbrief.limits import Limits
from printbrief.options import RenderOptions
from printbrief.service.app import ServiceConfig, create_app
from printbrief.service.pool import PoolConfig, WorkerPool
from servicekit import client, long_article, sample


@pytest.fixture(scope="module")
def one_worker() -> Iterator[TestClient]:
    """One worker, no queue, a 4 s deadline, recycled every 4 renders; no cache to hide renders."""
    with client(workers=1, queue=0, deadline=4.0, recycle_after=4, max_body=2 << 20) as test_client:
        test_client.app.state.printbrief.cache.max_bytes = 0  # type: ignore[attr-defined]
        yield test_client


def pool_of(api: TestClient) -> WorkerPool:
    pool: WorkerPool = api.app.state.printbrief.pool  # type: ignore[attr-defined]
    return pool


def in_background(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run ``call`` in a thread; its result lands in the returned list."""
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(call()))
    thread.start()
    return thread, out


def wait_until_busy(pool: WorkerPool) -> None:
    deadline = time.monotonic() + 10
    while pool.busy == 0:
        assert time.monotonic() < deadline, "the render never started"
        time.sleep(0.01)
    time.sleep(0.1)  # past the pipe write: the worker is inside WeasyPrint now


def test_full_pool_answers_503_with_retry_after() -> None:
    # A pool of its own with a deadline no loaded machine reaches: the first render must end
    # 200, and be long enough (about 2 s on one quiet core) to be under way for the second.
    with client(workers=1, queue=0, deadline=120.0) as api:
        thread, out = in_background(lambda: api.post("/v1/render", json=long_article(300)))
        wait_until_busy(pool_of(api))
        response = api.post("/v1/render", json=sample())
        thread.join(120)
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "1"
    assert response.json()["error"] == "BusyError"
    assert out[0].status_code == 200


@pytest.fixture
def one_worker_many_pages() -> Iterator[TestClient]:
    """:func:`one_worker` with room for 2,000 pages of 4 M characters: a long render meets the
    deadline before any bound on its size."""
    options = RenderOptions(limits=Limits(max_pages=2000, max_body_chars=4_000_000))
    with client(options=options, workers=1, queue=0, deadline=4.0, max_body=8 << 20) as api:
        api.app.state.printbrief.cache.max_bytes = 0  # type: ignore[attr-defined]
        yield api


def test_render_past_deadline_is_504_and_the_worker_is_replaced(
    one_worker_many_pages: TestClient,
) -> None:
    one_worker = one_worker_many_pages
    pool = pool_of(one_worker)
    before, pids = pool.restarts["deadline"], pool.pids()
    started = time.monotonic()
    response = one_worker.post("/v1/render", json=long_article(7000))  # 10 s or more
    assert response.status_code == 504 and response.json()["error"] == "DeadlineError"
    assert time.monotonic() - started < 12
    assert pool.restarts["deadline"] == before + 1 and pool.pids() != pids
    for pid in pids:
        status = Path(f"/proc/{pid}/status")
        assert not status.exists() or "zombie" in status.read_text()
    assert one_worker.post("/v1/render", json=sample()).status_code == 200


def test_worker_killed_mid_render_is_replaced_and_the_next_request_succeeds(
    one_worker: TestClient,
) -> None:
    pool = pool_of(one_worker)
    thread, out = in_background(lambda: one_worker.post("/v1/render", json=long_article(300)))
    wait_until_busy(pool)
    (victim,) = pool.pids()
    os.kill(victim, signal.SIGKILL)
    thread.join(30)
    assert out[0].status_code == 503 and out[0].json()["error"] == "WorkerLostError"
    assert out[0].headers["retry-after"] == "1"
    nxt = one_worker.post("/v1/render", json=sample())
    assert nxt.status_code == 200 and nxt.content.startswith(b"%PDF-")
    assert victim not in pool.pids() and pool.restarts["crash"] >= 1


@pytest.mark.parametrize("how", [signal.SIGSEGV, signal.SIGTRAP])
def test_a_worker_that_dies_of_a_failed_allocation_under_a_memory_bound_is_a_413(
    how: signal.Signals,
) -> None:
    """Under a memory bound, native code ends a worker when an allocation fails: GLib with
    SIGTRAP, and a library that uses the null pointer malloc gave it with SIGSEGV. Either is
    the input's doing: 413, not a 503 that invites sending the same article again."""
    config = ServiceConfig(
        pool=PoolConfig(workers=1, queue=0, deadline=120.0), max_body_bytes=2 << 20,
        options=RenderOptions(limits=Limits(max_worker_memory=4 << 30)),
    )  # fmt: skip
    with TestClient(create_app(config)) as api:
        pool = pool_of(api)
        thread, out = in_background(lambda: api.post("/v1/render", json=long_article(300)))
        wait_until_busy(pool)
        (victim,) = pool.pids()
        os.kill(victim, how)
        thread.join(60)
        assert out[0].status_code == 413 and out[0].json()["error"] == "MemoryLimitError"
        assert f"({how.name})" in out[0].json()["detail"]
        assert api.post("/v1/render", json=sample()).status_code == 200


def test_worker_killed_while_idle_costs_no_request(one_worker: TestClient) -> None:
    pool = pool_of(one_worker)
    (victim,) = pool.pids()
    os.kill(victim, signal.SIGKILL)
    time.sleep(0.2)
    assert one_worker.post("/v1/render", json=sample()).status_code == 200


def test_a_worker_killed_while_idle_is_replaced_before_any_request(one_worker: TestClient) -> None:
    pool = pool_of(one_worker)
    (victim,) = pool.pids()
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while victim in pool.pids() or pool.alive() < 1:
        assert time.monotonic() < deadline, "the dead idle worker was never replaced"
        time.sleep(0.05)
    assert one_worker.get("/healthz").json()["status"] == "ok"


def test_workers_are_recycled_after_n_renders(one_worker: TestClient) -> None:
    pool = pool_of(one_worker)
    before = pool.restarts["recycle"]
    for i in range(8):
        article = {**sample(), "id": f"recycle-{i}"}
        assert one_worker.post("/v1/render", json=article).status_code == 200
    assert pool.restarts["recycle"] >= before + 1
    assert 'printbrief_worker_restarts_total{reason="recycle"}' in one_worker.get("/metrics").text


@pytest.mark.allow_warnings  # "a render worker could not be started (...); retrying in 0.2 s"
def test_a_pool_that_cannot_start_workers_heals(monkeypatch: pytest.MonkeyPatch) -> None:
    """EMFILE while replacing a worker: 503s and an unhealthy /healthz, never a wedge."""
    import errno

    from printbrief.service import pool as pool_module

    real = pool_module._Worker

    def no_descriptors(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.EMFILE, "Too many open files")

    with client(workers=1, queue=0, wait=2.0, retry=0.2) as api:
        pool = pool_of(api)
        monkeypatch.setattr(pool_module, "_Worker", no_descriptors)
        os.kill(pool.pids()[0], signal.SIGKILL)
        time.sleep(0.2)
        failed = api.post("/v1/render", json=sample())
        assert failed.status_code == 503 and failed.headers["retry-after"] == "1"
        health = api.get("/healthz")
        assert health.status_code == 503 and health.json()["status"] == "unhealthy"
        assert pool.restarts["start-failed"] >= 1
        monkeypatch.setattr(pool_module, "_Worker", real)
        deadline = time.monotonic() + 60
        while api.get("/healthz").status_code != 200:
            assert time.monotonic() < deadline, "the pool never got its worker back"
            time.sleep(0.2)
        assert api.post("/v1/render", json=sample()).status_code == 200
