"""The news-industry input formats without rendering: mappings, detection, errors, XML safety."""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from printbrief.body import body_html
from printbrief.errors import InputError, LimitError, PrintbriefError, UsageError
from printbrief.formats.safexml import MAX_XML_ELEMENTS, parse_xml
from printbrief.load import FORMATS, SUFFIXES, from_mapping, load, parse, recognise
from printbrief.options import RenderOptions
from printbrief.parsing import MAX_DATA_DEPTH, json_value

FEEDS = ROOT / "tests" / "fixtures" / "feeds"
BROKEN = FEEDS / "broken"
GOOD = sorted(p for p in FEEDS.iterdir() if p.is_file())

UNMAPPED = {
    "ninjs-full.json": "6 ninjs fields have no article field and are not printed: headlines.1, "
    "subjects.2, pubstatus, urgency, located, copyrightnotice",
    "wordpress-full.json": "9 WordPress fields have no article field and are not printed: guid, "
    "status, type, comment_status, ping_status, sticky, template, format, meta",
    "newsml-full.xml": "10 NewsML-G2 fields have no article field and are not printed: "
    "itemMeta/provider, itemMeta/pubStatus, contentMeta/subject[3], contentMeta/urgency, "
    "contentMeta/located, contentMeta/genre, contentMeta/dateline, rightsInfo, "
    "itemSet/newsItem[2]/rightsInfo, header",
    "nitf-full.xml": "7 NITF fields have no article field and are not printed: "
    "body.head/dateline, head/docdata/urgency, head/docdata/doc.copyright, head/meta, "
    "body.content/media/media-metadata, body.content/nitf-table, body/body.end",
}
"""The one warning each fixture with fields printbrief cannot print gives; the others give none."""


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_every_format_has_at_least_three_fixtures() -> None:
    for name in ("ninjs", "wordpress", "newsml", "nitf"):
        assert len([p for p in GOOD if p.name.startswith(name + "-")]) >= 3, name
        assert [p for p in BROKEN.iterdir() if p.name.startswith(name + "-")], name


def test_the_registry_names_every_format_and_suffix() -> None:
    assert list(FORMATS) == ["ninjs", "wordpress", "jsonld", "json", "newsml", "nitf", "markdown"]
    assert set(SUFFIXES) == {".json", ".jsonld", ".xml", ".nitf", ".md", ".markdown"}


