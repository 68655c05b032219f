"""The news-industry fixtures on paper: each renders, through the library, the CLI and a batch."""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
from pathlib import Path

import pdfplumber
import pytest

from printbrief import InputError, Renderer, compile_issue
from printbrief.batch.run import render_many
from printbrief.cli import main
from printbrief.issue.load import load_issue
from test_formats import FEEDS, GOOD, UNMAPPED, warnings_of

EXPECTED = {
    "ninjs-minimal.json": ("Tide gauge back in service at the north pier", None,
                           "readings will be published every ten minutes"),
    "ninjs-full.json": ("Night ferries return to the outer islands",
                        "By Maren Olsen, transport reporter", "said Ilse Brandt, who chairs"),
    "ninjs-zh.json": ("港城夜市周末延长营业至午夜", "记者 林晓云", "摊主陈偉林说"),
    "ninjs-legacy-fr.json": ("Le phare du cap rouvre ses portes aux visiteurs",
                             "Par Élodie Marchand", "de dix heures à dix-huit heures"),
    "wordpress-minimal.json": ("Library opens on Sundays from next month", None,
                               "volunteers will staff the reading room"),
    "wordpress-full.json": ("River footbridge reopens after a year’s repairs", "By Jonas Berg",
                            "kept the cast-iron railings"),
    "wordpress-ko.json": ("항구 축제, 올해는 사흘 동안 열린다", "김하늘", "가족 단위 방문객이"),
    "newsml-minimal.xml": ("New weather buoy moored off the breakwater", None,
                           "every five minutes"),
    "newsml-full.xml": ("Dredging of the main channel to start in September", "By Ruth Adeyemi",
                        "the authority agreed"),
    "newsml-nitf-de.xml": ("Neue Elektrofähre verbindet Altstadt und Werft", "Von Jana Krüger",
                           "Fahrräder fahren kostenlos mit"),
    "newsml-ja.xml": ("港の朝市、土曜日も開催へ", "佐藤花子", "週末に来たいという声が多かった"),
    "nitf-minimal.xml": ("Lighthouse keeper’s cottage to become a museum", None,
                         "Volunteers are cataloguing the logbooks"),
    "nitf-full.xml": ("Fishing fleet gets a new cold store", "By Liv Carstensen, Business reporter",
                      "was trucked to a store"),
    "nitf-zh-hant.xml": ("港口渡輪增開夜間班次", "記者 陳偉林", "新班次將視乘客人數調整"),
}  # fmt: skip
"""Headline, byline and a phrase of the body, as each fixture must print them."""


def squeezed(text: str) -> str:
    """Text without line breaks, hyphenation or spaces: what wraps differently is left out."""
    return re.sub(r"\s+", "", re.sub(r"[-\u2010\u00ad]\n", "", text)).replace("'", "’")


def pdf_text(pdf: bytes) -> tuple[str, int]:
    """The first page's text (pdfplumber) and how many pictures it draws."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        return page.extract_text() or "", len(page.images)


def pdf_text_all(pdf: bytes) -> list[str]:
    """Every page's text (pdfplumber)."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [page.extract_text() or "" for page in doc.pages]


def test_every_good_fixture_has_expectations() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in GOOD)


@pytest.mark.allow_warnings
@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_each_fixture_prints_headline_byline_body_and_picture(
    path: Path, renderer: Renderer, caplog: pytest.LogCaptureFixture
) -> None:
    pdf = renderer.render(path)
    expected = [f"{path}: {UNMAPPED[path.name]}"] if path.name in UNMAPPED else []
    assert warnings_of(caplog) == expected  # nothing else: no refused picture, no missing glyph
    assert list(pdf.warnings) == expected
    text, pictures = pdf_text(pdf)
    headline, byline, phrase = EXPECTED[path.name]
    for wanted in (headline, byline, phrase):
        assert wanted is None or squeezed(wanted) in squeezed(text), (wanted, text)
    has_picture = "full" in path.name or path.name in (
        "ninjs-zh.json", "ninjs-legacy-fr.json", "nitf-zh-hant.xml", "newsml-nitf-de.xml",
    )  # fmt: skip
    assert pictures == (1 if has_picture else 0)


