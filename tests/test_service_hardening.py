"""The service's answers at its edges: validators, framing, aborted uploads, 500s, OpenAPI,
and a worker that runs out of memory."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from printbrief.limits import Limits
from printbrief.options import RenderOptions
from printbrief.service.app import ServiceConfig, create_app
from printbrief.service.pool import PoolConfig
from servicekit import client, sample


@pytest.fixture(scope="module")
def api() -> Iterator[TestClient]:
    """One app with one warm worker for the whole module."""
    with client(workers=1, queue=2) as test_client:
        yield test_client


def _wide_row() -> dict[str, Any]:
    """Valid to the server, refused by the worker's pre-layout estimate (too many cells)."""
    cells = "".join(f"<td>{i}</td>" for i in range(300))
    return {"headline": "Wide", "body": f"<table><tr>{cells}</tr></table>", "body_format": "html"}


def test_if_none_match_star_does_not_hide_an_article_that_cannot_render(api: TestClient) -> None:
    response = api.post("/v1/render", json=_wide_row(), headers={"If-None-Match": "*"})
    assert response.status_code == 413, response.text
    assert response.json()["limit"] == "max_row_cells"  # the setting `serve --limit` takes
    good = api.post("/v1/render", json=sample(), headers={"If-None-Match": "*"})
    assert good.status_code == 304 and good.headers["etag"]


def test_content_length_with_chunked_framing_is_refused(api: TestClient) -> None:
    body = b'{"headline": "h", "body": "b"}'
    headers = {"Transfer-Encoding": "chunked", "Content-Length": str(len(body)),
               "Content-Type": "application/json"}  # fmt: skip
    response = api.post("/v1/render", content=body, headers=headers)
    assert response.status_code == 400
    assert "not both" in response.json()["detail"]


def test_an_unhandled_exception_is_a_counted_problem_json_500(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object) -> str:
        raise RuntimeError("a bug")

    monkeypatch.setattr("printbrief.service.app.article_key", broken)
    app = create_app(ServiceConfig(pool=PoolConfig(workers=1)))
    with TestClient(app, raise_server_exceptions=False) as api:
        response = api.post("/v1/render", json=sample())
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 500
        assert 'printbrief_requests_total{status="500"} 1' in api.get("/metrics").text


def test_an_aborted_upload_logs_one_line(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logging.getLogger("printbrief"), "propagate", True)  # after a CLI test
    monkeypatch.setattr(logging.getLogger("printbrief"), "handlers", [])
    app = create_app(ServiceConfig(pool=PoolConfig(workers=1)))
    messages = iter([
        {"type": "http.request", "body": b'{"headline": ', "more_body": True},
        {"type": "http.disconnect"},
    ])  # fmt: skip
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/v1/render", "raw_path": b"/v1/render", "query_string": b"",
        "root_path": "", "headers": [(b"content-type", b"application/json")],
        "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000), "app": app,
    }  # fmt: skip
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(messages)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    with caplog.at_level(logging.INFO), caplog.at_level(logging.INFO, "printbrief"):
        asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 400
    noted = {r.getMessage() for r in caplog.records if "left before" in r.getMessage()}
    assert noted == {"POST /v1/render: the client left before sending the whole body"}
    assert not any(r.exc_info for r in caplog.records)


def test_openapi_is_as_strict_as_the_service(api: TestClient) -> None:
    schema = api.get("/openapi.json").json()
    for route in ("/v1/render", "/v1/issues"):
        post = schema["paths"][route]["post"]
        params = {p["name"]: p["schema"] for p in post["parameters"]}
        assert params["theme"]["enum"] == [
            t["name"] for t in api.get("/v1/themes").json()["themes"]
        ]
        assert params["paper"]["anyOf"][0]["enum"][:2] == ["A3", "A4"]
        assert params["paper"]["anyOf"][1]["pattern"].startswith("^[0-9]")
        assert list(post["responses"]["200"]["content"]) == ["application/pdf"]
    assert (
        schema["components"]["schemas"]["Article"]["properties"]["url"]["anyOf"][0]["format"]
        == "uri"
    )


# ------------------------------------------------------------------------------- memory


def _address_space(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmSize")


def _long_word() -> dict[str, Any]:
    """1.5 million letters without a break: within every pre-layout bound (no markup at all),
    and Pango's line breaking of it needs hundreds of megabytes."""
    return {"headline": "One long word", "body": "x" * 1_500_000, "body_format": "text"}


@pytest.mark.slow
def test_a_render_past_the_memory_bound_is_a_413_and_its_worker_is_replaced() -> None:
    with client(workers=1, queue=0, max_body=4 << 20) as unbounded:
        unbounded.post("/v1/render", json=sample())
        (pid,) = unbounded.app.state.printbrief.pool.pids()  # type: ignore[attr-defined]
        warm = _address_space(pid)
    limits = Limits(max_worker_memory=warm + (80 << 20))
    config = ServiceConfig(pool=PoolConfig(workers=1, queue=0, deadline=60),
                           options=RenderOptions(limits=limits), max_body_bytes=4 << 20)  # fmt: skip
    with TestClient(create_app(config)) as api:
        pool = api.app.state.printbrief.pool  # type: ignore[attr-defined]
        (first,) = pool.pids()
        response = api.post("/v1/render", json=_long_word())
        assert response.status_code == 413, response.text
        assert response.json()["error"] == "MemoryLimitError"
        assert "max_worker_memory" in response.json()["detail"]
        assert first not in pool.pids()
        assert api.post("/v1/render", json=sample()).status_code == 200
