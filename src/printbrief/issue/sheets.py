"""An issue's sheets: cover and contents (the front matter) and the folio sheets, with their timing.

The front matter's length decides every page number, so it is learnt first (from the cache,
a layout on a worker, or a guess checked on the page); the sheets are queued the moment the
last article's page count is known, and taken from the cache when nothing changed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..errors import RenderError
from ..finish import Rendered
from ..identity import document_key, text_key
from ..options import RenderOptions
from ..themes import Theme
from ..workers import Outcome, submit
from . import plan as planner
from .cache import Cache
from .load import Issue
from .tasks import FOLIO_TEMPLATE, FRONT_TEMPLATE, DocumentTask, PageCountTask, received


class Workers(Protocol):
    """Where a compile's work runs: the executor, started on first need."""

    def executor(self, work: int) -> Executor:
        """The executor, for ``work`` more tasks (a pool is started only if it pays)."""
        ...

    @property
    def parallel(self) -> bool:
        """Whether work submitted now runs alongside this process (not inline)."""
        ...


class Sheets:
    """One compile's cover, contents and folio sheets, from the cache or rendered on ``workers``."""

    def __init__(
        self, store: Cache, print_fp: str, options: RenderOptions, theme: Theme, workers: Workers
    ) -> None:
        self.store, self.fingerprint, self.options, self.theme = store, print_fp, options, theme
        self.workers = workers
        self._front_length: Callable[[], int] | None = None
        self._length_key = ""
        self._ahead: _Ahead | None = None

    def measure_front(self, issue: Issue) -> None:
        """Learn how many pages cover and contents take, without the articles' page counts.

        Page numbers sit in a fixed-width column, so the contents' length does not depend on
        them: a probe with every article one page long has the final length. It is
        remembered under its own key; with a pool it is laid out (not drawn) alongside the
        articles.
        """
        ones = {e.index: 1 for e in issue.entries}
        probe = self.theme.render_template(
            FRONT_TEMPLATE,
            **planner.front_context(issue, planner.plan_pages(0, issue.entries, ones)),
        )
        self._length_key = text_key("front-pages", self.fingerprint, probe)
        known = self.store.number(self._length_key)
        if known is not None:
            self._front_length = lambda: known
        elif self.workers.parallel:
            task = PageCountTask(probe, _cover_folder(issue), self.options)
            future = submit(self.workers.executor(0), task)
            self._front_length = lambda: received(future).result()

    def start(self, issue: Issue, pages: dict[int, int], right_hand: bool) -> None:
        """Queue what :meth:`render` renders first, now that every page count is known."""
        length = self._front_length() if self._front_length else _estimate_front(issue)
        _, docs = self._plan(issue, pages, right_hand, length)
        request = self._request(docs, issue, front_pages=length)
        self._ahead = _Ahead(issue, dict(pages), right_hand, length, request)

    def render(
        self, issue: Issue, pages: dict[int, int], right_hand: bool
    ) -> tuple[planner.Plan, Rendered, list[Rendered]]:
        """Number the issue; render cover and contents, and the folio sheets."""
        length = self._front_length() if self._front_length else _estimate_front(issue)
        ahead, self._ahead = self._ahead, None
        for _ in range(4):
            plan, docs = self._plan(issue, pages, right_hand, length)
            if ahead is not None and ahead.made_for(issue, pages, right_hand, length):
                request = ahead.request  # queued as the last article arrived
            else:
                request = self._request(docs, issue, front_pages=length)
            front, *folios = self._receive(request)
            if front.pages == length:
                self.store.put_number(self._length_key, length)
                if not folios:
                    folios = self.documents(
                        [(FOLIO_TEMPLATE, c) for c in planner.folio_contexts(issue, plan)], issue
                    )
                return plan, front, folios
            length, self._front_length, ahead = front.pages, None, None
        raise RenderError("the contents' page count does not settle", source=issue.name)

    def _plan(
        self, issue: Issue, pages: dict[int, int], right_hand: bool, length: int
    ) -> tuple[planner.Plan, list[tuple[str, dict[str, Any]]]]:
        """The page plan for ``length`` front pages, and the documents to render for it."""
        plan = planner.plan_pages(
            length, issue.entries, pages, right_hand=right_hand, running_on=_running_on(issue)
        )
        docs = [(FRONT_TEMPLATE, planner.front_context(issue, plan))]
        if self._front_length:  # the length is known: render everything in one batch
            docs += [(FOLIO_TEMPLATE, c) for c in planner.folio_contexts(issue, plan)]
        return plan, docs

    def documents(
        self, docs: Sequence[tuple[str, dict[str, Any]]], issue: Issue, *, front_pages: int = 0
    ) -> list[Rendered]:
        """Theme-written documents, from the cache or rendered (in parallel in a pool).

        With ``front_pages``, the first is drawn only if it has that many pages; otherwise it
        comes back laid out but without a PDF (its length guessed wrong: it is done again).
        """
        return self._receive(self._request(docs, issue, front_pages=front_pages))

    def _request(
        self, docs: Sequence[tuple[str, dict[str, Any]]], issue: Issue, *, front_pages: int = 0
    ) -> _Request:
        """Look ``docs`` up in the cache and queue the missing ones (see :meth:`documents`)."""
        base = _cover_folder(issue)
        cover = planner.cover_image(issue)
        files = [cover[0].src] if cover else []
        htmls = [self.theme.render_template(template, **context) for template, context in docs]
        keys = [document_key(self.fingerprint, html, base, files) for html in htmls]
        found = {k: hit for k in keys if (hit := self.store.get(k)) is not None}
        missing = [(k, html) for k, html in zip(keys, htmls, strict=True) if k not in found]
        executor = self.workers.executor(0) if missing else None
        expected = {keys[0]: front_pages} if keys else {}
        futures = [
            (key, submit(executor, DocumentTask(html, base, self.options, expected.get(key, 0))))
            for key, html in missing
            if executor is not None
        ]
        return _Request(keys, found, futures)

    def _receive(self, request: _Request) -> list[Rendered]:
        """The documents of a request, waiting for those queued; drawn ones go to the cache."""
        found = request.found
        for key, future in request.futures:
            found[key] = received(future).result()
            if found[key].pdf:
                self.store.put(key, found[key])
        return [found[k] for k in request.keys]


@dataclass
class _Request:
    """Theme-written documents asked for: their keys, those found in the cache, those queued."""

    keys: list[str]
    found: dict[str, Rendered]
    futures: list[tuple[str, Future[Outcome[Rendered]]]]


@dataclass
class _Ahead:
    """The sheets queued as the last article arrived, and the numbers they were made for."""

    issue: Issue
    pages: dict[int, int]
    right_hand: bool
    length: int
    request: _Request

    def made_for(self, issue: Issue, pages: dict[int, int], right_hand: bool, length: int) -> bool:
        """Whether these are the sheets :meth:`Sheets.render` would ask for."""
        same = (self.pages, self.right_hand, self.length) == (pages, right_hand, length)
        return self.issue is issue and same


def _running_on(issue: Issue) -> set[int]:
    """Entries that run on under the article before them (not a continuous section's first)."""
    return {e.index for members in issue.units().values() for e in members[1:]}


def _cover_folder(issue: Issue) -> Path | None:
    cover = planner.cover_image(issue)
    return cover[1] if cover else None


def _estimate_front(issue: Issue) -> int:
    """A first guess at cover + contents pages (about 20 entries fit on a contents page)."""
    lines = len(issue.entries) + 1.5 * len(issue.sections()) + 3
    return 1 + math.ceil(lines / 20.5)
