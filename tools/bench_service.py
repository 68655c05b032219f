"""Benchmark the print-button service against a warm in-process Renderer and plain WeasyPrint.

One article, all contenders in one run, interleaved so that machine drift hits them alike:
a warm in-process ``Renderer``; ``python -m weasyprint`` in a fresh process per request on the
same HTML; and ``printbrief serve`` (2 workers) on 127.0.0.1 for cache misses, cache hits and
throughput. Results go to bench/service.json and bench/service.md.

    python tools/bench_service.py [--rounds 30] [--cli-rounds 8] [--throughput 60]
"""

from __future__ import annotations

import argparse
import http.client
import json
import platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from bench import ms as timed  # noqa: E402
from bench import standalone_html  # noqa: E402
from bench import stats as summary  # noqa: E402

ARTICLE = ROOT / "samples" / "en-news-brief.json"
OUT = ROOT / "bench"


@contextmanager
def service(workers: int) -> Iterator[int]:
    """``printbrief serve`` on a free loopback port; yields the port, stops it after."""
    cmd = [sys.executable, "-c", "from printbrief.cli import run; run()", "-q", "serve",
           "--host", "127.0.0.1", "--port", "0", "--workers", str(workers), "--queue", "64"]  # fmt: skip
    # uvicorn's access log goes to stdout; the start-up line we need goes to stderr.
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        if match := re.search(r"running on http://127\.0\.0\.1:(\d+)", line):
            break
    else:
        raise SystemExit("printbrief serve did not start")
    threading.Thread(target=lambda: [None for _ in proc.stderr or ()], daemon=True).start()
    try:
        yield int(match.group(1))
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)


class Client:
    """One keep-alive connection posting articles to /v1/render."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def render(self, article: dict[str, Any]) -> bytes:
        """POST one article and return the PDF (raising on any other answer)."""
        headers = {"Content-Type": "application/json"}
        self.conn.request("POST", "/v1/render", json.dumps(article), headers)
        response = self.conn.getresponse()
        body = response.read()
        if response.status != 200 or not body.startswith(b"%PDF-"):
            raise RuntimeError(f"HTTP {response.status}: {body[:200]!r}")
        return body


def throughput(port: int, article: dict[str, Any], requests: int, clients: int) -> float:
    """Cache-missing renders per second with ``clients`` concurrent connections."""
    counter = iter(range(requests))
    lock = threading.Lock()

    def run() -> None:
        client = Client(port)
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            client.render({**article, "id": f"throughput-{time.time_ns()}-{index}"})

    return requests / _timed_threads(run, clients)


def _timed_threads(run: Callable[[], None], clients: int) -> float:
    """Seconds for ``clients`` threads each running ``run`` until the work runs out."""
    threads = [threading.Thread(target=run) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def process_throughput(cmd: list[str], requests: int, clients: int) -> float:
    """Requests per second when every request starts its own WeasyPrint process."""
    counter, lock = iter(range(requests)), threading.Lock()

    def run() -> None:
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            subprocess.run(cmd, check=True, capture_output=True)

    return requests / _timed_threads(run, clients)


def _render_loop(renders: int, ready: Any, go: Any) -> None:
    from printbrief import Renderer, load

    renderer, article = Renderer("newsbrief"), load(ARTICLE)
    for _ in range(3):
        renderer.render(article)
    ready.release()
    go.wait()
    for _ in range(renders):
        renderer.render(article)


def renderer_processes(processes: int, renders: int) -> float:
    """Renders per second of ``processes`` warm Renderers in their own processes (no HTTP)."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    ready, go = ctx.Semaphore(0), ctx.Event()
    procs = [ctx.Process(target=_render_loop, args=(renders, ready, go)) for _ in range(processes)]
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.acquire()
    started = time.perf_counter()
    go.set()
    for proc in procs:
        proc.join()
    return processes * renders / (time.perf_counter() - started)


