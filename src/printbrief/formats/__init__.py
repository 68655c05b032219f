"""Readers of the news industry's formats: IPTC ninjs, NewsML-G2 and NITF, WordPress REST posts.

Each module maps one format's parsed data to printbrief article fields and says which of its
fields it could not map; :mod:`printbrief.load` keeps the registry, validates and warns.
"""

from __future__ import annotations

from .mapped import Mapped

__all__ = ["Mapped"]
