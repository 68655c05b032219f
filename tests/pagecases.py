"""Test articles that push a page to its limits (original text; pictures drawn with Pillow)."""

from __future__ import annotations

import base64
import io
from functools import cache
from typing import Any

from PIL import Image, ImageDraw

LONG_URL = (
    "https://example.com/archive/harbour-authority/2026/05/reports/"
    "quarterly-dredging-and-berth-maintenance-review-final-draft.pdf?edition=print&lang=en"
)
FOOTER_URL = (
    "https://example.com/news/2026/05/04/"
    "harbour-authority-publishes-the-long-awaited-review-of-berth-maintenance-and-dredging"
)
DOTTED_URL = (
    "https://records.harbourauthoritynorthquay.examplecouncilarchive.organisationdirectory"
    ".example/berths?dredging=final&edition=print&language=english&format=portable"
)
HEAD_HEADLINE = "Harbour review finds that the breakwater, not the ships, moves the silt inland"


@cache
def picture(width: int, height: int, hue: int = 0) -> str:
    """A data: URI of a PNG ``width`` × ``height`` px: two bands and a frame, a few colours."""
    image = Image.new("RGB", (width, height), (40 + hue, 90, 140))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 2 // 3, width, height), fill=(200, 170 - hue, 90))
    draw.rectangle((4, 4, width - 5, height - 5), outline=(20, 20, 20), width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


_PARAGRAPHS = [
    "The review, three years in the making, runs to a little under two hundred pages, and most "
    "of them are about mud. Every tide carries silt into the inner basin; every winter storm "
    "carries more; and every few years the authority hires a dredger to carry it back out.",
    "What the engineers found surprised them. The berths used by the island ferries have lost "
    "almost a metre of depth since the last survey, while the container quay, long thought to "
    "be the worst affected, has barely changed. The difference, they say, is the breakwater.",
    "Fishing crews had said as much for years. “You only have to watch where the weed piles "
    "up,” said one skipper, who has worked out of the harbour since she was sixteen. "
    "“The water tells you where it is going. Nobody asked the water.”",
    "The cost of doing nothing is set out in a table near the end of the report. Ferries would "
    "have to wait for the tide on one morning in five by 2030, and on one morning in two by "
    "2035; the island school run would, on those days, begin before six.",
]

_TABLE = """
| Berth | Depth 2023 (m) | Depth 2026 (m) | Change (m) | Silt (t/yr) | Cost (€m) | Last dredged |
|:------|---------------:|---------------:|-----------:|------------:|----------:|:-------------|
| Ferry pier north | 6.40 | 5.48 | −0.92 | 41,200 | 3.75 | March 2019 |
| Ferry pier south | 6.25 | 5.61 | −0.64 | 29,900 | 2.90 | March 2019 |
| Container quay | 12.10 | 12.02 | −0.08 | 3,150 | 0.45 | October 2021 |
| Fishing harbour | 4.10 | 3.62 | −0.48 | 18,700 | 1.35 | never |
| Marina pontoons | 3.20 | 2.95 | −0.25 | 9,400 | 0.80 | June 2017 |
"""


def long_feature() -> dict[str, Any]:
    """A long English feature: headings, lists, a wide numeric table, quotes and long URLs."""
    body = [_PARAGRAPHS[0], _PARAGRAPHS[1]]
    body += ["## What the survey measured", _PARAGRAPHS[2], _PARAGRAPHS[3]]
    body += [
        "The survey team took soundings at:",
        "- 212 points across the inner basin, each revisited at high and low water;\n"
        "- 48 points along the breakwater’s inner face;\n"
        "- and the channel buoys, where the depth has not changed in ten years.",
        _TABLE,
        f"The full report is published at {LONG_URL} and the survey data at "
        "<https://data.example.com/harbour/soundings/2026/inner-basin-and-breakwater.csv>.",
        "## What happens next",
        "> The harbour was built for the ships of 1910. It has done remarkably well\n"
        "> for the ships of 2026, but it cannot keep doing so on good will alone.",
    ]
    body += [_PARAGRAPHS[i % 4] for i in range(10)]
    body += [
        "### The options",
        "1. Dredge the ferry berths every second winter, as now.\n"
        "2. Extend the breakwater by 140 metres, which the report prefers.\n"
        "3. Move the ferries to the container quay, which the islanders oppose.",
        *(_PARAGRAPHS[i % 4] for i in range(8)),
        "A reader asked where to comment: the consultation page is "
        "https://consult.example.com/harbour/breakwater-extension/have-your-say?ref=print "
        "until the end of June.",
    ]
    return {
        "id": "harbour-review",
        "headline": "Harbour review finds the ferry berths silting up twice as fast as forecast",
        "standfirst": "A three-year survey of the inner basin points at the breakwater, and "
        "sets out what it would cost to keep the island ferries running on time.",
        "section": "Features",
        "byline": "By Imogen Castellanos-Whitfield",
        "publication": "Coastline Daily",
        "published": "2026-05-04",
        "url": FOOTER_URL,
        "body": "\n\n".join(body),
    }


PICTURE_CAPTIONS = [
    "The inner basin at low water, looking towards the ferry piers from the signal mast.",
    "A survey pole marks a sounding point on the breakwater’s inner face, at low tide.",
    "The harbour from the headland: the breakwater runs from the lighthouse to the left edge.",
    "The pilot launch tied up below the harbourmaster’s office, waiting for the evening tide.",
    "Mooring ring, ferry pier north, with the silt line visible a metre above the water.",
]


def pictures() -> dict[str, Any]:
    """Several pictures: a landscape lead, a 2:3 portrait and a 4:1 panorama in the body and
    after it, and a second portrait after the body."""
    portrait, panorama = picture(600, 900, 30), picture(1600, 400, 60)
    text = " ".join(_PARAGRAPHS)
    body = [
        text,
        f'![A survey pole on the breakwater]({portrait} "{PICTURE_CAPTIONS[1]}")',
        text,
        f'![The harbour seen from the headland]({panorama} "{PICTURE_CAPTIONS[2]}")',
        text,
    ]
    return {
        "headline": "Pictures from a survey of the inner basin",
        "standfirst": "Five pictures, three shapes: the survey team’s week in the harbour.",
        "section": "Pictures",
        "byline": "By Tomás Berglund",
        "publication": "Coastline Daily",
        "url": "https://example.com/pictures/2026/05/survey-week",
        "body": "\n\n".join(body),
        "images": [
            {"src": picture(1200, 800), "caption": PICTURE_CAPTIONS[0], "alt": "The basin"},
            {"src": portrait, "caption": PICTURE_CAPTIONS[3], "alt": "The pilot launch"},
            {"src": panorama, "caption": PICTURE_CAPTIONS[4], "credit": "Survey team"},
        ],
    }


def url_caption() -> dict[str, Any]:
    """A URL of long dotted names and ``&`` parameters in running text and in a caption."""
    return {
        "headline": "Where the records are kept",
        "body": f"{_PARAGRAPHS[0]}\n\nThe records are kept at {DOTTED_URL} for now.",
        "images": [{"src": picture(1200, 800), "caption": f"Records: {DOTTED_URL}"}],
    }


def long_headline() -> dict[str, Any]:
    """A headline of 290 characters, the longest the model allows being 300."""
    headline = (
        "Council votes to keep the night market open until midnight on Fridays and "
        "Saturdays through the summer, extend the late bus to the island ferry terminal, "
        "light the sea wall path, and ask the harbour authority to reopen the old signal "
        "mast as a viewing platform for visitors by the end of August"
    )
    return {
        "headline": headline,
        "standfirst": "The vote was unanimous, the debate was not.",
        "section": "News Brief",
        "byline": "By Ada Nwosu",
        "publication": "Coastline Daily",
        "url": "https://example.com/news/2026/05/night-market-hours",
        "body": "\n\n".join(_PARAGRAPHS * 2),
    }


def korean_long_words() -> dict[str, Any]:
    """Korean with long compound words, and a Latin run with a URL."""
    words = (
        "한바다항만공사시설관리본부는 해양수산부산하국립해양조사원공동연구팀과 함께 "
        "내항준설및방파제연장사업타당성재검토보고서를 발표했다. "
    )
    para = words + "보고서는 여객선 부두의 수심이 지난 3년 동안 거의 1미터 얕아졌다고 밝혔다. "
    return {
        "headline": "한바다항만공사시설관리본부, 내항준설및방파제연장사업타당성재검토보고서 발표",
        "standfirst": "여객선부두수심감소원인분석결과 방파제가 주요 원인으로 지목됐다",
        "section": "해양",
        "byline": "김서연 기자",
        "publication": "해안일보",
        "lang": "ko",
        "url": "https://example.com/ko/2026/05/04/harbour-dredging-review-report",
        "body": "\n\n".join([para * 3] * 6 + [f"보고서 전문: {LONG_URL}"]),
    }


def wide_table(columns: int = 10) -> dict[str, Any]:
    """A table of ``columns`` years of soundings: wider than a broadsheet column, or an A5
    page, at the themes' own table type."""
    years = range(2027 - columns, 2027)
    rows = [
        f"| {name} | " + " | ".join(f"{10 + 0.37 * i + row:.2f}" for i in range(columns)) + " |"
        for row, name in enumerate(["Ferry pier north", "Container quay", "Marina pontoons"])
    ]
    head = "| Berth | " + " | ".join(f"{y} depth (m)" for y in years) + " |"
    table = "\n".join([head, "|:--|" + "--:|" * columns, *rows])
    return {
        "headline": "Ten years of soundings at the inner basin",
        "section": "Data",
        "publication": "Coastline Daily",
        "url": "https://example.com/data/2026/05/soundings",
        "body": "\n\n".join([_PARAGRAPHS[0], table, *_PARAGRAPHS[1:]]),
    }


CASES = {
    "long-feature": long_feature,
    "wide-table": wide_table,
    "pictures": pictures,
    "long-headline": long_headline,
    "ko-long-words": korean_long_words,
}
