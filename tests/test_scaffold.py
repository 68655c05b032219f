"""``printbrief theme new``: a theme folder that renders at once and shows in ``themes``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import SAMPLES, page_texts
from printbrief import Renderer, ThemeError, UsageError
from printbrief.cli import main
from printbrief.scaffold import new_theme
from printbrief.themes import resolve_theme


@pytest.mark.parametrize("extends", ["newsbrief", "broadsheet", None])
def test_new_theme_renders_a_sample(tmp_path: Path, extends: str | None) -> None:
    folder = new_theme("house", tmp_path, extends=extends)
    theme = resolve_theme(folder)
    assert theme.name == "house" and theme.stylesheets[-1] == folder / "house.css"
    meta = json.loads((folder / "theme.json").read_text())
    assert meta.get("extends") == extends
    templates = sorted(p.name for p in folder.glob("*.j2"))
    assert templates == ([] if extends else sorted(
        ["article.html.j2", "issue.html.j2", "issue-article.html.j2", "folios.html.j2"]
    ))  # fmt: skip
    pdf = Renderer(str(folder), system_fonts=False).render(SAMPLES / "en-plain.json")
    assert pdf.pages >= 1 and not pdf.warnings
    assert "Heron Point" in page_texts(pdf)[0]


def test_starting_points_are_valid_css_once_uncommented(tmp_path: Path) -> None:
    folder = new_theme("house", tmp_path)
    css = (folder / "house.css").read_text()
    # "/* Title.\n rules \n*/" → "/* Title. */\n rules": every starting point switched on
    live = re.sub(r"/\* ([^\n]*)\n((?:(?!\*/).)*?)\n\*/", r"/* \1 */\n\2", css, flags=re.S)
    rules = re.sub(r"/\*.*?\*/", "", live, flags=re.S)  # what is left outside comments
    assert rules.count("{") == css.count("{") == 8 and "\n.headline {" in rules
    (folder / "house.css").write_text(live)
    pdf = Renderer(str(folder), system_fonts=False).render(SAMPLES / "en-plain.json")
    assert not pdf.warnings  # the autouse guard also fails on any CSS rule WeasyPrint drops


def test_refuses_to_overwrite_and_bad_names(tmp_path: Path) -> None:
    (tmp_path / "house").mkdir()
    (tmp_path / "house" / "keep.txt").write_text("mine")
    with pytest.raises(UsageError, match="exists; refusing to overwrite"):
        new_theme("house", tmp_path)
    assert [p.name for p in (tmp_path / "house").iterdir()] == ["keep.txt"]
    for bad in ("../up", "a/b", ".hidden", "", "x."):
        with pytest.raises(UsageError, match="theme name"):
            new_theme(bad, tmp_path)
    with pytest.raises(ThemeError, match="unknown theme 'nope'"):
        new_theme("other", tmp_path, extends="nope")
    assert not (tmp_path / "other").exists()


def test_cli_theme_new_then_themes_lists_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["theme", "new", "house", "--dir", str(tmp_path)]) == 0
    assert f"wrote {tmp_path / 'house'}" in capsys.readouterr().err
    assert main(["theme", "new", "house", "--dir", str(tmp_path)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert main(["themes", "--theme-path", str(tmp_path)]) == 0
    listed = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert listed["house"].split(None, 1)[1] == "The house theme."
    out = tmp_path / "house.pdf"
    argv = ["render", str(SAMPLES / "en-plain.json"), "-o", str(out), "--theme", "house",
            "--theme-path", str(tmp_path), "--bundled-fonts-only", "--strict"]  # fmt: skip
    assert main(argv) == 0
    assert out.read_bytes().startswith(b"%PDF-")
