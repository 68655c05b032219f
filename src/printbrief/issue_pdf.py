"""Stopgap issue rendering for the service: per-article PDFs concatenated with pypdf.

Until the library gains its own issue compiler (cover, contents, shared page numbers), the
service renders an issue through :func:`render_issue`, the one function to swap for it then.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from .model import Article, IsoDate, LangTag, Text, check_text, few_unknown

if TYPE_CHECKING:
    from .renderer import Renderer

MAX_ISSUE_ARTICLES = 100


class Issue(BaseModel):
    """An issue over HTTP: ``{title, publication, date, lang, articles: [article objects]}``.

    Articles without ``publication`` or ``lang`` take the issue's. Paths to article files are
    not accepted here: a request must not name files on the server.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    publication: Text | None = None
    date: IsoDate | None = None
    lang: LangTag | None = None
    articles: list[Article] = Field(min_length=1, max_length=MAX_ISSUE_ARTICLES)

    _text = field_validator("title", "publication", mode="after")(check_text)

    @model_validator(mode="before")
    @classmethod
    def _few_unknown(cls, data: Any) -> Any:
        return few_unknown(cls.model_fields, data)

    @model_validator(mode="before")
    @classmethod
    def _inherit(cls, data: Any) -> Any:
        """Fill each article's missing ``publication`` and ``lang`` from the issue."""
        if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
            return data
        shared = {k: data[k] for k in ("publication", "lang") if data.get(k)}
        articles = [{**shared, **a} if isinstance(a, dict) else a for a in data["articles"]]
        return {**data, "articles": articles}

    def canonical_json(self) -> str:
        """Stable JSON of the whole issue (sorted keys): the identity used by caches."""
        import json

        return json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


def render_issue(renderer: Renderer, issue: Issue, *, paper: str | None = None) -> bytes:
    """The issue as one PDF: each article rendered, then appended in order with a bookmark.

    >>> render_issue(Renderer("newsbrief"), Issue(title="Weekly", articles=[...]))  # doctest: +SKIP
    """
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for article in issue.articles:
        pdf = renderer.render(article, paper=paper)
        writer.append(PdfReader(io.BytesIO(pdf)), outline_item=article.headline)
    writer.add_metadata(_metadata(issue))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _metadata(issue: Issue) -> dict[str, Any]:
    meta: dict[str, Any] = {"/Title": issue.title, "/Producer": "printbrief"}
    if issue.publication:
        meta["/Author"] = issue.publication
    if isinstance(issue.date, datetime | date):
        meta["/CreationDate"] = f"D:{issue.date:%Y%m%d}"
    return meta
