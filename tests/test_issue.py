"""Whole issues: contents, bookmarks, running sections and both page counters, read back from
the PDF; -j 2 against -j 1; an incremental re-compile against a clean one."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest

from conftest import ROOT, SAMPLES, page_texts, reader, save_failure
from printbrief import InputError, LimitError, Limits, compile_issue
from printbrief.cli import main
from printbrief.issue.compile import CompiledIssue
from printbrief.issue.load import Issue, load_issue
from printbrief.pdf import merge

MM = 72 / 25.4
ARTICLES = 32


def _make_issue():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_issue", ROOT / "tools" / "make_issue.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_issue


make_issue = _make_issue()


@dataclass
class Compiled:
    """A compiled issue with what the tests read from it."""

    result: CompiledIssue
    issue: Issue
    texts: list[str]
    heads: list[str]
    feet: list[str]


def read_back(result: CompiledIssue, issue_path: Path) -> Compiled:
    heads, feet = [], []
    with pdfplumber.open(io.BytesIO(result.pdf)) as doc:
        for page in doc.pages:
            height = float(page.height)
            chars = page.chars
            heads.append("".join(c["text"] for c in chars if c["top"] < 24 * MM))
            feet.append("".join(c["text"] for c in chars if c["top"] > height - 20 * MM))
    return Compiled(result, load_issue(issue_path), page_texts(result.pdf), heads, feet)


@pytest.fixture(scope="module")
def issue_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(make_issue(ARTICLES, tmp_path_factory.mktemp("issue")))


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def clean(issue_path: Path, cache_dir: Path) -> Compiled:
    out = issue_path.parent / "out" / "issue.pdf"
    return read_back(compile_issue(issue_path, out, jobs=1, cache_dir=cache_dir), issue_path)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("\ufffe", "")).casefold()


def contents_numbers(compiled: Compiled) -> dict[int, int]:
    """Entry index → page number printed next to its headline in the contents."""
    contents = squash("".join(compiled.texts[1 : compiled.result.pages]))
    numbers = {}
    for entry in compiled.issue.entries:
        match = re.search(re.escape(squash(entry.article.headline)) + r"(\d+)", contents)
        assert match, f"{entry.article.headline!r} is not in the contents"
        numbers[entry.index] = int(match.group(1))
    return numbers


def article_pages(compiled: Compiled) -> dict[int, tuple[int, int]]:
    """Entry index → (first page, page count), from the contents."""
    numbers = contents_numbers(compiled)
    starts = [*sorted(numbers.values()), compiled.result.pages + 1]
    return {i: (n, starts[starts.index(n) + 1] - n) for i, n in numbers.items()}


def test_issue_has_many_articles_in_two_languages_and_several_sections(clean: Compiled) -> None:
    langs = {e.article.lang for e in clean.issue.entries}
    assert langs == {"en", "ja"} and len(clean.issue.sections()) >= 4
    assert clean.result.articles == ARTICLES and len(clean.result.rendered) == ARTICLES
    counts = [n for _, n in article_pages(clean).values()]
    assert 1 in counts and 2 in counts, counts


def test_contents_page_numbers_are_where_the_headlines_are(clean: Compiled) -> None:
    numbers = contents_numbers(clean)
    first_article = min(numbers.values())
    for entry in clean.issue.entries:
        page = numbers[entry.index]
        body = clean.texts[page - 1].replace(clean.heads[page - 1], "")
        if squash(entry.article.headline) not in squash(clean.texts[page - 1]):
            save_failure("issue-contents", clean.result.pdf)
            pytest.fail(f"page {page} does not carry {entry.article.headline!r}: {body[:200]!r}")
        headline = squash(entry.article.headline)
        earlier = [p for p in range(first_article, page) if headline in squash(clean.texts[p - 1])]
        assert not earlier, (entry.article.headline, earlier)


def test_outline_is_sections_then_articles_as_in_the_contents(clean: Compiled) -> None:
    pdf = reader(clean.result.pdf)
    numbers = contents_numbers(clean)
    got, items = [], list(pdf.outline)
    for item in items:
        if isinstance(item, list):
            got[-1][2].extend((a.title, pdf.get_destination_page_number(a) + 1) for a in item)
        else:
            got.append((item.title, pdf.get_destination_page_number(item) + 1, []))
    expected = [
        (
            label,
            numbers[entries[0].index],
            [(e.article.headline, numbers[e.index]) for e in entries],
        )
        for label, entries in clean.issue.sections()
    ]
    assert got == expected


def test_every_article_page_heads_with_its_section(clean: Compiled) -> None:
    sections = {e.index: e.article.section or "" for e in clean.issue.entries}
    publication = clean.issue.publication or ""
    for index, (first, count) in article_pages(clean).items():
        for page in range(first, first + count):
            head = squash(clean.heads[page - 1])
            assert squash(f"{publication} · {sections[index]}") in head, (page, head)
    for page in range(2, min(article_pages(clean).values())[0]):
        assert "contents" in squash(clean.heads[page - 1]), page


def test_issue_and_article_page_counters_on_every_page(clean: Compiled) -> None:
    total = clean.result.pages
    assert "page1of" not in squash(clean.feet[0])  # the cover has no folio
    for page in range(2, total + 1):
        assert squash(f"Page {page} of {total}") in squash(clean.feet[page - 1]), page
    langs = {e.index: e.article.lang for e in clean.issue.entries}
    for index, (first, count) in article_pages(clean).items():
        for k in range(count):
            label = (
                f"記事 {k + 1} / {count} ページ"
                if langs[index] == "ja"
                else f"Article page {k + 1} of {count}"
            )
            assert squash(label) in squash(clean.feet[first + k - 1]), (
                first + k,
                clean.feet[first + k - 1],
            )


def test_fonts_are_embedded_once_and_text_round_trips(clean: Compiled) -> None:
    pdf = reader(clean.result.pdf)
    fonts: dict[str, set[int]] = {}
    for page in pdf.pages:
        for ref in page["/Resources"].get_object().get("/Font", {}).values():
            fonts.setdefault(str(ref.get_object()["/BaseFont"]), set()).add(ref.idnum)
        for xobject in page["/Resources"].get_object().get("/XObject", {}).values():
            for ref in xobject.get_object().get("/Resources", {}).get("/Font", {}).values():
                fonts.setdefault(str(ref.get_object()["/BaseFont"]), set()).add(ref.idnum)
    assert all(len(ids) == 1 for ids in fonts.values()), fonts
    japanese = next(e for e in clean.issue.entries if e.article.lang == "ja")
    assert squash(japanese.article.body.split("\n\n")[0][:40]) in squash("".join(clean.texts))


def test_recompiling_unchanged_renders_nothing_and_is_byte_identical(
    clean: Compiled, issue_path: Path, cache_dir: Path
) -> None:
    again = compile_issue(issue_path, issue_path.parent / "out" / "again.pdf", cache_dir=cache_dir)
    assert again.rendered == () and len(again.reused) == ARTICLES
    assert again.pdf == clean.result.pdf


def test_recompiling_unchanged_parses_no_pdf(
    clean: Compiled, issue_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The merged issue is cached under its sources and their arrangement: parsing the cached
    runs of articles and the sheets and merging them was most of an unchanged re-compile."""
    parsed: list[int] = []
    real = merge.PdfReader

    def counted(stream: io.BytesIO) -> merge.PdfReader:
        parsed.append(len(stream.getvalue()))
        return real(stream)

    monkeypatch.setattr(merge, "PdfReader", counted)
    again = compile_issue(issue_path, issue_path.parent / "out" / "third.pdf", cache_dir=cache_dir)
    assert parsed == [] and again.rendered == ()
    assert again.pdf == clean.result.pdf


