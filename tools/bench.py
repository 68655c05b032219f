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
    "zh-1500": "zh-hans.json",  # the same article, lengthened to 1,500+ Chinese characters
    "ja": "ja.json",
}
# What plain WeasyPrint users get for CJK: the system's Noto CJK (Debian fonts-noto-cjk).
SYSTEM_FAMILY = {
    "zh-hans": "Noto Sans CJK SC",
    "zh-1500": "Noto Sans CJK SC",
    "ja": "Noto Sans CJK JP",
}


def case_article(name: str) -> object:
    """The article of a case (zh-1500 repeats paragraphs until 1,500 CJK characters)."""
    from printbrief import load

    article = load(SAMPLES / CASES[name])
    if name != "zh-1500":
        return article
    paragraphs = article.body.split("\n\n")
    body = article.body
    while sum(1 for ch in body if "\u4e00" <= ch <= "\u9fff") < 1500:
        body += "\n\n" + paragraphs[len(body) % len(paragraphs)]
    return article.model_copy(update={"body": body}).with_source(article.source)  # type: ignore[attr-defined]


def system_font_html(html: str, renderer: object, family: str) -> str:
    """The same page with the system Noto CJK family instead of printbrief's bundled stacks."""
    css = f':root, [lang] {{ --pb-text: "{family}"; --pb-display: "{family}"; font-family: var(--pb-text); }}'
    css += "".join(p.read_text("utf-8") for p in renderer.theme.stylesheets)  # type: ignore[attr-defined]
    css += "@page { size: 210mm 297mm; }"
    return html.replace("<head>", f"<head><style>{css}</style>", 1)


def standalone_html(renderer: object, article: object) -> str:
    """The document printbrief lays out, with its stylesheets inlined, for plain WeasyPrint."""
    html = renderer.html(article)  # type: ignore[attr-defined]
    from printbrief import fonts

    css = fonts.font_face_css(system=False) + "".join(
        p.read_text("utf-8") for p in renderer.theme.stylesheets
    )  # type: ignore[attr-defined]
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

    from printbrief import Renderer
    from printbrief.coverage import check_article

    article = case_article(name)
    renderer = Renderer("newsbrief", system_fonts=False)
    html = standalone_html(renderer, article)
    from printbrief.fonts import system_font

    installed = name in SYSTEM_FAMILY and system_font(SYSTEM_FAMILY[name]) is not None
    system_html = (
        system_font_html(renderer.html(article), renderer, SYSTEM_FAMILY[name])
        if installed
        else None
    )
    base = str(article.source.parent) if article.source else None  # type: ignore[union-attr]
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "article.html"
        page.write_text(html, "utf-8")
        cmd = [
            sys.executable,
            "-m",
            "weasyprint",
            "-u",
            base or tmp,
            str(page),
            str(Path(tmp) / "o.pdf"),
        ]
        runs: dict[str, Callable[[], object]] = {
            "printbrief_warm": lambda: renderer.render(article),
            "weasyprint_in_process": lambda: HTML(string=html, base_url=base).write_pdf(),
        }
        if system_html:
            runs["weasyprint_system_cjk"] = lambda: HTML(
                string=system_html, base_url=base
            ).write_pdf()
        sizes = {
            k.removesuffix("_warm").removesuffix("_in_process"): len(fn()) for k, fn in runs.items()
        }  # type: ignore[arg-type]
        samples: dict[str, list[float]] = {k: [] for k in [*runs, "weasyprint_cli_process"]}
        for i in range(rounds):  # interleaved, so drift hits every contender alike
            for key, fn in runs.items():
                samples[key].append(timed(fn))
            if i < cli_rounds:
                samples["weasyprint_cli_process"].append(
                    timed(lambda: subprocess.run(cmd, check=True, capture_output=True))
                )
    result: dict[str, object] = {key: summary(values) for key, values in samples.items()}
    result["pdf_bytes"] = sizes
    result["coverage_check_ms"] = summary(
        [timed(lambda: check_article(article, system=False)) for _ in range(30)]
    )
    result["characters"] = len(article.body)  # type: ignore[attr-defined]
    med = {k: v["median_ms"] for k, v in result.items() if isinstance(v, dict) and "median_ms" in v}  # type: ignore[index]
    for key, label in (
        ("weasyprint_in_process", "in_process"),
        ("weasyprint_cli_process", "cli_process"),
        ("weasyprint_system_cjk", "system_cjk"),
    ):
        if key in med:
            result[f"ratio_vs_{label}"] = round(med["printbrief_warm"] / med[key], 3)
    return result


def markdown(results: dict[str, dict[str, object]], meta: dict[str, str]) -> str:
    """A Markdown table of the run."""
    lines = [
        f"Measured {meta['date']} on {meta['machine']} (Python {meta['python']}, WeasyPrint {meta['weasyprint']}).",
        "",
        "| case | printbrief warm median / p95 ms | plain WeasyPrint in-process, same HTML | `weasyprint` CLI per article | plain WeasyPrint, system Noto CJK | printbrief ÷ in-process | printbrief ÷ CLI | printbrief ÷ system CJK | PDF KB printbrief / plain / system CJK | coverage check ms |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [_row(name, r) for name, r in results.items()]
    return "\n".join(lines) + "\n"


def _row(name: str, r: dict[str, object]) -> str:
    def ms(key: str) -> str:
        v = r.get(key)
        return f"{v['median_ms']} / {v['p95_ms']}" if isinstance(v, dict) else "–"

    sizes = r["pdf_bytes"]
    assert isinstance(sizes, dict)
    kb = " / ".join(
        str(sizes[k] // 1024)
        for k in ("printbrief", "weasyprint", "weasyprint_system_cjk")
        if k in sizes
    )
    cov = r["coverage_check_ms"]
    assert isinstance(cov, dict)
    return (
        f"| {name} | {ms('printbrief_warm')} | {ms('weasyprint_in_process')} | {ms('weasyprint_cli_process')} | "
        f"{ms('weasyprint_system_cjk')} | {r['ratio_vs_in_process']} | {r['ratio_vs_cli_process']} | "
        f"{r.get('ratio_vs_system_cjk', '–')} | {kb} | {cov['median_ms']} |"
    )


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
