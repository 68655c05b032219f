"""Worker processes that do not run the main script again: the ``forkserver`` context of printbrief's pools.

Python's worker processes import the script that started them (``__main__``) as they start,
so that a task defined there can be unpickled: the script's top-level code runs again in
every worker. A script calling ``render_many`` or ``compile_issue`` with workers at its top
level, without ``if __name__ == "__main__":``, would render again in each worker (or break
the pool), and any script's workers would import everything the script imports.

printbrief's workers only ever run printbrief's own tasks, so they start without the script:
its top-level code runs once, guarded or not. Only the processes this context launches leave
the script out (a flag of the launching thread, read by a wrapper of
``multiprocessing.spawn.get_preparation_data`` that changes nothing when it is not set):
other pools and processes in the same program start as Python starts them.

Imported only when a pool starts: a command that renders in its own process never loads
``multiprocessing``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from multiprocessing import context, popen_forkserver, spawn
from typing import Any

_launching = threading.local()
_install_lock = threading.Lock()


class _Popen(popen_forkserver.Popen):
    """Launches a process from the fork server, its preparation data without the script."""

    def _launch(self, process_obj: Any) -> None:
        _launching.without_main = True
        try:
            super()._launch(process_obj)  # type: ignore[misc]
        finally:
            _launching.without_main = False


class WorkerProcess(context.ForkServerProcess):
    """A process forked from the fork server that does not import the main script."""

    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        return _Popen(process_obj)


class WithoutMain(context.ForkServerContext):
    """The ``forkserver`` start method, its processes started without the main script."""

    Process = WorkerProcess
    runs_main = False
    """Read by :func:`printbrief.workers.unguarded_main`: these workers never run the script."""

    def __init__(self) -> None:
        super().__init__()
        with _install_lock:
            if not getattr(spawn.get_preparation_data, "leaves_main_out", False):
                wrapped = _leaving_main_out(spawn.get_preparation_data)
                spawn.get_preparation_data = wrapped  # type: ignore[assignment]


def _leaving_main_out(
    original: Callable[[str], dict[str, Any]],
) -> Callable[[str], dict[str, Any]]:
    """``get_preparation_data`` that leaves the main script out for :class:`WorkerProcess`."""

    def preparation_data(name: str) -> dict[str, Any]:
        data = original(name)
        if getattr(_launching, "without_main", False):
            data.pop("init_main_from_name", None)
            data.pop("init_main_from_path", None)
        return data

    preparation_data.leaves_main_out = True  # type: ignore[attr-defined]
    return preparation_data
