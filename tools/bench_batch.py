"""Benchmark: batch throughput and worker memory, in one run.

Articles per second for ``render_many`` with ``-j 1``, ``-j 2`` and a local Dask cluster (two
worker processes on loopback), against two baselines on the same articles: plain WeasyPrint in
a fresh process per article (``python -m weasyprint`` on printbrief's HTML with the stylesheets
inlined, as tools/bench.py does) and a naive in-process loop that builds a new Renderer per
article. Then the RSS of two warm workers across a longer batch, to show whether it stays flat.

Shared machines drift, so the batch modes are interleaved over several rounds and the median is
reported; "warm" rates exclude starting the workers, "cold" rates are what one command costs.
Results go to bench/batch.json and bench/batch.md.

    python tools/bench_batch.py [--articles 120] [--rounds 3] [--baseline 10] [--memory 500]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import standalone_html

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("*.json"))
OUT = ROOT / "bench"


def make_articles(folder: Path, count: int) -> list[Path]:
    """``count`` articles cycling through the JSON samples (six languages), each with its own id."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        sample = SAMPLES[i % len(SAMPLES)]
        data = json.loads(sample.read_text("utf-8"))
        data["id"] = f"{sample.stem}-{i:04d}"
        path = folder / f"{data['id']}.json"
        path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        paths.append(path)
    return paths


def rate(count: int, seconds: float) -> float:
    """Articles per second, rounded."""
    return round(count / seconds, 2)


PER_ARTICLE: dict[str, list[float]] = {}
"""Render seconds of every article per mode, as measured inside the workers."""


def timed_batch(
    articles: list[Path], out: Path, executor: Executor | None, mode: str = "warmup", **kw: Any
) -> float:
    """Seconds for one forced ``render_many`` run; fails loudly if any article failed."""
    from printbrief import render_many

    started = time.perf_counter()
    results = render_many(articles, out, executor, force=True, **kw)
    seconds = time.perf_counter() - started
    failed = [r.error for r in results if r.status != "rendered"]
    assert not failed, failed
    PER_ARTICLE.setdefault(mode, []).extend(r.seconds for r in results)
    return seconds


# ------------------------------------------------------------------------------- baselines


def process_per_article(articles: list[Path], tmp: Path) -> float:
    """Seconds for ``python -m weasyprint`` once per article, one after another."""
    from printbrief import Renderer, load

    renderer = Renderer("newsbrief")
    pages = []
    for path in articles:
        page = tmp / f"{path.stem}.html"
        page.write_text(standalone_html(renderer, load(path)), "utf-8")
        pages.append(page)
    started = time.perf_counter()
    for page in pages:
        cmd = [sys.executable, "-m", "weasyprint", "-u", str(page.parent), str(page), str(tmp / "o.pdf")]  # fmt: skip
        subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - started


def naive_loop(articles: list[Path], tmp: Path) -> float:
    """Seconds for a loop that builds a new Renderer for every article."""
    from printbrief import Renderer, load

    started = time.perf_counter()
    for path in articles:
        (tmp / f"{path.stem}.pdf").write_bytes(Renderer("newsbrief").render(load(path)))
    return time.perf_counter() - started


# ------------------------------------------------------------------------------- executors


@contextmanager
def warm_pool(jobs: int, warmup: list[Path], tmp: Path) -> Iterator[Executor]:
    """printbrief's own worker pool, started and warmed before anything is timed."""
    from printbrief.options import RenderOptions
    from printbrief.workers import process_pool

    pool = process_pool(jobs, None, RenderOptions())
    try:
        timed_batch(warmup, tmp / f"warm-{jobs}", pool)
        yield pool
    finally:
        pool.shutdown()


@contextmanager
def dask_cluster(warmup: list[Path], tmp: Path) -> Iterator[tuple[Executor, float]]:
    """A LocalCluster of two single-threaded worker processes on loopback, warmed up."""
    from distributed import Client, LocalCluster

    started = time.perf_counter()
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                     dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        startup = time.perf_counter() - started
        executor = client.get_executor()
        timed_batch(warmup, tmp / "warm-dask", executor)
        yield executor, startup


# ------------------------------------------------------------------------------- runs


def throughput(articles: list[Path], rounds: int, tmp: Path) -> dict[str, Any]:
    """Interleaved rounds of -j 1 (in process), -j 2 (warm pool), Dask, and -j 2 cold."""
    modes: dict[str, list[float]] = {"j1": [], "j2": [], "dask": [], "j2_cold": []}
    warmup = articles[:8]
    timed_batch(warmup, tmp / "warm-1", None, jobs=1)  # builds this process's Renderer
    with warm_pool(2, warmup, tmp) as pool, dask_cluster(warmup, tmp) as (dask, startup):
        runs: dict[str, Callable[[Path], float]] = {
            "j1": lambda out: timed_batch(articles, out, None, "j1", jobs=1),
            "j2": lambda out: timed_batch(articles, out, pool, "j2", write_on_worker=True),
            "dask": lambda out: timed_batch(articles, out, dask, "dask"),
            "j2_cold": lambda out: timed_batch(articles, out, None, "j2_cold", jobs=2),
        }
        for i in range(rounds):
            for name, run in runs.items():
                modes[name].append(run(tmp / f"{name}-{i}"))
    result = {name: rate(len(articles), statistics.median(s)) for name, s in modes.items()}
    # Each article's render time inside its worker: if it grows with -j 2, cores were not free.
    render_ms = {m: round(statistics.median(PER_ARTICLE[m]) * 1000) for m in modes}
    pairs = zip(modes["j1"], modes["j2"], strict=True)  # measured back to back in each round
    return {
        "articles_per_s": result,
        "j2_over_j1_per_round": [round(one / two, 2) for one, two in pairs],
        "median_render_ms_in_worker": render_ms,
        "dask_cluster_startup_s": round(startup, 2),
    }


