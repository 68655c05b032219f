"""Rendering many inputs: output naming, collisions, continuing past bad files, a summary."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import PrintbriefError, UsageError
from .load import load
from .model import Article
from .output import write_atomic

if TYPE_CHECKING:  # the renderer imports WeasyPrint: `printbrief check` must not pay for it
    from .renderer import Renderer

INPUT_SUFFIXES = (".json", ".md", ".markdown", ".jsonld")


@dataclass(frozen=True)
class Job:
    """One input and where its PDF goes: a file, ``-`` (stdout), or None (derive from the article)."""

    input: str
    output: str | None
    out_dir: Path | None = None


@dataclass
class Result:
    """What happened to one job."""

    job: Job
    output: str | None = None
    error: str | None = None
    size: int = 0


@dataclass
class Report:
    """Per-input results and a one-line summary."""

    results: list[Result] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    @property
    def failed(self) -> list[Result]:
        """Results that ended in an error."""
        return [r for r in self.results if r.error]

    def summary(self) -> str:
        """``rendered 5, failed 1 in 2.3 s`` followed by one line per failure."""
        done = len(self.results) - len(self.failed)
        seconds = time.perf_counter() - self.started
        lines = [f"rendered {done}, failed {len(self.failed)} in {seconds:.1f} s"]
        lines += [f"  failed: {r.error}" for r in self.failed]
        return "\n".join(lines)


def expand_inputs(inputs: Iterable[str]) -> list[str]:
    """Inputs with folders replaced by their article files (sorted, not recursive)."""
    expanded = []
    for item in inputs:
        path = Path(item)
        if item != "-" and path.is_dir():
            expanded += sorted(str(p) for p in path.iterdir() if _is_article_file(p))
        else:
            expanded.append(item)
    return expanded


def _is_article_file(path: Path) -> bool:
    """An article-looking file in a folder: README.md documents the folder, it is no article."""
    return path.suffix.lower() in INPUT_SUFFIXES and path.stem.lower() != "readme"


def plan_outputs(inputs: Sequence[str], *, output: str | None, out_dir: str | None) -> list[Job]:
    """One job per input: ``-o`` for a single input, else a name derived later into ``out_dir``."""
    files = expand_inputs(inputs)
    if not files:
        raise UsageError("no input files found")
    if output:
        return [Job(files[0], output)]
    if "-" in files and not out_dir:
        raise UsageError("reading stdin ('-') needs -o OUT or --out-dir DIR")
    return [Job(f, None, Path(out_dir) if out_dir else None) for f in files]


def output_name(article: Article, input_name: str) -> str:
    """``<id>.pdf`` if the article has an id, else the input's file name with ``.pdf``."""
    stem = article.id or (Path(input_name).stem if input_name != "-" else "article")
    return re.sub(r"[^\w.-]+", "-", stem).strip(".-") + ".pdf"


def render_planned(
    renderer: Renderer, jobs: Sequence[Job], *, echo: Callable[[str], None]
) -> Report:
    """Render every job, continuing past failures; outputs are written atomically."""
    report = Report()
    inputs = {Path(j.input).resolve() for j in jobs if j.input != "-"}
    taken: dict[Path, str] = {}
    for job in jobs:
        result = Result(job)
        try:
            result.output, result.size = _run(renderer, job, inputs, taken)
            echo(f"ok      {job.input} → {result.output} ({result.size / 1024:.0f} KB)")
        except PrintbriefError as exc:
            result.error = str(exc) if exc.source else f"{job.input}: {exc}"
            echo(f"FAILED  {result.error}")
        report.results.append(result)
    return report


def _run(
    renderer: Renderer, job: Job, inputs: set[Path], taken: dict[Path, str]
) -> tuple[str, int]:
    article = load(job.input)
    pdf = renderer.render(article)
    if job.output == "-":
        sys.stdout.buffer.write(pdf)
        sys.stdout.buffer.flush()
        return "<stdout>", len(pdf)
    target = Path(job.output) if job.output else _derived(article, job)
    resolved = target.resolve()
    if resolved in inputs:
        raise UsageError(f"output {target} would overwrite an input", source=job.input)
    if resolved in taken:
        raise UsageError(
            f"output {target} is already written from {taken[resolved]}", source=job.input
        )
    taken[resolved] = job.input
    write_atomic(target, pdf)
    return str(target), len(pdf)


def _derived(article: Article, job: Job) -> Path:
    folder = job.out_dir or (Path(job.input).parent if job.input != "-" else Path.cwd())
    return folder / output_name(article, job.input)
