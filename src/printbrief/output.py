"""Writing outputs atomically: a temp file in the same folder, fsync, then rename over the target."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

from .errors import OutputError

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def write_atomic(path: str | Path, data: bytes, *, durable: bool = True) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part.

    ``durable=False`` skips the fsync, for files that are only a cache (one fsync per cached
    article made a 200-article compile several seconds slower on a shared disk). Only a
    regular file or a new path is written (:func:`check_target`).

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.pdf"
    >>> write_atomic(target, b"%PDF-1.7").read_bytes()
    b'%PDF-1.7'
    """
    target = Path(path)
    check_target(target)
    # The temporary name must fit in 255 bytes even when the target's name nearly does.
    prefix = "." + os.fsdecode(os.fsencode(target.name)[:100]) + "."
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", source=str(target)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write: {exc.strerror or exc}", source=str(target)) from None
        raise
    return target


def check_target(path: Path) -> None:
    """Refuse an output path that names anything but a regular file or nothing yet.

    Renaming a new file over a device, FIFO or socket would replace it (as root, ``-o
    /dev/full`` replaced the device with a PDF); ``-`` is how to write to standard output.
    """
    try:
        mode = path.stat().st_mode  # follows links: a link to /dev/null is a device
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", source=str(path)) from None
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    message = f"is {kind}, not a regular file; give a file path (or - for standard output)"
    raise OutputError(message, source=str(path))


def write_stdout(data: bytes) -> None:
    """Write ``data`` to standard output; a full disk or closed pipe is an :class:`OutputError`."""
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except OSError as exc:
        _discard_stdout()
        raise OutputError(f"cannot write: {exc.strerror or exc}", source="<stdout>") from None


def _discard_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail again at exit.

    This is what the Python documentation advises after ``BrokenPipeError`` (the ``signal``
    module's notes on SIGPIPE); without it a second, unhandled error is printed at exit.
    """
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):  # not a real file (a test's capture): nothing to flush
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, fd)
    os.close(null)
