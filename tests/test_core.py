"""One core: one options value, one identity for every cache, one worker kit, a small Renderer."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PIL import Image as PILImage

import printbrief
from conftest import SAMPLES, page_texts
from printbrief import workers
from printbrief.errors import FieldProblem, InputError, UsageError
from printbrief.identity import article_key, fingerprint
from printbrief.options import RenderOptions
from printbrief.renderer import Renderer, render
from printbrief.workers import Outcome, perform


def test_options_are_hashable_picklable_and_normalised() -> None:
    options = RenderOptions(theme_paths=[Path("a")], allow_hosts=["x.example"])  # type: ignore[arg-type]
    assert options.theme_paths == ("a",) and options.allow_hosts == ("x.example",)
    assert pickle.loads(pickle.dumps(options)) == options
    assert {options: 1}[RenderOptions(theme_paths=("a",), allow_hosts=("x.example",))] == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"paper": "A9"}, "paper"), ({"variant": "pdf/z"}, "variant"), ({"bleed": "9cm"}, "bleed"),
     ({"marks": "stars"}, "marks"), ({"theme": "nope"}, "theme")],
)  # fmt: skip
def test_options_check_names_the_bad_field(changes: dict[str, str], field: str) -> None:
    with pytest.raises(UsageError, match=f"^{field}: "):
        RenderOptions(**changes).check()  # type: ignore[arg-type]


def test_unknown_option_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown render option colour"):
        RenderOptions.of(colour="red")


def test_errors_travel_between_processes_as_themselves() -> None:
    error = InputError.from_problems([FieldProblem("headline", "required")], source="a.json")
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is InputError and str(back) == "a.json: headline: required"
    assert back.problems == error.problems and back.http_status == 422


class _Fails:
    def run(self) -> bytes:
        raise InputError("body: too short", source="x.json")


class _Breaks:
    def run(self) -> bytes:
        raise KeyError("oops")


def test_worker_kit_outcome_carries_the_error_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    # A task for another process sends its warnings with the result, not to this process's
    # loggers; that set-up is for worker processes, not for the test's.
    monkeypatch.setattr(workers, "keep_to_results_once", lambda: None)
    outcome: Outcome[bytes] = perform(_Fails(), "elsewhere")
    assert isinstance(outcome.error, InputError) and outcome.error.source == "x.json"
    with pytest.raises(InputError):
        outcome.result()
    broken = perform(_Breaks(), "elsewhere")
    assert broken.error is not None and "internal error: KeyError" in broken.error.message


# ------------------------------------------------------------------------------- identity


def _theme_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "themes" / "house"
    shutil.copytree(Path(printbrief.__file__).parent.parent.parent / "styles" / "newsbrief", folder)
    return folder


def test_fingerprint_follows_theme_files_not_theme_names(tmp_path: Path) -> None:
    folder = _theme_copy(tmp_path)
    options = RenderOptions(theme="house", theme_paths=(str(folder.parent),))
    before = fingerprint(options)
    assert fingerprint(options) == before
    css = folder / "print.css"
    css.write_text(css.read_text("utf-8") + "\nh1 { color: #123456; }\n", "utf-8")
    assert fingerprint(options) != before


def test_fingerprint_is_the_same_wherever_printbrief_is_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundled fonts' CSS names them by absolute URL: a copy of printbrief in another
    folder must key (and cut an issue's article runs) as this one does."""
    from printbrief import assets, fonts

    here = fingerprint(RenderOptions())
    elsewhere = tmp_path / "site-packages" / "fonts"
    elsewhere.parent.mkdir()
    elsewhere.symlink_to(assets.asset_dir("fonts"))
    real = assets.asset_dir
    for module in (assets, fonts):
        monkeypatch.setattr(module, "asset_dir", lambda n: elsewhere if n == "fonts" else real(n))
    fonts.font_face_css.cache_clear()
    try:
        assert elsewhere.as_uri() in fonts.font_face_css()
        assert fingerprint(RenderOptions()) == here
    finally:
        fonts.font_face_css.cache_clear()


