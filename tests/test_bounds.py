"""Hostile data: errors stay small, deep or odd-shaped input is a clean error naming the field."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from printbrief import InputError, LimitError, Limits, Renderer, UsageError, load
from printbrief.body import body_html
from printbrief.cli import main
from printbrief.errors import MAX_MESSAGE_CHARS, FieldProblem, PrintbriefError
from printbrief.issue.load import load_issue
from printbrief.load import from_jsonld
from printbrief.markup import LayoutEstimate, estimate_layout
from printbrief.model import Article, json_schema, problems_of
from printbrief.paper import bleed_length, page_size
from printbrief.parsing import MAX_DATA_DEPTH, json_depth
from printbrief.service.http import parse_json

BASE = {"headline": "Harbour lights", "body": "The lamps are lit at dusk."}


def load_error(tmp_path: Path, name: str, text: str) -> PrintbriefError:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    with pytest.raises(PrintbriefError) as info:
        load(path)
    assert str(info.value).startswith(f"{path}: "), str(info.value)
    return info.value


# ----------------------------------------------------------------------- bounded errors


def test_two_million_wrong_tags_are_one_quick_error() -> None:
    started = time.perf_counter()
    with pytest.raises(InputError) as info:
        load({**BASE, "tags": [1] * 2_000_000})
    assert time.perf_counter() - started < 2
    assert (
        str(info.value) == "tags: list should have at most 200 items after validation, not 2000000"
    )


def test_at_most_twenty_problems_are_listed() -> None:
    with pytest.raises(InputError) as info:
        load({**BASE, "tags": list(range(150))})
    error = info.value
    assert len(error.problems) == 20 and error.omitted == 130
    assert str(error).endswith("tags.19: input should be a valid string; and 130 more")


def test_many_unknown_fields_are_one_problem() -> None:
    data = {**BASE, **{f"extra{i}": i for i in range(100_000)}}
    with pytest.raises(InputError) as info:
        load(data)
    assert (
        str(info.value)
        == "100,000 unknown fields ('extra0', 'extra1', 'extra2', 'extra3', 'extra4', …)"
    )
    image = {"src": "a.png", **{f"x{i}": i for i in range(50)}}
    with pytest.raises(InputError, match=r"^images\.0: 50 unknown fields"):
        load({**BASE, "images": [image]})


def test_past_ten_thousand_problems_only_the_count_is_kept() -> None:
    image = {"src": 1, "caption": 2, "credit": 3, "alt": 4, "a": 5, "b": 6, "c": 7}
    article = {**BASE, "tags": list(range(200)), "images": [image] * 200}
    started = time.perf_counter()
    with pytest.raises(ValidationError) as info:
        TypeAdapter(list[Article]).validate_python([article] * 10)
    assert problems_of(info.value) == [FieldProblem("", "16,000 problems, too many to list")]
    assert time.perf_counter() - started < 3


def test_a_huge_value_is_clipped_in_the_message() -> None:
    with pytest.raises(InputError) as info:
        load({**BASE, "body_format": "x" * 1_000_000, "published": "y" * 1_000_000})
    assert len(str(info.value)) < 500
    assert "more characters)" in str(info.value)


def test_every_message_is_bounded() -> None:
    assert len(str(PrintbriefError("z" * 10**6, source="a.json"))) <= MAX_MESSAGE_CHARS + 10
    assert len(FieldProblem("f" * 10**5, "m" * 10**5).message) <= 200


def test_issue_lists_at_most_twenty_bad_articles() -> None:
    issue = {"title": "Weekend", "articles": [{"body": "no headline"}] * 300}
    with pytest.raises(InputError) as info:
        load_issue(issue)
    assert str(info.value).count("\n") == 21  # a heading, 20 articles, the count
    assert str(info.value).endswith("and 280 more")


# ----------------------------------------------------------------------- nesting and numbers


def test_json_depth_scan_skips_strings() -> None:
    assert json_depth('{"a": "[[[{{{", "b": [[1], "\\"]["]}') == 3
    assert json_depth('["unterminated \\') == 1
    assert json_depth("") == 0


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deep_json_is_a_limit_error(tmp_path: Path, opener: str) -> None:
    error = load_error(tmp_path, "deep.json", opener * 100_000)
    assert isinstance(error, LimitError) and "nested deeper than 32 levels" in str(error)


def test_json_nested_past_the_limit_inside_a_field(tmp_path: Path) -> None:
    tags = "[" * (MAX_DATA_DEPTH + 1) + "]" * (MAX_DATA_DEPTH + 1)
    error = load_error(tmp_path, "a.json", json.dumps(BASE)[:-1] + f', "tags": {tags}}}')
    assert isinstance(error, LimitError)


def test_long_number_in_json_names_the_field(tmp_path: Path) -> None:
    text = json.dumps(BASE)[:-1] + ', "tags": ["ok", ' + "7" * 5000 + "]}"
    error = load_error(tmp_path, "a.json", text)
    assert isinstance(error, InputError)
    assert str(error).endswith(": tags.1: a number of 5,000 characters (at most 4,300)")


@pytest.mark.parametrize(
    ("line", "field"),
    [("id: " + "9" * 5000, "id"), ("tags: [" + "1:" * 3000 + "1]", "tags.0")],
)
def test_long_number_in_front_matter_names_the_field(tmp_path: Path, line: str, field: str) -> None:
    error = load_error(tmp_path, "a.md", f"---\nheadline: Tides\n{line}\n---\nHigh water.\n")
    assert isinstance(error, InputError)
    assert f": {field}: a number of " in str(error)


def test_front_matter_impossible_date_names_the_field(tmp_path: Path) -> None:
    error = load_error(tmp_path, "a.md", "---\nheadline: Tides\npublished: 2026-13-45\n---\nx\n")
    assert str(error).endswith(
        ": published: '2026-13-45' is not an ISO 8601 date (2026-05-01) or datetime"
    )


def test_front_matter_yaml_errors_are_one_line(tmp_path: Path) -> None:
    error = load_error(tmp_path, "a.md", "---\nheadline: Tides\n{a: 1}: b\n---\nx\n")
    assert str(error).endswith(
        ": invalid YAML front matter: found unhashable key (line 3, column 1)"
    )


def test_long_front_matter_is_refused_before_yaml_parses_it(tmp_path: Path) -> None:
    head = "headline: Tides\ntags: [" + ", ".join(["tide"] * 20_000) + "]\n"
    started = time.perf_counter()
    error = load_error(tmp_path, "a.md", f"---\n{head}---\nHigh water.\n")
    assert str(error).endswith(": front matter is longer than 65,536 characters")
    assert time.perf_counter() - started < 1


def test_deep_front_matter_is_a_limit_error(tmp_path: Path) -> None:
    started = time.perf_counter()
    error = load_error(tmp_path, "a.md", "---\nheadline: " + "[" * 60_000 + "\n---\nx\n")
    assert isinstance(error, LimitError) and "nested deeper than 32" in str(error)
    assert time.perf_counter() - started < 1  # the scanner stops at level 33
    error = load_error(tmp_path, "b.md", "---\ntags: " + "[" * 40 + "]" * 40 + "\n---\nx\n")
    assert isinstance(error, LimitError) and "nested deeper than 32" in str(error)


def test_service_body_parse_is_bounded() -> None:
    with pytest.raises(LimitError):
        parse_json(b"[" * 100_000)
    with pytest.raises(InputError, match=r"^headline: a number of 5,000"):
        parse_json(b'{"headline": ' + b"1" * 5000 + b"}")
    assert parse_json(b'{"n": 12}') == {"n": 12}


def test_issue_file_json_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "issue.json"
    path.write_text('{"title": "t", "articles": ' + "[" * 100_000)
    with pytest.raises(LimitError):
        load_issue(path)


# ----------------------------------------------------------------------- JSON-LD shapes


def jsonld(**fields: Any) -> dict[str, Any]:
    return {"@type": "NewsArticle", "headline": "Tides", "articleBody": "High.", **fields}


@pytest.mark.parametrize(
    ("fields", "byline", "publication"),
    [
        ({"author": {"@type": "Person", "url": "https://example.org/a"}}, None, None),
        ({"publisher": {"@type": "Organization"}}, None, None),
        ({"author": [{"name": "Ann Lee"}, {"url": "x"}, "Bo Chan", {"name": ["C", "D"]}]},
         "By Ann Lee and Bo Chan and C and D", None),
        ({"author": [], "publisher": [{"name": "  "}, {"name": "Tide Times"}]}, None, "Tide Times"),
    ],
)  # fmt: skip
def test_jsonld_names_of_any_usable_shape(
    fields: dict[str, Any], byline: str | None, publication: str | None
) -> None:
    article = load(jsonld(**fields))
    assert (article.byline, article.publication) == (byline, publication)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"author": {"name": 5}}, "author.name: must be text, not int"),
        ({"author": [{"name": "A"}, {"name": {"x": 1}}]}, "author.1.name: must be text, not dict"),
        ({"publisher": {"name": ["P", None, 3.5]}}, "publisher.name: must be text, not float"),
        ({"author": True}, "author: must be text, not bool"),
        ({"description": 5}, "description: input should be a valid string"),
    ],
)
def test_jsonld_names_of_other_shapes_are_input_errors(
    tmp_path: Path, fields: dict[str, Any], message: str
) -> None:
    error = load_error(tmp_path, "a.jsonld", json.dumps(jsonld(**fields)))
    assert isinstance(error, InputError) and str(error).endswith(f": {message}")
    if "description" not in fields:
        with pytest.raises(InputError, match=r"^x\.json: "):
            from_jsonld(jsonld(**fields), name="x.json")


# ----------------------------------------------------------------------- small fields


def test_long_id_fails_up_front_naming_file_and_field(tmp_path: Path) -> None:
    error = load_error(tmp_path, "a.json", json.dumps({**BASE, "id": "港" * 70}))
    assert str(error).endswith(": id: longer than 200 bytes (output files are named after it)")
    assert load({**BASE, "id": "x" * 200}).id == "x" * 200


@pytest.mark.parametrize("size", ["１４８x２１０mm", "١٤٨x٢١٠mm", "148x２１０mm"])
def test_paper_sizes_need_ascii_digits(size: str) -> None:
    with pytest.raises(UsageError, match="unknown paper"):
        page_size(size)


def test_bleed_needs_ascii_digits() -> None:
    with pytest.raises(UsageError, match="bleed"):
        bleed_length("３mm")
    assert (page_size("148x210mm"), bleed_length("3mm")) == (("148mm", "210mm"), "3mm")


def test_schema_says_url_is_an_http_uri() -> None:
    url = json_schema()["properties"]["url"]["anyOf"][0]
    assert url == {"type": "string", "format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}
    assert json_schema()["properties"]["tags"]["maxItems"] == 200


def test_an_issue_article_path_with_nul_is_an_input_error(tmp_path: Path) -> None:
    issue = tmp_path / "issue.json"
    issue.write_text(json.dumps({"title": "Weekend", "articles": ["a\u0000.json", BASE]}))
    with pytest.raises(InputError, match="file name contains a NUL character"):
        load_issue(issue)
    assert len(load_issue(issue, keep_going=True).left_out) == 1


@pytest.mark.parametrize("field", ["title", "publication"])
def test_issue_text_refuses_nul(field: str) -> None:
    data = {"title": "Weekend", field: "a\x00b", "articles": [BASE]}
    with pytest.raises(InputError, match=f"^<issue>: {field}: contains a NUL character"):
        load_issue(data)


def test_issue_lang_is_a_language_tag() -> None:
    with pytest.raises(InputError, match="BCP 47"):
        load_issue({"title": "W", "lang": "klingon!!", "articles": [{**BASE, "lang": "en"}]})
    assert load_issue({"title": "W", "lang": "zh-Hant", "articles": [BASE]}).lang == "zh-Hant"


# ----------------------------------------------------------------------- through the CLI


def test_cli_batch_fails_only_the_bad_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.json").write_text(json.dumps(BASE))
    (folder / "author.jsonld").write_text(json.dumps(jsonld(author={"name": 7})))
    (folder / "number.md").write_text("---\nheadline: " + "4" * 5000 + "\n---\nBody.\n")
    (folder / "deep.json").write_text("[" * 100_000)
    code = main(["render", str(folder), "--out-dir", str(tmp_path / "out"), "-j", "1"])
    err = capsys.readouterr().err
    assert code == 1 and "rendered 1, failed 3" in err, err
    assert "author.jsonld: author.name: must be text, not int" in err
    assert "number.md: headline: a number of 5,000 characters (at most 4,300)" in err
    assert "deep.json: JSON nested deeper than 32 levels" in err
    assert "Traceback" not in err and (tmp_path / "out" / "good.pdf").is_file()


# ----------------------------------------------------------------------- pre-layout estimate


def body_error(body: str, body_format: str = "markdown") -> str:
    article = load({**BASE, "body": body, "body_format": body_format})
    started = time.perf_counter()
    with pytest.raises(LimitError) as info:
        body_html(article)
    assert time.perf_counter() - started < 5  # refused before layout, in one linear scan
    return str(info.value)


@pytest.mark.parametrize(
    ("body", "body_format", "message"),
    [
        ("<p>" + "<em>a</em> " * 20_000, "html", "10,000 HTML elements"),
        ('<p><a href="https://e.org/">w</a> ' * 50_000, "html", "10,000 HTML elements"),
        ("a\n\n" * 10_001, "text", "10,000 HTML elements"),
        ("<p><b>x" + "</p><p>y" * 6_000, "html", "10,000 HTML elements"),  # <b> re-opened: 12,002
        ("*a* " * 20_000, "markdown", "20,000 Markdown line breaks and markers (40,000)"),
        ("**bold** " * 200_000, "markdown", "20,000 Markdown line breaks and markers (800,000)"),
        ("a\n" * 50_000, "markdown", "20,000 Markdown line breaks and markers (50,000)"),
    ],
)  # fmt: skip
def test_huge_inline_element_counts_are_refused_before_layout(
    body: str, body_format: str, message: str
) -> None:
    assert body_error(body, body_format).startswith(f"body: more than {message} (limit max_")


def test_a_huge_table_row_is_refused_before_layout() -> None:
    row = "<table><tr>" + "<td>7</td>" * 1_000 + "</tr></table>"
    assert body_error(row, "html") == (
        "body: more than 200 cells in one table row (1,000) (limit max_row_cells)"
    )
    spans = "<table><tr>" + '<td colspan="20">7</td>' * 11 + "</tr></table>"
    assert body_error(spans, "html").endswith("table row (220) (limit max_row_cells)")
    header = "| " + " | ".join(["h"] * 201) + " |\n|" + "---|" * 201 + "\n"
    assert body_error(header, "markdown").endswith(
        "cells in one table row (201) (limit max_row_cells)"
    )


def test_ordinary_tables_and_counts_pass() -> None:
    rows = "".join("<tr>" + "<td>7</td>" * 12 + "</tr>" for _ in range(300))
    article = load({**BASE, "body": f"<table>{rows}</table>", "body_format": "html"})
    assert body_html(article).count("<td>") == 3600
    assert estimate_layout('<p title="<b>">x<br></p>') == LayoutEstimate(2, 0)


def test_the_render_stops_before_layout(renderer: Renderer) -> None:
    body = "<p>" + "<em>a</em> " * 12_000
    started = time.perf_counter()
    with pytest.raises(LimitError, match="HTML elements"):
        renderer.render(load({**BASE, "body": body, "body_format": "html"}))
    assert time.perf_counter() - started < 5
    looser = Limits(max_elements=20_000, max_markdown_marks=30_000)
    assert body_html(load({**BASE, "body": "*a* " * 6_000}), looser).count("<em>") == 6_000


# ----------------------------------------------------------------------- --limit


def test_limit_settings_take_units_and_seconds() -> None:
    limits = Limits().changed(
        "max_worker_memory=4GiB", "max_input_bytes=1.5MiB", "max_fetch_bytes=8MB",
        "max_render_seconds=120s", "max_pages=400",
    )  # fmt: skip
    assert limits.max_worker_memory == 4 << 30
    assert limits.max_input_bytes == 3 << 19
    assert limits.max_fetch_bytes == 8_000_000
    assert (limits.max_render_seconds, limits.max_pages) == (120.0, 400)
    assert Limits().changed("max_worker_memory=0").max_worker_memory == 0  # no bound


@pytest.mark.parametrize(
    ("setting", "reason"),
    [
        ("max_pagez=3", "no such limit"),
        ("max_pages", "expected NAME=VALUE"),
        ("max_pages=3kB", "a whole number"),  # a count takes no unit
        ("max_pages=１４", "a whole number"),  # ASCII digits only
        ("max_pages=0", "above 0"),
        ("max_pages=2.5", "above 0"),
        ("max_render_seconds=0", "more than 0 s"),
        ("max_render_seconds=5GiB", "seconds"),
        ("max_worker_memory=lots", "bytes"),
    ],
)
def test_bad_limit_settings_name_the_setting(setting: str, reason: str) -> None:
    with pytest.raises(UsageError, match=reason) as info:
        Limits().changed(setting)
    assert repr(setting) in str(info.value)


def test_cli_limit_reaches_the_render(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    feature = str(Path(__file__).parents[1] / "samples" / "en-feature.md")
    assert main(["render", feature, "-o", str(tmp_path / "a.pdf"), "--limit", "max_pages=1"]) == 1
    assert "the article needs more than 1 page (limit max_pages)" in capsys.readouterr().err
    assert main(["render", feature, "-o", str(tmp_path / "b.pdf"), "--limit", "max_pagez=1"]) == 2
    assert "limit 'max_pagez=1': no such limit" in capsys.readouterr().err


def test_serve_limit_sets_the_workers_and_the_body_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    from printbrief.service import app

    seen: list[app.ServiceConfig] = []
    monkeypatch.setattr(app, "serve", lambda config, **_: seen.append(config))
    args = ["serve", "--limit", "max_worker_memory=3GiB", "--limit", "max_input_bytes=1MiB"]
    assert main(args) == 0
    assert seen[0].max_body_bytes == 1 << 20
    pool = app.create_app(seen[0]).state.printbrief.pool  # workers start with the lifespan
    assert pool.config.warm.limits.max_worker_memory == 3 << 30
