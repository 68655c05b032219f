"""Cache keys follow printbrief's code, not only its version number."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import printbrief
from printbrief import RenderOptions, render_many, version
from printbrief.identity import fingerprint

PACKAGE = Path(printbrief.__file__).parent
ARTICLE = {"headline": "Ferry timetable", "body": "Boats leave on the hour."}


def test_the_code_digest_is_the_installed_package_by_content(tmp_path: Path) -> None:
    assert version.versions()["printbrief_code"] == version.source_digest(PACKAGE)
    one, two = tmp_path / "one" / "printbrief", tmp_path / "two" / "printbrief"
    for copy in (one, two):
        shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (two / "__pycache__").mkdir(exist_ok=True)
    (two / "__pycache__" / "stale.cpython-311.pyc").write_bytes(b"old bytecode")
    assert version.source_digest(one) == version.source_digest(two), "place and bytecode"
    edited = two / "finish.py"
    edited.write_bytes(edited.read_bytes() + b"\n")
    assert version.source_digest(one) != version.source_digest(two)
    edited.write_bytes((one / "finish.py").read_bytes())
    edited.rename(two / "finish2.py")
    assert version.source_digest(one) != version.source_digest(two), "a renamed file counts"


def test_other_code_of_the_same_version_misses_every_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "ferry.json"
    source.write_text(json.dumps(ARTICLE))
    options = RenderOptions()
    before = fingerprint(options)
    assert [r.status for r in render_many([source], tmp_path / "out", jobs=1)] == ["rendered"]
    assert [r.status for r in render_many([source], tmp_path / "out", jobs=1)] == ["skipped"]
    monkeypatch.setattr(version, "code_digest", lambda: "0123456789abcdef")
    assert fingerprint(options) != before  # the service's and the issue cache's keys
    assert [r.status for r in render_many([source], tmp_path / "out", jobs=1)] == ["rendered"]
