"""Helpers for the service tests: apps with small pools, articles of known render cost."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from conftest import SAMPLES, page_texts
from printbrief.pool import PoolConfig
from printbrief.service import ServiceConfig, create_app

PARAGRAPH = (
    "The port authority will restore a late-night ferry across the inner harbour from the "
    "first weekend of June, three years after the service was cut to save fuel. "
) * 3


def sample(name: str = "en-news-brief.json") -> dict[str, Any]:
    """A sample article as the JSON a CMS would post."""
    data: dict[str, Any] = json.loads((SAMPLES / name).read_text("utf-8"))
    return data


def long_article(paragraphs: int, headline: str = "A long report") -> dict[str, Any]:
    """An article whose render time grows with ``paragraphs`` (150 ≈ 1 s on one core)."""
    body = "\n\n".join(f"Part {i}: {PARAGRAPH}" for i in range(paragraphs))
    return {"headline": headline, "body": body, "body_format": "text"}


def flat_text(pdf: bytes) -> str:
    """All the text of a PDF with runs of whitespace (line breaks too) as one space."""
    return " ".join(" ".join(page_texts(pdf)).split())


@contextmanager
def client(max_body: int = 200_000, **pool: Any) -> Iterator[TestClient]:
    """A TestClient over a fresh app whose pool takes ``pool`` settings; workers stop after."""
    config = ServiceConfig(pool=PoolConfig(**pool), max_body_bytes=max_body)
    with TestClient(create_app(config), raise_server_exceptions=True) as test_client:
        yield test_client
