"""Worker processes leave no temporary files behind, even when killed, and freeze their warm heap.

WeasyPrint copies every @font-face file (31 MB with the bundled fonts) into a temporary
folder per FontConfiguration and removes it only when the object is collected.
"""

from __future__ import annotations

import gc
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import SAMPLES
from printbrief import compile_issue, render_many
from printbrief.service.pool import PoolConfig, _Worker
from printbrief.workers import context


def _leftovers() -> set[Path]:
    root = Path(tempfile.gettempdir())
    return {*root.glob("weasyprint-*"), *root.glob("printbrief-*")}


@pytest.fixture
def no_new_leftovers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # A private temporary folder: other processes on the machine make their own there.
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    before = _leftovers()
    yield
    gc.collect()  # renderers of this process remove their folders when collected
    assert _leftovers() - before == set()


def test_killed_service_worker_leaves_nothing(no_new_leftovers: None) -> None:
    worker = _Worker(context(), PoolConfig(workers=1))
    worker.wait_ready(60)
    folder = Path(worker.folder)
    # WeasyPrint's font copies went into the worker's scratch folder, not the system temp dir.
    assert [p.name[:11] for p in folder.iterdir()] == ["weasyprint-"]
    worker.kill()  # SIGKILL: nothing runs in the worker, the parent cleans up
    assert not folder.exists()


def test_stopped_service_worker_leaves_nothing(no_new_leftovers: None) -> None:
    worker = _Worker(context(), PoolConfig(workers=1))
    worker.wait_ready(60)
    worker.stop()  # a recycled worker leaves through os._exit: no garbage collection either
    assert not Path(worker.folder).exists()


def test_batch_workers_leave_nothing(tmp_path: Path, no_new_leftovers: None) -> None:
    inputs = [str(SAMPLES / "ja.json"), str(SAMPLES / "en-plain.json")]
    results = render_many(inputs, tmp_path, jobs=2)
    assert [r.status for r in results] == ["rendered", "rendered"]


def test_issue_workers_leave_nothing(tmp_path: Path, no_new_leftovers: None) -> None:
    articles = [{"headline": f"Story {n}", "body": f"Paragraph {n}."} for n in range(5)]  # a pool
    issue = tmp_path / "issue.json"
    issue.write_text(json.dumps({"title": "Small", "articles": articles}), "utf-8")
    result = compile_issue(issue, tmp_path / "out.pdf", jobs=2, use_cache=False)
    assert result.pdf.startswith(b"%PDF")


def test_batch_worker_freezes_its_warm_heap(monkeypatch: pytest.MonkeyPatch) -> None:
    """After warm-up a worker's renderer objects sit outside the collector's generations."""
    import resource
    import signal

    from printbrief import workers
    from printbrief.options import RenderOptions

    # start_worker sets up a worker process; here it runs in the test process, so put back
    # what it changes (an address-space cap left on pytest made later threads die at start).
    handler = signal.getsignal(signal.SIGINT)
    memory = resource.getrlimit(resource.RLIMIT_AS)
    monkeypatch.setattr(workers, "_exit_with_parent", lambda: None)
    monkeypatch.setattr(workers, "keep_to_results_once", lambda: None)
    try:
        workers.start_worker(None, RenderOptions(system_fonts=False))
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
        signal.signal(signal.SIGINT, handler)
        resource.setrlimit(resource.RLIMIT_AS, memory)
