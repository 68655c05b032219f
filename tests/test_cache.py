"""The service's result cache: LRU by bytes in memory, and a folder shared between processes."""

from __future__ import annotations

from pathlib import Path

from printbrief.service.cache import ResultCache


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
