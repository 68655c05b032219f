"""Theme packages: entry points of group ``printbrief.themes``, found by importlib.metadata.

One real package is built and installed with pip into a folder that a subprocess puts on
PYTHONPATH (the test venv itself is never changed); the in-process tests write the
``.dist-info`` folder pip would write, on a path prepended to ``sys.path``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import SAMPLES, page_texts
from printbrief import RenderOptions, ThemeError
from printbrief.themes import (
    ENTRY_POINT_GROUP,
    available_themes,
    list_themes,
    resolve_theme,
    search_path,
)

MARK = "HARBOURMARK"
PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "printbrief-theme-harbour"
version = "1.2"

[project.entry-points."printbrief.themes"]
harbour = "harbour_theme"
minimal = "harbour_theme"
broken = "harbour_missing_module"

[tool.hatch.build.targets.wheel]
packages = ["harbour_theme"]
"""


def write_theme(folder: Path, description: str) -> Path:
    folder.mkdir(parents=True)
    meta = {"description": description, "extends": "newsbrief", "stylesheets": ["harbour.css"]}
    (folder / "theme.json").write_text(json.dumps(meta))
    (folder / "harbour.css").write_text(f'.headline::after {{ content: " {MARK}"; }}\n')
    (folder / "__init__.py").write_text('"""A theme folder that is also a package."""\n')
    return folder


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny theme project, built by hatchling and installed with pip into its own folder."""
    project = tmp_path_factory.mktemp("project")
    (project / "pyproject.toml").write_text(PYPROJECT)
    write_theme(project / "harbour_theme", "Harbour: a theme from a package")
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--no-build-isolation", "--no-index", "--target", str(target), str(project)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return target


def printbrief(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-m", "printbrief", *args],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_installed_package_is_listed_with_its_source(site: Path, tmp_path: Path) -> None:
    run = printbrief(site, "themes", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    (harbour,) = [line for line in lines if line.startswith("harbour ")]
    assert "Harbour: a theme from a package" in harbour
    assert "[package printbrief-theme-harbour 1.2]" in harbour
    (broken,) = [line for line in lines if line.startswith("broken ")]
    assert "harbour_missing_module" in broken and "printbrief-theme-harbour" in broken
    clash = lines[lines.index(next(x for x in lines if x.startswith("minimal "))) + 1]
    assert "name clash" in clash and "package printbrief-theme-harbour 1.2" in clash


def test_render_uses_the_package_css(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "harbour.pdf"
    args = ("render", str(SAMPLES / "en-plain.json"), "-o", str(out), "--bundled-fonts-only")
    run = printbrief(site, *args, "--theme", "harbour", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert MARK in page_texts(out.read_bytes())[0]
    # A bundled name stays the bundled theme: installing a package never changes it.
    run = printbrief(site, *args, "--theme", "minimal", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert MARK not in page_texts(out.read_bytes())[0]


def test_broken_entry_point_names_its_package(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    run = printbrief(site, "render", str(SAMPLES / "en-plain.json"), "-o", str(out),
                     "--theme", "broken", cwd=tmp_path)  # fmt: skip
    assert run.returncode == 2
    assert "package printbrief-theme-harbour 1.2" in run.stderr
    assert "ModuleNotFoundError" in run.stderr and not out.exists()


def test_package_counts_in_the_identity(site: Path, tmp_path: Path) -> None:
    code = (
        "from printbrief.options import RenderOptions as R; r = R(theme='harbour').record(); "
        "print(r['theme_package']); print(r['theme_sha256'] != R().record()['theme_sha256'])"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         cwd=tmp_path, timeout=120, check=True)  # fmt: skip
    assert run.stdout.split("\n")[:2] == ["printbrief-theme-harbour 1.2", "True"]


# ------------------------------------------------------------ in-process, a dist-info on sys.path


def install_dist(site: Path, name: str, entry_points: dict[str, str]) -> None:
    """The metadata folder pip writes for a distribution with ``entry_points``."""
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    lines = [f"[{ENTRY_POINT_GROUP}]", *(f"{k} = {v}" for k, v in entry_points.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")


def test_attribute_entry_point_names_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_theme(tmp_path / "data" / "tide", "Tide")
    (tmp_path / "tide_paths.py").write_text(f"FOLDER = {str(folder)!r}\n")
    install_dist(tmp_path, "tide-theme", {"tide": "tide_paths:FOLDER"})
    monkeypatch.syspath_prepend(str(tmp_path))
    theme = resolve_theme("tide")
    assert (theme.name, theme.package) == ("tide", "tide-theme 1.0")
    assert theme.folders[0] == folder and theme.folders[1].name == "newsbrief"
    assert RenderOptions(theme="tide").record()["theme_package"] == "tide-theme 1.0"
    assert available_themes(search_path())["tide"] == "Tide"  # what GET /v1/themes lists


def test_a_name_two_packages_register_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_theme(tmp_path / "tide_a", "A")
    write_theme(tmp_path / "tide_b", "B")
    install_dist(tmp_path, "tide-a", {"tide": "tide_a"})
    install_dist(tmp_path, "tide-b", {"tide": "tide_b"})
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ThemeError, match=r"more than one package: tide-a 1\.0 and tide-b 1\.0"):
        resolve_theme("tide")
    (listed,) = [t for t in list_themes(search_path()) if t.name == "tide"]
    assert listed.shadows == ("package tide-b 1.0",)


def test_entry_point_without_theme_json_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "empty_theme").mkdir()
    (tmp_path / "empty_theme" / "__init__.py").write_text('"""No theme.json here."""\n')
    install_dist(tmp_path, "empty-theme", {"empty": "empty_theme"})
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ThemeError, match=r"package empty-theme 1.0 .*has no theme.json"):
        resolve_theme("empty")


def test_a_folder_theme_may_extend_a_package_theme(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_theme(tmp_path / "tide_c", "C")
    install_dist(tmp_path, "tide-c", {"tide": "tide_c"})
    monkeypatch.syspath_prepend(str(tmp_path))
    child = tmp_path / "themes" / "neap"
    child.mkdir(parents=True)
    (child / "theme.json").write_text(textwrap.dedent('{"extends": "tide"}'))
    theme = resolve_theme("neap", [tmp_path / "themes"])
    assert [f.name for f in theme.folders] == ["neap", "tide_c", "newsbrief"]
