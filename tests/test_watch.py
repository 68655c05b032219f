"""``printbrief watch``: renders again after edits to the article, a picture or the theme."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import SAMPLES, page_texts
from printbrief import Renderer, RenderOptions, UsageError
from printbrief import watch as watch_module
from printbrief.cli import main
from printbrief.scaffold import new_theme
from printbrief.watch import Outcome, Watcher

JPEG = (SAMPLES / "images" / "harbour-dawn.jpg").read_bytes()


def write_article(path: Path, headline: str, picture: str | None = None) -> None:
    article: dict[str, object] = {"headline": headline, "body": "Ferries run on the hour."}
    if picture:
        article["images"] = [{"src": picture, "caption": "Dawn"}]
    path.write_text(json.dumps(article))


@pytest.fixture()
def setup(tmp_path: Path) -> tuple[Path, Path, RenderOptions]:
    article = tmp_path / "story.json"
    write_article(article, "Ferry timetable changes")
    theme = new_theme("house", tmp_path / "themes")
    return article, theme, RenderOptions(theme=str(theme), system_fonts=False)


class Running:
    """A Watcher's run() in a thread, its outcomes in a queue."""

    def __init__(self, watcher: Watcher) -> None:
        self.outcomes: queue.Queue[Outcome] = queue.Queue()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=watcher.run, args=(self.stop, self.outcomes.put))

    def next(self, timeout: float = 30) -> tuple[Outcome, float]:
        """The next outcome and the seconds waited for it."""
        started = time.monotonic()
        outcome = self.outcomes.get(timeout=timeout)
        return outcome, time.monotonic() - started


@pytest.fixture()
def running(setup: tuple[Path, Path, RenderOptions], tmp_path: Path) -> Iterator[Running]:
    article, _, options = setup
    watcher = Watcher(article, tmp_path / "out.pdf", options, png_dir=tmp_path / "png", dpi=20)
    run = Running(watcher)
    run.watcher = watcher  # type: ignore[attr-defined]
    run.thread.start()
    yield run
    run.stop.set()
    run.thread.join(timeout=30)


def headline_text(tmp_path: Path) -> str:
    return page_texts((tmp_path / "out.pdf").read_bytes())[0]


def test_edits_to_article_theme_and_picture_render_again(
    running: Running, setup: tuple[Path, Path, RenderOptions], tmp_path: Path
) -> None:
    article, theme, _ = setup
    watcher: Watcher = running.watcher  # type: ignore[attr-defined]
    first, _ = running.next()
    assert first.ok, first.message
    assert "Ferry timetable changes" in headline_text(tmp_path)
    assert sorted(p.name for p in (tmp_path / "png").iterdir()) == ["out-1.png"]

    write_article(article, "Ferries double on Sundays")
    second, waited = running.next()
    assert second.ok and "Ferries double on Sundays" in headline_text(tmp_path)
    assert watcher.builds == 1, "an article edit keeps the warm Renderer"
    print(f"article edit → new PDF in {waited:.2f} s (render {second.seconds:.2f} s)")

    with (theme / "house.css").open("a") as css:
        css.write('.headline::after { content: " CSSMARK"; }\n')
    third, waited = running.next()
    assert third.ok and "CSSMARK" in headline_text(tmp_path)
    assert watcher.builds == 2, "a theme edit rebuilds the Renderer"
    print(f"theme edit → new PDF in {waited:.2f} s (render {third.seconds:.2f} s)")

    (tmp_path / "dawn.jpg").write_bytes(JPEG)
    write_article(article, "Ferries double on Sundays", picture="dawn.jpg")
    assert running.next()[0].ok
    (tmp_path / "dawn.jpg").write_bytes(JPEG + b"\0")  # a picture saved under the same name
    assert running.next()[0].ok