def test_key_covers_local_pictures_by_content(tmp_path: Path) -> None:
    picture = tmp_path / "photo.png"
    PILImage.new("RGB", (40, 30), "red").save(picture)
    data = {"headline": "H", "body": "B", "images": [{"src": "photo.png", "alt": "red"}]}
    article = printbrief.load(data).with_source(tmp_path / "a.json")
    fp = fingerprint(RenderOptions())
    before = article_key(fp, article)
    PILImage.new("RGB", (40, 30), "blue").save(picture)
    assert article_key(fp, article) != before


def test_batch_renders_again_when_a_local_picture_changes(tmp_path: Path) -> None:
    work = tmp_path / "in"
    shutil.copytree(SAMPLES / "images", work / "images")
    shutil.copy(SAMPLES / "en-feature.md", work / "en-feature.md")
    out = tmp_path / "out"
    first = printbrief.render_many([work / "en-feature.md"], out, jobs=1, system_fonts=False)
    assert [r.status for r in first] == ["rendered"]
    again = printbrief.render_many([work / "en-feature.md"], out, jobs=1, system_fonts=False)
    assert [r.status for r in again] == ["skipped"]
    with PILImage.open(work / "images" / "harbour-dawn.jpg") as im:
        im.transpose(PILImage.Transpose.FLIP_LEFT_RIGHT).save(work / "images" / "harbour-dawn.jpg")
    changed = printbrief.render_many([work / "en-feature.md"], out, jobs=1, system_fonts=False)
    assert [r.status for r in changed] == ["rendered"]


def test_issue_cache_misses_after_a_theme_edit(tmp_path: Path) -> None:
    folder = _theme_copy(tmp_path)
    issue = tmp_path / "issue.json"
    issue.write_text(json.dumps({"title": "T", "articles": [{"headline": "A", "body": "x"}]}))
    options = RenderOptions(theme="house", theme_paths=(str(folder.parent),), system_fonts=False)
    first = printbrief.compile_issue(issue, tmp_path / "a.pdf", options=options)
    assert first.rendered == (0,)
    assert printbrief.compile_issue(issue, tmp_path / "a.pdf", options=options).reused == (0,)
    css = folder / "print.css"
    css.write_text(css.read_text("utf-8") + "\nh1 { letter-spacing: 0.01em; }\n", "utf-8")
    assert printbrief.compile_issue(issue, tmp_path / "a.pdf", options=options).rendered == (0,)


# ------------------------------------------------------------------------------- renderer


def test_renderer_takes_a_mapping_and_returns_bytes_with_pages() -> None:
    pdf = Renderer(system_fonts=False).render({"headline": "Tide tables", "body": "High water."})
    assert isinstance(pdf, bytes) and pdf[:5] == b"%PDF-" and pdf.pages == 1
    assert pdf.warnings == ()
    assert "Tide tables" in page_texts(pdf)[0]


def test_renderer_refuses_what_is_not_an_article() -> None:
    with pytest.raises(UsageError, match="expected an Article, a mapping"):
        Renderer(system_fonts=False).render(42)  # type: ignore[arg-type]


@pytest.mark.allow_warnings
def test_renderer_reports_its_warnings() -> None:
    data = {"headline": "Private use \ue000", "body": "x", "lang": "en"}
    pdf = Renderer(system_fonts=False).render(data)
    assert any("U+E000" in w for w in pdf.warnings)


def test_render_shortcut_takes_every_option() -> None:
    pdf = render(SAMPLES / "en-news-brief.json", paper="A5", lossless_images=True,
                 system_fonts=False)  # fmt: skip
    assert pdf.pages >= 1
    with pytest.raises(UsageError, match=r"^paper: "):
        render(SAMPLES / "en-news-brief.json", paper="A9")


@pytest.mark.slow
def test_render_shortcut_is_safe_from_eight_threads() -> None:
    names = ["zh-hant.json", "en-news-brief.json", "ja.json", "ko.json"]
    expected = {n: bytes(render(SAMPLES / n, system_fonts=False)) for n in names}
    got: list[tuple[str, bytes]] = []
    lock = threading.Lock()

    def work(offset: int) -> None:
        for i in range(6):
            name = names[(offset + i) % len(names)]
            pdf = bytes(render(SAMPLES / name, system_fonts=False))
            with lock:
                got.append((name, pdf))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    assert len(got) == 48
    assert all(pdf == expected[name] for name, pdf in got)


