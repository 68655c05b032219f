"""The documentation site: every public name has a reference entry, the build is strict and offline."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import printbrief
from conftest import ROOT

REFERENCE = ROOT / "docs" / "reference"


def _identifiers() -> set[str]:
    text = "\n".join(p.read_text("utf-8") for p in REFERENCE.glob("*.md"))
    return set(re.findall(r"^::: ([\w.]+)", text, re.M))


def test_every_public_name_has_a_reference_entry() -> None:
    documented = {name.rsplit(".", 1)[-1] for name in _identifiers()}
    missing = set(printbrief.__all__) - documented - {"__version__"}
    assert not missing, f"add these to docs/reference/: {sorted(missing)}"


def test_the_site_builds_strictly_and_loads_nothing_from_the_network(tmp_path: Path) -> None:
    site = tmp_path / "site"
    done = subprocess.run(
        # Never --quiet: it hides the warnings strict mode counts, and the build passes.
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (site / "reference" / "rendering" / "index.html").is_file()
    remote = []
    for page in site.rglob("*.html"):
        text = page.read_text("utf-8")
        remote += re.findall(r"<script[^>]*\bsrc=\"(?:https?:)?//[^\"]*\"", text)
        remote += re.findall(r"<link[^>]*\bhref=\"(?:https?:)?//[^\"]*\"", text)
    for sheet in site.rglob("*.css"):
        remote += re.findall(r"url\(['\"]?(?:https?:)?//[^)]*\)|@import[^;]*", sheet.read_text())
    assert remote == []
