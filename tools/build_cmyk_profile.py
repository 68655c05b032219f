"""Build printbrief's CMYK output profile, FOGRA39L.icc, from pinned Debian inputs (maintainer step).

Usage: python tools/build_cmyk_profile.py --out profiles

Inputs, checked before use:
  * Debian icc-profiles-free 2.0.1+dfsg-1.1: /usr/share/color/icc/FOGRA39L.ti3, Fogra's
    characterization data for ISO 12647-2 coated offset (paper type 1/2), Zlib licence;
    its sha256 is pinned below;
  * Debian argyll 2.3.1: ``colprof`` builds an ICC output profile from it.
colprof writes the same profile on every run except the header's creation time; that field
is set to a fixed date, so two builds give identical bytes. Takes 15 s to a few minutes.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

SOURCE = Path("/usr/share/color/icc/FOGRA39L.ti3")
SOURCE_SHA256 = "e44e6dfa81633588db98b5613a821d4a936d3d9438d2eb983083c3232df393fa"
ARGYLL = "2.3.1"
# -qm medium quality, -kr a K curve from 0 (GCR), -l300 total ink limit 300 % (ISO 12647-2).
COLPROF = ["colprof", "-D", "FOGRA39 coated (printbrief)", "-qm", "-kr", "-l300", "FOGRA39L"]
CREATED = (2026, 11, 30, 0, 0, 0)  # ICC header dateTimeNumber, bytes 24–35


def main(argv: list[str]) -> int:
    """Write ``FOGRA39L.icc`` into ``--out`` and print its sha256."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    out = parser.parse_args(argv).out
    _check_inputs()
    with tempfile.TemporaryDirectory() as work:
        shutil.copy(SOURCE, Path(work) / SOURCE.name)
        subprocess.run(COLPROF, cwd=work, check=True, stdout=subprocess.DEVNULL)
        profile = _fixed_date((Path(work) / "FOGRA39L.icc").read_bytes())
    out.mkdir(parents=True, exist_ok=True)
    (out / "FOGRA39L.icc").write_bytes(profile)
    print(
        f"{out / 'FOGRA39L.icc'}: {len(profile)} bytes, sha256 {hashlib.sha256(profile).hexdigest()}"
    )
    return 0


def _check_inputs() -> None:
    if not SOURCE.is_file() or shutil.which("colprof") is None:
        sys.exit(
            "needs Debian packages icc-profiles-free and argyll: apt-get install icc-profiles-free argyll"
        )
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    if digest != SOURCE_SHA256:
        sys.exit(f"{SOURCE}: sha256 {digest}, expected {SOURCE_SHA256}")
    version = subprocess.run(["colprof"], capture_output=True, text=True).stderr
    if f"Version {ARGYLL}" not in version:
        print(f"warning: argyll is not {ARGYLL}; the profile may differ", file=sys.stderr)


def _fixed_date(profile: bytes) -> bytes:
    assert profile[36:40] == b"acsp", "not an ICC profile"
    return profile[:24] + struct.pack(">6H", *CREATED) + profile[36:]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
