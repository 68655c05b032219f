"""The quick benchmark guard's limits (`make bench-quick`): one per case and ratio, all checked."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import load_bench

ROOT = Path(__file__).resolve().parents[1]


def test_every_limit_names_a_benchmark_case() -> None:
    bench = load_bench()
    limits = json.loads((ROOT / "bench" / "threshold.json").read_text())
    warm = limits["printbrief_vs_weasyprint_warm"]
    assert set(warm) <= set(bench.CASES)
    for case in warm:
        assert 0 < bench.limit_of(limits, f"printbrief_vs_weasyprint_warm.{case}") < 2
    assert 0 < bench.limit_of(limits, "cold_cli_vs_weasyprint_cli") < 1


def test_a_ratio_over_its_own_case_limit_fails_the_guard() -> None:
    bench = load_bench()
    limits = {"r": {"brief": 1.1, "zh": 1.3}, "cold": 0.85}
    assert bench.over_limits({"r.brief": 1.05, "r.zh": 1.25, "cold": 0.7}, limits) == []
    assert bench.over_limits({"r.brief": 1.2, "r.zh": 1.2, "cold": 0.9}, limits) == [
        "r.brief",
        "cold",
    ]