@pytest.mark.slow
def test_two_workers_give_the_same_pages(clean: Compiled, issue_path: Path) -> None:
    parallel = compile_issue(issue_path, jobs=2, use_cache=False)
    assert len(parallel.rendered) == ARTICLES
    assert page_texts(parallel.pdf) == clean.texts
    assert parallel.pdf == clean.result.pdf


@pytest.mark.slow
def test_incremental_recompile_renders_one_article_and_matches_a_clean_one(
    clean: Compiled, issue_path: Path, cache_dir: Path, tmp_path: Path
) -> None:
    edited = tmp_path / "edited"
    shutil.copytree(issue_path.parent, edited, ignore=shutil.ignore_patterns("out"))
    target = edited / "articles" / "a005.json"  # article 5 is a file, not inline
    data = json.loads(target.read_text("utf-8"))
    data["body"] = data["body"].replace(" ", " edited ", 1) + "\n\nOne more paragraph, added late."
    target.write_text(json.dumps(data), "utf-8")
    incremental = compile_issue(edited / "issue.json", edited / "out.pdf", cache_dir=cache_dir)
    assert incremental.rendered == (5,)
    assert len(incremental.reused) == ARTICLES - 1
    fresh = compile_issue(edited / "issue.json", use_cache=False)
    assert page_texts(incremental.pdf) == page_texts(fresh.pdf)
    assert "One more paragraph, added late." in "".join(page_texts(incremental.pdf))


