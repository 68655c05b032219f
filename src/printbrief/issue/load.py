"""Stage 1 for issues — load: an issue file (JSON or YAML) to an :class:`Issue` of validated articles.

An issue is ``{title, publication, date, lang, image, sections, articles: [article |
"relative/path"]}``. Articles are grouped by ``section`` (sections in order of first
appearance, articles in issue order within a section); that is the print order, the contents
and the outline. ``sections`` maps a section's name to how it runs: ``{"flow": "pages"}``
(each article on a new page, the default) or ``{"flow": "continuous"}`` (news briefs: each
article runs on under the one before).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as _ValidationError

from ..errors import MAX_LISTED, FieldProblem, InputError, LimitError, PrintbriefError
from ..limits import DEFAULT_LIMITS, Limits
from ..load import format_named, from_mapping, load, read_bytes, yaml_data
from ..model import Article, Image, IsoDate, LangTag, Text, check_text, few_unknown, problems_of
from ..parsing import json_value


class SectionData(BaseModel):
    """How a section's articles run: each from a new page, or one after another."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    flow: Literal["pages", "continuous"] = "pages"


class IssueData(BaseModel):
    """The issue's own fields, validated (articles are validated one by one afterwards)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    publication: Text | None = None
    date: IsoDate | None = None
    lang: LangTag = "en"
    image: Image | None = None
    sections: dict[str, SectionData] = Field(default_factory=dict)
    articles: list[dict[str, Any] | str] = Field(min_length=1)

    _text = field_validator("title", "publication", mode="after")(check_text)

    @model_validator(mode="before")
    @classmethod
    def _few_unknown(cls, data: Any) -> Any:
        return few_unknown(cls.model_fields, data)


@dataclass(frozen=True)
class Entry:
    """One article of an issue: its position in ``articles``, its path (None if inline)."""

    index: int
    ref: str | None
    article: Article

    @property
    def label(self) -> str:
        """``articles.3 (news/ferry.json)``: how errors name the article."""
        return f"articles.{self.index}" + (f" ({self.ref})" if self.ref else "")


@dataclass(frozen=True)
class LeftOut:
    """An article that could not be loaded or rendered, and why."""

    index: int
    ref: str | None
    reason: str
    problems: tuple[FieldProblem, ...] = ()
    """The article's field problems, with paths from the issue (``articles.3.headline``)."""

    def __str__(self) -> str:
        return (
            f"articles.{self.index}" + (f" ({self.ref})" if self.ref else "") + f": {self.reason}"
        )


@dataclass(frozen=True)
class Issue:
    """A validated issue: entries in print order, plus the articles left out (``keep_going``).

    >>> issue = load_issue({"title": "Weekend", "articles": [{"headline": "Tides", "body": "…"}]})
    >>> [e.article.headline for e in issue.entries]
    ['Tides']
    """

    title: str
    publication: str | None
    date: date | datetime | None
    lang: str
    image: Image | None
    source: Path | None
    entries: tuple[Entry, ...]
    left_out: tuple[LeftOut, ...] = ()
    continuous: frozenset[str] = frozenset()
    """Sections whose articles run on one after another (``"flow": "continuous"``)."""

    @property
    def name(self) -> str:
        """The issue file's name for messages, or ``<issue>``."""
        return str(self.source) if self.source else "<issue>"

    def sections(self) -> list[tuple[str | None, list[Entry]]]:
        """Consecutive runs of entries by section, in print order."""
        runs: list[tuple[str | None, list[Entry]]] = []
        for entry in self.entries:
            if runs and runs[-1][0] == entry.article.section:
                runs[-1][1].append(entry)
            else:
                runs.append((entry.article.section, [entry]))
        return runs

    def units(self) -> dict[int, tuple[Entry, ...]]:
        """What is rendered as one document, by its first entry's index: each article on its
        own, except a continuous section's articles, which run on together."""
        out: dict[int, tuple[Entry, ...]] = {}
        for section, entries in self.sections():
            if section in self.continuous:
                out[entries[0].index] = tuple(entries)
            else:
                out.update((e.index, (e,)) for e in entries)
        return out

    def without(self, failed: dict[int, str]) -> Issue:
        """The issue less the entries whose index is in ``failed`` (index → reason)."""
        kept = tuple(e for e in self.entries if e.index not in failed)
        dropped = tuple(
            LeftOut(e.index, e.ref, failed[e.index]) for e in self.entries if e.index in failed
        )
        left = tuple(sorted((*self.left_out, *dropped), key=lambda x: x.index))
        return replace(self, entries=kept, left_out=left)


