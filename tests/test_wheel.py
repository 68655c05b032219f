"""The built wheel carries styles/ and fonts/ and renders a sample from a fresh venv."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES


@pytest.mark.slow
def test_wheel_installs_and_renders_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True, timeout=600)  # fmt: skip
    (wheel,) = dist.glob("printbrief-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "printbrief/styles/newsbrief/theme.json" in names
    assert "printbrief/fonts/cjk/PBSansSC-Regular.ttf" in names
    assert "printbrief/fonts/OFL.txt" in names
    assert "printbrief/service/static/index.html" in names  # the service's demo page

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    python = env_dir / "bin" / "python"
    # Dependencies come from the same index the checkout's venv used; --no-cache keeps it honest.
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, timeout=900
    )
    out = tmp_path / "zh.pdf"
    run = subprocess.run(
        [str(env_dir / "bin" / "printbrief"), "render", str(SAMPLES / "zh-hans.json"), "-o", str(out),
         "--strict", "--bundled-fonts-only"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    where = subprocess.run([str(python), "-c", "import printbrief.assets as a; print(a.asset_dir('fonts'))"],
                           capture_output=True, text=True, check=True, cwd=tmp_path)  # fmt: skip
    assert str(env_dir) in where.stdout, (
        "fonts must come from the installed wheel, not the checkout"
    )
