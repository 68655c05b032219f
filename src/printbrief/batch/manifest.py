"""The batch manifest: which PDFs in an output folder are up to date, and what made them.

One JSON file per output folder, ``printbrief-manifest.json``::

    {"format": 2, "outputs": {"story.pdf": {"input": "/in/story.json", "input_sha256": "…",
     "files_sha256": "…", "options": {"theme": "newsbrief", "theme_sha256": "…", "paper": "A4",
     …}, "versions": {"printbrief": "0.1.0", "weasyprint": "70.0"}, "pages": 2,
     "size": 48213, "pdf_sha256": "…", "rendered": "…"}}}

``files_sha256`` covers the local pictures the article names (:mod:`printbrief.identity`),
so a picture replaced under the same name renders the article again.

An entry is added only after its PDF is completely on disk and dropped before that PDF is
rendered again, so whenever the file is saved it describes only complete PDFs.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..output import write_atomic

log = logging.getLogger(__name__)

MANIFEST_NAME = "printbrief-manifest.json"
FORMAT = 2
SAVE_INTERVAL = 1.0
"""Seconds between saves while a batch runs (it is always saved at the end and on Ctrl-C)."""


@dataclass(frozen=True)
class Key:
    """What an output depends on: the input's path and bytes, its pictures, options, versions."""

    input: str
    input_sha256: str
    files_sha256: str
    options: dict[str, Any]
    versions: dict[str, str]


@dataclass(frozen=True)
class Entry(Key):
    """One output's record: its key plus facts about the PDF written."""

    pages: int
    size: int
    pdf_sha256: str
    rendered: str

    @classmethod
    def of(cls, key: Key, *, pages: int, size: int, pdf_sha256: str) -> Entry:
        """A new entry for an output just written."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        return cls(**asdict(key), pages=pages, size=size, pdf_sha256=pdf_sha256, rendered=now)

    def key(self) -> Key:
        """The part of the entry that decides whether the output is stale."""
        return Key(**{f.name: getattr(self, f.name) for f in fields(Key)})


class Manifest:
    """The entries of one output folder; saved atomically, so a reader never sees half of it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / MANIFEST_NAME
        self.entries = _read(self.path)
        self.dirty = False

    def up_to_date(self, name: str, key: Key) -> Entry | None:
        """The entry for ``name`` if it matches ``key`` and its PDF is still on disk, unchanged in size."""
        entry = self.entries.get(name)
        if entry is None or entry.key() != key:
            return None
        try:
            size = (self.folder / name).stat().st_size
        except OSError:
            return None
        return entry if size == entry.size else None

    def add(self, name: str, entry: Entry) -> None:
        """Record an output whose PDF has been written completely."""
        self.entries[name] = entry
        self.dirty = True

    def forget(self, name: str) -> None:
        """Drop an output that is about to be rendered again."""
        if self.entries.pop(name, None) is not None:
            self.dirty = True

    def save(self) -> None:
        """Write the manifest if anything changed."""
        if not self.dirty:
            return
        outputs = {name: asdict(e) for name, e in sorted(self.entries.items())}
        data = json.dumps({"format": FORMAT, "outputs": outputs}, indent=1, ensure_ascii=False)
        write_atomic(self.path, data.encode() + b"\n")
        self.dirty = False


class Manifests:
    """The manifests of every folder a batch writes into, opened on first use."""

    def __init__(self) -> None:
        self._open: dict[Path, Manifest] = {}
        self._saved = time.monotonic()

    def of(self, output: Path) -> Manifest:
        """The manifest of the folder ``output`` is written to."""
        folder = output.parent
        if folder not in self._open:
            self._open[folder] = Manifest(folder)
        return self._open[folder]

    def save(self, *, throttle: bool = False) -> None:
        """Save every changed manifest; with ``throttle``, at most once per SAVE_INTERVAL."""
        if throttle and time.monotonic() - self._saved < SAVE_INTERVAL:
            return
        for manifest in self._open.values():
            manifest.save()
        self._saved = time.monotonic()


def _read(path: Path) -> dict[str, Entry]:
    try:
        data = json.loads(path.read_bytes())
        if isinstance(data.get("format"), int) and data["format"] < FORMAT:
            log.info("%s: made by an older printbrief; its folder is rendered again", path)
            return {}
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        return {name: Entry(**fields) for name, fields in data["outputs"].items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("%s: unreadable manifest (%s); its folder is rendered again", path, exc)
        return {}