def measure(rounds: int, cli_rounds: int, requests: int) -> dict[str, Any]:
    """Interleaved latencies, then throughputs, for one article."""
    from printbrief import Renderer, load

    data = json.loads(ARTICLE.read_text("utf-8"))
    article = load(ARTICLE)
    renderer = Renderer("newsbrief")
    for _ in range(3):
        renderer.render(article)
    with tempfile.TemporaryDirectory() as tmp, service(workers=2) as port:
        page = Path(tmp) / "article.html"
        page.write_text(standalone_html(renderer, article), "utf-8")
        cli = [sys.executable, "-m", "weasyprint", str(page), str(Path(tmp) / "o.pdf")]
        client = Client(port)
        for i in range(4):  # both workers warm, the hit entry cached
            client.render({**data, "id": f"warm-{i}"})
        client.render(data)
        runs: dict[str, Callable[[], object]] = {
            "renderer_in_process": lambda: renderer.render(article),
            "service_cache_miss": lambda: client.render({**data, "id": f"m-{time.time_ns()}"}),
            "service_cache_hit": lambda: client.render(data),
        }
        samples: dict[str, list[float]] = {k: [] for k in [*runs, "weasyprint_process"]}
        for i in range(rounds):
            for key, fn in runs.items():
                samples[key].append(timed(fn))
            if i < cli_rounds:
                samples["weasyprint_process"].append(timed(lambda: subprocess.run(cli, check=True, capture_output=True)))  # fmt: skip
        result: dict[str, Any] = {k: summary(v) for k, v in samples.items()}
        result["throughput_rps"] = {
            "service_2_workers_misses": round(throughput(port, data, requests, clients=4), 2),
            "renderer_in_process_1_core": round(1000 / result["renderer_in_process"]["median_ms"], 2),
            "renderer_2_processes_no_http": round(renderer_processes(2, requests // 2), 2),
            "weasyprint_process_2_concurrent": round(process_throughput(cli, max(4, requests // 6), 2), 2),
        }  # fmt: skip
    med = {k: v["median_ms"] for k, v in result.items() if "median_ms" in v}
    result["miss_vs_renderer"] = round(med["service_cache_miss"] / med["renderer_in_process"], 3)
    result["miss_vs_weasyprint_process"] = round(
        med["service_cache_miss"] / med["weasyprint_process"], 3
    )
    return result


def markdown(result: dict[str, Any], meta: dict[str, str]) -> str:
    """A Markdown table of the run."""
    rows = [
        ("warm in-process `Renderer`", "renderer_in_process"),
        ("service, cache miss", "service_cache_miss"),
        ("service, cache hit", "service_cache_hit"),
        ("`python -m weasyprint` per request", "weasyprint_process"),
    ]
    lines = [
        f"Measured {meta['date']} on {meta['machine']} (Python {meta['python']}; "
        f"load average before the run {meta['load_before'] or 'unknown'}).",
        "",
        "| one article (en-news-brief) | median ms | p95 ms | n |",
        "|---|---|---|---|",
    ]
    lines += [f"| {label} | {result[k]['median_ms']} | {result[k]['p95_ms']} | {result[k]['n']} |" for label, k in rows]  # fmt: skip
    tp = result["throughput_rps"]
    lines += [
        "",
        f"Cache miss ÷ warm Renderer: **{result['miss_vs_renderer']}**; "
        f"cache miss ÷ WeasyPrint process: {result['miss_vs_weasyprint_process']}.",
        "",
        f"Throughput (renders/s): service with 2 workers {tp['service_2_workers_misses']}, "
        f"one warm in-process Renderer {tp['renderer_in_process_1_core']} (1000 ÷ median), "
        f"two warm Renderers in two processes without HTTP {tp['renderer_2_processes_no_http']}, "
        f"WeasyPrint process per request, 2 at a time, {tp['weasyprint_process_2_concurrent']}.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Run the benchmark and write bench/service.json and bench/service.md."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--cli-rounds", type=int, default=8)
    parser.add_argument("--throughput", type=int, default=60, help="requests per throughput run")
    args = parser.parse_args()
    result = measure(args.rounds, args.cli_rounds, args.throughput)
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {platform.system()} {platform.release()}, "
        f"{_cores()} cores",
        "python": platform.python_version(),
        "load_before": " ".join(Path("/proc/loadavg").read_text().split()[:3])
        if Path("/proc/loadavg").exists()
        else "",
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "service.json").write_text(json.dumps({"meta": meta, "result": result}, indent=2) + "\n")
    table = markdown(result, meta)
    (OUT / "service.md").write_text(table)
    print(table)
    return 0


def _cores() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
