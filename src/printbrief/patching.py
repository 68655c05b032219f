"""printbrief's patches of WeasyPrint internals: each applied once per process, thread-safely,
and only on the WeasyPrint release series it was written for.

:mod:`printbrief.cjk`, :mod:`printbrief.grid`, :mod:`printbrief.fontmap` and
:mod:`printbrief.subsetting` reach into WeasyPrint 70's internals. On any other series a
patch is left out with one warning and WeasyPrint does the work its own way; the lock keeps
two threads' first renders from wrapping the same function twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

SUPPORTED = "70."
"""The WeasyPrint release series the patches were written against (``70.x``)."""


def written_for(version: str | None = None) -> bool:
    """True on the series the patches were written for (the installed WeasyPrint by default)."""
    if version is None:
        import weasyprint

        version = weasyprint.__version__
    return version.startswith(SUPPORTED)


class Patch:
    """One patch of WeasyPrint internals, applied at most once per process."""

    def __init__(self, what: str, apply: Callable[[], None], otherwise: str) -> None:
        self.what, self.apply, self.otherwise = what, apply, otherwise
        self.installed: bool | None = None
        self._lock = threading.Lock()

    def install(self) -> bool:
        """Apply the patch once; False (with a warning, once) on another WeasyPrint series."""
        if self.installed is None:
            with self._lock:
                if self.installed is None:
                    self.installed = self._install()
        return self.installed

    def _install(self) -> bool:
        import weasyprint

        if written_for():
            self.apply()
            return True
        log.warning("%s: written for WeasyPrint %sx, found %s; %s", self.what, SUPPORTED,
                    weasyprint.__version__, self.otherwise)  # fmt: skip
        return False
