"""Runs of articles merged ahead ("chunks") and cached, so a re-compile parses a few PDFs, not all.

Parsing every cached article PDF was most of an incremental re-compile of a 200-article
issue (a second of 2.8 s, measured): each carries its own fonts with their width arrays.
A chunk is a run of consecutive articles merged into one PDF, fonts united, cached under the
keys of its articles. Runs end after an article whose key happens to end one (about one in
:data:`RUN_LENGTH`), so inserting or editing an article changes one or two runs, not all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..finish import Rendered
from ..identity import text_key
from ..pdf.merge import Merger, Slot
from .cache import Cache

RUN_LENGTH = 24
"""Average articles per chunk; a run is cut at four times this length at the latest."""


def runs(order: Sequence[int], keys: dict[int, str]) -> list[list[int]]:
    """Entry indices (print order) cut into runs where a key's hash says so.

    >>> runs([0, 1, 2], {0: "a0", 1: "b7", 2: "c1"})  # no key ends a run
    [[0, 1, 2]]
    >>> runs([0, 1, 2], {0: "a1", 1: "00000000", 2: "c1"})  # one does (divisible by RUN_LENGTH)
    [[0, 1], [2]]
    """
    out: list[list[int]] = [[]]
    for index in order:
        out[-1].append(index)
        if int(keys[index][:8], 16) % RUN_LENGTH == 0 or len(out[-1]) >= 4 * RUN_LENGTH:
            out.append([])
    return [run for run in out if run]


class Chunker:
    """Collects articles as they arrive and adds each completed run to ``merger`` as one source.

    ``positions`` maps an entry index to (merger source, its first page in that source);
    ``pages`` an entry index to its page count, known as soon as the article arrives.
    ``order`` lists rendered units; ``groups`` names the entries of a unit that runs several
    articles on (a continuous section), whose render's ``parts`` are its articles' pages.
    """

    def __init__(
        self,
        store: Cache,
        merger: Merger,
        order: Sequence[int],
        keys: dict[int, str],
        groups: Mapping[int, Sequence[int]] | None = None,
    ) -> None:
        self.store, self.merger, self.keys = store, merger, keys
        self.groups = groups or {}
        self.runs = runs(order, keys)
        self.positions: dict[int, tuple[int, int]] = {}
        self.pages: dict[int, int] = {}
        self._arrived: dict[int, Rendered | None] = {}
        self._open = list(range(len(self.runs)))

    def from_cache(self) -> set[int]:
        """Place every run whose chunk is cached; return the entry indices it covered."""
        covered: set[int] = set()
        for number in list(self._open):
            run = self.runs[number]
            chunk = self.store.get(self._key(run))
            if chunk is not None and len(chunk.parts) == len(self._entries(run)):
                self._place(run, chunk, parse=False)  # page counts from the cache's metadata
                self._open.remove(number)
                covered.update(run)
        return covered

    def offer(self, index: int, rendered: Rendered | None) -> None:
        """An article arrived (None: it failed and is left out); merge any run now complete."""
        self.arrive(index, rendered)
        self.settle()

    def arrive(self, index: int, rendered: Rendered | None) -> None:
        """Take an article (None: it failed) and its page counts, merging nothing yet."""
        self._arrived[index] = rendered
        if rendered is not None:
            counts = rendered.parts or (rendered.pages,)
            self.pages.update(zip(self._entries([index]), counts, strict=True))

    def settle(self) -> None:
        """Merge every run whose articles have all arrived."""
        for number in list(self._open):
            run = self.runs[number]
            if all(i in self._arrived for i in run):
                self._open.remove(number)
                self._build([i for i in run if self._arrived[i] is not None])

    def _build(self, members: list[int]) -> None:
        if not members:
            return
        key = self._key(members)
        chunk = self.store.get(key)
        if chunk is None or len(chunk.parts) != len(self._entries(members)):
            chunk = self._merged(members)
            self.store.put(key, chunk)
        self._place(members, chunk)
        for index in members:
            self._arrived[index] = None  # the article's bytes are no longer needed

    def _merged(self, members: list[int]) -> Rendered:
        parts = [self._arrived[i] for i in members]
        merger = Merger()
        sources = [merger.add(part.pdf) for part in parts if part is not None]
        counts = tuple(part.pages for part in parts if part is not None)
        slots = [Slot(s, k) for s, n in zip(sources, counts, strict=True) for k in range(n)]
        each = tuple(n for p in parts if p is not None for n in (p.parts or (p.pages,)))
        return Rendered(merger.write(slots), sum(counts), each)

    def _entries(self, members: Sequence[int]) -> list[int]:
        """The entries of rendered units, in print order."""
        return [i for unit in members for i in self.groups.get(unit, (unit,))]

    def _place(self, members: list[int], chunk: Rendered, *, parse: bool = True) -> None:
        """Add a chunk to the merger (parsed now, while workers render, or when needed)."""
        source, offset = self.merger.add(chunk.pdf, parse=parse), 0
        for index, count in zip(self._entries(members), chunk.parts, strict=True):
            self.positions[index], self.pages[index] = (source, offset), count
            offset += count

    def _key(self, members: list[int]) -> str:
        return text_key("chunk", *(self.keys[i] for i in members))
