"""Batch rendering: a folder of generated articles through warm worker processes, resume from
the manifest, interruption, output naming, and the same PDFs from a real local Dask cluster."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import pytest

from conftest import reader
from printbrief import ItemResult, render_many
from printbrief.batch.manifest import MANIFEST_NAME
from printbrief.batch.plan import expand_inputs
from printbrief.batch.progress import BatchProgress
from printbrief.cli import main
from printbrief.workers import InlineExecutor, submit

P = ParamSpec("P")
T = TypeVar("T")

GOOD = 57
BROKEN = {
    "bad-json.json": ("{not json", "invalid JSON at line 1"),
    "bad-headline.json": (json.dumps({"body": "No headline."}), "headline: field required"),
    "bad-format.json": (
        json.dumps({"headline": "h", "body": "b", "body_format": "rtf"}),
        "body_format: must be one of",
    ),
}


def write_article(folder: Path, i: int, headline: str | None = None) -> Path:
    """A short article; every tenth one as Markdown with front matter."""
    headline = headline or f"Harbour notice {i}"
    if i % 10 == 9:
        path = folder / f"a-{i:03d}.md"
        path.write_text(f"---\nheadline: {headline}\nsection: Notices\n---\nNotice {i}.\n")
    else:
        path = folder / f"a-{i:03d}.json"
        body = f"Notice number {i}.\n\nThe ferry leaves at {i % 12 + 1} o'clock."
        data = {"id": f"notice-{i:03d}", "headline": headline, "section": "Notices", "body": body}
        path.write_text(json.dumps(data))
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """57 good articles and 3 broken ones."""
    root = tmp_path_factory.mktemp("articles")
    for i in range(GOOD):
        write_article(root, i)
    for name, (text, _) in BROKEN.items():
        (root / name).write_text(text)
    return root


def statuses(results: list[ItemResult]) -> Counter[str]:
    return Counter(r.status for r in results)


def pdfs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.pdf"))}


def assert_consistent(out: Path) -> dict[str, Any]:
    """No partial files; every PDF opens; the manifest lists exactly the PDFs, hashes matching."""
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "leftover temp files"
    entries: dict[str, Any] = json.loads((out / MANIFEST_NAME).read_text())["outputs"]
    on_disk = pdfs(out)
    assert set(entries) == set(on_disk)
    for name, pdf in on_disk.items():
        assert len(reader(pdf).pages) == entries[name]["pages"]
        assert hashlib.sha256(pdf).hexdigest() == entries[name]["pdf_sha256"]
    return entries


def test_folder_renders_then_skips_then_rerenders_what_changed(
    folder: Path, tmp_path: Path
) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(folder, inputs)
    first = render_many([inputs], out, jobs=2)
    assert statuses(first) == {"rendered": GOOD, "failed": 3}
    for name, (_, reason) in BROKEN.items():
        error = next(r.error for r in first if r.input.endswith(name))
        assert error and reason in error
    assert {r.pages for r in first if r.status == "rendered"} == {1}
    assert {r.worker_pid for r in first if r.worker_pid} - {os.getpid()}, "rendered in workers"
    assert len(assert_consistent(out)) == GOOD
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}

    second = render_many([inputs], out, jobs=2)
    assert statuses(second) == {"skipped": GOOD, "failed": 3}
    assert stamps == {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}

    write_article(inputs, 4, headline="Harbour notice 4, corrected")
    (out / "notice-007.pdf").unlink()
    third = render_many([inputs], out, jobs=2)
    assert sorted(r.output or "" for r in third if r.status == "rendered") == [
        str(out / "notice-004.pdf"),
        str(out / "notice-007.pdf"),
    ]
    assert statuses(third) == {"skipped": GOOD - 2, "rendered": 2, "failed": 3}
    assert_consistent(out)


def test_other_options_or_force_render_again(folder: Path, tmp_path: Path) -> None:
    inputs = [folder / "a-000.json", folder / "a-001.json", folder / "a-009.md"]
    assert statuses(render_many(inputs, tmp_path, jobs=1)) == {"rendered": 3}
    assert statuses(render_many(inputs, tmp_path, jobs=1, paper="Letter")) == {"rendered": 3}
    assert statuses(render_many(inputs, tmp_path, jobs=1, paper="Letter")) == {"skipped": 3}
    assert statuses(render_many(inputs, tmp_path, jobs=1, paper="Letter", force=True)) == {
        "rendered": 3
    }
    assert float(reader(pdfs(tmp_path)["notice-000.pdf"]).pages[0].mediabox.width) == 612


def test_interrupt_in_callback_keeps_complete_pdfs_and_a_true_manifest(
    folder: Path, tmp_path: Path
) -> None:
    def impatient(result: ItemResult, done: int, total: int) -> None:
        if done == 20:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render_many([folder], tmp_path, jobs=2, on_result=impatient)
    kept = assert_consistent(tmp_path)
    assert 0 < len(kept) < GOOD
    resumed = render_many([folder], tmp_path, jobs=2)
    assert statuses(resumed) == {"skipped": len(kept), "rendered": GOOD - len(kept), "failed": 3}
    assert len(assert_consistent(tmp_path)) == GOOD


class InterruptedExecutor(InlineExecutor):
    """Renders in this process until the n-th submission, which is 'interrupted by Ctrl-C'."""

    def __init__(self, after: int) -> None:
        self.left = after

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        self.left -= 1
        if self.left < 0:
            raise KeyboardInterrupt
        return super().submit(fn, *args, **kwargs)


def test_interrupt_while_submitting(folder: Path, tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        render_many([folder], tmp_path, InterruptedExecutor(after=9))
    assert len(assert_consistent(tmp_path)) == 9


def test_local_dask_cluster_gives_identical_pdfs(folder: Path, tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    inputs = sorted(folder.glob("a-00*"))
    local = render_many(inputs, tmp_path / "local", jobs=1)
    assert statuses(local) == {"rendered": 10}
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                     dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        returned = render_many(inputs, tmp_path / "dask", client.get_executor())
        written = render_many(inputs, tmp_path / "dask-w", client.get_executor(), write_on_worker=True)  # fmt: skip
    assert statuses(returned) == statuses(written) == {"rendered": 10}
    assert {r.worker_pid for r in returned} & {os.getpid()} == set()
    expected = pdfs(tmp_path / "local")
    assert len(expected) == 10
    assert pdfs(tmp_path / "dask") == expected
    assert pdfs(tmp_path / "dask-w") == expected
    assert_consistent(tmp_path / "dask-w")


@dataclass(frozen=True)
class Echo:
    """A task whose value is its number."""

    number: int

    def run(self) -> int:
        return self.number


def test_dask_tasks_are_named_without_hashing_their_arguments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pure Dask call is named by tokenizing its arguments in the client (an article, its
    context and options each time); printbrief submits its tasks as impure calls instead."""
    import distributed.client
    from distributed import Client, LocalCluster

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("a task's arguments were tokenized")

    monkeypatch.setattr(distributed.client, "tokenize", refuse)
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                     dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        executor = client.get_executor()
        outcomes = [submit(executor, Echo(n)).result(timeout=60) for n in (3, 3)]
    assert [o.result() for o in outcomes] == [3, 3]


