"""Check (and, as root, install) the Debian packages printbrief needs; the one script for make and CI.

    python3 tools/system_check.py             check: exit 1 naming the apt-get line if a
                                              required package is missing
    python3 tools/system_check.py --install   the same, but as root install what is missing
                                              (required and optional) with apt-get first
    python3 tools/system_check.py --packages  print the missing packages' names only

A missing *optional* package never fails: the check prints its apt-get line and what is
different without it, and the set-up goes on.
"""

from __future__ import annotations

import ctypes.util
import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Need:
    """One Debian 12 package, how to tell whether it is there, and why printbrief wants it."""

    package: str
    present: Callable[[], bool]
    required: bool = True
    without: str = ""
    """For an optional package: what is different without it."""


def _library(name: str) -> Callable[[], bool]:
    return lambda: ctypes.util.find_library(name) is not None


# WeasyPrint 70 loads these shared libraries with cffi (weasyprint/text/ffi.py); libharfbuzz-subset
# is loaded with allow_fail=True and its absence sends font subsetting to fontTools.
NEEDS = (
    Need("python3-venv", lambda: importlib.util.find_spec("ensurepip") is not None),
    Need("libpango-1.0-0", _library("pango-1.0")),
    Need("libpangoft2-1.0-0", _library("pangoft2-1.0")),
    Need("libharfbuzz0b", _library("harfbuzz")),
    Need("libfontconfig1", _library("fontconfig")),
    Need(
        "libharfbuzz-subset0",
        _library("harfbuzz-subset"),
        required=False,
        without=(
            "fonts are subset with fontTools (pure Python) instead of HarfBuzz: the same pages "
            "and still byte-reproducible, but each render takes 5-6 times the CPU time and "
            "PDFs are 0.3-0.9 % larger"
        ),
    ),
)


@dataclass
class Decision:
    """What the check does: packages to install, lines to print, and its exit status."""

    install: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    status: int = 0


def apt_line(packages: Sequence[str]) -> str:
    """The one command that installs ``packages``."""
    return f"sudo apt-get install {' '.join(packages)}"


def decide(missing: Sequence[Need], *, root: bool, install: bool) -> Decision:
    """Install as root when asked; else fail on a required package, note an optional one."""
    if install and root and missing:
        return Decision(install=[need.package for need in missing])
    decision = Decision()
    required = [need.package for need in missing if need.required]
    if required:
        decision.messages.append(
            "printbrief needs Debian packages that are not installed:\n    " + apt_line(required)
        )
        decision.status = 1
    for need in missing:
        if not need.required:
            decision.messages.append(
                f"note: {need.package} is not installed; printbrief works without it, but "
                f"{need.without}.\n    To install it: {apt_line([need.package])}"
            )
    return decision


def apt_install(packages: Sequence[str]) -> bool:
    """``apt-get update`` then install ``packages`` without recommends (root only)."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
    ):
        if subprocess.run(command, stdout=subprocess.DEVNULL, env=env).returncode:
            print(f"{' '.join(command)} failed", file=sys.stderr)
            return False
    return True


def missing_needs() -> list[Need]:
    """The needs this machine does not meet."""
    return [need for need in NEEDS if not need.present()]


def main(argv: Sequence[str]) -> int:
    """Run the check; see the module docstring for the flags."""
    missing = missing_needs()
    if "--packages" in argv:
        print(" ".join(need.package for need in missing))
        return 0
    decision = decide(missing, root=os.geteuid() == 0, install="--install" in argv)
    if decision.install:
        print(f"installing {' '.join(decision.install)} (apt-get)", file=sys.stderr)
        if not apt_install(decision.install):
            return 1
        decision = decide(missing_needs(), root=True, install=False)
    for message in decision.messages:
        print(message, file=sys.stderr)
    return decision.status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
