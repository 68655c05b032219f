"""Benchmark whole issues: -j 1, -j 2, a Dask cluster, incremental re-compiles, and single passes.

For each size (10, 50, 200 generated articles, about two pages each) it measures, every run
in a fresh process: a clean compile with -j 1 and with -j 2, the same on a Dask
``LocalCluster`` of two worker processes (with the settings docs/batch.md recommends,
:data:`DASK_CONFIG`; ``dask1`` with one worker, for the speed-up from one worker to two;
``dask_defaults`` with Dask's own; ``dask_apart`` on a scheduler and two
workers in processes of their own, :data:`DASK_APART`), a re-compile after editing one article (its page
count unchanged, then changed), plain WeasyPrint and headless Chromium rendering the same
articles concatenated into one HTML document. Wall time, CPU time, peak memory of the whole
process tree (sampled from /proc) and file sizes go to bench/issue-results.{json,md}.

The machine is shared and noisy, so every round runs every kind once, interleaved, and the
ratios are taken within a round (median and range over the rounds). ``--before SRC`` adds
-j 1 and -j 2 compiles of another checkout's ``src`` folder to each round (before/after).

    python tools/bench_issue.py [--sizes 10,50,200] [--rounds N] [--runs j1,j2,dask,dask_apart,chromium]
                                [--before /path/to/old/src]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from make_issue import make_issue  # noqa: E402

OUT = ROOT / "bench"
SCALE = 2.2  # paragraphs × 2.2: about two pages per article
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")

COMPILE = """
import json, sys, time
from printbrief import compile_issue
if __name__ == "__main__":
    start = time.perf_counter()
    r = compile_issue(sys.argv[1], sys.argv[2], jobs=int(sys.argv[3]), cache_dir=sys.argv[4])
    print(json.dumps({"pages": r.pages, "rendered": len(r.rendered), "reused": len(r.reused),
                      "bytes": len(r.pdf), "stages": r.seconds,
                      "inner": time.perf_counter() - start}))
"""

DASK_CONFIG = {
    # Each worker samples its task thread's stack every 10 ms for the dashboard's profile
    # (WeasyPrint's stacks are deep): 0.04 s of CPU a second of rendering.
    "distributed.worker.profile.enabled": False,
    # The scheduler, both nannies and the client share the client's process (and the
    # workers their own) with an event-loop check every 20 ms: 0.04 s of CPU a second idle.
    "distributed.admin.tick.interval": "1s",
    # Results come from the workers, not relayed by the scheduler: all are on this machine.
    "distributed.client.direct-to-workers": True,
}
"""The LocalCluster settings docs/batch.md recommends for printbrief ("On a Dask cluster"); the
``dask_defaults`` kind of run keeps Dask's own."""

DASK = """
import json, sys, time, warnings
import dask
from distributed import Client, LocalCluster
from printbrief import compile_issue
if __name__ == "__main__":
    warnings.simplefilter("ignore")  # Dask's version comparison of the workers' packages
    dask.config.set(json.loads(sys.argv[3]))
    start = time.perf_counter()
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    with (LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                       host="127.0.0.1", dashboard_address=None) as cluster,
          Client(cluster) as client):
        up = time.perf_counter()
        r = compile_issue(sys.argv[1], sys.argv[2], client.get_executor(), use_cache=False)
        cold = time.perf_counter()
        compile_issue(sys.argv[1], sys.argv[2], client.get_executor(), use_cache=False)
        warm = time.perf_counter()
    print(json.dumps({"pages": r.pages, "bytes": len(r.pdf), "cluster": up - start,
                      "inner": cold - up, "warm": warm - cold}))
"""

