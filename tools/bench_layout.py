"""The page layout's cost, before and after: one article and a whole issue, two source trees.

Renders the long test feature (tests/pagecases.py) and compiles a 50-article issue
(tools/make_issue.py at the scale tools/bench_issue.py uses, ``-j 1``, no cache) with this
checkout's ``src`` and with another checkout's (``--before``), in fresh processes that
alternate round by round (which goes first flips every round), so load on a shared machine
hits both alike: read the ratios. Each is timed on the clock and in the process's CPU time
(``_cpu``: less disturbed by other processes, though caches shared with them still are).
It also counts the pages of a section of short news briefs, each article on its own pages
and run on (``"flow": "continuous"``, where the code knows it).

    python tools/bench_layout.py --before /path/to/old/src [--rounds 5] [--renders 3]
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tools")]

# Runs in the measured process: PYTHONPATH picks the source tree; argv: article, issue, renders.
CHILD = r"""
import io, json, sys, time
import pypdf
from printbrief import Renderer, compile_issue, load
article, issue, renders = json.loads(open(sys.argv[1]).read()), sys.argv[2], int(sys.argv[3])
renderer = Renderer("newsbrief", paper="A4", system_fonts=False)
renderer.render(load(article))  # warm: fonts, stylesheets
times, cpu = [], []
for _ in range(renders):
    start, start_cpu = time.perf_counter(), time.process_time()
    pdf = renderer.render(load(article))
    times.append(time.perf_counter() - start)
    cpu.append(time.process_time() - start_cpu)
pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)  # the old code's render gave bare bytes
start, start_cpu = time.perf_counter(), time.process_time()
compiled = compile_issue(issue, jobs=1, use_cache=False, theme="newsbrief", paper="A4")
print(json.dumps({"feature": min(times), "feature_pages": pages, "feature_cpu": min(cpu),
                  "issue": time.perf_counter() - start, "issue_pages": compiled.pages,
                  "issue_cpu": time.process_time() - start_cpu}))
"""

BRIEFS = r"""
import json, sys
from printbrief import compile_issue
try:
    pages = compile_issue(json.loads(sys.argv[1]), jobs=1, use_cache=False).pages
except Exception as error:  # the old code refuses an issue's "sections" it does not know
    pages = repr(error)[:80]
print(json.dumps(pages))
"""


def run(code: str, src: Path, *args: str) -> Any:
    """``code`` in a fresh Python with ``src`` first on its path; its printed JSON."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"{src}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def briefs_issue(flow: str | None) -> dict[str, Any]:
    """Eight short news briefs and a back page; the briefs' section run on when ``flow``."""
    import pagecases

    paragraphs = pagecases._PARAGRAPHS
    articles: list[dict[str, Any]] = [
        {"section": "News Brief", "headline": f"Brief {n}: a notice from the harbour office",
         "byline": "By the news desk", "body": "\n\n".join(paragraphs[: 1 + n % 3])}
        for n in range(8)
    ]  # fmt: skip
    articles.append({"section": "Back page", "headline": "Tide table", "body": "High water."})
    issue: dict[str, Any] = {"title": "Briefs", "date": "2026-05-04", "articles": articles}
    if flow:
        issue["sections"] = {"News Brief": {"flow": flow}}
    return issue


def rounds(before: Path, count: int, renders: int, folder: Path) -> list[dict[str, Any]]:
    """``count`` rounds of one measured process per source tree, the order flipped each round."""
    import make_issue
    import pagecases

    (folder / "feature.json").write_text(json.dumps(pagecases.long_feature()))
    issue = make_issue.make_issue(50, folder / "issue", scale=2.2)  # about two pages each
    args = (str(folder / "feature.json"), str(issue), str(renders))
    found = []
    for number in range(count):
        trees = [("before", before), ("after", ROOT / "src")]
        result = {name: run(CHILD, src, *args) for name, src in trees[:: -1 if number % 2 else 1]}
        print(f"round {number + 1}: {json.dumps(result)}", file=sys.stderr)
        found.append(result)
    return found


def ratios(found: list[dict[str, Any]], key: str) -> str:
    """After ÷ before for ``key``: the median and range over the rounds."""
    values = [r["after"][key] / r["before"][key] for r in found]
    return f"×{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="the old checkout's src")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--renders", type=int, default=3, help="timed renders of the feature")
    args = parser.parse_args()
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="printbrief-bench-layout-") as tmp:
        found = rounds(args.before, args.rounds, args.renders, Path(tmp))
    briefs = {
        f"{tree}, {flow or 'pages'}": run(BRIEFS, src, json.dumps(briefs_issue(flow)))
        for tree, src in (("before", args.before), ("after", ROOT / "src"))
        for flow in (None, "continuous")
    }
    print(f"{platform.machine()}, {os.cpu_count()} cores; load average {load} before, "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} after; {args.rounds} rounds")  # fmt: skip
    for key in ("feature", "issue", "feature_cpu", "issue_cpu"):
        times = {t: statistics.median(r[t][key] for r in found) for t in ("before", "after")}
        print(f"- {key}: before {times['before']:.2f} s, after {times['after']:.2f} s (medians); "
              f"after ÷ before {ratios(found, key)}")  # fmt: skip
    print(
        f"- pages: feature {found[0]['before']['feature_pages']} → "
        f"{found[0]['after']['feature_pages']}, 50-article issue "
        f"{found[0]['before']['issue_pages']} → {found[0]['after']['issue_pages']}"
    )
    print(f"- 8 briefs + a back page, issue pages: {json.dumps(briefs, ensure_ascii=False)}")


if __name__ == "__main__":
    main()
