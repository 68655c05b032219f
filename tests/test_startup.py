"""The fast start of the command: every step gives the same bytes as the plain start."""

from __future__ import annotations

import ctypes.util
import io
import os
import pickle
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyphen
import pytest
from cffi import cparser

from conftest import SAMPLES
from printbrief import startup, uasheets

# One sample per script the steps touch: English hyphenates, Chinese shapes CJK.
ARTICLES = ("en-news-brief.json", "zh-hans.json")


def cli(out: Path, env: dict[str, str], *inputs: str) -> subprocess.CompletedProcess[str]:
    """``python -m printbrief render`` in a fresh process, as the console script runs."""
    argv = [sys.executable, "-m", "printbrief", "-q", "render", *inputs, "--out-dir", str(out),
            "-j", "1"]  # fmt: skip
    return subprocess.run(
        argv, env={**os.environ, **env}, capture_output=True, text=True, timeout=300, check=False
    )


def rendered(tmp_path: Path, name: str, plain: str, cache: Path) -> dict[str, bytes]:
    out = tmp_path / name
    env = {"PRINTBRIEF_PLAIN_START": plain, "PRINTBRIEF_START_CACHE": str(cache),
           "TMPDIR": str(tmp_path / "tmp")}  # fmt: skip
    done = cli(out, env, *(str(SAMPLES / a) for a in ARTICLES))
    assert done.returncode == 0, done.stderr
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.pdf"))}


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("plain")
    (folder / "tmp").mkdir()
    return rendered(folder, "out", "1", folder / "cache")


def test_every_step_cold_then_warm_gives_the_plain_bytes(
    tmp_path: Path, plain: dict[str, bytes]
) -> None:
    (tmp_path / "tmp").mkdir()
    cold = rendered(tmp_path, "cold", "", tmp_path / "cache")
    assert sorted(p.name for p in (tmp_path / "cache").iterdir() if p.suffix == ".pickle")
    warm = rendered(tmp_path, "warm", "", tmp_path / "cache")
    assert len(plain) == len(ARTICLES)
    assert cold == plain
    assert warm == plain
    assert list((tmp_path / "tmp").iterdir()) == []  # os._exit left no font copies behind


@pytest.mark.parametrize("step", startup.STEPS)
def test_each_step_alone_gives_the_plain_bytes(
    tmp_path: Path, plain: dict[str, bytes], step: str
) -> None:
    (tmp_path / "tmp").mkdir()
    others = ",".join(s for s in startup.STEPS if s != step)
    if step in ("cdefs", "hyphenation", "stylesheets", "templates"):
        rendered(tmp_path, "warm-up", others, tmp_path / "cache")  # fills the step's cache
    assert rendered(tmp_path, "out", others, tmp_path / "cache") == plain


def test_a_pdf_on_stdout_is_whole_through_the_fast_exit(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "printbrief", "-q", "render", str(SAMPLES / "en-plain.json"),
            "-o", "-"]  # fmt: skip
    env = {**os.environ, "PRINTBRIEF_START_CACHE": str(tmp_path)}
    pdfs = [
        subprocess.run(argv, env={**env, "PRINTBRIEF_PLAIN_START": plain}, capture_output=True,
                       timeout=300, check=True).stdout
        for plain in ("1", "")
    ]  # fmt: skip
    assert pdfs[0].startswith(b"%PDF-") and pdfs[0].rstrip().endswith(b"%%EOF")
    assert pdfs[1] == pdfs[0]


def test_a_failed_input_still_exits_1_through_the_fast_exit(tmp_path: Path) -> None:
    bad = str(SAMPLES / "broken" / "missing-headline.json")
    done = cli(tmp_path, {"PRINTBRIEF_START_CACHE": str(tmp_path / "c")}, bad)
    assert done.returncode == 1
    assert "missing-headline.json: headline: field required" in done.stderr


def test_another_weasyprint_or_the_switch_takes_the_plain_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PRINTBRIEF_PLAIN_START", raising=False)
    assert startup.weasyprint_version() == startup.WRITTEN_FOR
    assert "cdefs" in startup.steps()
    monkeypatch.setenv("PRINTBRIEF_PLAIN_START", "cdefs,exit")
    assert "cdefs" not in startup.steps() and "hyphenation" in startup.steps()
    monkeypatch.setenv("PRINTBRIEF_PLAIN_START", "1")
    assert startup.steps() == ()
    monkeypatch.delenv("PRINTBRIEF_PLAIN_START")
    monkeypatch.setattr(startup, "weasyprint_version", lambda: "71.0")
    assert startup.steps() == ()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sonames are Linux's")
def test_each_soname_is_where_weasyprints_own_search_ends() -> None:
    for soname, names in startup._LIBRARIES.items():
        found = next(filter(None, map(ctypes.util.find_library, names)), None)
        assert found in (soname, None), names  # None: not installed here, nor loadable by soname
        if found is None:
            with pytest.raises(OSError):
                ctypes.CDLL(soname)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sonames are Linux's")
