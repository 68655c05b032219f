"""Continuous sections in issues: news briefs run on one after another, contents and bookmarks
still point at the page each article starts on."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pdfplumber
import pypdf
import pytest

import pagecases
import pagecheck
from printbrief import InputError, compile_issue
from printbrief.issue.load import load_issue
from printbrief.issue.plan import plan_pages


def briefs(count: int = 5) -> list[dict[str, Any]]:
    """Short news briefs of one to three paragraphs (original text)."""
    return [
        {
            "section": "News Brief",
            "headline": f"Brief {n}: the harbour’s {topic} notice",
            "standfirst": "A short item from the harbour office.",
            "byline": "By the news desk",
            "body": "\n\n".join(pagecases._PARAGRAPHS[: 1 + n % 3]),
        }
        for n, topic in enumerate(["tide", "ferry", "market", "weather", "lifeboat"][:count])
    ]


def issue(flow: str) -> dict[str, Any]:
    back = {"section": "Back page", "headline": "Tide table", "body": "High water at noon."}
    return {
        "title": "Small Edition",
        "publication": "Coastline Daily",
        "date": "2026-05-04",
        "sections": {"News Brief": {"flow": flow}},
        "articles": [*briefs(), back],
    }


def bookmarks(pdf: bytes) -> dict[str, int]:
    """Article bookmark title → 1-based page."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found: dict[str, int] = {}

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found[item.title] = reader.get_destination_page_number(item) + 1

    walk(reader.outline)
    return found


@pytest.mark.parametrize("theme", ["newsbrief", "minimal"])
def test_a_continuous_section_runs_its_briefs_on(theme: str, tmp_path: Path) -> None:
    pages = compile_issue(issue("pages"), theme=theme, paper="A4", use_cache=False)
    run = compile_issue(issue("continuous"), theme=theme, paper="A4", use_cache=False)
    assert run.pages <= pages.pages - 3, (run.pages, pages.pages)
    marks = bookmarks(run.pdf)
    with pdfplumber.open(io.BytesIO(run.pdf)) as doc:
        texts = [pagecheck._squash(p.extract_text() or "") for p in doc.pages]
        contents = texts[1]
    for brief in briefs():
        title = str(brief["headline"])
        page = marks[title]
        assert pagecheck._squash(title) in texts[page - 1], f"{title} not on page {page}"
        assert pagecheck._squash(title) + str(page) in contents  # the contents line's number
    assert len({marks[str(b["headline"])] for b in briefs()}) < len(briefs())  # pages shared


@pytest.mark.parametrize("theme", ["newsbrief", "minimal"])
def test_a_run_page_carries_no_article_page_count(theme: str) -> None:
    """A page of a continuous section carries several articles and none owns it: its footer
    has the issue's "Page N of M" and no "Article page N of M", which would count the
    section's pages; the article after the section counts its own page."""
    run = compile_issue(issue("continuous"), theme=theme, paper="A5", use_cache=False)
    marks = bookmarks(run.pdf)
    with pdfplumber.open(io.BytesIO(run.pdf)) as doc:
        texts = [pagecheck._squash(p.extract_text() or "") for p in doc.pages]
    section = range(marks[str(briefs()[0]["headline"])], marks["Tide table"])
    assert len(section) >= 2, "the briefs fill more than one page"
    for page in section:
        assert f"Page{page}of{run.pages}" in texts[page - 1]
        assert "Articlepage" not in texts[page - 1], f"page {page}: {texts[page - 1][-40:]}"
    assert "Articlepage1of1" in texts[marks["Tide table"] - 1]


def test_plan_counts_a_run_from_each_article_start() -> None:
    loaded = load_issue(issue("continuous"))
    indices = [e.index for e in loaded.entries]
    assert list(loaded.units()) == [0, 5] and len(loaded.units()[0]) == 5
    pages = {0: 0, 1: 1, 2: 0, 3: 0, 4: 1, 5: 1}  # briefs start on run pages 1, 1, 2, 2, 2
    plan = plan_pages(2, loaded.entries, pages, right_hand=True, running_on={1, 2, 3, 4})
    assert [(p.entry.index, p.first) for p in plan.placements] == [
        (0, 3), (1, 3), (2, 4), (3, 4), (4, 4), (5, 5)
    ]  # fmt: skip
    assert plan.total == 5 and plan.folio_pages() == [3, 4, 5] and indices == [0, 1, 2, 3, 4, 5]


def test_an_unknown_flow_is_an_input_error_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "issue.json"
    path.write_text(json.dumps(issue("river")))
    with pytest.raises(InputError, match=r"sections\.News Brief\.flow"):
        load_issue(path)
