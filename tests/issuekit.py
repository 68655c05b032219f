"""The sample issue compiled once per variant for the whole test session (press options with X-4)."""

from __future__ import annotations

from functools import cache

from conftest import SAMPLES
from printbrief import compile_issue

ISSUE = SAMPLES / "issues" / "weekend-edition.json"
VARIANTS = ["plain", "pdf/a-2b", "pdf/a-3b", "pdf/ua-1", "pdf/x-4"]
PRESS = {"bleed": "3mm", "marks": "crop,cross"}


@cache
def sample_issue(variant: str) -> bytes:
    """The sample issue's PDF in ``variant`` ("plain" for none); PDF/X-4 with bleed and marks."""
    options = PRESS if variant == "pdf/x-4" else {}
    chosen = None if variant == "plain" else variant
    result = compile_issue(ISSUE, variant=chosen, system_fonts=False, use_cache=False, **options)
    return bytes(result.pdf)