def test_output_names_never_collide(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name, data in {"C.json": {}, "a.json": {"id": "x"}, "c.json": {}, "x.json": {}}.items():
        (src / name).write_text(json.dumps({"headline": "h", "body": "b", **data}))
    (src / "b.md").write_text("---\nid: x\nheadline: h\n---\nb\n")
    results = {Path(r.input).name: r for r in render_many([src], tmp_path / "out", jobs=1)}
    assert {n: r.status for n, r in results.items()} == {
        "C.json": "rendered", "a.json": "rendered", "b.md": "failed", "c.json": "failed",
        "x.json": "failed",
    }  # fmt: skip
    assert results["b.md"].error == f"{src / 'b.md'}: output x.pdf is already claimed by {src / 'a.json'}"  # fmt: skip
    assert f"c.pdf is already claimed by {src / 'C.json'}" in str(results["c.json"].error)
    assert sorted(pdfs(tmp_path / "out")) == ["C.pdf", "x.pdf"]


def test_expand_inputs_folders_globs_and_repeats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    for name in ("a.json", "b.md", "notes.txt", ".hidden.json", MANIFEST_NAME, "sub/c.json"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("{}")
    monkeypatch.chdir(tmp_path)
    assert expand_inputs(["."]) == ["a.json", "b.md"]
    assert expand_inputs(["*.json", "a.json", "./a.json", "sub"]) == ["a.json", "sub/c.json"]
    assert expand_inputs(["**/*.json"]) == ["a.json", "sub/c.json"]
    assert expand_inputs(["nothing-*.json", "-"]) == ["nothing-*.json", "-"]
    (result,) = render_many(["nothing-*.json"], tmp_path, jobs=1)
    assert result.error == "nothing-*.json: no article files match this pattern"


def test_stdin_into_an_out_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.dumps({"id": "piped", "headline": "From stdin", "body": "Piped."}).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert statuses(render_many(["-"], tmp_path, jobs=1)) == {"rendered": 1}
    assert (
        json.loads((tmp_path / MANIFEST_NAME).read_text())["outputs"]["piped.pdf"]["input"] == "-"
    )


@pytest.mark.allow_warnings
def test_unreadable_manifest_is_replaced(
    folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / MANIFEST_NAME).write_text("{oops")
    assert statuses(render_many([folder / "a-000.json"], tmp_path, jobs=1)) == {"rendered": 1}
    assert "unreadable manifest" in caplog.text
    assert_consistent(tmp_path)


@pytest.mark.allow_warnings
def test_warnings_in_worker_processes_reach_the_client(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for i in range(2):
        (tmp_path / f"{i}.json").write_text(
            json.dumps({"headline": "h", "body": f"Linear B 𐀀 {i}"})
        )
    results = render_many([tmp_path], tmp_path / "out", jobs=2)
    assert statuses(results) == {"rendered": 2}
    assert {r.worker_pid for r in results} & {os.getpid()} == set()
    relayed = [r.getMessage() for r in caplog.records if r.name == "printbrief.workers"]
    for i in range(2):  # printbrief's coverage warning, then WeasyPrint's .notdef one
        mine = [m for m in relayed if m.startswith(str(tmp_path / f"{i}.json"))]
        assert len(mine) == 2 and all("U+10000" in m for m in mine), relayed
    assert {r.levelno for r in caplog.records} == {logging.WARNING}


def test_progress_lines_quiet_and_bar(capsys: pytest.CaptureFixture[str]) -> None:
    ok = ItemResult("in/a.json", "out/a.pdf", "rendered", pages=2, seconds=0.1, size=2048)
    bad = ItemResult("in/b.json", None, "failed", "in/b.json: headline: field required")
    with BatchProgress(bar=False, quiet=False) as progress:
        progress(ok, 1, 2)
        progress(bad, 2, 2)
    with BatchProgress(bar=False, quiet=True) as progress:
        progress(ok, 1, 2)
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "ok      in/a.json → out/a.pdf (2 pages, 2 KB, 0.10 s)",
        "FAILED  in/b.json: headline: field required",
    ]
    screen = io.StringIO()
    with BatchProgress(bar=True, quiet=False, file=screen) as progress:
        progress(bad, 1, 2)
        progress(ok, 2, 2)
    assert "FAILED  in/b.json" in screen.getvalue() and "2/2" in screen.getvalue()


def test_cli_renders_a_quoted_glob_with_two_workers(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["render", str(folder / "a-00*"), str(folder / "bad-json.json"), "--out-dir", str(tmp_path), "-j", "2"]  # fmt: skip
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "rendered 10, failed 1, skipped 0 in" in err
    assert "  failed: " in err and "bad-json.json: invalid JSON" in err
    assert main(["--quiet", *argv]) == 1
    err = capsys.readouterr().err
    assert not [line for line in err.splitlines() if line.startswith("skipped")]
    assert "rendered 0, failed 1, skipped 10" in err
    assert main(["render", str(folder / "a-00*"), "--out-dir", str(tmp_path)]) == 0
    assert "rendered 0, failed 0, skipped 10" in capsys.readouterr().err


def test_cli_scheduler_without_dask_names_the_extra(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    argv = ["render", str(folder / "a-000.json"), "--scheduler", "tcp://127.0.0.1:8786"]
    assert main(argv) == 2
    assert "pip install 'printbrief[dask]'" in capsys.readouterr().err


def test_cli_subprocess_with_two_jobs(folder: Path, tmp_path: Path) -> None:
    exe = shutil.which("printbrief", path=str(Path(sys.executable).parent))
    assert exe, "the console script is installed next to the interpreter"
    inputs = [str(p) for p in sorted(folder.glob("a-01*"))] + [str(folder / "bad-headline.json")]
    done = subprocess.run(
        [exe, "render", *inputs, "--out-dir", str(tmp_path), "-j", "2"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "rendered 10, failed 1, skipped 0" in done.stderr
    assert "bad-headline.json: headline: field required" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(assert_consistent(tmp_path)) == 10
