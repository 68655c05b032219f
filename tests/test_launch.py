"""Worker processes start without the main script (printbrief.launch); other processes as before."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import types
from multiprocessing import spawn
from pathlib import Path

import pytest

from printbrief import launch, workers

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _unguarded(folder: Path, call: str) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run a script that logs its process and makes ``call`` at its top level, unguarded;
    return how it ended and how many processes ran its top-level code."""
    runs, script = folder / "runs.txt", folder / "script.py"
    script.write_text(
        "import os, printbrief\n"
        f"with open({str(runs)!r}, 'a') as log: log.write(f'{{os.getpid()}}\\n')\n"
        f"{call}\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=240, check=False
    )
    return done, len(runs.read_text().split())


def test_a_batch_script_without_a_main_guard_runs_once(tmp_path: Path) -> None:
    """Unguarded, the script's top-level code ran again in every worker, whose nested batch
    failed at each input; now it runs once and its workers only render."""
    inputs = [str(SAMPLES / name) for name in ("en-news-brief.json", "zh-hans.json", "ja.json")]
    done, runs = _unguarded(
        tmp_path,
        f"results = printbrief.render_many({inputs!r}, {str(tmp_path / 'out')!r}, jobs=2)\n"
        "print(sorted({r.status for r in results}))",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert runs == 1
    assert done.stdout.strip() == "['rendered']", done.stdout


def test_an_issue_script_without_a_main_guard_compiles_once(tmp_path: Path) -> None:
    """Unguarded, it compiled again in each worker and broke the pool; now it compiles."""
    articles = [{"headline": f"Story {n}", "body": f"Text of story {n}."} for n in range(4)]
    issue = {"title": "Small edition", "publication": "Coastline Daily", "articles": articles}
    path = tmp_path / "issue.json"
    path.write_text(json.dumps(issue), "utf-8")
    output = tmp_path / "out.pdf"
    done, runs = _unguarded(
        tmp_path,
        f"printbrief.compile_issue({str(path)!r}, {str(output)!r}, jobs=2, use_cache=False)",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert runs == 1
    assert output.read_bytes()[:5] == b"%PDF-"


def test_only_printbrief_workers_leave_the_main_script_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wrapper acts only while printbrief's context launches: other pools are unchanged."""
    workers.context()  # installs the wrapper
    assert getattr(spawn.get_preparation_data, "leaves_main_out", False)
    script = tmp_path / "script.py"
    main = types.SimpleNamespace(__spec__=None, __file__=str(script))
    monkeypatch.setitem(sys.modules, "__main__", main)
    plain = spawn.get_preparation_data("other")
    assert plain["init_main_from_path"] == str(script)
    launch._launching.without_main = True
    try:
        ours = spawn.get_preparation_data("ours")
    finally:
        launch._launching.without_main = False
    assert not {"init_main_from_name", "init_main_from_path"} & ours.keys()
    assert {k: v for k, v in plain.items() if not k.startswith("init_main") and k != "name"} == {
        k: v for k, v in ours.items() if k != "name"
    }


def test_a_broken_pool_names_an_unguarded_script_only_where_workers_run_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "build.py"
    script.write_text("import printbrief\n")
    monkeypatch.setitem(sys.modules, "__main__", types.SimpleNamespace(__file__=str(script)))
    assert isinstance(workers.context(), launch.WithoutMain)
    assert workers.unguarded_main() is None  # printbrief's own workers never run it
    monkeypatch.setattr(workers, "context", lambda: multiprocessing.get_context("spawn"))
    assert workers.unguarded_main() == str(script)
    script.write_text('if __name__ == "__main__":\n    import printbrief\n')
    assert workers.unguarded_main() is None


def test_workers_start_with_the_commands_fast_start_steps() -> None:
    """The fork server imports WeasyPrint through printbrief.preload: the start-up steps are
    installed in every worker forked from it, as in the command's own process."""
    from concurrent.futures import ProcessPoolExecutor

    from printbrief import startup

    assert startup.steps(), "this WeasyPrint takes the plain start: nothing to check"
    with ProcessPoolExecutor(1, mp_context=workers.context()) as pool:
        assert pool.submit(startup.installed).result(timeout=120) == startup.steps()


def test_a_python_without_the_pieces_takes_its_plain_fork_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "printbrief.launch", None)  # the import fails
    ctx = workers.context.__wrapped__()  # type: ignore[attr-defined]
    assert ctx.get_start_method() == "forkserver"
    assert not isinstance(ctx, launch.WithoutMain)
