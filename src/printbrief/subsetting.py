"""Font subsetting: HarfBuzz where libharfbuzz-subset is installed, else fontTools, said once.

WeasyPrint 70 loads libharfbuzz-subset with ``allow_fail=True`` (``weasyprint/text/ffi.py``)
and, without it, subsets the fonts of every document with fontTools, logging one warning per
font and document. The pages are the same; what differs is said once per process instead.
"""

from __future__ import annotations

import logging

from weasyprint.text import ffi

log = logging.getLogger(__name__)

PACKAGE = "libharfbuzz-subset0"
"""The Debian package that holds HarfBuzz's subsetter."""

FALLBACK_NOTICE = (
    f"{PACKAGE} is not installed, so fonts are subset with fontTools: the same pages, but "
    "each render takes 9-15 times the CPU time, PDFs are 0.3-0.9 % larger, and they are "
    "byte-reproducible only with SOURCE_DATE_EPOCH set. "
    f"To install it: sudo apt-get install {PACKAGE}"
)
"""Logged once per process, at the first render that subsets a font with fontTools."""

_WEASYPRINT_WARNING = "Using fontTools instead of HarfBuzz-Subset"


def harfbuzz_subset() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz (it needs libharfbuzz-subset 4.1 or newer).

    >>> harfbuzz_subset() in (True, False)
    True
    """
    return ffi.harfbuzz_subset is not None and bool(ffi.harfbuzz.hb_version_atleast(4, 1, 0))


class _SayOnce(logging.Filter):
    """Replaces WeasyPrint's per-font fallback warnings with one notice per process."""

    def __init__(self) -> None:
        super().__init__()
        self.said = False

    def filter(self, record: logging.LogRecord) -> bool:
        """Let every other record through; say the notice the first time, drop the rest."""
        if not str(record.msg).startswith(_WEASYPRINT_WARNING):
            return True
        if not self.said:
            self.said = True
            log.warning("%s", FALLBACK_NOTICE)
        return False


def install() -> None:
    """Install the once-per-process notice on WeasyPrint's logger (once; only when needed)."""
    weasyprint_log = logging.getLogger("weasyprint")
    if harfbuzz_subset() or any(isinstance(f, _SayOnce) for f in weasyprint_log.filters):
        return
    weasyprint_log.addFilter(_SayOnce())
