"""Outputs: only a regular file or a new path is replaced; stdout write errors are one line."""

from __future__ import annotations

import io
import os
import shutil
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import SAMPLES
from printbrief.cli import main
from printbrief.errors import OutputError
from printbrief.output import write_atomic, write_stdout


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        yield path


def test_a_fifo_is_refused_and_left_alone(fifo: Path) -> None:
    with pytest.raises(OutputError, match="is a FIFO"):
        write_atomic(fifo, b"%PDF-1.7")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert [p.name for p in fifo.parent.iterdir()] == ["pipe"]  # no temporary file left


def test_a_socket_is_refused(unix_socket: Path) -> None:
    with pytest.raises(OutputError, match="is a socket"):
        write_atomic(unix_socket, b"%PDF-1.7")
    assert stat.S_ISSOCK(unix_socket.stat().st_mode)


def test_a_device_is_refused_through_a_link(tmp_path: Path) -> None:
    # Only through a link: if the check ever broke, the link would be replaced, never the
    # machine's /dev/null (as root, the old code replaced the device itself).
    link = tmp_path / "out.pdf"
    link.symlink_to(os.devnull)
    with pytest.raises(OutputError, match="is a character device, not a regular file"):
        write_atomic(link, b"%PDF-1.7")
    assert link.is_symlink() and stat.S_ISCHR(link.stat().st_mode)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"is a folder, not a regular file; give a file path"):
        write_atomic(tmp_path, b"%PDF-1.7")


def test_regular_files_and_new_paths_are_written(tmp_path: Path) -> None:
    old = tmp_path / "old.pdf"
    old.write_bytes(b"old")
    assert write_atomic(old, b"new").read_bytes() == b"new"
    assert write_atomic(tmp_path / "new" / "a.pdf", b"x").read_bytes() == b"x"


def test_a_name_near_the_file_name_limit_is_written(tmp_path: Path) -> None:
    name = "港" * 80 + ".pdf"  # 244 bytes: its temporary name once was longer than 255
    assert write_atomic(tmp_path / name, b"x").read_bytes() == b"x"


def test_cli_refuses_a_fifo_in_one_line(fifo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["render", str(SAMPLES / "en-plain.json"), "-o", str(fifo)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"failed: {fifo}: is a FIFO (named pipe), not a regular file" in err
    assert "Traceback" not in err and stat.S_ISFIFO(fifo.stat().st_mode)


def test_write_stdout_on_a_full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    with open("/dev/full", "wb", buffering=0) as full:
        monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BufferedWriter(full)))
        with pytest.raises(OutputError, match=r"^<stdout>: cannot write: No space left"):
            write_stdout(b"%PDF-1.7" * 10_000)
        sys.stdout.buffer.write(b"later")
        sys.stdout.flush()  # the descriptor now points at /dev/null: no second error at exit
        assert os.path.samefile(f"/proc/self/fd/{full.fileno()}", os.devnull)


def test_stdout_on_a_full_disk_is_one_line(tmp_path: Path) -> None:
    exe = shutil.which("printbrief", path=str(Path(sys.executable).parent))
    assert exe, "the console script is installed next to the interpreter"
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [exe, "render", str(SAMPLES / "en-plain.json"), "-o", "-"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=120, cwd=tmp_path,
            check=False,
        )  # fmt: skip
    assert done.returncode == 1
    assert "failed: <stdout>: cannot write: No space left on device" in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