@pytest.mark.allow_warnings
@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_each_fixture_is_recognised_and_warns_only_of_unmapped_fields(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = path.read_text("utf-8")
    value = parse_xml(text, source=None) if path.suffix == ".xml" else json_value(text, source=None)
    syntax = "xml" if path.suffix == ".xml" else "json"
    assert recognise(syntax, value, None).name == path.name.split("-")[0]
    article = load(path).model_dump()
    expected = [f"{path}: {UNMAPPED[path.name]}"] if path.name in UNMAPPED else []
    assert warnings_of(caplog) == expected
    # Without a suffix (stdin) the content alone decides, and --from gives the same article.
    caplog.clear()
    assert parse(path.read_bytes(), name="-", suffix="", quiet=True).model_dump() == article
    assert load(path, format=path.name.split("-")[0]).model_dump() == article
    assert warnings_of(caplog) == expected


def test_ninjs_full_mapping(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        article = load(FEEDS / "ninjs-full.json")
    assert article.headline == "Night ferries return to the outer islands"
    assert article.standfirst and article.standfirst.startswith("Two late crossings")
    assert (article.byline, article.section, article.lang) == (
        "By Maren Olsen, transport reporter", "Transport", "en-GB",
    )  # fmt: skip
    assert article.tags == ["Maritime transport", "Island communities"]
    assert str(article.published) == "2026-05-01 06:40:00+00:00"
    assert str(article.updated) == "2026-05-01 09:15:00+00:00"
    assert article.body_format == "html" and article.id and article.id.endswith("ferry-timetable")
    image = article.images[0]
    assert image.src == "pictures/ferry-dawn.jpg"  # the original rendition, not the thumbnail
    assert image.caption == "The Outer Isles ferry leaves the north pier at dawn."
    assert image.alt and image.alt.startswith("A small white ferry")
    assert image.credit == "Harbour Gazette / Tomas Lind"
    body = body_html(article)
    assert "alert" not in body and "<script" not in body  # the body pipeline sanitizes
    assert "<h2>What changes</h2>" in body and "o’clock" in body


def test_ninjs_1x_fields_fill_what_2x_leaves_unset() -> None:
    article = load(FEEDS / "ninjs-legacy-fr.json")
    assert (article.headline, article.byline, article.lang) == (
        "Le phare du cap rouvre ses portes aux visiteurs", "Par Élodie Marchand", "fr",
    )  # fmt: skip
    assert article.standfirst and article.standfirst.startswith("Fermé depuis")
    assert article.body_format == "html" and article.tags == ["Patrimoine", "Tourisme"]
    image = article.images[0]  # 1.x: associations and renditions are objects keyed by name
    assert (image.src, image.caption, image.credit) == (
        "pictures/ferry-dawn.jpg", "Le phare au lever du jour.", "Gazette du Port",
    )  # fmt: skip


def test_wordpress_full_mapping(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        article = load(FEEDS / "wordpress-full.json")
    assert article.headline == "River footbridge reopens after a year’s repairs"
    assert article.standfirst and article.standfirst.endswith("new deck …")
    assert (article.byline, article.section, article.id) == (
        "By Jonas Berg", "City", "river-footbridge-reopens",
    )  # fmt: skip
    assert article.url == "https://riverside-news.example/2026/05/04/river-footbridge-reopens/"
    assert article.tags == ["City", "Bridges", "Old quay"]
    assert str(article.published) == "2026-05-04 06:05:00+00:00"  # date_gmt is UTC
    assert str(article.updated) == "2026-05-04 09:30:00+00:00"
    image = article.images[0]
    assert (image.src, image.credit) == ("pictures/ferry-dawn.jpg", "Riverside News")
    assert image.caption == "The footbridge at first light on its first day back."
    assert image.alt and image.alt.startswith("A ferry-like boat")
    korean = load(FEEDS / "wordpress-ko.json")
    assert (korean.byline, korean.lang, korean.section) == ("김하늘", "ko", "문화")  # no "By"


def test_newsml_full_mapping(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        article = load(FEEDS / "newsml-full.xml")
    assert article.headline == "Dredging of the main channel to start in September"
    assert article.standfirst == "Larger cargo ships could dock from next spring"
    assert (article.byline, article.section, article.lang) == ("By Ruth Adeyemi", "Port", "en-GB")
    assert article.tags == ["Maritime transport", "Environmental policy", "dredging"]
    assert str(article.published) == "2026-05-07 08:00:00+00:00"
    assert "<blockquote><p>“We have waited" in body_html(article)
    image = article.images[0]
    assert (image.src, image.credit) == ("pictures/ferry-dawn.jpg", "Harbour Gazette / Per Nygaard")
    assert image.caption and image.caption.startswith("The main channel at dawn")
    assert image.alt and image.alt.startswith("Calm water")


@pytest.mark.allow_warnings
def test_newsml_with_an_nitf_payload(caplog: pytest.LogCaptureFixture) -> None:
    article = load(FEEDS / "newsml-nitf-de.xml")  # contentMeta first, then the NITF's own fields
    assert (article.headline, article.byline, article.section, article.lang) == (
        "Neue Elektrofähre verbindet Altstadt und Werft", "Von Jana Krüger", "Verkehr", "de",
    )  # fmt: skip
    assert article.body.startswith("<p>Seit Montag") and "media" not in article.body
    assert article.images[0].caption == "Die neue Fähre bei ihrer ersten Fahrt."
    assert warnings_of(caplog) == []
    text = (FEEDS / "newsml-nitf-de.xml").read_text("utf-8")
    text = text.replace("</itemSet>", "<packageItem guid='urn:p'/></itemSet>")
    text = text.replace("</hl1>", "</hl1><hl2>Sieben Minuten</hl2>").replace("</p>", "</p><fn/>", 1)
    assert parse(text.encode(), name="n.xml", suffix=".xml").standfirst == "Sieben Minuten"
    assert warnings_of(caplog) == [
        "n.xml: 2 NewsML-G2 fields have no article field and are not printed: "
        "contentSet/inlineXML/nitf/body.content/fn, itemSet/packageItem"
    ]


@pytest.mark.allow_warnings
def test_nitf_full_mapping(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        article = load(FEEDS / "nitf-full.xml")
    assert article.headline == "Fishing fleet gets a new cold store"
    assert article.standfirst == "The co-operative's building on the west quay holds 400 tonnes"
    assert article.byline == "By Liv Carstensen, Business reporter"
    assert (article.publication, article.section, article.id) == (
        "Harbour Gazette", "Business", "hg-20260509-cold-store",
    )  # fmt: skip
    assert article.url == "https://harbour-gazette.example/business/cold-store"
    assert article.tags == ["fishing", "cold store", "Economy"]
    assert str(article.published) == "2026-05-09 06:00:00+00:00"
    body = body_html(article)
    assert "<h2>Cheaper than shipping south</h2>" in body and "<blockquote>" in body
    assert "<cite>Co-operative chair Odd Haugen</cite>" in body and "<em>three hours</em>" in body
    image = article.images[0]
    assert (image.src, image.credit) == ("pictures/ferry-dawn.jpg", "Harbour Gazette / Nils Ek")
    assert image.alt and image.alt.startswith("The west quay at sunrise")
    assert load(FEEDS / "nitf-zh-hant.xml").lang == "zh-Hant"
    minimal = (FEEDS / "nitf-minimal.xml").read_text("utf-8").replace(
        "</title>", "</title><tobject><tobject.property tobject.property.type='Current'/></tobject>"
        "<pubdata name='A'/><pubdata name='B'/>",
    )  # fmt: skip
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert parse(minimal.encode(), name="m.xml", suffix=".xml").publication == "A"
    assert warnings_of(caplog)[0].endswith(
        "printed: head/pubdata[2], head/tobject/tobject.property"
    )


BROKEN_ERRORS = {
    "ninjs-no-headline.json": "headlines: field required",
    "ninjs-wrong-type.json": "headlines: must be an array, not dict",
    "ninjs-bad-date.json": "firstcreated: 'yesterday morning' is not an ISO 8601 date",
    "wordpress-title-not-text.json": "title.rendered: must be text, not list",
    "wordpress-empty-title.json": "title.rendered: field required",
    "newsml-no-headline.xml": "contentMeta/headline: field required",
    "newsml-not-closed.xml": "invalid XML at line 3 column 36: mismatched tag",
    "newsml-doctype.xml": "XML with a document type declaration (<!DOCTYPE newsItem>) is refused",
    "newsml-external-entity.xml": "(<!DOCTYPE newsItem>) is refused: printbrief reads no DTDs",
    "nitf-bomb.xml": "XML with a document type declaration (<!DOCTYPE nitf>) is refused",
    "nitf-bad-date.xml": "head/docdata/date.issue@norm: '2026-13-99T25:00:00+00:00' is not an",
    "nitf-undefined-entity.xml": "invalid XML at line 2 column 23: undefined entity",
}


@pytest.mark.parametrize("name", sorted(BROKEN_ERRORS))
def test_broken_fixtures_fail_naming_the_file_and_the_field(name: str) -> None:
    with pytest.raises(InputError) as caught:
        load(BROKEN / name)
    assert str(caught.value).startswith(f"{BROKEN / name}: ")
    assert BROKEN_ERRORS[name] in str(caught.value)


def test_from_overrides_recognition() -> None:
    ninjs = (FEEDS / "ninjs-minimal.json").read_bytes()
    with pytest.raises(
        InputError, match=r"x\.json: .*headline: field required.*uri: unknown field"
    ):
        parse(ninjs, name="x.json", suffix=".json", format="json")
    with pytest.raises(InputError, match=r"root element <newsItem> is not nitf"):
        load(FEEDS / "newsml-minimal.xml", format="nitf")
    with pytest.raises(UsageError, match="unknown input format 'rss' \\(use one of ninjs, "):
        load(FEEDS / "newsml-minimal.xml", format="rss")
    # A file whose suffix says nothing is read as the format named.
    article = parse(ninjs, name="feed.txt", suffix=".txt", format="NINJS")
    assert article.headline.startswith("Tide gauge")


def test_render_options_check_the_input_format() -> None:
    assert RenderOptions(input_format="nitf").check().input_format == "nitf"
    with pytest.raises(UsageError, match="input_format: unknown input format 'atom'"):
        RenderOptions(input_format="atom").check()


def test_mappings_are_recognised_too() -> None:
    data = json.loads((FEEDS / "wordpress-minimal.json").read_text("utf-8"))
    with pytest.raises(InputError):  # the service's JSON body: WordPress, not printbrief fields
        from_mapping(data, name=None, format="json")
    assert from_mapping(data, name=None).id == "library-opens-sundays"
    with pytest.raises(UsageError, match="'nitf' is not JSON"):
        from_mapping(data, name=None, format="nitf")


def test_unknown_xml_root_names_the_known_ones() -> None:
    with pytest.raises(InputError, match=r"a.xml: XML root <rss> is no known format \(newsml <"):
        parse(b"<rss><channel/></rss>", name="a.xml", suffix=".xml")


# ------------------------------------------------------------------------------ XML safety


def test_a_billion_laughs_is_refused_at_once() -> None:
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10))
    bomb = f'<!DOCTYPE nitf [<!ENTITY e0 "lol">{entities}]><nitf><head><title>&e9;</title></head></nitf>'
    started = time.perf_counter()
    with pytest.raises(InputError, match="document type declaration"):
        parse(bomb.encode(), name="bomb.xml", suffix=".xml")
    assert time.perf_counter() - started < 0.5


def test_deep_and_wide_xml_hit_the_bounds() -> None:
    deep = "<nitf>" + "<block>" * MAX_DATA_DEPTH + "</block>" * MAX_DATA_DEPTH + "</nitf>"
    with pytest.raises(LimitError, match=f"deep.xml: XML nested deeper than {MAX_DATA_DEPTH}"):
        parse_xml(deep, source="deep.xml")
    parse_xml("<nitf>" + "<b>" * (MAX_DATA_DEPTH - 1) + "</b>" * (MAX_DATA_DEPTH - 1) + "</nitf>",
              source=None)  # fmt: skip
    wide = "<nitf>" + "<p/>" * MAX_XML_ELEMENTS + "</nitf>"
    with pytest.raises(LimitError, match=r"wide\.xml: XML has more than 100,000 elements"):
        parse_xml(wide, source="wide.xml")


def test_no_entity_or_external_resource_is_ever_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not print")
    for doctype in (
        f'<!DOCTYPE nitf [<!ENTITY s SYSTEM "{secret.as_uri()}">]>',
        '<!DOCTYPE nitf PUBLIC "-//IPTC//DTD NITF 3.6//EN" "http://www.iptc.org/nitf-3-6.dtd">',
        '<!DOCTYPE nitf [<!ENTITY % p SYSTEM "http://attacker.example/p.dtd"> %p;]>',
    ):
        with pytest.raises(InputError, match="document type declaration"):
            parse_xml(f"{doctype}<nitf><head><title>&s;</title></head></nitf>", source=None)
    with pytest.raises(InputError, match="undefined entity"):  # no DTD: only XML's own five
        parse_xml("<nitf><head><title>&nbsp;</title></head></nitf>", source=None)


@pytest.mark.allow_warnings
def test_names_without_a_byline_and_references_without_embeds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ninjs = {"uri": "urn:x", "version": "1", "language": "zh-Hans", "headlines": [{"value": "标题"}],
             "bodies": [{"value": "正文。"}], "bylines": [{"byline": "林晓云"}, {"name": "陈偉林"}]}  # fmt: skip
    assert from_mapping(ninjs, name=None).byline == "林晓云, 陈偉林"  # Chinese prints no "By"
    newsml = (FEEDS / "newsml-full.xml").read_text("utf-8").replace("<by>By Ruth Adeyemi</by>", "")
    article = parse(newsml.encode(), name="n.xml", suffix=".xml", quiet=True)
    assert article.byline == "By Ruth Adeyemi"  # from contentMeta/creator/name
    post = json.loads((FEEDS / "wordpress-full.json").read_text("utf-8"))
    del post["_embedded"]
    assert from_mapping(post, name="p.json").images == []
    (warning,) = warnings_of(caplog)
    listed = warning.split("not printed: ")[1].split(", ")
    assert {"author", "featured_media", "categories", "tags"} <= set(listed)
    assert "_links" not in listed


# ------------------------------------------------------------------------ hostile shapes

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20))
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
_NINJS_KEYS = ["headlines", "bodies", "descriptions", "by", "bylines", "subjects", "language",
               "firstcreated", "versioncreated", "slugline", "associations"]  # fmt: skip
_WP_KEYS = ["excerpt", "date_gmt", "modified", "link", "slug", "id", "lang", "_embedded",
            "author", "categories"]  # fmt: skip
_ASSOCIATION = st.fixed_dictionaries(
    {"type": st.sampled_from(["picture", "text"]), "name": _VALUES},
    optional={"renditions": st.lists(st.dictionaries(
        st.sampled_from(["href", "name", "width", "height"]), _VALUES), max_size=3),
        "descriptions": _VALUES, "by": _VALUES},
)  # fmt: skip


def test_rendition_sizes_of_any_type_pick_a_picture() -> None:
    renditions = [{"href": "a.jpg", "width": 3, "height": "ab"}, {"href": "b.jpg", "width": 2.5},
                  {"href": "c.jpg", "width": True, "height": 9}]  # fmt: skip
    picture = {"uri": "urn:p", "name": "p", "type": "picture", "renditions": renditions}
    data = {"uri": "urn:x", "version": "1", "headlines": [{"value": "H"}],
            "bodies": [{"value": "B"}], "associations": [picture]}  # fmt: skip
    assert from_mapping(data, name=None).images[0].src == "a.jpg"


@pytest.mark.allow_warnings  # unmapped fields
@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.sampled_from(_NINJS_KEYS), _VALUES, max_size=6),
    st.lists(_ASSOCIATION, max_size=2),
)
def test_any_ninjs_shape_gives_an_article_or_a_printbrief_error(
    fields: dict[str, Any], associations: list[Any]
) -> None:
    data = {"uri": "urn:x", "version": "1", **fields}
    if associations:
        data["associations"] = associations
    _article_or_error(data, "ninjs")