def test_one_renderer_used_by_two_threads_at_once_is_refused() -> None:
    renderer = Renderer(system_fonts=False)
    started, errors = threading.Event(), []
    original = renderer._budgeted

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        started.set()
        threading.Event().wait(0.5)
        return original(*args, **kwargs)

    renderer._budgeted = slow  # type: ignore[method-assign]
    first = threading.Thread(target=lambda: renderer.render({"headline": "A", "body": "b"}))
    first.start()
    started.wait(10)
    try:
        renderer.render({"headline": "B", "body": "c"})
    except UsageError as exc:
        errors.append(exc)
    first.join(60)
    assert errors and "another thread" in str(errors[0])


# ------------------------------------------------------------------------------- entry points


def test_python_dash_m_printbrief() -> None:
    done = subprocess.run([sys.executable, "-m", "printbrief", "variants"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "pdf/a-3b" in done.stdout and "Letter" in done.stdout


def test_compile_takes_every_render_option(tmp_path: Path) -> None:
    from printbrief.cli import main

    issue = tmp_path / "issue.json"
    issue.write_text(json.dumps({"title": "T", "articles": [{"headline": "A", "body": "x"}]}))
    out = tmp_path / "issue.pdf"
    code = main(["compile", str(issue), "-o", str(out), "--variant", "pdf/a-2b", "--paper", "A5",
                 "--bleed", "3mm", "--marks", "crop", "--bundled-fonts-only", "--no-cache", "-q"])  # fmt: skip
    assert code == 0
    from pypdf import PdfReader

    reader = PdfReader(out)
    assert reader.xmp_metadata is not None and "pdfaid" in reader.xmp_metadata.rdf_root.toxml()
    assert "/OutputIntents" in reader.trailer["/Root"]
    box = reader.pages[0].trimbox
    assert round(float(box.width) / 72 * 25.4) == 148
    assert reader.pages[0].mediabox.width > box.width  # the bleed reached the page


def test_render_quiet_flag_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from printbrief.cli import main

    code = main(["render", str(SAMPLES / "en-plain.json"), "-o", str(tmp_path / "x.pdf"), "-q",
                 "--bundled-fonts-only"])  # fmt: skip
    assert code == 0 and capsys.readouterr().err == ""


def test_render_help_lists_variants_and_papers(capsys: pytest.CaptureFixture[str]) -> None:
    from printbrief.cli import main

    assert main(["render", "--help"]) == 0
    text = capsys.readouterr().out
    assert "pdf/ua-1" in text and "Tabloid" in text and "printbrief variants" not in text


@pytest.mark.parametrize("on_disk", [False, True])
def test_an_edited_theme_misses_the_service_cache(tmp_path: Path, on_disk: bool) -> None:
    from fastapi.testclient import TestClient

    from printbrief.service.app import ServiceConfig, create_app
    from printbrief.service.pool import PoolConfig

    folder = _theme_copy(tmp_path)
    config = ServiceConfig(
        pool=PoolConfig(workers=1),
        options=RenderOptions(theme_paths=(str(folder.parent),), system_fonts=False),
        cache_dir=tmp_path / "cache" if on_disk else None,
        cache_bytes=0 if on_disk else 64 << 20,  # on disk: the folder alone must tell
    )
    article = {"headline": "Tide tables", "body": "High water at noon."}
    with TestClient(create_app(config)) as api:
        first = api.post("/v1/render?theme=house", json=article)
        again = api.post("/v1/render?theme=house", json=article)
        assert first.headers["etag"] == again.headers["etag"]
        css = folder / "print.css"
        css.write_text(css.read_text("utf-8") + "\nh1 { color: #123456; }\n", "utf-8")
        edited = api.post("/v1/render?theme=house", json=article)
        state = api.app.state.printbrief  # type: ignore[attr-defined]
    assert edited.status_code == 200 and edited.headers["etag"] != first.headers["etag"]
    assert edited.content != first.content
    assert (state.cache.hits, state.cache.misses) == (1, 2)
