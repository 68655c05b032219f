"""Benchmark: printbrief's warm Renderer against plain WeasyPrint on the same HTML, in one run.

Absolute times on shared machines drift 2x within minutes, so every figure is also given as a
ratio to a baseline measured interleaved with it. Results go to bench/results.json and
bench/results.md.

    python tools/bench.py [--rounds N] [--cases en-news-brief,zh-hans]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
OUT = ROOT / "bench"
CASES = {
    "en-news-brief": "en-news-brief.json",
    "en-feature": "en-feature.md",
    "zh-hans": "zh-hans.json",
    "ja": "ja.json",
}


def standalone_html(renderer: object, article: object) -> str:
    """The document printbrief lays out, with its stylesheets inlined, for plain WeasyPrint."""
    html = renderer.html(article)  # type: ignore[attr-defined]
    from printbrief import fonts

    css = fonts.font_face_css() + "".join(p.read_text("utf-8") for p in renderer.theme.stylesheets)  # type: ignore[attr-defined]
    css += "@page { size: 210mm 297mm; }"
    return html.replace("<head>", f"<head><style>{css}</style>", 1)


def timed(fn: Callable[[], object]) -> float:
    """Wall milliseconds of one call."""
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def summary(samples: list[float]) -> dict[str, float]:
    """Median and p95 in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95, 1),
        "n": len(ordered),
    }


def bench_case(name: str, rounds: int, cli_rounds: int) -> dict[str, object]:
    """Interleave printbrief warm, plain in-process WeasyPrint and the weasyprint CLI."""
    from weasyprint import HTML

    from printbrief import Renderer, load

    article = load(SAMPLES / CASES[name])
    renderer = Renderer("newsbrief")
    html = standalone_html(renderer, article)
    base = str(article.source.parent) if article.source else None  # type: ignore[union-attr]
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "article.html"
        page.write_text(html, "utf-8")
        ours, plain, cli = [], [], []
        sizes = {
            "printbrief": len(renderer.render(article)),
            "weasyprint": len(HTML(string=html, base_url=base).write_pdf()),
        }
        for i in range(rounds):
            ours.append(timed(lambda: renderer.render(article)))
            plain.append(timed(lambda: HTML(string=html, base_url=base).write_pdf()))
            if i < cli_rounds:
                cmd = [
                    sys.executable,
                    "-m",
                    "weasyprint",
                    "-u",
                    base or tmp,
                    str(page),
                    str(Path(tmp) / "o.pdf"),
                ]
                cli.append(
                    timed(lambda cmd=cmd: subprocess.run(cmd, check=True, capture_output=True))
                )
    result: dict[str, object] = {
        "printbrief_warm": summary(ours),
        "weasyprint_in_process": summary(plain),
        "weasyprint_cli_process": summary(cli),
        "pdf_bytes": sizes,
    }
    med = {k: v["median_ms"] for k, v in result.items() if isinstance(v, dict) and "median_ms" in v}  # type: ignore[index]
    result["ratio_vs_in_process"] = round(med["printbrief_warm"] / med["weasyprint_in_process"], 3)
    result["ratio_vs_cli_process"] = round(
        med["printbrief_warm"] / med["weasyprint_cli_process"], 3
    )
    return result


def markdown(results: dict[str, dict[str, object]], meta: dict[str, str]) -> str:
    """A Markdown table of the run."""
    lines = [
        f"Measured {meta['date']} on {meta['machine']} (Python {meta['python']}, WeasyPrint {meta['weasyprint']}).",
        "",
        "| case | printbrief warm median / p95 ms | plain WeasyPrint in-process | `weasyprint` CLI per article | printbrief ÷ in-process | printbrief ÷ CLI | PDF KB printbrief / plain |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        o, p, c, s = (
            r["printbrief_warm"],
            r["weasyprint_in_process"],
            r["weasyprint_cli_process"],
            r["pdf_bytes"],
        )  # type: ignore[misc]
        lines.append(
            f"| {name} | {o['median_ms']} / {o['p95_ms']} | {p['median_ms']} / {p['p95_ms']} | "  # type: ignore[index]
            f"{c['median_ms']} / {c['p95_ms']} | {r['ratio_vs_in_process']} | {r['ratio_vs_cli_process']} | "  # type: ignore[index]
            f"{s['printbrief'] // 1024} / {s['weasyprint'] // 1024} |"  # type: ignore[index]
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    """Run the cases and write bench/results.json and bench/results.md."""
    import weasyprint

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--cli-rounds", type=int, default=5)
    parser.add_argument("--cases", default=",".join(CASES))
    args = parser.parse_args()
    results = {
        name: bench_case(name, args.rounds, args.cli_rounds) for name in args.cases.split(",")
    }
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {platform.system()} {platform.release()}, {_cores()} cores",
        "python": platform.python_version(),
        "weasyprint": weasyprint.__version__,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2) + "\n"
    )
    table = markdown(results, meta)
    (OUT / "results.md").write_text(table)
    print(table)
    return 0


def _cores() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
