"""Check the system libraries WeasyPrint needs before installing, and say which package to add."""

from __future__ import annotations

import ctypes.util
import sys

# Debian 12 package names for the shared libraries WeasyPrint 70 loads with cffi.
NEEDED = {
    "pango-1.0": "libpango-1.0-0",
    "pangoft2-1.0": "libpangoft2-1.0-0",
    "harfbuzz": "libharfbuzz0b",
    # Without it WeasyPrint falls back to fontTools subsetting: slower, and not byte-reproducible.
    "harfbuzz-subset": "libharfbuzz-subset0",
    "fontconfig": "libfontconfig1",
}


def main(argv: list[str]) -> int:
    """Exit 1 with an apt-get line if a library is missing (``--packages``: print the names only)."""
    missing = [pkg for lib, pkg in NEEDED.items() if ctypes.util.find_library(lib) is None]
    if "--packages" in argv:
        print(" ".join(missing))
        return 0
    if missing:
        print(
            "printbrief needs system libraries that are not installed:\n"
            f"    sudo apt-get install {' '.join(missing)}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