def test_errors_are_shown_and_a_fix_renders_again(
    running: Running, setup: tuple[Path, Path, RenderOptions], tmp_path: Path
) -> None:
    article, theme, _ = setup
    assert running.next()[0].ok
    before = (tmp_path / "out.pdf").read_bytes()
    article.write_text('{"headline": "Half a save",')
    broken, _ = running.next()
    assert not broken.ok and str(article) in broken.message
    assert (tmp_path / "out.pdf").read_bytes() == before, "the last good PDF stays"
    write_article(article, "Whole again")
    fixed, _ = running.next()
    assert fixed.ok and "Whole again" in headline_text(tmp_path)

    (theme / "theme.json").write_text("{ not json")
    broken, _ = running.next()
    assert not broken.ok and "theme.json" in broken.message
    (theme / "theme.json").write_text(json.dumps({"extends": "newsbrief"}))
    assert running.next()[0].ok


def test_refuses_outputs_it_would_watch(setup: tuple[Path, Path, RenderOptions]) -> None:
    article, theme, options = setup
    with pytest.raises(UsageError, match="would overwrite the article"):
        Watcher(article, article, options)
    with pytest.raises(UsageError, match="inside the theme folder"):
        Watcher(article, theme / "proof.pdf", options)
    with pytest.raises(UsageError, match="inside the theme folder"):
        Watcher(article, article.with_suffix(".pdf"), options, png_dir=theme / "png")


