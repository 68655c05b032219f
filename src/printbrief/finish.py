"""Stage 5 — finish: what HTML cannot say, written into the PDF with pydyf before the trailer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pydyf

from . import __version__


@dataclass(frozen=True)
class Rendered:
    """A finished PDF and its page count (and, for merged runs of articles, each one's)."""

    pdf: bytes
    pages: int
    parts: tuple[int, ...] = ()


class Finisher:
    """A WeasyPrint ``finisher``: producer string and document-title display.

    Title, author, subject, keywords, dates and language come from the template's ``<head>``.
    """

    def __init__(self, weasyprint_version: str) -> None:
        self.producer = f"printbrief {__version__} (WeasyPrint {weasyprint_version})"

    def __call__(self, document: Any, pdf: pydyf.PDF) -> None:
        """Adjust the pydyf document in place."""
        pdf.info["Producer"] = pydyf.String(self.producer)
        prefs = pdf.catalog.get("ViewerPreferences") or pydyf.Dictionary()
        prefs["DisplayDocTitle"] = "true"  # pydyf writes str(value): pass 'true', not True
        pdf.catalog["ViewerPreferences"] = prefs
