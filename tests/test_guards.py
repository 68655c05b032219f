"""The suite's own guards: a test that logs an unexpected warning fails."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_an_unexpected_warning_fails_the_test(tmp_path: Path) -> None:
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_logs.py").write_text(
        "import logging\n\nimport pytest\n\n\n"
        "def test_warns():\n    logging.getLogger('printbrief.demo').warning('boom')\n\n\n"
        "@pytest.mark.allow_warnings\n"
        "def test_allowed():\n    logging.getLogger('printbrief.demo').warning('fine')\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
         "-c", "/dev/null", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    assert "ERROR test_logs.py::test_warns" in run.stdout and "printbrief.demo: boom" in run.stdout