def test_a_soname_asked_for_is_answered_without_running_the_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """cffi asks for a soname when loading it failed (an optional library not installed)."""
    search, nothing = ctypes.util.find_library, [None] * len(startup._LIBRARIES)
    assert [search(soname) for soname in startup._LIBRARIES] == nothing  # where the search ends
    monkeypatch.setattr(ctypes.util, "find_library", search)
    startup._use_sonames()
    ran: list[object] = []

    def popen(*args: object, **kwargs: object) -> None:
        ran.append(args)
        raise OSError("no programs")

    monkeypatch.setattr(subprocess, "Popen", popen)
    assert [ctypes.util.find_library(soname) for soname in startup._LIBRARIES] == nothing
    assert ctypes.util.find_library("harfbuzz") == "libharfbuzz.so.0"
    assert ran == []  # no ldconfig, gcc or ld


def _tree(ast: Any) -> str:
    out = io.StringIO()
    ast.show(buf=out, attrnames=True, nodenames=True, showcoord=True)
    return out.getvalue()


def test_cached_declarations_parse_to_the_same_syntax_trees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from weasyprint.text.ffi import ffi

    monkeypatch.setenv("PRINTBRIEF_START_CACHE", str(tmp_path))
    monkeypatch.setattr(cparser, "_get_parser", cparser._get_parser)
    monkeypatch.setattr(startup, "_state", {"enabled": (), "asts": {}, "new": False})
    source = ffi._cdefsources[0]
    expected = _tree(cparser.Parser()._parse(source)[0])
    startup._cache_cdefs()
    assert _tree(cparser.Parser()._parse(source)[0]) == expected  # parsed, then kept
    startup.save()
    startup._cache_cdefs()  # a new process: the trees come from the file
    parsed: list[str] = []
    monkeypatch.setattr(cparser.pycparser.CParser, "parse", lambda *a: parsed.append("x"))
    assert _tree(cparser.Parser()._parse(source)[0]) == expected
    assert parsed == []


def test_cached_hyphenation_patterns_hyphenate_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRINTBRIEF_START_CACHE", str(tmp_path))
    monkeypatch.setattr(pyphen, "HyphDict", pyphen.HyphDict)
    plain: Callable[[Path], Any] = pyphen.HyphDict
    words = ["cottages", "harbourmaster", "reconstruction", "Überschwemmung", "différemment"]
    for lang in ("en_US", "de_DE", "fr", "hu_HU"):
        path = pyphen.LANGUAGES[lang]
        expected = plain(path)
        startup._cache_hyphenation()
        first = pyphen.HyphDict(path)  # parsed and written
        second = pyphen.HyphDict(path)  # read back
        assert second.patterns == expected.patterns and second.maxlen == expected.maxlen
        got = [(w, second.positions(w), [p.data for p in second.positions(w)]) for w in words]
        want = [(w, expected.positions(w), [p.data for p in expected.positions(w)]) for w in words]
        assert got == want and first.patterns == expected.patterns
        monkeypatch.setattr(pyphen, "HyphDict", plain)
    assert len(list(tmp_path.glob("hyph-*.pickle"))) == 4


def test_a_deferred_module_loads_on_first_use_only() -> None:
    code = """
import sys
from printbrief import startup, uasheets
startup.defer("colorsys", "rgb_to_hsv")
from colorsys import rgb_to_hsv
import colorsys
assert "ONE_THIRD" not in vars(sys.modules["colorsys"])
assert rgb_to_hsv(0.2, 0.4, 0.6) == (0.5833333333333334, 0.6666666666666666, 0.6)
assert sys.modules["colorsys"].ONE_THIRD == 1.0 / 3.0
assert colorsys.hls_to_rgb is sys.modules["colorsys"].hls_to_rgb  # the real function
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "ok", done.stderr


def test_a_broken_or_foreign_cache_file_is_a_slower_start_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "bad.pickle").write_bytes(b"not a pickle")
    assert startup._read(tmp_path / "bad.pickle") is None
    startup._write(tmp_path / "ok.pickle", {"a": 1})
    assert startup._read(tmp_path / "ok.pickle") == {"a": 1}
    startup._write(tmp_path / "no.pickle", lambda: 1)  # cannot be pickled: nothing written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.pickle", "ok.pickle"]
    if os.getuid() == 0:  # another user's file is never unpickled
        os.chown(tmp_path / "ok.pickle", 4242, -1)
        assert startup._read(tmp_path / "ok.pickle") is None


def test_rendering_one_article_loads_no_process_pool_nor_colour_management(
    tmp_path: Path,
) -> None:
    """What a one-article render in its own process never uses is not imported at its start."""
    code = f"""
