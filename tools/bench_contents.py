"""Benchmark an issue's cover and contents alone: CPU time and Python calls, before and after.

Generates an issue of N articles (``tools/make_issue.py``, about two pages each), numbers it
as a compile would (page counts fixed here: short articles one page, long ones two), writes
its cover and contents with the theme's ``issue.html.j2`` and renders that document in a
warm process: ``--renders`` times for CPU time, once more under cProfile for the count of
Python calls (which a loaded machine does not change). With ``--before SRC`` another
checkout's ``src`` folder renders the same issue in its own process, the two alternating
every round; the ratios are taken within a round.

    python tools/bench_contents.py [--articles 200] [--rounds 5] [--renders 3] [--before OLD/src]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RENDER = """
import cProfile, json, pstats, statistics, sys, time
from printbrief.issue import plan as planner
from printbrief.issue.load import load_issue
from printbrief.issue.tasks import FRONT_TEMPLATE, issue_renderer
from printbrief.options import RenderOptions
from printbrief.themes import resolve_theme

issue = load_issue(sys.argv[1])
pages = {e.index: 1 + (e.index % 4 == 3) for e in issue.entries}
plan = planner.plan_pages(11, issue.entries, pages)
options = RenderOptions.of(None).check().absolute()
theme = resolve_theme(options.theme, options.theme_paths)
html = theme.render_template(FRONT_TEMPLATE, **planner.front_context(issue, plan))
renderer = issue_renderer(options)
renderer.render_document(html, None)  # warm: fonts, hyphenation, theme CSS
cpu = []
for _ in range(int(sys.argv[2])):
    start = time.process_time()
    done = renderer.render_document(html, None)
    cpu.append(time.process_time() - start)
profile = cProfile.Profile()
profile.enable()
renderer.render_document(html, None)
profile.disable()
calls = pstats.Stats(profile).total_calls
print(json.dumps({"cpu": statistics.median(cpu), "calls": calls, "pages": done.pages}))
"""


def run(src: Path, issue: Path, renders: int) -> dict[str, float]:
    """One fresh process rendering the contents with the printbrief in ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    argv = [sys.executable, "-c", RENDER, str(issue), str(renders)]
    out = subprocess.run(argv, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--renders", type=int, default=3, help="timed renders per process")
    parser.add_argument("--before", help="also render with this other printbrief src folder")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tools"))
    from make_issue import make_issue

    with tempfile.TemporaryDirectory() as folder:
        issue = make_issue(args.articles, Path(folder), scale=2.2)
        kinds = {"after": ROOT / "src", **({"before": Path(args.before)} if args.before else {})}
        rounds = [
            {k: run(src, issue, args.renders) for k, src in kinds.items()}
            for _ in range(args.rounds)
        ]
    for kind in kinds:
        cpu = [r[kind]["cpu"] for r in rounds]
        print(
            f"{kind}: CPU {statistics.median(cpu):.3f} s ({min(cpu):.3f}–{max(cpu):.3f}), "
            f"{rounds[0][kind]['calls']:,} Python calls, {rounds[0][kind]['pages']} pages"
        )
    if args.before:
        ratios = [r["after"]["cpu"] / r["before"]["cpu"] for r in rounds]
        calls = rounds[0]["after"]["calls"] / rounds[0]["before"]["calls"]
        print(
            f"after ÷ before: CPU ×{statistics.median(ratios):.2f} "
            f"({min(ratios):.2f}–{max(ratios):.2f}), Python calls ×{calls:.3f}"
        )


if __name__ == "__main__":
    main()
