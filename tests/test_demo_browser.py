"""The demo page in headless Chromium: click Print, receive the PDF, find the headline in it.

Uses Debian's ``chromium`` (``make test`` installs it when running as root) through Playwright;
never ``playwright install``, which downloads a browser build of its own.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from servicekit import flat_text, sample, serve_process

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[subprocess.Popen[str], int]]:
    """A real ``printbrief serve`` with one worker."""
    with serve_process("--workers", "1") as running:
        yield running


def test_print_button_posts_the_article_and_opens_its_pdf(
    server: tuple[subprocess.Popen[str], int], tmp_path: Path
) -> None:
    from playwright.sync_api import Route, sync_playwright

    _, port = server
    seen: dict[str, Any] = {}

    def forward(route: Route) -> None:
        # Playwright's response.body() came back empty for this fetch with Chromium 156, so
        # the request is forwarded from here and the PDF read on its way to the page.
        response = route.fetch()
        seen["article"], seen["pdf"] = route.request.post_data_json, response.body()
        route.fulfill(response=response)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            headline = page.locator("h1").inner_text()
            assert headline == sample()["headline"]
            page.route("**/v1/render?*", forward)
            with page.expect_popup() as popup, page.expect_response("**/v1/render?*") as answer:
                page.click("#print")
            assert answer.value.status == 200
            assert answer.value.headers["content-type"] == "application/pdf"
            popup.value.wait_for_url(lambda url: url.startswith("blob:"), wait_until="commit")
            assert page.locator("#status").inner_text() == ""
        finally:
            browser.close()
    (tmp_path / "printed.pdf").write_bytes(seen["pdf"])
    assert seen["article"] == sample()
    assert headline in flat_text(seen["pdf"])