def test_the_library_takes_an_input_format(tmp_path: Path, renderer: Renderer) -> None:
    feed = tmp_path / "feed.txt"  # a suffix that says nothing
    shutil.copy(FEEDS / "ninjs-minimal.json", feed)
    pdf = Renderer("newsbrief", input_format="ninjs").render(feed)
    assert squeezed("Tide gauge back in service") in squeezed(pdf_text(pdf)[0])


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_from_renders_and_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = tmp_path / "story"
    shutil.copy(FEEDS / "nitf-minimal.xml", feed)
    code, _, err = run(["render", str(feed), "--from", "nitf", "-o", str(tmp_path / "a.pdf")],
                       capsys)  # fmt: skip
    assert code == 0, err
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF-")
    code, out, _ = run(["check", str(FEEDS / "ninjs-minimal.json"), "--from", "json"], capsys)
    assert code == 1 and "invalid: headline: field required" in out
    code, out, _ = run(["check", str(FEEDS / "ninjs-minimal.json"), "--from", "ninjs"], capsys)
    assert code == 0 and out.strip().endswith("ninjs-minimal.json: ok")
    code, _, err = run(["render", str(feed), "--from", "rss", "-o", "x.pdf"], capsys)
    assert code == 2 and "'rss' is not one of 'ninjs', 'wordpress'" in err


WIRE_1X = {  # a ninjs 1.x item without "version": its content alone reads as printbrief fields
    "uri": "urn:newsml:harbour-wire.example:20260512:tide",
    "headline": "Spring tides close the lower quay road",
    "body_text": "The lower quay road closes at high water on Friday and Saturday.",
}


def write_wire_issue(folder: Path) -> Path:
    """An issue naming a ninjs 1.x file and holding another ninjs 1.x item inline."""
    (folder / "tide.json").write_text(json.dumps(WIRE_1X), "utf-8")
    inline = {**WIRE_1X, "uri": "urn:x:inline", "headline": "Quay road reopens on Sunday"}
    issue = {"title": "Harbour wire", "date": "2026-05-12", "articles": ["tide.json", inline]}
    (folder / "issue.json").write_text(json.dumps(issue), "utf-8")
    return folder / "issue.json"


def test_compile_reads_the_articles_in_the_format_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    issue = write_wire_issue(tmp_path)
    out = tmp_path / "wire.pdf"
    code, _, err = run(["compile", str(issue), "-o", str(out), "--no-cache"], capsys)
    assert code == 1 and "articles.0 (tide.json)" in err and "uri: unknown field" in err
    argv = ["compile", str(issue), "-o", str(out), "--no-cache", "--from", "NINJS"]
    code, _, err = run([*argv, "--bundled-fonts-only"], capsys)
    assert code == 0, err
    text = squeezed(" ".join(pdf_text_all(out.read_bytes())))
    assert squeezed(WIRE_1X["headline"]) in text and squeezed("Quay road reopens") in text


def test_an_xml_format_leaves_inline_articles_recognised(tmp_path: Path) -> None:
    shutil.copy(FEEDS / "nitf-minimal.xml", tmp_path / "keeper")  # a name that says nothing
    inline = {"headline": "Museum opening hours", "body": "Open daily from ten."}
    data = {"title": "Harbour wire", "articles": ["keeper", inline]}
    (tmp_path / "issue.json").write_text(json.dumps(data), "utf-8")
    loaded = load_issue(tmp_path / "issue.json", format="nitf")
    assert [e.article.headline for e in loaded.entries] == [
        "Lighthouse keeper's cottage to become a museum", "Museum opening hours",
    ]  # fmt: skip
    with pytest.raises(InputError, match=r"articles\.0 \(keeper\): .*root element <nitf>"):
        load_issue(tmp_path / "issue.json", format="newsml")