def test_cli_usage_errors_exit_2(
    setup: tuple[Path, Path, RenderOptions], capsys: pytest.CaptureFixture[str]
) -> None:
    article, theme, _ = setup
    assert main(["watch", str(article), "-o", str(article), "--theme", str(theme)]) == 2
    assert "would overwrite the article" in capsys.readouterr().err
    assert main(["watch", str(article), "-o", "x.pdf", "--theme", "nope"]) == 2
    assert "unknown theme 'nope'" in capsys.readouterr().err
    assert main(["watch", str(article), "-o", "x.pdf", "--png", "p", "--dpi", "5"]) == 2


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_saves_is_one_render(
    setup: tuple[Path, Path, RenderOptions], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article, theme, options = setup
    clock = Clock()
    monkeypatch.setattr(watch_module, "clock", clock)
    watcher = Watcher(article, tmp_path / "out.pdf", options)
    assert watcher.render().ok
    due = []
    for n in range(6):  # six saves in a row: article and stylesheet, as "save all" does
        target = article if n % 2 else theme / "house.css"
        with target.open("a") as handle:
            handle.write(" " * (n + 1))
        clock.now += watch_module.SETTLE * 0.9
        due.append(watcher.pending())
    assert not any(due), "no render while saves keep coming"
    clock.now += watch_module.SETTLE
    assert watcher.pending()
    assert watcher.render().ok and not watcher.pending()


def test_a_theme_edit_keeps_the_fonts_and_gives_a_fresh_renderers_bytes(
    setup: tuple[Path, Path, RenderOptions], tmp_path: Path
) -> None:
    article, theme, options = setup
    watcher = Watcher(article, tmp_path / "out.pdf", options)
    assert watcher.render().ok and watcher.renderer
    fonts = watcher.renderer.font_config
    with (theme / "house.css").open("a") as css:
        css.write(".headline { letter-spacing: 0.02em; }\n")
    assert watcher.render().ok and watcher.builds == 2
    assert watcher.renderer.font_config is fonts, "the bundled faces are registered once"
    fresh = Renderer(options).render(article)
    assert (tmp_path / "out.pdf").read_bytes() == bytes(fresh)


def test_a_theme_declaring_faces_gets_fonts_of_its_own(
    setup: tuple[Path, Path, RenderOptions], tmp_path: Path
) -> None:
    article, theme, options = setup
    watcher = Watcher(article, tmp_path / "out.pdf", options)
    assert watcher.render().ok and watcher.renderer
    seen = [watcher.renderer.font_config]
    house = theme / "house.css"
    original = house.read_text()
    for text in (original + "/* @Font-Face rules to come */\n", original):
        house.write_text(text)  # faces declared, then no longer: fontconfig would keep them
        assert watcher.render().ok
        seen.append(watcher.renderer.font_config)
    assert len({id(config) for config in seen}) == 3


@pytest.mark.parametrize("edited", ["story.json", "themes/house/house.css"])
def test_a_save_is_due_within_a_fifth_of_a_second(
    setup: tuple[Path, Path, RenderOptions], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    edited: str,
) -> None:  # fmt: skip
    """Looks every POLL seconds, as run() does: the wait leaves the render most of a second."""
    _, _, options = setup
    clock = Clock()
    monkeypatch.setattr(watch_module, "clock", clock)
    watcher = Watcher(tmp_path / "story.json", tmp_path / "out.pdf", options)
    assert watcher.render().ok
    with (tmp_path / edited).open("a") as handle:
        handle.write("\n")
    saved, due = clock.now, False
    while not due:  # the first look comes a POLL after the save at worst
        clock.now += watch_module.POLL
        due = watcher.pending()
        assert clock.now - saved < 1, "never due"
    assert clock.now - saved <= 0.2


@pytest.mark.allow_warnings  # the picture is missing at first
def test_a_picture_that_appears_is_seen(
    setup: tuple[Path, Path, RenderOptions], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article, _, options = setup
    clock = Clock()
    monkeypatch.setattr(watch_module, "clock", clock)
    write_article(article, "Dawn ferry", picture="pictures/dawn.jpg")
    watcher = Watcher(article, tmp_path / "out.pdf", options)
    watcher.render()
    assert not watcher.pending()
    (tmp_path / "pictures").mkdir()
    (tmp_path / "pictures" / "dawn.jpg").write_bytes(JPEG)
    assert not watcher.pending()
    clock.now += watch_module.SETTLE
    assert watcher.pending()


def test_editor_scratch_files_are_not_watched(
    setup: tuple[Path, Path, RenderOptions], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article, theme, options = setup
    clock = Clock()
    monkeypatch.setattr(watch_module, "clock", clock)
    watcher = Watcher(article, tmp_path / "out.pdf", options)
    assert watcher.render().ok
    for name in (".house.css.swp", "house.css~", "#house.css#", "4913"):
        (theme / name).write_text("scratch")
    (theme / "__pycache__").mkdir()
    (theme / "__pycache__" / "x.pyc").write_bytes(b"\0")
    clock.now += 10
    assert not watcher.pending()
    (theme / "print.css").write_text("/* a new override is a theme change */")
    assert not watcher.pending()
    clock.now += watch_module.SETTLE
    assert watcher.pending()


def test_news_formats_and_their_pictures_are_watched(tmp_path: Path) -> None:
    feeds = Path(__file__).parent / "fixtures" / "feeds"
    article = tmp_path / "story.xml"
    article.write_bytes((feeds / "nitf-zh-hant.xml").read_bytes())
    (tmp_path / "pictures").mkdir()
    picture = tmp_path / "pictures" / "night-market.jpg"
    picture.write_bytes((feeds / "pictures" / "night-market.jpg").read_bytes())
    options = RenderOptions(input_format="nitf", system_fonts=False)
    watcher = Watcher(article, tmp_path / "out.pdf", options)
    outcome = watcher.render()
    assert outcome.ok, outcome.message
    assert {article, picture} <= set(watcher.watched())


def test_saves_that_never_stop_still_render(
    setup: tuple[Path, Path, RenderOptions], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article, _, options = setup
    clock = Clock()
    monkeypatch.setattr(watch_module, "clock", clock)
    watcher = Watcher(article, tmp_path / "out.pdf", options)
    assert watcher.render().ok
    due = []
    for n in range(15):
        write_article(article, "x" * (n + 1))
        clock.now += 0.1
        due.append(watcher.pending())
    assert due.index(True) == int(watch_module.MAX_DELAY / 0.1)


def test_cli_watch_writes_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    article = tmp_path / "story.json"
    write_article(article, "Harbour lights")
    out, pngs = tmp_path / "out.pdf", tmp_path / "png"
    process = subprocess.Popen(
        [sys.executable, "-m", "printbrief", "watch", str(article), "-o", str(out), "--png",
         str(pngs), "--dpi", "20", "--bundled-fonts-only"],
        stderr=subprocess.PIPE, text=True, cwd=tmp_path,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not (pngs / "out-1.png").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert out.read_bytes().startswith(b"%PDF-")
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "✓" in err and f"wrote {out}" in err and err.rstrip().endswith("stopped")
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".part")]
