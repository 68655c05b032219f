"""The issue's contents in WeasyPrint's cascade: alike entries share one computed style.

WeasyPrint computes one style for elements with the same parent style, matched rules and
attribute declarations, but a ``lang`` or ``id`` attribute is a declaration of its own on
each element (``css/__init__.py``, ``StyleFor``); entries carrying them made the contents of
a 200-article issue compute thousands of styles. The templates write ``lang`` only where the
language changes and the entry's name on its page number, a box with nothing inside.
"""

from __future__ import annotations

from typing import Any

import pytest
import weasyprint
from weasyprint.css import get_all_computed_styles

from printbrief.issue import plan as planner
from printbrief.issue.load import load_issue
from printbrief.issue.tasks import FRONT_TEMPLATE, STYLESHEET
from printbrief.themes import resolve_theme

THEMES = ("newsbrief", "broadsheet", "minimal")
SECTIONS = [("News", "en"), ("News", "en"), ("News", "ja"), ("News", "en")]
SECTIONS += [("World", "en"), ("World", "en"), ("港", "ja"), ("港", "ja")]


def contents(theme_name: str) -> tuple[weasyprint.HTML, Any]:
    """The cover and contents of an English issue with a Japanese entry in an English
    section and a Japanese section, and WeasyPrint's computed styles for it."""
    articles = [
        {"section": s, "headline": f"Story {i}", "byline": "By A", "body": "b", "lang": lang}
        for i, (s, lang) in enumerate(SECTIONS)
    ]
    issue = load_issue({"title": "Edition", "lang": "en", "articles": articles})
    plan = planner.plan_pages(2, issue.entries, {e.index: 1 for e in issue.entries})
    theme = resolve_theme(theme_name)
    html = weasyprint.HTML(
        string=theme.render_template(FRONT_TEMPLATE, **planner.front_context(issue, plan))
    )
    extra = theme.find(STYLESHEET)
    sheets = [weasyprint.CSS(filename=str(p)) for p in (*theme.stylesheets, extra) if p]
    return html, get_all_computed_styles(html, user_stylesheets=sheets)


def of_class(html: weasyprint.HTML, name: str) -> list[Any]:
    return [e for e in html.etree_element.iter() if e.get("class") == name]


@pytest.mark.parametrize("theme", THEMES)
def test_alike_contents_entries_share_one_computed_style(theme: str) -> None:
    html, style_for = contents(theme)
    entries = [style_for(e) for e in of_class(html, "pb-toc-entry")]
    assert [s["lang"] for s in entries] == [lang for _, lang in SECTIONS]
    english = {id(s) for s, (_, lang) in zip(entries, SECTIONS, strict=True) if lang == "en"}
    japanese_section = {id(s) for s in entries[6:]}
    assert len(english) == 1 and len(japanese_section) == 1  # 2 styles, not 8
    assert id(entries[2]) not in english | japanese_section  # its section is English


@pytest.mark.parametrize("theme", THEMES)
def test_each_contents_entry_still_names_its_article(theme: str) -> None:
    html, style_for = contents(theme)
    anchors = [style_for(e)["anchor"] for e in of_class(html, "pb-toc-page")]
    links = [e.get("href") for e in of_class(html, "pb-toc-line")]
    assert anchors == [f"pb-article-{i}" for i in range(len(SECTIONS))]
    assert links == [f"#{a}" for a in anchors]
