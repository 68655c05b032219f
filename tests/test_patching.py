"""WeasyPrint patches: once per process, even when threads race to the first render."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from printbrief.patching import Patch, written_for


def test_threads_racing_to_install_apply_a_patch_once() -> None:
    applied: list[int] = []

    def apply() -> None:
        time.sleep(0.05)  # the window in which a second thread would see "not installed"
        applied.append(1)

    patch = Patch("a test patch", apply, "nothing changes")
    start = threading.Barrier(8)

    def first_render() -> None:
        start.wait()
        assert patch.install()

    threads = [threading.Thread(target=first_render) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert applied == [1]


@pytest.mark.allow_warnings
def test_another_weasyprint_series_gets_one_warning_and_no_patch(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import weasyprint

    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    patch = Patch("a test patch", lambda: pytest.fail("applied"), "nothing changes")
    with caplog.at_level(logging.WARNING):
        assert not patch.install() and not patch.install()
    assert caplog.text.count("written for WeasyPrint 70.x, found 71.0; nothing changes") == 1
    assert written_for("70.1") and not written_for("7.0")
