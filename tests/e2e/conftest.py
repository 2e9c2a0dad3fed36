"""Headless Chromium for the browser tests (Debian's chromium, driven by Playwright; never downloaded)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("XMPLAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _missing(reason: str) -> None:
    # CI must run every browser test: there a missing browser is a failure, not a skip.
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests may not be skipped)")
    pytest.skip(reason)


# Module scope: Playwright's sync API allows one running instance per thread, and other test folders
# start their own; a session-wide one would still be running when theirs start.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 760}, device_scale_factor=1)
    # Everything the tests start is on 127.0.0.1; anything else would be a bug, so it is refused.
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        ("http://127.0.0.1", "data:", "about:")) else route.abort())
    context.set_default_timeout(15_000)
    found = context.new_page()
    yield found
    context.close()


@pytest.fixture
def artifacts(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where a test's screenshots go: $XMPLAN_TEST_ARTIFACTS/<test>, else a pytest temp folder."""
    root = os.environ.get("XMPLAN_TEST_ARTIFACTS")
    base = Path(root) if root else Path(tmp_path_factory.getbasetemp()) / "screenshots"
    name: str = request.node.name
    folder = base / name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