DASK_APART = """
import json, os, socket, subprocess, sys, time, warnings
from pathlib import Path
import dask
from distributed import Client
from printbrief import compile_issue
if __name__ == "__main__":
    warnings.simplefilter("ignore")  # Dask's version comparison of the workers' packages
    config = json.loads(sys.argv[3])
    dask.config.set(config)
    env = dict(os.environ)  # the scheduler's and the workers' processes get the same settings
    for key, value in config.items():
        env["DASK_" + key.upper().replace(".", "__").replace("-", "_")] = str(value)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    dask_cli = str(Path(sys.executable).with_name("dask"))
    start = time.perf_counter()
    apart = [subprocess.Popen([dask_cli, "scheduler", "--host", "127.0.0.1", "--port", port,
                               "--no-dashboard"], env=env, stderr=subprocess.DEVNULL)]
    apart += [subprocess.Popen([dask_cli, "worker", f"tcp://127.0.0.1:{port}", "--nthreads", "1",
                                "--no-nanny", "--no-dashboard", "--preload", "printbrief.preload"],
                               env=env, stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        with Client(f"tcp://127.0.0.1:{port}", timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
            up = time.perf_counter()
            r = compile_issue(sys.argv[1], sys.argv[2], client.get_executor(), use_cache=False)
            cold = time.perf_counter()
            compile_issue(sys.argv[1], sys.argv[2], client.get_executor(), use_cache=False)
            warm = time.perf_counter()
    finally:
        for process in apart:
            process.terminate()
            process.wait(30)
    print(json.dumps({"pages": r.pages, "bytes": len(r.pdf), "cluster": up - start,
                      "inner": cold - up, "warm": warm - cold}))
"""
"""A Dask cluster in processes of its own: the scheduler, and 2 workers (one thread, no nanny)
that import WeasyPrint as they start (``--preload printbrief.preload``); the client only submits and
merges."""

SINGLE_PASS = """
import sys, time
from weasyprint import HTML
start = time.perf_counter()
document = HTML(filename=sys.argv[1]).render()
pages = len(document.pages)
document.write_pdf(sys.argv[2])
print(pages)
"""


class TreeMemory(threading.Thread):
    """Peak resident memory of a process and all its descendants, and the CPU seconds each
    used (workers a forkserver started are not the caller's children: ``os.times`` misses
    them), sampled every 20 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, False
        self.ticks: dict[int, int] = {}

    def run(self) -> None:
        while not self.done:
            rss, ticks = tree_usage(self.pid)
            self.peak = max(self.peak, rss)
            for pid, used in ticks.items():
                self.ticks[pid] = max(self.ticks.get(pid, 0), used)
            time.sleep(0.02)

    @property
    def cpu(self) -> float:
        """CPU seconds of every process seen in the tree (up to its last sample)."""
        return sum(self.ticks.values()) / TICKS


def tree_usage(root: int) -> tuple[int, dict[int, int]]:
    """Bytes resident in ``root`` and its descendants now, and each one's CPU clock ticks."""
    parents: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(name))
    total, ticks, todo = 0, {}, [root]
    while todo:
        pid = todo.pop()
        with contextlib.suppress(OSError, IndexError):  # it may have ended since the listing
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks[pid] = int(fields[11]) + int(fields[12])  # utime + stime
        todo += parents.get(pid, [])
    return total, ticks


