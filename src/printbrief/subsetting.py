"""Font subsetting: HarfBuzz where libharfbuzz-subset is installed, else fontTools, said once.

WeasyPrint 70 loads libharfbuzz-subset with ``allow_fail=True`` (``weasyprint/text/ffi.py``)
and, without it, subsets the fonts of every document with fontTools (``Font.subset`` in
``weasyprint/pdf/fonts.py``), logging one warning per font and document. printbrief says
what differs once per process instead, and on WeasyPrint 70.x runs that fontTools step
without two costs it need not have: the font keeps its own ``head.modified`` instead of the
clock's (so PDFs stay byte-reproducible, as with HarfBuzz), and the layout tables WeasyPrint
drops are deleted before subsetting rather than decoded whole first.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import weasyprint
from fontTools import subset
from fontTools.ttLib import TTFont, TTLibError
from weasyprint.pdf import fonts as wfonts
from weasyprint.text import ffi

from .capture import FALLBACK_NOTICE, SUBSET_PACKAGE
from .patching import SUPPORTED, written_for

log = logging.getLogger(__name__)

PACKAGE = SUBSET_PACKAGE
"""The Debian package that holds HarfBuzz's subsetter."""

_WEASYPRINT_WARNING = "Using fontTools instead of HarfBuzz-Subset"
_DROPPED = ("GSUB", "GPOS", "SVG ")  # the tables WeasyPrint 70 drops from every subset


def harfbuzz_subset() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz (it needs libharfbuzz-subset 4.1 or newer).

    >>> harfbuzz_subset() in (True, False)
    True
    """
    return ffi.harfbuzz_subset is not None and bool(ffi.harfbuzz.hb_version_atleast(4, 1, 0))


class _Notice:
    said = False


def say_once() -> None:
    """Log :data:`FALLBACK_NOTICE` the first time a process subsets a font with fontTools."""
    if not _Notice.said:
        _Notice.said = True
        log.warning("%s", FALLBACK_NOTICE)


class _SayOnce(logging.Filter):
    """Replaces WeasyPrint's per-font fallback warnings with the one notice.

    The command line keeps WeasyPrint's logger at ERROR, which drops its warnings before any
    filter sees them: :func:`fonttools_subset` says the notice itself.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Let every other record through; say the notice instead of this one."""
        if not str(record.msg).startswith(_WEASYPRINT_WARNING):
            return True
        say_once()
        return False


def fonttools_subset(font: Any, to_unicode: Any, hinting: bool) -> None:
    """WeasyPrint 70's fontTools subsetting with the same options, reproducible and sooner.

    WeasyPrint opens the font with fontTools' defaults, so saving stamps ``head.modified``
    with the current time, and fontTools decodes GSUB and GPOS whole on entering
    ``Subsetter.subset`` even though the options then drop them (about half the time for
    printbrief's bundled fonts).
    """
    say_once()
    try:
        ttfont = TTFont(io.BytesIO(font.file_content), fontNumber=font.index, recalcTimestamp=False)
        for tag in _DROPPED:
            if tag in ttfont:
                del ttfont[tag]
        subsetter = subset.Subsetter(_options(hinting, notdef_outline=bool(font.missing)))
        subsetter.populate(gids=to_unicode)
        subsetter.subset(ttfont)
    except TTLibError:
        log.warning('unable to subset "%s" with fontTools; embedding it whole', font.family)
        return
    out = io.BytesIO()
    ttfont.save(out)
    font.file_content = out.getvalue()


def _options(hinting: bool, *, notdef_outline: bool) -> subset.Options:
    options = subset.Options(
        retain_gids=True,
        passthrough_tables=True,
        ignore_missing_glyphs=True,
        hinting=hinting,
        desubroutinize=True,
        notdef_outline=notdef_outline,
    )
    options.drop_tables += [tag.strip() for tag in _DROPPED]
    return options


def replace_fonttools_subset(version: str = weasyprint.__version__) -> bool:
    """Put :func:`fonttools_subset` in WeasyPrint's place, on the release series it mirrors."""
    if not written_for(version):
        log.warning(
            "fontTools subsetting is left to WeasyPrint %s (written for %sx): PDFs made "
            "without %s are not byte-reproducible",
            version,
            SUPPORTED,  # the series whose Font._fonttools_subset this mirrors
            PACKAGE,
        )
        return False
    wfonts.Font._fonttools_subset = lambda self, to_unicode, hinting: fonttools_subset(
        self, to_unicode, hinting
    )
    return True


def install() -> None:
    """Without HarfBuzz's subsetter: the once-per-process notice and the fontTools step (once)."""
    weasyprint_log = logging.getLogger("weasyprint")
    if harfbuzz_subset() or any(isinstance(f, _SayOnce) for f in weasyprint_log.filters):
        return
    weasyprint_log.addFilter(_SayOnce())
    replace_fonttools_subset()
