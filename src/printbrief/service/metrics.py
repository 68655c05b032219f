"""Service metrics in the Prometheus text format (0.0.4), written by hand: no extra dependency.

>>> m = Metrics()
>>> m.observe_request(200)
>>> "printbrief_requests_total" in m.exposition(gauges={})
True
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping

# Seconds; a warm render of a one-page article takes 15–60 ms, a long issue several seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Histogram:
    """Cumulative-bucket histogram of durations in seconds."""

    def __init__(self, buckets: tuple[float, ...] = BUCKETS) -> None:
        self.buckets = buckets
        self.counts = [0] * (len(buckets) + 1)
        self.total = 0.0

    def observe(self, seconds: float) -> None:
        """Count one observation."""
        self.counts[bisect_left(self.buckets, seconds)] += 1
        self.total += seconds

    def lines(self, name: str) -> list[str]:
        """The ``_bucket``, ``_sum`` and ``_count`` sample lines."""
        out, running = [], 0
        for bound, count in zip((*self.buckets, float("inf")), self.counts, strict=True):
            running += count
            le = "+Inf" if bound == float("inf") else f"{bound:g}"
            out.append(f'{name}_bucket{{le="{le}"}} {running}')
        return [*out, f"{name}_sum {self.total:.6f}", f"{name}_count {running}"]


class Metrics:
    """Counters and histograms the service updates; gauges are read when scraped."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[int] = Counter()
        self.render_seconds = Histogram()

    def observe_request(self, status: int) -> None:
        """Count one finished request by its status code."""
        with self._lock:
            self.requests[status] += 1

    def observe_render(self, seconds: float) -> None:
        """Record the time one render took in its worker (cache misses only, no queueing)."""
        with self._lock:
            self.render_seconds.observe(seconds)

    def exposition(
        self, *, gauges: Mapping[str, float], counters: Mapping[str, Mapping[str, float]] = {}
    ) -> str:
        """The whole scrape: requests by status, render latency, then the given values."""
        with self._lock:
            lines = _family("printbrief_requests_total", "counter", "HTTP requests by status.")
            lines += [
                f'printbrief_requests_total{{status="{s}"}} {n}'
                for s, n in sorted(self.requests.items())
            ]
            lines += _family("printbrief_render_seconds", "histogram", "Render wall time.")
            lines += self.render_seconds.lines("printbrief_render_seconds")
        for name, labelled in counters.items():
            lines += _family(name, "counter", _HELP.get(name, name))
            lines += [_sample(name, label, value) for label, value in labelled.items()]
        for name, value in gauges.items():
            lines += _family(name, "gauge", _HELP.get(name, name))
            lines.append(f"{name} {value:g}")
        return "\n".join(lines) + "\n"


def _family(name: str, kind: str, help_text: str) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]


def _sample(name: str, label: str, value: float) -> str:
    """``name{key="value"} n`` from a ``key=value`` label, or ``name n`` for an empty one."""
    if not label:
        return f"{name} {value:g}"
    key, _, val = label.partition("=")
    return f'{name}{{{key}="{val}"}} {value:g}'


_HELP = {
    "printbrief_cache_hits_total": "Renders answered from the result cache.",
    "printbrief_cache_misses_total": "Renders the cache could not answer.",
    "printbrief_renders_shared_total": "Requests that waited for an identical render under way.",
    "printbrief_worker_restarts_total": "Render workers replaced, by reason.",
    "printbrief_queue_depth": "Requests waiting for a free render worker.",
    "printbrief_workers_busy": "Render workers rendering now.",
    "printbrief_cache_bytes": "Bytes of PDF held in the in-memory cache.",
}
