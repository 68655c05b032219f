"""CJK figures in one run: zh-Hans and ja warm render time and PDF size before and after the
CJK layout and the serif CJK faces, RSS over 2,000 renders, and the wheel's size.

"Before" is printbrief's render with WeasyPrint's own line layout and a sans CJK body (as
printbrief set CJK before its CJK layout and serif faces); "layout" adds the CJK layout
(justification, Korean keep-all, ruby, balanced headlines, line-edge punctuation); "after"
is as shipped (the layout, and the newsbrief theme's serif CJK body). The three renderers
take turns round by round, each call from a collected heap, so machine drift hits all alike.

    python tools/bench_cjk.py                 # → bench/cjk-results.{json,md}
    python tools/bench_cjk.py --no-memory     # skip the 2,000 renders and the wheel
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import OUT, SAMPLES, memory_growth, memory_lines, ms, stats, wheel_mb

CASES = {"zh-hans": "zh-hans.json", "ja": "ja.json"}
VARIANTS = ("before", "layout", "after")


def contenders(sans_theme: Path) -> dict[str, Callable[[Any], bytes]]:
    """One render function per variant, each with its own warm renderer."""
    from printbrief import Renderer, cjk

    sans = Renderer(str(sans_theme), system_fonts=False)
    serif = Renderer("newsbrief", system_fonts=False)

    def before(article: Any) -> bytes:
        with cjk.weasyprint_layout():
            return bytes(sans.render(article))

    return {
        "before": before,
        "layout": lambda article: bytes(sans.render(article)),
        "after": lambda article: bytes(serif.render(article)),
    }


def latency(rounds: int) -> dict[str, Any]:
    """Interleaved warm latency and PDF size of each variant on each case."""
    from printbrief import load

    with tempfile.TemporaryDirectory() as folder:
        theme = Path(folder) / "newsbrief-sans"
        theme.mkdir()
        (theme / "theme.json").write_text('{"extends": "newsbrief", "cjk_text": "sans"}')
        runs = contenders(theme)
        results: dict[str, Any] = {}
        for case, file in CASES.items():
            article = load(SAMPLES / file)
            sizes = {name: len(run(article)) for name, run in runs.items()}  # warms each up
            samples: dict[str, list[float]] = {name: [] for name in runs}
            for _ in range(rounds):
                for name, run in runs.items():
                    samples[name].append(ms(lambda run=run, article=article: run(article)))
            results[case] = {n: {**stats(s), "pdf_bytes": sizes[n]} for n, s in samples.items()}
    return results


def markdown(report: dict[str, Any]) -> str:
    """The tables, as docs/cjk.md quotes them."""
    lines = [f"Measured {report['date']} ({report['rounds']} interleaved rounds, A4, newsbrief).",
             "", "Warm render, median / p95 ms (PDF KB); ratio = variant ÷ before:", "",
             "| case | " + " | ".join(VARIANTS) + " |", "|---" * (len(VARIANTS) + 1) + "|"]  # fmt: skip
    for case, row in report["latency"].items():
        base = row["before"]["median_ms"]
        cells = [
            f"{r['median_ms']} / {r['p95_ms']} ({r['pdf_bytes'] / 1024:.1f} KB, ×{r['median_ms'] / base:.2f})"
            for r in (row[v] for v in VARIANTS)
        ]
        lines.append(f"| {case} | " + " | ".join(cells) + " |")
    if "memory" in report:
        lines += memory_lines(report["memory"])
        lines += ["", f"Wheel: {report['wheel_mb']} MB"]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Measure and write bench/cjk-results.{json,md}."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)  # 15 read the same code ×0.96–1.18
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args()
    report: dict[str, Any] = {"rounds": args.rounds, "latency": latency(args.rounds)}
    if not args.no_memory:
        report["memory"] = memory_growth((100, 500, 1000, 1500, 2000))
        report["wheel_mb"] = wheel_mb()
    report["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    OUT.mkdir(exist_ok=True)
    (OUT / "cjk-results.json").write_text(json.dumps(report, indent=2) + "\n")
    table = markdown(report)
    (OUT / "cjk-results.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