def baselines(articles: list[Path], tmp: Path) -> dict[str, float]:
    """Articles per second of the two baselines on a subset."""
    return {
        "weasyprint_process_per_article": rate(len(articles), process_per_article(articles, tmp)),
        "naive_new_renderer_per_article": rate(len(articles), naive_loop(articles, tmp)),
    }


def status_kb(pid: int, field: str) -> int:
    """A ``VmRSS``/``VmHWM`` line of /proc/<pid>/status, in KiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def memory(articles: list[Path], tmp: Path, every: int = 100) -> dict[str, Any]:
    """RSS of each of two warm workers after every ``every`` articles, and their peak."""
    from printbrief import ItemResult

    samples: dict[int, dict[int, int]] = {}
    pids: set[int] = set()

    def sample(result: ItemResult, done: int, total: int) -> None:
        pids.add(result.worker_pid or 0)
        if done % every == 0:
            samples[done] = {pid: status_kb(pid, "VmRSS") // 1024 for pid in sorted(pids - {0})}

    with warm_pool(2, articles[:8], tmp) as pool:
        from printbrief import render_many

        render_many(
            articles, tmp / "memory", pool, write_on_worker=True, force=True, on_result=sample
        )
        peak = {pid: status_kb(pid, "VmHWM") // 1024 for pid in sorted(pids - {0})}
    return {"rss_mib_by_articles_done": samples, "peak_rss_mib": peak}


# ------------------------------------------------------------------------------- report


def markdown(report: dict[str, Any]) -> str:
    """A short Markdown summary of the run."""
    meta, tp, base = report["meta"], report["throughput"]["articles_per_s"], report["baselines"]
    j1, j2 = tp["j1"], tp["j2"]
    ms = report["throughput"]["median_render_ms_in_worker"]
    lines = [
        f"Measured {meta['date']} on {meta['machine']} (Python {meta['python']}, "
        f"WeasyPrint {meta['weasyprint']}); {meta['articles']} articles in six languages, "
        f"median of {meta['rounds']} interleaved rounds.",
        "",
        "| mode | articles/s | median ms per article in its worker |",
        "|---|---|---|",
        f"| `-j 1` (in process, warm) | {j1} | {ms['j1']} |",
        f"| `-j 2` (warm worker pool) | {j2} | {ms['j2']} |",
        f"| `-j 2` cold (includes starting the workers) | {tp['j2_cold']} | {ms['j2_cold']} |",
        f"| local Dask cluster, 2 workers (warm) | {tp['dask']} | {ms['dask']} |",
        f"| naive loop, new Renderer per article | {base['naive_new_renderer_per_article']} | |",
        f"| `python -m weasyprint`, one process per article | {base['weasyprint_process_per_article']} | |",
        "",
        f"`-j 2` ÷ `-j 1`: {j2 / j1:.2f}× (per round: {report['throughput']['j2_over_j1_per_round']}); "
        f"`-j 2` ÷ process per article: "
        f"{j2 / base['weasyprint_process_per_article']:.1f}×; Dask cluster start: "
        f"{report['throughput']['dask_cluster_startup_s']} s.",
        "",
        "Worker RSS (MiB) by articles done: "
        + "; ".join(f"{n}: {list(v.values())}" for n, v in report["memory"]["rss_mib_by_articles_done"].items())
        + f"; peak per worker: {list(report['memory']['peak_rss_mib'].values())}.",
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> int:
    """Run everything and write bench/batch.json and bench/batch.md."""
    import weasyprint

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=int, default=10, help="articles for the slow baselines")
    parser.add_argument("--memory", type=int, default=500, help="articles for the memory run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        articles = make_articles(tmp / "in", max(args.articles, args.memory))
        report = {
            "throughput": throughput(articles[: args.articles], args.rounds, tmp),
            "baselines": baselines(articles[: args.baseline], tmp),
            "memory": memory(articles[: args.memory], tmp),
        }
    report["meta"] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {platform.system()} {platform.release()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "python": platform.python_version(),
        "weasyprint": weasyprint.__version__,
        "articles": args.articles,
        "rounds": args.rounds,
    }  # fmt: skip
    OUT.mkdir(exist_ok=True)
    (OUT / "batch.json").write_text(json.dumps(report, indent=2) + "\n")
    (OUT / "batch.md").write_text(table := markdown(report))
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