@pytest.mark.allow_warnings  # unmapped fields
@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(_WP_KEYS), _VALUES, max_size=6), _VALUES, _VALUES)
def test_any_wordpress_shape_gives_an_article_or_a_printbrief_error(
    fields: dict[str, Any], title: Any, media: Any
) -> None:
    data = {"title": {"rendered": title}, "content": {"rendered": "<p>x</p>"}, **fields}
    data["_embedded"] = {"wp:featuredmedia": media, "author": fields.get("author")}
    _article_or_error(data, "wordpress")


def _article_or_error(data: dict[str, Any], expected: str) -> None:
    assert recognise("json", data, None).name == expected
    with contextlib.suppress(PrintbriefError):
        from_mapping(data, name="fuzz.json")


@pytest.mark.allow_warnings  # its unmapped fields are tested above
def test_watch_follows_the_pictures_of_a_feed_in_a_named_format(tmp_path: Path) -> None:
    from printbrief.watch import article_files

    story = tmp_path / "story.txt"
    story.write_text((FEEDS / "nitf-full.xml").read_text("utf-8"), "utf-8")
    (tmp_path / "pictures").mkdir()
    picture = tmp_path / "pictures" / "ferry-dawn.jpg"
    picture.write_bytes((FEEDS / "pictures" / "ferry-dawn.jpg").read_bytes())
    assert article_files(story, RenderOptions(input_format="json")) == [story]  # unreadable
    found = article_files(story, RenderOptions(input_format="nitf"))
    assert [p.resolve() for p in found] == [story.resolve(), picture.resolve()]


def test_the_registry_knows_the_newsml_roots_its_reader_accepts() -> None:
    from printbrief.formats import newsml

    assert FORMATS["newsml"].roots == newsml.ROOTS


def test_a_json_article_does_not_import_the_xml_readers() -> None:
    code = (
        "import sys; from printbrief.load import load; load('samples/en-news-brief.json');"
        "print(sorted(m for m in sys.modules if m.startswith('printbrief.formats.')))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "nitf" not in run.stdout and "newsml" not in run.stdout and "safexml" not in run.stdout