import sys
from printbrief.cli import main
assert main(["-q", "render", {str(SAMPLES / "en-news-brief.json")!r}, "-o", {str(tmp_path / "a.pdf")!r}]) == 0
print(sorted(m for m in sys.modules if m.split(".")[0] in ("multiprocessing", "concurrent", "printbrief")))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    loaded = done.stdout
    assert "printbrief.renderer" in loaded  # it did render, in this process
    for unused in (
        "'multiprocessing'",
        "concurrent.futures.process",
        "printbrief.cmyk",
        "printbrief.cmykpdf",
        "printbrief.formats.nitf",
        "printbrief.formats.newsml",
    ):
        assert unused not in loaded, unused  # fmt: skip


def _code(code: types.CodeType) -> tuple[object, ...]:
    """What a code object does (its bytes, names and constants), without marshal's refcounts."""
    consts = tuple(_code(c) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return (code.co_code, code.co_names, code.co_varnames, code.co_freevars, consts)


class _Comparable(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, types.FunctionType) and obj.__code__.co_filename == "<string>":
            return tuple, ((sorted(obj.__globals__), _code(obj.__code__)),)
        return NotImplemented


def comparable(value: object) -> bytes:
    """A stylesheet as bytes that are equal when the sheets are (selectors' tests by code)."""
    out = io.BytesIO()
    pickler = _Comparable(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: equal strings compare alike whether one object or two
    pickler.dump(value)
    return out.getvalue()


def test_the_user_agent_sheet_from_the_cache_is_the_one_weasyprint_parses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import weasyprint
    from weasyprint import html
    from weasyprint.css.counters import CounterStyle

    def pickled(sheet: Any, counters: dict[str, Any]) -> bytes:
        return comparable((sheet, counters))

    monkeypatch.setenv("PRINTBRIEF_START_CACHE", str(tmp_path))
    fresh = CounterStyle()
    expected = pickled(weasyprint.CSS(string=html.UA, counter_style=fresh), fresh)
    assert len(fresh) > 40  # @counter-style rules of the sheet: they come from the cache too
    for run in ("parsed", "cached"):
        counters, written = CounterStyle(), []
        sheet = uasheets.user_agent_sheet(weasyprint.CSS, html.UA, counters, written)
        assert pickled(sheet, counters) == expected, run
        for path, value in written:
            startup._write(path, value, uasheets.SheetPickler)
        assert len(written) == (run == "parsed")
    assert sheet.matcher.lower_local_name_selectors["p"][0][0].__name__ == "<lambda>"


def test_the_command_never_parses_the_sheets_for_forms_and_hints(tmp_path: Path) -> None:
    """They are parsed on first use, as the same sheets; a render uses neither."""
    code = f"""
import sys
from printbrief import startup
from printbrief.cli import main
startup.enable()
assert main(["-q", "render", {str(SAMPLES / "en-news-brief.json")!r}, "-o", {str(tmp_path / "a.pdf")!r}]) == 0
import weasyprint
from weasyprint import html
sheets = (html.UA_FORM_STYLESHEET, html.PH_STYLESHEET)
print([sorted(vars(s)) for s in sheets])
sys.path.insert(0, {str(Path(__file__).parent)!r})
from test_startup import comparable
def pickled(sheet):
    return comparable((sheet.base_url, sheet.matcher, sheet.page_rules, sheet.layers))
assert [pickled(s) for s in sheets] == [pickled(weasyprint.CSS(string=s)) for s in (html.UA_FORM, html.PH)]
assert all(isinstance(s, weasyprint.CSS) for s in sheets) and html.CSS is weasyprint.CSS
"""
    env = {**os.environ, "PRINTBRIEF_START_CACHE": str(tmp_path / "cache")}
    env.pop("PRINTBRIEF_PLAIN_START", None)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[['_later'], ['_later']]"  # not parsed by the render


def test_an_english_render_compiles_no_pattern_only_chinese_japanese_or_korean_needs(
    tmp_path: Path,
) -> None:
    """A class of Han code points takes milliseconds to compile: those patterns wait for CJK."""
    code = f"""
from printbrief import body, cjkheads, cjkscript
from printbrief.cli import main
lazy = (body._cjk_letter, body._last_two, cjkheads._kanji_katakana, cjkscript.korean_word)
for name in ("en-news-brief.json", "zh-hans.json", "ja.json", "ko.json"):
    path = {str(SAMPLES)!r} + "/" + name
    assert main(["-q", "render", path, "-o", {str(tmp_path)!r} + "/" + name + ".pdf"]) == 0
    print([f.cache_info().currsize for f in lazy])
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:4] == [
        "[0, 0, 0, 0]",  # English
        "[1, 2, 0, 0]",  # Chinese: gaps around Latin runs, the last two characters kept
        # (of a body paragraph and of the standfirst)
        "[1, 2, 0, 0]",  # Japanese: no headline phrase here meets kanji against katakana
        "[1, 2, 0, 1]",  # Korean: words kept whole
    ]
