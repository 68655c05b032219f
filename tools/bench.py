"""printbrief's benchmark suite: printbrief against its peers on the same articles, in one run.

printbrief runs twice: as shipped, and without its WeasyPrint speed-ups (`printbrief.hotpaths`),
so their gain is measured in the same run. Peers: plain WeasyPrint (a fresh `weasyprint`
process per article; in-process the default way, `HTML(string=…).write_pdf()`; in-process
warm, reusing one FontConfiguration and parsed CSS as careful glue code would), WeasyPrint
with the system's Noto CJK (CJK cases), and headless Chromium through Playwright (Debian's
chromium, warm browser, `page.pdf()`).
Every contender renders the same HTML (printbrief's, stylesheets inlined) and contenders are
interleaved round by round, so machine drift hits all alike: read the ratios, not the ms.

    python tools/bench.py            # full suite → bench/results.{json,md} and the table in docs/performance.md
    python tools/bench.py --quick    # regression guard: fails if printbrief ÷ warm WeasyPrint,
                                     # or the command's start ÷ the `weasyprint` command's,
                                     # is worse than bench/threshold.json allows
"""

from __future__ import annotations

import argparse
import atexit
import gc
import json
import multiprocessing
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
OUT = ROOT / "bench"
CASES = {
    "en-news-brief": "en-news-brief.json",
    "en-feature": "en-feature.md",
    "zh-hans": "zh-hans.json",
    "ja": "ja.json",
    "en-photo-png": "en-photo-png.json",  # made by _source(): the brief with a PNG lead photo
}
SYSTEM_CJK = {"zh-hans": "Noto Sans CJK SC", "ja": "Noto Sans CJK JP"}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


@dataclass
class Case:
    """One article and the HTML every contender renders."""

    name: str
    source: Path
    html: str  # printbrief's document with its CSS inlined
    system_html: str | None  # the same with the system Noto CJK instead of bundled fonts


@cache
def _source(name: str) -> Path:
    """The sample file of a case; en-photo-png is written to a temporary folder on first use."""
    if name != "en-photo-png":
        return SAMPLES / CASES[name]
    from PIL import Image

    folder = Path(tempfile.mkdtemp(prefix="printbrief-bench-"))
    atexit.register(shutil.rmtree, folder, True)
    with Image.open(SAMPLES / "images" / "harbour-dawn.jpg") as photo:
        photo.save(folder / "harbour-dawn.png")  # a camera JPEG saved as PNG, as CMSs do
    article = json.loads((SAMPLES / "en-news-brief.json").read_text("utf-8"))
    article["images"] = [{"src": "harbour-dawn.png", "alt": "Boats moored at dawn",
                          "caption": "Saltgate Quay at dawn"}]  # fmt: skip
    (folder / CASES[name]).write_text(json.dumps(article), "utf-8")
    return folder / CASES[name]


def make_case(name: str, renderer: Any) -> Case:
    """Build a case from its sample."""
    from printbrief import fonts, load

    article = load(_source(name))
    bare = renderer.html(article)
    theme_css = _theme_css(renderer)
    html = standalone_html(renderer, article, bare)
    system_html = None
    if name in SYSTEM_CJK and fonts.system_font(SYSTEM_CJK[name]):
        family = SYSTEM_CJK[name]
        css = f':root, [lang] {{ --pb-text: "{family}"; --pb-display: "{family}"; font-family: var(--pb-text); }}'
        system_html = bare.replace("<head>", f"<head><style>{css}{theme_css}</style>", 1)
    return Case(name, _source(name), html, system_html)


def _theme_css(renderer: Any) -> str:
    sheets = "".join(p.read_text("utf-8") for p in renderer.theme.stylesheets)
    return sheets + "@page { size: 210mm 297mm; }"


def standalone_html(renderer: Any, article: Any, bare: str | None = None) -> str:
    """printbrief's document for ``article`` with its font and theme CSS inlined, for peers."""
    from printbrief import fonts

    bare = bare if bare is not None else renderer.html(article)
    css = fonts.font_face_css(system=False) + _theme_css(renderer)
    return bare.replace("<head>", f"<head><style>{css}</style>", 1)


