"""The printbrief command, in-process through main(argv) and once as a real subprocess."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLES, page_texts
from printbrief.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_render_one_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "brief.pdf"
    code, _, err = run(["render", str(SAMPLES / "en-news-brief.json"), "-o", str(target)], capsys)
    assert code == 0, err
    assert target.read_bytes().startswith(b"%PDF-")
    assert "rendered 1, failed 0" in err


def test_render_continues_past_bad_inputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = [SAMPLES / "en-plain.json", SAMPLES / "broken" / "missing-headline.json",
              SAMPLES / "broken" / "bad-json.json", SAMPLES / "broken" / "bad-body-format.json",
              SAMPLES / "broken" / "wrong-type.json"]  # fmt: skip
    code, _, err = run(["render", *map(str, inputs), "--out-dir", str(tmp_path)], capsys)
    assert code == 1
    assert "rendered 1, failed 4" in err
    assert "missing-headline.json: headline: field required" in err
    assert "bad-json.json: invalid JSON at line" in err
    assert "bad-body-format.json: body_format: must be one of" in err
    assert "wrong-type.json: headline: input should be a valid string" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "en-plain.pdf",
        "printbrief-manifest.json",
    ]


def test_render_folder_names_outputs_by_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    data = {"id": "tide-2026", "headline": "Tides", "body": "High water."}
    (folder / "x.json").write_text(json.dumps(data))
    code, _, err = run(["render", str(folder), "--out-dir", str(tmp_path / "out")], capsys)
    assert code == 0, err
    assert (tmp_path / "out" / "tide-2026.pdf").is_file()


def test_output_name_collision_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text(json.dumps({"id": "same", "headline": "h", "body": "b"}))
    code, _, err = run(
        [
            "render",
            str(tmp_path / "a.json"),
            str(tmp_path / "b.json"),
            "--out-dir",
            str(tmp_path / "o"),
        ],
        capsys,
    )
    assert code == 1
    assert "b.json: output same.pdf is already claimed by" in err and err.rstrip().endswith(
        "a.json"
    )


def test_stdin_to_stdout(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    data = json.dumps({"headline": "From stdin", "body": "Piped."}).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code = main(["render", "-", "-o", "-"])
    out, err = capsysbinary.readouterr()
    assert code == 0, err
    assert "From stdin" in page_texts(out)[0]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["render", "a.json", "b.json", "-o", "x.pdf"], "-o/--output takes exactly one input"),
        (["render", str(SAMPLES / "en-plain.json"), "--paper", "A0"], "unknown paper 'A0'"),
        (["render", str(SAMPLES / "en-plain.json"), "--theme", "nope"], "unknown theme 'nope'"),
        (["render"], "Missing argument"),
        (["frobnicate"], "No such command"),
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(argv, capsys)
    assert code == 2
    assert message in err


def test_themes_and_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["themes"], capsys)
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == [
        "broadsheet",
        "minimal",
        "newsbrief",
    ]
    code, out, _ = run(["schema"], capsys)
    assert code == 0 and json.loads(out)["required"] == ["headline", "body"]


def test_never_overwrites_an_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "story.json"
    src.write_text(json.dumps({"headline": "h", "body": "b"}))
    code, _, err = run(["render", str(src), "-o", str(src)], capsys)
    assert code == 1 and "would overwrite an input" in err
    assert json.loads(src.read_text())["headline"] == "h"


def test_real_subprocess(tmp_path: Path) -> None:
    exe = shutil.which("printbrief", path=str(Path(sys.executable).parent))
    assert exe, "the console script is installed next to the interpreter"
    done = subprocess.run(
        [exe, "render", str(SAMPLES / "broken" / "missing-headline.json"), str(SAMPLES / "en-plain.json"),
         "--out-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "missing-headline.json: headline: field required" in done.stderr
    assert (tmp_path / "en-plain.pdf").is_file()