def measure(argv: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a command; wall and CPU seconds (with its children), peak tree memory, stdout."""
    start = time.perf_counter()
    environ = {**os.environ, **(env or {})}
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environ
    )
    sampler = TreeMemory(process.pid)
    sampler.start()
    out, err = process.communicate()
    wall = time.perf_counter() - start
    sampler.done = True
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{argv[:3]} failed:\n{err}")
    return {"wall": wall, "peak_mb": sampler.peak / 2**20, "cpu": sampler.cpu, "stdout": out}


def compile_run(
    issue: Path, out: Path, jobs: int, cache: Path, source: str | None = None
) -> dict[str, Any]:
    """One compile in a fresh interpreter (imports included, as a user would see it), of the
    installed printbrief or of the one in ``source`` (a ``src`` folder)."""
    argv = [sys.executable, "-c", COMPILE, str(issue), str(out), str(jobs), str(cache)]
    result = measure(argv, {"PYTHONPATH": source} if source else None)
    result.update(json.loads(result.pop("stdout").strip().splitlines()[-1]))
    return result


def single_pass(issue: Path, folder: Path) -> dict[str, Any]:
    """Plain WeasyPrint on one HTML document with every article of the issue."""
    html = folder / "single.html"
    result = measure([sys.executable, "-c", SINGLE_PASS, str(html), str(folder / "single.pdf")])
    result["pages"] = int(result.pop("stdout").strip())
    result["bytes"] = (folder / "single.pdf").stat().st_size
    return result


def single_html(issue_path: Path) -> str:
    """The issue's articles as printbrief lays them out, concatenated, with the CSS inlined."""
    from printbrief import fonts, i18n
    from printbrief.issue.load import load_issue
    from printbrief.issue.plan import article_context
    from printbrief.issue.renderer import IssueRenderer
    from printbrief.issue.tasks import ARTICLE_TEMPLATE

    renderer = IssueRenderer()
    issue = load_issue(issue_path)
    parts = []
    for entry in issue.entries:
        html = renderer.themed_html(
            entry.article, template=ARTICLE_TEMPLATE, extra=article_context(issue, entry)
        )
        article = re.search(r"<article.*</article>", html, re.S)
        assert article, "the theme's article element"
        key = i18n.script_key(entry.article.lang)
        parts.append(
            f'<div class="script-{key}" lang="{entry.article.lang}" style="break-before: page">{article.group(0)}</div>'
        )
    css = fonts.font_face_css() + "".join(p.read_text("utf-8") for p in renderer.theme.stylesheets)
    css += (renderer.theme.folders[0] / "issue.css").read_text("utf-8") + "@page { size: A4; }"
    return f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>{css}</style></head><body>{"".join(parts)}</body></html>'


CHROMIUM = """
import sys, time
sys.path.insert(0, sys.argv[3])
import bench
bench._cold_chromium(sys.argv[1], sys.argv[2])
"""


def chromium_pass(folder: Path) -> dict[str, Any] | None:
    """Headless Chromium printing the single-pass HTML (fresh browser, as a user waits for it)."""
    if not Path("/usr/bin/chromium").exists():
        return None
    try:
        import playwright  # noqa: F401
    except ImportError:
        return None
    html = folder / "single.html"
    result = measure([sys.executable, "-c", CHROMIUM, str(html), str(folder), str(ROOT / "tools")])
    result.pop("stdout")
    result["bytes"] = (folder / "c.pdf").stat().st_size
    return result


def edit(issue: Path, *, grow: bool) -> None:
    """Change one file article: a word (same page count), or thirty more paragraphs (more pages)."""
    target = sorted((issue.parent / "articles").glob("*.json"))[1]
    data = json.loads(target.read_text("utf-8"))
    if grow:
        data["body"] += "\n\n" + "\n\n".join([data["body"].split("\n\n")[0]] * 30)
    else:
        data["body"] = data["body"].replace(" ", " edited ", 1)
    target.write_text(json.dumps(data, ensure_ascii=False), "utf-8")


KINDS = (
    "j1",
    "j2",
    "dask",
    "dask1",
    "dask_defaults",
    "dask_apart",
    "incremental",
    "single",
    "chromium",
    "j1_before",
    "j2_before",
)
"""Every kind of run; ``--runs`` picks some (incremental needs j1's cache, the ``_before``
runs ``--before``)."""


def dask_run(
    issue: Path, out: Path, config: dict[str, Any], script: str = DASK, workers: int = 2
) -> dict[str, Any] | None:
    """A compile on a fresh Dask cluster of ``workers`` worker processes (2 only with
    :data:`DASK_APART`) set up with ``config`` (a LocalCluster, or with :data:`DASK_APART`
    one in processes of its own), then a second on it warm; ``inner`` and ``warm`` are the
    compiles alone (the cluster's start is ``cluster``)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return None
    argv = [sys.executable, "-c", script, str(issue), str(out), json.dumps(config), str(workers)]
    result = measure(argv)
    result.update(json.loads(result.pop("stdout").strip().splitlines()[-1]))
    return result


def bench_size(
    count: int, folder: Path, rounds: int, kinds: set[str], before: str | None
) -> dict[str, Any]:
    """Every measurement for one issue size, ``rounds`` times, and the ratios of each round."""
    issue = make_issue(count, folder / "issue", scale=SCALE)
    runs: list[dict[str, Any]] = []
    for n in range(rounds):  # rounds interleave the kinds of run, so drifting load hits all
        runs.append(bench_round(count, issue, folder, kinds, before, flip=n % 2 == 1))
        print(
            f"  round {n + 1}: "
            + ", ".join(f"{k} {v['wall']:.1f} s" for k, v in runs[-1].items() if _measured(v)),
            file=sys.stderr,
            flush=True,
        )
        print("  " + json.dumps(runs[-1]), file=sys.stderr, flush=True)
    best = {key: _fastest([r.get(key) for r in runs]) for key in runs[0] if key != "articles"}
    return {"articles": count, **best, "ratios": round_ratios(runs), "rounds": runs}


def bench_round(
    count: int, issue: Path, folder: Path, kinds: set[str], before: str | None, flip: bool
) -> dict[str, Any]:
    """One run of every kind asked for, the slow single passes between the compiles; with
    ``flip`` the new code's compiles come before the old's (load drifts within a round)."""
    for name in ("cache1", "cache2", "cache3", "cache4"):
        shutil.rmtree(folder / name, ignore_errors=True)
    make_issue(count, folder / "issue", scale=SCALE)  # undo the previous round's edits
    row: dict[str, Any] = {"articles": count}
    for jobs in (1, 2):
        pair = [(f"j{jobs}_before", before), (f"j{jobs}", None)]
        for name, source in reversed(pair) if flip else pair:
            if name in kinds and (source or not name.endswith("_before")):
                cache = folder / f"cache{jobs + (2 if source else 0)}"
                row[name] = compile_run(issue, folder / f"{name}.pdf", jobs, cache, source)
    if "dask" in kinds:
        row["dask"] = dask_run(issue, folder / "dask.pdf", DASK_CONFIG)
    if "dask1" in kinds:
        row["dask1"] = dask_run(issue, folder / "dask1.pdf", DASK_CONFIG, workers=1)
    if "dask_defaults" in kinds:
        row["dask_defaults"] = dask_run(issue, folder / "dask.pdf", {})
    if "dask_apart" in kinds:
        row["dask_apart"] = dask_run(issue, folder / "dask.pdf", DASK_CONFIG, DASK_APART)
    if "chromium" in kinds or "single" in kinds:
        (folder / "single.html").write_text(single_html(issue), "utf-8")
    if "chromium" in kinds:
        row["chromium"] = chromium_pass(folder)
    if "single" in kinds:
        row["single_pass"] = single_pass(issue, folder)
    if "incremental" in kinds and "j1" in kinds:
        edit(issue, grow=False)
        row["incremental"] = compile_run(issue, folder / "inc.pdf", 1, folder / "cache1")
        edit(issue, grow=True)
        row["incremental_grown"] = compile_run(issue, folder / "inc2.pdf", 1, folder / "cache1")
    return row


RATIOS = {
    "-j 1 ÷ -j 2 (speed-up)": ("j1", "wall", "j2", "wall"),
    "-j 2 ÷ Chromium": ("j2", "wall", "chromium", "wall"),
    "-j 1 ÷ Dask, 2 workers, fresh (compile alone)": ("j1", "inner", "dask", "inner"),
    "-j 1 ÷ Dask, 2 workers, warm (compile alone)": ("j1", "inner", "dask", "warm"),
    "Dask, 1 worker ÷ 2 workers, fresh (compile alone)": ("dask1", "inner", "dask", "inner"),
    "Dask, 1 worker ÷ 2 workers, warm (compile alone)": ("dask1", "warm", "dask", "warm"),
    "-j 1 ÷ Dask with its defaults, fresh": ("j1", "inner", "dask_defaults", "inner"),
    "-j 1 ÷ Dask with its defaults, warm": ("j1", "inner", "dask_defaults", "warm"),
    "-j 1 ÷ Dask, scheduler and 2 workers apart, fresh": ("j1", "inner", "dask_apart", "inner"),
    "-j 1 ÷ Dask, scheduler and 2 workers apart, warm": ("j1", "inner", "dask_apart", "warm"),
    "-j 1 before ÷ after": ("j1_before", "wall", "j1", "wall"),
    "-j 2 before ÷ after": ("j2_before", "wall", "j2", "wall"),
    "-j 2 before ÷ Chromium": ("j2_before", "wall", "chromium", "wall"),
}
"""Ratios taken within each round: name → (run, field) ÷ (run, field)."""


def round_ratios(runs: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Each ratio of :data:`RATIOS` in every round that measured both sides."""
    out: dict[str, list[float]] = {}
    for name, (a, field_a, b, field_b) in RATIOS.items():
        values = [
            r[a][field_a] / r[b][field_b]
            for r in runs
            if _measured(r.get(a)) and _measured(r.get(b))
        ]
        if values:
            out[name] = values
    return out


def _measured(run: Any) -> bool:
    return isinstance(run, dict) and "wall" in run


def _fastest(runs: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    measured = [run for run in runs if run is not None and _measured(run)]
    return min(measured, key=lambda run: run["wall"]) if measured else None


def markdown(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The results as Markdown: the ratios the issue asks about, then the fastest runs."""
    lines = [
        f"Machine: {meta['machine']}; load average {meta['load_before']} before, {meta['load_after']} after; "
        f"{meta['rounds']} round(s), every kind of run once per round, interleaved. Wall seconds "
        "(fresh process each, imports included), peak MB of the process tree.",
        "",
        "Ratios within a round (median, and the range over the rounds):",
        "",
    ]  # fmt: skip
    for r in rows:
        for name, values in r["ratios"].items():
            ordered = sorted(values)
            median = statistics.median(ordered)
            lines.append(f"- {r['articles']} articles, {name}: ×{median:.2f} "
                         f"({ordered[0]:.2f}–{ordered[-1]:.2f})")  # fmt: skip
    lines += ["", "Fastest run of each kind:", "", "| articles | run | wall | CPU | peak | pages | bytes | notes |",
              "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        for key, run in r.items():
            if _measured(run):
                lines.append(_run_line(r["articles"], key, run))
    lines += ["", "Seconds per stage of the clean -j 1 compile (in-process):", ""]
    for r in rows:
        if _measured(r.get("j1")):
            stages = ", ".join(f"{k} {v:.2f}" for k, v in r["j1"]["stages"].items())
            lines.append(f"- {r['articles']} articles: {stages}")
    return "\n".join(lines) + "\n"


def _run_line(articles: int, key: str, run: dict[str, Any]) -> str:
    notes = []
    if "inner" in run:
        notes.append(f"compile alone {run['inner']:.1f} s")
    if "warm" in run:
        notes.append(
            f"again on the warm cluster {run['warm']:.1f} s, cluster start {run['cluster']:.1f} s"
        )
    if "rendered" in run:
        notes.append(f"rendered {run['rendered']}")
    cpu = f"{run['cpu']:.1f} s" if "cpu" in run else "–"
    return (f"| {articles} | {key} | {run['wall']:.1f} s | {cpu} | {run['peak_mb']:.0f} MB "
            f"| {run.get('pages', '–')} | {run.get('bytes', 0) / 1024:.0f} KB | {'; '.join(notes)} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,50,200")
    parser.add_argument("--rounds", type=int, default=1, help="every kind of run N times")
    parser.add_argument("--runs", default=",".join(KINDS), help="kinds of run: " + ",".join(KINDS))
    parser.add_argument("--before", help="also compile with this other printbrief src folder")
    parser.add_argument("--out", default="issue-results", help="file names in bench/")
    args = parser.parse_args()
    kinds = set(args.runs.split(","))
    meta: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_before": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "rounds": args.rounds,
    }
    rows = []
    with tempfile.TemporaryDirectory(prefix="pb-bench-") as tmp:
        for count in (int(s) for s in args.sizes.split(",")):
            print(f"{count} articles…", file=sys.stderr, flush=True)
            rows.append(bench_size(count, Path(tmp) / str(count), args.rounds, kinds, args.before))
    meta["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    OUT.mkdir(exist_ok=True)
    (OUT / f"{args.out}.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    table = markdown(rows, meta)
    (OUT / f"{args.out}.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
