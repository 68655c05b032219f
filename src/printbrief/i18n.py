"""Languages: BCP 47 tags to printbrief's script keys, plus localised dates and labels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

# A pragmatic BCP 47 shape check (RFC 5646 §2.1): language, optional script, region, variants.
_TAG_RE = re.compile(
    r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-[A-Za-z0-9]{5,8})*$"
)

SCRIPT_KEYS = ("latin", "zh-Hans", "zh-Hant", "ja", "ko")
_HANT_REGIONS = {"TW", "HK", "MO"}


def is_valid_tag(tag: str) -> bool:
    """Whether ``tag`` looks like a BCP 47 language tag (``en``, ``zh-Hant``, ``pt-BR``)."""
    return bool(_TAG_RE.match(tag))


def script_key(tag: str) -> str:
    """The font/typography key of a tag: ``zh-TW`` → ``zh-Hant``, ``zh`` → ``zh-Hans``, ``de`` → ``latin``."""
    parts = tag.replace("_", "-").split("-")
    lang = parts[0].lower()
    subtags = {p.title() if len(p) == 4 else p.upper() for p in parts[1:]}
    if lang == "zh":
        if "Hant" in subtags or (subtags & _HANT_REGIONS and "Hans" not in subtags):
            return "zh-Hant"
        return "zh-Hans"
    if lang in ("ja", "ko"):
        return lang
    return "latin"


@dataclass(frozen=True)
class Labels:
    """Words a theme prints around the article, in one language."""

    by: str
    updated: str
    published: str
    page_of: tuple[str, str, str]  # text before N, between N and M, after M
    contents: str
    article_page_of: tuple[str, str, str]  # an article's own page x of y inside an issue


_LABELS = {
    "latin": Labels(
        "By", "Updated", "Published", ("Page ", " of ", ""), "Contents",
        ("Article page ", " of ", ""),
    ),
    "zh-Hans": Labels(
        "", "更新于", "发布于", ("第 ", " 页，共 ", " 页"), "目录", ("本文第 ", " 页，共 ", " 页"),
    ),
    "zh-Hant": Labels(
        "", "更新於", "發佈於", ("第 ", " 頁，共 ", " 頁"), "目錄", ("本文第 ", " 頁，共 ", " 頁"),
    ),
    "ja": Labels("", "更新", "公開", ("", " / ", " ページ"), "目次", ("記事 ", " / ", " ページ")),
    "ko": Labels("", "업데이트", "발행", ("", " / ", "쪽"), "목차", ("기사 ", " / ", "쪽")),
}  # fmt: skip

_EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def labels(tag: str) -> Labels:
    """The labels for a language tag (English wording for every Latin-script language)."""
    return _LABELS[script_key(tag)]


def page_of(parts: tuple[str, str, str], number: int, total: int) -> str:
    """``Page 3 of 12`` from a label triple: ``page_of(labels("en").page_of, 3, 12)``."""
    return f"{parts[0]}{number}{parts[1]}{total}{parts[2]}"


def format_date(value: date | datetime, tag: str) -> str:
    """A printed date: ``1 May 2026`` in English, ``2026年5月1日`` in zh/ja, ``2026년 5월 1일`` in ko."""
    key = script_key(tag)
    y, m, d = value.year, value.month, value.day
    if key in ("zh-Hans", "zh-Hant", "ja"):
        return f"{y}年{m}月{d}日"
    if key == "ko":
        return f"{y}년 {m}월 {d}일"
    return f"{d} {_EN_MONTHS[m - 1]} {y}"
