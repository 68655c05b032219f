"""The result cache: keys over content, options and versions; LRU by bytes; a shared folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from printbrief.issue_pdf import Issue, render_issue
from printbrief.service import cache as cache_module
from printbrief.service.cache import ResultCache, cache_key

BASE = {"kind": "article", "canonical_json": '{"body": "b", "headline": "h"}'}


def key(**changes: str) -> str:
    args = {**BASE, "theme": "newsbrief", "paper": "A4", **changes}
    return cache_key(args.pop("kind"), args.pop("canonical_json"), **args)


def test_key_covers_content_options_and_server_settings() -> None:
    keys = {
        key(), key(kind="issue"), key(canonical_json='{"body": "c", "headline": "h"}'),
        key(theme="house"), key(paper="Letter"), key(extra="system_fonts=False"),
    }  # fmt: skip
    assert len(keys) == 6
    assert key(paper="a4") == key(paper="A4")


def test_key_covers_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    before = key()
    assert "weasyprint 70" in cache_module.engine_versions()
    monkeypatch.setattr(cache_module, "engine_versions", lambda: "printbrief 9; weasyprint 99")
    assert key() != before


def test_memory_is_bounded_by_bytes_least_recently_used_first() -> None:
    cache = ResultCache(max_bytes=100)
    for name in "abc":
        cache.put(name, name.encode() * 40)
    assert cache.get("a") is None and cache.size_bytes == 80
    assert cache.get("b") is not None  # b is now the most recent
    cache.put("d", b"d" * 40)
    assert cache.get("c") is None and cache.get("b") is not None
    cache.put("huge", b"x" * 101)
    assert cache.get("huge") is None and cache.size_bytes <= 100
    assert (cache.hits, cache.misses) == (2, 3)


def test_folder_is_shared_between_processes_and_written_atomically(tmp_path: Path) -> None:
    writer, reader = ResultCache(1 << 20, tmp_path), ResultCache(1 << 20, tmp_path)
    writer.put("ab" + "0" * 62, b"%PDF-1.7 shared")
    assert reader.get("ab" + "0" * 62) == b"%PDF-1.7 shared"
    assert [p.name for p in tmp_path.rglob("*")] == ["ab", "ab" + "0" * 62 + ".pdf"]


def test_issue_pdf_is_reproducible(renderer) -> None:  # type: ignore[no-untyped-def]
    # The service's ETag is derived from the input, so the bytes must not vary between renders.
    issue = Issue.model_validate(
        {
            "title": "Weekly",
            "publication": "Coastline Daily",
            "articles": [{"headline": "One", "body": "First."}, {"headline": "Two", "body": "2."}],
        }
    )
    assert render_issue(renderer, issue) == render_issue(renderer, issue)
    assert issue.articles[1].publication == "Coastline Daily"
