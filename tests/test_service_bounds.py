"""The service answers hostile JSON with small problem+json documents, never a plain 500."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from servicekit import client

PROBLEM_JSON = "application/problem+json"
BASE = {"headline": "Harbour lights", "body": "The lamps are lit at dusk."}


@pytest.fixture(scope="module")
def api() -> Iterator[TestClient]:
    """A service taking bodies up to 5 MiB (the default); nothing here reaches a worker."""
    with client(max_body=5 * 1024 * 1024, workers=1, queue=1) as test_client:
        yield test_client


def problem(api: TestClient, path: str, body: bytes, status: int) -> dict[str, Any]:
    response = api.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == PROBLEM_JSON
    assert len(response.content) < 8_000
    document: dict[str, Any] = response.json()
    return document


def test_deep_json_is_413(api: TestClient) -> None:
    found = problem(api, "/v1/render", b"[" * 100_000, 413)
    assert found["detail"] == "JSON nested deeper than 32 levels"


def test_a_long_number_is_422_naming_the_field(api: TestClient) -> None:
    body = b'{"headline": "h", "body": ' + b"5" * 5000 + b"}"
    found = problem(api, "/v1/render", body, 422)
    assert found["detail"] == "body: a number of 5,000 characters (at most 4,300)"


@pytest.mark.parametrize(
    ("who", "field"), [({"name": 12}, "author.name"), ([{"name": [None, {}]}], "author.0.name")]
)
def test_jsonld_author_of_another_shape_is_422(api: TestClient, who: Any, field: str) -> None:
    article = {"@type": "NewsArticle", "headline": "h", "articleBody": "b", "author": who}
    found = problem(api, "/v1/render", json.dumps(article).encode(), 422)
    assert found["detail"].startswith(f"{field}: must be text")


def test_two_million_wrong_tags_are_a_small_422(api: TestClient) -> None:
    body = json.dumps({**BASE, "tags": [0] * 2_000_000}).encode()  # 6 MB: over the limit
    problem(api, "/v1/render", body, 413)
    body = json.dumps({**BASE, "tags": [0] * 1_500_000}).encode()
    started = time.perf_counter()
    found = problem(api, "/v1/render", body, 422)
    assert time.perf_counter() - started < 5
    assert found["errors"] == [
        {
            "field": "tags",
            "message": "list should have at most 200 items after validation, not 1500000",
        }
    ]


def test_many_problems_are_listed_up_to_twenty(api: TestClient) -> None:
    found = problem(api, "/v1/render", json.dumps({**BASE, "tags": [0] * 150}).encode(), 422)
    assert len(found["errors"]) == 20 and found["detail"].endswith("; and 130 more")


def test_issue_title_with_nul_and_bad_lang_are_422(api: TestClient) -> None:
    issue = {"title": "W\u0000", "lang": "not a tag!", "articles": [{**BASE, "lang": "en"}]}
    found = problem(api, "/v1/issues", json.dumps(issue).encode(), 422)
    assert {e["field"] for e in found["errors"]} == {"title", "lang"}
