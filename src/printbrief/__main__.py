"""``python -m printbrief``: the same command line as ``printbrief``."""

from __future__ import annotations

from .cli import run

if __name__ == "__main__":
    run()