def load_issue(
    source: str | Path | dict[str, Any],
    *,
    keep_going: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    format: str | None = None,
) -> Issue:
    """Load and validate an issue and all its articles.

    ``format`` (an entry of :data:`printbrief.load.FORMATS`) is how its articles are read:
    the files it names, and its inline articles when it is a JSON format (an inline article
    is a mapping: with an XML or Markdown format it is recognised as always). The issue file
    itself is printbrief's issue JSON or YAML. Without ``keep_going`` any bad article raises one :class:`InputError` listing every bad
    article (``issue.json: articles.3 (a.json): headline: field required``); with it, bad
    articles are recorded in :attr:`Issue.left_out` and the rest are kept.
    """
    path = None if isinstance(source, dict) else Path(source).resolve()
    name = str(source) if path else "<issue>"
    data = source if isinstance(source, dict) else _read(Path(source), limits)
    articles = data.get("articles") if isinstance(data, dict) else None
    if isinstance(articles, list) and len(articles) > limits.max_issue_articles:
        raise LimitError(
            f"more than {limits.max_issue_articles:,} articles",
            source=name,
            limit="max_issue_articles",
        )
    try:
        head = IssueData.model_validate(data)
    except _ValidationError as exc:
        raise InputError.from_problems(problems_of(exc), source=name) from None
    entries, left_out = _articles(head, path, limits, format)
    if left_out and (not keep_going or not entries):
        raise _combined(left_out, name, keep_going)
    return Issue(
        title=head.title,
        publication=head.publication,
        date=head.date,
        lang=head.lang,
        image=head.image,
        source=path,
        entries=tuple(_in_print_order(entries)),
        left_out=tuple(left_out),
        continuous=frozenset(k for k, v in head.sections.items() if v.flow == "continuous"),
    )


def _read(path: Path, limits: Limits) -> Any:
    text = read_bytes(path, max_bytes=limits.max_input_bytes).decode("utf-8-sig", "replace")
    if path.suffix.lower() in (".yaml", ".yml"):
        return yaml_data(text, name=str(path))
    return json_value(text, source=str(path))


def _articles(
    head: IssueData, path: Path | None, limits: Limits, format: str | None
) -> tuple[list[Entry], list[LeftOut]]:
    entries, left_out = [], []
    for index, item in enumerate(head.articles):
        ref = item if isinstance(item, str) else None
        try:
            article = _one(item, path, limits, format)
        except PrintbriefError as exc:
            problems = tuple(
                FieldProblem(f"articles.{index}.{p.field}".rstrip("."), p.message)
                for p in getattr(exc, "problems", ())
            )
            left_out.append(LeftOut(index, ref, exc.message, problems))
            continue
        entries.append(Entry(index, ref, _with_issue_defaults(article, head)))
    return entries, left_out


def _one(
    item: dict[str, Any] | str, issue_path: Path | None, limits: Limits, format: str | None
) -> Article:
    if isinstance(item, dict):
        # Inline articles live in the issue file: their pictures are relative to it.
        chosen = format_named(format)
        inline = chosen.name if chosen and chosen.syntax == "json" else None
        return from_mapping(item, name=None, format=inline).with_source(issue_path)
    if issue_path is None:
        raise InputError("a path needs an issue file to be relative to; give the article inline")
    return load(issue_path.parent / item, max_bytes=limits.max_input_bytes, format=format)


def _with_issue_defaults(article: Article, head: IssueData) -> Article:
    """The issue's publication heads every page; its language is the default."""
    update: dict[str, Any] = {}
    if head.publication:
        update["publication"] = head.publication
    if "lang" not in article.model_fields_set:
        update["lang"] = head.lang
    return article.model_copy(update=update) if update else article


def _in_print_order(entries: list[Entry]) -> list[Entry]:
    order: dict[str | None, int] = {}
    for entry in entries:
        order.setdefault(entry.article.section, len(order))
    return sorted(entries, key=lambda e: (order[e.article.section], e.index))


def _combined(left_out: list[LeftOut], name: str, keep_going: bool) -> InputError:
    problems = tuple(p for item in left_out for p in item.problems)
    if len(left_out) == 1 and not keep_going:
        return InputError(str(left_out[0]), source=name, problems=problems)
    hint = "no article is left" if keep_going else "use --keep-going to leave them out"
    lines = "\n".join(f"  {item}" for item in left_out[:MAX_LISTED])
    if len(left_out) > MAX_LISTED:
        lines += f"\n  and {len(left_out) - MAX_LISTED:,} more"
    message = f"{len(left_out)} articles have errors ({hint}):\n{lines}"
    return InputError(message, source=name, problems=problems)