def test_the_library_compiles_inline_articles_in_the_format_named() -> None:
    ninjs = json.loads((FEEDS / "ninjs-minimal.json").read_text("utf-8"))
    issue = {"title": "Harbour wire", "articles": [ninjs]}
    assert load_issue(issue).entries[0].article.headline.startswith("Tide gauge")
    with pytest.raises(InputError, match=r"articles\.0: .*uri: unknown field"):
        compile_issue(issue, input_format="json", system_fonts=False)


@pytest.mark.allow_warnings
def test_check_json_lists_the_unmapped_fields(capsys: pytest.CaptureFixture[str]) -> None:
    full, minimal = FEEDS / "wordpress-full.json", FEEDS / "wordpress-minimal.json"
    code, out, _ = run(["check", str(full), str(minimal), "--json"], capsys)
    assert code == 0
    report = json.loads(out)
    assert report[0]["warnings"] == [f"{full}: {UNMAPPED[full.name]}"]
    assert report[1]["warnings"] == [] and report[1]["valid"] is True


@pytest.mark.allow_warnings
def test_a_batch_over_a_folder_mixing_formats(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    results = render_many([FEEDS], tmp_path, jobs=1)
    assert [r.status for r in results] == ["rendered"] * len(GOOD)
    assert [Path(r.input).name for r in results] == [p.name for p in GOOD]
    names = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert "river-footbridge-reopens.pdf" in names and "nitf-minimal.pdf" in names
    assert len(names) == len(GOOD)
    # One warning per file with unmapped fields: the planner reads quietly, the render says it.
    expected = sorted(f"{FEEDS / name}: {message}" for name, message in UNMAPPED.items())
    assert sorted(warnings_of(caplog)) == expected
    manifest = json.loads((tmp_path / "printbrief-manifest.json").read_text("utf-8"))
    assert len(manifest["outputs"]) == len(GOOD)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        again = render_many([FEEDS], tmp_path, jobs=1)
    assert {r.status for r in again} == {"skipped"} and warnings_of(caplog) == []


@pytest.mark.allow_warnings
def test_worker_processes_report_unmapped_fields_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("ninjs-full.json", "nitf-full.xml"):
        shutil.copy(FEEDS / name, tmp_path / name)
    shutil.copytree(FEEDS / "pictures", tmp_path / "pictures")
    results = render_many([tmp_path], tmp_path / "out", jobs=2)
    assert {r.status for r in results} == {"rendered"}
    expected = sorted(
        f"{tmp_path / n}: {UNMAPPED[n]}" for n in ("ninjs-full.json", "nitf-full.xml")
    )
    assert sorted(warnings_of(caplog)) == expected


@pytest.mark.allow_warnings
def test_feed_pictures_obey_the_picture_policy(
    tmp_path: Path, renderer: Renderer, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "secret.jpg").write_bytes((FEEDS / "pictures" / "ferry-dawn.jpg").read_bytes())
    folder = tmp_path / "feed"
    folder.mkdir()
    hrefs = ["file:///etc/passwd", "../secret.jpg", "https://cdn.example/ferry.jpg"]
    associations = [
        {"uri": f"urn:p{i}", "name": f"p{i}", "type": "picture", "renditions": [{"href": h}]}
        for i, h in enumerate(hrefs)
    ]
    story = {"uri": "urn:s", "version": "1", "headlines": [{"value": "Pictures"}],
             "bodies": [{"value": "Text."}], "associations": associations}  # fmt: skip
    (folder / "story.json").write_text(json.dumps(story))
    pdf = renderer.render(folder / "story.json")
    assert pdf_text(pdf)[1] == 0  # nothing outside the article's folder, no network
    refused = [w for w in warnings_of(caplog) if "refused to load" in w]
    assert len(refused) == 3, warnings_of(caplog)
