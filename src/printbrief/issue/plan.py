"""The page plan of an issue: where each article starts, the blank pages, and what the front
matter, the folios, the bookmarks and the merge need to know about it (no rendering here).

Page numbers are counted by printbrief, not by WeasyPrint: articles are laid out one by one,
so each knows only its own pages ("Article page 2 of 3"); the issue's "Page N of M" is
printed on a folio sheet and stamped on at merge time.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import furniture, i18n
from ..model import Image
from ..pdf.merge import OutlineItem, Slot
from ..themes import iso
from .load import Entry, Issue

FOLIOS_PER_SHEET = 100
"""Folios per sheet document: fixed, so the output does not depend on ``-j``."""


@dataclass(frozen=True)
class Placement:
    """An article in the issue: its first page (1-based) and its page count."""

    entry: Entry
    first: int
    pages: int

    @property
    def anchor(self) -> str:
        """The named destination of the article's first page."""
        return f"pb-article-{self.entry.index}"


@dataclass(frozen=True)
class Plan:
    """Every page of the issue: front matter, then articles (and blanks before right-hand starts)."""

    front: int
    placements: tuple[Placement, ...]
    total: int

    def folio_pages(self) -> list[int]:
        """Page numbers that carry a folio: every article page."""
        return [p.first + k for p in self.placements for k in range(p.pages)]


def plan_pages(
    front: int,
    entries: Sequence[Entry],
    pages: Mapping[int, int],
    *,
    right_hand: bool = False,
    running_on: Collection[int] = (),
) -> Plan:
    """Number the pages: ``front`` pages, then each entry (``pages`` by entry index).

    In a continuous section an article owns the pages from the one it starts on to the one
    before the next article's start (none when the next starts on the same page): the page
    counts still add up, and each article's first page is where it starts. The entries of
    ``running_on`` (all but the first of such a section) never start on a fresh right-hand page.

    >>> plan_pages(2, entries, {0: 3, 1: 1}, right_hand=True).total  # doctest: +SKIP
    8
    """
    placements, next_page = [], front + 1
    for entry in entries:
        if right_hand and next_page % 2 == 0 and entry.index not in running_on:
            next_page += 1  # a blank left-hand page
        placements.append(Placement(entry, next_page, pages[entry.index]))
        next_page += pages[entry.index]
    return Plan(front, tuple(placements), next_page - 1)


def slots(
    plan: Plan,
    front_source: int,
    positions: Mapping[int, tuple[int, int]],
    folio_source: int,
) -> list[Slot]:
    """The merge's page list. ``positions`` maps an entry index to (source, first page in
    it); folios come from consecutive sheet sources starting at ``folio_source``."""
    out = [Slot(front_source, k, internal_links=True) for k in range(plan.front)]
    folio = 0
    for placement in plan.placements:
        out += [Slot(None)] * (placement.first - len(out) - 1)
        source, first = positions[placement.entry.index]
        for k in range(placement.pages):
            sheet, page = divmod(folio, FOLIOS_PER_SHEET)
            out.append(Slot(source, first + k, (folio_source + sheet, page)))
            folio += 1
    return out


def outline(issue: Issue, plan: Plan) -> list[OutlineItem]:
    """Bookmarks: section → article (articles without a section at the top level)."""
    first = {p.entry.index: p.first - 1 for p in plan.placements}
    items: list[OutlineItem] = []
    for section, entries in issue.sections():
        articles = tuple(OutlineItem(e.article.headline, first[e.index]) for e in entries)
        if section:
            items.append(OutlineItem(section, articles[0].page, articles))
        else:
            items += articles
    return items


def destinations(plan: Plan) -> dict[str, int]:
    """Named destination → 0-based page, for the contents' links."""
    return {p.anchor: p.first - 1 for p in plan.placements}


# ------------------------------------------------------------------------------ contexts


def issue_date(issue: Issue, lang: str) -> str:
    """The issue's date as printed in ``lang`` (empty without a date)."""
    return i18n.format_date(issue.date, lang) if issue.date else ""


def article_context(issue: Issue, entry: Entry, run: bool = False) -> dict[str, Any]:
    """Extra variables of ``issue-article.html.j2``: the head line of an article's first page,
    and ``run``, whether it runs on with others in a continuous section (whose pages, shared
    by several articles, carry no article page count)."""
    parts = (issue.title, issue_date(issue, entry.article.lang))
    return {"issue_head": " · ".join(p for p in parts if p), "run": run}


def cover_image(issue: Issue) -> tuple[Image, Path | None] | None:
    """The cover picture and the folder its ``src`` is relative to: the issue's ``image``, else
    the lead picture of the first article that has one."""
    if issue.image:
        return issue.image, issue.source.parent if issue.source else None
    for entry in issue.entries:
        if entry.article.images:
            source = entry.article.source
            return entry.article.images[0], source.parent if source else None
    return None


def front_context(issue: Issue, plan: Plan) -> dict[str, Any]:
    """Variables of ``issue.html.j2``: cover and contents."""
    labels = i18n.labels(issue.lang)
    by_index = {p.entry.index: p for p in plan.placements}
    sections = [
        {
            "label": label,
            "lang": entries[0].article.lang,
            "entries": [_entry(by_index[e.index]) for e in entries],
        }
        for label, entries in issue.sections()
    ]
    cover = cover_image(issue)
    return {
        "issue": issue,
        "image": cover[0] if cover else None,
        "lang": issue.lang,
        "script": i18n.script_key(issue.lang),
        "labels": labels,
        "date_text": issue_date(issue, issue.lang),
        "title_em": furniture.title_em(issue.title),
        "iso": iso,
        "total": plan.total,
        "contents_head": " · ".join(p for p in (issue.publication, labels.contents) if p),
        "sections": sections,
    }


def _entry(placement: Placement) -> dict[str, Any]:
    article = placement.entry.article
    return {
        "headline": article.headline,
        "byline": article.byline,
        "standfirst": article.standfirst,
        "lang": article.lang,
        "page": placement.first,
        "anchor": placement.anchor,
    }


def folio_contexts(issue: Issue, plan: Plan) -> list[dict[str, Any]]:
    """Variables of ``folios.html.j2``, one dictionary per sheet of :data:`FOLIOS_PER_SHEET`."""
    parts = i18n.labels(issue.lang).page_of
    folios = [i18n.page_of(parts, n, plan.total) for n in plan.folio_pages()]
    return [
        {
            "lang": issue.lang,
            "script": i18n.script_key(issue.lang),
            "folios": folios[i : i + FOLIOS_PER_SHEET],
        }
        for i in range(0, len(folios), FOLIOS_PER_SHEET)
    ]