# ------------------------------------------------------------------ options and errors


def write_issue(folder: Path, articles: list[object], **fields: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "issue.json"
    data = {"title": "Small edition", "publication": "Coastline Daily", "date": "2026-05-02"}
    path.write_text(json.dumps({**data, **fields, "articles": articles}), "utf-8")
    return path


def short(n: int, **fields: object) -> dict[str, object]:
    return {"headline": f"Short story {n}", "body": f"Paragraph of story {n}.", **fields}


def test_contents_dot_leaders_are_drawn(tmp_path: Path) -> None:
    """The leaders are a PNG pattern: an SVG one is refused by the fetcher, with a warning."""
    result = compile_issue(write_issue(tmp_path, [short(1), short(2)]), jobs=1, use_cache=False)
    contents = reader(result.pdf).pages[1]
    assert "Contents" in page_texts(result.pdf)[1]
    patterns = contents["/Resources"].get_object().get("/Pattern")
    assert patterns is not None, "no dot-leader pattern on the contents page"
    assert len(patterns.get_object()) >= 1


def test_a_wrong_guess_of_the_contents_length_is_laid_out_again_not_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With one process the front's length is guessed: a wrong guess costs a layout, no PDF."""
    import weasyprint

    from printbrief.issue import sheets as issue_sheets

    path = write_issue(tmp_path, [short(n) for n in range(4)])
    right = compile_issue(path, use_cache=False)
    drawn: list[int] = []
    write_pdf = weasyprint.Document.write_pdf

    def counted(self: weasyprint.Document, *args: object, **kwargs: object) -> object:
        drawn.append(len(self.pages))
        return write_pdf(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(weasyprint.Document, "write_pdf", counted)
    monkeypatch.setattr(issue_sheets, "_estimate_front", lambda issue: right.pages)
    guessed = compile_issue(path, use_cache=False)
    assert guessed.pdf == right.pdf
    assert len(drawn) == 4 + 1 + 1, drawn  # articles, front once, one folio sheet


def test_page_count_probe_lays_out_what_a_render_draws() -> None:
    from printbrief.issue.tasks import issue_renderer
    from printbrief.options import RenderOptions

    renderer = issue_renderer(RenderOptions(system_fonts=False).check().absolute())
    html = "<html><body>" + '<p style="break-after: page">Page</p>' * 2 + "<p>End</p></body></html>"
    drawn = renderer.render_document(html, None)
    assert renderer.count_pages(html, None) == drawn.pages == 3
    assert renderer.render_document(html, None, 3) == drawn
    wrong = renderer.render_document(html, None, 2)
    assert (wrong.pdf, wrong.pages) == (b"", 3)


def test_right_hand_starts_every_article_on_an_odd_page(tmp_path: Path) -> None:
    long_body = "\n\n".join(["A long paragraph of the second story. " * 12] * 12)
    articles = [short(1), {"headline": "Long story", "body": long_body}, short(3)]
    result = compile_issue(write_issue(tmp_path, articles), right_hand=True)
    texts = page_texts(result.pdf)
    starts = [
        next(i + 1 for i, t in enumerate(texts) if a["headline"] in t and i > 1) for a in articles
    ]
    assert all(page % 2 == 1 for page in starts), starts
    blank = [i + 1 for i, t in enumerate(texts) if not t.strip()]
    assert blank and all(page % 2 == 0 for page in blank), blank


def test_bad_article_names_issue_index_path_and_field(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(json.dumps({"body": "no headline"}))
    path = write_issue(tmp_path, [short(1), "bad.json", short(3, lang="xx_1")])
    output = tmp_path / "out.pdf"
    with pytest.raises(InputError) as info:
        compile_issue(path, output)
    message = str(info.value)
    assert str(path.resolve()) in message
    assert "articles.1 (bad.json): headline: field required" in message
    assert "articles.2: lang: 'xx_1' is not a BCP 47 language tag" in message
    assert not output.exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_without_keep_going_the_error_names_the_first_failing_article(
    tmp_path: Path, jobs: int
) -> None:
    """Whichever failure arrives first, the error names the earliest in the issue."""
    long_body = "\n\n".join(["A long paragraph that fills the page. " * 20] * 9)
    articles = [short(0), {"headline": "Long 1", "body": long_body}, short(2)]
    articles += [{"headline": f"Long {n}", "body": long_body} for n in (3, 4, 5)]
    path = write_issue(tmp_path, articles)
    for _ in range(3):
        with pytest.raises(LimitError) as info:
            compile_issue(path, jobs=jobs, use_cache=False, limits=Limits(max_pages=1))
        assert "articles.1: " in str(info.value), str(info.value)


def test_keep_going_compiles_the_rest_and_lists_what_was_left_out(tmp_path: Path) -> None:
    path = write_issue(tmp_path, [short(1), "missing.json", short(3)])
    result = compile_issue(path, tmp_path / "out.pdf", keep_going=True)
    assert result.articles == 2 and (tmp_path / "out.pdf").is_file()
    assert [str(x) for x in result.left_out] == [
        "articles.1 (missing.json): cannot read: No such file or directory"
    ]
    assert "left out: articles.1 (missing.json)" in result.summary()


def test_progress_counts_rendered_articles_and_a_warm_compile_reports_none(
    tmp_path: Path,
) -> None:
    """Each article rendered or taken alone from the cache ticks once; whole cached runs do not."""
    path = write_issue(tmp_path, [short(n) for n in range(3)])
    seen: list[tuple[int, int]] = []
    compile_issue(path, cache_dir=tmp_path / "cache", progress=lambda *done: seen.append(done))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    seen.clear()
    warm = compile_issue(
        path, cache_dir=tmp_path / "cache", progress=lambda *done: seen.append(done)
    )
    assert (seen, warm.reused) == ([], (0, 1, 2))


def test_issue_errors_name_the_issue_field(tmp_path: Path) -> None:
    path = write_issue(tmp_path, [])
    with pytest.raises(InputError, match=r"issue.json: articles: list should have at least 1 item"):
        load_issue(path)


def test_yaml_issue_with_language_default_and_inline_pictures(tmp_path: Path) -> None:
    shutil.copy(ROOT / "samples" / "images" / "market-lanterns.jpg", tmp_path / "lanterns.jpg")
    (tmp_path / "issue.yaml").write_text(
        "title: 週末版\npublication: 海岸日報\nlang: ja\narticles:\n"
        "  - headline: 港の灯り\n    body: 夜の市場に灯りがともった。\n"
        "    images: [{src: lanterns.jpg, caption: 市場の灯り}]\n"
        "  - headline: English story\n    lang: en\n    body: It is in English.\n",
        "utf-8",
    )
    issue = load_issue(tmp_path / "issue.yaml")
    assert [e.article.lang for e in issue.entries] == ["ja", "en"]
    assert {e.article.publication for e in issue.entries} == {"海岸日報"}
    text = "".join(page_texts(compile_issue(issue).pdf))
    assert "目次" in text and "市場の灯り" in text and "3 / 4 ページ" in text


# ------------------------------------------------------------------ the command


WEEKEND = ROOT / "samples" / "issues" / "weekend-edition.json"


def test_cli_compiles_the_sample_issue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "weekend.pdf"
    code = main(["compile", str(WEEKEND), "-o", str(target), "--cache-dir", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "compiled 'Weekend Edition': 5 articles" in err and "rendered 5, reused 0" in err
    titles = [i.title for i in reader(target.read_bytes()).outline if not isinstance(i, list)]
    assert titles == ["News Brief", "News", "Features", "ニュース"]
    assert list((tmp_path / "c").glob("??/*.pdf")), "rendered articles are cached"


def test_cli_without_keep_going_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_issue(tmp_path, [short(1), "missing.json"])
    code = main(["compile", str(path), "-o", str(tmp_path / "out.pdf")])
    err = capsys.readouterr().err
    assert code == 1
    assert f"printbrief: error: {path}: articles.1 (missing.json): cannot read" in err
    assert "Traceback" not in err and not (tmp_path / "out.pdf").exists()


def test_cli_keep_going_exits_1_and_lists_what_was_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_issue(tmp_path, [short(1), "missing.json"])
    code = main(
        ["compile", str(path), "-o", str(tmp_path / "out.pdf"), "--keep-going", "--no-cache"]
    )
    err = capsys.readouterr().err
    assert code == 1 and (tmp_path / "out.pdf").is_file()
    assert "left out: articles.1 (missing.json): cannot read" in err
    assert not (tmp_path / ".printbrief-cache").exists()


@pytest.mark.slow
def test_cli_compile_as_a_real_subprocess_with_two_workers(tmp_path: Path) -> None:
    exe = shutil.which("printbrief", path=str(Path(sys.executable).parent))
    assert exe, "the console script is installed next to the interpreter"
    target = tmp_path / "weekend.pdf"
    done = subprocess.run(
        [exe, "compile", str(WEEKEND), "-o", str(target), "-j", "2", "--right-hand"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    texts = page_texts(target.read_bytes())
    assert "Weekend Edition" in texts[0] and "Contents" in texts[1]
    starts = [i + 1 for i, t in enumerate(texts) if "Article page 1 of" in t or "記事 1 /" in t]
    assert len(starts) == 5 and all(page % 2 == 1 for page in starts), starts
    assert (tmp_path / ".printbrief-cache").is_dir()


@pytest.mark.slow
# Dask compares the packages its processes have imported; numpy loads in the workers only.
@pytest.mark.filterwarnings("ignore::distributed.versions.VersionMismatchWarning")
def test_sheets_are_queued_before_the_last_run_of_articles_is_merged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cover, contents and folio sheets go to the workers as the last page count arrives, so
    they render while this process merges the last run of articles (it used to merge first)."""
    from concurrent.futures import ThreadPoolExecutor

    from printbrief.issue.chunks import Chunker

    events: list[str] = []
    build = Chunker._build

    def merged(self: Chunker, members: list[int]) -> None:
        events.append("run merged")
        build(self, members)

    class Recording(ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            events.append(type(args[0]).__name__)
            return super().submit(fn, *args, **kwargs)

    path = write_issue(tmp_path, [short(n) for n in range(6)])
    alone = compile_issue(path, use_cache=False)
    monkeypatch.setattr(Chunker, "_build", merged)
    with Recording(max_workers=2) as executor:
        parallel = compile_issue(path, None, executor, use_cache=False)
    assert parallel.pdf == alone.pdf
    last_merge = len(events) - 1 - events[::-1].index("run merged")
    assert events.count("ArticleTask") == 6
    assert "DocumentTask" in events[:last_merge], events


def test_forkserver_starts_first_when_every_article_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With -j 2 and an empty cache the forkserver starts before the articles are keyed and
    planned (it imports WeasyPrint meanwhile); with everything cached it does not start."""
    from printbrief.issue import compile as compiling

    events: list[str] = []
    key = compiling.article_key
    monkeypatch.setattr(compiling, "start_forkserver", lambda: events.append("forkserver"))
    monkeypatch.setattr(compiling, "article_key", lambda *a: events.append("key") or key(*a))
    path = write_issue(tmp_path, [short(n) for n in range(6)])
    first = compile_issue(path, tmp_path / "issue.pdf", jobs=2)
    assert events[:2] == ["forkserver", "key"] and events.count("forkserver") == 1
    assert len(first.rendered) == 6
    events.clear()
    again = compile_issue(path, tmp_path / "issue.pdf", jobs=2)
    assert "forkserver" not in events and again.pdf == first.pdf


def test_issue_on_a_local_dask_cluster_is_identical_to_one_process(tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    issue = SAMPLES / "issues" / "weekend-edition.json"
    local = compile_issue(issue, use_cache=False, system_fonts=False)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                     dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        remote = compile_issue(issue, None, client.get_executor(), use_cache=False,
                               system_fonts=False)  # fmt: skip
    assert remote.pdf == local.pdf