def ms(fn: Callable[[], object]) -> float:
    """Wall milliseconds of one call, from a collected heap.

    Contenders run in turn in one process: without the collection, one's garbage (a fresh
    FontConfiguration per `weasyprint-plain` call) is collected inside the next one's timing.
    """
    gc.collect()
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def stats(samples: list[float]) -> dict[str, float]:
    """Median and p95 (nearest rank) in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95, 1),
        "n": len(ordered),
    }


# ------------------------------------------------------------------------------ contenders


def warm_contenders(case: Case, renderer: Any, page: Any | None) -> dict[str, Callable[[], bytes]]:
    """In-process contenders for one case, each returning PDF bytes."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from printbrief import load

    article = load(case.source)
    base = case.source.parent.as_uri() + "/"
    glue_fonts = FontConfiguration()
    glue_css = CSS(string=_inline_css(case.html), font_config=glue_fonts, base_url=base)
    bare = _strip_inline_css(case.html)
    found: dict[str, Callable[[], bytes]] = {
        "printbrief": lambda: renderer.render(article),
        "printbrief-plain-paths": lambda: _without_hotpaths(renderer, article),
        "weasyprint-warm": lambda: HTML(string=bare, base_url=base).write_pdf(
            stylesheets=[glue_css], font_config=glue_fonts
        ),
        "weasyprint-plain": lambda: HTML(string=case.html, base_url=base).write_pdf(),
    }
    if case.system_html:
        system_html = case.system_html
        found["weasyprint-system-cjk"] = lambda: HTML(string=system_html, base_url=base).write_pdf()
    if page is not None:
        found["chromium-warm"] = lambda: _chromium_pdf(page, case)
    return found


def _without_hotpaths(renderer: Any, article: Any) -> bytes:
    """printbrief without its WeasyPrint speed-ups (printbrief.hotpaths): their gain, same run."""
    from printbrief import hotpaths

    with hotpaths.only():
        return bytes(renderer.render(article))


def _inline_css(html: str) -> str:
    return html.split("<style>", 1)[1].split("</style>", 1)[0]


def _strip_inline_css(html: str) -> str:
    return html.replace(f"<style>{_inline_css(html)}</style>", "", 1)


def _chromium_pdf(page: Any, case: Case) -> bytes:
    # A file next to the article, so the images and the file:// fonts load as for WeasyPrint.
    path = case.source.parent / f".bench-{case.name}.html"
    path.write_text(case.html, "utf-8")
    try:
        page.goto(path.as_uri(), wait_until="load")
        return bytes(page.pdf(prefer_css_page_size=True, print_background=True))
    finally:
        path.unlink(missing_ok=True)


