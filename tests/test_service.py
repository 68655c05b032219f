"""The HTTP service in-process: every status the README lists, caching, docs."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import ROOT, page_texts, reader
from printbrief import compile_issue
from printbrief.cli import main
from servicekit import client, flat_text, long_article, sample


@pytest.fixture(scope="module")
def api() -> Iterator[TestClient]:
    """One app with two warm workers for the whole module."""
    with client(workers=2, queue=4) as test_client:
        yield test_client


def renders(api: TestClient) -> int:
    """How many renders the pool has done, read from /metrics."""
    for line in api.get("/metrics").text.splitlines():
        if line.startswith("printbrief_render_seconds_count"):
            return int(line.split()[1])
    raise AssertionError("no render counter in /metrics")


def assert_problem(response: Any, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status and problem["error"] == error and problem["detail"]
    return problem


def test_render_returns_a_pdf_with_name_and_strong_etag(api: TestClient) -> None:
    article = sample()
    response = api.post("/v1/render?paper=Letter", json=article)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'inline; filename="{article["id"]}.pdf"'
    etag = response.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert article["headline"] in flat_text(response.content)
    assert float(reader(response.content).pages[0].mediabox.width) == pytest.approx(612)


def test_repeated_click_is_served_from_cache_without_rendering(api: TestClient) -> None:
    article = {**sample(), "id": "cache-check"}
    first = api.post("/v1/render", json=article)
    before = renders(api)
    second = api.post("/v1/render", json=article)
    assert renders(api) == before
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    assert "printbrief_cache_hits_total" in api.get("/metrics").text


def test_double_click_during_a_render_shares_it(api: TestClient) -> None:
    article = long_article(120, headline="Double click")
    before = renders(api)
    with ThreadPoolExecutor(2) as clicks:
        first = clicks.submit(api.post, "/v1/render", json=article)
        time.sleep(0.2)
        second = clicks.submit(api.post, "/v1/render", json=article)
        responses = [first.result(60), second.result(60)]
    assert [r.status_code for r in responses] == [200, 200]
    assert responses[0].content == responses[1].content
    assert renders(api) == before + 1
    assert "printbrief_renders_shared_total 1" in api.get("/metrics").text


def test_if_none_match_gives_304_without_a_body(api: TestClient) -> None:
    article = sample("ja.json")
    etag = api.post("/v1/render", json=article).headers["etag"]
    response = api.post("/v1/render", json=article, headers={"If-None-Match": f'"x", {etag}'})
    assert response.status_code == 304 and response.content == b""
    assert response.headers["etag"] == etag


def test_options_change_the_etag(api: TestClient) -> None:
    article = sample()
    a4 = api.post("/v1/render", json=article).headers["etag"]
    assert api.post("/v1/render?paper=A5", json=article).headers["etag"] != a4


def test_headline_slug_names_a_file_without_id(api: TestClient) -> None:
    article = sample("zh-hans.json")
    article.pop("id", None)
    disposition = api.post("/v1/render", json=article).headers["content-disposition"]
    assert disposition.startswith('inline; filename="') and "filename*=UTF-8''" in disposition


@pytest.mark.parametrize(
    ("query", "error"), [("theme=nope", "ThemeError"), ("paper=Z9", "UsageError"),
                         ("theme=../../etc", "ThemeError")],
)  # fmt: skip
def test_unknown_theme_or_paper_is_400(api: TestClient, query: str, error: str) -> None:
    assert_problem(api.post(f"/v1/render?{query}", json=sample()), 400, error)


def test_invalid_article_is_422_with_field_paths(api: TestClient) -> None:
    bad = {"headline": "", "body": "x", "images": [{"caption": "no src"}], "colour": "red"}
    problem = assert_problem(api.post("/v1/render", json=bad), 422, "InputError")
    fields = {e["field"] for e in problem["errors"]}
    assert {"headline", "images.0.src", "colour"} <= fields


def test_broken_json_is_422_with_position(api: TestClient) -> None:
    response = api.post(
        "/v1/render", content=b'{"headline": ', headers={"content-type": "application/json"}
    )
    assert "line 1 column" in assert_problem(response, 422, "InputError")["detail"]


def test_wrong_media_type_is_415(api: TestClient) -> None:
    response = api.post("/v1/render", content=b"headline", headers={"content-type": "text/plain"})
    assert_problem(response, 415, "MediaTypeError")


def test_declared_length_over_the_limit_is_413(api: TestClient) -> None:
    big = {"headline": "Big", "body": "x" * 300_000}
    assert_problem(api.post("/v1/render", json=big), 413, "LimitError")


def test_chunked_body_is_cut_off_at_the_limit_before_it_is_all_read(api: TestClient) -> None:
    """Drive the ASGI app directly: no Content-Length, and count the chunks it pulled."""
    chunk, pulled = b" " * 65_536, []

    async def receive() -> dict[str, Any]:
        pulled.append(1)
        return {"type": "http.request", "body": chunk, "more_body": len(pulled) < 100}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/render", "query_string": b"",
             "headers": [(b"content-type", b"application/json")], "http_version": "1.1",
             "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1),
             "root_path": "", "raw_path": b"/v1/render"}  # fmt: skip
    asyncio.run(api.app(scope, receive, send))  # type: ignore[arg-type]
    assert sent[0]["status"] == 413
    assert len(pulled) <= 200_000 // len(chunk) + 1 < 100


def test_issue_over_http_is_the_compiled_issue(api: TestClient) -> None:
    issue = {"title": "Weekend edition", "publication": "Coastline Daily", "date": "2026-05-02",
             "articles": [sample(), {"headline": "Tide tables", "body": "High water at noon."}]}  # fmt: skip
    response = api.post("/v1/issues?paper=A5", json=issue)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content == compile_issue(issue, paper="A5", use_cache=False).pdf
    pdf = reader(response.content)
    titles = [o.title for item in pdf.outline for o in (item if isinstance(item, list) else [item])]
    assert sample()["headline"] in titles and "Tide tables" in titles
    assert pdf.metadata.title == "Weekend edition"
    assert "COASTLINE DAILY" in page_texts(response.content)[-1].upper()  # inherited publication
    again = api.post(
        "/v1/issues?paper=A5", json=issue, headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304


def test_invalid_issue_is_422_with_paths_into_articles(api: TestClient) -> None:
    issue = {"title": "T", "articles": [{"headline": "ok", "body": "b"}, {"body": "b"}]}
    problem = assert_problem(api.post("/v1/issues", json=issue), 422, "InputError")
    assert [e["field"] for e in problem["errors"]] == ["articles.1.headline"]


def test_themes_health_and_metrics(api: TestClient) -> None:
    themes = api.get("/v1/themes").json()
    assert "newsbrief" in [t["name"] for t in themes["themes"]] and "Letter" in themes["papers"]
    assert api.get("/healthz").json()["workers"] == 2
    metrics = api.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    for name in ("printbrief_requests_total{status=\"200\"}", "printbrief_render_seconds_bucket",
                 "printbrief_cache_hits_total", "printbrief_queue_depth",
                 "printbrief_worker_restarts_total"):  # fmt: skip
        assert name in metrics.text


def test_unknown_route_is_problem_json(api: TestClient) -> None:
    assert api.get("/v2/nothing").headers["content-type"] == "application/problem+json"


def test_openapi_documents_the_article_model(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    article = spec["components"]["schemas"]["Article"]
    assert article["required"] == ["headline", "body"]
    body = spec["paths"]["/v1/render"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"] == "#/components/schemas/Article"
    assert api.get("/docs").status_code == 200


def test_ninjs_and_wordpress_bodies_are_recognised_or_named(api: TestClient) -> None:
    feeds = ROOT / "tests" / "fixtures" / "feeds"
    ninjs = json.loads((feeds / "ninjs-minimal.json").read_text("utf-8"))
    response = api.post("/v1/render", json=ninjs)
    assert response.status_code == 200 and "Tide gauge" in flat_text(response.content)
    problem = assert_problem(
        api.post("/v1/render?input_format=json", json=ninjs), 422, "InputError"
    )
    assert "headline: field required" in problem["detail"]
    wordpress = json.loads((feeds / "wordpress-minimal.json").read_text("utf-8"))
    assert api.post("/v1/render?input_format=wordpress", json=wordpress).status_code == 200
    assert_problem(api.post("/v1/render?input_format=nitf", json=ninjs), 400, "UsageError")
    issue = {"title": "Harbour wire", "articles": [ninjs]}
    assert api.post("/v1/issues?input_format=ninjs", json=issue).status_code == 200
    problem = assert_problem(
        api.post("/v1/issues?input_format=json", json=issue), 422, "InputError"
    )  # the issue's inline articles are read in the format named too
    assert "articles.0: " in problem["detail"] and "uri: unknown field" in problem["detail"]


def test_demo_page_embeds_a_postable_article(api: TestClient) -> None:
    page = api.get("/").text
    assert "/v1/render" in page and 'id="print"' in page
    embedded = page.split('id="article-data">', 1)[1].split("</script>", 1)[0]
    assert api.post("/v1/render", json=json.loads(embedded)).status_code == 200


def test_serve_without_the_extra_names_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "fastapi", None)
    monkeypatch.delitem(sys.modules, "printbrief.service.app", raising=False)
    assert main(["serve"]) == 2
    assert "pip install 'printbrief[server]'" in capsys.readouterr().err


def test_server_process_leaves_weasyprint_to_the_workers() -> None:
    code = (
        "import sys, printbrief.service.app as s; s.create_app(); "
        "print('weasyprint' in sys.modules, 'pypdf' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
