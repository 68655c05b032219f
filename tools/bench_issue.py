"""Benchmark whole issues: -j 1, -j 2, incremental re-compiles, and one plain WeasyPrint pass.

For each size (10, 50, 200 generated articles, about two pages each) it measures, every run
in a fresh process: a clean compile with -j 1 and with -j 2, a re-compile after editing one
article (its page count unchanged, then changed), and plain WeasyPrint rendering the same
articles concatenated into one HTML document. Wall time, CPU time, peak memory of the whole
process tree (sampled from /proc) and file sizes go to bench/issue-results.{json,md}.

    python tools/bench_issue.py [--sizes 10,50,200] [--rounds N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
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

COMPILE = """
import json, sys
from printbrief import compile_issue
r = compile_issue(sys.argv[1], sys.argv[2], jobs=int(sys.argv[3]), cache_dir=sys.argv[4])
print(json.dumps({"pages": r.pages, "rendered": len(r.rendered), "reused": len(r.reused),
                  "bytes": len(r.pdf), "stages": r.seconds}))
"""

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
    """Peak resident memory of a process and all its descendants, sampled every 20 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, False

    def run(self) -> None:
        while not self.done:
            self.peak = max(self.peak, tree_rss(self.pid))
            time.sleep(0.02)


def tree_rss(root: int) -> int:
    """Bytes resident in ``root`` and its descendants, now."""
    parents: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        with contextlib.suppress(OSError):  # the process may have ended since the listing
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        todo += parents.get(pid, [])
    return total


def measure(argv: list[str]) -> dict[str, Any]:
    """Run a command; wall and CPU seconds (with its children), peak tree memory, stdout."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = TreeMemory(process.pid)
    sampler.start()
    out, err = process.communicate()
    wall = time.perf_counter() - start
    sampler.done = True
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{argv[:3]} failed:\n{err}")
    return {"wall": wall, "peak_mb": sampler.peak / 2**20, "stdout": out}


def cpu_seconds() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


def compile_run(issue: Path, out: Path, jobs: int, cache: Path) -> dict[str, Any]:
    """One compile in a fresh interpreter (imports included, as a user would see it)."""
    before = cpu_seconds()
    argv = [sys.executable, "-c", COMPILE, str(issue), str(out), str(jobs), str(cache)]
    result = measure(argv)
    result.update(json.loads(result.pop("stdout").strip().splitlines()[-1]))
    result["cpu"] = cpu_seconds() - before
    return result


def single_pass(issue: Path, folder: Path) -> dict[str, Any]:
    """Plain WeasyPrint on one HTML document with every article of the issue."""
    html = folder / "single.html"
    html.write_text(single_html(issue), "utf-8")
    before = cpu_seconds()
    result = measure([sys.executable, "-c", SINGLE_PASS, str(html), str(folder / "single.pdf")])
    result["pages"] = int(result.pop("stdout").strip())
    result["cpu"] = cpu_seconds() - before
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


def bench_size(count: int, folder: Path, rounds: int) -> dict[str, Any]:
    """Every measurement for one issue size; with several rounds, each run's fastest."""
    issue = make_issue(count, folder / "issue", scale=SCALE)
    runs: list[dict[str, Any]] = []
    for n in range(rounds):  # rounds interleave the kinds of run, so drifting load hits all
        shutil.rmtree(folder / "cache1", ignore_errors=True)
        shutil.rmtree(folder / "cache2", ignore_errors=True)
        make_issue(count, folder / "issue", scale=SCALE)  # undo the previous round's edits
        row: dict[str, Any] = {"articles": count}
        row["j1"] = compile_run(issue, folder / "j1.pdf", 1, folder / "cache1")
        row["j2"] = compile_run(issue, folder / "j2.pdf", 2, folder / "cache2")
        edit(issue, grow=False)
        row["incremental"] = compile_run(issue, folder / "inc.pdf", 1, folder / "cache1")
        edit(issue, grow=True)
        row["incremental_grown"] = compile_run(issue, folder / "inc2.pdf", 1, folder / "cache1")
        row["single_pass"] = single_pass(issue, folder)
        row["chromium"] = chromium_pass(folder)
        print(
            f"  round {n + 1}: "
            + ", ".join(f"{k} {v['wall']:.1f} s" for k, v in row.items() if isinstance(v, dict)),
            file=sys.stderr,
            flush=True,
        )
        runs.append(row)
    return {
        key: count if key == "articles" else _fastest([r[key] for r in runs]) for key in runs[0]
    }


def _fastest(runs: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    measured = [run for run in runs if run is not None]
    return min(measured, key=lambda run: run["wall"]) if measured else None


def markdown(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The results as a Markdown table with the ratios the issue asks about."""
    lines = [
        f"Machine: {meta['machine']}; load average {meta['load_before']} before, {meta['load_after']} after; "
        f"fastest of {meta['rounds']} round(s). Wall seconds (fresh process each, imports included), "
        "peak MB of the process tree.",
        "",
        "| articles | pages | -j 1 | -j 2 | speed-up | incremental (1 edit) | incr. / clean | incr., pages changed | single pass (plain WeasyPrint) | merged / single-pass size |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    for r in rows:
        j1, j2, inc, grown, one = (
            r["j1"],
            r["j2"],
            r["incremental"],
            r["incremental_grown"],
            r["single_pass"],
        )
        lines.append(
            f"| {r['articles']} | {j1['pages']} | {j1['wall']:.1f} s, {j1['peak_mb']:.0f} MB "
            f"| {j2['wall']:.1f} s, {j2['peak_mb']:.0f} MB | {j1['wall'] / j2['wall']:.2f}× "
            f"| {inc['wall']:.2f} s, {inc['peak_mb']:.0f} MB (rendered {inc['rendered']}) "
            f"| {inc['wall'] / j1['wall']:.1%} | {grown['wall']:.2f} s ({grown['pages']} pages, rendered {grown['rendered']}) "
            f"| {one['wall']:.1f} s, {one['peak_mb']:.0f} MB, {one['pages']} pages "
            f"| {j1['bytes'] / 1024:.0f} / {one['bytes'] / 1024:.0f} KB = {j1['bytes'] / one['bytes']:.2f}× |"
        )  # fmt: skip
    lines += ["", "Against headless Chromium printing the same articles as one document (its contents "
              "would be numbered wrong, but users compare the wait; aim: -j 2 ≤ 2×):", ""]  # fmt: skip
    for r in rows:
        if r.get("chromium"):
            c = r["chromium"]
            lines.append(f"- {r['articles']} articles: Chromium {c['wall']:.1f} s, {c['peak_mb']:.0f} MB; "
                         f"-j 2 ÷ Chromium ×{r['j2']['wall'] / c['wall']:.2f}")  # fmt: skip
    lines += ["", "Seconds per stage of the clean -j 1 compile (in-process):", ""]
    for r in rows:
        stages = ", ".join(f"{k} {v:.2f}" for k, v in r["j1"]["stages"].items())
        lines.append(f"- {r['articles']} articles: {stages}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,50,200")
    parser.add_argument("--rounds", type=int, default=1, help="keep each run's fastest of N")
    args = parser.parse_args()
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
            rows.append(bench_size(count, Path(tmp) / str(count), args.rounds))
    meta["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    OUT.mkdir(exist_ok=True)
    (OUT / "issue-results.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    table = markdown(rows, meta)
    (OUT / "issue-results.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
