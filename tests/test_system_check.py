"""tools/system_check.py: required packages fail with one apt-get line, optional ones are a note."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from types import ModuleType

import pytest

from conftest import ROOT


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "system_check", ROOT / "tools" / "system_check.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["system_check"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


check = _load()
NEEDS = {need.package: need for need in check.NEEDS}
PANGO, SUBSET = NEEDS["libpango-1.0-0"], NEEDS["libharfbuzz-subset0"]


def test_required_and_optional_packages() -> None:
    required = {p for p, need in NEEDS.items() if need.required}
    assert required == {
        "python3-venv",
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz0b",
        "libfontconfig1",
    }
    assert [p for p, need in NEEDS.items() if not need.required] == ["libharfbuzz-subset0"]
    assert all(need.without for need in NEEDS.values() if not need.required)


@pytest.mark.parametrize("install", [False, True])
def test_a_missing_required_package_fails_with_the_one_apt_line_unless_root_installs(
    install: bool,
) -> None:
    decision = check.decide([PANGO, SUBSET], root=False, install=install)
    assert decision.install == []
    assert decision.status == 1
    assert decision.messages[0] == (
        "printbrief needs Debian packages that are not installed:\n"
        "    sudo apt-get install libpango-1.0-0"
    )
    assert "sudo apt-get install libharfbuzz-subset0" in decision.messages[1]


def test_a_missing_optional_package_is_a_note_and_the_set_up_goes_on() -> None:
    decision = check.decide([SUBSET], root=False, install=True)
    assert (decision.install, decision.status, len(decision.messages)) == ([], 0, 1)
    note = decision.messages[0]
    assert note.startswith("note: libharfbuzz-subset0 is not installed; printbrief works without")
    assert "fontTools" in note and "5-6 times the CPU time" in note
    assert note.endswith("To install it: sudo apt-get install libharfbuzz-subset0")


def test_root_with_install_installs_every_missing_package() -> None:
    decision = check.decide([PANGO, SUBSET], root=True, install=True)
    assert decision.install == ["libpango-1.0-0", "libharfbuzz-subset0"]
    assert (decision.messages, decision.status) == ([], 0)


def test_root_without_install_only_checks() -> None:
    decision = check.decide([SUBSET], root=True, install=False)
    assert (decision.install, decision.status) == ([], 0)


def test_nothing_missing_says_nothing() -> None:
    for root in (False, True):
        decision = check.decide([], root=root, install=True)
        assert (decision.install, decision.messages, decision.status) == ([], [], 0)


def test_main_installs_then_checks_again(monkeypatch: pytest.MonkeyPatch) -> None:
    installed: list[list[str]] = []
    missing = [[PANGO, SUBSET], []]
    monkeypatch.setattr(check, "missing_needs", lambda: missing.pop(0))
    monkeypatch.setattr(check, "apt_install", lambda p: installed.append(p) or True)
    monkeypatch.setattr(check.os, "geteuid", lambda: 0)
    assert check.main(["--install"]) == 0
    assert installed == [["libpango-1.0-0", "libharfbuzz-subset0"]]


def test_this_machine_passes_the_check() -> None:
    done = subprocess.run(
        [sys.executable, "tools/system_check.py"], cwd=ROOT, capture_output=True, text=True
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert (
        subprocess.run(
            [sys.executable, "tools/system_check.py", "--packages"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        == ""
    )


def test_a_failed_apt_get_fails_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check, "missing_needs", lambda: [PANGO])
    monkeypatch.setattr(check, "apt_install", lambda packages: False)
    monkeypatch.setattr(check.os, "geteuid", lambda: 0)
    assert check.main(["--install"]) == 1
