"""The article data model (v1): one vocabulary shared by JSON, Python, Jinja and CSS."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from . import i18n
from .errors import MAX_LISTED, FieldProblem, InputError

BodyFormat = Literal["markdown", "html", "text"]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an absolute http(s) URL")
    return value


def _iso_date(value: Any) -> date | datetime:
    if isinstance(value, date):  # datetime is a date too
        return value
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date or datetime string")
    text = value.strip()
    try:
        return datetime.fromisoformat(text) if len(text) > 10 else date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date (2026-05-01) or datetime") from None


def _iso_text(value: date | datetime) -> str:
    return value.isoformat()


IsoDate = Annotated[
    datetime | date,
    PlainValidator(_iso_date),
    # Without this, pydantic warns while serializing the union in JSON mode (cache keys).
    PlainSerializer(_iso_text, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "anyOf": [{"format": "date"}, {"format": "date-time"}]}),
]


_SURROGATE = re.compile("[\ud800-\udfff]")
"""A lone surrogate, searched for in C: a Python loop over every character was half the time
of loading an issue of 200 articles."""


def check_text(value: Any) -> Any:
    """Refuse NUL and unpaired surrogates: no parser, font or PDF string downstream takes them."""
    for text in value if isinstance(value, list) else [value]:
        if not isinstance(text, str):
            continue
        if "\x00" in text:
            raise ValueError("contains a NUL character")
        if _SURROGATE.search(text):
            raise ValueError("contains an unpaired surrogate (not valid Unicode text)")
    return value


def _bcp47(value: str) -> str:
    if not i18n.is_valid_tag(value):
        raise ValueError(f"{value!r} is not a BCP 47 language tag such as 'en' or 'zh-Hant'")
    return value


HttpUrl = Annotated[
    str,
    AfterValidator(_http_url),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}),
]
"""An absolute http(s) URL, kept as written (the schema says so, as the validator does)."""

LangTag = Annotated[str, AfterValidator(_bcp47)]
"""A BCP 47 language tag, checked for shape."""

MAX_TAGS = 200
"""Tags in one article. Lists are bounded in the model so that a list of two million wrong
items is one error, found before any item is validated (pydantic checks the length first)."""
MAX_IMAGE_ENTRIES = 200
"""Entries of ``images`` the model reads (``Limits.max_images``, 50, is the usual bound)."""
MAX_COUNTED = 10_000
"""Validation errors turned into field problems; past it only their number is reported
(pydantic builds every error's details at once: two million took 22 s and gigabytes)."""
MAX_ID_BYTES = 200
"""Length of ``id`` in UTF-8: output files are named after it, and a file name is at most
255 bytes on common file systems, less the ``.pdf`` suffix and the temporary name's extras."""


def _file_name_id(value: str) -> str:
    if len(value.encode("utf-8", "surrogatepass")) > MAX_ID_BYTES:
        raise ValueError(f"longer than {MAX_ID_BYTES} bytes (output files are named after it)")
    return value


def few_unknown(fields: Mapping[str, Any], data: Any) -> Any:
    """Refuse a mapping with many unknown keys as one problem, before pydantic lists each."""
    if isinstance(data, dict) and len(data) > len(fields) + MAX_LISTED:
        unknown = [str(k) for k in data if k not in fields]
        if len(unknown) > MAX_LISTED:
            shown = ", ".join(repr(k[:40]) for k in unknown[:5])
            raise ValueError(f"{len(unknown):,} unknown fields ({shown}, …)")
    return data


class Image(BaseModel):
    """A picture: ``src`` is a ``data:`` URI or a path inside an allowed asset folder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    src: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    caption: Text | None = None
    credit: Text | None = None
    alt: Text | None = None

    _text = field_validator("*", mode="after")(check_text)

    @model_validator(mode="before")
    @classmethod
    def _few_unknown(cls, data: Any) -> Any:
        return few_unknown(cls.model_fields, data)


class Article(BaseModel):
    """A news article, validated.

    >>> Article(headline="Harbour reopens", body="Ships are back.").body_format
    'markdown'
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    headline: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    body: str
    body_format: BodyFormat = "markdown"
    section: Text | None = None
    standfirst: Text | None = None
    byline: Text | None = None
    publication: Text | None = None
    published: IsoDate | None = None
    updated: IsoDate | None = None
    lang: Annotated[str, AfterValidator(_bcp47)] = "en"
    url: HttpUrl | None = None
    images: list[Image] = Field(default_factory=list, max_length=MAX_IMAGE_ENTRIES)
    tags: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]] = Field(
        default_factory=list, max_length=MAX_TAGS
    )
    id: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, min_length=1),
            AfterValidator(_file_name_id),
        ]
        | None
    ) = None

    _source: Path | None = PrivateAttr(default=None)
    _text = field_validator("*", mode="after")(check_text)

    @model_validator(mode="before")
    @classmethod
    def _few_unknown(cls, data: Any) -> Any:
        return few_unknown(cls.model_fields, data)

    @property
    def source(self) -> Path | None:
        """The file this article was loaded from, if any (its folder holds the images)."""
        return self._source

    def with_source(self, path: Path | None) -> Article:
        """A copy that remembers the file it came from."""
        copy = self.model_copy()
        copy._source = path
        return copy

    def canonical_json(self) -> str:
        """Stable JSON of the fields (sorted keys): the identity used by caches."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


def validate_article(
    data: Any, *, source: str | None = None, fields: Mapping[str, str] | None = None
) -> Article:
    """Validate a mapping into an :class:`Article`, raising :class:`InputError` naming each field.

    ``fields`` renames fields in problems (a JSON-LD ``description`` was mapped to ``standfirst``).

    >>> validate_article({"body": "x"}, source="a.json")
    Traceback (most recent call last):
    printbrief.errors.InputError: a.json: headline: field required
    """
    if not isinstance(data, dict):
        raise InputError(f"expected a JSON object, got {type(data).__name__}", source=source)
    try:
        return Article.model_validate(data)
    except ValidationError as exc:
        raise InputError.from_problems(problems_of(exc, fields), source=source) from None


def problems_of(
    exc: ValidationError, fields: Mapping[str, str] | None = None
) -> list[FieldProblem]:
    """Pydantic's errors as field problems with dotted paths and short messages."""
    if (count := exc.error_count()) > MAX_COUNTED:
        return [FieldProblem("", f"{count:,} problems, too many to list")]
    problems = []
    for err in exc.errors(include_url=False):
        loc = [str(part) for part in err["loc"]]
        if fields and loc:
            loc[0] = fields.get(loc[0], loc[0])
        problems.append(FieldProblem(".".join(loc), _message(err)))
    return problems


def _message(err: Any) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "literal_error":
        return f"must be one of {err['ctx']['expected']}, got {err['input']!r}"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    return str(msg[0].lower() + msg[1:])


def json_schema() -> dict[str, Any]:
    """The JSON Schema of an article, as ``printbrief schema`` prints it."""
    schema = Article.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "printbrief article (v1)"
    return schema
