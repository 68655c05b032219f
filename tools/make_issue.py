"""Generate a synthetic issue (English and Japanese articles in several sections) for tests and benchmarks.

Deterministic for a given size and seed; some articles are long enough for two pages.

    python tools/make_issue.py 200 out/issue200 [SCALE]   # out/issue200/issue.json + articles/
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

SECTIONS_EN = ("News", "World", "Business", "Culture")
SECTION_JA = "ニュース"

_EN_WORDS = [
    "harbour",
    "council",
    "ferry",
    "island",
    "night",
    "service",
    "workers",
    "port",
    "authority",
    "pier",
    "timetable",
    "residents",
    "tide",
    "boats",
    "engine",
    "schedule",
    "review",
    "budget",
    "school",
    "market",
    "lantern",
    "fishing",
    "crew",
    "weather",
    "storm",
    "coast",
    "bridge",
    "road",
    "passengers",
    "fares",
    "petition",
    "union",
    "nurses",
    "city",
    "evening",
    "north",
    "shore",
    "season",
    "repairs",
    "volunteers",
    "library",
    "garden",
    "festival",
    "report",
    "survey",
    "plan",
]
_EN_VERBS = [
    "said",
    "reported",
    "agreed",
    "promised",
    "expected",
    "reopened",
    "delayed",
    "approved",
    "questioned",
]
_JA_PHRASES = (
    "港町の沖に浮かぶ小さな島で",
    "地元の人々が見守る中",
    "新しい計画が発表された",
    "市の担当者は次のように話した",
    "住民の声を受けて",
    "来年度も続ける予定だという",
    "船大工の技術を次の世代に伝えるため",
    "学校と地域が協力して取り組んできた",
    "天候が回復した朝に",
    "多くの観光客が訪れた",
)


def en_paragraph(rng: random.Random, sentences: int) -> str:
    """A paragraph of plausible English news sentences."""
    out = []
    for _ in range(sentences):
        words = rng.sample(_EN_WORDS, rng.randint(7, 12))
        words.insert(rng.randint(2, len(words) - 1), rng.choice(_EN_VERBS))
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def ja_paragraph(rng: random.Random, sentences: int) -> str:
    """A paragraph of Japanese sentences built from stock phrases."""
    return "".join(
        "、".join(rng.sample(_JA_PHRASES, rng.randint(2, 3))) + "。" for _ in range(sentences)
    )


def article(index: int, rng: random.Random, scale: float = 1.0) -> dict[str, Any]:
    """One article: every fifth is Japanese, every fourth is long (two pages at ``scale`` 1)."""
    long = index % 4 == 3
    paragraphs = round((rng.randint(16, 20) if long else rng.randint(3, 6)) * scale)
    if index % 5 == 4:
        body = "\n\n".join(ja_paragraph(rng, rng.randint(2, 4)) for _ in range(paragraphs))
        return {
            "id": f"a{index:03d}",
            "section": SECTION_JA,
            "headline": f"記事{index}　島の港に新しい船が到着",
            "byline": "山田はるか",
            "lang": "ja",
            "published": "2026-05-04",
            "body": body,
        }
    body = "\n\n".join(en_paragraph(rng, rng.randint(3, 5)) for _ in range(paragraphs))
    return {
        "id": f"a{index:03d}",
        "section": SECTIONS_EN[index % len(SECTIONS_EN)],
        "headline": f"Story {index}: the {rng.choice(_EN_WORDS)} {rng.choice(_EN_VERBS)} again",
        "standfirst": en_paragraph(rng, 1),
        "byline": f"By Reporter {index}",
        "lang": "en",
        "published": "2026-05-04",
        "url": f"https://example.com/2026/05/04/story-{index}",
        "body": body,
    }


def make_issue(
    count: int, folder: Path, *, seed: int = 6, inline_every: int = 3, scale: float = 1.0
) -> Path:
    """Write ``issue.json`` and article files into ``folder``; every ``inline_every``-th
    article is inline; ``scale`` multiplies the paragraphs (2.2 gives about two pages per
    article on average)."""
    rng = random.Random(seed)
    (folder / "articles").mkdir(parents=True, exist_ok=True)
    entries: list[Any] = []
    for index in range(count):
        data = article(index, rng, scale)
        if index % inline_every == 0:
            entries.append(data)
            continue
        name = f"articles/{data['id']}.json"
        (folder / name).write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        entries.append(name)
    issue = {
        "title": f"Synthetic edition of {count} stories",
        "publication": "Coastline Daily",
        "date": "2026-05-04",
        "lang": "en",
        "articles": entries,
    }
    path = folder / "issue.json"
    path.write_text(json.dumps(issue, ensure_ascii=False, indent=1), "utf-8")
    return path


if __name__ == "__main__":
    scale = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    print(make_issue(int(sys.argv[1]), Path(sys.argv[2]), scale=scale))
