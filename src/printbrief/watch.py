"""Live preview: render an article again whenever it, a picture it names or a theme file changes.

Files are polled (size and modification time every :data:`POLL` seconds) rather than watched
through inotify or FSEvents: a few dozen ``stat`` calls cost microseconds, need no dependency
and see editors that save by writing a new file and renaming it over the old one. A burst of
saves is one render (:data:`SETTLE`). The Renderer stays warm between renders and is rebuilt
only when a file of the theme changed (its own folder, its ``extends`` parents', its extra
stylesheets), so a render after an article edit costs layout only.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.json").write_text('{"headline": "Tide tables", "body": "High water."}')
>>> watcher = Watcher(folder / "a.json", folder / "a.pdf", RenderOptions(system_fonts=False))
>>> watcher.render().ok, watcher.pending()
(True, False)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from threading import Event

from .errors import PrintbriefError, UsageError
from .identity import local_files
from .load import load
from .options import RenderOptions
from .output import write_atomic
from .preview import write_previews
from .renderer import Renderer
from .themes import files_of, resolve_theme

POLL = 0.05
"""Seconds between two looks at the watched files (a look at a dozen files costs about 1 ms)."""
SETTLE = 0.1
"""Seconds the files must stay still after a change before the render (one render a burst).

A save is seen within ``POLL + SETTLE`` (0.15 s), which leaves most of a live preview's
second to the render: a theme edit's Renderer rebuild and first render take 0.3-0.6 s on a
busy core (the bundled fonts' ``@font-face`` rules are most of the rebuild).
"""
MAX_DELAY = 1.0
"""Seconds after a first change by which a render starts even if saves keep coming."""

Stamps = dict[Path, tuple[int, int]]
clock = time.monotonic  # tests drive the debounce with a clock of their own


@dataclass(frozen=True)
class Outcome:
    """One render of a watch: the PDF written (pages, PNGs), or the error that stopped it."""

    ok: bool
    message: str
    seconds: float
    pages: int = 0


def stamps(paths: Iterable[Path]) -> Stamps:
    """Size and modification time (ns) of each of ``paths`` that exists."""
    found: Stamps = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError:  # deleted, or being replaced by an editor's save
            continue
        found[path] = (stat.st_size, stat.st_mtime_ns)
    return found


def folder_files(folders: Iterable[Path]) -> list[Path]:
    """Every file of the theme ``folders`` but editors' swap, backup and lock files.

    Vim rewrites ``.name.swp`` while you type and Emacs writes ``#name#``: watching them would
    rebuild the Renderer and render again with nothing changed.
    """
    return [p for folder in folders for p in files_of(folder) if not _scratch(p.name)]


def _scratch(name: str) -> bool:
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx")) or name == "4913"


def article_files(path: Path, options: RenderOptions) -> list[Path]:
    """The article file and the local pictures it names; only the file when it does not load."""
    try:
        article = load(path, max_bytes=options.limits.max_input_bytes, format=options.input_format)
    except PrintbriefError:
        return [path]
    return [path, *local_files(article)]


class Watcher:
    """Renders ``article`` to ``output`` (and PNG pages into ``png_dir``) when its files change.

    :meth:`render` renders now; :meth:`pending` says whether watched files changed and have
    settled since; :meth:`run` does both until a stop event is set. Errors are outcomes, not
    exceptions: a broken edit is reported and the next save renders again.
    """

    def __init__(
        self,
        article: str | Path,
        output: str | Path,
        options: RenderOptions,
        *,
        png_dir: str | Path | None = None,
        dpi: float = 96,
    ) -> None:
        self.article, self.output = Path(article), Path(output)
        self.options = options.check()
        self.png_dir, self.dpi = (Path(png_dir) if png_dir else None), dpi
        self.renderer: Renderer | None = None
        self.builds = 0  # Renderers built: tests check an article edit reuses the warm one
        theme = resolve_theme(options.theme, options.theme_paths)
        self._theme_paths: tuple[Path, ...] = theme.folders  # the last theme that resolved
        self._extra: list[Path] = []
        self._built_from: Stamps = {}
        self._article_paths: list[Path] = [self.article]
        self._seen: Stamps = {}  # as of the last render
        self._latest: Stamps = {}  # as of the last look
        self._changed_at = self._first_change = 0.0
        self._check_outputs()

    def _check_outputs(self) -> None:
        """Refuse outputs that are watched: a render would trigger the next, without end."""
        if self.output.resolve() == self.article.resolve():
            raise UsageError(f"output {self.output} would overwrite the article")
        for written in (self.output, self.png_dir):
            inside = [
                f for f in self._theme_paths if written and written.resolve().is_relative_to(f)
            ]
            if inside:
                raise UsageError(
                    f"{written} is inside the theme folder {inside[0]}; write elsewhere"
                )

    @property
    def theme_folders(self) -> tuple[Path, ...]:
        """The folders of the theme being watched (its own, then its ``extends`` parents')."""
        return self._theme_paths

    def theme_stamps(self) -> Stamps:
        """Stamps of every file of the theme (the last one that resolved) and extra stylesheets."""
        return stamps([*folder_files(self._theme_paths), *self._extra])

    def watched(self) -> Stamps:
        """Stamps of everything a render reads that can change: article, pictures, theme."""
        return {**stamps(self._article_paths), **self.theme_stamps()}

    def render(self) -> Outcome:
        """Render now (rebuilding the Renderer if the theme changed); never raises a PrintbriefError."""
        started = time.perf_counter()
        self._article_paths = article_files(self.article, self.options)
        self._seen = self._latest = self.watched()  # a save during the render is seen next time
        self._first_change = 0.0
        try:
            pages, note = self._render()
        except PrintbriefError as exc:
            return Outcome(False, str(exc), time.perf_counter() - started)
        return Outcome(True, f"wrote {self.output}{note}", time.perf_counter() - started, pages)

    def _render(self) -> tuple[int, str]:
        renderer = self._warm_renderer()
        pdf = renderer.render(self.article)
        write_atomic(self.output, pdf)
        note = f" ({pdf.pages} page{'s' if pdf.pages != 1 else ''})"
        if self.png_dir is not None:
            pngs = self._write_pngs(pdf, self.png_dir)
            note += f" and {len(pngs)} PNG{'s' if len(pngs) != 1 else ''} in {self.png_dir}"
        return pdf.pages, note

    def _warm_renderer(self) -> Renderer:
        theme_now = self.theme_stamps()
        if self.renderer is None or theme_now != self._built_from:
            previous, self.renderer = self.renderer, None  # a broken theme must not look current
            renderer = Renderer(self.options, fonts_from=previous)
            self.builds += 1
            self._theme_paths = renderer.theme.folders
            self._extra = renderer.extra_stylesheets()
            self._built_from, self.renderer = self.theme_stamps(), renderer
        return self.renderer

    def _write_pngs(self, pdf: bytes, folder: Path) -> list[Path]:
        pattern = str(folder / f"{self.output.stem}-{{n}}.png")
        written = write_previews(pdf, pattern, self.dpi)
        stale = len(written) + 1  # pages a longer earlier render left behind
        while (old := Path(pattern.replace("{n}", str(stale)))).exists():
            old.unlink()
            stale += 1
        return written

    def pending(self) -> bool:
        """Whether watched files changed since the last render and then stayed still."""
        now, moment = self.watched(), clock()
        if now != self._latest:
            self._latest, self._changed_at = now, moment
            self._first_change = self._first_change or moment
        if now == self._seen:
            self._first_change = 0.0
            return False
        settled = moment - self._changed_at >= SETTLE
        return settled or moment - self._first_change >= MAX_DELAY

    def run(self, stop: Event, report: Callable[[Outcome], None], poll: float = POLL) -> None:
        """Render, then render again after each settled change, until ``stop`` is set."""
        report(self.render())
        while not stop.wait(poll):
            if self.pending():
                report(self.render())