@contextmanager
def chromium_page() -> Iterator[Any | None]:
    """A warm headless Chromium page, or None when Chromium or Playwright is missing."""
    if not Path(CHROMIUM).exists():
        yield None
        return
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        yield None
        return
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def latency(
    cases: list[Case],
    renderer: Any,
    page: Any | None,
    rounds: int,
    only: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Interleaved warm latency and PDF size of every contender (or those named in ``only``)
    on every case."""
    results: dict[str, Any] = {}
    for case in cases:
        contenders = warm_contenders(case, renderer, page)
        if only:
            contenders = {name: fn for name, fn in contenders.items() if name in only}
        sizes = {name: len(fn()) for name, fn in contenders.items()}  # also warms each one up
        samples: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(rounds):
            for name, fn in contenders.items():
                samples[name].append(ms(fn))
        results[case.name] = {
            name: {**stats(s), "pdf_bytes": sizes[name]} for name, s in samples.items()
        }
    return results


# ------------------------------------------------------------------------------ cold start


def cold_start(case: Case, rounds: int, *, peers: bool = True) -> dict[str, Any]:
    """Process start to first PDF: `printbrief render` (its fast start with warm caches, and
    the plain start), the `weasyprint` command and a fresh Chromium. One untimed run of each
    first: it fills printbrief's start-up caches and the page cache alike. ``peers=False``
    (the quick guard) times the fast start and the `weasyprint` command only."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "a.html"
        page.write_text(case.html, "utf-8")
        printbrief = [str(Path(sys.executable).parent / "printbrief"), "-q", "render",
                      str(case.source), "-o", f"{tmp}/p.pdf"]  # fmt: skip
        env = {**_compiled(tmp), "PRINTBRIEF_START_CACHE": f"{tmp}/start"}
        commands = {
            "printbrief": (printbrief, env),
            "printbrief-plain-start": (printbrief, {**env, "PRINTBRIEF_PLAIN_START": "1"}),
            "weasyprint-cli": ([sys.executable, "-m", "weasyprint", "-u", str(case.source.parent),
                                str(page), f"{tmp}/w.pdf"], env),
        }  # fmt: skip
        if not peers:
            del commands["printbrief-plain-start"]
        elif Path(CHROMIUM).exists():
            script = f"import sys; sys.path.insert(0, {str(ROOT / 'tools')!r}); import bench; bench._cold_chromium({str(page)!r}, {tmp!r})"
            commands["chromium-cold"] = ([sys.executable, "-c", script], env)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for n in range(rounds + 1):
            for name, (command, environ) in commands.items():
                took = _timed_run(command, environ)
                if n:
                    samples[name].append(took)
    return {name: stats(s) for name, s in samples.items()}


def _compiled(tmp: str) -> dict[str, str]:
    """The environment with bytecode kept (in ``tmp``), for every command alike.

    An installed package starts from compiled bytecode (pip compiles it on install), but an
    editable checkout run with ``PYTHONDONTWRITEBYTECODE=1`` compiles printbrief's own modules
    from source on every start while WeasyPrint's come compiled from site-packages. The
    untimed first round writes every command's bytecode under ``tmp``.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": f"{tmp}/pycache"}


def _timed_run(command: list[str], env: dict[str, str]) -> float:
    """Wall milliseconds of one command, to its exit."""
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return (time.perf_counter() - start) * 1000


def _cold_chromium(html_path: str, tmp: str) -> None:
    with chromium_page() as page:
        assert page is not None
        page.goto(Path(html_path).as_uri(), wait_until="load")
        Path(tmp, "c.pdf").write_bytes(page.pdf(prefer_css_page_size=True, print_background=True))


# ------------------------------------------------------------------------------ throughput


def _worker(kind: str, case_name: str, count: int, barrier: Any) -> dict[str, float]:
    """Render ``count`` copies in this process; return seconds and peak RSS (VmHWM, MB).

    Every worker warms up, then waits at ``barrier`` so that all render at the same time.
    """
    from printbrief import Renderer

    renderer = Renderer(system_fonts=False)
    run = warm_contenders(make_case(case_name, renderer), renderer, None)[kind]
    run()
    barrier.wait()
    start = time.perf_counter()
    for _ in range(count):
        run()
    return {"seconds": time.perf_counter() - start, "peak_rss_mb": _vm_hwm_mb()}


def _vm_hwm_mb() -> float:
    text = Path("/proc/self/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", text)
    return round(int(match[1]) / 1024, 1) if match else 0.0


def throughput(case_name: str, per_process: int) -> dict[str, Any]:
    """Articles per second with 1 and 2 worker processes, for printbrief and warm WeasyPrint."""
    from printbrief.scratch import scratch, use_scratch

    context = multiprocessing.get_context("spawn")
    results: dict[str, Any] = {}
    for kind in ("printbrief", "weasyprint-warm"):
        for processes in (1, 2):
            with (
                scratch("bench") as folder,  # Pool.terminate() leaves WeasyPrint's font copies
                context.Manager() as manager,
                context.Pool(processes, use_scratch, (folder,)) as pool,
            ):
                barrier = manager.Barrier(processes)
                start = time.perf_counter()
                jobs = [(kind, case_name, per_process, barrier)] * processes
                runs = pool.starmap(_worker, jobs)
                # Rate over the rendering itself: start-up is in the cold-start table.
                rate = processes * per_process / max(r["seconds"] for r in runs)
            results[f"{kind} x{processes}"] = {
                "articles_per_s": round(rate, 2),
                "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
                "wall_s": round(time.perf_counter() - start, 1),
            }
    return results


def memory_growth(checkpoints: tuple[int, ...]) -> dict[str, dict[str, float]]:
    """RSS and C heap in use of one process after N warm renders cycling through every sample
    (all languages, photos, small caps): flat means nothing leaks per render. One article alone
    hid a leak, and RSS hides a small one: the C heap (glibc's ``mallinfo2``, what Pango,
    HarfBuzz and WeasyPrint's cffi calls allocate) shows a leak of a kilobyte a render."""
    from printbrief import Renderer, load
    from printbrief.batch.plan import expand_inputs

    renderer = Renderer(system_fonts=False)
    articles = [load(p) for p in sorted(expand_inputs([str(SAMPLES)]))]
    found: dict[str, dict[str, float]] = {"rss_mb": {}, "c_heap_mb": {}}
    done = 0
    for target in checkpoints:
        while done < target:
            renderer.render(articles[done % len(articles)])
            done += 1
        gc.collect()
        found["rss_mb"][str(target)] = _vm_rss_mb()
        found["c_heap_mb"][str(target)] = round((c_heap_bytes() or 0) / 2**20, 2)
    return found


def memory_lines(memory: dict[str, dict[str, float]]) -> list[str]:
    """The memory figures as the results' markdown shows them."""

    def row(figures: dict[str, float]) -> str:
        return ", ".join(f"{n}: {mb}" for n, mb in figures.items())

    return [
        "",
        f"printbrief RSS (MB) after N warm renders of the samples in turn, one process: {row(memory['rss_mb'])}",
        "",
        f"C heap in use (MB, glibc's mallinfo2) at the same points: {row(memory['c_heap_mb'])}",
    ]


def wheel_mb() -> float:
    """Size of the wheel ``python -m build`` makes from this checkout (fonts and styles inside)."""
    with tempfile.TemporaryDirectory() as dist:
        subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", dist, str(ROOT)],
                       check=True, capture_output=True, timeout=900)  # fmt: skip
        (wheel,) = Path(dist).glob("printbrief-*.whl")
        return round(wheel.stat().st_size / 1e6, 1)


def renderer_start(rounds: int) -> dict[str, float]:
    """Median seconds to build a Renderer (fonts registered, CSS parsed), and the bytes of
    font files it copied (WeasyPrint copies every @font-face file; printbrief links its own)."""
    from printbrief import Renderer

    times, copied = [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        renderer = Renderer("newsbrief")
        times.append(time.perf_counter() - start)
        folder = Path(renderer.font_config._folder)
        copied = sum(p.stat().st_size for p in folder.iterdir() if not p.is_symlink())
    return {"median_s": round(statistics.median(times), 3), "copied_mb": round(copied / 1e6, 1)}


def _vm_rss_mb() -> float:
    match = re.search(r"VmRSS:\s+(\d+) kB", Path("/proc/self/status").read_text())
    return round(int(match[1]) / 1024, 1) if match else 0.0


def c_heap_bytes() -> int | None:
    """Bytes glibc's allocator has handed out and not got back (``mallinfo2``: what Pango,
    HarfBuzz and cffi calls allocate, and Python's larger objects), or None without glibc."""
    import ctypes

    fields = ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
              "uordblks", "fordblks", "keepcost")  # fmt: skip

    class Info(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in fields]

    mallinfo2 = getattr(ctypes.CDLL(None), "mallinfo2", None)
    if mallinfo2 is None:
        return None
    mallinfo2.restype = Info
    return int(mallinfo2().uordblks)


# ------------------------------------------------------------------------------ report


def markdown(report: dict[str, Any]) -> str:
    """The tables, as docs/performance.md shows them."""
    meta = report["meta"]
    lines = [
        f"Measured {meta['date']} on {meta['machine']} (Python {meta['python']}, WeasyPrint {meta['weasyprint']}, {meta['chromium']}).",
        "",
    ]
    names = [
        "printbrief",
        "printbrief-plain-paths",
        "weasyprint-warm",
        "weasyprint-plain",
        "weasyprint-system-cjk",
        "chromium-warm",
    ]
    lines += ["Warm latency, median / p95 ms (PDF KB); ratio = printbrief ÷ contender:", ""]
    lines += ["| case | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for case, row in report["latency"].items():
        cells = []
        for name in names:
            r = row.get(name)
            ratio = (
                f", ×{row['printbrief']['median_ms'] / r['median_ms']:.2f}"
                if r and name != "printbrief"
                else ""
            )
            cells.append(
                f"{r['median_ms']} / {r['p95_ms']} ({r['pdf_bytes'] // 1024} KB{ratio})"
                if r
                else "–"
            )
        lines.append(f"| {case} | " + " | ".join(cells) + " |")
    cold = report["cold_start"]
    lines += [
        "",
        "Cold start to first PDF (process start included), median ms: "
        + ", ".join(f"{k} {v['median_ms']}" for k, v in cold.items()),
    ]
    if "printbrief" in cold and "weasyprint-cli" in cold:
        lines[-1] += (
            f"; printbrief ÷ weasyprint CLI ×{cold['printbrief']['median_ms'] / cold['weasyprint-cli']['median_ms']:.2f}"
        )
    lines += [
        "",
        "Throughput (en-news-brief): "
        + ", ".join(
            f"{k}: {v['articles_per_s']}/s, peak RSS {v['peak_rss_mb']} MB"
            for k, v in report["throughput"].items()
        ),
    ]
    lines += memory_lines(report["memory"])
    start = report.get("renderer_start")
    if start:
        lines += ["", f"Renderer() {start['median_s']} s, font files copied {start['copied_mb']} MB; "
                      f"wheel {report.get('wheel_mb')} MB"]  # fmt: skip
    return "\n".join([*lines, "", *aims(report)]) + "\n"


ENGLISH = ("en-news-brief", "en-feature", "en-photo-png")


def aims(report: dict[str, Any]) -> list[str]:
    """The aims, each checked against this run's ratios."""
    latency, cold = report["latency"], report["cold_start"]

    def ratios(cases: tuple[str, ...], peer: str, limit: float) -> tuple[str, str]:
        found = {c: _ratio(latency.get(c, {}), peer) for c in cases}
        shown = ", ".join(f"{c} ×{r:.2f}" for c, r in found.items() if r is not None)
        met = sum(r is not None and r <= limit for r in found.values())
        return shown or "not measured", f"{met} of {len(found)}"

    rows = [
        ("warm English ≤ 0.8× warm WeasyPrint (glue)", *ratios(ENGLISH, "weasyprint-warm", 0.8)),
        ("warm English ≤ 0.8× WeasyPrint, default use", *ratios(ENGLISH, "weasyprint-plain", 0.8)),
        ("warm English ≤ 0.8× Chromium", *ratios(ENGLISH, "chromium-warm", 0.8)),
        ("long feature ≤ 1.0× Chromium", *ratios(("en-feature",), "chromium-warm", 1.0)),
        ("Chinese ≤ 0.4× Chromium", *ratios(("zh-hans",), "chromium-warm", 0.4)),
    ]
    if "printbrief" in cold and "weasyprint-cli" in cold:
        r = cold["printbrief"]["median_ms"] / cold["weasyprint-cli"]["median_ms"]
        rows.append(("cold CLI ≤ 0.8× `weasyprint` CLI", f"×{r:.2f}", "yes" if r <= 0.8 else "no"))
    smaller = [c for c, row in latency.items() if _size_ratio(row) is not None]
    fits = [c for c in smaller if (_size_ratio(latency[c]) or 2) <= 1]
    sizes = ", ".join(f"{c} ×{_size_ratio(latency[c]):.2f}" for c in smaller)
    rows.append(("PDF size ≤ Chromium's", sizes, f"{len(fits)} of {len(smaller)}"))
    head = ["Aims in this run (ratio = printbrief ÷ peer):", "",
            "| aim | measured | met |", "|---|---|---|"]  # fmt: skip
    return head + [f"| {a} | {m} | {ok} |" for a, m, ok in rows]


def _ratio(row: dict[str, Any], peer: str) -> float | None:
    if "printbrief" not in row or peer not in row:
        return None
    return float(row["printbrief"]["median_ms"] / row[peer]["median_ms"])


def _size_ratio(row: dict[str, Any]) -> float | None:
    if "printbrief" not in row or "chromium-warm" not in row:
        return None
    return float(row["printbrief"]["pdf_bytes"] / row["chromium-warm"]["pdf_bytes"])


def update_docs(table: str) -> None:
    """Replace the text between the bench markers of docs/performance.md."""
    readme = ROOT / "docs" / "performance.md"
    text = readme.read_text("utf-8")
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        readme.write_text(f"{head}{start}\n{table}{end}{rest.split(end, 1)[1]}", "utf-8")


QUICK = ("printbrief", "weasyprint-warm")
"""The contenders the quick guard times (its limits are ratios of these two)."""


def quick(rounds: int, cold_rounds: int) -> int:
    """Regression guard: each ratio must stay within the checked-in bench/threshold.json."""
    from printbrief import Renderer

    limits = json.loads((OUT / "threshold.json").read_text())
    renderer = Renderer(system_fonts=False)
    measured: dict[str, float] = {}
    for name in limits["printbrief_vs_weasyprint_warm"]:
        result = latency([make_case(name, renderer)], renderer, None, rounds, QUICK)[name]
        ms_of = {contender: result[contender]["median_ms"] for contender in result}
        measured[f"printbrief_vs_weasyprint_warm.{name}"] = (
            ms_of["printbrief"] / ms_of["weasyprint-warm"]
        )
        print(f"{name}: " + ", ".join(f"{c} {v} ms" for c, v in ms_of.items()))
    cold = cold_start(make_case("en-news-brief", renderer), cold_rounds, peers=False)
    measured["cold_cli_vs_weasyprint_cli"] = (
        cold["printbrief"]["median_ms"] / cold["weasyprint-cli"]["median_ms"]
    )
    print(f"cold start: printbrief {cold['printbrief']['median_ms']} ms, "
          f"`weasyprint` {cold['weasyprint-cli']['median_ms']} ms")  # fmt: skip
    failed = over_limits(measured, limits)
    for key, value in measured.items():
        print(
            f"{key}: {value:.2f} (limit {limit_of(limits, key)}){' OVER' if key in failed else ''}"
        )
    return 1 if failed else 0


def limit_of(limits: dict[str, Any], key: str) -> float:
    """The limit for ``key``: a number, or a case's entry of a per-case table ("ratio.case").

    >>> limit_of({"a": 0.9, "b": {"x": 1.1}}, "b.x"), limit_of({"a": 0.9}, "a")
    (1.1, 0.9)
    """
    ratio, _, case = key.partition(".")
    found = limits[ratio]
    return float(found[case] if case else found)


def over_limits(measured: dict[str, float], limits: dict[str, Any]) -> list[str]:
    """The measured ratios over their limits.

    >>> over_limits({"a": 0.95, "b.x": 1.2, "b.y": 1.2}, {"a": 0.9, "b": {"x": 1.1, "y": 1.3}})
    ['a', 'b.x']
    """
    return [key for key, value in measured.items() if value > limit_of(limits, key)]


def main() -> int:
    """Run the suite (or --quick) and write the results."""
    import weasyprint

    from printbrief import Renderer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--cold-rounds", type=int, default=5)
    parser.add_argument("--per-process", type=int, default=40)
    args = parser.parse_args()
    if args.quick:
        return quick(args.rounds, args.cold_rounds)
    renderer = Renderer(system_fonts=False)
    cases = [make_case(name, renderer) for name in CASES]
    with chromium_page() as page:
        report: dict[str, Any] = {"latency": latency(cases, renderer, page, args.rounds)}
    report["cold_start"] = cold_start(cases[0], args.cold_rounds)
    report["throughput"] = throughput(cases[0].name, args.per_process)
    report["memory"] = memory_growth((100, 500, 1000, 1500, 2000))
    report["renderer_start"] = renderer_start(args.cold_rounds)
    report["wheel_mb"] = wheel_mb()
    report["meta"] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "weasyprint": weasyprint.__version__,
        "chromium": _chromium_version(),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    table = markdown(report)
    (OUT / "results.md").write_text(table)
    update_docs(table)
    print(table)
    return 0


def _chromium_version() -> str:
    if not Path(CHROMIUM).exists():
        return "no Chromium"
    out = subprocess.run(
        [CHROMIUM, "--version"], capture_output=True, text=True, check=False
    ).stdout
    return " ".join(out.split()[:2]) or "Chromium"


if __name__ == "__main__":
    sys.exit(main())
