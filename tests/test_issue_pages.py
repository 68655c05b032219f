"""Pages of compiled issues: nothing prints over anything on the cover, the contents and the
article pages with the issue's folios stamped on, in every theme."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

import pagecases
import pagecheck
from conftest import save_failure
from issuekit import ISSUE
from printbrief import compile_issue
from test_flow import briefs, issue

THEMES = ("newsbrief", "broadsheet", "minimal")
STYLES = Path(__file__).parent.parent / "styles"


def small_issue() -> dict[str, Any]:
    """A continuous section of briefs, a normal section holding a 290-character headline (four
    lines in the contents), a back page; a long title and a portrait on the cover."""
    data = issue("continuous")
    data["title"] = "Weekend Edition for the Harbour Towns and Islands"
    data["image"] = {"src": pagecases.picture(800, 1200), "caption": "The north mole at dawn."}
    data["articles"].insert(5, pagecases.long_headline())
    return data


def headlines(data: dict[str, Any]) -> list[str]:
    return [str(a["headline"]) for a in data["articles"] if isinstance(a, dict)]


def weekend_run() -> dict[str, Any]:
    """The sample issue with its news briefs and five more run on (a continuous section)."""
    data = json.loads(ISSUE.read_text())
    articles = [a if isinstance(a, dict) else str(ISSUE.parent / a) for a in data["articles"]]
    data["articles"] = [*articles[:1], articles[2], *briefs(), *articles[1:2], *articles[3:]]
    return data | {"sections": {"News Brief": {"flow": "continuous"}}}


@pytest.mark.parametrize("theme", THEMES)
def test_every_head_in_a_run_keeps_lines_of_its_body_on_its_page(
    theme: str, tmp_path: Path
) -> None:
    """A brief's head block (kicker, headline, standfirst, byline) never stays alone at the
    foot of a page: without the head's ``break-after: avoid`` broadsheet left "Spring tides
    expected on Sunday morning" there, minimal "Brief 4"."""
    data = weekend_run()
    (tmp_path / "issue.json").write_text(json.dumps(data))
    run = compile_issue(tmp_path / "issue.json", theme=theme, paper="A5", use_cache=False)
    found = pagecheck.pages(run.pdf, theme)[2:]
    assert pagecheck.heads_without_body(found, headlines(data)) == []
    assert [p for page in found for p in pagecheck.check_page(page)] == []


def page_texts(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [pagecheck._squash(page.extract_text() or "") for page in doc.pages]


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("paper", ["A5", pytest.param("A4", marks=pytest.mark.slow)])
def test_nothing_prints_over_anything_in_an_issue(theme: str, paper: str) -> None:
    """The cover is one page (its picture scaled down to leave the title room), the contents
    lines keep clear of their page numbers, folios clear of the article footers."""
    data = small_issue()
    run = compile_issue(data, theme=theme, paper=paper, use_cache=False)
    found = pagecheck.check_issue(run.pdf, theme, front=2)
    found += pagecheck.heads_without_body(pagecheck.pages(run.pdf, theme)[2:], headlines(data))
    if found:
        save_failure(f"issue-pages.{theme}.{paper}", run.pdf)
    assert found == []
    assert page_texts(run.pdf)[1].startswith(("COASTLINEDAILY·CONTENTS", "Contents"))


def broken_theme(tmp_path: Path, css: str) -> Path:
    """newsbrief with ``css`` after its issue.css (a theme's issue.css replaces its parent's)."""
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "theme.json").write_text('{"extends": "newsbrief"}')
    parent = (STYLES / "newsbrief" / "issue.css").read_text()
    (folder / "issue.css").write_text(parent + css)
    return folder


def test_checker_finds_a_contents_line_over_its_page_number(tmp_path: Path) -> None:
    theme = broken_theme(
        tmp_path, ".pb-toc-line { padding-right: 0; } .pb-toc-page { top: 0; right: 2mm; }"
    )
    run = compile_issue(small_issue(), theme=theme, paper="A5", use_cache=False)
    found = pagecheck.check_issue(run.pdf, "newsbrief", front=2)
    assert any(f.startswith("page 2: ") and "overprints" in f for f in found), found


def test_checker_finds_a_cover_picture_off_the_page(tmp_path: Path) -> None:
    wide = ".pb-cover-figure img { width: 130%; height: 40mm; object-fit: fill; }"
    theme = broken_theme(tmp_path, wide)
    run = compile_issue(small_issue(), theme=theme, paper="A5", use_cache=False)
    found = pagecheck.check_issue(run.pdf, "newsbrief", front=2)
    assert any(f.startswith("page 1: picture") for f in found), found


LONG_TITLE = (
    "Weekend Edition for the Harbour Towns, the Islands and the Villages of the North Shore, "
    "with the Ferry Timetables, the Tide Tables and the Market Days for the Summer"
)


@pytest.mark.parametrize("theme", THEMES)
def test_a_long_cover_title_steps_down_and_the_cover_stays_one_page(theme: str) -> None:
    """A title of seven lines at full size on A5 steps down to fit: the contents are page 2,
    and nothing prints over anything (the minimal theme's running head, which carries the
    title, stays one line)."""
    run = compile_issue(
        small_issue() | {"title": LONG_TITLE}, theme=theme, paper="A5", use_cache=False
    )
    assert page_texts(run.pdf)[1].startswith(("COASTLINEDAILY·CONTENTS", "Contents"))
    assert pagecheck.check_issue(run.pdf, theme, front=2) == []


@pytest.mark.parametrize("theme", THEMES)
def test_the_cover_caption_and_credit_are_a_space_apart(theme: str) -> None:
    """minimal's cover printed "…the first ferry.Illustration, Coastline Daily"."""
    data = small_issue()
    data["image"] |= {"credit": "Illustration, Coastline Daily"}
    run = compile_issue(data, theme=theme, paper="A5", use_cache=False)
    with pdfplumber.open(io.BytesIO(run.pdf)) as doc:
        chars = [c for c in doc.pages[0].chars if c["text"].strip()]
    end = "".join(c["text"] for c in chars).index("dawn.") + 4
    stop, credit = chars[end], chars[end + 1]
    assert credit["text"] in "Ii" and credit["x0"] - stop["x1"] > 0.2 * float(stop["size"])
